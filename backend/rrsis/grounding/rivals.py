"""One piece of ground is one thing: rival categories settle who an object belongs to.

The network answers each category phrase on its own, so the same car can come back as a
"vehicle" and as a small "building", and a road-coloured roof as a piece of "road". Seen
from above, some categories cannot share ground: a roof is not a car, a road does not run
over a roof. Where an expression asks for one of them, the engine also segments its rivals
(:data:`RIVALS`) and :func:`claimed` drops an object when an object of a rival category
covers at least :data:`COVER` of its area *and* the model is surer of the rival by more
than :data:`MARGIN` (mean probability, both at their operating points). The rule is one-sided on
purpose: a car on a parking deck covers a sliver of the deck, so the deck stays a
building whatever the scores; a car found as a car-sized "building" is covered by its
vehicle object and loses to it when the model is surer of "vehicle".

Which rivals are segmented is data, measured on the validation split
(``python -m rrsis.training.sources.rivals_eval``, docs/grounding.md).
"""

from __future__ import annotations

from typing import AbstractSet, Dict, FrozenSet, List, Mapping, Sequence, Set, Tuple

from shapely import STRtree
from shapely.geometry.base import BaseGeometry

from .lexicon import CATEGORIES, group_of
from .plan import Plan, Target

__all__ = ["RIVALS", "COVER", "MARGIN", "overlap_pairs", "rivals_of", "rival_groups",
           "rival_names", "claimed"]

#: category group -> the groups that cannot share ground with it, seen from above (either
#: way round); where an expression asks for the first, the engine segments the others too
RIVALS: Mapping[str, Tuple[str, ...]] = {
    "building": ("vehicle", "road"),
    "vehicle": ("building",),
}
#: the share of an object's area a rival must cover to contest it
COVER = 0.5
#: how much surer (mean probability) the rival must be: a near tie is ambiguous and leaves
#: both (on the validation split 0.1 keeps two thirds of the vehicles' gain of no margin and
#: spares the real cars the model scores a hair more "building" than "car"; docs/grounding.md)
MARGIN = 0.1

ObjectKey = Tuple[str, int]  # (category, index among that category's objects)

# the category segmented for a rival group: its first in the lexicon ("vehicle", "road")
_FIRST_OF_GROUP: Dict[str, str] = {}
for _c in CATEGORIES:
    _FIRST_OF_GROUP.setdefault(_c.group, _c.name)


def overlap_pairs(plan: Plan) -> FrozenSet[FrozenSet[str]]:
    """The group pairs ``plan`` relates by overlap ("cars on the roof", "roofs with cars":
    vehicle and building): the expression says they share ground there, so they do not
    contest it."""
    out: Set[FrozenSet[str]] = set()

    def visit(target: Target) -> None:
        for r in target.relations:
            if r.kind in ("on", "inside", "with", "is"):   # "roofs with cars (on them)"
                out.update(frozenset({group_of(a), group_of(b)}) for a in target.categories
                           for b in r.anchor.categories)
            visit(r.anchor)

    for t in plan.targets:
        visit(t)
    return frozenset(out)


def rivals_of(categories: Sequence[str], exempt: AbstractSet[FrozenSet[str]] = frozenset()
              ) -> List[str]:
    """The groups :data:`RIVALS` names for ``categories``' groups (each once), but for the
    pairs in ``exempt``."""
    out: List[str] = []
    for c in categories:
        out += [r for r in RIVALS.get(group_of(c), ())
                if r not in out and frozenset({r, group_of(c)}) not in exempt]
    return out


def rival_groups(categories: Sequence[str]) -> List[str]:
    """The groups rivalling ``categories`` that none of them belongs to (each once)."""
    own = {group_of(c) for c in categories}
    return [g for g in rivals_of(categories) if g not in own]


def rival_names(categories: Sequence[str]) -> List[str]:
    """The categories to segment beside ``categories`` for their rival groups: each group's
    first category in the lexicon ("vehicle", "road")."""
    return [_FIRST_OF_GROUP[g] for g in rival_groups(categories)]


def _exclusive(a: str, b: str, exempt: AbstractSet[FrozenSet[str]]) -> bool:
    ga, gb = group_of(a), group_of(b)
    return (gb in RIVALS.get(ga, ()) or ga in RIVALS.get(gb, ())) and \
        frozenset({ga, gb}) not in exempt


def claimed(objects: Mapping[str, Sequence[BaseGeometry]],
            scores: Mapping[str, Sequence[float]],
            exempt: AbstractSet[FrozenSet[str]] = frozenset()) -> Set[ObjectKey]:
    """The objects a rival claims: covered at least :data:`COVER` by one object of a rival
    category (per :data:`RIVALS`, by group, either way round, but for the group pairs in
    ``exempt``: :func:`overlap_pairs`) whose score is higher by more than :data:`MARGIN`.

    ``objects`` and ``scores`` are per category, in the same order; geometries in one
    metric frame. Categories without scores are never contested and contest nothing.
    """
    cats = [c for c in objects if c in scores and len(scores[c]) == len(objects[c])]
    out: Set[ObjectKey] = set()
    trees: Dict[str, STRtree] = {c: STRtree(list(objects[c])) for c in cats if objects[c]}
    for cat in cats:
        for rival in (c for c in cats if c != cat and c in trees and _exclusive(cat, c, exempt)):
            rival_geoms, rival_scores = objects[rival], scores[rival]
            for i, geom in enumerate(objects[cat]):
                area = geom.area
                if area <= 0:
                    continue
                for j in trees[rival].query(geom):
                    if rival_scores[j] > scores[cat][i] + MARGIN and \
                            geom.intersection(rival_geoms[j]).area >= COVER * area:
                        out.add((cat, i))
                        break
    return out
