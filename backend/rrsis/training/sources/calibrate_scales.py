"""How fine each category is served on coarse imagery: ceilings on the card's scales.

    python -m rrsis.training.sources.calibrate_scales --model lgce-lite --datasets runs/data \
        --out runs/scale-ceilings.json [--write-card]

The card's ``group_gsd_range_m`` says at which GSDs each lexicon group was learnt
(:mod:`.scales`), and the engine looks for a phrase at the working GSD clamped into its
group's range (:func:`rrsis.engine.gsd.phrase_gsd_m`). The coarse end of that range is
where the group's coarsest training tiles were shown, not where the model finds each
category best: "vegetation" was learnt down to 0.6 m from 1 m land-cover tiles, and on the
held-out tiles of that source it is found far better enlarged to 0.3 m, while "trees" on
0.6 m NAIP crops is not. This measures it per category phrase on the val split: every
triplet whose expression names one category and nothing else (:func:`plain_category`) is
segmented at its recorded GSD and, where that is coarser than a candidate ceiling of
:data:`CEILINGS` inside its group's range, enlarged to the ceiling as the engine would serve
it (bilinear), at the card's operating points. Per phrase the ceiling with the highest
pooled oIoU is chosen if it beats serving as learnt by :data:`MIN_GAIN` and the two-fold
estimate confirms it (a ceiling chosen on each half of the val images, by the same rule,
scores higher than serving as learnt on the other half); else none. ``--write-card`` stores
the block under :data:`~rrsis.engine.gsd.CEILINGS_KEY` (``ceiling_m``: phrase -> metres),
which the engine reads.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ...engine.gsd import CEILINGS_KEY, group_gsd_ranges
from ...errors import run_tool
from ..calibrate_operating_points import Row, oiou
from ..tool_args import markdown_table, measuring_parser, write_report

__all__ = ["CEILINGS", "MIN_GAIN", "MIN_SAMPLES", "collect", "choose", "markdown", "main"]

#: candidate ceilings (m); index 0 of a row's counts is "as learnt" (no ceiling)
CEILINGS: Tuple[float, ...] = (0.5, 0.4, 0.3, 0.25, 0.2)
#: the pooled val oIoU a ceiling must add to be chosen (one point)
MIN_GAIN = 0.01
#: a ceiling needs at least this many of a phrase's val triplets coarser than it
MIN_SAMPLES = 10


def collect(model_path: str, datasets: Path, ceilings: Sequence[float] = CEILINGS,
            progress: Optional[Callable[[str], None]] = None
            ) -> Tuple[List[Row], Dict[str, str]]:
    """One row per plain-category val triplet (its ``group`` field: the category's phrase):
    intersection and union as learnt (index 0) and at each ceiling (index 1 ...), at the
    card's operating point of its group; and each phrase's lexicon group."""
    import torch

    from ...engine.operating import phrase_offsets
    from ...grounding.lexicon import BASE_VOCABULARY
    from ...models.checkpoint import load_checkpoint
    from ...models.predictor import Predictor
    from ..datasets.copy_paste import plain_category
    from ..datasets.refsegrs import load_image, load_mask
    from .relations_eval import at_gsd, split_samples

    def phrase_of(expression: str) -> Optional[str]:
        cats = plain_category(expression) or ()
        return BASE_VOCABULARY.by_name[cats[0]].model_phrase if len(cats) == 1 else None

    model = load_checkpoint(model_path, "cpu")
    card = getattr(model, "card", None)
    samples, _ = split_samples(datasets, phrase_of)
    group_of = {c.model_phrase: c.group for c in BASE_VOCABULARY.by_name.values()}
    predictors: Dict[str, Any] = {}
    rows: List[Row] = []
    for n, (s, phrase) in enumerate(samples):
        if s.expression not in predictors:   # the triplet's own words ("houses", "sea")
            predictors[s.expression] = (
                Predictor(model, torch.device("cpu"), [s.expression], "fp32"),
                phrase_offsets(card, [s.expression], {s.expression: [group_of[phrase]]}))
        predictor, offsets = predictors[s.expression]
        shift = float(offsets[0]) if offsets is not None else 0.0
        rgb = np.asarray(load_image(s.image), np.float32).transpose(2, 0, 1) / 255.0
        gt = load_mask(s.mask) > 0

        def counts(diff: np.ndarray) -> Tuple[int, int]:
            pred = (diff - shift) > 0
            return int((pred & gt).sum()), int((pred | gt).sum())

        learnt = counts(predictor.logit_difference(rgb[None])[0, 0])
        # a crop not coarser than a ceiling is served as learnt there
        scored = [learnt] + [counts(at_gsd(predictor, rgb, s.gsd_m / c)) if s.gsd_m > c
                             else learnt for c in ceilings]
        rows.append(Row(s.source, s.id.rsplit("_", 1)[0], phrase, [i for i, _ in scored],
                        [u for _, u in scored], s.gsd_m))
        if progress is not None and (n + 1) % 100 == 0:
            progress(f"{n + 1} of {len(samples)} triplets")
    return rows, {r.group: group_of[r.group] for r in rows if r.group}


def choose(rows: Sequence[Row], groups_of: Dict[str, str],
           ranges: Dict[str, Tuple[float, float]], ceilings: Sequence[float] = CEILINGS,
           min_gain: float = MIN_GAIN, min_samples: int = MIN_SAMPLES) -> Dict[str, Any]:
    """The card block: per phrase (a row's ``group``) the pooled oIoU as learnt and at each
    ceiling inside its lexicon group's range (``groups_of``, ``ranges``), the chosen ceiling
    (or none), and the two-fold estimate."""
    fold = [zlib.crc32(f"{r.source}/{r.image}".encode()) % 2 for r in rows]
    groups: Dict[str, Any] = {}
    for group in sorted({r.group for r in rows if r.group}):
        mine = [r for r in rows if r.group == group]
        lo, hi = ranges.get(groups_of.get(group, ""), (0.0, float("inf")))
        allowed = [k + 1 for k, c in enumerate(ceilings) if lo <= c < hi]
        coarse = {c: sum(r.gsd_m > c for r in mine) for c in ceilings}
        entry: Dict[str, Any] = {
            "group": groups_of.get(group), "n": len(mine), "as_learnt": round(oiou(mine, 0), 4),
            "at_ceiling": {f"{ceilings[k - 1]:g}": round(oiou(mine, k), 4) for k in allowed},
            "coarser_than": {f"{c:g}": coarse[c] for c in ceilings}}
        allowed = [k for k in allowed if coarse[ceilings[k - 1]] >= min_samples]
        k = _best(mine, allowed, min_gain)
        halves = []
        for f in (0, 1):
            pick = [r for r, g in zip(rows, fold) if r.group == group and g == f]
            score = [r for r, g in zip(rows, fold) if r.group == group and g != f]
            if pick and score:
                j = _best(pick, allowed, min_gain)
                halves.append({"chosen_on_half": f,
                               "ceiling_m": ceilings[j - 1] if j else None,
                               "as_learnt": round(oiou(score, 0), 4),
                               "chosen": round(oiou(score, j), 4)})
        entry["two_fold"] = halves
        held = len(halves) == 2 and all(h["chosen"] > h["as_learnt"] for h in halves)
        if k and not held:   # a gain the other half of the images does not show: noise
            entry["note"] = "not confirmed by the two-fold estimate"
            k = 0
        entry["ceiling_m"] = ceilings[k - 1] if k else None
        groups[group] = entry
    chosen = {p: ceilings.index(e["ceiling_m"]) + 1 for p, e in groups.items()
              if e["ceiling_m"]}
    by_group: Dict[str, Any] = {}
    for g in sorted({groups_of.get(r.group, "") for r in rows if r.group} - {""}):
        mine = [r for r in rows if r.group and groups_of.get(r.group) == g]
        served = sum(r.inter[chosen.get(r.group, 0)] for r in mine) / \
            max(1, sum(r.union[chosen.get(r.group, 0)] for r in mine))
        by_group[g] = {"n": len(mine), "as_learnt": round(oiou(mine, 0), 4),
                       "as_served": round(served, 4)}
    return {"ceiling_m": {g: e["ceiling_m"] for g, e in groups.items() if e["ceiling_m"]},
            "groups": groups, "by_group": by_group, "candidates_m": list(ceilings),
            "min_gain": min_gain,
            "min_samples": min_samples,
            "calibration": "rrsis.training.sources.calibrate_scales on the val split "
                           "(plain-category triplets enlarged to each ceiling, at the "
                           "operating points; highest pooled oIoU per category phrase)"}


def _best(rows: Sequence[Row], allowed: Sequence[int], min_gain: float) -> int:
    """The index of the best allowed ceiling if it beats index 0 by ``min_gain``, else 0."""
    if not allowed:
        return 0
    k = max(allowed, key=lambda j: (round(oiou(rows, j), 6), -j))   # ties: the coarser
    return k if oiou(rows, k) >= oiou(rows, 0) + min_gain else 0


def markdown(block: Dict[str, Any]) -> str:
    """The block as a Markdown table: pooled val oIoU as learnt and at each ceiling."""
    cands = [f"{c:g}" for c in block["candidates_m"]]
    per_phrase = []
    for group, e in block["groups"].items():
        at = [f"{100 * e['at_ceiling'][c]:.1f}" if c in e["at_ceiling"] else "-" for c in cands]
        folds = "; ".join(f"{100 * h['as_learnt']:.1f} -> {100 * h['chosen']:.1f}"
                          + (f" ({h['ceiling_m']:g} m)" if h["ceiling_m"] else " (none)")
                          for h in e.get("two_fold", ())) or "-"
        chosen = f"{e['ceiling_m']:g} m" if e["ceiling_m"] else "as learnt"
        per_phrase.append([f"{group} ({e['group']})", e["n"], f"{100 * e['as_learnt']:.1f}",
                           *at, chosen, folds])
    rows = markdown_table(["phrase (group)", "plain val triplets", "as learnt",
                           *(f"at {c} m" for c in cands), "chosen",
                           "two-fold: chosen on one half, scored on the other"], per_phrase)
    rows += [""] + markdown_table(
        ["lexicon group", "plain val triplets", "as learnt", "as served (the chosen ceilings)"],
        ([g, e["n"], f"{100 * e['as_learnt']:.1f}", f"{100 * e['as_served']:.1f}"]
         for g, e in block.get("by_group", {}).items()))
    return "\n".join(rows) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    p = measuring_parser(__doc__, write_card="store the chosen ceilings (and the measurement) "
                         "in the model's card")
    p.add_argument("--min-gain", type=float, default=MIN_GAIN,
                   help=f"pooled oIoU a ceiling must add (default {MIN_GAIN})")
    args = p.parse_args(argv)
    return run_tool(lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    import torch

    from ...models.card import read_card
    from ...models.catalog import find_model

    torch.set_num_threads(args.threads)
    model = find_model(args.model)
    card = read_card(model)
    ranges = group_gsd_ranges(card)
    t0 = time.perf_counter()
    rows, groups_of = collect(str(model), Path(args.datasets),
                              progress=lambda m: print(m, file=sys.stderr))
    block = choose(rows, groups_of, ranges, min_gain=args.min_gain)
    print(markdown(block), end="")
    write_report(args.out, CEILINGS_KEY, block, model, t0, args.write_card)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
