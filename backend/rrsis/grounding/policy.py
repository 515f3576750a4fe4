"""Which relation families are computed explicitly and which go to the model whole, by measurement.

A *family* is what a relational expression asks beyond its nouns, with the target's
category group and the anchor's category: "vehicle along road" ("cars along the
street", "vehicles along the road"), "building next to road", "the largest building".
:mod:`rrsis.training.sources.relations_eval` measures every family of the validation
split both ways (grounded and end to end); :func:`decide` turns those measurements into
the card's ``grounding_policy``::

    {"vehicle along road": {"decision": "grounded", "count": 36,
                            "grounded": {"oIoU": .., "mIoU": ..},
                            "end_to_end": {"oIoU": .., "mIoU": ..}}, ...}

:class:`~.engine.GroundedRun` consults it under ``grounding=auto``: an expression with a
family decided ``end_to_end`` is answered by the model whole and its plan says why. A
family that was not measured (or on too few samples) stays grounded: the explicit
reading is the default, the model has to win to replace it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from .kinds import family_of
from .lexicon import group_of
from .plan import COUNT_RANKS, DISTANCE_RANKS, RELATION_WORDS, Plan, Relation, Target

__all__ = ["DECISIONS", "MIN_SAMPLES", "METRICS", "families", "decide", "policy_of",
           "end_to_end_reason"]

DECISIONS = ("grounded", "end_to_end")
MIN_SAMPLES = 5  # fewer samples than this: no decision from the measurement (stays grounded)
METRICS = ("oIoU", "mIoU")  # end to end has to win on each to replace the explicit reading
Policy = Mapping[str, Mapping[str, Any]]

# a family's relation words: the plan's, but for the names already measured and stored in
# cards' grounding policies under other words ("beyond", "nearest", "farthest")
_WORDS = {**RELATION_WORDS, "beyond_m": "beyond", **{k: k for k in DISTANCE_RANKS + COUNT_RANKS}}


def _relation_family(group: str, relation: Relation) -> str:
    anchor = relation.anchor.named_as or "+".join(relation.anchor.categories)
    if relation.anchor.part:   # "vehicle on road junction": not the family "vehicle on road"
        anchor = f"{anchor} {relation.anchor.part}"
    neg = "not " if relation.negated else ""
    words = _WORDS.get(relation.kind, relation.kind)
    if relation.via is None:
        return f"{group} {neg}{words} {anchor}"
    via = "+".join(relation.via.categories)
    if relation.kind == "same_side":   # "building on the same side of road as building"
        return f"{group} {neg}{words} {via} as {anchor}"
    if relation.kind in ("closer", "farther"):   # "building closer to road than water"
        return f"{group} {neg}{words} {anchor} than {via}"
    return f"{group} {neg}{words} {via} from {anchor}"   # "building across road from building"


def _target_families(target: Target) -> List[str]:
    groups = list(dict.fromkeys(group_of(c) for c in target.categories))
    out: List[str] = [f for f in [family_of(target)] if f]
    for g in groups:
        out += [_relation_family(g, r) for r in target.relations]
        if target.rank is not None:
            out.append(_rank_family(target, g))
    return out


def _rank_family(target: Target, group: str) -> str:
    """"the largest building", "the 2nd largest building", "the 3 largest building", "all
    but the largest building": the count is part of the family, so what was measured on "the
    largest" is never taken for "the 3 largest" (the model was only ever taught the first)."""
    assert target.rank is not None
    return f"{target.rank_text(named=True)} {group}"


def families(plan: Plan) -> Tuple[str, ...]:
    """The relation/rank families of a grounded plan (empty for a plain noun or end to end)."""
    if plan.mode != "grounded":
        return ()
    out: List[str] = []
    for t in plan.targets:
        out += [f for f in _target_families(t) if f not in out]
    return tuple(out)


def decide(grounded: Mapping[str, float], end_to_end: Mapping[str, float], count: int,
           min_samples: int = MIN_SAMPLES, model_by_default: bool = False) -> str:
    """``end_to_end`` only where the model whole scores strictly higher on enough samples by
    both metrics it was measured with. oIoU pools pixels, so a family the model answers by
    marking every object of the category (each building for "the largest building") can win it
    while answering fewer expressions right; mIoU, one figure per expression, tells that apart.

    ``model_by_default`` turns the rule round, for a reading that is a proxy rather than
    the meaning (a kind of vehicle by its length, :mod:`.kinds`): ``grounded`` only where it
    scores strictly higher by both metrics on enough samples."""
    metrics = [k for k in METRICS if k in end_to_end and k in grounded] or ["oIoU"]
    if model_by_default:
        wins = count >= min_samples and all(float(grounded[k]) > float(end_to_end[k])
                                            for k in metrics)
        return "grounded" if wins else "end_to_end"
    if count < min_samples:
        return "grounded"
    wins = all(float(end_to_end[k]) > float(grounded[k]) for k in metrics)
    return "end_to_end" if wins else "grounded"


def policy_of(card: Optional[Mapping[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """The ``grounding_policy`` of a model card; {} when absent or malformed (all grounded)."""
    raw = (card or {}).get("grounding_policy") if isinstance(card, Mapping) else None
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): dict(v) for k, v in raw.items()
            if isinstance(v, Mapping) and v.get("decision") in DECISIONS}


def end_to_end_reason(plan: Plan, policy: Optional[Policy]) -> Optional[str]:
    """Why ``policy`` sends this grounded plan to the model whole, or None (stay grounded)."""
    if not policy:
        return None
    for fam in families(plan):
        entry = policy.get(fam)
        if entry is None or entry.get("decision") != "end_to_end":
            continue
        g, e = entry.get("grounded") or {}, entry.get("end_to_end") or {}
        shown = [k for k in METRICS if k in g and k in e]
        figures = ""
        if shown:
            figures = (": " + " / ".join(f"{k} {float(e[k]):.2f}" for k in shown)
                       + " end to end vs " + " / ".join(f"{float(g[k]):.2f}" for k in shown)
                       + f" grounded on {entry.get('count', '?')} validation samples")
        return f"grounding policy: '{fam}' is answered end to end{figures}"
    return None
