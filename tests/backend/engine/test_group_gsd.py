"""Each category at the scales it was learnt at: the card's ``group_gsd_range_m`` in a run.

The brightness model finds the bright square whatever it is asked for, so the same object
comes back from "the road" (served coarser) and from a phrase of no group (served at the
raster's GSD): what differs is the scale it was looked for at, and that is checked.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio

from helpers.engine import (ORIGIN, box_polygon, bright_models, options,  # noqa: F401
                            read_features, scene, write_tif)
from rasterio.transform import from_origin
from rrsis.engine.gsd import group_gsd_ranges, phrase_gsd_m
from rrsis.engine.model_cache import ModelCache
from rrsis.engine.run import segment
from rrsis.errors import Cancelled, InputError
from shapely.geometry import box

T05 = from_origin(*ORIGIN, 0.5, 0.5)
BOX = (40, 120, 60, 160)  # 40 m x 50 m: large enough to survive 1 m pixels
RANGES = {"road": [1.0, 2.0], "building": [0.25, 1.0]}


@pytest.fixture()
def grouped(bright_models: ModelCache) -> ModelCache:
    """The brightness model with a card that serves roads at 1-2 m only."""
    model = bright_models.get("bright", "cpu")
    card = dict(model.card, gsd_range_m=[0.25, 2.0], group_gsd_range_m=RANGES)
    saved = model.card
    model.card = card
    yield bright_models
    model.card = saved


def iou(a, b) -> float:
    return a.intersection(b).area / a.union(b).area


@pytest.mark.parametrize("groups,working,want", [
    (["road"], 0.5, 1.0), (["road"], 3.0, 2.0), (["road"], 1.5, 1.5),
    (["building"], 0.1, 0.25), (["building"], 0.5, 0.5),
    (["vehicle"], 0.1, 0.1),               # no range for the group: the working GSD
    ([], 0.5, 0.5),                        # a phrase of no group ("xqzv", "cars and trees")
    (["road", "building"], 0.5, 0.5),      # of two groups: the working GSD
])
def test_phrase_gsd_is_the_working_gsd_clamped_into_its_group(groups, working, want) -> None:
    assert phrase_gsd_m({"group_gsd_range_m": RANGES}, groups, working) == pytest.approx(want)


def test_a_group_range_never_leads_beyond_the_models_range() -> None:
    card = {"gsd_range_m": [0.05, 0.5], "group_gsd_range_m": {"road": [0.34, 0.6],
                                                              "water": [0.8, 1.0]}}
    assert phrase_gsd_m(card, ["road"], 0.1) == pytest.approx(0.34)
    assert phrase_gsd_m(card, ["road"], 0.5) == pytest.approx(0.5)
    assert phrase_gsd_m(card, ["water"], 0.1) == pytest.approx(0.1)  # no overlap: as before
    broken = dict(card, gsd_range_m="wide")  # a broken model range is ignored, not fatal
    assert phrase_gsd_m(broken, ["water"], 0.1) == pytest.approx(0.8)


def test_unusable_card_entries_are_ignored() -> None:
    card = {"group_gsd_range_m": {"road": [2.0, 1.0], "water": [0, 1], "land": "far",
                                  "vehicle": [0.1, float("nan")], "building": [0.2, 0.4],
                                  "tree": [True, 1.0]}}
    assert group_gsd_ranges(card) == {"building": (0.2, 0.4)}
    assert group_gsd_ranges({}) == {} and group_gsd_ranges(None) == {}
    assert group_gsd_ranges({"group_gsd_range_m": [1, 2]}) == {}


def test_a_road_alone_is_served_at_its_groups_scale(tmp_path: Path, grouped) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    res = segment(options(raster, tmp_path, expressions=["the road"]), models=grouped)
    assert res.gsd_m == 1.0 and (res.width_px, res.height_px) == (100, 100)
    feats = read_features(res.output)
    assert len(feats) == 1 and feats[0]["gsd_m"] == 1.0
    assert iou(feats[0]["geometry"], box_polygon(BOX, T05)) > 0.9
    assert "phrase_gsd_m" not in res.plans["the road"]  # the output grid is its own scale


def test_phrases_at_two_scales_share_the_finer_output_grid(tmp_path: Path, grouped) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    prob = tmp_path / "p.tif"
    res = segment(options(raster, tmp_path, expressions=["the road", "bright square"],
                          probability=str(prob), probability_dtype="float32"),
                  models=grouped)
    assert res.gsd_m == 0.5 and (res.width_px, res.height_px) == (200, 200)
    # 200 x 200 px at 0.5 m in 64 px tiles (stride 48): 16; the road pass at 1 m: 4 more
    assert res.tiles == 16 + 4
    by_expr = {f["expression"]: f for f in read_features(res.output)}
    assert by_expr["the road"]["gsd_m"] == 1.0 and by_expr["bright square"]["gsd_m"] == 0.5
    for f in by_expr.values():
        assert iou(f["geometry"], box_polygon(BOX, T05)) > 0.9
    assert res.plans["the road"]["phrase_gsd_m"] == {"road": 1.0}
    assert any("looked for at 1 m" in m for m in res.plans["the road"]["messages"])
    assert "phrase_gsd_m" not in res.plans["bright square"]
    with rasterio.open(prob) as src:  # one raster on the output grid, the road resampled
        assert src.count == 2 and src.transform == T05 and src.descriptions == (
            "road", "bright square")
        road, square = src.read()
    r0, r1, c0, c1 = BOX
    assert road[r0 + 4:r1 - 4, c0 + 4:c1 - 4].min() > 0.9
    assert road[:r0 - 4].max() < 0.1 and road[r1 + 4:].max() < 0.1
    assert np.abs(road - square)[r0 + 4:r1 - 4, c0 + 4:c1 - 4].max() < 0.05


def test_a_relation_takes_its_anchor_from_the_coarser_pass(tmp_path: Path, grouped) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    res = segment(options(raster, tmp_path, expressions=["buildings on the road"],
                          grounding="on"), models=grouped)
    assert res.gsd_m == 0.5 and res.feature_counts == {"buildings on the road": 1}
    assert res.plans["buildings on the road"]["phrase_gsd_m"] == {"road": 1.0}


def test_a_set_gsd_serves_every_phrase_alike(tmp_path: Path, grouped) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    res = segment(options(raster, tmp_path, expressions=["the road", "bright square"],
                          gsd_m=0.5), models=grouped)
    assert res.gsd_m == 0.5 and res.tiles == 16
    assert {f["gsd_m"] for f in read_features(res.output)} == {0.5}


def test_a_raster_without_crs_is_served_at_the_ground_size_of_its_pixels(tmp_path: Path,
                                                                         grouped) -> None:
    """``pixel_size_m`` gives a raster without a CRS its GSD: each phrase is served at its
    group's scales as on a georeferenced raster of that GSD, the output stays in the raster's
    pixel units, and areas and distances are in metres."""
    plain = write_tif(tmp_path / "plain.tif", scene(box=BOX), crs=None)
    r0, r1, c0, c1 = BOX
    square = box(c0, r0, c1, r1)   # (col, row)
    res = segment(options(plain, tmp_path, expressions=["the road", "bright square"],
                          pixel_coordinates=True, pixel_size_m=0.5), models=grouped)
    assert res.gsd_m == 0.5 and res.crs is None
    assert res.plans["the road"]["phrase_gsd_m"] == {"road": 1.0}   # 0.5 m: below its range
    feats = {f["expression"]: f for f in read_features(res.output)}
    assert iou(feats["the road"]["geometry"], square) > 0.9
    assert feats["bright square"]["area_m2"] == pytest.approx(square.area * 0.25, rel=0.05)
    # pixels of 0.1 m, finer than the model serves: the raster shrunk to 0.25 m, 2.5 times
    res = segment(options(plain, tmp_path, expressions=["bright square"], overwrite=True,
                          pixel_coordinates=True, pixel_size_m=0.1), models=grouped)
    assert res.gsd_m == 0.25 and (res.width_px, res.height_px) == (80, 80)
    feats = read_features(res.output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], square) > 0.9
    assert feats[0]["area_m2"] == pytest.approx(square.area * 0.01, rel=0.05)
    # a ratio that is no whole number: the last working pixel reaches past the raster
    res = segment(options(plain, tmp_path, expressions=["bright square"], overwrite=True,
                          pixel_coordinates=True, pixel_size_m=0.07), models=grouped)
    assert res.gsd_m == 0.25 and (res.width_px, res.height_px) == (56, 56)   # 200 / 3.57
    feats = read_features(res.output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], square) > 0.85
    # no pixel size: the pixels taken as the model's native GSD, and the result says so
    res = segment(options(plain, tmp_path, expressions=["bright square"], overwrite=True,
                          pixel_coordinates=True), models=grouped)
    assert res.gsd_m == 0.5 and any(m.startswith("no CRS: a pixel taken as 0.5 m")
                                    for m in res.plans["bright square"]["messages"])
    # a raster with a CRS has its own GSD: a pixel size is refused, the last output kept
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    before = Path(res.output).read_bytes()
    with pytest.raises(InputError, match="pixel_size_m is for a raster without a CRS"):
        segment(options(raster, tmp_path, pixel_size_m=0.5), models=grouped)
    assert Path(res.output).read_bytes() == before


@pytest.mark.parametrize("pixel_y", ["down", "up"])
def test_pixel_coordinates_in_either_frame(tmp_path: Path, grouped, pixel_y: str) -> None:
    """A raster without a CRS in GDAL's pixel frame (y the row) or in QGIS's (y minus the
    row, north up on its canvas): the extent is read, and the polygons and the probability
    raster written, in the frame asked for; "the northernmost" is the one nearest the top
    row in both."""
    data = scene(box=BOX)
    data[:, 5:25, 170:195] = 230   # a second square, nearer the top rows
    plain = write_tif(tmp_path / "plain.tif", data, crs=None)
    sign = 1 if pixel_y == "down" else -1

    def frame(c0: float, r0: float, c1: float, r1: float):   # (col, row) box -> the frame's
        return box(c0, min(sign * r0, sign * r1), c1, max(sign * r0, sign * r1))

    top = frame(170, 5, 195, 25)
    res = segment(options(plain, tmp_path, expressions=["the northernmost building"],
                          pixel_coordinates=True, pixel_y=pixel_y,
                          probability=str(tmp_path / "p.tif")), models=grouped)
    feats = read_features(res.output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], top) > 0.9
    with rasterio.open(tmp_path / "p.tif") as src:
        assert src.crs is None and src.transform.e == sign   # 1 px, rows down the file
        assert src.read(1)[15, 182] > 0.5 * np.iinfo(src.dtypes[0]).max   # the top square
    # an extent over the lower square only (cols 50-165, rows 30-190)
    extent = frame(50, 30, 165, 190).bounds
    res = segment(options(plain, tmp_path, pixel_coordinates=True, pixel_y=pixel_y,
                          extent=list(extent), overwrite=True), models=grouped)
    r0, r1, c0, c1 = BOX
    feats = read_features(res.output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], frame(c0, r0, c1, r1)) > 0.9


def test_a_phrase_ceiling_serves_it_finer_than_its_group(tmp_path: Path, grouped) -> None:
    """A card's ``phrase_gsd_ceilings`` lowers the coarse end for one phrase ("vegetation"
    learnt down to 0.6 m, found better at 0.3 m): "the road" on a 2 m raster is looked for at
    1 m with a ceiling of 1 m (the raster enlarged twice), at 2 m without one; a ceiling
    below the group's finest is ignored, and another phrase of the group keeps the range."""
    t2 = from_origin(*ORIGIN, 2.0, 2.0)
    raster = write_tif(tmp_path / "in.tif", scene(size=100, box=(20, 40, 30, 55)), transform=t2)
    model = grouped.get("bright", "cpu")
    res = segment(options(raster, tmp_path, expressions=["the road"]), models=grouped)
    assert res.gsd_m == 2.0
    model.card = dict(model.card, phrase_gsd_ceilings={"ceiling_m": {"road": 1.0}})
    res = segment(options(raster, tmp_path, expressions=["the road"]), models=grouped)
    assert res.gsd_m == 1.0 and (res.width_px, res.height_px) == (200, 200)
    feats = read_features(res.output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], box_polygon((20, 40, 30, 55), t2)) > 0.9
    assert res.plans["the road"]["phrase_gsd_m"] == {"road": 1.0}
    assert any("looked for at 1 m, finer than the raster" in m
               for m in res.plans["the road"]["messages"])
    assert phrase_gsd_m(model.card, ["road"], 2.0, "roads and rivers") == 2.0
    low = dict(model.card, phrase_gsd_ceilings={"ceiling_m": {"road": 0.5}})   # < its 1 m
    assert phrase_gsd_m(low, ["road"], 2.0, "road") == 2.0
    broken = dict(model.card, phrase_gsd_ceilings={"ceiling_m": {"road": "fine"}})
    assert phrase_gsd_m(broken, ["road"], 2.0, "road") == 2.0


def test_a_phrase_floor_serves_it_coarser_than_the_raster(tmp_path: Path, grouped) -> None:
    """A card's ``phrase_gsd_floors`` raises the fine end for one phrase ("buildings" on a
    0.075 m drone image looked for at 0.15 m): "buildings" on a 0.5 m raster is looked for
    at 1 m with a floor of 1 m, at 0.5 m without one, and says why; beside its rivals or a
    phrase of no group the output grid stays at 0.5 m and the buildings come from the
    coarser pass."""
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    model = grouped.get("bright", "cpu")
    res = segment(options(raster, tmp_path, expressions=["buildings"]), models=grouped)
    assert res.gsd_m == 0.5 and "phrase_gsd_m" not in res.plans["buildings"]
    model.card = dict(model.card, phrase_gsd_floors={"floor_m": {"buildings": 1.0}})
    res = segment(options(raster, tmp_path, expressions=["buildings"], overwrite=True,
                          rivals=False), models=grouped)
    assert res.gsd_m == 1.0 and (res.width_px, res.height_px) == (100, 100)
    feats = read_features(res.output)
    assert len(feats) == 1 and iou(feats[0]["geometry"], box_polygon(BOX, T05)) > 0.9
    assert res.plans["buildings"]["phrase_gsd_m"] == {"buildings": 1.0}
    assert [m for m in res.plans["buildings"]["messages"] if "looked for at" in m] == [
        "'buildings' looked for at 1 m, coarser than the raster: the model finds it better "
        "there than at the finest scale it learnt it at (measured)"]
    for asked in (["buildings"], ["buildings", "xqzv"]):
        res = segment(options(raster, tmp_path, expressions=asked, overwrite=True),
                      models=grouped)
        assert res.gsd_m == 0.5 and res.plans["buildings"]["phrase_gsd_m"] == {"buildings": 1.0}
        assert len([m for m in res.plans["buildings"]["messages"] if "looked for at" in m]) == 1
        feats = [f for f in read_features(res.output) if f["expression"] == "buildings"]
        assert len(feats) == 1 and iou(feats[0]["geometry"], box_polygon(BOX, T05)) > 0.9
    # a rival only keeps its fine end: the floor was measured for answers
    from rrsis.engine.run import _prepare

    plan = _prepare(options(raster, tmp_path, expressions=["vehicles"]), grouped)
    assert "buildings" in plan.phrases and plan.coarser_gsd() == {}
    assert phrase_gsd_m(model.card, ["building"], 0.5, "buildings", floor=False) == 0.5
    assert phrase_gsd_m(model.card, ["building"], 0.5, "houses") == 0.5   # another phrase
    high = dict(model.card, phrase_gsd_floors={"floor_m": {"buildings": 1.5}})   # > its 1 m
    assert phrase_gsd_m(high, ["building"], 0.5, "buildings") == 0.5
    assert phrase_gsd_m(model.card, ["building"], 0.8, "buildings") == 1.0


@pytest.mark.parametrize("floor", [None, 0.08, 0.1, 0.25, 0.6, 0.9])
@pytest.mark.parametrize("ceiling", [None, 0.05, 0.08, 0.25, 0.6, 0.9])
def test_explain_moves_a_range_as_the_engine_does(ceiling, floor) -> None:
    """``explain`` repeats the engine's rule (grounding may not import the engine)."""
    from rrsis.engine.gsd import measured_range
    from rrsis.grounding.explain import phrase_scale

    ceilings = {} if ceiling is None else {"vegetation": ceiling}
    floors = {} if floor is None else {"vegetation": floor}
    lo, hi, capped, raised = phrase_scale({"vegetation": (0.08, 0.6)}, ceilings, "vegetation",
                                          "vegetation", floors)
    assert (lo, hi) == measured_range(0.08, 0.6, ceiling, floor)
    assert capped == (hi != 0.6) and raised == (lo != 0.08)


def test_cancelling_in_the_coarser_pass_leaves_nothing(tmp_path: Path, grouped) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 1  # the coarser pass runs first

    opts = options(raster, tmp_path, expressions=["the road", "bright square"],
                   probability=str(tmp_path / "p.tif"))
    with pytest.raises(Cancelled):
        segment(opts, cancel=cancel, models=grouped)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tif"]


def test_the_estimate_counts_the_coarser_pass(tmp_path: Path, grouped) -> None:
    from rrsis.engine.estimation import estimate

    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    est = estimate(options(raster, tmp_path, expressions=["the road", "bright square"]),
                   models=grouped, calibration_batches=1)
    assert est.tiles == 16 + 4 and est.gsd_m == 0.5 and est.seconds > 0


def test_the_estimate_selects_against_the_coarser_pass_objects(tmp_path: Path, grouped,
                                                                monkeypatch) -> None:
    """What the selection of "bright square near the road" costs depends on the road objects,
    found in a coarser pass: the estimate infers that pass over its calibration tiles and
    hands its objects, resampled onto the output grid as the run does, to the selection."""
    from rrsis.engine.estimation import estimate
    from rrsis.grounding.engine import GroundedRun

    seen = {}
    select = GroundedRun.select

    def spy(self, objects, *args, **kwargs):
        seen.update({p: len(g) for p, g in objects.items()})
        return select(self, objects, *args, **kwargs)

    monkeypatch.setattr(GroundedRun, "select", spy)
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    estimate(options(raster, tmp_path, expressions=["the road", "bright square"]),
             models=grouped, calibration_batches=1)
    assert seen.get("road", 0) >= 1 and seen.get("bright square", 0) >= 1
