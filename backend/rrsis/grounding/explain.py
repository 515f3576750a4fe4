"""Human-readable account of a plan: what is segmented, what is kept, and why.

``rrsis explain`` prints this, and the server's ``explain`` method sends it (the dock shows
how an expression will be read as it is typed; :mod:`rrsis.engine.explain` reads the
model's card for both); the JSON form is :meth:`~.plan.Plan.to_dict` plus the phrases the
model will be given.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple

from .colour import SAME_COLOUR_DELTA_E
from .engine import GroundedRun
from .execute import MIN_CLIPPED_M2
from .relations import (BEARINGS, BETWEEN_NEIGHBOURS, COURTYARD_MIN_M2, DIRECTION_HALF_ANGLE,
                        INSIDE_FRACTION, LOCAL_AXIS_M, ORIENTATION_TOLERANCE_DEG,
                        ORIENTED_ELONGATION, ROW_TOLERANCE_WIDTHS, STRAIGHT_STRAY_WIDTHS,
                        STRIP_ELONGATION)
from .kinds import length_remark
from .learnt import Unlearnt, base_message, unlearnt_in, unlearnt_message
from .lexicon import BASE_VOCABULARY, COLOUR_RANKS, RELATIVE_SIZES, SIZE_RANKS, Vocabulary
from .plan import (ALL_BUT, DISTANCE_RANKS, MEASURE_RELATIONS, MEASURES, SIMILAR_RELATIONS,
                   Plan, Relation, Target, count_words, number_text, ordinal, share_text,
                   times_text)
from .quantities import APPROXIMATE_SHARE
from .rivals import COVER, MARGIN

__all__ = ["explain_text", "explain_dict", "Scales", "BaseScales"]

#: what each measure of an object is, in words (:func:`.execute.measure`)
_MEASURE_WORDS = {"area": "ground area",
                  "length": "length (the longer side of its smallest enclosing rectangle)",
                  "width": "mean width (of the rectangle with its area and perimeter)",
                  "diameter": "diameter (of the circle with its area)",
                  "lightness": "lightness L* (of the median CIELAB colour of its pixels)"}

_RULES = {
    # {f}: "2 times " ("twice as large as"), {w}: " within 10 m of it" ("than its neighbours")
    **{kind: f"its {_MEASURE_WORDS[what]} is {'more' if side == 'above' else 'less'} than "
             "{f}that of every {a} object{w} (itself aside)"
       for kind, (what, side) in MEASURE_RELATIONS.items()},
    **{kind: f"its {_MEASURE_WORDS[what]} is within {APPROXIMATE_SHARE:.0%} of that of a "
             "{a} object (itself aside)" for kind, what in SIMILAR_RELATIONS.items()},
    "same_colour": f"the median CIELAB colour of its pixels is within Delta E "
                   f"{SAME_COLOUR_DELTA_E:g} of that of a {{a}} object (itself aside)",
    "across": "on the other side of {v} from {a}: within {d:g} m of one, and the straight line "
              "between their centres crosses {v}",
    "along": "distance to {a} <= {d:g} m (on it or beside it)",
    "both_sides": "{a} objects within {d:g} m of it on both sides of it: the straight line "
                  "between two of them crosses it (one mostly on it is on no side)",
    "crosses": "runs across {a}: {a} cuts it into stretches on both sides of it, or it parts "
               "two pieces of {a} within {d:g} m of it, or it lies mostly on {a} (a bridge, "
               "a road under the canopy); a stretch counts from as long as it is wide",
    "next_to": "distance to {a} <= {d:g} m and not on it",
    "near": "distance to {a} <= {d:g} m",
    "far": "distance to {a} > {d:g} m",
    "within_m": "distance to {a} <= {d:g} m",
    "beyond_m": "distance to {a} > {d:g} m",
    "all_within_m": f"at least {INSIDE_FRACTION:.0%} of its area within {{d:g}} m of {{a}}",
    "surrounded": "at least 60 % of a {d:g} m ring around it is {a}",
    "between": "its centre inside the hull of two {a} objects (one of each when it names "
               "two), in neither, each within {d:g} m",
    "with": "a {a} object within {d:g} m of it, or on it",
    "is": "at least half of its area over a {a} object (it is one)",
    "on": "at least half of its area over {a}",
    "inside": "at least 90 % of its area inside {a}",
    "nearest": "ranked by its distance to {a}, nearest first",
    "farthest": "ranked by its distance to {a}, farthest first",
    "most": "ranked by the number of {a} objects within {d:g} m of it (or on it), most first; "
            "none: not ranked",
    "parallel": f"within {{d:g}} m of {{a}}, its long side within {ORIENTATION_TOLERANCE_DEG:g} "
                f"degrees of {{a}}'s direction where {{a}} is nearest (over {LOCAL_AXIS_M:g} m "
                "around that point)",
    "perpendicular": f"within {{d:g}} m of {{a}}, its long side within "
                     f"{ORIENTATION_TOLERANCE_DEG:g} degrees of square to {{a}}'s direction "
                     f"where {{a}} is nearest (over {LOCAL_AXIS_M:g} m around that point)",
    "in_courtyard": "its centre in a hole of at least {c:g} m2 in the outline of {a} (a "
                    "courtyard; several objects that enclose one have it too)",
    "oblique": f"within {{d:g}} m of {{a}}, its long side more than "
               f"{ORIENTATION_TOLERANCE_DEG:g} degrees from both {{a}}'s direction and square "
               f"to it where {{a}} is nearest (over {LOCAL_AXIS_M:g} m around that point)",
    "fewest": "ranked by the number of {a} objects within {d:g} m of it (or on it), fewest "
              "first",
    "group": "in a group of at least {n} {a} objects (itself included): each linked to the "
             "next by a gap of at most {d:g} m",
    "row": "in a row of at least {n} {a} objects (itself included): each linked to the next "
           "by a gap of at most {d:g} m, their centres within "
           f"{ROW_TOLERANCE_WIDTHS:g} x their median width of one straight line",
    "largest_group": "in {g} of {a} objects with the most members (each linked to the next "
                     "by a gap of at most {d:g} m)",
    "same_side": "on the same side of {v} as {a}: the straight line between their centres "
                 "does not cross {v} (at any distance)",
    "closer": "its distance to {a} is less than its distance to {v}",
    "farther": "its distance to {a} is more than its distance to {v}",
    **{point: f"{point} of {{a}} (less than {DIRECTION_HALF_ANGLE:g} degrees from grid {point} "
              "from the nearest point)" for point in BEARINGS},
}


#: "darker than the road": against the anchor's surface, not each of its objects
_SURFACE_RULES = {kind: f"its {_MEASURE_WORDS[what]} is {'more' if side == 'above' else 'less'} "
                        "than that of {a} (the median of its objects', weighted by their "
                        "areas; itself aside)"
                  for kind, (what, side) in MEASURE_RELATIONS.items() if what == "lightness"}


def _relation_line(r: Relation) -> str:
    anchor = r.anchors_text()
    local = r.kind in MEASURE_RELATIONS and r.distance_m is not None   # "than their neighbours"
    rules = _RULES if local or r.kind not in _SURFACE_RULES else _SURFACE_RULES
    rule = rules[r.kind].format(a=anchor, d=r.distance_m or 0.0, n=r.min_count,
                                g=f"one of the {r.min_count} groups" if r.min_count
                                else "the group",
                                c=COURTYARD_MIN_M2,
                                v=r.via.text() if r.via is not None else "",
                                w=f" within {r.distance_m:g} m of it" if local else "",
                                f=times_text(r.factor))
    source = ""
    if r.distance_m is not None and r.kind in ("along", "next_to", "near", "far", "surrounded"):
        source = " [default for the pair; say e.g. 'within 10 m of' to change it]"
    elif r.kind in ("group", "row", "largest_group") or local:   # "near" of the pair
        source = " [the pair's 'near' distance]"
    if local:   # compared with nothing where none is near
        rule += ", and there is one"
    if r.each:   # "the car nearest to each building", "the largest building on each side
        each = f"each side of the {anchor} objects together (the line between two objects " \
            "crossing them or not)" if r.sides else f"each {anchor} object on its own"   # road"
        return (f"for {each}: {rule}{source}; the rank below is kept for each "
                "(an object kept for several, once)")
    if r.min_count is not None and r.kind not in ("group", "row", "largest_group"):   # "with at
        # least 3 cars nearby"
        count = count_words(r.min_count, r.max_count, r.negated)
        return f"{count} {anchor} objects pass, each on its own: {rule}{source}"
    return ("NOT " if r.negated else "") + rule + source


def _target_lines(t: Target, indent: str) -> List[str]:
    named = f" ({t.named_as}-sized: see the note)" if t.named_as else ""
    lines = [f"{indent}{t.head_text()} (found in the masks)" if t.part else
             f"{indent}{' or '.join(t.categories)} objects{named}"]
    indent = "    - "
    for a in t.attributes:
        neg = "NOT " if a.negated else ""
        if a.kind in MEASURES:
            what = _MEASURE_WORDS[a.kind]
            unit = "m2" if a.kind == "area" else "m"
            side = "more" if a.value == "above" else "less"
            limit = f"{number_text(a.amount)} {unit}" if a.amount is not None else \
                f"{times_text(a.factor)}the mean of its category's objects in the processed extent"
            lines.append(f"{indent}{neg}{what} is {side} than {limit}")
            continue
        if a.kind == "lightness":
            side = "more" if a.value == "above" else "less"
            lines.append(f"{indent}{neg}the lightness L* of the median CIELAB colour of its "
                         f"pixels is {side} than the mean of its category's objects whose colour "
                         "was read in the processed extent")
            continue
        if a.kind == "orientation":
            axis = "northeast-southwest or northwest-southeast" if a.value == "diagonal" \
                else a.value
            lines.append(f"{indent}{neg}its long side lies {axis}, within "
                         f"{ORIENTATION_TOLERANCE_DEG:g} degrees of grid north (an outline less "
                         f"than {ORIENTED_ELONGATION:g} times as long as wide lies no way)")
            continue
        if a.kind == "edge":   # the extent's edge: its objects cut by it touch it
            reach = f"{a.amount:.0%} of the extent's shorter side" if a.value == "near" \
                else f"{a.amount:g} m"
            lines.append(f"{indent}{neg}its outline comes within {reach} of the edge of the "
                         "processed extent (an object the edge cuts touches it)")
            continue
        if a.kind == "shape" and a.value in ("straight", "curved"):
            how = "at most" if a.value == "straight" else "more than"
            lines.append(f"{indent}{neg}a strip (its middle at least {STRIP_ELONGATION:g} times "
                         "its width, the diameter of the largest circle inside it) whose middle "
                         f"strays from a straight line by {how} {STRAIGHT_STRAY_WIDTHS:g} x its "
                         "width" + (
                             " and that has no junction" if a.value == "curved" else ""))
            continue
        if a.kind == "shape" and a.value == "courtyard":
            lines.append(f"{indent}{neg}its outline has a hole of at least "
                         f"{COURTYARD_MIN_M2:g} m2 (a courtyard)")
            continue
        if a.kind == "size" and RELATIVE_SIZES[a.value][1] is None:   # "medium"
            lines.append(f"{indent}{neg}{_MEASURE_WORDS[RELATIVE_SIZES[a.value][0]]} in the "
                         "middle third of its category")
            continue
        if a.kind == "size":   # "narrow": a third of the category by width; "very": a sixth
            share = "sixth" if a.value.startswith("very ") else "third"
            how = f"{_MEASURE_WORDS[RELATIVE_SIZES[a.value][0]]} among the {share} of its " \
                  "category that is"
        else:
            how = {"colour": "median CIELAB colour of its pixels is",
                   "shape": "outline is"}[a.kind]
        lines.append(f"{indent}{neg}{how} {a.value}")
    if t.region:
        box = " (of its bounding box, north up)" if t.region.own else ""
        lines.append(f"{indent}{'ground' if t.clipped else 'centre'} {t.region.text()}{box}")
    for r in t.relations:
        lines.append(f"{indent}{_relation_line(r)}")
    ranks = [r.kind for r in t.relations if r.kind in DISTANCE_RANKS]
    if len(ranks) > 1:   # "the house closest to both the road and the river"
        lines.append(f"{indent}ranked by the " + ("larger of these distances (close to all: "
                     "the farthest one is near)" if ranks[-1] == "nearest" else "smaller of "
                     "these distances (far from all: the nearest one is far)"))
    if t.rank:
        what, n = t.rank
        if n >= ALL_BUT:   # "all buildings except the 3 largest"
            which = f"{t.rank_skip} " if t.rank_skip > 1 else ""
            lines.append(f"{indent}then leave out the {which}{what}")
        else:
            which = ordinal(t.rank_skip + 1) if t.rank_skip else str(n)   # "the 2nd", "the 3"
            how = _rank_measure(what)
            kept = f"{what} {share_text(t.rank_share)} (rounded up, at least one)" \
                if t.rank_share else f"{which} {what}"   # "the largest 10 %"
            lines.append(f"{indent}then keep the {kept}{how}")
    if t.clipped:   # "the part of the forest within 100 m of the road"
        lines.append(f"{indent}then cut each object to the ground where the above holds: over "
                     "the anchor for on, in and crossing, within the distance of it for along, "
                     "near and within (next to: off it), beyond it for far and more than, between "
                     f"pairs of them for between (the hulls of each with its {BETWEEN_NEIGHBOURS} "
                     "nearest, themselves left out), inside the part of the image; a part under "
                     f"{MIN_CLIPPED_M2:g} m2 is none")
    return lines


def _rank_measure(rank: str) -> str:
    """What a rank orders by, where its word alone does not say it: " (by the lightness L* of
    the median CIELAB colour of its pixels)" for "the darkest"; "" for "the largest"."""
    measure = SIZE_RANKS.get(rank, ("",))[0]
    if measure == "off_centre":
        return " (by the distance of its centre to the centre of the processed extent)"
    if measure == "off_edge":
        return " (by the gap between its outline and the edge of the processed extent)"
    if measure == "lightness":
        return " (by the lightness L* of the median CIELAB colour of its pixels)"
    if measure in COLOUR_RANKS:   # "the reddest": its chroma along the hue
        return f" (by how far the median CIELAB colour of its pixels goes towards {measure})"
    return ""


Scales = Mapping[str, Tuple[float, float]]  # the card's group_gsd_range_m, per lexicon group


class BaseScales(NamedTuple):
    """What the base model's card says about scales: a phrase a fine-tuned model leaves to its
    base is looked for where the base looks for it, under the base's own word."""

    scales: Scales
    ceilings: Mapping[str, float] = {}
    floors: Mapping[str, float] = {}


def phrase_scale(scales: Optional[Scales], ceilings: Optional[Mapping[str, float]],
                 phrase: str, group: str, floors: Optional[Mapping[str, float]] = None
                 ) -> Optional[Tuple[float, float, bool, bool]]:
    """(finest, coarsest, whether a ceiling lowered the coarsest, whether a floor raised the
    finest) a phrase is looked for at, as :func:`rrsis.engine.gsd.phrase_gsd_m` serves it;
    None without a range for its group."""
    if not scales or group not in scales:
        return None
    lo, hi = scales[group]   # the engine's gsd.measured_range (grounding may not import the
    ceiling = (ceilings or {}).get(phrase)   # engine: one rule, two places, held equal by a
    floor = (floors or {}).get(phrase)       # test)
    capped = ceiling is not None and lo <= ceiling < hi
    hi = ceiling if capped else hi
    raised = floor is not None and lo < floor <= hi
    return (floor if raised else lo), hi, capped, raised


def _scales_of(run: GroundedRun, categories: List[str], scales: Optional[Scales],
               ceilings: Optional[Mapping[str, float]], floors: Optional[Mapping[str, float]],
               base_scales: Optional[BaseScales]
               ) -> Dict[str, Tuple[str, Tuple[float, float, bool, bool], bool]]:
    """Per category's model phrase: its group, :func:`phrase_scale`, and whether the base
    model's card gave it (a phrase the fine-tuned model leaves to its base, as the engine's
    ``run.segment`` serves it)."""
    cats, out = run.vocabulary.by_name, {}
    to_base = set(run.untaught_phrases()) if base_scales is not None else set()
    for c in categories:
        group, phrase = cats[c].group, cats[c].model_phrase
        if base_scales is not None and phrase in to_base:
            found = phrase_scale(base_scales.scales, base_scales.ceilings,
                                 run.base_phrase(phrase), group, base_scales.floors)
        else:
            found = phrase_scale(scales, ceilings, phrase, group, floors)
        if found is not None:
            out[phrase] = (group, found, phrase in to_base)
    return out


def _scale_lines(run: GroundedRun, categories: List[str], scales: Optional[Scales],
                 ceilings: Optional[Mapping[str, float]],
                 floors: Optional[Mapping[str, float]] = None,
                 base_scales: Optional[BaseScales] = None) -> List[str]:
    lines = []
    for phrase, (group, (lo, hi, capped, raised), of_base) in _scales_of(
            run, categories, scales, ceilings, floors, base_scales).items():
        moved = [end for end, on in (("coarse end lowered", capped),
                                     ("fine end raised", raised)) if on]
        who = "the base model" if of_base else "the model"
        why = f"the GSDs {who} learnt {group} at" + (
            f", the {' and '.join(moved)} to where {who} finds it better (measured)"
            if moved else "")
        lines.append(f"  scale: {phrase!r} is looked for at {lo:g}-{hi:g} m, {why} (the "
                     "working GSD clamped into them, unless a GSD is set)")
    return lines


def _rival_lines(run: GroundedRun, plan: Plan) -> List[str]:
    groups = run.rivals_for(plan)
    if not groups:
        return []
    extra = [run.vocabulary.by_name[c].model_phrase
             for c in run.rival_categories(plan.categories())]
    also = f"also segment {', '.join(map(repr, extra))}; " if extra else ""
    return [f"  rivals ({', '.join(groups)}): {also}an object covered at least "
            f"{COVER:.0%} by a rival's object the model is surer of (by more than "
            f"{MARGIN:g} mean probability) is left out"]


def _caution_lines(run: GroundedRun, expression: str, unlearnt: Optional[Unlearnt]
                   ) -> List[str]:
    weak = unlearnt_in(run.segmented_phrases(expression), unlearnt or {})
    return [f"  caution: {unlearnt_message(p, *v)}{length_remark(p, run.policy)}"
            for p, v in weak.items()]


def explain_text(expression: str, mode: str = "auto",
                 policy: Optional[Mapping[str, Mapping[str, Any]]] = None,
                 scales: Optional[Scales] = None, unlearnt: Optional[Unlearnt] = None,
                 rivals: bool = True, vocabulary: Vocabulary = BASE_VOCABULARY,
                 base: Optional[str] = None, model: str = "",
                 ceilings: Optional[Mapping[str, float]] = None,
                 floors: Optional[Mapping[str, float]] = None,
                 base_scales: Optional[BaseScales] = None) -> str:
    """The plan of ``expression`` as text; ``policy``, ``scales``, ``unlearnt``,
    ``vocabulary``, ``ceilings`` and ``floors`` are what the model's card says (grounding
    policy, per-group scales, words it did not learn, categories it adds to the lexicon,
    per-phrase ceilings and floors on the scales); ``base``: the installed model a fine-tuned
    ``model`` was made from, which the engine asks for what it was not taught, looked for at
    the scales its card (``base_scales``) gives."""
    run = GroundedRun([expression], mode, policy=policy, rivals=rivals, vocabulary=vocabulary)
    cats = vocabulary.by_name
    plan: Plan = run.plans()[expression]
    use = run.uses[expression]
    lines = [f"{expression!r}", f"  plan: {plan.summary()}"]
    if plan.mode == "grounded":
        lines.append("  segment: " + ", ".join(
            f"{cats[c].model_phrase!r}" for c in plan.categories()) + " (each once per run)")
        lines += _scale_lines(run, plan.categories(), scales, ceilings, floors,
                              base_scales if base else None)
        lines += _rival_lines(run, plan)
        lines += _caution_lines(run, expression, unlearnt)
        for i, t in enumerate(plan.targets):
            lines += _target_lines(t, "  " + ("or keep: " if i else "keep: "))
        if use.fallback_phrase:
            lines.append(f"  fallback (grounding {mode}): {expression!r} is segmented whole too "
                         "and answers if an anchor is not found" + (
                             ", filtered by what it says of the objects themselves"
                             if plan.filters_its_fallback() else ""))
        elif plan.relational:
            why = "" if mode != "auto" else " (its anchors are parts found in the masks, which " \
                "the model was never asked for whole)"
            lines.append("  a missing anchor leaves the answer uncertain (flagged), no "
                         f"fallback{why}")
    elif plan.mode == "end_to_end":
        lines.append(f"  segment: {expression!r} whole, by the model ({plan.reason})")
        lines += _caution_lines(run, expression, unlearnt)
    else:
        lines.append(f"  no model run: no object matches ({plan.reason})")
    for m in plan.messages():
        if m != "no object matches":
            lines.append(f"  note: {m}")
    if base:
        lines += [f"  base: {base_message(p, base, model, run.left_to_base(p))}"
                  for p in run.untaught_phrases()]
    return "\n".join(lines)


def explain_dict(expression: str, mode: str = "auto",
                 policy: Optional[Mapping[str, Mapping[str, Any]]] = None,
                 scales: Optional[Scales] = None, unlearnt: Optional[Unlearnt] = None,
                 rivals: bool = True, vocabulary: Vocabulary = BASE_VOCABULARY,
                 base: Optional[str] = None,
                 ceilings: Optional[Mapping[str, float]] = None,
                 floors: Optional[Mapping[str, float]] = None,
                 base_scales: Optional[BaseScales] = None) -> Dict[str, Any]:
    """The plan of ``expression`` as JSON-able data (see :func:`explain_text`)."""
    run = GroundedRun([expression], mode, policy=policy, rivals=rivals, vocabulary=vocabulary)
    plan = run.plans()[expression]
    d = plan.to_dict()
    d["segment"] = list(run.phrases)
    d["rivals"] = run.rivals_for(plan)
    d["grounding"] = mode
    if plan.mode == "grounded" and (scales or (base and base_scales)):
        found = _scales_of(run, plan.categories(), scales, ceilings, floors,
                           base_scales if base else None)
        d["scales_m"] = {p: [v[1][0], v[1][1]] for p, v in found.items()}
    weak = unlearnt_in(run.segmented_phrases(expression), unlearnt or {})
    if weak:
        d["unlearnt"] = {p: {"oIoU": v[0], "count": v[1]} for p, v in weak.items()}
        d["cautions"] = [unlearnt_message(p, *v) for p, v in weak.items()]
    untaught = run.untaught_phrases() if base else []
    if untaught:
        d["base_model"] = {p: base for p in untaught}
    return d
