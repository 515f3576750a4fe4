"""oIoU, mIoU and Pr@X exactly as the RRSIS paper computes them.

Per sample, at the model's input size against the nearest-resized mask:
``I = sum(pred & gt)``, ``U = sum(pred | gt)``, IoU = I / U, and **0 when I = 0 or U = 0**
(so a correctly empty prediction of an absent target scores 0, as in the paper's code).
mIoU is the mean per-sample IoU, oIoU = sum(I) / sum(U) over the split, Pr@X the share
of samples whose IoU >= X. Pure functions over numbers, plus a small accumulator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from .tool_args import markdown_table

__all__ = ["THRESHOLDS", "intersection_union", "sample_iou", "summarize", "MetricAccumulator",
           "metrics_table"]

THRESHOLDS: Tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9)


def intersection_union(pred: "np.ndarray | object", gt: "np.ndarray | object") -> Tuple[int, int]:
    """Binary prediction and ground truth of one sample (any array-like, same shape) -> (I, U)."""
    p = np.asarray(_to_numpy(pred)).astype(bool)
    g = np.asarray(_to_numpy(gt)).astype(bool)
    if p.shape != g.shape:
        raise ValueError(f"prediction {p.shape} and mask {g.shape} differ in shape")
    inter = int(np.count_nonzero(p & g))
    union = int(np.count_nonzero(p) + np.count_nonzero(g) - inter)
    return inter, union


def sample_iou(inter: int, union: int) -> float:
    """IoU of one sample; 0 when I or U is 0 (the paper's convention)."""
    if inter == 0 or union == 0:
        return 0.0
    return inter / union


def summarize(inters: Sequence[int], unions: Sequence[int],
              thresholds: Sequence[float] = THRESHOLDS) -> Dict[str, float]:
    """Per-sample (I, U) lists -> {count, oIoU, mIoU, Pr@0.5 ...}; ratios in [0, 1]."""
    if len(inters) != len(unions):
        raise ValueError("inters and unions differ in length")
    n = len(inters)
    ious = np.array([sample_iou(i, u) for i, u in zip(inters, unions)], dtype=np.float64)
    total_u = float(sum(unions))
    out: Dict[str, float] = {
        "count": n,
        "oIoU": float(sum(inters)) / total_u if total_u > 0 else 0.0,
        "mIoU": float(ious.mean()) if n else 0.0,
    }
    for t in thresholds:
        # compare with a tiny tolerance so that 0.7 == 7/10 counts as >= 0.7
        out[f"Pr@{t:g}"] = float(np.mean(ious >= t - 1e-12)) if n else 0.0
    return out


@dataclass
class MetricAccumulator:
    """Collects (I, U) per sample, optionally tagged with a category word."""

    inters: List[int] = field(default_factory=list)
    unions: List[int] = field(default_factory=list)
    categories: List[Optional[str]] = field(default_factory=list)

    def add(self, pred: object, gt: object, category: Optional[str] = None) -> Tuple[int, int]:
        i, u = intersection_union(pred, gt)
        self.add_counts(i, u, category)
        return i, u

    def add_counts(self, inter: int, union: int, category: Optional[str] = None) -> None:
        self.inters.append(int(inter))
        self.unions.append(int(union))
        self.categories.append(category)

    def extend(self, rows: Iterable[Tuple[int, int, Optional[str]]]) -> None:
        for i, u, c in rows:
            self.add_counts(i, u, c)

    def rows(self) -> List[Tuple[int, int, Optional[str]]]:
        return list(zip(self.inters, self.unions, self.categories))

    def result(self) -> Dict[str, float]:
        return summarize(self.inters, self.unions)

    def per_category(self) -> Dict[str, Dict[str, float]]:
        groups: Dict[str, Tuple[List[int], List[int]]] = {}
        for i, u, c in self.rows():
            key = c if c else "(none)"
            gi, gu = groups.setdefault(key, ([], []))
            gi.append(i)
            gu.append(u)
        return {k: summarize(*groups[k]) for k in sorted(groups)}


_COLUMNS = ("Pr@0.5", "Pr@0.6", "Pr@0.7", "Pr@0.8", "Pr@0.9", "oIoU", "mIoU")


def metrics_table(rows: Dict[str, Dict[str, float]], first: str = "split") -> str:
    """{label: summarize(...)} -> a Markdown table in percent, as the paper reports."""
    return "\n".join(markdown_table(
        [first, "n", *_COLUMNS],
        ([label, int(m.get("count", 0)), *(f"{100 * m.get(c, 0.0):.2f}" for c in _COLUMNS)]
         for label, m in rows.items()))) + "\n"


def _to_numpy(x: object) -> object:
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()  # type: ignore[attr-defined]
    return x
