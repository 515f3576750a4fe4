"""rrsis.training.sources.common: the pure helpers the adapters share."""

from __future__ import annotations

import numpy as np

from rrsis.training.sources import common


def test_near_selects_whole_components_within_the_distance():
    objects = np.zeros((40, 40), bool)
    objects[5:10, 5:11] = True     # 4 px from the road column (x = 14)
    objects[20:25, 30:35] = True   # 16 px away
    other = np.zeros_like(objects)
    other[:, 14] = True
    sel = common.near(objects, other, 4)
    assert sel[5:10, 5:11].all() and not sel[20:25, 30:35].any()
    assert not common.near(objects, np.zeros_like(other), 4).any()


def test_crop_array_pads_where_the_window_leaves_the_array() -> None:
    arr = np.arange(25, dtype=np.uint8).reshape(5, 5)
    inside = common.crop_array(arr, 1, 1, 3)
    assert (inside == arr[1:4, 1:4]).all()
    corner = common.crop_array(arr, -2, 3, 4, fill=255)
    assert corner.shape == (4, 4)
    assert (corner[:2] == 255).all() and (corner[:, 2:] == 255).all()
    assert (corner[2:, :2] == arr[0:2, 3:5]).all()
    assert (common.crop_array(arr, 10, 10, 2, fill=7) == 7).all()  # fully outside


def test_components_are_4_connected_and_dilate_is_a_square() -> None:
    mask = np.zeros((6, 6), bool)
    mask[0, 0] = mask[1, 1] = True  # diagonal neighbours: two 4-connected components
    mask[4:6, 4:6] = True
    lab, n = common.components(mask)
    assert n == 3 and len(np.unique(lab[mask])) == 3 and (lab[~mask] == 0).all()
    assert common.components(np.zeros((3, 3), bool))[1] == 0
    grown = common.dilate(np.pad(np.ones((1, 1), bool), 3), 2)
    assert grown.sum() == 25 and grown[1:6, 1:6].all()


def test_sample_gsd_stays_in_range() -> None:
    import random

    rng = random.Random(0)
    draws = [common.sample_gsd(rng, 0.1, 0.3) for _ in range(200)]
    assert all(0.1 <= d <= 0.3 for d in draws) and len(set(draws)) > 100
    assert common.sample_gsd(rng, 0.2, 0.2) == 0.2
