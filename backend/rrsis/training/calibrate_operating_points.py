"""Choose a model's operating point per category group on the validation split.

    python -m rrsis.training.calibrate_operating_points --model lgce-lite \
        --datasets runs/data --out runs/operating-points.json [--write-card]

Every val triplet of every RefSegRS-format folder under ``--datasets`` is predicted once
(the trainer's evaluation: each crop at its recorded GSD, ``--size`` px) and its
intersection and union with the labelled mask are counted at every logit threshold of
:data:`GRID`. Per category group of the grounding lexicon (vehicle, building, road,
vegetation, water, bare land: the triplet's category word read by the lexicon) the
threshold with the highest oIoU is chosen; a group with fewer than ``--min-samples``
triplets keeps 0 (the argmax). A two-fold estimate (threshold chosen on half of the val
images, scored on the other half, both ways) says how much of the gain holds on images
the choice did not see. ``--write-card`` stores the block that
:mod:`rrsis.engine.operating` applies.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ..engine.operating import CARD_KEY
from ..errors import InputError, run_tool
from .tool_args import markdown_table, measuring_parser, write_report

__all__ = ["GRID", "MIN_SAMPLES", "Row", "oiou", "group_of_word", "collect", "choose",
           "markdown", "main"]

GRID = tuple(round(-2.0 + 0.25 * k, 2) for k in range(13))  # -2.0 ... +1.0 (p 0.12 ... 0.73)
MIN_SAMPLES = 30


@dataclass(frozen=True)
class Row:
    source: str
    image: str
    group: Optional[str]
    inter: Sequence[int]  # per GRID threshold (or per candidate of another calibration)
    union: Sequence[int]
    gsd_m: Optional[float] = None   # the crop's recorded GSD, where a calibration needs it


def group_of_word(word: Optional[str]) -> Optional[str]:
    """The lexicon group of a dataset's category word ("roof" -> building), or None."""
    from .calibrate_presence import case_group

    return case_group(word) if word else None


def collect(model_path: str, datasets: Path, size: int = 192,
            progress: Optional[Any] = None) -> List[Row]:
    """Counts of every val triplet under ``datasets`` at every threshold of :data:`GRID`."""
    import torch

    from ..models.checkpoint import load_checkpoint
    from .evaluate import make_dataset, predict_counts

    folders = sorted(p for p in ([datasets] + sorted(datasets.iterdir()) if datasets.is_dir()
                                 else []) if (p / "output_phrase_val.txt").is_file())
    if not folders:
        raise InputError(f"no RefSegRS-format folder with output_phrase_val.txt in {datasets}")
    model = load_checkpoint(model_path, "cpu")
    rows: List[Row] = []
    for folder in folders:
        ds = make_dataset(model, [folder], "val", size)
        for idx, inter, union, word in predict_counts(model, ds, torch.device("cpu"), GRID):
            image = ds.samples[idx].image.stem.rsplit("_", 1)[0]  # triplets share their crop
            rows.append(Row(folder.name, image, group_of_word(word), inter, union))
        if progress is not None:
            progress(f"{folder.name}: {len(ds)} triplets")
    return rows


def oiou(rows: Sequence[Row], k: int) -> float:
    """Pooled IoU of ``rows`` at candidate ``k`` (sum of intersections / sum of unions)."""
    union = sum(r.union[k] for r in rows)
    return sum(r.inter[k] for r in rows) / union if union else 0.0


def _best(rows: Sequence[Row]) -> int:
    """Index of the GRID threshold with the highest oIoU (the one nearest 0 on ties)."""
    scores = [oiou(rows, k) for k in range(len(GRID))]
    return max(range(len(GRID)), key=lambda k: (round(scores[k], 6), -abs(GRID[k])))


def choose(rows: Sequence[Row], min_samples: int = MIN_SAMPLES) -> Dict[str, Any]:
    """The card block: per group the chosen threshold, its val oIoU, the two-fold estimate."""
    zero = GRID.index(0.0)
    groups: Dict[str, Any] = {}
    fold = [zlib.crc32(f"{r.source}/{r.image}".encode()) % 2 for r in rows]
    for group in sorted({r.group for r in rows if r.group}):
        mine = [r for r in rows if r.group == group]
        entry: Dict[str, Any] = {"n": len(mine), "oIoU_at_0": round(oiou(mine, zero), 4)}
        if len(mine) < min_samples:
            entry.update(logit_threshold=0.0, note=f"fewer than {min_samples} val triplets")
            groups[group] = entry
            continue
        k = _best(mine)
        entry.update(logit_threshold=GRID[k], probability=round(1 / (1 + np.exp(-GRID[k])), 3),
                     oIoU=round(oiou(mine, k), 4))
        halves = []
        for f in (0, 1):
            pick = [r for r, g in zip(rows, fold) if r.group == group and g == f]
            score = [r for r, g in zip(rows, fold) if r.group == group and g != f]
            if pick and score:
                halves.append({"chosen_on_half": f, "logit_threshold": GRID[_best(pick)],
                               "oIoU_at_0": round(oiou(score, zero), 4),
                               "oIoU": round(oiou(score, _best(pick)), 4)})
        entry["two_fold"] = halves
        groups[group] = entry
    at = {g: GRID.index(e["logit_threshold"]) for g, e in groups.items()}
    chosen = sum(r.inter[at.get(r.group, zero)] for r in rows) / \
        max(1, sum(r.union[at.get(r.group, zero)] for r in rows))  # type: ignore[arg-type]
    return {"logit_threshold": {g: e["logit_threshold"] for g, e in groups.items()
                                if e["logit_threshold"] != 0.0},
            "overall": {"n": len(rows), "oIoU_at_0": round(oiou(rows, zero), 4),
                        "oIoU": round(chosen, 4)},
            "groups": groups, "grid": [GRID[0], GRID[-1], 0.25], "min_samples": min_samples,
            "calibration": "rrsis.training.calibrate_operating_points on the val split "
                           "(highest oIoU per lexicon group)"}


def markdown(block: Dict[str, Any]) -> str:
    """The block as a Markdown table (val oIoU at the argmax and at the chosen point)."""
    cells = []
    for group, e in block["groups"].items():
        t = e["logit_threshold"]
        point = f"{t:+.2f} ({e['probability']:.2f})" if "probability" in e else \
            f"{t:+.2f} ({e.get('note', 'argmax')})"
        folds = "; ".join(f"{100 * h['oIoU_at_0']:.1f} -> {100 * h['oIoU']:.1f}"
                          for h in e.get("two_fold", ())) or "-"
        cells.append([group, e["n"], point, f"{100 * e['oIoU_at_0']:.2f}",
                      f"{100 * e.get('oIoU', e['oIoU_at_0']):.2f}", folds])
    overall = block.get("overall")
    if overall:
        cells.append(["all val triplets", overall["n"], "", f"{100 * overall['oIoU_at_0']:.2f}",
                      f"{100 * overall['oIoU']:.2f}", ""])
    rows = markdown_table(["group", "val triplets", "logit threshold (probability)",
                           "oIoU at 0.5", "oIoU there",
                           "two-fold: chosen on one half, scored on the other"], cells)
    return "\n".join(rows) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    p = measuring_parser(__doc__, threads=False,
                         write_card="store the chosen operating points in the model's card")
    p.add_argument("--size", type=int, default=192, help="crop size in px (the training size)")
    p.add_argument("--min-samples", type=int, default=MIN_SAMPLES,
                   help="groups with fewer val triplets keep the argmax")
    args = p.parse_args(argv)
    return run_tool(lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    from ..models.catalog import find_model

    model = find_model(args.model)
    t0 = time.perf_counter()
    rows = collect(str(model), Path(args.datasets), args.size,
                   progress=lambda m: print(m, file=sys.stderr))
    block = choose(rows, args.min_samples)
    block["input_size"] = args.size
    for group, e in block["groups"].items():
        folds = ", ".join(f"{h['oIoU_at_0']:.3f} -> {h['oIoU']:.3f}" for h in e.get("two_fold", ()))
        print(f"{group:12s} n {e['n']:4d}  logit {e['logit_threshold']:+.2f}  oIoU "
              f"{e['oIoU_at_0']:.3f} -> {e.get('oIoU', e['oIoU_at_0']):.3f}"
              + (f"  (two-fold: {folds})" if folds else ""))
    write_report(args.out, CARD_KEY, block, model, t0, args.write_card)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
