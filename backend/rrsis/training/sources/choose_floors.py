"""How coarse each category is served on fine imagery: floors on the card's scales.

    for F in 0.1 0.15 0.2; do
      python -m rrsis.training.sources.scenes_eval --floor $F --out runs/scenes-floor$F.json
    done      # and once without --floor: runs/scenes.json
    python -m rrsis.training.sources.choose_floors runs/scenes.json runs/scenes-floor*.json \
        --model lgce-lite --out runs/floors.json [--write-card]

The engine looks for a phrase at the working GSD clamped into its group's range, and the
fine end of that range is where the group's finest training tiles were shown, not where the
model finds each category best: on a 0.075 m drone image a house spans more of the 480 px tile
than the houses the model mostly learnt from (crops drawn around 0.15 m). Crops of 192 px
cannot measure this (shrunk to a coarser GSD they lose the context a whole scene keeps), so
the choice is made on whole held-out scenes through the engine (:mod:`.scenes_eval`), served
once as the card says and once per candidate floor (every scene finer than it served at it).

Per expression (its category's model phrase) the candidates' pooled oIoU is compared; the
finest candidate within :data:`MIN_GAIN` of the best is taken (serving coarser loses outline
detail, so it must earn it) if it beats serving as learnt by :data:`MIN_GAIN`, and only if
the leave-one-place-out estimate confirms it: each place's scenes scored with the floor the
same rule picks on the other places, pooled, beat serving as learnt. ``--write-card`` stores
the block under :data:`~rrsis.engine.gsd.FLOORS_KEY` (``floor_m``: phrase -> metres), which
the engine reads.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ...engine.gsd import FLOORS_KEY
from ...errors import InputError, run_tool
from ..tool_args import write_report
from .scenes_eval import place_of

__all__ = ["MIN_GAIN", "read_reports", "choose", "markdown", "main"]

#: pooled oIoU a floor must add over serving as learnt, and the margin within which a finer
#: floor is preferred to the best (one point)
MIN_GAIN = 0.01

Counts = Dict[Tuple[str, str, str], Tuple[int, int]]   # (expression, source, scene) -> (I, U)


def read_reports(paths: Sequence[Path]) -> Tuple[Counts, Dict[float, Counts]]:
    """(the counts served as learnt, {floor: counts}) from :mod:`.scenes_eval` reports: one
    without a floor, the others a floor each (reports of one floor over other sources add
    up). A scene a floor report lacks whose own GSD is not finer than the floor is served
    the same with it: it counts as served as learnt."""
    base: Optional[Counts] = None
    native: Dict[Tuple[str, str, str], float] = {}
    floors: Dict[float, Counts] = {}
    for path in paths:
        try:
            block = json.loads(Path(path).read_text())["scenes"]
            rows = [(r, e, c) for r in block["scenes"] for e, c in r["expressions"].items()]
            counts = {(e, r["source"], r["scene"]): (int(c["intersection"]), int(c["union"]))
                      for r, e, c in rows}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path} is not a scenes_eval report: {exc}") from None
        if block.get("ceiling_m") is not None:
            raise InputError(f"{path} was served with --ceiling: not a floor's report")
        floor = block.get("floor_m")
        if floor is None:
            if base is not None:
                raise InputError("two reports without a floor: give one")
            base = counts
            # reports before native_gsd_m: the served grid, never finer than the raster
            native = {(e, r["source"], r["scene"]): float(r.get("native_gsd_m", r["gsd_m"]))
                      for r, e, _ in rows}
        else:
            floors.setdefault(float(floor), {}).update(counts)
    if base is None or not floors:
        raise InputError("give one report without a floor and at least one with --floor")
    for floor, counts in floors.items():
        for k, c in base.items():
            if k not in counts and native[k] >= floor:
                counts[k] = c
    return base, floors


def _oiou(counts: Counts, keys: Sequence[Tuple[str, str, str]]) -> float:
    inter = sum(counts[k][0] for k in keys)
    union = sum(counts[k][1] for k in keys)
    return inter / union if union else 0.0


def _pick(base: Counts, floors: Dict[float, Counts], keys: Sequence[Tuple[str, str, str]],
          min_gain: float) -> Optional[float]:
    """The finest floor within ``min_gain`` of the best on ``keys``, if it beats ``base`` by
    ``min_gain``; else None."""
    if not keys:
        return None
    scores = {f: _oiou(c, keys) for f, c in floors.items()}
    best = max(scores.values())
    floor = min(f for f, s in scores.items() if s >= best - min_gain)
    return floor if scores[floor] >= _oiou(base, keys) + min_gain else None


def choose(base: Counts, floors: Dict[float, Counts], min_gain: float = MIN_GAIN
           ) -> Dict[str, Any]:
    """The card block: per model phrase the pooled oIoU as learnt and at each floor, the
    chosen floor (or none) and its leave-one-place-out estimate."""
    from ..datasets.copy_paste import plain_category
    from ...grounding.lexicon import BASE_VOCABULARY

    common = [k for k in base if all(k in c for c in floors.values())]
    phrases: Dict[str, Any] = {}
    for expression in sorted({k[0] for k in common}):
        cats = plain_category(expression) or ()
        if len(cats) != 1:
            continue
        phrase = BASE_VOCABULARY.by_name[cats[0]].model_phrase
        keys = [k for k in common if k[0] == expression]
        places = sorted({place_of(k[1], k[2]) for k in keys})
        chosen = _pick(base, floors, keys, min_gain)
        held: Dict[str, Any] = {}
        inter = union = base_i = base_u = 0
        for place in places:
            mine = [k for k in keys if place_of(k[1], k[2]) == place]
            other = _pick(base, floors, [k for k in keys if k not in mine], min_gain)
            scored = floors[other] if other is not None else base
            inter += sum(scored[k][0] for k in mine)
            union += sum(scored[k][1] for k in mine)
            base_i += sum(base[k][0] for k in mine)
            base_u += sum(base[k][1] for k in mine)
            held[place] = other
        estimate = {"chosen_elsewhere": held,
                    "as_learnt": round(base_i / base_u, 4) if base_u else 0.0,
                    "chosen": round(inter / union, 4) if union else 0.0}
        entry = {"expression": expression, "scenes": len(keys), "places": len(places),
                 "as_learnt": round(_oiou(base, keys), 4),
                 "at_floor": {f"{f:g}": round(_oiou(c, keys), 4)
                              for f, c in sorted(floors.items())},
                 "leave_one_place_out": estimate}
        if chosen is not None and estimate["chosen"] <= estimate["as_learnt"]:
            entry["note"] = "not confirmed by the leave-one-place-out estimate"
            chosen = None
        entry["floor_m"] = chosen
        phrases[phrase] = entry
    return {"floor_m": {p: e["floor_m"] for p, e in phrases.items() if e["floor_m"]},
            "phrases": phrases, "candidates_m": sorted(floors), "min_gain": min_gain,
            "calibration": "rrsis.training.sources.choose_floors on the held-out scenes of "
                           "every source through the engine (scenes_eval, once per "
                           "candidate floor); the finest floor within min_gain of the best "
                           "pooled oIoU, if it beats serving as learnt by min_gain and the "
                           "leave-one-place-out estimate confirms it"}


def markdown(block: Dict[str, Any]) -> str:
    """The block as a Markdown table."""
    cands = [f"{c:g}" for c in block["candidates_m"]]
    rows = ["| phrase (asked as) | scenes (places) | as learnt | "
            + " | ".join(f"floor {c} m" for c in cands)
            + " | chosen | leave one place out: as learnt -> chosen elsewhere |",
            "|---" * (len(cands) + 5) + "|"]
    for phrase, e in block["phrases"].items():
        lopo = e["leave_one_place_out"]
        chosen = f"{e['floor_m']:g} m" if e["floor_m"] else "as learnt"
        rows.append(f"| {phrase} ({e['expression']}) | {e['scenes']} ({e['places']}) | "
                    f"{100 * e['as_learnt']:.1f} | "
                    + " | ".join(f"{100 * e['at_floor'][c]:.1f}" for c in cands)
                    + f" | {chosen} | {100 * lopo['as_learnt']:.1f} -> "
                    f"{100 * lopo['chosen']:.1f} |")
    return "\n".join(rows) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("reports", nargs="+", type=Path, help="scenes_eval reports")
    p.add_argument("--model", default="lgce-lite", help="the model whose card gets the floors")
    p.add_argument("--out", required=True, help="JSON report (written via a temporary name)")
    p.add_argument("--min-gain", type=float, default=MIN_GAIN,
                   help=f"pooled oIoU a floor must add (default {MIN_GAIN})")
    p.add_argument("--write-card", action="store_true",
                   help="store the chosen floors (and the measurement) in the model's card")
    args = p.parse_args(argv)
    return run_tool(lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    from ...models.catalog import find_model

    started = time.perf_counter()
    block = choose(*read_reports(args.reports), min_gain=args.min_gain)
    print(markdown(block), end="")
    write_report(args.out, FLOORS_KEY, block, find_model(args.model), started, args.write_card)
    return 0


if __name__ == "__main__":
    sys.exit(main())
