"""Referring expressions generated from labelled polygons, the way RefSegRS's were built:
a category word ("building"), its synonyms ("house"), a superlative ("the largest building")
and spatial relations computed from the labels themselves ("car on the road", "building
along the road", "tree next to the building", "low vegetation surrounded by building").

The geometric tests ("on", "along", "next to", "surrounded by") are
:mod:`rrsis.grounding.relations`, the same functions the grounding applies at inference.

Every expression carries the exact set of instances it describes, so its mask is the union
of those instances and nothing else. Geometries are the labels clipped to the tile: a
relation is stated only about what the tile shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

# one definition of what relations mean, shared with inference (rrsis.grounding)
from ..grounding.relations import along as _along
from ..grounding.relations import AS_SEGMENTED, elongation, occluders
from ..grounding.relations import next_to as _next_to
from ..grounding.relations import on as _on
from ..grounding.relations import surrounded as _surrounded

__all__ = ["Instance", "Expression", "Relation", "RELATIONS", "DEFAULT_SYNONYMS",
           "elongation", "generate_expressions"]

# synonyms used when the class-to-words mapping gives none (RefSegRS-style vocabulary)
DEFAULT_SYNONYMS: Dict[str, Tuple[str, ...]] = {
    "building": ("house",), "car": ("vehicle",), "van": ("vehicle",), "truck": ("vehicle",),
    "bus": ("vehicle",), "road": ("street",), "tree": ("trees",),
    "low vegetation": ("grass",), "vegetation": ("greenery",), "water": ("water body",),
    "sidewalk": ("pavement",), "bikeway": ("bike lane",),
}


@dataclass(frozen=True)
class Instance:
    """One labelled object in a tile: its category word and its tile-clipped geometry."""

    category: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class Expression:
    text: str
    targets: Tuple[int, ...]          # indices into the tile's instances
    kind: str                         # category | synonym | largest | <relation name>


@dataclass(frozen=True)
class Relation:
    """``template.format(a=..., b=...)`` holds for object ``a`` when ``test(a, b_union, near)``."""

    name: str
    template: str
    test: Callable[[BaseGeometry, BaseGeometry, float], bool]
    partner_elongated: bool = False   # only when some partner object is long and thin (a road)


# the relations, as data: name, phrase and the geometric test that makes the phrase true
RELATIONS: Tuple[Relation, ...] = (
    Relation("on", "{a} on the {b}", _on),
    Relation("along", "{a} along the {b}", _along, partner_elongated=True),
    Relation("surrounded", "{a} surrounded by {b}", _surrounded),
    Relation("next_to", "{a} next to the {b}", _next_to),
)
ELONGATED = 3.0
LARGEST_MARGIN = 1.2   # "the largest" only when it is clearly larger than the second


def generate_expressions(instances: Sequence[Instance],
                         synonyms: Optional[Mapping[str, Sequence[str]]] = None,
                         near: float = 2.0, relations: Sequence[Relation] = RELATIONS,
                         max_expressions: Optional[int] = None, seed: int = 0) -> List[Expression]:
    """All true expressions about a tile's instances, without duplicate texts.

    With ``max_expressions``, category words and synonyms are kept and the rest is a
    seeded sample, so no class pair is favoured by its position.
    """
    synonyms = DEFAULT_SYNONYMS if synonyms is None else synonyms
    by_cat: Dict[str, List[int]] = {}
    for i, inst in enumerate(instances):
        by_cat.setdefault(inst.category, []).append(i)
    out: List[Expression] = []
    seen_text = set()

    def add(text: str, targets: Sequence[int], kind: str) -> None:
        if targets and text not in seen_text:
            seen_text.add(text)
            out.append(Expression(text, tuple(sorted(targets)), kind))

    for cat, idx in by_cat.items():
        add(cat, idx, "category")
        for syn in synonyms.get(cat, ()):
            # a synonym shared by several present classes (vehicle: car, van) names all of them
            shared = [c for c in by_cat if syn in synonyms.get(c, ()) or c == syn]
            add(syn, [i for c in shared for i in by_cat[c]], "synonym")
        if len(idx) >= 2:
            areas = sorted(((instances[i].geometry.area, i) for i in idx), reverse=True)
            if areas[0][0] >= LARGEST_MARGIN * areas[1][0]:
                add(f"the largest {cat}", [areas[0][1]], "largest")
    for cat_a, idx_a in by_cat.items():
        for cat_b, idx_b in by_cat.items():
            if cat_a == cat_b:
                continue
            anchors = [instances[i].geometry for i in idx_b]
            as_segmented = unary_union(anchors)
            partner = unary_union(anchors + occluders(anchors, [instances[i].geometry
                                                                for i in idx_a]))
            long_partner = any(elongation(instances[i].geometry) >= ELONGATED for i in idx_b)
            for rel in relations:
                if rel.partner_elongated and not long_partner:
                    continue
                b = as_segmented if rel.name in AS_SEGMENTED else partner
                hits = [i for i in idx_a if rel.test(instances[i].geometry, b, near)]
                add(rel.template.format(a=cat_a, b=cat_b), hits, rel.name)
    if max_expressions and len(out) > max_expressions:
        import random

        base = [e for e in out if e.kind in ("category", "synonym")]
        rest = [e for e in out if e.kind not in ("category", "synonym")]
        random.Random(seed).shuffle(rest)
        out = (base + rest)[:max(max_expressions, len(base))]
    return out
