"""Apply a grounded :class:`~.plan.Plan` to segmented objects, in ground metres.

Input is a :class:`Scene`: per category, the objects the model found for its phrase,
as shapely geometries in a metric frame, plus the processed extent and (lazily) each
object's median CIELAB colour. Output is a :class:`Selection`: which objects the
expression selects, and whether the answer is *uncertain* (an anchor the model did not
find: "next to the road" with no road detected cannot be decided, it is not "none").

Order inside a target: categories (union) -> colour/shape/size attributes (and area or
length thresholds in m2 / m) and the image region -> relations -> rank ("the 3 largest",
"the building closest to the river" rank what survived the filters).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import AbstractSet, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from . import lexicon as lx
from . import relations as rel
from .colour import SAME_COLOUR_DELTA_E, colour_difference, has_colour, towards_hue
from .plan import (AVERAGED, COUNT_RANKS, DISTANCE_RANKS, MEASURE_RELATIONS, SIMILAR_RELATIONS,
                   Attribute, Plan, Relation, Target)
from .quantities import APPROXIMATE_SHARE

__all__ = ["Scene", "Selection", "execute", "measure", "LONG_ELONGATION", "COMPACT_ELONGATION",
           "RECTANGULAR_FILL", "IRREGULAR_FILL", "SIZE_QUANTILE", "VERY_SIZE_QUANTILE",
           "VERY_LONG_ELONGATION", "MIN_CLIPPED_M2"]

LONG_ELONGATION = 2.5     # "long": long side at least 2.5 x the short side
VERY_LONG_ELONGATION = 4.0  # "very long": at least 4 x
COMPACT_ELONGATION = 1.5  # "square"/"compact"/"round": at most 1.5
RECTANGULAR_FILL = 0.85   # "rectangular": fills at least 85 % of its minimum rotated
#                           rectangle (a disc fills 79 %, an L of equal arms 75 %)
IRREGULAR_FILL = 0.7      # "irregular": fills less than 70 % of it
SIZE_QUANTILE = 1.0 / 3.0  # "large", "narrow": a third of that category's areas, widths
VERY_SIZE_QUANTILE = 1.0 / 6.0  # "very large", "very narrow": a sixth
MIN_CLIPPED_M2 = 1.0      # a part cut out of an object smaller than this is none
_AXIS_BEARINGS = {**{name: (bearing,) for bearing, name in lx.AXIS_NAMES.items()},
                  "diagonal": (45.0, 135.0)}

ObjectKey = Tuple[str, int]  # (category, index in the scene's list for that category)


@dataclass
class Scene:
    """Objects per category (metric geometries), the extent, a colour lookup, and the
    objects a rival category claimed (:mod:`.rivals`: never selected, never anchors)."""

    objects: Dict[str, List[BaseGeometry]]
    bounds: Tuple[float, float, float, float]
    colour_of: Optional[Callable[[str, int], np.ndarray]] = None
    dropped: AbstractSet[ObjectKey] = frozenset()
    #: parts found in objects' outlines, by name ("junction": the road's, "bridge": the road's
    #: over the water's; :func:`_parts`)
    derived: Dict[str, List[BaseGeometry]] = field(default_factory=dict)
    #: of a part cut out of objects (:attr:`~.plan.Target.clipped`, in ``derived``): the
    #: object each was cut from
    sources: Dict[str, List[ObjectKey]] = field(default_factory=dict)
    _lab: Dict[ObjectKey, np.ndarray] = field(default_factory=dict)
    _sizes: Dict[Tuple[str, str], np.ndarray] = field(default_factory=dict)
    _terciles: Dict[Tuple[str, str, float], Tuple[float, float]] = field(default_factory=dict)

    def sizes(self, category: str, what: str) -> np.ndarray:
        """:func:`measure` ``what`` of every object of ``category``, or its lightness L*
        where its colour was read: the population "large", "narrow" or "darker than average"
        compares to."""
        if (category, what) not in self._sizes:
            objects = self.derived[category] if category in self.derived else \
                self.objects.get(category, [])
            values = (self.value((category, k), what) for k in range(len(objects))
                      if (category, k) not in self.dropped)
            self._sizes[category, what] = np.array([v for v in values if np.isfinite(v)])
        return self._sizes[category, what]

    def value(self, key: ObjectKey, what: str) -> float:
        """An object's :func:`measure` ``what`` in ground units, or the lightness L* of its
        median colour (NaN where its pixels were not read)."""
        return float(self.lab(key)[0]) if what == "lightness" else \
            measure(what, self.geometry(key))

    def terciles(self, category: str, what: str, share: float = SIZE_QUANTILE
                 ) -> Tuple[float, float]:
        """The sizes ``share`` of ``category``'s objects are under, and as many over: what
        "small" and "large" mean in this scene (a third; "very": a sixth), once per category,
        not per object."""
        if (category, what, share) not in self._terciles:
            sizes = self.sizes(category, what)
            self._terciles[category, what, share] = (float(np.quantile(sizes, share)),
                                                     float(np.quantile(sizes, 1 - share)))
        return self._terciles[category, what, share]

    def lab(self, key: ObjectKey) -> np.ndarray:
        """``key``'s median CIELAB colour; unknown (NaN: no colour matches) for a part."""
        if key not in self._lab:
            self._lab[key] = (self.colour_of(*key) if self.colour_of is not None
                              and key[0] not in self.derived else np.full(3, np.nan))
        return self._lab[key]

    def geometry(self, key: ObjectKey) -> BaseGeometry:
        return (self.derived if key[0] in self.derived else self.objects)[key[0]][key[1]]


@dataclass
class Selection:
    picks: List[ObjectKey]
    uncertain: bool = False
    notes: List[str] = field(default_factory=list)
    missing_anchors: List[str] = field(default_factory=list)
    #: an object the model segments was missing (not only a part found in masks, a junction
    #: or a bridge, which the model was never asked for whole)
    missing_objects: bool = False

    def undecided(self, missing: Target, relation: Relation, keys: List[ObjectKey]
                  ) -> List[ObjectKey]:
        """What ``relation`` keeps of ``keys`` when ``missing`` (its anchor, or what lies
        between) was not found: nothing, or all of them where it is negated; the answer is
        uncertain and a note says which relation could not be decided."""
        name = missing.text()
        self.uncertain = True
        self.missing_objects = self.missing_objects or not missing.part
        if name not in self.missing_anchors:
            self.missing_anchors.append(name)
            self.notes.append(f"no {name} found: '{relation.text()}' cannot be decided")
        return keys if relation.negated else []


def execute(plan: Plan, scene: Scene) -> Selection:
    """The objects ``plan`` selects in ``scene`` (union over its targets, no duplicates)."""
    if plan.mode != "grounded":
        raise ValueError(f"only a grounded plan can be executed, not {plan.mode!r}")
    out = Selection([])
    for target in plan.targets:
        for key in _select(target, scene, out):
            if key not in out.picks:
                out.picks.append(key)
    return out


def _select(target: Target, scene: Scene, out: Selection) -> List[ObjectKey]:
    keys = [(c, i) for c in target.categories for i in range(len(scene.objects.get(c, [])))
            if (c, i) not in scene.dropped]
    if target.part:   # "the intersections", "cars on the bridge": parts of their outlines
        keys = _parts(target, keys, scene)
    candidates = list(keys)   # what may hide an anchor (:func:`relations.occluders`)
    for attr in target.attributes:
        keys = [k for k in keys if _has_attribute(attr, k, scene)]
    if target.clipped:   # "the stretch of the road along the river"
        return _clipped(target, keys, candidates, scene, out)
    if target.region is not None:
        r = target.region
        keys = [k for k in keys if rel.in_region(_centre(scene.geometry(k)), scene.bounds,
                                                 r.row, r.col, r.share) != r.negated]
    distance_to_anchor: Optional[Dict[ObjectKey, float]] = None   # for "the closest to"
    each_anchor: Optional[Tuple[List[ObjectKey], List[BaseGeometry]]] = None   # "to each"
    anchors_of: Optional[Dict[ObjectKey, int]] = None   # for "the road with the most cars"
    per_anchor: Optional[List[List[ObjectKey]]] = None   # "the largest car in each lot"
    for relation in target.relations:
        anchor_keys = _select(relation.anchor, scene, out)
        if not anchor_keys and relation.kind == "is" and relation.negated:
            out.notes.append(f"no {relation.anchor.text()} found: nothing to except")
            continue   # "vehicles except buses" without a bus: every vehicle, decidedly
        if not anchor_keys and relation.of_everything:
            continue   # "far from everything" in a scene without water: far from all there is
        if not anchor_keys:
            keys = out.undecided(relation.anchor, relation, keys)
            continue
        parts = [scene.geometry(a) for a in anchor_keys]
        if relation.kind in ("across", "same_side"):   # facing an anchor over the object
            # between, or not
            keys = _across(relation, keys, anchor_keys, parts, scene, out)
            continue
        if relation.kind in ("closer", "farther"):   # "closer to the road than to the river"
            keys = _compared(relation, keys, anchor_keys, parts, scene, out)
            continue
        if relation.kind in MEASURE_RELATIONS and relation.distance_m is not None:
            keys = _beyond_neighbours(relation, keys, anchor_keys, parts, scene)
            continue   # "buildings larger than their neighbours"
        if relation.kind in MEASURE_RELATIONS:   # "larger than the red building"
            what, side = MEASURE_RELATIONS[relation.kind]
            if what == "lightness":   # "darker than the road": than its surface, one value
                keys = _decided(keys, relation.negated, lambda k: _against_surface(
                    k, side, anchor_keys, parts, scene))
                continue
            values = ((scene.value(a, what), a) for a in anchor_keys)
            extremes = sorted(((v, a) for v, a in values if math.isfinite(v)),
                              key=lambda item: item[0], reverse=side == "above")[:2]
            keys = _decided(keys, relation.negated, lambda k: _beyond_every(
                k, what, side, extremes, scene, relation.factor or 1.0))
            continue
        if relation.kind == "same_colour":   # "cars the same colour as the bus"
            keys = _same_colour(relation, keys, anchor_keys, scene)
            continue
        if relation.kind in SIMILAR_RELATIONS:   # "the same size as the school"
            keys = _similar_in_size(relation, keys, anchor_keys, parts, scene)
            continue
        if relation.kind in ("group", "row"):   # "clusters of buildings", "cars in a row":
            sizes = rel.row_sizes if relation.kind == "row" else rel.group_sizes   # its group
            size = dict(zip(anchor_keys, sizes(parts, relation.distance_m or 0.0)))
            keys = [k for k in keys if (size.get(k, 0) >= (relation.min_count or 1))
                    != relation.negated]
            continue
        if relation.kind == "largest_group":   # the members of the largest group(s) only
            biggest = {anchor_keys[i] for i in rel.largest_group(
                parts, relation.distance_m or 0.0, relation.min_count or 1)}
            keys = [k for k in keys if (k in biggest) != relation.negated]
            continue
        if relation.min_count is not None:   # "with at least 3 cars nearby": one by one
            found = _anchor_counts(relation.kind, relation.distance_m, keys, anchor_keys,
                                   parts, scene)
            most = relation.max_count
            keys = [k for k in keys if (relation.min_count <= found[k] and
                                        (most is None or found[k] <= most)) != relation.negated]
            continue
        if relation.kind in COUNT_RANKS:   # orders the objects for the rank, keeps all
            anchors_of = _anchor_counts("with", relation.distance_m, keys, anchor_keys, parts,
                                        scene)
            continue
        hidden = [] if relation.kind in rel.AS_SEGMENTED else rel.occluders(parts, [
            scene.geometry(k) for k in candidates if k[0] not in relation.anchor.categories])
        anchor = unary_union(parts + hidden)
        shared = set(keys) & set(anchor_keys)  # "buildings next to buildings": not itself

        tree = STRtree(parts) if shared else None
        margin = relation.distance_m or 0.0

        def anchor_for(k: ObjectKey) -> BaseGeometry:
            if k not in shared or relation.kind == "is":   # "vehicles except buses" (read
                return anchor   # as the long vehicles, :mod:`.kinds`): a bus is itself one
            if relation.kind in rel.TESTS:  # only anchors within the distance can matter
                reach = scene.geometry(k).buffer(margin + 1e-6)
                near_ids = tree.query(reach)  # type: ignore[union-attr]
            else:  # a direction looks at the nearest anchor anywhere: the nearest other part
                near_ids = tree.query_nearest(  # type: ignore[union-attr]
                    scene.geometry(k), exclusive=True, all_matches=False)
            others = [parts[i] for i in near_ids if anchor_keys[i] != k]
            return unary_union(others) if others else Polygon()

        if relation.kind == "between":   # needs the anchor objects one by one, not their union
            sides = _between_sides(relation, anchor_keys, parts, scene, out)
            if sides is None:
                keys = out.undecided(relation.via, relation, keys)   # type: ignore[arg-type]
                continue
            keys = [k for k in keys if rel.between(scene.geometry(k), [
                (side, p) for side, a, p in sides if a != k], margin) != relation.negated]
            continue
        if relation.each and relation.kind not in DISTANCE_RANKS:   # "the largest car in
            per_anchor = _held_per_anchor(relation, keys, anchor_keys, parts, hidden, scene)
            held = {k for group in per_anchor for k in group}   # each parking lot": ranked
            keys = [k for k in keys if k in held]                # per lot below
            continue
        if relation.kind in DISTANCE_RANKS and relation.each:   # ranked per anchor object
            each_anchor = (anchor_keys, parts)
            continue
        if relation.kind in DISTANCE_RANKS:   # orders the objects for the rank, keeps all
            nearest_other = _gaps_to_nearest([k for k in keys if k in shared], anchor_keys,
                                             parts, scene)   # "the most isolated building"
            gaps = {k: nearest_other[k] if k in shared else scene.geometry(k).distance(anchor)
                    for k in keys}
            if distance_to_anchor is not None:   # "closest to both the road and the river":
                worse = max if relation.kind == "nearest" else min   # by the farther of the
                gaps = {k: worse(distance_to_anchor[k], gaps[k]) for k in keys}   # two
            distance_to_anchor = gaps
            continue
        keys = [k for k in keys if _relation_holds(relation, scene.geometry(k), anchor_for(k))]
    if target.rank is not None:
        what, n = target.rank[0], target.rank_count(len(keys))
        first = target.rank_skip
        if what in DISTANCE_RANKS:
            if each_anchor is not None:   # "the car nearest to each building"
                return _ranked_for_each(keys, *each_anchor, scene, first, n,
                                        farthest=what == "farthest")
            if distance_to_anchor is None:   # its anchor was not found: nothing to rank by
                return []
            if what == "nearest":   # a lone car is close to no other ("closest to each other")
                keys = [k for k in keys if math.isfinite(distance_to_anchor[k])]
            return sorted(keys, key=distance_to_anchor.__getitem__,
                          reverse=what == "farthest")[first:first + n]
        if what in COUNT_RANKS:   # "the most" of none is none
            if anchors_of is None:
                return []
            ordered = sorted(keys, key=anchors_of.__getitem__, reverse=what == "most")
            return [k for k in ordered if what == "fewest" or anchors_of[k] > 0][first:first + n]
        if per_anchor is not None:   # "the largest car in each parking lot": in each lot
            kept = set(keys)
            return list(dict.fromkeys(k for group in per_anchor for k in _ranked_by_itself(
                target, [k for k in group if k in kept], scene)))
        keys = _ranked_by_itself(target, keys, scene)
    return keys


def _clipped(target: Target, keys: List[ObjectKey], candidates: List[ObjectKey], scene: Scene,
             out: Selection) -> List[ObjectKey]:
    """The part of each object where the target's image region (or the part of its own box:
    "the northern half of the forest") and relations hold
    (:data:`~.plan.CLIP_KINDS`: "the part of the forest within 100 m of the road"), cut out of
    its outline and kept in ``scene.derived`` with the object it was cut from in
    ``scene.sources``; their keys. A rank is of the whole objects, before they are cut. A
    part under :data:`MIN_CLIPPED_M2` is none (a sliver along an outline)."""
    if target.rank is not None:   # "the part of the largest forest near the road": of it
        keys = _ranked_by_itself(target, keys, scene)
    zones: List[Tuple[BaseGeometry, bool]] = []   # (ground, the part inside it or outside)
    own = target.region if target.region is not None and target.region.own else None
    if target.region is not None and own is None:
        r = target.region
        zones.append((rel.region_box(scene.bounds, r.row, r.col, r.share), not r.negated))
    for relation in target.relations:
        anchor_keys = _select(relation.anchor, scene, out)
        if not anchor_keys:   # nothing to cut to (negated: nothing to cut away), uncertain
            keys = out.undecided(relation.anchor, relation, keys)
            continue
        parts = [scene.geometry(a) for a in anchor_keys]
        if relation.kind == "between":   # "the stretch of the river between the bridges"
            sides = _between_sides(relation, anchor_keys, parts, scene, out)
            if sides is None:
                keys = out.undecided(relation.via, relation, keys)   # type: ignore[arg-type]
                continue
            zone = rel.between_zone([(side, p) for side, _, p in sides])
            zones.append((zone, not relation.negated))
            continue
        if relation.kind in rel.BEARINGS:   # "the part of the lake north of the road"
            xmin, ymin, xmax, ymax = scene.bounds
            zone = rel.direction_zone(unary_union(parts), relation.kind,
                                      math.hypot(xmax - xmin, ymax - ymin))
            zones.append((zone, not relation.negated))
            continue
        hidden = rel.occluders(parts, [scene.geometry(k) for k in candidates
                                       if k[0] not in relation.anchor.categories])
        zone, inside = rel.clip_zone(relation.kind, unary_union(parts + hidden),
                                     relation.distance_m or 0.0)
        zones.append((zone, inside != relation.negated))
    name = target.text()
    pieces: List[BaseGeometry] = []
    sources: List[ObjectKey] = []
    for k in keys:
        piece = scene.geometry(k)
        if own is not None:   # "the northern half of the forest": of its own box
            piece = piece.intersection(rel.region_box(piece.bounds, own.row, own.col, own.share))
        for zone, inside in zones:
            piece = piece.intersection(zone) if inside else piece.difference(zone)
        piece = rel.polygonal(piece)
        if piece.area >= MIN_CLIPPED_M2:
            pieces.append(piece)
            sources.append(k)
    scene.derived[name], scene.sources[name] = pieces, sources
    return [(name, i) for i in range(len(pieces))]


def _ranked_by_itself(target: Target, keys: List[ObjectKey], scene: Scene) -> List[ObjectKey]:
    """The objects the target's own rank keeps ("the 3 largest", "the darkest"), past the
    ones it skips."""
    assert target.rank is not None
    size, largest_first = lx.SIZE_RANKS[target.rank[0]]
    value = {k: _rank_value(size, k, scene) for k in keys}
    keys = [k for k in keys if math.isfinite(value[k])]   # an object without a colour
    n = target.rank_count(len(keys))   # a share is of those with one
    first = target.rank_skip
    return sorted(keys, key=value.__getitem__, reverse=largest_first)[first:first + n]


def _held_per_anchor(relation: Relation, keys: List[ObjectKey], anchor_keys: List[ObjectKey],
                     parts: List[BaseGeometry], hidden: List[BaseGeometry], scene: Scene
                     ) -> List[List[ObjectKey]]:
    """For each anchor object on its own (with the objects that hide it), the ``keys`` the
    relation holds for with it ("the largest car in each parking lot": the cars of each lot),
    and for each side where the relation says so ("the largest building on each side of the
    road": of the anchor's objects together, as a road is often found in pieces;
    :func:`~.relations.sides_of`). An object is never its own anchor."""
    if not keys:
        return []
    if relation.sides:   # one road, however many pieces the model found it in
        anchor_keys, parts = [("", -1)], [unary_union(parts)]
    geoms = [scene.geometry(k) for k in keys]
    tree = STRtree(geoms)
    covers = STRtree(hidden) if hidden else None
    reach = (relation.distance_m or 0.0) + 1e-6
    groups: List[List[ObjectKey]] = []
    for anchor_key, part in zip(anchor_keys, parts):
        if covers is not None:   # the cars parked on it are part of the lot
            part = unary_union([part] + [hidden[i] for i in covers.query(
                part, predicate="dwithin", distance=rel.OCCLUSION_RING_M)])
        near = sorted(tree.query(part, predicate="dwithin", distance=reach).tolist())
        held = [i for i in near if keys[i] != anchor_key
                and _relation_holds(relation, geoms[i], part)]
        if relation.sides:
            groups += [[keys[held[j]] for j in side]
                       for side in rel.sides_of([geoms[i] for i in held], part)]
        else:
            groups.append([keys[i] for i in held])
    return groups


def _against_surface(key: ObjectKey, side: str, anchor_keys: List[ObjectKey],
                     parts: List[BaseGeometry], scene: Scene) -> Optional[bool]:
    """Whether the object's lightness L* is above (below) the anchor's, the median of its
    objects' weighted by their areas (itself aside): a road found in twenty pieces, one of
    them in shadow, is one surface ("cars darker than the road"). None (neither) where no
    colour was read."""
    own = scene.value(key, "lightness")
    pairs = [(scene.value(a, "lightness"), p.area) for a, p in zip(anchor_keys, parts)
             if a != key]
    pairs = sorted((v, w) for v, w in pairs if math.isfinite(v) and w > 0)
    if not math.isfinite(own) or not pairs:
        return None
    half, seen = sum(w for _, w in pairs) / 2.0, 0.0
    for value, weight in pairs:
        seen += weight
        if seen >= half:
            return own > value if side == "above" else own < value
    return None


def _decided(keys: List[ObjectKey], negated: bool,
             holds: Callable[[ObjectKey], Optional[bool]]) -> List[ObjectKey]:
    """The ``keys`` a relation holds for (does not, ``negated``); neither where ``holds``
    cannot tell (None: an object whose colour was not read, one with no other anchor)."""
    verdicts = {k: holds(k) for k in keys}
    return [k for k in keys if verdicts[k] is not None and verdicts[k] != negated]


def _beyond_every(key: ObjectKey, what: str, side: str,
                  extremes: Sequence[Tuple[float, ObjectKey]], scene: Scene,
                  factor: float = 1.0) -> Optional[bool]:
    """Whether the object's ``what`` is above (below) that of every anchor object but itself
    ("buildings larger than the houses near the river": larger than each of them), given the
    two ``extremes`` of the anchor objects' (the largest two, or the smallest two): against
    the first, or the second where the first is itself; ``factor`` times it ("twice as
    large as the school"). False with no other anchor object; None (neither) for an object
    whose colour was not read ("cars darker than the road")."""
    others = [size for size, anchor in extremes if anchor != key][:1]
    size = scene.value(key, what)
    if not math.isfinite(size):
        return None
    if not others:
        return False
    limit = factor * others[0]
    return size > limit if side == "above" else size < limit


def _similar_in_size(relation: Relation, keys: List[ObjectKey], anchor_keys: List[ObjectKey],
                     parts: List[BaseGeometry], scene: Scene) -> List[ObjectKey]:
    """The objects whose area (length, width: :data:`~.plan.SIMILAR_RELATIONS`) lies within
    :data:`~.quantities.APPROXIMATE_SHARE` of an anchor object's but their own ("cars about
    the same size as the van", "roads as wide as the main road"), as "about 100 m2" is within
    it of 100 m2."""
    what = SIMILAR_RELATIONS[relation.kind]
    areas = [(measure(what, p), a) for a, p in zip(anchor_keys, parts)]
    out = []
    for k in keys:
        size = measure(what, scene.geometry(k))
        similar = any(abs(size - area) <= APPROXIMATE_SHARE * area
                      for area, a in areas if a != k)
        if similar != relation.negated:
            out.append(k)
    return out


def _between_sides(relation: Relation, anchor_keys: List[ObjectKey], parts: List[BaseGeometry],
                   scene: Scene, out: Selection
                   ) -> Optional[List[Tuple[str, ObjectKey, BaseGeometry]]]:
    """The anchor objects of a "between" as (side, key, object): the side is the category
    ("between the road and the river": one of each), or, where a second object is described
    otherwise (``relation.via``: "between the road and the white building"), which of the two
    it was named as; None if that second object was not found."""
    if relation.via is None:
        return [(a[0], a, p) for a, p in zip(anchor_keys, parts)]
    via_keys = _select(relation.via, scene, out)
    if not via_keys:
        return None
    return [("first", a, p) for a, p in zip(anchor_keys, parts)] + \
        [("second", v, scene.geometry(v)) for v in via_keys]


def _same_colour(relation: Relation, keys: List[ObjectKey], anchor_keys: List[ObjectKey],
                 scene: Scene) -> List[ObjectKey]:
    """The objects whose median colour lies within :data:`~.colour.SAME_COLOUR_DELTA_E` of an
    anchor object's but their own ("cars the same colour as the bus"); an object whose colour
    was not read, or an anchor object with no other to compare with ("buildings of a
    different colour from the smallest building"), is neither alike nor unlike: not kept."""
    anchors = [(a, scene.lab(a)) for a in anchor_keys]
    anchors = [(a, lab) for a, lab in anchors if np.isfinite(lab).all()]
    out = []
    for k in keys:
        own, others = scene.lab(k), [lab for a, lab in anchors if a != k]
        if not np.isfinite(own).all() or not others:
            continue
        alike = any(colour_difference(own, lab) <= SAME_COLOUR_DELTA_E for lab in others)
        if alike != relation.negated:
            out.append(k)
    return out


def _beyond_neighbours(relation: Relation, keys: List[ObjectKey], anchor_keys: List[ObjectKey],
                       parts: List[BaseGeometry], scene: Scene) -> List[ObjectKey]:
    """The objects whose measure is above (below) that of every anchor object within the
    relation's distance of it, itself aside ("buildings larger than their neighbours": a
    building with none near it is compared with nothing and is not kept; negated, it is)."""
    what, side = MEASURE_RELATIONS[relation.kind]
    d = relation.distance_m or 0.0
    tree = STRtree(parts)
    sizes = [scene.value(a, what) for a in anchor_keys]
    out = []
    for k in keys:
        geom = scene.geometry(k)
        near = [sizes[i] for i in tree.query(geom, predicate="dwithin", distance=d)
                if anchor_keys[i] != k and math.isfinite(sizes[i])]
        size = scene.value(k, what)
        if not math.isfinite(size):   # a colour not read: neither
            continue
        factor = relation.factor or 1.0   # "at least twice as large as its neighbours"
        beyond = bool(near) and (size > factor * max(near) if side == "above"
                                 else size < factor * min(near))
        if beyond != relation.negated:
            out.append(k)
    return out


def _ranked_for_each(keys: List[ObjectKey], anchor_keys: List[ObjectKey],
                     parts: List[BaseGeometry], scene: Scene, first: int, n: int,
                     farthest: bool) -> List[ObjectKey]:
    """For each anchor object on its own, the ``n`` of ``keys`` nearest to it (farthest
    from it), past the ``first``: "the car nearest to each building", "the 2 closest trees to
    every house". An object is never its own anchor ("the nearest building to each
    building" is another one); chosen for several anchors, it is kept once."""
    if not keys:
        return []
    geoms = np.array([scene.geometry(k) for k in keys], dtype=object)
    index = {k: i for i, k in enumerate(keys)}
    tree = None if farthest else STRtree(geoms)   # the farthest: every object is measured
    chosen: Dict[ObjectKey, None] = {}
    for anchor_key, part in zip(anchor_keys, parts):
        near = np.arange(len(keys)) if tree is None else _nearest_ones(tree, part, first + n + 1)
        gaps = shapely.distance(geoms[near], part)
        if anchor_key in index:   # never itself
            gaps[near == index[anchor_key]] = np.nan
        order = [near[i] for i in np.argsort(-gaps if farthest else gaps, kind="stable")
                 if np.isfinite(gaps[i])]
        chosen.update(dict.fromkeys(keys[i] for i in order[first:first + n]))
    return list(chosen)


def _nearest_ones(tree: STRtree, part: BaseGeometry, count: int) -> np.ndarray:
    """Indexes of ``tree``'s geometries that hold the ``count`` nearest to ``part`` (more
    where they tie): those within a reach doubled from the nearest one's gap until enough
    lie in it, so a scene of thousands is not measured against every anchor."""
    total = len(tree.geometries)
    _, gap = tree.query_nearest(part, return_distance=True, all_matches=True)
    reach = max(float(gap[0]) if len(gap) else 0.0, 1.0)
    while True:
        near = tree.query(part, predicate="dwithin", distance=reach)
        if len(near) >= min(count, total):
            return np.sort(near)
        reach *= 2.0


def _rank_value(size: str, key: ObjectKey, scene: Scene) -> float:
    """What a rank of :data:`~.lexicon.SIZE_RANKS` orders an object by: a measure of its
    outline, its centre's gap to the extent's centre ("the most central") or edge ("the
    outermost"), or its colour (:data:`~.lexicon.COLOUR_RANKS`; NaN where no pixel of it was
    read, which no rank keeps)."""
    if size in lx.COLOUR_RANKS:
        lab = scene.lab(key)
        if np.isnan(lab).any():
            return math.nan
        return float(lab[0]) if size == "lightness" else towards_hue(lab, size)
    geom = scene.geometry(key)
    if size == "off_centre":
        x0, y0, x1, y1 = scene.bounds
        return float(geom.centroid.distance(Point((x0 + x1) / 2, (y0 + y1) / 2)))
    if size == "off_edge":
        return float(rel.edge_gap(geom, scene.bounds))
    return measure(size, geom)


#: a part's name -> how it is found in the union of each of its target's categories (in
#: order) and the processed extent
PART_FINDERS: Dict[str, Callable[[List[BaseGeometry], Tuple[float, float, float, float]],
                                 List[BaseGeometry]]] = {
    "junction": lambda masks, bounds: rel.junctions(*masks),
    "bridge": lambda masks, bounds: rel.bridges(*masks),
    "end": lambda masks, bounds: rel.road_ends(masks[0], bounds),
    "island": lambda masks, bounds: rel.islands(masks[0]),
    "bend": lambda masks, bounds: rel.bends(masks[0]),
    "edge": lambda masks, bounds: rel.edges(masks[0], bounds),
    "interior": lambda masks, bounds: rel.interiors(masks[0], bounds)}


def _parts(target: Target, keys: List[ObjectKey], scene: Scene) -> List[ObjectKey]:
    """The ``target.part`` of the objects ``keys`` ("junction": where arms of several road
    objects meet; "bridge": the road over the water; "end": where a road stops), kept in
    ``scene.derived``; their keys. ``keys`` are every object of the part's categories the
    scene keeps, the same each time, so the parts are found once per scene ("junctions near
    the junction", and every expression of a run that shares the scene)."""
    part = target.part_key()
    if part not in scene.derived:
        wholes = [unary_union([scene.geometry(k) for k in keys if k[0] == c])
                  for c in target.categories]
        scene.derived[part] = PART_FINDERS[target.part](wholes, scene.bounds) if keys else []
    return [(part, i) for i in range(len(scene.derived[part]))]


def _across(relation: Relation, keys: List[ObjectKey], anchor_keys: List[ObjectKey],
            parts: List[BaseGeometry], scene: Scene, out: Selection) -> List[ObjectKey]:
    """The ``keys`` facing one of the anchor objects over ``relation.via`` (never themselves),
    or on its side of it ("same_side"); without a via object found the answer is uncertain,
    as without an anchor."""
    via_keys = _select(relation.via, scene, out) if relation.via is not None else []
    if not via_keys:
        return out.undecided(relation.via, relation, keys)   # type: ignore[arg-type]
    via = unary_union([scene.geometry(v) for v in via_keys])

    def holds(k: ObjectKey) -> Optional[bool]:
        others = [p for a, p in zip(anchor_keys, parts) if a != k]
        if relation.kind == "same_side":   # the anchor itself is on no side of itself
            return rel.same_side(scene.geometry(k), others, via) if others else None
        return rel.across(scene.geometry(k), others, via, relation.distance_m or 0.0)

    return _decided(keys, relation.negated, holds)


def _compared(relation: Relation, keys: List[ObjectKey], anchor_keys: List[ObjectKey],
              parts: List[BaseGeometry], scene: Scene, out: Selection) -> List[ObjectKey]:
    """The ``keys`` nearer to the anchor than to ``relation.via`` ("closer"), or farther from
    it ("farther"), each distance to the nearest object but itself; without a ``via`` object
    found the answer is uncertain, as without an anchor."""
    other_keys = _select(relation.via, scene, out) if relation.via is not None else []
    if not other_keys:
        return out.undecided(relation.via, relation, keys)   # type: ignore[arg-type]
    to_anchor = _gaps_to_nearest(keys, anchor_keys, parts, scene)
    to_other = _gaps_to_nearest(keys, other_keys, [scene.geometry(v) for v in other_keys], scene)
    closer = relation.kind == "closer"
    return [k for k in keys if ((to_anchor[k] < to_other[k]) if closer
                                else (to_anchor[k] > to_other[k])) != relation.negated]


def _gaps_to_nearest(keys: List[ObjectKey], anchor_keys: List[ObjectKey],
                     parts: List[BaseGeometry], scene: Scene) -> Dict[ObjectKey, float]:
    """For each of ``keys``, the gap to the nearest of ``parts`` (the objects ``anchor_keys``)
    that is not itself, infinite where there is none: an STRtree's nearest, not a union of
    the others per object (which is quadratic: "the most isolated" of 1,000 buildings)."""
    tree = STRtree(parts)
    own = set(keys) & set(anchor_keys)
    out: Dict[ObjectKey, float] = {}
    for k in keys:
        found = tree.query_nearest(scene.geometry(k), return_distance=True,
                                   exclusive=k in own, all_matches=False)[1]
        out[k] = float(found[0]) if len(found) else math.inf
    return out


def _anchor_counts(kind: str, distance_m: Optional[float], keys: List[ObjectKey],
                   anchor_keys: List[ObjectKey], parts: List[BaseGeometry], scene: Scene
                   ) -> Dict[ObjectKey, int]:
    """For each of ``keys``, the anchor objects (never itself) that each, on its own, pass the
    test of relation ``kind`` at ``distance_m``: "with at least 3 cars nearby", "the road
    with the most cars"."""
    test, d = rel.TESTS[kind], distance_m or 0.0
    tree = STRtree(parts)
    out = {}
    for k in keys:
        geom = scene.geometry(k)
        out[k] = sum(1 for i in tree.query(geom.buffer(d + 1e-6))
                     if anchor_keys[i] != k and test(geom, parts[i], d))
    return out


def _relation_holds(relation: Relation, geom: BaseGeometry, anchor: BaseGeometry) -> bool:
    if relation.kind in rel.TESTS:
        result = rel.TESTS[relation.kind](geom, anchor, relation.distance_m or 0.0)
    else:
        result = rel.direction(geom, anchor, relation.kind)
    return result != relation.negated


def _has_attribute(attr: Attribute, key: ObjectKey, scene: Scene) -> bool:
    geom = scene.geometry(key)
    if attr.kind == "colour":   # "red or white": an anchor's alternatives, either
        result = any(has_colour(scene.lab(key), c) for c in attr.value.split(" or "))
    elif attr.kind == "shape":
        if attr.value in ("long", "very long"):
            result = rel.elongation(geom) >= (LONG_ELONGATION if attr.value == "long"
                                              else VERY_LONG_ELONGATION)
        elif attr.value == "compact":
            result = rel.elongation(geom) <= COMPACT_ELONGATION
        elif attr.value == "rectangular":
            result = rel.rectangularity(geom) >= RECTANGULAR_FILL
        elif attr.value == "straight":   # a strip whose middle strays by its width at most
            result = rel.straight(geom)
        elif attr.value == "curved":      # a strip that strays further, with no junction
            result = rel.curved(geom)
        elif attr.value == "courtyard":   # a hole of at least that much ground inside it
            result = rel.largest_hole(geom) >= rel.COURTYARD_MIN_M2
        else:   # irregular
            result = rel.rectangularity(geom) < IRREGULAR_FILL
    elif attr.kind == "edge":   # cut by the processed extent's edge, or within reach of it
        x0, y0, x1, y1 = scene.bounds
        reach = attr.amount * min(x1 - x0, y1 - y0) if attr.value == "near" else attr.amount
        result = rel.edge_gap(geom, scene.bounds) <= (reach or 0.0)
    elif attr.kind == "orientation":   # an elongated object whose long side lies that way
        bearing = rel.axis_bearing(geom)
        result = rel.elongation(geom) >= rel.ORIENTED_ELONGATION and min(
            rel.bearing_gap(bearing, b) for b in _AXIS_BEARINGS[attr.value]
        ) <= rel.ORIENTATION_TOLERANCE_DEG
    elif attr.kind in AVERAGED:   # ground m2 / m against the expression's threshold, or
        size = scene.lab(key)[0] if attr.kind == "lightness" else measure(attr.kind, geom)
        limit = attr.amount if attr.amount is not None else np.nan if np.isnan(size) else \
            float(np.mean(scene.sizes(key[0], attr.kind))) * (attr.factor or 1.0)   # the
        result = size > limit if attr.value == "above" else size < limit   # category's mean
    else:   # a third of the category: "large" by area, "narrow" by width
        what, large_end = lx.RELATIVE_SIZES[attr.value]
        small, large = scene.terciles(key[0], what, VERY_SIZE_QUANTILE if attr.value.startswith(
            "very ") else SIZE_QUANTILE)
        size = measure(what, geom)
        result = (size >= large if large_end else size <= small if large_end is False
                  else small < size < large)   # "medium": the middle third
    return bool(result) != attr.negated


def _centre(geom: BaseGeometry) -> Tuple[float, float]:
    c = geom.centroid
    return float(c.x), float(c.y)


#: an object's ground area (m²), length, mean width and diameter (m), and its centre's northing,
#: easting and position along the diagonals (m, for "the northernmost", "the
#: northeasternmost"): what sizes and ranks compare
_MEASURE: Dict[str, Callable[[BaseGeometry], float]] = {
    "area": lambda g: float(g.area), "length": rel.length, "width": rel.mean_width,
    "diameter": rel.diameter,
    "northing": lambda g: _centre(g)[1], "easting": lambda g: _centre(g)[0],
    "northeasting": lambda g: sum(_centre(g)) / math.sqrt(2.0),
    "northwesting": lambda g: (_centre(g)[1] - _centre(g)[0]) / math.sqrt(2.0)}


def measure(what: str, geom: BaseGeometry) -> float:
    """An object's ``what`` (one of :data:`~.plan.MEASURES`, or a rank's northing | easting)
    in ground m² or m."""
    return float(_MEASURE[what](geom))


def categories_needed(plans: Sequence[Plan]) -> List[str]:
    out: List[str] = []
    for p in plans:
        if p.mode == "grounded":
            out += [c for c in p.categories() if c not in out]
    return out
