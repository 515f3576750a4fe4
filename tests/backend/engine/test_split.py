"""Touching objects split among their sure cores (rrsis.engine.split), in the strip vectoriser."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from rasterio.transform import from_origin

from rrsis.engine.split import CORE_RULES, CoreRule, core_rule, grow
from rrsis.engine.vectorize import StripVectorizer

RULE = CoreRule(probability=0.9, min_core_m2=4.0)


def two_houses() -> np.ndarray:
    """Two 10 x 10 px houses, sure in their middles (0.95), joined along a 4 px wide stretch
    of ground the model is unsure of (0.6): one blob at 0.5."""
    prob = np.zeros((20, 34), np.float32)
    prob[5:15, 2:12] = 0.7
    prob[5:15, 22:32] = 0.7
    prob[8:12, 12:22] = 0.6
    prob[7:13, 4:10] = 0.95
    prob[7:13, 24:30] = 0.95
    return prob


def objects(prob: np.ndarray, rule, cuts=(), min_area_m2: float = 1.0):
    vec = StripVectorizer(0.5, rule)
    rows = [0, *cuts, prob.shape[0]]
    for a, b in zip(rows, rows[1:]):
        vec.add(a, prob[a:b], np.ones((b - a, prob.shape[1]), bool))
    return list(vec.objects(from_origin(0, 20, 1, 1), 1.0, min_area_m2))


@pytest.mark.parametrize("cuts", [(), (9,), (3, 10, 17)])
def test_a_blob_of_two_houses_is_split_between_them_and_nothing_is_lost(cuts) -> None:
    whole = objects(two_houses(), None, cuts)
    assert len(whole) == 1
    split = objects(two_houses(), RULE, cuts)
    assert len(split) == 2
    assert sum(o.area_m2 for o in split) == pytest.approx(whole[0].area_m2)
    assert shapely.union_all([o.geometry for o in split]).equals(whole[0].geometry)
    left, right = sorted(split, key=lambda o: o.geometry.centroid.x)
    assert left.geometry.bounds[2] == right.geometry.bounds[0] == 17   # the bridge halved
    assert left.score == right.score == whole[0].score                 # the object's mean


def test_one_core_small_cores_and_a_sure_threshold_keep_the_object_whole() -> None:
    prob = two_houses()
    prob[7:13, 24:30] = 0.7                        # the right house is no longer sure anywhere
    assert len(objects(prob, RULE)) == 1
    small = two_houses()
    small[7:13, 24:30] = 0.7
    small[9:11, 26:28] = 0.95                      # a 2 x 2 px core: 4 m2 at 1 m, the least...
    assert len(objects(small, RULE)) == 2
    assert len(objects(small, CoreRule(0.9, 5.0))) == 1                # ... and under it
    assert len(objects(two_houses(), RULE, min_area_m2=40.0)) == 1    # cores under the min area
    assert core_rule(["building"], 0.95) is None                       # threshold beyond cores
    assert core_rule(["vegetation", "building"], 0.5) == CORE_RULES["building"]
    assert core_rule(["water"], 0.5) is None
    assert core_rule(["vehicle"], 0.5) == CORE_RULES["vehicle"]
    assert core_rule(["vehicle"], 0.85) is None


def test_an_object_too_large_to_divide_stays_whole(monkeypatch) -> None:
    from rrsis.engine import split

    monkeypatch.setattr(split, "MAX_SPLIT_PIXELS", 10 * 30 - 1)   # the blob's box: 10 x 30 px
    assert len(objects(two_houses(), RULE)) == 1


def test_grow_goes_to_the_nearest_seed_along_the_mask() -> None:
    mask = np.ones((1, 7), bool)
    seeds = np.zeros((1, 7), np.int32)
    seeds[0, 0], seeds[0, 6] = 1, 2
    assert grow(seeds, mask).tolist() == [[1, 1, 1, 1, 2, 2, 2]] or \
        grow(seeds, mask).tolist() == [[1, 1, 1, 2, 2, 2, 2]]
    mask[0, 3] = False                             # cut: each side its own seed
    assert grow(seeds, mask).tolist() == [[1, 1, 1, 0, 2, 2, 2]]
    lonely = np.zeros((1, 7), np.int32)
    assert grow(lonely, mask).tolist() == [[0] * 7]
