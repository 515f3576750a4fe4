"""Kinds of vehicle the model did not learn, selected by their ground length.

``lgce-lite`` was taught "bus", "truck" and "van" from a few box labels and did not learn
them (its card: validation IoU 0.00-0.02, :mod:`.learnt`), but it finds vehicles. Such a
kind can be read as the vehicles of its length (:data:`~.lexicon.LENGTH_KINDS`: "buses",
the vehicles at least 8 m long): the network finds *what*, the grounding measures *which
ones*, in metres, and the plan says so. A length is a proxy for a kind, not its meaning,
so the model stays the default: the relation-family measurement (``relations_eval``,
family ``"bus by length"``) scores the reading against asking the model for "buses" on
the validation split, and a kind is read by length only where that scored higher
(:func:`.policy.decide` with ``model_by_default``; :func:`.lexicon.vocabulary_of`).

Only a target of kinds alone, or a kind beside other categories without a rank, is
rewritten ("cars and buses": the cars as before, plus the bus-sized vehicles); an anchor is
rewritten when it names one kind ("cars next to a bus"). Anything else stays as parsed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, List, Mapping, Optional, Tuple

from . import lexicon as lx
from .plan import Attribute, Plan, Target

__all__ = ["by_length", "length_attributes", "family_of", "is_kind_family", "length_remark",
           "KIND_FAMILY"]

KIND_FAMILY = "{kind} by length"   # a policy family: "bus by length"


def length_attributes(kind: str) -> Tuple[Attribute, ...]:
    """The length thresholds of ``kind`` ("bus": over 8 m long)."""
    low, high = lx.LENGTH_KINDS[kind]
    out = []
    if low is not None:
        out.append(Attribute("length", "above", amount=low))
    if high is not None:
        out.append(Attribute("length", "below", amount=high))
    return tuple(out)


def _umbrella(kind: str, vocabulary: lx.Vocabulary) -> Optional[str]:
    """The category named as ``kind``'s group ("vehicle"), if the vocabulary has it."""
    group = vocabulary.group_of(kind)
    return group if group in vocabulary.by_name and group != kind else None


def _as_length(target: Target, kind: str, umbrella: str) -> Target:
    return replace(target, categories=(umbrella,),
                   attributes=target.attributes + length_attributes(kind), named_as=kind)


def _relations(target: Target, vocabulary: lx.Vocabulary) -> Target:
    rels = []
    for r in target.relations:
        anchor = _relations(r.anchor, vocabulary)
        (kind,) = anchor.categories if len(anchor.categories) == 1 else (None,)
        umbrella = _umbrella(kind, vocabulary) if kind in vocabulary.by_length else None
        if umbrella is not None and not anchor.named_as:
            anchor = _as_length(anchor, kind, umbrella)   # type: ignore[arg-type]
        rels.append(replace(r, anchor=anchor) if anchor is not r.anchor else r)
    return replace(target, relations=tuple(rels)) if rels != list(target.relations) else target


def _targets(target: Target, vocabulary: lx.Vocabulary) -> List[Target]:
    target = _relations(target, vocabulary)
    kinds = [c for c in target.categories if c in vocabulary.by_length
             and _umbrella(c, vocabulary) is not None]
    others = tuple(c for c in target.categories if c not in kinds)
    if not kinds or (others and target.rank is not None):   # a rank over a mix: as parsed
        return [target]
    out = [replace(target, categories=others)] if others else []
    return out + [_as_length(target, k, _umbrella(k, vocabulary)) for k in kinds]  # type: ignore


def _note(kind: str, vocabulary: lx.Vocabulary) -> str:
    low, high = lx.LENGTH_KINDS[kind]
    span = (f"{low:g}-{high:g} m long" if low is not None and high is not None
            else f"over {low:g} m long" if low is not None else f"under {high:g} m long")
    lo, hi = low or 0.0, high or float("inf")
    alike = [k for k, (a, b) in lx.LENGTH_KINDS.items()
             if k != kind and (a or 0.0) < hi and lo < (b or float("inf"))]
    phrase = vocabulary.by_name[kind].model_phrase   # the plurals the model is asked in
    umbrella = vocabulary.by_name[_umbrella(kind, vocabulary) or kind].model_phrase
    note = f"{phrase!r} read as the {umbrella} {span}: the model did not learn {phrase}"
    if alike:
        others = " or ".join(vocabulary.by_name[k].model_phrase for k in alike)
        note += f"; by length alone they are not told from {others}"
    return note


def by_length(plan: Plan, vocabulary: lx.Vocabulary) -> Plan:
    """``plan`` with the kinds ``vocabulary`` reads by length selected that way (a note per
    kind); unchanged when there are none."""
    if plan.mode != "grounded" or not vocabulary.by_length:
        return plan
    targets = [t for target in plan.targets for t in _targets(target, vocabulary)]
    if targets == list(plan.targets):
        return plan
    named: List[str] = []

    def collect(t: Target) -> None:
        if t.named_as and t.named_as not in named:
            named.append(t.named_as)
        for r in t.relations:
            collect(r.anchor)

    for t in targets:
        collect(t)
    return replace(plan, targets=tuple(targets),
                   notes=plan.notes + tuple(_note(k, vocabulary) for k in named))


def is_kind_family(family: str) -> bool:
    """Whether a policy family is a kind read by length (its labels are the kind's objects,
    whatever a source's relational labels follow)."""
    return family.endswith(KIND_FAMILY.format(kind=""))


def family_of(target: Target) -> Optional[str]:
    """The policy family of a target read by length ("bus by length"), else None."""
    return KIND_FAMILY.format(kind=target.named_as) if target.named_as else None


def length_remark(kind: str, policy: Optional[Mapping[str, Mapping[str, Any]]]) -> str:
    """For an unlearnt kind its model is asked for: "; read as the vehicles of its length it
    scored lower on the validation split (...)" where the card's policy measured so, else
    ""."""
    entry = (policy or {}).get(KIND_FAMILY.format(kind=kind)) or {}
    if entry.get("decision") != "end_to_end":
        return ""
    try:
        by_length = float(entry["grounded"]["oIoU"])
        whole = float(entry["end_to_end"]["oIoU"])
    except (KeyError, TypeError, ValueError):
        return ""
    return (f"; read as the vehicles of its length it scored no better on the validation "
            f"split (oIoU {by_length:.2f} against {whole:.2f} asked whole)")
