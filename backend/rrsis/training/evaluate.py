"""Evaluate a model on RefSegRS-format splits: oIoU, mIoU, Pr@X per split and per category word.

Predictions are ``argmax`` of the logits at the model's input size (through the one
:class:`~rrsis.models.predictor.Predictor`), compared with the
nearest-resized mask (the paper's protocol). Results are JSON and a Markdown table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import torch
from torch import nn
from torch.utils.data import DataLoader

from ..models.predictor import Predictor
from ..paths import write_text_atomic
from .datasets.refsegrs import RefSegRSDataset, read_splits
from .distributed import DistInfo, all_gather_objects
from .metrics import MetricAccumulator, metrics_table

__all__ = ["predict_counts", "predict_rows", "evaluate_dataset", "evaluate_splits",
           "write_results", "make_dataset"]

PathLike = Union[str, Path]


def make_dataset(model: nn.Module, roots: Sequence[PathLike], split: str,
                 size: Optional[int] = None, **aug: Any) -> RefSegRSDataset:
    """A split of one or more dataset folders, prepared for ``model`` (tokenizer, normalisation)."""
    cfg = model.config  # type: ignore[attr-defined]
    return RefSegRSDataset(read_splits(list(roots), split), size or cfg.input_size,
                           model.tokenizer, cfg.mean, cfg.std, **aug)  # type: ignore[attr-defined]


@torch.no_grad()
def predict_counts(model: nn.Module, dataset: RefSegRSDataset, device: torch.device,
                   thresholds: Sequence[float] = (0.0,), batch_size: int = 8,
                   precision: str = "fp32", info: DistInfo = DistInfo(), num_workers: int = 0,
                   flip_average: bool = False
                   ) -> List[Tuple[int, List[int], List[int], Optional[str]]]:
    """(index, I per threshold, U per threshold, category) for every sample, the prediction
    being ``l_fg - l_bg > threshold`` (0: the argmax); ranks share the work and all get
    every row."""
    modes = {m: m.training for m in model.modules()}   # restored exactly (BERT stays in eval)
    predictor = Predictor(model, device, precision=precision)  # type: ignore[arg-type]
    mine = list(range(info.rank, len(dataset), info.world_size))
    loader = DataLoader(dataset, batch_size=batch_size, sampler=mine, num_workers=num_workers,
                        generator=torch.Generator())
    rows: List[Tuple[int, List[int], List[int], Optional[str]]] = []
    for batch in loader:
        image = batch["image"].to(device)
        diff = predictor.paired_logit_difference(image, batch["input_ids"],
                                                 batch["attention_mask"], flip_average)
        gt = batch["mask"].to(device).bool()
        inters, unions = [], []
        for t in thresholds:
            pred = diff > t
            inters.append((pred & gt).flatten(1).sum(1).tolist())
            unions.append((pred | gt).flatten(1).sum(1).tolist())
        for j, idx in enumerate(batch["index"].tolist()):
            rows.append((int(idx), [int(i[j]) for i in inters], [int(u[j]) for u in unions],
                         dataset.samples[idx].category))
    for m, mode in modes.items():
        m.training = mode
    merged: Dict[int, Tuple[int, List[int], List[int], Optional[str]]] = {}
    for part in all_gather_objects(info, rows):
        for r in part:
            merged[r[0]] = r
    return [merged[k] for k in sorted(merged)]


def predict_rows(model: nn.Module, dataset: RefSegRSDataset, device: torch.device,
                 batch_size: int = 8, precision: str = "fp32", info: DistInfo = DistInfo(),
                 num_workers: int = 0, flip_average: bool = False
                 ) -> List[Tuple[int, int, int, Optional[str]]]:
    """(index, I, U, category) of the argmax prediction for every sample."""
    return [(k, i[0], u[0], c) for k, i, u, c in predict_counts(
        model, dataset, device, (0.0,), batch_size, precision, info, num_workers,
        flip_average)]


def evaluate_dataset(model: nn.Module, dataset: RefSegRSDataset, device: torch.device,
                     batch_size: int = 8, precision: str = "fp32", info: DistInfo = DistInfo(),
                     flip_average: bool = False) -> Dict[str, Any]:
    """{overall: summarize(...), categories: {word: summarize(...)}} for one dataset split."""
    acc = MetricAccumulator()
    acc.extend((i, u, c) for _, i, u, c in predict_rows(
        model, dataset, device, batch_size, precision, info, flip_average=flip_average))
    return {"overall": acc.result(), "categories": acc.per_category()}


def evaluate_splits(model: nn.Module, roots: Sequence[PathLike], splits: Sequence[str],
                    device: torch.device, batch_size: int = 8, precision: str = "fp32",
                    size: Optional[int] = None, flip_average: bool = False) -> Dict[str, Any]:
    """Evaluate every split that exists in the dataset folder(s)."""
    out: Dict[str, Any] = {}
    for split in splits:
        ds = make_dataset(model, roots, split, size)
        out[split] = evaluate_dataset(model, ds, device, batch_size, precision,
                                      flip_average=flip_average)
    return out


def results_markdown(results: Dict[str, Any], title: str = "") -> str:
    text = f"# {title}\n\n" if title else ""
    text += metrics_table({s: r["overall"] for s, r in results.items()}, "split")
    for split, r in results.items():
        if r.get("categories"):
            text += (f"\n## {split}: per category word\n\n"
                     + metrics_table(r["categories"], "category"))
    return text


def write_results(results: Dict[str, Any], out: PathLike, title: str = "") -> Tuple[Path, Path]:
    """``<out>.json`` and ``<out>.md`` (``out`` without suffix), each written atomically."""
    base = Path(out)
    if base.suffix in (".json", ".md"):
        base = base.with_suffix("")
    js, md = base.with_suffix(".json"), base.with_suffix(".md")
    write_text_atomic(js, json.dumps(results, indent=2, sort_keys=True) + "\n")
    write_text_atomic(md, results_markdown(results, title))
    return js, md
