"""`build-dataset`: masks that match the polygons, words files, clear errors, true relations.

A synthetic scene (a real GeoTIFF and GeoPackage written here, objects on the pixel grid so
the expected masks are exact boxes) through :func:`rrsis.training.region.build_region_dataset`
(tiles, parts and served-tile identity are in ``test_region_build.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from PIL import Image
from rasterio.transform import from_origin

from rrsis.errors import InputError
from rrsis.training.datasets.refsegrs import read_split
from rrsis.training.expressions import Instance, generate_expressions
from rrsis.training.region import build_region_dataset
from rrsis.training.region.labels import read_words

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
    summary = build_region_dataset(raster, labels, tmp_path / "ds", class_field="kind",
                                   tile_size=64, split_shares=(1, 0, 0),
                                   max_expressions_per_tile=None)
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
    build_region_dataset(raster, labels, tmp_path / "ds", class_field="kind", tile_size=64,
                         words=words, split_shares=(1, 0, 0), max_expressions_per_tile=None)
    got = _samples(tmp_path / "ds")
    assert np.array_equal(got["auto"][0], _expected(*SCENE["car"]))
    assert "automobile on the street" in got and not any("tree" in e.split() for e in got)


def _class_raster(path: Path, codes: dict, nodata=None) -> Path:  # type: ignore[no-untyped-def]
    """The scene as a land-cover map: one code per pixel (later classes paint over earlier)."""
    values = np.zeros((64, 64), np.uint8)
    for cls, code in codes.items():
        for (r0, r1), (c0, c1) in SCENE[cls]:
            values[r0:r1, c0:c1] = code
    with rasterio.open(path, "w", driver="GTiff", width=64, height=64, count=1, dtype="uint8",
                       crs="EPSG:32633", transform=from_origin(X0, Y0, GSD, GSD),
                       nodata=nodata) as dst:
        dst.write(values, 1)
    return path


def test_a_class_raster_is_labels(scene: tuple, tmp_path: Path) -> None:
    """A land-cover map (codes per pixel) or a building mask: its areas are the objects, its
    masks the raster's own pixels; codes are named by words, as for a vector class field
    (its 0 too, else it is unlabelled ground)."""
    raster, _, _ = scene
    classes = _class_raster(tmp_path / "cover.tif", {"road": 1, "car": 2, "building": 3})
    with pytest.raises(InputError, match=r"codes, not words \(0, 1, 2, 3\)"):
        build_region_dataset(raster, classes, tmp_path / "ds", class_field="value", tile_size=64)
    with pytest.raises(InputError, match="its classes are its pixel values"):
        build_region_dataset(raster, classes, tmp_path / "ds", class_field="kind", tile_size=64)
    summary = build_region_dataset(
        raster, classes, tmp_path / "ds", class_field="value", tile_size=64,
        words="{0: null, 1: road, 2: car, 3: building}", split_shares=(1, 0, 0),
        max_expressions_per_tile=None)
    assert summary["categories"] == ["building", "car", "road"] and summary["extent"] == [
        X0, Y0 - 32, X0 + 32, Y0]                                 # the map's area: all of it
    got = _samples(tmp_path / "ds")
    assert np.array_equal(got["car"][0], _expected(*SCENE["car"]))
    assert np.array_equal(got["building"][0], _expected(*SCENE["building"]))
    assert np.array_equal(got["road"][0], _expected(*SCENE["road"]) & ~_expected(*SCENE["car"]))
    # the map's 0, not named while its other codes are: unlabelled ground, and said so
    unnamed = build_region_dataset(
        raster, classes, tmp_path / "ds0", class_field="value", tile_size=64,
        words="{1: road, 2: car, 3: building}", split_shares=(1, 0, 0),
        max_expressions_per_tile=None)
    assert unnamed["classes"]["0"] is None and unnamed["samples"] == summary["samples"]
    assert any("0, which the words do not name, is read as unlabelled" in w
               for w in unnamed["warnings"])
    mask = _class_raster(tmp_path / "mask.tif", {"building": 1})
    build_region_dataset(raster, mask, tmp_path / "ds2", fixed_class="building", tile_size=64,
                         split_shares=(1, 0, 0), max_expressions_per_tile=None)
    got = _samples(tmp_path / "ds2")
    assert np.array_equal(got["building"][0], _expected(*SCENE["building"]))


def test_words_files_are_read_as_text_and_bad_ones_are_clear_errors(tmp_path: Path) -> None:
    good = tmp_path / "w.yaml"
    good.write_text("yes: [Car, auto]\n1: street\ntree: null\nshed: []\n")
    assert read_words(good) == {"yes": ["car", "auto"], "1": ["street"], "tree": None,
                                "shed": None}            # "yes" and 1 stay the class text
    assert read_words(None) == {}
    for text, match in (("car: {a: 1}\n", "must be a word"), ("- car\n", "expected a mapping"),
                        ("car: [\n", "not valid YAML")):
        bad = tmp_path / "bad.yaml"
        bad.write_text(text)
        with pytest.raises(InputError, match=match):
            read_words(bad)
    with pytest.raises(InputError, match="not found"):
        read_words(tmp_path / "missing.yaml")


def test_bad_inputs_are_clear_errors(scene: tuple, tmp_path: Path) -> None:
    raster, labels, _ = scene
    with pytest.raises(InputError, match="'class'"):
        build_region_dataset(raster, labels, tmp_path / "a", class_field="class", tile_size=64)
    with pytest.raises(InputError, match="at least 32"):
        build_region_dataset(raster, labels, tmp_path / "b", class_field="kind", tile_size=16)
    (tmp_path / "c").mkdir()
    with pytest.raises(InputError, match="exists"):
        build_region_dataset(raster, labels, tmp_path / "c", class_field="kind", tile_size=64)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "labels.gpkg", "scene.tif"]


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
