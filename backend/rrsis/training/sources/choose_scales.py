"""At which scales each category is served at the ends of its range: floors and ceilings on
the card's scales, chosen on whole held-out scenes.

    for F in 0.1 0.15 0.2; do
      python -m rrsis.training.sources.scenes_eval --floor $F --out runs/scenes-floor$F.json
    done      # and once as the card serves: runs/scenes.json
    python -m rrsis.training.sources.choose_scales runs/scenes.json runs/scenes-floor*.json \
        --model lgce-lite --out runs/floors.json [--write-card]
    # the same with --ceiling C (scenes coarser than C served at C) for the ceilings

The engine looks for a phrase at the working GSD clamped into its group's range, and the ends
of that range are where the group's training tiles were shown, not where the model finds each
category best: on a 0.075 m drone image a house spans more of the 480 px tile than the houses
the model mostly learnt from (crops drawn around 0.15 m); on 1 m satellite imagery a house
of 10 m is 17 px wide at the range's coarse end, 0.6 m, and 25 px at 0.4 m. Crops of 192 px
cannot measure this (rescaled, they lose or gain context a whole scene has), so the choice is
made on whole held-out scenes through the engine (:mod:`.scenes_eval`), served once as the
card says and once per candidate (every scene finer than a floor served at it, every scene
coarser than a ceiling served at it).

One rule for both ends, per expression (its category's model phrase): among the candidates
inside the phrase's group range, the one nearest to serving as the card does (the finest
floor, the coarsest ceiling) within :data:`MIN_GAIN` of the best pooled oIoU is taken (a
scale moved further must earn it) if it beats serving as the card does by :data:`MIN_GAIN`,
and only if the leave-one-place-out estimate confirms it: each place's scenes scored with
the candidate the same rule picks on the other places, pooled, beat serving as the card does.
``--write-card`` stores the floors under :data:`~rrsis.engine.gsd.FLOORS_KEY` (``floor_m``)
and the ceilings under :data:`~rrsis.engine.gsd.CEILINGS_KEY` (``ceiling_m``; a ceiling
chosen on the scenes replaces the one :mod:`.calibrate_scales` chose on crops for that
phrase, the others stay), which the engine reads.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from ...engine.gsd import CEILINGS_KEY, FLOORS_KEY, group_gsd_ranges
from ...errors import InputError, run_tool
from ..tool_args import markdown_table, write_blocks
from .scenes_eval import place_of

__all__ = ["MIN_GAIN", "ENDS", "Reports", "read_reports", "pooled_oiou", "decide", "choose",
           "card_blocks", "markdown", "scene_tool", "main"]

#: pooled oIoU a candidate must add over serving as the card does, and the margin within
#: which a candidate nearer to serving as the card does is preferred to the best (one point)
MIN_GAIN = 0.01

#: the ends of a phrase's range a candidate can move: its card key, its entry, and which
#: candidate is nearest to serving as the card does (a floor raises the fine end, a ceiling
#: lowers the coarse end)
ENDS = {"floor": (FLOORS_KEY, "floor_m", min), "ceiling": (CEILINGS_KEY, "ceiling_m", max)}

Key = Tuple[str, str, str]                      # (expression, source, scene)
Counts = Dict[Key, Tuple[int, int]]             # -> (intersection, union)
Candidates = Dict[str, Dict[float, Counts]]     # kind -> value -> counts

#: the report field of each kind of candidate (scenes_eval's --floor, --ceiling, --threshold,
#: --tile-px)
FIELDS = {"floor": "floor_m", "ceiling": "ceiling_m", "threshold": "threshold",
          "tile": "tile_px"}
FLAGS = {**{kind: f"--{kind}" for kind in FIELDS}, "tile": "--tile-px"}


class Reports(NamedTuple):
    """The counts served as the card does, per end and candidate, and each scene's GSD."""
    base: Counts
    candidates: Candidates
    native: Dict[Key, float]


def _changes(kind: str, value: float, native: float) -> bool:
    """Whether a candidate serves a scene of this GSD otherwise than the card does (a
    threshold or a tile side changes every scene)."""
    if kind in ("threshold", "tile"):
        return True
    return native < value if kind == "floor" else native > value


def read_reports(paths: Sequence[Path], kinds: Sequence[str] = tuple(ENDS)) -> Reports:
    """The :class:`Reports` of :mod:`.scenes_eval` reports: one as the card serves, the
    others one candidate each of ``kinds`` (reports of one candidate over other sources add
    up). A scene a candidate's report lacks that the candidate cannot change (not finer than
    the floor, not coarser than the ceiling) counts as served as the card does."""
    base: Optional[Counts] = None
    native: Dict[Key, float] = {}
    cands: Candidates = {}
    for path in paths:
        try:
            block = json.loads(Path(path).read_text())["scenes"]
            rows = [(r, e, c) for r in block["scenes"] for e, c in r["expressions"].items()]
            counts = {(e, r["source"], r["scene"]): (int(c["intersection"]), int(c["union"]))
                      for r, e, c in rows}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path} is not a scenes_eval report: {exc}") from None
        moved = [(kind, block.get(f)) for kind, f in FIELDS.items() if block.get(f)]
        if len(moved) > 1:
            raise InputError(f"{path} was served with " + " and ".join(
                FLAGS[k] for k, _ in moved) + ": give reports of one candidate each")
        if moved and moved[0][0] not in kinds:
            raise InputError(f"{path} was served with {FLAGS[moved[0][0]]}: give reports of "
                             + " or ".join(FLAGS[k] for k in kinds))
        if not moved:
            if base is not None:
                raise InputError("two reports served as the card does: give one")
            base = counts
            # reports before native_gsd_m: the served grid, never finer than the raster
            native = {(e, r["source"], r["scene"]): float(r.get("native_gsd_m", r["gsd_m"]))
                      for r, e, _ in rows}
        else:
            kind, value = moved[0]
            cands.setdefault(kind, {}).setdefault(float(value), {}).update(counts)
    if base is None or not cands:
        raise InputError("give one report served as the card does and at least one with "
                         + " or ".join(FLAGS[k] for k in kinds))
    for kind, by_value in cands.items():
        for value, counts in by_value.items():
            for k, c in base.items():
                if k not in counts and not _changes(kind, value, native[k]):
                    counts[k] = c
    return Reports(base, cands, native)


def pooled_oiou(counts: Counts, keys: Sequence[Key]) -> float:
    """The oIoU of ``keys`` pooled: their intersections over their unions."""
    inter = sum(counts[k][0] for k in keys)
    union = sum(counts[k][1] for k in keys)
    return inter / union if union else 0.0


def _pick(base: Counts, cands: Dict[float, Counts], keys: Sequence[Key], nearest: Any,
          min_gain: float) -> Optional[float]:
    """Of the candidates that beat ``base`` on ``keys`` by ``min_gain``, the one ``nearest``
    to serving as the card does within ``min_gain`` of the best; None if none beats it."""
    if not keys or not cands:
        return None
    scores = {m: pooled_oiou(c, keys) for m, c in cands.items()}
    best = max(scores.values())
    floor = pooled_oiou(base, keys) + min_gain
    good = [m for m, s in scores.items() if s >= best - min_gain and s >= floor]
    return nearest(good) if good else None


def decide(base: Counts, cands: Dict[float, Counts], keys: Sequence[Key], nearest: Any,
           min_gain: float = MIN_GAIN) -> Tuple[Optional[float], Dict[str, Any], Optional[str]]:
    """The rule on ``keys``: (the candidate :func:`_pick` takes if the leave-one-place-out
    estimate confirms it, else None; that estimate; why a pick was not confirmed). Each
    place's scenes are scored with the candidate the same rule picks on the other places."""
    chosen = _pick(base, cands, keys, nearest, min_gain)
    held: Dict[str, Any] = {}
    inter = union = base_i = base_u = 0
    for place in sorted({place_of(k[1], k[2]) for k in keys}):
        mine = [k for k in keys if place_of(k[1], k[2]) == place]
        other = _pick(base, cands, [k for k in keys if k not in mine], nearest, min_gain)
        scored = cands[other] if other is not None else base
        inter += sum(scored[k][0] for k in mine)
        union += sum(scored[k][1] for k in mine)
        base_i += sum(base[k][0] for k in mine)
        base_u += sum(base[k][1] for k in mine)
        held[place] = other
    estimate = {"chosen_elsewhere": held,
                "as_served": round(base_i / base_u, 4) if base_u else 0.0,
                "chosen": round(inter / union, 4) if union else 0.0}
    if chosen is not None and estimate["chosen"] <= estimate["as_served"]:
        return None, estimate, "not confirmed by the leave-one-place-out estimate"
    return chosen, estimate, None


def _inside(end: str, metres: float, span: Optional[Tuple[float, float]]) -> bool:
    """Whether the engine would use ``metres`` as this end of ``span`` (as
    :func:`~rrsis.engine.gsd.measured_range` does); any, where the range is not known."""
    if span is None:
        return True
    lo, hi = span
    return lo < metres <= hi if end == "floor" else lo <= metres < hi


def choose(reports: Reports, min_gain: float = MIN_GAIN,
           ranges: Optional[Mapping[str, Tuple[float, float]]] = None) -> Dict[str, Any]:
    """{end: block} for each end measured; a block holds, per model phrase, the pooled oIoU
    as served and at each candidate inside the phrase's group range (``ranges``: phrase ->
    (finest, coarsest); None: every candidate), over the scenes some candidate serves
    otherwise (the others would only dilute a gain), the chosen one (or none) and its
    leave-one-place-out estimate."""
    return {end: _choose_end(end, reports, min_gain, ranges)
            for end in sorted(reports.candidates)}


def _choose_end(end: str, reports: Reports, min_gain: float,
                ranges: Optional[Mapping[str, Tuple[float, float]]]) -> Dict[str, Any]:
    from ..datasets.copy_paste import plain_category
    from ...grounding.lexicon import BASE_VOCABULARY

    _, name, nearest = ENDS[end]
    base, by_metres = reports.base, reports.candidates[end]
    common = [k for k in base if all(k in c for c in by_metres.values())]
    phrases: Dict[str, Any] = {}
    for expression in sorted({k[0] for k in common}):
        cats = plain_category(expression) or ()
        if len(cats) != 1:
            continue
        phrase = BASE_VOCABULARY.by_name[cats[0]].model_phrase
        span = None if ranges is None else ranges.get(phrase)
        if ranges is not None and span is None:
            continue                          # no group range: the ends cannot move
        usable = {m: c for m, c in by_metres.items() if _inside(end, m, span)}
        keys = [k for k in common if k[0] == expression
                and any(_changes(end, m, reports.native[k]) for m in usable)]
        if not keys:
            continue                          # no candidate serves its scenes otherwise
        chosen, estimate, note = decide(base, usable, keys, nearest, min_gain)
        entry: Dict[str, Any] = {
            "expression": expression, "scenes": len(keys),
            "places": len(estimate["chosen_elsewhere"]),
            "as_served": round(pooled_oiou(base, keys), 4),
            f"at_{end}": {f"{m:g}": round(pooled_oiou(c, keys), 4)
                          for m, c in sorted(usable.items())},
            "leave_one_place_out": estimate}
        if span is not None:
            entry["group_range_m"] = list(span)
        if note:
            entry["note"] = note
        entry[name] = chosen
        phrases[phrase] = entry
    nearest_word = "finest" if end == "floor" else "coarsest"
    return {name: {p: e[name] for p, e in phrases.items() if e[name]},
            "phrases": phrases, "candidates_m": sorted(by_metres), "min_gain": min_gain,
            "calibration": f"rrsis.training.sources.choose_scales on the held-out scenes of "
                           f"every source through the engine (scenes_eval, as the card serves "
                           f"and once per candidate {end}); the {nearest_word} {end} inside "
                           f"the phrase's group range within min_gain of the best pooled "
                           f"oIoU, if it beats serving as the card does by min_gain and the "
                           f"leave-one-place-out estimate confirms it"}


def phrase_ranges(card: Optional[Mapping[str, Any]]) -> Dict[str, Tuple[float, float]]:
    """{model phrase: its group's (finest, coarsest) GSD} of the base vocabulary's categories
    whose group the card gives a range."""
    from ...grounding.lexicon import BASE_VOCABULARY

    groups = group_gsd_ranges(card)
    return {c.model_phrase: groups[c.group] for c in BASE_VOCABULARY.by_name.values()
            if c.group in groups}


def card_blocks(chosen: Dict[str, Dict[str, Any]], card: Optional[Mapping[str, Any]]
                ) -> Dict[str, Dict[str, Any]]:
    """{card key: block} to store: the floors block as chosen; the ceilings merged into the
    card's (chosen on crops by :mod:`.calibrate_scales`): a phrase's ceiling chosen here
    replaces its crop one, the others stay, and this measurement is kept under ``scenes``."""
    blocks = {}
    for end, block in chosen.items():
        key, name, _ = ENDS[end]
        if end == "ceiling":
            held = dict((card or {}).get(key) or {})
            kept = dict(held.get(name) or {})
            block = {**held, name: {**kept, **block[name]}, "scenes": block}
        blocks[key] = block
    return blocks


def markdown(chosen: Dict[str, Dict[str, Any]]) -> str:
    """Each end's block as a Markdown table."""
    tables = []
    for end, block in chosen.items():
        _, name, _ = ENDS[end]
        cands = [f"{c:g}" for c in block["candidates_m"]]
        per_phrase = []
        for phrase, e in block["phrases"].items():
            lopo = e["leave_one_place_out"]
            at = e[f"at_{end}"]
            per_phrase.append([
                f"{phrase} ({e['expression']})", f"{e['scenes']} ({e['places']})",
                f"{100 * e['as_served']:.1f}",
                *(f"{100 * at[c]:.1f}" if c in at else "outside" for c in cands),
                f"{e[name]:g} m" if e[name] else "as served",
                f"{100 * lopo['as_served']:.1f} -> {100 * lopo['chosen']:.1f}"])
        rows = markdown_table(["phrase (asked as)", "scenes (places)", "as served",
                               *(f"{end} {c} m" for c in cands), "chosen",
                               "leave one place out: as served -> chosen elsewhere"],
                              per_phrase)
        tables.append("\n".join(rows) + "\n")
    return "\n".join(tables)


def scene_tool(argv: Optional[List[str]], doc: str, what: str, card_help: str,
               decide_blocks: Callable[[Sequence[Path], float, Dict[str, Any]],
                                       Tuple[str, Dict[str, Dict[str, Any]]]]) -> int:
    """The command line of a choice made on scenes_eval reports (this one and
    :mod:`.choose_points`): ``decide_blocks(reports, min_gain, card)`` gives the Markdown to
    print and the card blocks to report (and store with ``--write-card``)."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("reports", nargs="+", type=Path, help="scenes_eval reports")
    p.add_argument("--model", default="lgce-lite",
                   help="the model whose card is read and gets the result")
    p.add_argument("--out", required=True, help="JSON report (written via a temporary name)")
    p.add_argument("--min-gain", type=float, default=MIN_GAIN,
                   help=f"pooled oIoU {what} must add (default {MIN_GAIN})")
    p.add_argument("--write-card", action="store_true", help=card_help)
    args = p.parse_args(argv)

    def run() -> int:
        from ...models.card import read_card
        from ...models.catalog import find_model

        started = time.perf_counter()
        model = find_model(args.model)
        text, blocks = decide_blocks(args.reports, args.min_gain, read_card(model))
        print(text, end="")
        write_blocks(args.out, blocks, model, started, args.write_card)
        return 0

    return run_tool(run)


def _decide(paths: Sequence[Path], min_gain: float, card: Dict[str, Any]
            ) -> Tuple[str, Dict[str, Dict[str, Any]]]:
    chosen = choose(read_reports(paths), min_gain=min_gain, ranges=phrase_ranges(card))
    return markdown(chosen), card_blocks(chosen, card)


def main(argv: Optional[List[str]] = None) -> int:
    return scene_tool(argv, __doc__, "a floor or ceiling", "store the chosen floors and "
                      "ceilings (and the measurement) in the model's card", _decide)


if __name__ == "__main__":
    sys.exit(main())
