"""Right-angle outlines for buildings: mask-traced polygons made rectilinear, in the working grid.

A segmentation mask traces a roof as a staircase with rounded corners. With ``regularize``
each object becomes, in its own dominant direction (that of its minimum rotated rectangle):

- its minimum rotated rectangle when it fills at least :data:`RECTANGLE_FILL` of it (most
  roofs); otherwise
- a rectilinear polygon: the outline is simplified, each edge classified as along or across
  the dominant direction and moved to its mean position, and consecutive edges meet at right
  angles.

The result replaces the outline only when it is valid and overlaps it with an IoU of at
least :data:`MIN_IOU`; anything else (a round tank, a tree crown) keeps its traced outline.
Works in any projected unit; call it before reprojection (the working grid is metric).
"""

from __future__ import annotations

import math
from typing import List, Tuple

from shapely import affinity
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

RECTANGLE_FILL = 0.85     # area / minimum-rotated-rectangle area above which the rectangle wins
MIN_IOU = 0.85            # a regularised outline must overlap the traced one at least this much
SIMPLIFY_PX = 1.5         # simplification before orthogonalising, in working pixels

__all__ = ["regularize", "dominant_angle", "RECTANGLE_FILL", "MIN_IOU"]


def dominant_angle(polygon: Polygon) -> float:
    """Angle (degrees) of the longest side of the minimum rotated rectangle."""
    coords = list(polygon.minimum_rotated_rectangle.exterior.coords)
    best, angle = -1.0, 0.0
    for (x0, y0), (x1, y1) in zip(coords, coords[1:]):
        length = math.hypot(x1 - x0, y1 - y0)
        if length > best:
            best, angle = length, math.degrees(math.atan2(y1 - y0, x1 - x0))
    return angle


def _rectilinear(ring: List[Tuple[float, float]]) -> List[Tuple[float, float]]:
    """A closed ring (axis-aligned frame) snapped to horizontal and vertical edges."""
    points = ring[:-1]
    edges = []  # (is_horizontal, coordinate, length)
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        dx, dy = x1 - x0, y1 - y0
        horizontal = abs(dx) >= abs(dy)
        edges.append((horizontal, (y0 + y1) / 2 if horizontal else (x0 + x1) / 2,
                      math.hypot(dx, dy)))
    merged: List[List[float]] = []  # [is_horizontal, length-weighted coordinate sum, length]
    for horizontal, coord, length in edges:
        if merged and bool(merged[-1][0]) == horizontal:
            merged[-1][1] += coord * length
            merged[-1][2] += length
        else:
            merged.append([horizontal, coord * length, length])
    if len(merged) > 1 and bool(merged[0][0]) == bool(merged[-1][0]):
        last = merged.pop()
        merged[0][1] += last[1]
        merged[0][2] += last[2]
    if len(merged) < 4 or len(merged) % 2:
        return []
    lines = [(bool(h), s / max(n, 1e-12)) for h, s, n in merged]
    out = []
    for (h0, c0), (h1, c1) in zip(lines, lines[1:] + lines[:1]):
        out.append((c1, c0) if h0 else (c0, c1))  # corner of a horizontal and a vertical line
    return out + out[:1]


def _orthogonal(polygon: Polygon, pixel: float) -> BaseGeometry:
    angle = dominant_angle(polygon)
    centre = polygon.centroid
    frame = affinity.rotate(polygon, -angle, origin=centre)
    frame = frame.simplify(SIMPLIFY_PX * pixel, preserve_topology=True)
    if not isinstance(frame, Polygon) or frame.is_empty:
        return polygon
    shell = _rectilinear(list(frame.exterior.coords))
    if not shell:
        return polygon
    holes = [h for h in (_rectilinear(list(r.coords)) for r in frame.interiors) if h]
    return affinity.rotate(Polygon(shell, holes), angle, origin=centre)


def regularize(polygon: Polygon, pixel: float) -> Polygon:
    """``polygon`` with right angles when that keeps it close; else unchanged.

    ``pixel`` is the working pixel size in the polygon's units (sets the simplification).
    """
    if not isinstance(polygon, Polygon) or polygon.is_empty or polygon.area <= 0:
        return polygon
    rectangle = polygon.minimum_rotated_rectangle
    if isinstance(rectangle, Polygon) and rectangle.area > 0 \
            and polygon.area / rectangle.area >= RECTANGLE_FILL:
        candidate: BaseGeometry = rectangle
    else:
        candidate = _orthogonal(polygon, pixel)
    if not isinstance(candidate, Polygon) or not candidate.is_valid or candidate.is_empty:
        return polygon
    union = candidate.union(polygon).area
    if union <= 0 or candidate.intersection(polygon).area / union < MIN_IOU:
        return polygon
    return candidate
