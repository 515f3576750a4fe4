"""`build-dataset` through the engine's raster code: served-tile identity, whole area, parts,
labels as analysts have them, and a build that fails leaves nothing behind.

Real GeoTIFFs and GeoPackages written here, the real engine reader, and the real SpaceNet
Atlanta sample from ../shared/data (skipped without it).
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
from rrsis.engine.raster_io import WindowReader, open_info, plan_grid, resolve_bands
from rrsis.errors import Cancelled, CRSError, InputError
from rrsis.models.registry import IMAGENET_MEAN
from rrsis.training.datasets.refsegrs import IGNORE_INDEX, RefSegRSDataset, read_split
from rrsis.training.region import build_region_dataset
from rrsis.training.region.build import (MIN_ABSENT_TILES, _absent_kept, dataset_report,
                                        plan_parts, tile_starts)

X0, Y0, GSD = 500000.0, 4000000.0, 0.5


def _raster(path: Path, width: int, height: int, dtype: str = "uint8", crs: str = "EPSG:32633",
            transform=None, count: int = 3) -> np.ndarray:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    hi = 255 if dtype == "uint8" else 4000
    data = rng.integers(0, hi, (count, height, width)).astype(dtype)
    with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=count,
                       dtype=dtype, crs=crs,
                       transform=transform or from_origin(X0, Y0, GSD, GSD)) as dst:
        dst.write(data)
    return data


def _labels(path: Path, geoms: list, classes: list, crs: str = "EPSG:32633",
            kind: str = "Polygon") -> Path:
    import pyogrio.raw

    pyogrio.raw.write(str(path), np.array([shapely.to_wkb(g) for g in geoms], dtype=object),
                      [np.array(classes, dtype=object)], fields=["kind"], crs=crs,
                      geometry_type=kind, driver="GPKG")
    return path


def _houses(n: int, width_px: int, height_px: int) -> list:
    rng = np.random.default_rng(2)
    out = []
    for _ in range(n):
        c, r = rng.integers(2, width_px - 12), rng.integers(2, height_px - 12)
        out.append(shapely.box(X0 + c * GSD, Y0 - (r + 8) * GSD, X0 + (c + 8) * GSD, Y0 - r * GSD))
    return out


def test_parts_are_cut_the_way_that_keeps_every_class_in_each(tmp_path: Path) -> None:
    """Houses in the top half of a scene taller than wide and water in its bottom half:
    strips across the rows (the longer side) would leave a part without one of them, so the
    parts are cut along the columns; houses alone over the whole scene are cut across its
    longer side, as before."""
    raster = tmp_path / "scene.tif"
    _raster(raster, 200, 260)
    houses = _houses(80, 200, 130)
    water = shapely.box(X0 + 2 * GSD, Y0 - 255 * GSD, X0 + 198 * GSD, Y0 - 140 * GSD)
    labels = _labels(tmp_path / "l.gpkg", houses + [water], ["house"] * len(houses) + ["water"])
    summary = build_region_dataset(raster, labels, tmp_path / "ds", class_field="kind",
                                   tile_size=64, split_shares=(0.6, 0.2, 0.2))
    parts = {p["split"]: p for p in summary["parts"]}
    assert all(p["rows"] == parts["train"]["rows"] for p in parts.values())   # columns cut
    assert all(set(p["classes_present"]) == {"house", "water"} for p in parts.values())
    spread = _houses(80, 200, 260)
    alone = build_region_dataset(raster, _labels(tmp_path / "h.gpkg", spread,
                                                 ["house"] * len(spread)), tmp_path / "h",
                                 class_field="kind", tile_size=64, split_shares=(0.6, 0.2, 0.2))
    assert all(p["cols"] == alone["parts"][0]["cols"] for p in alone["parts"])   # rows cut


def test_training_tile_is_the_serving_tile(tmp_path: Path) -> None:
    raster = tmp_path / "scene.tif"
    _raster(raster, 300, 250)
    labels = _labels(tmp_path / "l.gpkg", _houses(60, 300, 250), ["house"] * 60)
    out = tmp_path / "ds"
    summary = build_region_dataset(raster, labels, out, class_field="kind", tile_size=64)
    info = open_info(str(raster))
    # what segment plans for the area the dataset covers (the labels' extent, a margin around)
    grid = plan_grid(info, summary["extent"], None, summary["gsd_m"])
    tiles = json.loads((out / "dataset.json").read_text())["tile_list"]
    checked = padded = 0
    with WindowReader(info, grid, resolve_bands(info, None), IMAGENET_MEAN) as reader:
        for t in tiles:
            png = out / "tiles" / f"{t['name']}.png"
            if not png.is_file():
                continue
            served, valid = reader.read(t["row"], t["col"], 64, 64)
            trained = np.asarray(Image.open(png), dtype=np.float32).transpose(2, 0, 1) / 255.0
            assert np.allclose(trained, served, atol=0.5 / 255)     # identical up to uint8
            checked += 1
            padded += int((~valid).any())
    assert checked >= 10 and padded                     # edge tiles: no data as the mean colour


def test_uint16_tile_matches_the_served_stretch(tmp_path: Path) -> None:
    raster = tmp_path / "pan.tif"
    _raster(raster, 200, 200, dtype="uint16", count=1)
    labels = _labels(tmp_path / "l.gpkg", _houses(50, 200, 200), ["house"] * 50)
    summary = build_region_dataset(raster, labels, tmp_path / "ds", class_field="kind",
                                   tile_size=64)
    info = open_info(str(raster))
    grid = plan_grid(info, summary["extent"], None, summary["gsd_m"])
    t = next(t for t in summary_tiles(tmp_path / "ds") if (tmp_path / "ds" / "tiles" /
                                                         f"{t['name']}.png").is_file())
    with WindowReader(info, grid, resolve_bands(info, None)) as reader:
        served, _ = reader.read(t["row"], t["col"], 64, 64)
        assert summary["stretch"] == reader.stretch.to_card("uint16")  # what finetune records
    trained = np.asarray(Image.open(tmp_path / "ds" / "tiles" / f"{t['name']}.png"))
    assert np.array_equal(trained, np.round(served * 255).astype(np.uint8).transpose(1, 2, 0))


def summary_tiles(root: Path) -> list:
    return json.loads((root / "dataset.json").read_text())["tile_list"]


def test_whole_area_is_tiled_and_padding_is_ignored(tmp_path: Path) -> None:
    raster = tmp_path / "scene.tif"
    _raster(raster, 150, 110)                                 # not a multiple of the tile
    labels = _labels(tmp_path / "l.gpkg", _houses(60, 150, 110), ["house"] * 60)
    out = tmp_path / "ds"
    summary = build_region_dataset(raster, labels, out, class_field="kind", tile_size=64)
    covered = np.zeros((110, 150), bool)
    for t in summary_tiles(out):
        covered[t["row"]:t["row"] + 64, t["col"]:t["col"] + 64] = True
    assert covered.all()                                      # no strip of the area dropped
    assert sum(p["area_m2"] for p in summary["parts"]) == pytest.approx(150 * 110 * GSD ** 2)
    assert all(p["data_area_m2"] == p["area_m2"] > 0 for p in summary["parts"])
    padded = [s for s in read_split(out, "train")
              if (np.asarray(Image.open(out / "valid" / f"{s.id}.png")) == 0).any()]
    assert padded, "an edge tile must carry padding"
    from rrsis.models import create_model
    model = create_model("test-lgce-tiny")
    ds = RefSegRSDataset(padded, 64, model.tokenizer, model.config.mean, model.config.std,
                         use_valid=True, rot90=True, hflip=True)
    item = ds[0]
    valid = np.asarray(Image.open(out / "valid" / f"{padded[0].id}.png")) > 0
    assert (item["mask"] == IGNORE_INDEX).sum() == (~valid).sum()   # only a turn or flip


def test_the_area_is_where_the_labels_are(tmp_path: Path) -> None:
    """Houses digitised in one corner of a larger raster: the rest was never looked at, so
    it is neither tiled as "no house here" nor cut into parts with nothing to measure."""
    raster = tmp_path / "scene.tif"
    _raster(raster, 600, 600)
    houses = _houses(40, 160, 160)                            # the north-west 80 x 80 m
    labels = _labels(tmp_path / "l.gpkg", houses, ["house"] * len(houses))
    summary = build_region_dataset(raster, labels, tmp_path / "ds", class_field="kind",
                                   tile_size=64)
    lb = shapely.GeometryCollection(houses).bounds
    margin = 64 // 8 * GSD
    assert summary["area"]["from"] == "labels" and summary["area"]["margin_m"] == margin
    assert "labels' extent" in summary["area"]["note"] and "--extent" in summary["area"]["note"]
    x0, y0, x1, y1 = summary["extent"]
    assert x0 == pytest.approx(max(X0, lb[0] - margin), abs=GSD)
    assert x1 == pytest.approx(lb[2] + margin, abs=GSD) and y0 == pytest.approx(lb[1] - margin,
                                                                                  abs=GSD)
    assert ((x0 - X0) / GSD).is_integer() and ((Y0 - y1) / GSD).is_integer()  # raster pixels
    assert all(p["objects"] > 0 for p in summary["parts"]), summary["parts"]
    given = build_region_dataset(raster, labels, tmp_path / "ds2", class_field="kind",
                                 tile_size=64, extent=(X0, Y0 - 300, X0 + 300, Y0))
    assert given["area"] == {"from": "extent"} and given["extent"] == [X0, Y0 - 300, X0 + 300, Y0]
    assert sum(given["tiles"].values()) > 4 * sum(summary["tiles"].values())


def test_a_house_is_not_taught_as_no_building(tmp_path: Path) -> None:
    """A class field with sub-types ("house", "building"): a tile that holds a house does not
    teach "building" as absent, nor the other way round (the lexicon reads both as buildings);
    a tile with neither teaches both absent."""
    raster = tmp_path / "scene.tif"
    _raster(raster, 256, 64)
    box = lambda c: shapely.box(X0 + c * GSD, Y0 - 40 * GSD, X0 + (c + 10) * GSD,  # noqa: E731
                                Y0 - 20 * GSD)
    labels = _labels(tmp_path / "l.gpkg", [box(10), box(100), box(110)],
                     ["building", "house", "car"], crs="EPSG:32633")
    out = tmp_path / "ds"
    build_region_dataset(raster, labels, out, class_field="kind", tile_size=64,
                         split_shares=(1, 0, 0), extent=(X0, Y0 - 32, X0 + 128, Y0))
    absent = {(s.id[:-3], s.expression) for s in read_split(out, "train")
              if not np.asarray(Image.open(out / "masks" / f"{s.id}.png")).any()}
    tiles = {t["name"]: t["col"] for t in summary_tiles(out)}
    by_col = {tiles[t]: {e for n, e in absent if n == t} for t in tiles}
    assert by_col[0] <= {"car"}                       # a building: it may be a house
    assert by_col[64] == set()                         # a house (so a building) and a car
    assert by_col[192] >= {"building", "house"}        # nothing labelled there
    # the car, in 2 of 7 tiles, is taught absent on MIN_ABSENT_TILES of the other 5
    assert sum("car" in e for e in by_col.values()) == MIN_ABSENT_TILES


def test_copied_sources_outlive_the_inputs(tmp_path: Path) -> None:
    """A web layer rendered by QGIS and an exported memory layer exist for one build only:
    with ``copy_raster`` and ``copy_labels`` the dataset keeps them, and what reads them
    later finds them."""
    from rrsis.training.region.labels import read_region_labels

    pixels = tmp_path / "pixels.tif"
    data = _raster(pixels, 128, 128)
    raster = tmp_path / "mosaic.vrt"    # a raster of more than one file: kept as one GeoTIFF
    raster.write_text(
        '<VRTDataset rasterXSize="128" rasterYSize="128"><SRS>EPSG:32633</SRS>'
        f'<GeoTransform>{X0}, {GSD}, 0, {Y0}, 0, {-GSD}</GeoTransform>' + "".join(
            f'<VRTRasterBand dataType="Byte" band="{b}"><SimpleSource><SourceFilename '
            f'relativeToVRT="1">pixels.tif</SourceFilename><SourceBand>{b}</SourceBand>'
            '</SimpleSource></VRTRasterBand>' for b in (1, 2, 3)) + "</VRTDataset>")
    labels = _labels(tmp_path / "export.gpkg", _houses(20, 128, 128), ["house"] * 20)
    out = tmp_path / "ds"
    summary = build_region_dataset(raster, labels, out, class_field="kind", tile_size=64,
                                   copy_raster=True, copy_labels=True)
    for source in (pixels, raster, labels):
        source.unlink()
    with rasterio.open(out / "source.tif") as kept:
        assert np.array_equal(kept.read(), data) and kept.crs == "EPSG:32633"
    assert summary["source_raster"] == str(out / "source.tif")
    assert summary["source_labels"] == str(out / "labels.gpkg")
    assert open_info(summary["source_raster"]).width == 128
    kept = read_region_labels(summary["source_labels"], "kind", None, summary["source_layer"])
    assert kept.classes == ["house"] * 20 and str(kept.crs) == "EPSG:32633"
    assert (out.stat().st_mode & 0o777) != 0o700           # readable like any folder made here


def test_a_table_of_a_geopackage_is_recorded_by_its_absolute_gdal_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The raster ``GPKG:site.gpkg:ortho``, named relative to the working folder (as GDAL and
    QGIS name one table of a file), is recorded as ``GPKG:/.../site.gpkg:ortho``, which opens
    from any folder (the held-out score reads it again)."""
    data = np.random.default_rng(1).integers(0, 255, (3, 128, 128)).astype("uint8")
    site = tmp_path / "site.gpkg"
    for table in ("overview", "ortho"):
        with rasterio.open(site, "w", driver="GPKG", width=128, height=128, count=3,
                           dtype="uint8", crs="EPSG:32633", transform=from_origin(X0, Y0, GSD, GSD),
                           RASTER_TABLE=table, APPEND_SUBDATASET="YES", TILE_FORMAT="PNG") as dst:
            dst.write(data)
    labels = _labels(tmp_path / "houses.gpkg", _houses(20, 128, 128), ["house"] * 20)
    monkeypatch.chdir(tmp_path)
    summary = build_region_dataset("GPKG:site.gpkg:ortho", labels, tmp_path / "ds",
                                   class_field="kind", tile_size=64)
    assert summary["source_raster"] == f"GPKG:{site}:ortho"
    monkeypatch.chdir("/")
    with rasterio.open(summary["source_raster"]) as table:
        assert np.array_equal(table.read([1, 2, 3]), data)   # and an alpha band


def test_a_kept_raster_is_the_part_the_dataset_covers(tmp_path: Path) -> None:
    """Houses labelled in one corner of a large raster: the dataset keeps that corner (and a
    few pixels around it) on the raster's own pixels, with its band tags and no-data, and the
    held-out score reads it the same."""
    from rasterio.enums import ColorInterp

    from rrsis.training.region.keep import MARGIN_PX

    raster = tmp_path / "ortho.tif"
    data = _raster(raster, 1024, 768, count=4)
    with rasterio.open(raster, "r+") as dst:   # stored blue, green, red, near-infrared
        dst.colorinterp = [ColorInterp.blue, ColorInterp.green, ColorInterp.red,
                           ColorInterp.undefined]
        dst.nodata = 0
        dst.set_band_description(4, "nir")
    labels = _labels(tmp_path / "l.gpkg", _houses(30, 160, 120), ["house"] * 30)
    out = tmp_path / "ds"
    summary = build_region_dataset(raster, labels, out, class_field="kind", tile_size=32,
                                   copy_raster=True)
    with rasterio.open(out / "source.tif") as kept:
        x0, y0 = kept.transform.c, kept.transform.f
        col, row = round((x0 - X0) / GSD), round((Y0 - y0) / GSD)
        assert kept.res == (GSD, GSD) and kept.crs == "EPSG:32633" and kept.nodata == 0
        assert kept.width < 300 and kept.height < 250                    # not the whole raster
        assert np.array_equal(kept.read(), data[:, row:row + kept.height, col:col + kept.width])
        assert kept.colorinterp[:3] == (ColorInterp.blue, ColorInterp.green, ColorInterp.red)
        assert kept.descriptions[3] == "nir"
        e = summary["extent"]      # the dataset's area, and MARGIN_PX around it where there is
        assert kept.bounds.left <= max(X0, e[0] - MARGIN_PX * GSD)
        assert kept.bounds.top >= min(Y0, e[3] + MARGIN_PX * GSD)
        assert kept.bounds.right >= e[2] + MARGIN_PX * GSD
        assert kept.bounds.bottom <= e[1] - MARGIN_PX * GSD


def test_parts_follow_the_data_of_a_mosaic_with_gaps(tmp_path: Path) -> None:
    """A raster whose western 60 % is no-data (a mosaic with gaps, a no-data collar): the
    split shares are of the ground with data, so val and test are not cut from the gap,
    and each part states both its rectangle's area and the area that holds data."""
    raster = tmp_path / "mosaic.tif"
    w, h = 400, 120
    data = _raster(raster, w, h)
    data[:, :, :240] = 0
    with rasterio.open(raster, "r+") as dst:
        dst.nodata = 0
        dst.write(data)
    houses = [g for g in _houses(200, w, h) if g.bounds[0] >= X0 + 242 * GSD]
    labels = _labels(tmp_path / "l.gpkg", houses, ["house"] * len(houses))
    summary = build_region_dataset(raster, labels, tmp_path / "ds", class_field="kind",
                                   tile_size=32, split_shares=(0.6, 0.2, 0.2),
                                   extent=(X0, Y0 - h * GSD, X0 + w * GSD, Y0))  # the gap too
    parts = {p["split"]: p for p in summary["parts"]}
    # data starts at column 240: train takes it to about 240 + 0.6 * 160 = 336
    assert 320 <= parts["train"]["cols"][1] <= 350, parts["train"]["cols"]
    assert parts["val"]["cols"][1] - parts["val"]["cols"][0] == pytest.approx(32, abs=6)
    for p in parts.values():
        assert p["objects"] > 0 and p["samples"] > 0, p
        assert p["data_area_m2"] <= p["area_m2"]
    assert parts["train"]["data_area_m2"] == pytest.approx(
        (parts["train"]["cols"][1] - 240) * h * GSD ** 2, rel=0.08)
    assert parts["test"]["data_area_m2"] == pytest.approx(parts["test"]["area_m2"], rel=0.05)
    assert not summary["warnings"]


def test_default_tile_gsd_is_the_rasters_within_what_the_default_model_serves(
        tmp_path: Path) -> None:
    """NAIP at 0.6 m is kept at 0.6 m when the default model's card serves up to 0.6 m
    (it was resampled to a fixed 0.5 m before), and clamped to the card's finest GSD."""
    from rrsis.models.catalog import find_model, served_gsd_range
    from rrsis.models.card import read_card

    lo, hi = served_gsd_range()
    assert [lo, hi] == read_card(find_model())["gsd_range_m"]
    for native, expected in ((0.6, min(0.6, hi)), (0.02, lo)):
        raster = tmp_path / f"naip{native}.tif"
        _raster(raster, 200, 200, transform=from_origin(X0, Y0, native, native))
        houses = [shapely.box(X0 + c * native, Y0 - (r + 30) * native, X0 + (c + 30) * native,
                              Y0 - r * native) for c in range(5, 170, 40) for r in (5, 100)]
        summary = build_region_dataset(raster, _labels(tmp_path / f"l{native}.gpkg", houses,
                                                       ["house"] * len(houses)),
                                       tmp_path / f"ds{native}", class_field="kind",
                                       tile_size=64)
        assert summary["gsd_m"] == pytest.approx(expected)


def test_parts_are_never_empty_and_separate() -> None:
    for h, w in ((10, 7), (900, 600), (64, 3000), (3, 3)):
        parts = plan_parts(h, w, (0.7, 0.15, 0.15))
        assert [p.split for p in parts] == ["train", "val", "test"]
        assert all(p.shape[0] > 0 and p.shape[1] > 0 for p in parts)
        cover = np.zeros((h, w), int)
        for p in parts:
            cover[p.row0:p.row1, p.col0:p.col1] += 1
        assert (cover == 1).all()
    parts = plan_parts(900, 900, (0.8, 0.2, 0), test_box=(0, 600, 900, 900))
    assert {p.split: (p.col0, p.col1) for p in parts}["test"] == (600, 900)
    assert all(p.col1 <= 600 for p in parts if p.split != "test")
    assert tile_starts(150, 64, False) == [0, 64, 128]
    assert len(tile_starts(100, 64, True)) == 3               # small area: half-step tiles


def test_too_little_data_warns_what_to_add(tmp_path: Path) -> None:
    raster = tmp_path / "scene.tif"
    _raster(raster, 128, 128)
    labels = _labels(tmp_path / "l.gpkg", _houses(5, 128, 128), ["house"] * 5)
    summary = build_region_dataset(raster, labels, tmp_path / "ds", class_field="kind",
                                   tile_size=64)
    assert any("too few" in w and "label at least" in w for w in summary["warnings"])
    val = next(p for p in summary["parts"] if p["split"] == "val")
    said = "holds no labelled object" if val["objects"] == 0 else \
        f"the val part holds only {val['objects']} labelled objects: the checkpoint"
    assert any(said in w for w in summary["warnings"]), summary["warnings"]


def test_a_class_missing_from_a_scored_part_is_said_and_parts_count_each_class(
        tmp_path: Path) -> None:
    """Trees only in the top left corner: the val and test strips (cut either way) cannot
    say how trees are learnt, and the report in words counts each class of each part."""
    raster = tmp_path / "scene.tif"
    _raster(raster, 128, 256)
    houses = _houses(60, 128, 256)
    trees = [shapely.Point(X0 + c * GSD, Y0 - r * GSD).buffer(3) for c, r in
             ((10, 10), (20, 30), (30, 15), (15, 50), (35, 40))]
    labels = _labels(tmp_path / "l.gpkg", houses + trees, ["house"] * 60 + ["tree"] * 5)
    summary = build_region_dataset(raster, labels, tmp_path / "ds", class_field="kind",
                                   tile_size=64, split_shares=(0.6, 0.2, 0.2))
    parts = {p["split"]: p for p in summary["parts"]}
    assert parts["train"]["objects_by_class"]["tree"] == 5
    assert parts["val"]["objects_by_class"]["tree"] == 0 and parts["val"]["objects"] > 0
    missing = [w for w in summary["warnings"] if "holds no 'tree'" in w]
    assert len(missing) == 2 and "--test-extent" in missing[0]
    words = dataset_report(summary)
    assert words[0].startswith("ds: house, tree at 0.5 m, tiles of 64 px")
    assert "(house " in words[1] and ", tree 5)" in words[1] and "m2 with data" in words[1]
    proc = subprocess.run([sys.executable, "-m", "rrsis", "build-dataset", str(raster),
                           str(labels), "--class-field", "kind", "--tile-size", "64", "-o",
                           str(tmp_path / "cli")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and json.loads(proc.stdout)["name"] == "cli"   # JSON on stdout
    assert "cli: house, tree at 0.5 m" in proc.stderr and "holds no 'tree'" in proc.stderr


def test_a_failed_build_leaves_nothing(tmp_path: Path) -> None:
    raster = tmp_path / "scene.tif"
    _raster(raster, 128, 128)
    far = [shapely.box(0, 0, 10, 10)]                         # not on the raster
    labels = _labels(tmp_path / "l.gpkg", far, ["house"])
    with pytest.raises(InputError, match=r"none of the 1 labels of l.gpkg lies on the raster's "
                                         r"area \(labels \(0.0, 0.0, 10.0, 10.0\), raster area"):
        build_region_dataset(raster, labels, tmp_path / "ds", class_field="kind", tile_size=64)
    corner = [shapely.box(X0 + 2, Y0 - 6, X0 + 6, Y0 - 2)]    # on it, in the held-out area
    labels_south = _labels(tmp_path / "s.gpkg", corner, ["house"])
    with pytest.raises(InputError, match="every label lies in the held-out area"):
        build_region_dataset(raster, labels_south, tmp_path / "ds", class_field="kind",
                             tile_size=64, test_extent=(X0, Y0 - 32, X0 + 32, Y0))

    labels_south.unlink()
    with pytest.raises(InputError, match="no field"):
        build_region_dataset(raster, labels, tmp_path / "ds", class_field="nope", tile_size=64)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.gpkg", "scene.tif"]
    (tmp_path / "keep").mkdir()
    with pytest.raises(InputError, match="exists"):
        build_region_dataset(raster, labels, tmp_path / "keep", class_field="kind")


def test_labels_without_a_crs_say_how_to_give_them_one(tmp_path: Path) -> None:
    """A shapefile whose .prj was lost: the error names the CRS its coordinates suggest."""
    raster = tmp_path / "scene.tif"
    _raster(raster, 128, 128)
    on_raster = _labels(tmp_path / "here.gpkg", _houses(3, 128, 128), ["house"] * 3, crs=None)
    with pytest.raises(CRSError, match=r"here.gpkg has no coordinate reference system .*probably "
                                       r"in the raster's EPSG:32633.*-a_srs EPSG:32633"):
        build_region_dataset(raster, on_raster, tmp_path / "ds", class_field="kind")
    lon_lat = _labels(tmp_path / "ll.gpkg", [shapely.box(15.0, 36.1, 15.001, 36.101)], ["house"],
                      crs=None)
    with pytest.raises(CRSError, match=r"longitude and latitude.*-a_srs EPSG:4326"):
        build_region_dataset(raster, lon_lat, tmp_path / "ds", class_field="kind")
    assert not (tmp_path / "ds").exists()


def test_a_raster_without_a_crs_says_what_to_do(tmp_path: Path) -> None:
    """A raster without a CRS is refused with the two ways out (georeference it, or build in
    its pixel units: the options build-dataset has), and nothing is written."""
    photo = tmp_path / "photo.tif"
    _raster(photo, 128, 128, crs=None)
    labels = _labels(tmp_path / "l.gpkg", _houses(3, 128, 128), ["house"] * 3, crs=None)
    with pytest.raises(CRSError, match=r"photo.tif has no coordinate reference system .*"
                                       r"georeference it, or work in its pixel units "
                                       r"\(--pixel-coordinates, with --pixel-size"):
        build_region_dataset(photo, labels, tmp_path / "ds", class_field="kind")
    assert not (tmp_path / "ds").exists()


def _geojson(path: Path, geoms: list, classes: list) -> Path:
    """A GeoJSON file as an analyst's export writes it: an integer class field with empty
    values (GDAL reads such a field as real numbers)."""
    feats = [{"type": "Feature", "properties": {"code": c},
              "geometry": shapely.geometry.mapping(g)} for g, c in zip(geoms, classes)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats, "crs": {
        "type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32633"}}}))
    return path


def test_class_codes_are_named_by_a_words_mapping(tmp_path: Path) -> None:
    raster = tmp_path / "scene.tif"
    _raster(raster, 128, 128)
    houses = _houses(12, 128, 128)
    codes = [1, 2, None] * 4                               # 4 features without a class
    labels = _geojson(tmp_path / "coded.geojson", houses, codes)
    with pytest.raises(InputError, match=r"the values of 'code' are codes, not words \(1, 2\)"
                                         r".*--words.*'Class words'"):
        build_region_dataset(raster, labels, tmp_path / "ds", class_field="code", tile_size=64)
    # inline text (CLI --words, protocol 'words', QGIS 'Class words'), a file, or a mapping
    words_file = tmp_path / "words.yaml"
    words_file.write_text("1: [building, house]\n2: road\n")
    for k, words in enumerate(("{1: [building, house], 2: road}", str(words_file),
                               {1: ["Building", "house"], 2.0: "road"})):
        s = build_region_dataset(raster, labels, tmp_path / f"ds{k}", class_field="code",
                                 tile_size=64, words=words, split_shares=(1, 0, 0))
        assert s["classes"] == {"1": ["building", "house"], "2": ["road"]}
        assert s["categories"] == ["building", "road"]
        assert "4 labelled features have no value in 'code' and were left out" in s["warnings"]
    # a class mapped to null is left out, the others still have to be named
    s = build_region_dataset(raster, labels, tmp_path / "only1", class_field="code",
                             tile_size=64, words="{1: building, 2: null}", split_shares=(1, 0, 0))
    assert s["categories"] == ["building"]
    with pytest.raises(InputError, match=r"codes, not words \(2\)"):
        build_region_dataset(raster, labels, tmp_path / "x", class_field="code", tile_size=64,
                             words="{1: building}")
    for bad, message in (("nowhere.yaml", "words file not found: nowhere.yaml"),
                         ("{1: [building", "not valid YAML/JSON"),
                         ("[building, road]", "not valid YAML/JSON|expected a mapping")):
        with pytest.raises(InputError, match=message):
            build_region_dataset(raster, labels, tmp_path / "x", class_field="code",
                                 tile_size=64, words=bad)
    assert not (tmp_path / "x").exists()


def test_a_cancelled_build_leaves_nothing(tmp_path: Path) -> None:
    raster = tmp_path / "scene.tif"
    _raster(raster, 128, 128)
    labels = _labels(tmp_path / "l.gpkg", _houses(4, 128, 128), ["house"] * 4)
    asked = []

    def cancelled() -> bool:                                  # the first check cancels
        asked.append(1)
        return True

    with pytest.raises(Cancelled):
        build_region_dataset(raster, labels, tmp_path / "ds", class_field="kind", tile_size=64,
                             cancelled=cancelled)
    assert asked
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.gpkg", "scene.tif"]


def test_lines_with_a_width_and_points_with_a_radius(tmp_path: Path) -> None:
    raster = tmp_path / "scene.tif"
    _raster(raster, 200, 200)
    y = Y0 - 50 * GSD
    roads = [shapely.LineString([(X0, y - k * 20), (X0 + 100, y - k * 20)]) for k in range(3)]
    lines = _labels(tmp_path / "roads.gpkg", roads, ["road"] * 3, kind="LineString")
    with pytest.raises(InputError, match="width"):
        build_region_dataset(raster, lines, tmp_path / "a", class_field="kind", tile_size=64)
    s = build_region_dataset(raster, lines, tmp_path / "a", fixed_class="road", tile_size=64,
                             line_width_m=6.0, split_shares=(1, 0, 0))
    assert s["label_kinds"] == ["line"] and s["categories"] == ["road"]
    sample = next(x for x in read_split(tmp_path / "a", "train") if x.expression == "road")
    mask = np.asarray(Image.open(sample.mask)) > 50
    assert 10 <= mask.any(axis=1).sum() % 64 + 12 and mask.sum() > 0
    # a 6 m wide road at 0.5 m is 12 px across
    cols = mask.any(axis=0)
    col = int(np.argmax(cols))
    runs = np.diff(np.flatnonzero(np.diff(np.r_[0, mask[:, col].astype(int), 0])))[::2]
    assert 11 <= runs.max() <= 13
    trees = [shapely.Point(X0 + 10 + 8 * k, Y0 - 10 - 8 * k) for k in range(8)]
    points = _labels(tmp_path / "trees.gpkg", trees, ["tree"] * 8, kind="Point")
    s = build_region_dataset(raster, points, tmp_path / "b", class_field="kind", tile_size=64,
                             point_radius_m=2.0, split_shares=(1, 0, 0))
    assert s["label_kinds"] == ["point"] and s["parts"][0]["objects"] == 8


def test_closed_lines_are_outlines(tmp_path: Path) -> None:
    """Buildings drawn as closed polylines (a CAD export) are the areas they enclose; a layer
    with an open line among them is lines, which need a width."""
    from rrsis.training.region.labels import as_areas, read_region_labels

    houses = _houses(6, 128, 128)
    rings = [shapely.LineString(h.exterior.coords) for h in houses]
    path = _labels(tmp_path / "outlines.gpkg", rings, ["house"] * 6, kind="LineString")
    areas, _ = as_areas(read_region_labels(path, "kind"), 0.0, 0.0)
    assert [round(a.area, 6) for a in areas] == [round(h.area, 6) for h in houses]
    mixed = _labels(tmp_path / "mixed.gpkg", rings + [shapely.LineString([(X0, Y0 - 5),
                                                                          (X0 + 20, Y0 - 5)])],
                    ["house"] * 7, kind="LineString")
    with pytest.raises(InputError, match="width"):
        as_areas(read_region_labels(mixed, "kind"), 0.0, 0.0)


def test_each_point_can_carry_its_own_radius(tmp_path: Path) -> None:
    """A tree inventory with a crown radius per tree: each disc is that tree's; a tree
    without one takes the radius given for all, and without that it is a clear error."""
    import pyogrio.raw

    from rrsis.training.region.labels import as_areas, read_region_labels

    raster = tmp_path / "scene.tif"
    _raster(raster, 200, 200)
    trees = [shapely.Point(X0 + 10 + 12 * k, Y0 - 10 - 12 * k) for k in range(5)]
    radius = np.array([1.0, 2.0, 4.0, np.nan, 0.0])          # the last two: no radius
    path = tmp_path / "inventory.gpkg"
    pyogrio.raw.write(str(path), np.array([shapely.to_wkb(t) for t in trees], dtype=object),
                      [radius, np.array(["tree"] * 5, dtype=object)], fields=["crown_r", "kind"],
                      crs="EPSG:32633", geometry_type="Point", driver="GPKG")
    labels = read_region_labels(path, "kind", size_fields=["crown_r"])
    areas, _ = as_areas(labels, 0.0, 3.0, point_radius_field="crown_r")
    assert [round(a.area / np.pi, 1) for a in areas] == pytest.approx([1, 4, 16, 9, 9], rel=0.02)
    with pytest.raises(InputError, match=r"2 points have no radius in 'crown_r'.*--point-radius "
                                         r"crown_r --point-radius 3"):
        as_areas(labels, 0.0, 0.0, point_radius_field="crown_r")
    summary = build_region_dataset(raster, path, tmp_path / "ds", class_field="kind",
                                   tile_size=64, point_radius_m=3.0,
                                   point_radius_field="crown_r")
    assert summary["point_radius_field"] == "crown_r" and summary["point_radius_m"] == 3.0
    proc = subprocess.run([sys.executable, "-m", "rrsis", "build-dataset", str(raster), str(path),
                           "--class", "tree", "--point-radius", "crown_r", "-o",
                           str(tmp_path / "cli")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "2 points have no radius" in proc.stderr.splitlines()[-1]


def test_geographic_raster_is_tiled_in_its_utm_zone(tmp_path: Path) -> None:
    raster = tmp_path / "geo.tif"
    lon0, lat0, step = 9.0, 45.0, 0.5 / 111_000
    _raster(raster, 160, 160, crs="EPSG:4326", transform=from_origin(lon0, lat0, step, step))
    rng = np.random.default_rng(3)
    houses = []
    for _ in range(30):
        c, r = rng.integers(0, 150, 2)
        houses.append(shapely.box(lon0 + c * step, lat0 - (r + 6) * step, lon0 + (c + 6) * step,
                                  lat0 - r * step))
    labels = _labels(tmp_path / "l.gpkg", houses, ["house"] * 30, crs="EPSG:4326")
    s = build_region_dataset(raster, labels, tmp_path / "ds", class_field="kind", tile_size=64,
                             gsd_m=0.5)
    assert s["crs"] == "EPSG:32632" and s["samples"]["train"] > 0


def test_cli_error_is_one_line(tmp_path: Path) -> None:
    raster = tmp_path / "scene.tif"
    _raster(raster, 64, 64)
    proc = subprocess.run([sys.executable, "-m", "rrsis", "build-dataset", str(raster),
                           str(tmp_path / "missing.gpkg"), "--class", "house", "-o",
                           str(tmp_path / "ds")], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "labels not found" in proc.stderr and not (tmp_path / "ds").exists()


ATLANTA = "spacenet_atlanta_sample_geotiff"


def atlanta_split(tmp_path: Path, gsd: float = 0.5) -> tuple:
    """The worked example's split: left 600 px train/val, right 300 px held out."""
    folder = shared_data("georeferenced-samples")
    raster = folder / f"{ATLANTA}.tif"
    labels = folder / f"{ATLANTA}_buildings.geojson"
    with rasterio.open(raster) as src:
        b = src.bounds
    cut = b.left + 600 * src.res[0]
    out = tmp_path / "atlanta"
    proc = subprocess.run([sys.executable, "-m", "rrsis", "build-dataset", str(raster),
                           str(labels), "--class", "building", "--gsd", str(gsd),
                           "--split", "0.8,0.2,0",
                           "--test-extent", f"{cut},{b.bottom},{b.right},{b.top}", "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return raster, labels, cut, out


def test_atlanta_split_is_clean(tmp_path: Path) -> None:
    raster, labels, cut, out = atlanta_split(tmp_path)
    from rrsis.training.region.labels import read_region_labels, to_crs
    polys = to_crs(read_region_labels(labels, fixed_class="building"), "EPSG:32616").geometries
    line = shapely.LineString([(cut, 3_700_000), (cut, 3_800_000)])
    assert not any(p.intersects(line) for p in polys), "a building crosses the cut"
    meta = json.loads((out / "dataset.json").read_text())
    parts = {p["split"]: p for p in meta["parts"]}
    right = sum(1 for p in polys if p.representative_point().x > cut)
    left = sum(1 for p in polys if p.representative_point().x < cut)
    assert parts["test"]["area_m2"] == 150 * 450 and parts["test"]["objects"] == right > 0
    assert parts["train"]["objects"] + parts["val"]["objects"] == left > 0
    assert all(meta["samples"][s] > 0 for s in ("train", "val", "test"))
    assert meta["crs"] == "EPSG:32616" and meta["gsd_m"] == 0.5


def test_ground_without_objects_is_taught_as_absent(tmp_path: Path) -> None:
    """Tiles that no labelled house touches become "house" with an empty mask (the held-out
    area is mostly such ground); with negative_tiles=False they are left out, as before."""
    raster = tmp_path / "scene.tif"
    _raster(raster, 256, 256)
    houses = [h for h in _houses(60, 256, 256) if h.bounds[2] < X0 + 120 * GSD]  # left half only
    labels = _labels(tmp_path / "l.gpkg", houses, ["house"] * len(houses))
    out = tmp_path / "ds"
    whole = (X0, Y0 - 256 * GSD, X0 + 256 * GSD, Y0)     # the analyst labelled all of it
    summary = build_region_dataset(raster, labels, out, class_field="kind", tile_size=64,
                                   split_shares=(0.5, 0.25, 0.25), extent=whole)
    tiles = {t["name"]: t for t in summary_tiles(out)}
    empty = [s for split in ("train", "val", "test") for s in read_split(out, split)
             if not np.asarray(Image.open(out / "masks" / f"{s.id}.png")).any()]
    assert empty and all(s.expression == "house" for s in empty)
    assert all(tiles[s.id[:-3]]["objects"] == 0 for s in empty)   # only untouched tiles
    assert len({s.id[:-3] for s in empty}) == len(empty)          # one sample per tile and class
    assert {s.id[:-3] for s in empty} >= {n for n, t in tiles.items() if t["col"] >= 128}
    assert summary["negative_tiles"] is True
    without = build_region_dataset(raster, labels, tmp_path / "ds2", class_field="kind",
                                   tile_size=64, split_shares=(0.5, 0.25, 0.25), extent=whole,
                                   negative_tiles=False)
    assert sum(without["samples"].values()) == sum(summary["samples"].values()) - len(empty)


def test_a_rare_class_is_not_taught_absent_far_more_often_than_shown() -> None:
    """Two water tiles in sixty training tiles: water is taught absent on as many tiles as it
    is shown on (at least MIN_ABSENT_TILES), buildings on every empty tile; the parts that
    measure keep every empty tile."""
    splits = ["train"] * 60 + ["val"] * 20
    touching = [({"building"} if k % 3 else set()) | ({"water"} if k in (5, 70) else set())
                for k in range(80)]
    same = {"building": {"building"}, "water": {"water"}}
    kept = _absent_kept(splits, touching, same, seed=0)
    water_train = [k for k, w in kept if w == "water" and k < 60]
    assert len(water_train) == MIN_ABSENT_TILES and 5 not in water_train
    assert {k for k, w in kept if w == "building"} == {k for k in range(80) if k % 3 == 0}
    assert {k for k, w in kept if w == "water" and k >= 60} == set(range(60, 80)) - {70}
    assert kept == _absent_kept(splits, touching, same, seed=0)       # the seed draws them
