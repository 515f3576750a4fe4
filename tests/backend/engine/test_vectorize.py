"""Strip vectorisation: objects whole across strip borders, holes, scores, areas."""

from __future__ import annotations

import numpy as np
import pytest
from rasterio.transform import from_origin
from shapely.geometry import box

from rrsis.engine.vectorize import StripVectorizer

T = from_origin(1000.0, 2000.0, 0.5, 0.5)


def run_strips(prob: np.ndarray, cuts, min_area: float = 0.0, simplify: float = 0.0):
    vec = StripVectorizer(0.5)
    valid = np.ones(prob.shape, bool)
    bounds = [0, *cuts, prob.shape[0]]
    for a, b in zip(bounds[:-1], bounds[1:]):
        vec.add(a, prob[a:b], valid[a:b])
    return list(vec.objects(T, 1.0, min_area, simplify))


@pytest.mark.parametrize("cuts", [[], [5], [3, 7, 11], list(range(1, 20))])
def test_u_and_n_shapes_and_a_ring_come_out_whole_whatever_the_strips(cuts) -> None:
    prob = np.zeros((20, 30), np.float32)
    prob[2:10, 2:4] = prob[2:10, 8:10] = 0.9   # U: two bars joined at the bottom
    prob[10:12, 2:10] = 0.9
    prob[2:4, 14:22] = 0.8                      # n: a bar on top, two legs
    prob[4:12, 14:16] = prob[4:12, 20:22] = 0.8
    prob[13:19, 22:29] = 0.7                    # a ring with a hole
    prob[15:17, 24:27] = 0.1
    objects = sorted(run_strips(prob, cuts), key=lambda o: o.geometry.bounds[0])
    assert len(objects) == 3
    u, n, ring = objects
    assert u.area_m2 == pytest.approx((16 + 16 + 16) * 0.25)
    assert n.area_m2 == pytest.approx((16 + 16 + 16) * 0.25)
    assert len(ring.geometry.interiors) == 1
    assert ring.area_m2 == pytest.approx((42 - 6) * 0.25)
    assert u.score == pytest.approx(0.9) and ring.score == pytest.approx(0.7)
    assert all(o.geometry.is_valid for o in objects)
    # map coordinates: column 2, row 2 -> x = 1001, y = 1999
    assert u.geometry.bounds == pytest.approx((1001.0, 1994.0, 1005.0, 1999.0))


def test_min_area_and_simplify() -> None:
    prob = np.zeros((40, 40), np.float32)
    prob[1, 1] = 0.9
    yy, xx = np.mgrid[0:40, 0:40]
    prob[(yy - 20) ** 2 + (xx - 20) ** 2 < 12 ** 2] = 0.9
    assert len(run_strips(prob, [10, 20])) == 2
    kept = run_strips(prob, [10, 20], min_area=1.0)
    assert len(kept) == 1
    simple = run_strips(prob, [10, 20], min_area=1.0, simplify=1.0)[0]
    assert simple.geometry.is_valid
    assert len(simple.geometry.exterior.coords) < len(kept[0].geometry.exterior.coords)
    assert simple.geometry.symmetric_difference(kept[0].geometry).area < 0.1 * kept[0].area_m2


def test_strips_must_be_contiguous() -> None:
    vec = StripVectorizer(0.5)
    vec.add(0, np.zeros((4, 4), np.float32), np.ones((4, 4), bool))
    with pytest.raises(ValueError):
        vec.add(5, np.zeros((4, 4), np.float32), np.ones((4, 4), bool))


def test_invalid_pixels_are_never_foreground() -> None:
    vec = StripVectorizer(0.5)
    prob = np.full((10, 10), 0.9, np.float32)
    valid = np.ones((10, 10), bool)
    valid[:, 5:] = False
    vec.add(0, prob, valid)
    (obj,) = vec.objects(T, 1.0, 0.0)
    assert obj.geometry.equals(box(1000.0, 1995.0, 1002.5, 2000.0))
