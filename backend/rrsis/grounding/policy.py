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

from .lexicon import group_of
from .plan import ALL_BUT, DISTANCE_RANKS, RELATION_WORDS, Plan, Relation, Target, ordinal

__all__ = ["DECISIONS", "MIN_SAMPLES", "families", "decide", "policy_of", "end_to_end_reason"]

DECISIONS = ("grounded", "end_to_end")
MIN_SAMPLES = 5  # fewer samples than this: no decision from the measurement (stays grounded)
Policy = Mapping[str, Mapping[str, Any]]

# a family's relation words: the plan's, but for the names already measured and stored in
# cards' grounding policies under other words ("beyond", "nearest", "farthest")
_WORDS = {**RELATION_WORDS, "beyond_m": "beyond", **{k: k for k in DISTANCE_RANKS}}


def _relation_family(group: str, relation: Relation) -> str:
    anchor = "+".join(relation.anchor.categories)
    neg = "not " if relation.negated else ""
    return f"{group} {neg}{_WORDS.get(relation.kind, relation.kind)} {anchor}"


def _target_families(target: Target) -> List[str]:
    groups = list(dict.fromkeys(group_of(c) for c in target.categories))
    out: List[str] = []
    for g in groups:
        out += [_relation_family(g, r) for r in target.relations]
        if target.rank is not None and target.rank[1] >= ALL_BUT:   # "... except the largest"
            out.append(f"all but the {target.rank[0]} {g}")
        elif target.rank is not None:   # "the largest building", "the 2nd largest building"
            nth = f"{ordinal(target.rank_skip + 1)} " if target.rank_skip else ""
            out.append(f"the {nth}{target.rank[0]} {g}")
    return out


def families(plan: Plan) -> Tuple[str, ...]:
    """The relation/rank families of a grounded plan (empty for a plain noun or end to end)."""
    if plan.mode != "grounded":
        return ()
    out: List[str] = []
    for t in plan.targets:
        out += [f for f in _target_families(t) if f not in out]
    return tuple(out)


def decide(grounded: Mapping[str, float], end_to_end: Mapping[str, float], count: int,
           min_samples: int = MIN_SAMPLES) -> str:
    """``end_to_end`` only where the model whole scores a strictly higher oIoU on enough samples."""
    if count < min_samples:
        return "grounded"
    return "end_to_end" if float(end_to_end["oIoU"]) > float(grounded["oIoU"]) else "grounded"


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
        figures = ""
        if "oIoU" in g and "oIoU" in e:
            figures = (f": oIoU {float(e['oIoU']):.2f} end to end vs {float(g['oIoU']):.2f} "
                       f"grounded on {entry.get('count', '?')} validation samples")
        return f"grounding policy: '{fam}' is answered end to end{figures}"
    return None
