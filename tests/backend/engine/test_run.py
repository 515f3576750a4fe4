"""segment() end to end on real GeoTIFFs with a brightness-following tiny model."""

from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from rasterio.warp import transform_geom
from shapely.geometry import mapping, shape

from helpers.engine import (ORIGIN, box_polygon, bright_cache, bright_models,  # noqa: F401
                            layer_crs, options, read_features, scene, write_tif)
from rrsis.engine.run import Progress, segment
from rrsis.errors import Cancelled, CRSError, InputError, OutputError

T05 = from_origin(*ORIGIN, 0.5, 0.5)
BOX = (60, 80, 100, 130)  # rows 60:80, cols 100:130 -> 15 m x 10 m


def iou(a, b) -> float:
    return a.intersection(b).area / a.union(b).area


def leftovers(folder: Path) -> List[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "in.tif")


def test_bright_square_lands_at_its_map_coordinates(tmp_path: Path, bright_models) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    res = segment(options(raster, tmp_path), models=bright_models)
    feats = read_features(res.output)
    assert len(feats) == 1 and res.feature_counts == {"bright square": 1}
    f = feats[0]
    assert iou(f["geometry"], box_polygon(BOX, T05)) > 0.95
    assert f["area_m2"] == pytest.approx(150.0, rel=0.05)
    assert 0.9 < f["score"] <= 1.0
    assert f["expression"] == "bright square" and f["model"] == "bright"
    assert f["gsd_m"] == 0.5 and f["created"].endswith("+00:00")
    assert f["model_sha256"] == bright_models.get("bright", "cpu").card["weights_sha256"]
    assert layer_crs(res.output) == "EPSG:32633" and res.crs == "EPSG:32633"


def test_object_straddling_tile_and_strip_borders_is_one_polygon_with_its_hole(
        tmp_path: Path, bright_models) -> None:
    # 64 px tiles, stride 48: this ring crosses tile rows/cols 48, 96, 136 and strip borders
    data = scene(box=(20, 170, 30, 160))
    data[:, 70:110, 70:110] = 40  # a dark hole in the middle
    raster = write_tif(tmp_path / "in.tif", data)
    res = segment(options(raster, tmp_path), models=bright_models)
    feats = read_features(res.output)
    assert len(feats) == 1
    geom = feats[0]["geometry"]
    assert geom.is_valid and len(geom.interiors) == 1
    expected = box_polygon((20, 170, 30, 160), T05).difference(box_polygon((70, 110, 70, 110), T05))
    assert iou(geom, expected) > 0.97
    assert feats[0]["area_m2"] == pytest.approx(expected.area, rel=0.03)


def test_geographic_raster_is_processed_in_utm_and_written_back_in_degrees(
        tmp_path: Path, bright_models) -> None:
    # ~0.5 m pixels near lon 15.0, lat 45.0 (UTM 33N)
    dx, dy = 0.5 / (111_320 * np.cos(np.radians(45.0))), 0.5 / 111_320
    transform = from_origin(15.0, 45.0, dx, dy)
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX), crs="EPSG:4326", transform=transform)
    res = segment(options(raster, tmp_path), models=bright_models)
    feats = read_features(res.output)
    assert layer_crs(res.output) == "EPSG:4326"
    assert len(feats) == 1
    assert iou(feats[0]["geometry"], box_polygon(BOX, transform)) > 0.8
    assert feats[0]["area_m2"] == pytest.approx(150.0, rel=0.15)


def test_resampling_to_model_gsd_and_user_override(tmp_path: Path, bright_models) -> None:
    # 0.1 m pixels: the model (0.5 m) sees the area shrunk 5x; override works at 0.25 m
    t01 = from_origin(*ORIGIN, 0.1, 0.1)
    raster = write_tif(tmp_path / "in.tif", scene(size=500, box=(150, 250, 200, 350)),
                       transform=t01)
    expected = box_polygon((150, 250, 200, 350), t01)
    res = segment(options(raster, tmp_path), models=bright_models)
    assert (res.width_px, res.height_px, res.gsd_m) == (100, 100, 0.5)
    feats = read_features(res.output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], expected) > 0.85
    res = segment(options(raster, tmp_path, gsd_m=0.25), models=bright_models)
    assert (res.width_px, res.gsd_m) == (200, 0.25)
    feats = read_features(res.output)
    assert feats[0]["gsd_m"] == 0.25 and iou(feats[0]["geometry"], expected) > 0.9


def test_single_band_is_replicated(tmp_path: Path, bright_models) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX, bands=1))
    feats = read_features(segment(options(raster, tmp_path), models=bright_models).output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], box_polygon(BOX, T05)) > 0.95


def test_four_bands_use_the_band_mapping(tmp_path: Path, bright_models) -> None:
    data = scene(box=BOX, bands=4)
    data[:3] = 40  # bright only in band 4 (near infrared: not alpha)
    raster = write_tif(tmp_path / "in.tif", data, photometric="MINISBLACK")
    res = segment(options(raster, tmp_path), models=bright_models)
    assert (res.feature_counts, res.bands) == ({"bright square": 0}, [1, 2, 3])
    res = segment(options(raster, tmp_path, bands=(4, 4, 4)), models=bright_models)
    feats = read_features(res.output)
    assert res.to_dict()["bands"] == [4, 4, 4]   # the result says what was read as colours
    assert len(feats) == 1 and iou(feats[0]["geometry"], box_polygon(BOX, T05)) > 0.95
    with pytest.raises(InputError, match="band"):
        segment(options(raster, tmp_path, bands=(1, 2, 5)), models=bright_models)


def test_uint16_gets_one_percentile_stretch_for_the_whole_area(tmp_path: Path,
                                                                bright_models) -> None:
    rng = np.random.default_rng(0)
    big = (40, 120, 60, 160)  # 20 % of the area: above the 98th percentile's 2 %
    data = scene(box=big, dark=1200, bright=2600, dtype="float64")
    data += rng.normal(0, 20, data.shape)
    raster = write_tif(tmp_path / "in.tif", data.astype("uint16"))
    res = segment(options(raster, tmp_path, probability=str(tmp_path / "p.tif"),
                          probability_dtype="float32"), models=bright_models)
    feats = read_features(res.output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], box_polygon(big, T05)) > 0.95
    with rasterio.open(tmp_path / "p.tif") as src:
        prob = src.read(1)
        assert src.dtypes[0] == "float32"
    # one stretch for all tiles: background agrees everywhere, including tiles without the box
    background = np.delete(prob, np.s_[35:125], axis=0)
    assert background.max() < 0.1 and prob[50:110, 70:150].min() > 0.9


def test_a_models_training_stretch_makes_the_answer_independent_of_the_view(
        tmp_path: Path) -> None:
    """A model fine-tuned on a 16-bit raster records its training tiles' stretch; served with
    it, a pixel reaches the model with the same value whatever extent is asked for. With the
    area's stretch, a dim roof alone in the view is stretched bright and found."""
    bright, dim = (40, 80, 20, 60), (120, 160, 120, 160)
    data = scene(size=200, box=bright, dark=1000, bright=3600, dtype="float64")
    data[:, dim[0]:dim[1], dim[2]:dim[3]] = 1800           # 0.45 under the model's stretch
    raster = write_tif(tmp_path / "in.tif", data.astype("uint16"))
    stretch = {"dtype": "uint16", "low": [0.0] * 3, "high": [4000.0] * 3}
    tuned = bright_cache("tuned", input_stretch=stretch)
    # rows and cols 100:180: the dim roof alone
    dim_view = (ORIGIN[0] + 50, ORIGIN[1] - 90, ORIGIN[0] + 90, ORIGIN[1] - 50)
    probs = []
    for k, extent in enumerate((None, dim_view)):
        res = segment(options(raster, tmp_path, model="tuned", extent=extent,
                              probability=str(tmp_path / f"p{k}.tif"),
                              probability_dtype="float32"), models=tuned)
        assert res.stretch == "model"
        feats = read_features(res.output)
        assert len(feats) == (1 if extent is None else 0)   # the bright roof; never the dim one
        with rasterio.open(tmp_path / f"p{k}.tif") as src:
            probs.append(src.read(1))
    # the dim roof's pixels got the same probability in both views
    assert np.allclose(probs[0][125:155, 125:155], probs[1][25:55, 25:55], atol=1e-4)
    # the area's own stretch: another data type in the card is not this raster's
    other = bright_cache("tuned", input_stretch=dict(stretch, dtype="float32"))
    res = segment(options(raster, tmp_path, model="tuned", extent=dim_view), models=other)
    assert res.stretch == "area" and len(read_features(res.output)) == 1
    # asked for: the area's own stretch although the card records one (another sensor)
    res = segment(options(raster, tmp_path, model="tuned", extent=dim_view, stretch="area",
                          overwrite=True), models=tuned)
    assert res.stretch == "area" and len(read_features(res.output)) == 1


def test_nodata_and_empty_tiles_are_masked_out_and_skipped(tmp_path: Path, bright_models) -> None:
    data = scene(size=300, box=BOX)
    data[:, 130:170, 200:240] = 230  # a bright object cut by the nodata edge at row 150
    data[:, 150:, :] = 0             # the lower half has no data
    raster = write_tif(tmp_path / "in.tif", data, nodata=0)
    res = segment(options(raster, tmp_path, mask=str(tmp_path / "m.tif")), models=bright_models)
    geoms = sorted((f["geometry"] for f in read_features(res.output)), key=lambda g: g.area)
    assert len(geoms) == 2
    assert iou(geoms[0], box_polygon(BOX, T05)) > 0.95
    assert iou(geoms[1], box_polygon((130, 150, 200, 240), T05)) > 0.9
    assert res.tiles_skipped > 0
    with rasterio.open(tmp_path / "m.tif") as src:
        mask, valid = src.read(1), src.dataset_mask()
        assert src.nodata is None and src.dtypes[0] == "uint8"
    assert (mask[151:, :] == 0).all() and set(np.unique(mask[:149])) == {0, 1}
    assert (valid[151:] == 0).all() and (valid[:149] == 255).all()
    assert (mask > 0).sum() == 20 * 30 + 20 * 40  # band > 0 is exactly the objects


def test_alpha_band_masks_like_nodata(tmp_path: Path, bright_models) -> None:
    data = scene(box=BOX, bands=4)
    data[3] = 255
    data[3, :, 100:] = 0  # alpha hides the right half, the square included
    raster = write_tif(tmp_path / "in.tif", data, photometric="RGB", alpha="YES")
    res = segment(options(raster, tmp_path), models=bright_models)
    assert res.feature_counts == {"bright square": 0}


def test_several_expressions_share_one_layer(tmp_path: Path, bright_models) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    # grounding off: one band per expression (grounded runs have one per segmented phrase)
    res = segment(options(raster, tmp_path, expressions=["cars", "bright roofs"],
                          probability=str(tmp_path / "p.tif"), grounding="off"),
                  models=bright_models)
    feats = read_features(res.output)
    assert sorted(f["expression"] for f in feats) == ["bright roofs", "cars"]
    assert res.feature_counts == {"cars": 1, "bright roofs": 1}
    with rasterio.open(tmp_path / "p.tif") as src:
        assert src.count == 2 and src.descriptions == ("cars", "bright roofs")
        assert src.crs.to_epsg() == 32633 and src.transform == T05
        prob = src.read()
        assert src.profile["tiled"] and src.profile["compress"] == "deflate"
    assert prob.dtype == np.uint8 and (prob[:, 65:75, 105:125] > 240).all()
    assert (prob[:, :40] < 20).all()  # sigmoid(8 * (40/255 - 0.5)) * 255 = 15


def test_min_area_drops_specks_and_simplify_keeps_geometry_valid(tmp_path: Path,
                                                                 bright_models) -> None:
    data = scene(box=BOX)
    data[:, 10:12, 10:12] = 230  # 1 m2 speck, below the default 16 px * 0.25 m2 = 4 m2
    data[:, 150:180, 20:60] = 40
    yy, xx = np.mgrid[0:200, 0:200]
    data[:, (yy - 160) ** 2 + (xx - 150) ** 2 < 20 ** 2] = 230  # a disc: many vertices
    raster = write_tif(tmp_path / "in.tif", data)
    res = segment(options(raster, tmp_path), models=bright_models)
    assert res.feature_counts == {"bright square": 2}
    res = segment(options(raster, tmp_path, min_area_m2=0.5), models=bright_models)
    assert res.feature_counts == {"bright square": 3}
    plain = {round(f["area_m2"]): f["geometry"] for f in read_features(res.output)}
    res = segment(options(raster, tmp_path, simplify_m=1.0), models=bright_models)
    feats = read_features(res.output)
    disc = max(feats, key=lambda f: len(f["geometry"].exterior.coords) if f["area_m2"] < 140
               else 0)["geometry"]
    assert all(f["geometry"].is_valid for f in feats)
    assert len(disc.exterior.coords) < len(max(plain.values(), key=lambda g: len(
        g.exterior.coords)).exterior.coords)


def test_min_area_zero_keeps_every_object_and_none_means_the_default(tmp_path: Path,
                                                                     bright_models) -> None:
    """The plugin sends 0 for "no filter": even a one-pixel object must come back."""
    data = scene(box=BOX)
    data[:, 10, 10] = 230  # one 0.25 m2 pixel
    raster = write_tif(tmp_path / "in.tif", data)
    assert segment(options(raster, tmp_path, min_area_m2=0.0),
                   models=bright_models).feature_counts == {"bright square": 2}
    assert segment(options(raster, tmp_path, min_area_m2=None),
                   models=bright_models).feature_counts == {"bright square": 1}


def test_the_default_minimum_area_is_never_below_one_square_metre(tmp_path: Path,
                                                                   bright_models) -> None:
    """At 0.1 m, 16 pixels are 0.16 m2: the default drops a 0.36 m2 speck all the same (the
    CLI, the dock and Processing answer alike), and keeps a 1.44 m2 object."""
    data = scene(box=(20, 32, 20, 32))  # 12 x 12 px = 1.44 m2
    data[:, 100:106, 100:106] = 230  # 6 x 6 px = 0.36 m2
    raster = write_tif(tmp_path / "in.tif", data, transform=from_origin(*ORIGIN, 0.1, 0.1))
    fine = dict(gsd_m=0.1)
    assert segment(options(raster, tmp_path, **fine),
                   models=bright_models).feature_counts == {"bright square": 1}
    assert segment(options(raster, tmp_path, min_area_m2=0.2, **fine),
                   models=bright_models).feature_counts == {"bright square": 2}


def test_progress_reports_tiles_and_ends_complete(tmp_path: Path, bright_models) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    seen: List[Progress] = []
    res = segment(options(raster, tmp_path, batch_size=3), progress=seen.append,
                  models=bright_models)
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert seen[-1].stage == "done" and seen[-1].tiles_done == seen[-1].tiles_total == res.tiles
    assert any(p.eta_s is not None and p.eta_s >= 0 for p in seen[1:-1])


def test_cancellation_leaves_no_file_behind(tmp_path: Path, bright_models) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 2

    opts = options(raster, tmp_path, probability=str(tmp_path / "p.tif"),
                   mask=str(tmp_path / "m.tif"))
    with pytest.raises(Cancelled):
        segment(opts, cancel=cancel, models=bright_models)
    assert leftovers(tmp_path) == []


def test_pixel_coordinates_only_when_asked(tmp_path: Path, bright_models) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX), crs=None)
    with pytest.raises(CRSError, match="coordinate reference system"):
        segment(options(raster, tmp_path), models=bright_models)
    assert leftovers(tmp_path) == []
    res = segment(options(raster, tmp_path, pixel_coordinates=True), models=bright_models)
    feats = read_features(res.output)
    assert res.crs is None and len(feats) == 1
    assert feats[0]["geometry"].bounds == (100.0, 60.0, 130.0, 80.0)  # (col, row)
    # GeoJSON knows no CRS but WGS 84: pixel coordinates would land on the globe
    with pytest.raises(OutputError, match="GeoJSON is in WGS 84"):
        segment(options(raster, tmp_path, pixel_coordinates=True,
                        output=str(tmp_path / "px.geojson")), models=bright_models)
    assert leftovers(tmp_path) == ["out.gpkg"]   # the run before, kept


def test_extent_in_another_crs_selects_the_area(tmp_path: Path, bright_models) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    square = box_polygon(BOX, T05)
    ll = shape(transform_geom("EPSG:32633", "EPSG:4326", mapping(square.buffer(5))))
    res = segment(options(raster, tmp_path, extent=ll.bounds, extent_crs="EPSG:4326"),
                  models=bright_models)
    assert res.width_px < 60 and res.height_px < 60
    feats = read_features(res.output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], square) > 0.95


@pytest.mark.parametrize("change,error,match", [
    (dict(raster="missing.tif"), InputError, "not found"),
    (dict(expressions=["  "]), InputError, "empty"),
    (dict(expressions=[]), InputError, "no expression"),
    (dict(extent=(0.0, 0.0, 10.0, 10.0)), InputError, "does not overlap"),
    (dict(extent=(500010.0, 5000010.0, 500000.0, 5000000.0)), InputError, "empty"),
    (dict(threshold=1.5), InputError, "threshold"),
    (dict(model="no-such-model"), Exception, "no-such-model"),
])
def test_bad_inputs_fail_clearly_and_write_nothing(tmp_path: Path, bright_models, change, error,
                                                    match) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    opts = options(raster, tmp_path)
    for k, v in change.items():
        setattr(opts, k, str(tmp_path / v) if k == "raster" else v)
    with pytest.raises(error, match=match):
        segment(opts, models=bright_models)
    assert leftovers(tmp_path) == []


def test_float_raster_is_stretched_too(tmp_path: Path, bright_models) -> None:
    big = (40, 120, 60, 160)
    raster = write_tif(tmp_path / "in.tif", scene(box=big, dark=-3.5, bright=812.25,
                                                  dtype="float32"))
    feats = read_features(segment(options(raster, tmp_path), models=bright_models).output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], box_polygon(big, T05)) > 0.95


def test_each_expression_is_encoded_once_per_run_not_per_tile(tmp_path: Path,
                                                               bright_models) -> None:
    model = bright_models.get("bright", "cpu")
    calls: List[int] = []
    hook = model.text_encoder.register_forward_hook(lambda *a: calls.append(1))
    try:
        raster = write_tif(tmp_path / "in.tif", scene(size=300, box=BOX))
        res = segment(options(raster, tmp_path, expressions=["cars", "trees"], batch_size=2),
                      models=bright_models)
    finally:
        hook.remove()
    assert res.tiles == 36 and len(calls) == 3   # cars, trees and the cars' rival buildings


def test_regularize_gives_right_angled_outlines(tmp_path: Path, bright_models) -> None:
    """A rotated L-shaped roof traced as a staircase comes back with six right angles."""
    import math

    from rasterio.features import rasterize
    from shapely import affinity
    from shapely.geometry import Polygon

    data = scene(box=BOX)
    roof = affinity.rotate(Polygon([(0, 0), (50, 0), (50, 20), (20, 20), (20, 40), (0, 40)]),
                           25, origin=(0, 0))
    roof = affinity.translate(roof, 60, 135)  # pixel coordinates (col, row), below the box
    data[:, rasterize([roof], out_shape=data.shape[1:]).astype(bool)] = 230
    raster = write_tif(tmp_path / "in.tif", data)

    def biggest(result):
        return max((f["geometry"] for f in read_features(result.output)), key=lambda g: g.area)

    plain = segment(options(raster, tmp_path), models=bright_models)
    traced = biggest(plain)
    regular = segment(options(raster, tmp_path, regularize=True), models=bright_models)
    straight = biggest(regular)
    assert regular.feature_counts == plain.feature_counts == {"bright square": 2}
    assert len(traced.exterior.coords) > 20  # a staircase
    assert len(straight.exterior.coords) == 7 and straight.is_valid  # six corners
    coords = list(straight.exterior.coords)[:-1]
    for i, (x1, y1) in enumerate(coords):
        (x0, y0), (x2, y2) = coords[i - 1], coords[(i + 1) % len(coords)]
        turn = math.degrees(math.atan2(y0 - y1, x0 - x1) - math.atan2(y2 - y1, x2 - x1)) % 180
        assert turn == pytest.approx(90, abs=1e-6)
    assert straight.intersection(traced).area / straight.union(traced).area > 0.9


def _fine_tuned_and_base(raster: Path, tmp_path: Path, card: dict) -> tuple:
    """Segment "buildings" and "cars" with bright-ft (``card``) beside its base, bright:
    the result and which model answered each expression."""
    both = bright_cache()
    both.add("bright-ft", bright_cache("bright-ft", **card)._named["bright-ft"])
    res = segment(options(raster, tmp_path, model="bright-ft", expressions=["buildings", "cars"]),
                  models=both)
    return res, {f["expression"]: f["model"] for f in read_features(res.output)}


def test_a_fine_tuned_model_asks_its_base_for_what_it_was_not_taught(tmp_path: Path) -> None:
    """A model fine-tuned on buildings answers "buildings"; "cars" (a category it was never
    taught in its region, and may have forgotten) goes to the model it was made from, with
    that model's name on the features and a message; without the base installed it answers
    everything itself, as before."""
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    card = {"finetuned_from": "bright", "categories": {"building": ["building"]}}
    res, models = _fine_tuned_and_base(raster, tmp_path, card)
    assert models == {"buildings": "bright-ft", "cars": "bright"}
    assert res.plans["cars"]["base_model"] == {"cars": "bright"}
    assert any("'cars' asked of bright, the model bright-ft was fine-tuned from" in m
               for m in res.plans["cars"]["messages"])
    assert "base_model" not in res.plans["buildings"] and res.model == "bright-ft"
    alone = bright_cache("bright-ft", **card)                # its base is not installed
    res = segment(options(raster, tmp_path, model="bright-ft", expressions=["buildings", "cars"]),
                  models=alone)
    assert {f["model"] for f in read_features(res.output)} == {"bright-ft"}
    assert "base_model" not in res.plans["cars"]


def test_a_class_left_to_the_base_is_answered_by_it(tmp_path: Path) -> None:
    """A taught class the base segmented better on the validation part (the card's
    ``base_classes``) goes to the base, and the message says why."""
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    card = {"finetuned_from": "bright", "categories": {"building": ["building"], "car": ["car"]},
            "base_classes": {"car": {"part": "val", "objects": 3, "iou_base": 0.4,
                                     "iou_new": 0.1}}}
    res, models = _fine_tuned_and_base(raster, tmp_path, card)
    assert models == {"buildings": "bright-ft", "cars": "bright"}
    assert res.plans["cars"]["base_model"] == {"car": "bright"}
    why = "'car' asked of bright, the model bright-ft was fine-tuned from: it segmented that"
    assert any(m.startswith(why) for m in res.plans["cars"]["messages"])


@pytest.mark.parametrize("sidecar", ["aux.xml", "world file"])
def test_georeferencing_in_side_car_files_is_read(tmp_path: Path, bright_models,
                                                   sidecar: str) -> None:
    """A PNG georeferenced by its side-car files, as QGIS and GDAL read it: the CRS and
    geotransform in ``.aux.xml``, or the geotransform in a world file (``.pgw``)."""
    import re

    raster = tmp_path / "in.png"
    data = scene(box=BOX)
    with rasterio.open(raster, "w", driver="PNG", width=200, height=200, count=3,
                       dtype="uint8", crs="EPSG:32633", transform=T05) as dst:
        dst.write(data)
    aux = tmp_path / "in.png.aux.xml"
    if sidecar == "world file":   # the CRS stays in .aux.xml, the geotransform moves out
        aux.write_text(re.sub(r"<GeoTransform>.*?</GeoTransform>", "", aux.read_text(), flags=re.S))
        (tmp_path / "in.pgw").write_text("\n".join(str(v) for v in (
            T05.a, T05.d, T05.b, T05.e, T05.c + T05.a / 2, T05.f + T05.e / 2)) + "\n")
    res = segment(options(raster, tmp_path), models=bright_models)
    feats = read_features(res.output)
    assert res.crs == "EPSG:32633" and len(feats) == 1
    assert iou(feats[0]["geometry"], box_polygon(BOX, T05)) > 0.95


def test_a_local_crs_is_measured_in_its_own_unit(tmp_path: Path, bright_models) -> None:
    """A drone survey in a local (engineering) CRS has no place on the Earth: its metres are
    its unit, its polygons stay in it, and an extent in another CRS is a clear error."""
    local = ('LOCAL_CS["Site grid",LOCAL_DATUM["Site",0],UNIT["metre",1],AXIS["X",EAST],'
             'AXIS["Y",NORTH]]')
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX), crs=local)
    res = segment(options(raster, tmp_path), models=bright_models)
    feats = read_features(res.output)
    assert len(feats) == 1 and feats[0]["gsd_m"] == 0.5
    assert iou(feats[0]["geometry"], box_polygon(BOX, T05)) > 0.95
    assert feats[0]["area_m2"] == pytest.approx(150.0, rel=0.05)
    with pytest.raises(CRSError, match="cannot be transformed"):
        segment(options(raster, tmp_path, extent=(500_000, 5_000_000, 500_050, 5_000_050),
                        extent_crs="EPSG:32633"), models=bright_models)


def test_a_file_of_several_rasters_is_segmented_by_the_name_of_one(tmp_path: Path,
                                                                   bright_models) -> None:
    """A GeoPackage with two raster tables: the file alone says which names to give (GDAL's),
    and ``GPKG:file:table`` segments that table."""
    from rrsis.paths import subdataset_file

    site = tmp_path / "site.gpkg"
    for table, data in (("dark", scene(box=(0, 0, 0, 0))), ("ortho", scene(box=BOX))):
        write_tif(site, data, driver="GPKG", RASTER_TABLE=table, APPEND_SUBDATASET="YES",
                  TILE_FORMAT="PNG")
    with pytest.raises(InputError, match=rf"holds 2 rasters: name one as GDAL does, e\.g\. "
                                         rf"'GPKG:{site}:dark'"):
        segment(options(site, tmp_path), models=bright_models)
    res = segment(options(f"GPKG:{site}:ortho", tmp_path), models=bright_models)
    feats = read_features(res.output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], box_polygon(BOX, T05)) > 0.95
    with pytest.raises(InputError, match="raster not found"):
        segment(options(f"GPKG:{tmp_path / 'none.gpkg'}:ortho", tmp_path), models=bright_models)
    assert subdataset_file(f"GPKG:{site}:ortho") == str(site)
    assert subdataset_file(f'NETCDF:"{site}":band') == str(site)
    assert subdataset_file(f"GTIFF_DIR:2:{site}") == str(site)
    assert subdataset_file(str(site)) is None and subdataset_file("C:" + str(site)) is None


@pytest.mark.parametrize("archive", ["zip", "tar", "tar.gz", "gz"])
def test_a_raster_in_an_archive_is_segmented_by_its_gdal_name(tmp_path: Path, bright_models,
                                                              archive: str) -> None:
    """``/vsizip/``, ``/vsitar/`` and ``/vsigzip/`` names (how QGIS names a raster it reads
    from an archive) are read in place; the archive is the file a batch stamps and records."""
    import gzip
    import tarfile
    import zipfile

    from rrsis.paths import absolute_source, file_on_disk

    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    packed = tmp_path / f"site.{archive}"
    if archive == "zip":
        with zipfile.ZipFile(packed, "w") as z:
            z.write(raster, "ortho/in.tif")
        name = f"/vsizip/{packed}/ortho/in.tif"
    elif archive.startswith("tar"):
        with tarfile.open(packed, "w:gz" if archive.endswith("gz") else "w") as t:
            t.add(raster, "ortho/in.tif")
        name = f"/vsitar/{packed}/ortho/in.tif"
    else:
        packed.write_bytes(gzip.compress(Path(raster).read_bytes()))
        name = f"/vsigzip/{packed}"
    res = segment(options(name, tmp_path), models=bright_models)
    feats = read_features(res.output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], box_polygon(BOX, T05)) > 0.95
    assert file_on_disk(name) == str(packed)
    assert absolute_source(name) == name   # already absolute: unchanged
