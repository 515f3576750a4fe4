"""`build-dataset`: tiles, area splits, masks that match the polygons, true relational expressions.

A synthetic scene (a real GeoTIFF and GeoPackage written here, objects on the pixel grid so
the expected masks are exact boxes) and the real SpaceNet Atlanta sample from ../shared/data.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from PIL import Image
from rasterio.transform import from_origin

from helpers.data import shared_data
from rrsis.errors import CRSError, InputError
from rrsis.training.datasets.refsegrs import read_split
from rrsis.training.datasets.regions import assign_splits, build_dataset, plan_tiles
from rrsis.training.expressions import Instance, generate_expressions

X0, Y0, GSD = 500000.0, 4000000.0, 0.5
# (rows, cols) half-open pixel boxes of each object in the 64 x 64 scene
SCENE = {
    "road": [((28, 36), (0, 64))],
    "car": [((30, 34), (5, 13)), ((29, 33), (40, 48)), ((5, 9), (50, 58))],
    "building": [((10, 26), (10, 30))],
    "tree": [((14, 22), (32, 38))],
}


def _box(rows, cols):  # type: ignore[no-untyped-def]
    (r0, r1), (c0, c1) = rows, cols
    return shapely.box(X0 + c0 * GSD, Y0 - r1 * GSD, X0 + c1 * GSD, Y0 - r0 * GSD)


def _expected(*objs) -> np.ndarray:  # type: ignore[no-untyped-def]
    m = np.zeros((64, 64), bool)
    for (r0, r1), (c0, c1) in objs:
        m[r0:r1, c0:c1] = True
    return m


@pytest.fixture
def scene(tmp_path: Path) -> tuple:
    import pyogrio.raw

    raster = tmp_path / "scene.tif"
    rgb = np.random.default_rng(0).integers(0, 255, (3, 64, 64), dtype=np.uint8)
    with rasterio.open(raster, "w", driver="GTiff", width=64, height=64, count=3, dtype="uint8",
                       crs="EPSG:32633", transform=from_origin(X0, Y0, GSD, GSD)) as dst:
        dst.write(rgb)
    geoms, classes = [], []
    for cls, boxes in SCENE.items():
        for rows, cols in boxes:
            geoms.append(shapely.to_wkb(_box(rows, cols)))
            classes.append(cls)
    labels = tmp_path / "labels.gpkg"
    pyogrio.raw.write(str(labels), np.array(geoms, dtype=object), [np.array(classes, dtype=object)],
                      fields=["kind"], crs="EPSG:32633", geometry_type="Polygon", driver="GPKG")
    return raster, labels, rgb


def _samples(root: Path) -> dict:
    out = {}
    for s in read_split(root, "train"):
        out[s.expression] = (np.asarray(Image.open(s.mask)) > 50, np.asarray(Image.open(s.image)))
    return out


def test_masks_are_exactly_what_the_expressions_say(scene: tuple, tmp_path: Path) -> None:
    raster, labels, rgb = scene
    summary = build_dataset(raster, labels, "kind", tmp_path / "ds", tile_size=64,
                            split_shares=(1, 0, 0), max_expressions_per_tile=None)
    assert summary["samples"]["train"] > 0 and summary["gsd_m"] == GSD
    got = _samples(tmp_path / "ds")
    cars = SCENE["car"]
    assert np.array_equal(got["car"][0], _expected(*cars))
    assert np.array_equal(got["vehicle"][0], _expected(*cars))            # synonym, same target
    assert np.array_equal(got["car on the road"][0], _expected(cars[0], cars[1]))
    assert np.array_equal(got["building along the road"][0], _expected(*SCENE["building"]))
    assert np.array_equal(got["tree next to the building"][0], _expected(*SCENE["tree"]))
    assert "car next to the road" not in got          # the only off-road car is 9.5 m away
    assert "the largest car" not in got               # three equal cars: no unique largest
    assert np.array_equal(got["car"][1], rgb.transpose(1, 2, 0))          # image = the raster
    assert (tmp_path / "ds" / "categories.txt").read_text().split("\n")[:4] == [
        "building", "car", "road", "tree"]


def test_words_file_names_and_drops_classes(scene: tuple, tmp_path: Path) -> None:
    raster, labels, _ = scene
    words = tmp_path / "words.yaml"
    words.write_text("car: [automobile, auto]\nroad: street\ntree: null\nbuilding: [house]\n")
    build_dataset(raster, labels, "kind", tmp_path / "ds", tile_size=64, words=words,
                  split_shares=(1, 0, 0), max_expressions_per_tile=None)
    got = _samples(tmp_path / "ds")
    assert np.array_equal(got["auto"][0], _expected(*SCENE["car"]))
    assert "automobile on the street" in got and not any("tree" in e.split() for e in got)


def test_split_by_area_blocks() -> None:
    tiles = plan_tiles((0.0, 0.0, 80.0, 80.0), 10.0)             # 8 x 8 tiles
    assert len(tiles) == 64 and tiles[0].bounds == (0.0, 70.0, 10.0, 80.0)
    split = assign_splits(tiles, (0.6, 0.2, 0.2), block_tiles=2, seed=1)
    by_block: dict = {}
    for t in split:
        by_block.setdefault((t.row // 2, t.col // 2), set()).add(t.split)
    assert all(len(s) == 1 for s in by_block.values())            # a block never straddles splits
    counts = {s: sum(t.split == s for t in split) for s in ("train", "val", "test")}
    assert counts["train"] > counts["val"] > 0 and counts["test"] > 0


def test_bad_inputs_are_clear_errors(scene: tuple, tmp_path: Path) -> None:
    raster, labels, _ = scene
    with pytest.raises(InputError, match="no field 'class'"):
        build_dataset(raster, labels, "class", tmp_path / "a", tile_size=64)
    with pytest.raises(InputError, match="smaller than one tile"):
        build_dataset(raster, labels, "kind", tmp_path / "b", tile_size=128)
    geo = tmp_path / "geo.tif"
    with rasterio.open(geo, "w", driver="GTiff", width=8, height=8, count=1, dtype="uint8",
                       crs="EPSG:4326", transform=from_origin(10, 50, 0.001, 0.001)) as dst:
        dst.write(np.zeros((1, 8, 8), np.uint8))
    with pytest.raises(CRSError, match="geographic"):
        build_dataset(geo, labels, "kind", tmp_path / "c", tile_size=16)
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())


def test_relations_are_true_by_their_own_definition() -> None:
    road = shapely.box(0, 0, 100, 4)
    inst = [Instance("road", road), Instance("car", shapely.box(10, 1, 14, 3)),
            Instance("car", shapely.box(50, 6, 54, 8)),
            Instance("car", shapely.box(80, 40, 84, 42))]
    ex = {e.text: e.targets for e in generate_expressions(inst, {}, near=3.0)}
    assert ex["car"] == (1, 2, 3)
    assert ex["car on the road"] == (1,)
    assert ex["car next to the road"] == (2,)
    assert ex["car along the road"] == (1, 2)

# the real-data build-dataset test moved to test_region_build.py (the CLI now builds through
# the engine's raster code: rrsis.training.region)
