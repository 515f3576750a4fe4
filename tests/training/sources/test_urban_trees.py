"""NAIP tree points -> crown masks (``rrsis.training.sources.urban_trees``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from helpers.data import shared_data
from PIL import Image
from rrsis.training.sources import urban_trees
from rrsis.training.sources.urban_trees import CROWN_RADIUS_M, SOURCE_GSD_M, crown_mask


def _scene(ndvi_of_pixels: np.ndarray) -> np.ndarray:
    """An R,G,B,NIR image whose NDVI is ``ndvi_of_pixels`` (red fixed at 50)."""
    red = np.full(ndvi_of_pixels.shape, 50.0)
    nir = red * (1 + ndvi_of_pixels) / (1 - ndvi_of_pixels)
    return np.stack([red, red, red, np.clip(nir, 0, 255)], -1).astype(np.uint8)


def test_crowns_stay_within_the_radius_and_split_between_neighbours():
    ndvi = np.full((64, 64), 0.5)
    mask = crown_mask(_scene(ndvi), np.array([[20.0, 32.0], [30.0, 32.0]]))
    yy, xx = np.mgrid[0:64, 0:64]
    d = np.minimum(np.hypot(xx - 20, yy - 32), np.hypot(xx - 30, yy - 32)) * SOURCE_GSD_M
    assert mask[d <= CROWN_RADIUS_M - SOURCE_GSD_M].all()
    assert not mask[d > CROWN_RADIUS_M].any()


def test_lawn_far_greener_than_nothing_but_less_green_than_the_tree_is_left_out():
    ndvi = np.full((64, 64), 0.2)           # lawn: above NDVI_MIN ...
    ndvi[28:37, 28:37] = 0.6                 # ... but far below the crown's own NDVI
    mask = crown_mask(_scene(ndvi), np.array([[32.0, 32.0]]))
    assert mask[30:35, 30:35].all()
    assert not mask[ndvi == 0.2].any() or mask[ndvi == 0.2].sum() <= 13  # core only (1.2 m)


def test_a_tree_on_grey_pixels_keeps_its_core():
    mask = crown_mask(_scene(np.full((32, 32), -0.1)), np.array([[16.0, 16.0]]))
    assert mask[16, 16] and 1 <= mask.sum() <= 13


def test_no_points_no_trees():
    assert not crown_mask(_scene(np.full((8, 8), 0.6)), np.zeros((0, 2))).any()


def test_build_splits_by_city_and_masks_cover_the_labelled_points(tmp_path):
    src = shared_data("urban-trees")
    meta = urban_trees.build_urban_trees(src, tmp_path / "u", size=96)
    assert set(meta["splits"]) == {"train", "val"}
    for split in ("train", "val"):
        for line in (tmp_path / "u" / f"output_phrase_{split}.txt").read_text().splitlines():
            city = line.split()[0].split("_0")[0].removeprefix("naip-")
            assert (city in urban_trees.VAL_CITIES) == (split == "val"), line
    # whole-image masks: every labelled point of a real image lies in its crown mask
    tif = sorted((src / "images").glob("chico_*.tif"))[0]
    import rasterio

    with rasterio.open(tif) as ds:
        rgbn = ds.read([1, 2, 3, 4]).transpose(1, 2, 0)
    pts = np.loadtxt(src / "csv" / f"{tif.stem}.csv", delimiter=",", skiprows=1, ndmin=2)
    mask = crown_mask(rgbn, pts)
    xy = np.clip(np.round(pts).astype(int), 0, 255)
    assert mask[xy[:, 1], xy[:, 0]].all()
    assert 0.02 < mask.mean() < 0.6
    assert json.loads((tmp_path / "u" / "dataset.json").read_text())["derived_masks"]
    some = sorted((tmp_path / "u" / "masks").glob("*.png"))[0]
    assert Image.open(some).size == (96, 96)
