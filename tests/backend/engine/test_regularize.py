"""regularize.py: right-angle building outlines; shapes that are not rectilinear stay as traced."""

from __future__ import annotations

import math

import pytest
from shapely import affinity
from shapely.geometry import Point, Polygon

from rrsis.engine.regularize import MIN_IOU, dominant_angle, regularize


def _iou(a, b) -> float:
    return a.intersection(b).area / a.union(b).area


def _angles(polygon: Polygon):
    coords = list(polygon.exterior.coords)[:-1]
    for i, (x1, y1) in enumerate(coords):
        x0, y0 = coords[i - 1]
        x2, y2 = coords[(i + 1) % len(coords)]
        a = math.atan2(y0 - y1, x0 - x1) - math.atan2(y2 - y1, x2 - x1)
        yield abs(math.degrees(a)) % 180


def test_a_traced_l_shaped_roof_gets_six_right_angled_corners():
    roof = Polygon([(0, 0), (10, 0), (10, 4), (4, 4), (4, 10), (0, 10)])
    traced = affinity.rotate(roof, 30, origin=(0, 0)).buffer(0.3).buffer(-0.3)  # rounded
    out = regularize(traced, pixel=0.1)
    assert len(out.exterior.coords) == 7 and out.is_valid
    assert all(a == pytest.approx(90, abs=1e-6) for a in _angles(out))
    assert _iou(out, affinity.rotate(roof, 30, origin=(0, 0))) > 0.95
    assert dominant_angle(out) % 90 == pytest.approx(30, abs=1.0)


def test_a_rounded_rectangle_becomes_its_rectangle():
    traced = affinity.rotate(Polygon([(0, 0), (8, 0), (8, 5), (0, 5)]).buffer(0.5, join_style=1), 20)
    out = regularize(traced, pixel=0.1)
    assert len(out.exterior.coords) == 5
    assert all(a == pytest.approx(90, abs=1e-6) for a in _angles(out))
    assert _iou(out, traced) >= MIN_IOU


def test_round_shapes_keep_their_outline():
    disc = Point(0, 0).buffer(5)
    assert regularize(disc, pixel=0.1).equals(disc)
