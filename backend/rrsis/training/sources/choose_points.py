"""Where each category group becomes foreground, chosen on whole held-out scenes.

    for T in 0.35 0.65; do
      python -m rrsis.training.sources.scenes_eval --threshold $T --out runs/scenes-t$T.json
    done      # and once as the card serves: runs/scenes.json
    python -m rrsis.training.sources.choose_points runs/scenes.json runs/scenes-t*.json \
        --model lgce-lite --out runs/points.json [--write-card]

The card's operating points (:mod:`rrsis.training.calibrate_operating_points`) are chosen on
192 px val crops, and a group with fewer than 30 crops keeps 0 (roads: 18). A whole scene
differs: its tiles, the GSD the engine picks, the presence decision, rivals, polygons. So
each held-out scene is served once as the card says and once per candidate foreground
probability (``scenes_eval --threshold``, every phrase alike), and per lexicon group (its
phrases pooled: "trees" on NAIP and NEON with "vegetation" on Dubai) the rule of
:func:`.choose_scales.decide` picks: the candidate nearest to 0.5 within :data:`MIN_GAIN` of
the best pooled oIoU, if it adds :data:`MIN_GAIN` and the leave-one-place-out estimate
confirms it.

``--write-card`` moves the group's operating point by the candidate's logit (probability
0.35 found better: the point moves down by 0.62, so the engine's 0.5 is where 0.35 was) and
keeps the presence decision where it was: the group's presence threshold moves the same way
on the logit scale (exact for one pixel, close for the mean of the top pixels the statistic
takes). Probability 0.5 stays each group's point in every output.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ...engine.operating import CARD_KEY as POINTS_KEY
from ...engine.operating import MAX_OFFSET
from ...engine.presence import CARD_KEY as PRESENCE_KEY
from ...errors import InputError
from .choose_scales import MIN_GAIN, Reports, decide, pooled_oiou, read_reports, scene_tool
from ..tool_args import markdown_table

__all__ = ["per_group", "choose", "card_blocks", "group_markdown", "markdown", "main"]


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _nearest_half(candidates: Any) -> float:
    """Of the probabilities, the one nearest to 0.5 on the logit scale (the least move)."""
    return min(candidates, key=lambda p: abs(_logit(p)))


def per_group(reports: Reports, kind: str, nearest: Any, min_gain: float = MIN_GAIN
              ) -> Dict[str, Dict[str, Any]]:
    """Per lexicon group (its expressions' scenes pooled): the pooled oIoU as served and at
    each candidate of ``kind`` (scenes_eval's ``--threshold``, ``--tile-px``), the chosen
    one (or None) by :func:`.choose_scales.decide` and its leave-one-place-out estimate."""
    from ..datasets.copy_paste import plain_category
    from ...grounding.lexicon import BASE_VOCABULARY

    base, cands = reports.base, reports.candidates[kind]
    common = [k for k in base if all(k in c for c in cands.values())]
    by_group: Dict[str, List[str]] = {}
    for expression in sorted({k[0] for k in common}):
        cats = plain_category(expression) or ()
        groups = {BASE_VOCABULARY.by_name[c].group for c in cats}
        if len(groups) == 1:
            by_group.setdefault(groups.pop(), []).append(expression)
    table: Dict[str, Dict[str, Any]] = {}
    for group, expressions in sorted(by_group.items()):
        keys = [k for k in common if k[0] in expressions]
        chosen, estimate, note = decide(base, cands, keys, nearest, min_gain)
        entry: Dict[str, Any] = {
            "expressions": expressions, "scenes": len(keys),
            "places": len(estimate["chosen_elsewhere"]),
            "as_served": round(pooled_oiou(base, keys), 4),
            f"at_{kind}": {f"{v:g}": round(pooled_oiou(c, keys), 4)
                           for v, c in sorted(cands.items())},
            "leave_one_place_out": estimate, kind: chosen}
        if note:
            entry["note"] = note
        table[group] = entry
    return table


def choose(reports: Reports, min_gain: float = MIN_GAIN) -> Dict[str, Any]:
    """Per lexicon group (:func:`per_group`), with the chosen probability's logit."""
    cands = reports.candidates["threshold"]
    if any(not 0.0 < p < 1.0 for p in cands):
        raise InputError("a threshold candidate must lie strictly between 0 and 1")
    table = per_group(reports, "threshold", _nearest_half, min_gain)
    for e in table.values():
        e["logit_shift"] = None if e["threshold"] is None else round(_logit(e["threshold"]), 4)
    return {"logit_shift": {g: e["logit_shift"] for g, e in table.items() if e["threshold"]},
            "groups": table, "candidates": sorted(cands), "min_gain": min_gain,
            "calibration": "rrsis.training.sources.choose_points on the held-out scenes of "
                           "every source through the engine (scenes_eval, as the card serves "
                           "and once per candidate --threshold); per lexicon group the "
                           "probability nearest to 0.5 within min_gain of the best pooled "
                           "oIoU, if it beats serving as the card does by min_gain and the "
                           "leave-one-place-out estimate confirms it; the operating point "
                           "moved by its logit"}


def card_blocks(chosen: Dict[str, Any], card: Optional[Mapping[str, Any]]
                ) -> Dict[str, Dict[str, Any]]:
    """The card's operating points with each chosen group moved by its logit shift (this
    measurement kept under ``scenes``), and its presence block with that group's threshold
    moved the same way (a group on the global threshold gets its own)."""
    points = dict((card or {}).get(POINTS_KEY) or {})
    table = dict(points.get("logit_threshold") or {})
    presence = dict((card or {}).get(PRESENCE_KEY) or {})
    own = dict(presence.get("groups") or {})
    for group, shift in chosen["logit_shift"].items():
        moved = round(table.get(group, 0.0) + shift, 4)
        if abs(moved) > MAX_OFFSET:
            raise InputError(f"{group}: the operating point would move to {moved}, beyond "
                             f"the engine's +-{MAX_OFFSET}: a broken measurement")
        table[group] = moved
        start = own.get(group, presence.get("threshold"))
        if isinstance(start, (int, float)) and 0.0 < start < 1.0:
            own[group] = round(_sigmoid(_logit(start) - shift), 6)
    blocks = {POINTS_KEY: {**points, "logit_threshold": table, "scenes": chosen}}
    if presence and chosen["logit_shift"]:
        blocks[PRESENCE_KEY] = {**presence, "groups": own,
                                "moved_with_operating_points": chosen["logit_shift"]}
    return blocks


def group_markdown(chosen: Dict[str, Any], kind: str, label: str) -> str:
    """The groups of a per-group choice (:func:`per_group` under ``groups``, its candidates
    under ``candidates``) as a Markdown table."""
    cands = [f"{v:g}" for v in chosen["candidates"]]
    per = []
    for group, e in chosen["groups"].items():
        lopo = e["leave_one_place_out"]
        per.append([
            f"{group} ({', '.join(e['expressions'])})", f"{e['scenes']} ({e['places']})",
            f"{100 * e['as_served']:.1f}",
            *(f"{100 * e[f'at_{kind}'][v]:.1f}" for v in cands),
            f"{e[kind]:g}" if e[kind] else "as served",
            f"{100 * lopo['as_served']:.1f} -> {100 * lopo['chosen']:.1f}"])
    rows = markdown_table(["group (asked as)", "scenes (places)", "as served",
                           *(f"{label} {v}" for v in cands), "chosen",
                           "leave one place out: as served -> chosen elsewhere"], per)
    return "\n".join(rows) + "\n"


def markdown(chosen: Dict[str, Any]) -> str:
    """The groups as a Markdown table."""
    return group_markdown(chosen, "threshold", "at")


def _decide(paths: Sequence[Path], min_gain: float, card: Dict[str, Any]
            ) -> Tuple[str, Dict[str, Dict[str, Any]]]:
    chosen = choose(read_reports(paths, kinds=("threshold",)), min_gain)
    return markdown(chosen), card_blocks(chosen, card)


def main(argv: Optional[List[str]] = None) -> int:
    return scene_tool(argv, __doc__, "a threshold", "move the chosen groups' operating points "
                      "(and presence thresholds) in the model's card", _decide)


if __name__ == "__main__":
    sys.exit(main())
