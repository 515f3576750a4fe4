"""What relations mean, geometrically: one definition for inference and for training labels.

Every test takes shapely geometries in a metric frame (ground metres; the engine
converts its working CRS with the local metres-per-unit) and returns a bool for one
object ``a`` against the union ``b`` of the anchor objects. ``rrsis.training.expressions``
builds its relational labels with these same functions, so "next to" means the same
when the model learns it and when the grounding computes it.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import LineString, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points, unary_union

__all__ = ["on", "inside", "next_to", "along", "near", "far", "surrounded", "between", "within_m",
           "beyond_m", "all_within_m", "across", "direction", "BEARINGS", "elongation",
           "rectangularity",
           "in_region", "region_box", "clip_zone", "between_zone", "direction_zone", "edges",
           "interiors",
           "polygonal", "edge_gap", "gap", "road_ends",
           "TESTS",
           "ON_FRACTION", "INSIDE_FRACTION", "SURROUNDED_FRACTION", "occluders",
           "OCCLUSION_RING_M", "OCCLUDED_FRACTION", "OCCLUDER_WIDTH", "AS_SEGMENTED",
           "mean_width", "diameter", "axis_bearing", "rectangle_sides", "length", "bearing_gap",
           "parallel", "perpendicular", "oblique", "largest_hole", "in_courtyard",
           "COURTYARD_MIN_M2", "group_sizes", "junctions", "bridges", "crosses", "CROSSING_GAP_M",
           "both_sides", "JUNCTION_RADIUS", "largest_group", "same_side", "sides_of",
           "ORIENTED_ELONGATION", "ORIENTATION_TOLERANCE_DEG", "LOCAL_AXIS_M", "straight",
           "curved", "stray", "strip_width", "STRIP_ELONGATION", "STRAIGHT_STRAY_WIDTHS",
           "row_sizes", "ROW_TOLERANCE_WIDTHS", "islands", "ISLAND_MIN_M2", "bends",
           "BEND_TURN_DEG"]

ON_FRACTION = 0.5          # "on"/"in": at least half of the object over the anchor
INSIDE_FRACTION = 0.9      # "inside"/"within": nearly all of it
JUNCTION_RADIUS = 1.5     # a junction: the road within 1.5 road widths of where its arms meet
END_GAP_WIDTHS = 3.0      # a gap in a road's mask up to 3 widths long is no end of it
END_MIN_LENGTH_WIDTHS = 8.0   # a piece of road shorter than 8 widths has no dead end
#                           (a crossing and the first metres of each arm)
COURTYARD_MIN_M2 = 10.0   # a courtyard: a hole of at least 10 m2 in an outline (a mask's
#                           specks of a pixel or two are none)
BEND_TURN_DEG = 45.0   # a bend: the road's course turns by 45 degrees or more within 2 widths
ISLAND_MIN_M2 = 100.0     # an island: a hole of at least 100 m2 in the water's outline
SURROUNDED_FRACTION = 0.6  # "surrounded by": most of a ring around the object is anchor
CROSSING_GAP_M = 3.0   # "crossing": the river's mask may stop this short of the bridge's road
DIRECTION_HALF_ANGLE = 45.0
#: the compass points "north of", "southeast of" look to: degrees clockwise from grid north.
#: An intercardinal point's sector (45 degrees either side) overlaps its neighbours': what
#: lies north-northeast of an anchor is both north and northeast of it, as people say it
BEARINGS: Dict[str, float] = {"north": 0.0, "northeast": 45.0, "east": 90.0,
                              "southeast": 135.0, "south": 180.0, "southwest": 225.0,
                              "west": 270.0, "northwest": 315.0}
OCCLUSION_RING_M = 1.0     # the ground around an object that tells what it stands on
OCCLUDED_FRACTION = 0.5    # most of that ring is anchor ...
OCCLUDER_WIDTH = 0.5       # ... and the object is at most half as wide as that anchor
OCCLUSION_SIMPLIFY_M = 0.1  # the ring is drawn around the outline simplified by this: the
#                            share of a 1 m ring barely moves, buffering gets ~8x cheaper
ORIENTED_ELONGATION = 1.2  # an outline at least 1.2 x as long as wide points some way
ORIENTATION_TOLERANCE_DEG = 22.5   # half of the 45 degrees between two axes
STRIP_ELONGATION = 2.5    # a strip (a road, a river): its middle at least 2.5 x its width
STRAIGHT_STRAY_WIDTHS = 1.0   # "straight": its middle strays from a straight line by at
#                               most its own width; "curved", "winding": by more
ROW_TOLERANCE_WIDTHS = 0.5   # "in a row": centres within half the objects' width of a line
LOCAL_AXIS_M = 15.0   # "parallel to the road": the road's direction within this of the point
#                       nearest the object (a bend or a junction further on does not count)
#: relations that take the anchor as segmented, no object counted as hiding it: what lies
#: around an object (a house in a clearing is surrounded by the forest, not on it), and what
#: an object is ("vehicles except trucks": a car beside a truck is no truck)
AS_SEGMENTED = frozenset({"surrounded", "is", "in_courtyard", "crosses", "both_sides"})


def occluders(anchors: Sequence[BaseGeometry], objects: Sequence[BaseGeometry],
              ring: float = OCCLUSION_RING_M) -> List[BaseGeometry]:
    """The ``objects`` that hide part of the anchor: seen from above, a car on the road
    covers the road, so the road's mask has a hole or a notch where the car is, and "on",
    "in" and "next to" must count the car as standing on it.

    An object hides the anchor when most of the ``ring`` metres of ground around it
    (``OCCLUDED_FRACTION``) is anchor and it is at most ``OCCLUDER_WIDTH`` as wide as the
    anchor objects it touches (:func:`mean_width`). A car in a
    lane or a house in a field hides them; a building filling its block between streets,
    or one on a corner with road on two sides, stands beside them; a block ringed by roads
    is not "on the road" (every hole filled had put it there).
    """
    parts = [p for a in anchors for p in getattr(a, "geoms", [a]) if p.area > 0]
    objects = [o for o in objects if not o.is_empty and o.area > 0]
    if not parts or not objects:
        return []
    tree = STRtree(parts)
    widths = [mean_width(p) for p in parts]
    # only an object within the ring of some anchor can be hiding it: one vectorised query
    # instead of a buffer per object (most objects of a scene are nowhere near the anchor)
    close = sorted(set(tree.query(objects, predicate="dwithin", distance=ring)[0].tolist()))
    out = []
    for o in (objects[k] for k in close):
        outline = o.simplify(OCCLUSION_SIMPLIFY_M)   # a traced one has a vertex per pixel edge
        around = outline.buffer(ring).difference(outline)
        near = tree.query(around, predicate="intersects")
        if not len(near) or mean_width(o) > OCCLUDER_WIDTH * max(widths[i] for i in near):
            continue
        touching = unary_union([parts[i] for i in near])
        if around.intersection(touching).area >= OCCLUDED_FRACTION * around.area:
            out.append(o)   # the object itself, not its simplified outline
    return out


def mean_width(geom: BaseGeometry) -> float:
    """The width of the rectangle with the object's area and perimeter (holes' rings
    included): exact for a rectangle of any proportions, and for a strip however it bends
    or branches (a winding river, a road network, a ring road around a block), where the
    enclosing rectangle's long side is no measure of its length. A disc: 0.8 x its diameter."""
    half_perimeter, area = geom.length / 2.0, geom.area
    if half_perimeter <= 0 or area <= 0:
        return 0.0
    return (half_perimeter - math.sqrt(max(half_perimeter ** 2 - 4.0 * area, 0.0))) / 2.0


def strip_width(geom: BaseGeometry) -> float:
    """A strip's width as the diameter of the largest circle inside it: the width of a road or
    a river however it bends, which a ragged outline traced from a mask barely changes (the
    perimeter of :func:`mean_width` grows with every step of it), and larger than the strip
    where it bulges (a lay-by, a pond on a river)."""
    if geom.is_empty or geom.area <= 0:
        return 0.0
    return 2.0 * float(shapely.maximum_inscribed_circle(geom).length)


def stray(geom: BaseGeometry, width: Optional[float] = None) -> float:
    """How far an object's middle strays from a straight line, in its own widths: its minimum
    rotated rectangle's short side less its ``width`` (:func:`strip_width` unless given), over
    that width (0 for a straight strip, about 1 for a road that bends away by its width)."""
    sides = rectangle_sides(geom)
    width = strip_width(geom) if width is None else width
    if sides is None or width <= 0:
        return 0.0
    return max(math.hypot(*sides[1]) - width, 0.0) / width


def _strip_stray(geom: BaseGeometry) -> Optional[float]:
    """:func:`stray` of a strip, None for any other object. A strip is one piece whose middle
    (area / :func:`strip_width`, however it bends) is at least :data:`STRIP_ELONGATION` x its
    width; a house, a pond or a blob of road is none, nor two pieces, whose enclosing
    rectangle is no measure of a course."""
    if len(getattr(geom, "geoms", [geom])) != 1:
        return None
    width = strip_width(geom)
    if width <= 0 or geom.area / width < STRIP_ELONGATION * width:
        return None
    return stray(geom, width)


def straight(geom: BaseGeometry) -> bool:
    """"straight roads": a strip whose middle strays from a straight line by at most
    :data:`STRAIGHT_STRAY_WIDTHS` of its width (:func:`stray`)."""
    strays = _strip_stray(geom)
    return strays is not None and strays <= STRAIGHT_STRAY_WIDTHS


def curved(geom: BaseGeometry) -> bool:
    """"the winding river", "curved roads": a strip that strays further (:func:`stray`)
    and has no junction (:func:`junctions`: a network of roads found as one object branches;
    it does not bend)."""
    strays = _strip_stray(geom)
    return strays is not None and strays > STRAIGHT_STRAY_WIDTHS and not junctions(geom)


def diameter(geom: BaseGeometry) -> float:
    """The diameter of the circle with the object's area: a tree crown's diameter, as a tree
    inventory gives it ("trees with a crown diameter over 8 m"), from an outline traced in
    pixels, whose ragged edge no enclosing circle or rectangle should follow."""
    return 2.0 * math.sqrt(max(geom.area, 0.0) / math.pi)


def gap(a: BaseGeometry, b: BaseGeometry) -> float:
    """Shortest distance between the outlines (0 when they touch); infinite to nothing."""
    return math.inf if b.is_empty or a.is_empty else float(a.distance(b))


def _overlap_fraction(a: BaseGeometry, b: BaseGeometry) -> float:
    return a.intersection(b).area / a.area if a.area > 0 else 0.0


def on(a: BaseGeometry, b: BaseGeometry, distance: float = 0.0) -> bool:
    """At least half of ``a``'s area lies over ``b`` ("car on the road", "in the parking lot")."""
    return a.area > 0 and _overlap_fraction(a, b) >= ON_FRACTION


def inside(a: BaseGeometry, b: BaseGeometry, distance: float = 0.0) -> bool:
    return a.area > 0 and _overlap_fraction(a, b) >= INSIDE_FRACTION


def next_to(a: BaseGeometry, b: BaseGeometry, distance: float) -> bool:
    """Within ``distance`` of ``b`` but not on it ("building next to the road")."""
    return gap(a, b) <= distance and not on(a, b)


def along(a: BaseGeometry, b: BaseGeometry, distance: float) -> bool:
    """Within ``distance`` of ``b``, on it or beside it ("vehicles along the road")."""
    return gap(a, b) <= distance


near = along  # the same test; "near" only has a larger default distance


def far(a: BaseGeometry, b: BaseGeometry, distance: float) -> bool:
    return gap(a, b) > distance


def within_m(a: BaseGeometry, b: BaseGeometry, distance: float) -> bool:
    """"within 20 m of": the gap between the outlines is at most ``distance``."""
    return gap(a, b) <= distance


def all_within_m(a: BaseGeometry, b: BaseGeometry, distance: float) -> bool:
    """"entirely within 50 m of": nearly all of ``a`` (:data:`INSIDE_FRACTION`, as "inside")
    lies within ``distance`` of ``b``; "within" alone asks for its nearest point only."""
    return a.area > 0 and _overlap_fraction(a, b.buffer(distance)) >= INSIDE_FRACTION


def beyond_m(a: BaseGeometry, b: BaseGeometry, distance: float) -> bool:
    return gap(a, b) > distance


def surrounded(a: BaseGeometry, b: BaseGeometry, distance: float) -> bool:
    """Most of the ``distance``-wide ring around ``a`` is ``b``, and ``a`` is not on ``b``."""
    ring = a.buffer(distance).difference(a)
    return ring.area > 0 and ring.intersection(b).area >= SURROUNDED_FRACTION * ring.area \
        and not on(a, b)


def direction(a: BaseGeometry, b: BaseGeometry, bearing: str) -> bool:
    """``a`` lies ``bearing`` (one of :data:`BEARINGS`) of ``b``: the line from the nearest
    point of ``b`` to ``a``'s centroid points less than 45 degrees from that compass direction
    (grid north: the working grid is north-up), so due northeast is neither north nor east
    of it. An object overlapping ``b`` is not.
    """
    from shapely.ops import nearest_points

    if a.is_empty or b.is_empty or a.intersects(b):
        return False
    c = a.centroid
    p = nearest_points(b, c)[0]
    dx, dy = c.x - p.x, c.y - p.y
    if dx == 0 and dy == 0:
        return False
    angle = math.degrees(math.atan2(dx, dy)) % 360.0  # 0 = north, 90 = east
    centre = BEARINGS[bearing]
    return abs((angle - centre + 180.0) % 360.0 - 180.0) < DIRECTION_HALF_ANGLE


#: of :func:`edges`: "the forest edge" is the strip of it within this of its outline, or
#: within this share of its width for a narrow one (a road's edges, not all of it)
EDGE_M = 10.0
EDGE_WIDTH_SHARE = 0.25
EDGE_MIN_M2 = 1.0   # a smaller strip is none (a notch of the outline)


def edges(whole: BaseGeometry, bounds: Tuple[float, float, float, float]
          ) -> List[BaseGeometry]:
    """The edge of each piece of ``whole`` ("the forest edge", "the field boundaries"): the
    strip of it within :data:`EDGE_M` of its outline (:data:`EDGE_WIDTH_SHARE` of its
    :func:`mean_width` for a narrower piece), where that outline is not the processed
    extent's edge: a forest the image cuts goes on past it, nor a hole smaller than an island
    (:data:`ISLAND_MIN_M2`: what stands on it, a gap in the canopy). One geometry per piece
    (a road's two edges are one: "the northern edge of the road" is the north of that)."""
    return [s for s in (polygonal(piece.difference(inner))
                        for piece, inner in _inners(whole, bounds)) if s.area >= EDGE_MIN_M2]


def interiors(whole: BaseGeometry, bounds: Tuple[float, float, float, float]
              ) -> List[BaseGeometry]:
    """The interior of each piece of ``whole`` ("the forest interior", "the interior of the
    lake"): what is left of it without its :func:`edges`."""
    return [i for i in (polygonal(inner) for _, inner in _inners(whole, bounds))
            if i.area >= EDGE_MIN_M2]


def _inners(whole: BaseGeometry, bounds: Tuple[float, float, float, float]
            ) -> Iterator[Tuple[BaseGeometry, BaseGeometry]]:
    """Each piece of ``whole`` (holes smaller than an island filled) and its part farther than
    its edge's width from its outline, the processed extent's edge no outline."""
    frame = box(*bounds)
    for piece in shapely.get_parts(whole):
        specks = [h for h in _holes(piece) if h.area < ISLAND_MIN_M2]   # a car on the road, a
        piece = unary_union([piece, *specks])                          # gap in the canopy
        width = min(EDGE_M, EDGE_WIDTH_SHARE * mean_width(piece))
        if width <= 0:
            continue
        beyond = piece.buffer(2 * width).difference(frame)   # as if it went on out there
        yield piece, piece.intersection(piece.union(beyond).buffer(-width))


#: of :func:`direction_zone`: the anchor's outline is simplified by this first (a traced one
#: has a vertex per pixel edge)
DIRECTION_ZONE_SIMPLIFY_M = 0.5


def direction_zone(anchor: BaseGeometry, bearing: str, reach: float) -> BaseGeometry:
    """The ground ``bearing`` of ``anchor`` ("the part of the lake north of the road"): the
    points within :data:`DIRECTION_HALF_ANGLE` of that compass direction from some point of
    it, out to ``reach`` (the anchor swept along that cone: each edge of its outline with its
    copies at the cone's two sides), the anchor itself left out."""
    outline = anchor.simplify(DIRECTION_ZONE_SIMPLIFY_M)
    centre = BEARINGS[bearing]
    sides = [(reach * math.sin(math.radians(centre + s * DIRECTION_HALF_ANGLE)),
              reach * math.cos(math.radians(centre + s * DIRECTION_HALF_ANGLE))) for s in (-1, 1)]
    swept = []
    for ring in shapely.get_rings(shapely.get_parts(outline)):
        xy = list(ring.coords)
        for (x0, y0), (x1, y1) in zip(xy, xy[1:]):
            points = [(x0, y0), (x1, y1)] + [(x + dx, y + dy) for dx, dy in sides
                                             for x, y in ((x0, y0), (x1, y1))]
            swept.append(shapely.MultiPoint(points).convex_hull)
    return unary_union(swept).difference(anchor)


def rectangle_sides(geom: BaseGeometry
                    ) -> Optional[Tuple[Tuple[float, float], Tuple[float, float]]]:
    """Two adjacent sides (dx, dy) of the minimum rotated rectangle, the longer first; None
    for a point or a line's degenerate rectangle."""
    rect = geom.minimum_rotated_rectangle
    coords = list(rect.exterior.coords) if hasattr(rect, "exterior") else []
    if len(coords) < 4:
        return None
    (x0, y0), (x1, y1), (x2, y2) = coords[:3]
    a, b = (x1 - x0, y1 - y0), (x2 - x1, y2 - y1)
    return (a, b) if math.hypot(*a) >= math.hypot(*b) else (b, a)


def length(geom: BaseGeometry) -> float:
    """The long side of the minimum rotated rectangle (0 for a point)."""
    sides = rectangle_sides(geom)
    return math.hypot(*sides[0]) if sides else 0.0


def elongation(geom: BaseGeometry) -> float:
    """Long side / short side of the minimum rotated rectangle (1 for a square)."""
    sides = rectangle_sides(geom)
    if sides is None:
        return 1.0
    long_, short = math.hypot(*sides[0]), math.hypot(*sides[1])
    return long_ / short if short > 0 else float("inf")


def axis_bearing(geom: BaseGeometry) -> float:
    """The bearing of the long side of the minimum rotated rectangle, in degrees clockwise from
    grid north, 0-180 (0: north-south, 90: east-west); meaningless for a square."""
    sides = rectangle_sides(geom)
    if sides is None:
        return 0.0
    dx, dy = sides[0]
    return math.degrees(math.atan2(dx, dy)) % 180.0


def bearing_gap(a: float, b: float) -> float:
    """Degrees between two axis bearings (0-180, so 170 and 10 are 20 apart)."""
    d = abs(a - b) % 180.0
    return min(d, 180.0 - d)


def _local_axis_gap(a: BaseGeometry, b: BaseGeometry, distance: float) -> Optional[float]:
    """Degrees between ``a``'s long side and the direction of ``b`` where it is nearest
    ``a`` (``b`` clipped to :data:`LOCAL_AXIS_M` around that point, or ``a``'s length if
    longer); None when ``b`` is beyond ``distance`` or either points no way."""
    if b.is_empty or gap(a, b) > distance or elongation(a) < ORIENTED_ELONGATION:
        return None
    point = nearest_points(a, b)[1]
    local = b.intersection(point.buffer(max(LOCAL_AXIS_M, length(a))))
    if local.is_empty or elongation(local) < ORIENTED_ELONGATION:
        return None
    return bearing_gap(axis_bearing(a), axis_bearing(local))


def parallel(a: BaseGeometry, b: BaseGeometry, distance: float) -> bool:
    """Within ``distance`` of ``b``, its long side within
    :data:`ORIENTATION_TOLERANCE_DEG` of ``b``'s direction where ``b`` is nearest."""
    found = _local_axis_gap(a, b, distance)
    return found is not None and found <= ORIENTATION_TOLERANCE_DEG


def perpendicular(a: BaseGeometry, b: BaseGeometry, distance: float) -> bool:
    """Within ``distance`` of ``b``, its long side within
    :data:`ORIENTATION_TOLERANCE_DEG` of square to ``b``'s direction where ``b`` is nearest."""
    found = _local_axis_gap(a, b, distance)
    return found is not None and found >= 90.0 - ORIENTATION_TOLERANCE_DEG


def oblique(a: BaseGeometry, b: BaseGeometry, distance: float) -> bool:
    """Within ``distance`` of ``b``, its long side at an angle to ``b``'s direction where
    ``b`` is nearest: neither parallel nor perpendicular ("cars parked at an angle to the
    road": angle parking)."""
    found = _local_axis_gap(a, b, distance)
    return found is not None and ORIENTATION_TOLERANCE_DEG < found < 90.0 - \
        ORIENTATION_TOLERANCE_DEG


def largest_hole(geom: BaseGeometry) -> float:
    """The ground area of the largest hole in ``geom``'s outline (0 for none): a courtyard,
    which the vectoriser keeps ("buildings with a courtyard")."""
    return max((h.area for h in _holes(geom)), default=0.0)


def in_courtyard(a: BaseGeometry, b: BaseGeometry, distance: float = 0.0) -> bool:
    """``a``'s centre lies in a courtyard of ``b``: a hole of at least
    :data:`COURTYARD_MIN_M2` in ``b``'s outline ("trees in the courtyard"; the union of
    several buildings that enclose one has it too)."""
    centre = a.representative_point()
    return any(h.area >= COURTYARD_MIN_M2 and h.contains(centre) for h in _holes(b))


def junctions(road: BaseGeometry) -> List[BaseGeometry]:
    """The junctions of a road mask ("the intersection", "cars at the junction"): where at
    least three arms of road leave a point of its middle (:func:`_arms`). Each junction is the
    road within :data:`JUNCTION_RADIUS` widths of the centre of its points (neighbours merged,
    and junctions whose circles overlap are one: a wide crossing's corners are not four)."""
    return _road_places(road, lambda rays: _arm_count(rays) >= 3)


def road_ends(road: BaseGeometry, bounds: Tuple[float, float, float, float]
              ) -> List[BaseGeometry]:
    """The dead ends of a road mask ("the end of the road", "cul-de-sacs"): where one arm of
    road leaves a point of its middle (:func:`_arms`: the last two widths of a road that
    stops), as :func:`junctions` are found; not where the road leaves ``bounds`` (the
    processed extent: within a road's width of its edge), which is no end of the road, nor
    at a gap in the mask of up to :data:`END_GAP_WIDTHS` widths (the model finding a road in
    pieces), closed before the ends are looked for, nor of a piece of road shorter than
    :data:`END_MIN_LENGTH_WIDTHS` widths along its middle (a speck the model took for road)."""
    if road.is_empty:
        return []
    width = max(mean_width(road), 2.0)
    reach = END_GAP_WIDTHS * width / 2.0   # a gap in the mask is no end: closed first
    closed = road.buffer(reach, join_style="mitre").buffer(-reach, join_style="mitre")
    pieces = [p for p in getattr(closed, "geoms", [closed])   # a piece of road, not a speck
              if p.area / max(mean_width(p), 1e-9) >= END_MIN_LENGTH_WIDTHS * width]
    ends = [end.intersection(road) for end in _road_places(closed,
                                                          lambda rays: _arm_count(rays) == 1)
            if edge_gap(end, bounds) > width and any(p.intersects(end) for p in pieces)]
    return [end for end in ends if not end.is_empty]


def bends(road: BaseGeometry) -> List[BaseGeometry]:
    """The bends of a road mask ("cars at the bend", "the bend in the road"): where two arms of
    road leave a point of its middle (:func:`_arms`) and its course turns by at least
    :data:`BEND_TURN_DEG` between them, found as :func:`junctions` are: a corner, a hairpin.
    The arms are looked at two widths out, so a wide sweeping curve is no bend (its course is
    :func:`curved`)."""
    return _road_places(road, lambda rays: _turns(rays) >= BEND_TURN_DEG)


def _road_places(road: BaseGeometry, chosen: Callable[[np.ndarray], np.ndarray]
                 ) -> List[BaseGeometry]:
    """The road within :data:`JUNCTION_RADIUS` widths of the centres of the groups of points
    of its middle ``chosen`` by their rays (:func:`_arms`); overlapping circles are one
    place."""
    if road.is_empty:
        return []
    width = max(mean_width(road), 2.0)
    xs, ys, rays = _arms(road, width)
    picked = chosen(rays)
    places = shapely.points(xs[picked], ys[picked])
    if not len(places):
        return []
    merged = unary_union(shapely.buffer(places, width / 4.0))   # the points of one place
    centres = [g.centroid for g in getattr(merged, "geoms", [merged])]
    discs = unary_union([c.buffer(JUNCTION_RADIUS * width) for c in centres])  # overlapping
    return [d.intersection(road) for d in getattr(discs, "geoms", [discs])]    # ones are one


def _arms(road: BaseGeometry, width: float) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points of a road mask's middle and, for each, which of 32 rays round it (from grid east,
    anticlockwise) find road both 1.25 and 2 widths out: points on a grid of a quarter of the
    road's ``width`` (:func:`mean_width` of the whole network) at least a quarter width inside
    it. Each arm of road leaving a point is a run of at least two such rays
    (:func:`_arm_count`: twice along a straight road or a bend, once at an end, three times or
    more at a junction; the slivers of the nearer circle past a road's end go no further)."""
    x0, y0, x1, y1 = road.bounds
    step = width / 4.0   # at least one point across the middle half of every road
    xs, ys = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
    xs, ys = xs.ravel(), ys.ravel()
    inside = shapely.contains_xy(road, xs, ys)
    xs, ys = xs[inside], ys[inside]
    keep = shapely.distance(road.boundary, shapely.points(xs, ys)) >= 0.25 * width
    xs, ys = xs[keep], ys[keep]
    angles = np.linspace(0.0, 2.0 * np.pi, 32, endpoint=False)
    on_road = np.ones((len(xs), len(angles)), dtype=bool)
    for radius in ((JUNCTION_RADIUS - 0.25) * width, 2.0 * width):   # the arm goes on
        on_road &= shapely.contains_xy(road, xs[:, None] + radius * np.cos(angles),
                                       ys[:, None] + radius * np.sin(angles))
    return xs, ys, on_road


def _arm_count(rays: np.ndarray) -> np.ndarray:
    """The arms of each point of :func:`_arms`: its runs of at least two rays on road."""
    runs = rays & np.roll(rays, -1, axis=1)          # two samples in a row
    return (runs & ~np.roll(runs, 1, axis=1)).sum(axis=1)   # the runs' starts


def _turns(rays: np.ndarray) -> np.ndarray:
    """Degrees the road's course turns at each point of :func:`_arms` with two arms, between
    the mean directions of their rays (0 along a straight road; 0 at any other point)."""
    out = np.zeros(len(rays))
    n = rays.shape[1]
    angles = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    for p in np.nonzero(_arm_count(rays) == 2)[0]:
        shift = int(np.argmin(rays[p]))   # start at a ray off road: no arm wraps round
        edges = np.diff(np.concatenate([[0], np.roll(rays[p], -shift).astype(int), [0]]))
        arms = [(b, e) for b, e in zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0])
                if e - b >= 2]
        if len(arms) != 2:
            continue
        directions = [angles[(np.arange(b, e) + shift) % n] for b, e in arms]
        a, b = (math.atan2(np.sin(d).sum(), np.cos(d).sum()) for d in directions)
        between = abs((a - b + math.pi) % (2.0 * math.pi) - math.pi)   # 0..pi
        out[p] = 180.0 - math.degrees(between)
    return out


def bridges(road: BaseGeometry, water: BaseGeometry) -> List[BaseGeometry]:
    """The bridges of a road mask over a water mask ("cars on the bridge"): the road inside
    the water's outline once its gaps up to twice the road's width (:func:`mean_width` of
    the whole network) are closed, in pieces with water on two opposite sides. A river's
    mask is cut where the road is drawn over its bridge, or runs on under a deck drawn as
    both: either way the deck is found. A road along a bank, or ending at it, has water on
    one side only; a sliver under a quarter of the road's width squared is none."""
    if road.is_empty or water.is_empty:
        return []
    width = max(mean_width(road), 2.0)
    closed = water.buffer(width, join_style="mitre").buffer(   # the gap the deck makes in
        -width, join_style="mitre")                                # the river, filled square
    decks = road.intersection(closed)
    out: List[BaseGeometry] = []
    for deck in getattr(decks, "geoms", [decks]):
        if not isinstance(deck, Polygon) or deck.area < 0.25 * width * width:
            continue
        around = water.intersection(deck.buffer(width / 2.0)).difference(deck)
        sides = [p for p in getattr(around, "geoms", [around]) if p.area > 0]
        if _on_both_sides(sides, deck):   # upstream and downstream of it
            out.append(deck)
    return out


def islands(water: BaseGeometry) -> List[BaseGeometry]:
    """The islands of a water mask ("trees on the island", "islands in the river"): the holes
    in its outline of at least :data:`ISLAND_MIN_M2` (a boat, a rock, a speck of the mask
    are smaller). Ground the processed extent's edge cuts off is no hole, so no island: the
    water may go round it outside the image."""
    return [h for h in _holes(water) if h.area >= ISLAND_MIN_M2]


def _holes(geom: BaseGeometry) -> List[Polygon]:
    return [Polygon(ring) for p in getattr(geom, "geoms", [geom])
            for ring in getattr(p, "interiors", [])]


def rectangularity(geom: BaseGeometry) -> float:
    """Area / area of the minimum rotated rectangle (1 for a rectangle, pi/4 for a disc)."""
    rect = geom.minimum_rotated_rectangle
    return geom.area / rect.area if rect.area > 0 else 1.0


def edge_gap(geom: BaseGeometry, bounds: Tuple[float, float, float, float]) -> float:
    """The ground distance from an object to the edge of ``bounds`` (the processed extent): 0
    for an object the edge cuts, whose outline runs along it."""
    return float(geom.distance(box(*bounds).exterior))


def in_region(point_xy: Tuple[float, float], bounds: Tuple[float, float, float, float],
              row: Optional[str], col: Optional[str], share: float = 0.5) -> bool:
    """Whether a point (an object's centroid) lies in that part of ``bounds`` (north up).

    top/bottom and left/right are the ``share`` of an axis from that edge (a half by
    default); "centre" is the middle ``share`` of an axis.
    """
    x, y = point_xy
    xmin, ymin, xmax, ymax = bounds
    fx = (x - xmin) / (xmax - xmin) if xmax > xmin else 0.5
    fy = (ymax - y) / (ymax - ymin) if ymax > ymin else 0.5

    def ok(f: float, part: Optional[str], low: str, high: str) -> bool:
        if part is None:
            return True
        if part == "centre":
            return abs(f - 0.5) <= share / 2
        return f < share if part == low else f >= 1.0 - share

    return ok(fy, row, "top", "bottom") and ok(fx, col, "left", "right")


def region_box(bounds: Tuple[float, float, float, float], row: Optional[str],
               col: Optional[str], share: float = 0.5) -> Polygon:
    """The ground of that part of ``bounds`` (north up) :func:`in_region` keeps the centres
    of: "the section of the river in the north of the image" is cut to it."""
    xmin, ymin, xmax, ymax = bounds

    def span(part: Optional[str], low: str, lo: float, hi: float) -> Tuple[float, float]:
        size = hi - lo
        if part is None:
            return lo, hi
        if part == "centre":
            return lo + size * (0.5 - share / 2), lo + size * (0.5 + share / 2)
        return (lo, lo + size * share) if part == low else (hi - size * share, hi)

    x0, x1 = span(col, "left", xmin, xmax)
    y0, y1 = span(row, "bottom", ymin, ymax)   # rows count from the top, y from the bottom
    return box(x0, y0, x1, y1)


def clip_zone(kind: str, anchor: BaseGeometry, distance: float) -> Tuple[BaseGeometry, bool]:
    """The ground a relation of ``kind`` (:data:`~.plan.CLIP_KINDS`) holds on around
    ``anchor``, and whether it holds inside it (else outside): "on", "in", "crossing" over it;
    "along", "near", "within" within ``distance`` of it; "next to" that ground off the anchor;
    "far from", "more than ... from" beyond ``distance``."""
    if kind in ("on", "inside", "crosses"):   # "the part of the road crossing the forest"
        return anchor, True
    reach = anchor.buffer(distance) if distance > 0 else anchor
    if kind == "next_to":
        return reach.difference(anchor), True
    return reach, kind not in ("far", "beyond_m")


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The areas of ``geom``: a cut along an outline leaves lines and points too."""
    return unary_union([g for g in shapely.get_parts(geom)
                        if g.geom_type in ("Polygon", "MultiPolygon") and g.area > 0])


def between(a: BaseGeometry, anchors: Sequence[Tuple[str, BaseGeometry]],
            distance: float) -> bool:
    """Two anchor objects lie on either side of ``a``: its centre is inside the convex hull of
    the pair, in neither of them, and each is within ``distance`` of ``a`` ("cars between the
    buildings"). ``anchors`` are (category, object); when they are of two categories or more
    ("between the road and the river") the pair is of two categories."""
    if a.is_empty:
        return False
    centre = a.representative_point()
    close = [(c, b) for c, b in anchors if gap(a, b) <= distance and not b.contains(centre)]
    mixed = len({c for c, _ in anchors}) > 1
    return any(b1.union(b2).convex_hull.contains(centre)
               for i, (c1, b1) in enumerate(close) for c2, b2 in close[i + 1:]
               if not (mixed and c1 == c2))


#: of :func:`between_zone`: each anchor object pairs with this many of its nearest others
BETWEEN_NEIGHBOURS = 3


def between_zone(anchors: Sequence[Tuple[str, BaseGeometry]]) -> BaseGeometry:
    """The ground between anchor objects ("the stretch of the river between the two
    bridges"): the convex hulls of pairs of them, each object with its
    :data:`BETWEEN_NEIGHBOURS` nearest others (of another category where they are of several,
    as :func:`between` pairs them), the objects themselves left out."""
    mixed = len({c for c, _ in anchors}) > 1
    hulls = []
    for i, (c1, b1) in enumerate(anchors):
        others = sorted((gap(b1, b2), j) for j, (c2, b2) in enumerate(anchors)
                        if j != i and not (mixed and c1 == c2))
        hulls += [b1.union(anchors[j][1]).convex_hull for _, j in others[:BETWEEN_NEIGHBOURS]]
    return unary_union(hulls).difference(unary_union([b for _, b in anchors]))


def across(a: BaseGeometry, anchors: Sequence[BaseGeometry], via: BaseGeometry,
           distance: float) -> bool:
    """``a`` faces one of ``anchors`` across ``via`` ("the houses across the road from the
    school"): an anchor within ``distance`` of it, and the straight line between their
    centres crosses ``via`` in the ground between the two objects (not only inside them)."""
    if a.is_empty or via.is_empty:
        return False
    return any(not b.is_empty and gap(a, b) <= distance and _crosses(a, b, via)
               for b in anchors)


def same_side(a: BaseGeometry, anchors: Sequence[BaseGeometry], via: BaseGeometry) -> bool:
    """``a`` is on the same side of ``via`` as one of ``anchors`` ("the houses on the same
    side of the road as the school"), at any distance: the straight line between their
    centres does not cross ``via`` in the ground between them (a road that ends between two
    houses leaves them on one side)."""
    if a.is_empty or via.is_empty:
        return False
    return any(not b.is_empty and not _crosses(a, b, via) for b in anchors)


def _crosses(a: BaseGeometry, b: BaseGeometry, via: BaseGeometry) -> bool:
    """Whether the straight line between the centres of ``a`` and ``b`` crosses ``via`` in
    the ground between the two objects (not only inside them)."""
    between = LineString([a.representative_point(), b.representative_point()]).difference(
        a.union(b))
    return not between.is_empty and between.intersects(via)


def crosses(a: BaseGeometry, b: BaseGeometry, distance: float = CROSSING_GAP_M) -> bool:
    """``a`` runs across ``b`` ("roads crossing the river", "roads through the forest"):
    ``b`` cuts ``a`` into pieces on both sides of it (a road drawn over the river's mask: its
    banks' stretches), or ``a`` parts two pieces of ``b`` within ``distance`` of it (a river
    mask cut by the road drawn over the bridge, a forest by its road), or ``a`` lies mostly
    on ``b`` (the bridge's stretch alone, a road under the canopy). A piece counts from as
    long as ``a`` is wide (its square): a bulge over the bank is no crossing; a road ending
    at a river, or running beside it, crosses nothing."""
    if a.is_empty or b.is_empty or gap(a, b) > distance:
        return False
    if on(a, b):
        return True
    least = max(mean_width(a), 1.0) ** 2

    def pieces(geom: BaseGeometry) -> List[BaseGeometry]:
        return [p for p in getattr(geom, "geoms", [geom]) if p.area >= least]

    return _on_both_sides(pieces(a.difference(b)), b) or \
        _on_both_sides([p for p in pieces(b) if gap(a, p) <= distance], a)


def both_sides(a: BaseGeometry, b: BaseGeometry, distance: float) -> bool:
    """Pieces of ``b`` within ``distance`` of ``a`` lie on both sides of it ("roads with
    buildings on both sides"): the straight line between two of them crosses ``a``. A piece
    mostly on ``a`` is on no side of it."""
    if a.is_empty or b.is_empty:
        return False
    return _on_both_sides([p for p in getattr(b, "geoms", [b])
                           if gap(a, p) <= distance and not on(p, a)], a)


def sides_of(parts: Sequence[BaseGeometry], via: BaseGeometry) -> Tuple[List[int], List[int]]:
    """``parts`` (indexes) on one side of ``via`` and on the other ("the largest building on
    each side of the road"): those whose line to the first part does not cross ``via``, and
    those whose line does (:func:`same_side`'s test; a road that bends between two houses
    can put them on two sides)."""
    if not parts:
        return [], []
    crossed = [bool(i) and _crosses(parts[0], p, via) for i, p in enumerate(parts)]
    return ([i for i, c in enumerate(crossed) if not c], [i for i, c in enumerate(crossed) if c])


def _on_both_sides(parts: Sequence[BaseGeometry], via: BaseGeometry) -> bool:
    """Two of ``parts`` lie on either side of ``via``: the line between them crosses it."""
    return any(_crosses(p, q, via) for i, p in enumerate(parts) for q in parts[i + 1:])


def group_sizes(parts: Sequence[BaseGeometry], distance: float) -> List[int]:
    """For each of ``parts``, the number of parts in its group: the parts linked to it by a
    chain of gaps of at most ``distance`` ("cars in a row", "clusters of houses": each within
    reach of the next, not all of each other)."""
    roots = _group_roots(parts, distance)
    counts = Counter(roots)
    return [counts[r] for r in roots]


def row_sizes(parts: Sequence[BaseGeometry], distance: float) -> List[int]:
    """For each of ``parts``, the number of parts in the longest row it is in ("cars in a
    row", "a row of houses"): parts whose centres lie within :data:`ROW_TOLERANCE_WIDTHS` of
    the parts' median width (:func:`strip_width`) of the straight line through the centres of two
    neighbours (a gap of at most ``distance``), linked by a chain of such gaps. Two rows of a
    car park side by side are two rows; a row that bends is cut where it strays."""
    if not parts:
        return []
    centres = np.array([(c.x, c.y) for c in (p.centroid for p in parts)])
    tolerance = ROW_TOLERANCE_WIDTHS * float(np.median([strip_width(p) for p in parts]))
    linked: Dict[int, Set[int]] = {i: set() for i in range(len(parts))}
    for i, j in _linked_pairs(parts, distance):
        linked[i].add(j)
        linked[j].add(i)
    best = [1] * len(parts)
    for i in linked:
        for j in (j for j in linked[i] if j > i):
            dx, dy = centres[j] - centres[i]
            norm = math.hypot(dx, dy)
            if norm == 0:
                continue
            off = np.abs((centres[:, 0] - centres[i, 0]) * -dy
                         + (centres[:, 1] - centres[i, 1]) * dx) / norm
            on_line = set(np.nonzero(off <= tolerance)[0].tolist())
            row, todo = {i}, [i]   # the parts on the line chained to i
            while todo:
                for k in linked[todo.pop()] & on_line - row:
                    row.add(k)
                    todo.append(k)
            for k in row:
                best[k] = max(best[k], len(row))
    return best


def largest_group(parts: Sequence[BaseGeometry], distance: float, groups: int = 1
                  ) -> Set[int]:
    """The indices of the parts of the ``groups`` groups with the most parts ("the largest
    cluster of buildings", "the 2 largest clusters"); of two as large, the one with the larger
    area first; none of no parts."""
    roots = _group_roots(parts, distance)
    if not roots:
        return set()
    counts, area = Counter(roots), Counter()
    for r, p in zip(roots, parts):
        area[r] += p.area
    best = set(sorted(counts, key=lambda r: (counts[r], area[r]), reverse=True)[:groups])
    return {i for i, r in enumerate(roots) if r in best}


def _group_roots(parts: Sequence[BaseGeometry], distance: float) -> List[int]:
    """Each part's group, named by one of its parts: union-find over an STRtree's pairs whose
    gap is at most ``distance``."""
    parent = list(range(len(parts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in _linked_pairs(parts, distance):
        parent[root(j)] = root(i)
    return [root(i) for i in range(len(parts))]


def _linked_pairs(parts: Sequence[BaseGeometry], distance: float) -> Iterator[Tuple[int, int]]:
    """The pairs (i < j) of ``parts`` whose gap is at most ``distance``, by an STRtree."""
    tree = STRtree(list(parts))
    for i, p in enumerate(parts):
        for j in tree.query(p.buffer(distance + 1e-6)):
            if j > i and gap(p, parts[int(j)]) <= distance:
                yield i, int(j)


#: relation kind -> test(a, b, distance)
TESTS: Dict[str, Callable[[BaseGeometry, BaseGeometry, float], bool]] = {
    "on": on, "inside": inside, "next_to": next_to, "along": along, "near": near, "far": far,
    "with": along,   # "parking lots with cars": one of them within the distance, or on it
    "is": on,        # "vehicles except trucks": mostly over a truck is a truck
    "within_m": within_m, "beyond_m": beyond_m, "surrounded": surrounded,
    "all_within_m": all_within_m,
    "parallel": parallel, "perpendicular": perpendicular, "oblique": oblique,
    "in_courtyard": in_courtyard, "crosses": crosses, "both_sides": both_sides,
}
