"""The card's per-group operating points: read from the card, mapped to phrases, applied once.

The engine runs use the deterministic ``bright`` model (foreground logit = 8 * (brightness
- 0.5)): a dim square of brightness 0.3 has logit -1.6 (probability 0.17, no object); under
an operating point of -2.0 for the vehicle group, "cars" sees it at logit 0.4 (0.60, one
object), while a phrase of no group on the same run keeps the raw model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio

from helpers.engine import (_one_thread, bright_models, options, scene,  # noqa: F401
                            write_tif)
from rrsis.engine.operating import group_thresholds, phrase_offsets
from rrsis.engine.run import ModelCache, segment
from rrsis.engine.tiling import StripBlender, Tile, blend_window, sigmoid
from rrsis.grounding.engine import GroundedRun


@pytest.mark.parametrize("card", [None, {}, {"operating_points": None},
                                  {"operating_points": {"logit_threshold": "x"}}])
def test_a_card_without_a_usable_block_has_no_operating_points(card: Any) -> None:
    assert group_thresholds(card) == {}
    assert phrase_offsets(card, ["cars"], {"cars": ["vehicle"]}) is None


def test_broken_values_are_ignored_and_good_ones_kept() -> None:
    card = {"operating_points": {"logit_threshold": {
        "vehicle": -1.0, "water": float("nan"), "road": 9.0, "land": True, "building": 0.5}}}
    assert group_thresholds(card) == {"vehicle": -1.0, "building": 0.5}


def test_each_phrase_gets_the_threshold_of_its_one_group() -> None:
    card = {"operating_points": {"logit_threshold": {"vehicle": -1.0, "vegetation": -1.25}}}
    groups = {"cars": ["vehicle"], "trees": ["vegetation"], "road": ["road"],
              "cars and trees": ["vehicle", "vegetation"], "blorf": []}
    offsets = phrase_offsets(card, list(groups), groups)
    np.testing.assert_array_equal(offsets, np.float32([-1.0, -1.25, 0.0, 0.0, 0.0]))
    assert phrase_offsets(card, ["road"], groups) is None  # nothing to shift


def test_phrase_groups_follow_the_lexicon_and_the_parser() -> None:
    run = GroundedRun(["trees", "cars next to the road", "blorf cars", "houses"], "auto")
    groups = run.phrase_groups()
    assert groups["trees"] == ["vegetation"] and groups["buildings"] == ["building"]
    assert groups["cars"] == ["vehicle"] and groups["road"] == ["road"]  # the anchor too
    assert groups["cars next to the road"] == ["vehicle"]  # the fallback: its target
    assert groups["blorf cars"] == []                      # not understood: the raw model
    off = GroundedRun(["vehicles along the road"], "off").phrase_groups()
    assert off == {"vehicles along the road": ["vehicle"]}


def test_the_blender_shifts_each_expression_before_the_sigmoid() -> None:
    size = 8
    blender = StripBlender(2, size, size, blend_window(size, 0.0), np.float32([-1.0, 0.5]))
    blender.add(Tile(0, 0, size), np.full((2, size, size), 0.25, np.float32),
                np.ones((size, size), bool))
    _, prob, _ = blender.advance(size, size)
    np.testing.assert_allclose(prob[0], sigmoid(np.float32(1.25)), rtol=1e-6)
    np.testing.assert_allclose(prob[1], sigmoid(np.float32(-0.25)), rtol=1e-6)


def _with_points(models: ModelCache, table: Any) -> ModelCache:
    base = models.get("bright", "cpu")
    cache = ModelCache()
    model = type(base)(base.config, base.segmentation, base.text_encoder).eval()
    model.card = dict(base.card, operating_points={"logit_threshold": table})
    cache.add("bright", model)
    return cache


def test_the_engine_applies_the_group_point_to_every_output(tmp_path: Path,
                                                             bright_models: ModelCache) -> None:
    raster = write_tif(tmp_path / "s.tif", scene(bright=round(255 * 0.3), dark=0))
    prob_path = tmp_path / "p.tif"
    kw = dict(expressions=["cars", "bright square"], probability=str(prob_path),
              probability_dtype="float32", min_area_m2=0.0)
    raw = segment(options(raster, tmp_path, **kw), models=bright_models)
    assert raw.feature_counts == {"cars": 0, "bright square": 0}
    shifted = segment(options(raster, tmp_path, **kw),
                      models=_with_points(bright_models, {"vehicle": -2.0}))
    assert shifted.feature_counts == {"cars": 1, "bright square": 0}
    with rasterio.open(prob_path) as src:
        cars, plain = src.read(1), src.read(2)
    logit = 8 * (round(255 * 0.3) / 255 - 0.5)
    assert cars[70, 115] == pytest.approx(float(sigmoid(np.float32(logit + 2.0))), abs=1e-4)
    assert plain[70, 115] == pytest.approx(float(sigmoid(np.float32(logit))), abs=1e-4)


def test_pixels_without_data_reach_the_model_as_its_mean_colour(tmp_path: Path) -> None:
    """A probe network that returns its input's red channel as logits: where the raster
    has no data (here: beyond a raster smaller than a tile, and a nodata hole) the model
    must see the mean colour or the mirrored raster, never black."""
    import torch
    from torch import nn

    from rrsis.models import create_model
    from rrsis.models.lavt import ReferringSegmenter

    seen = []

    class Probe(nn.Module):
        def __init__(self, mean: torch.Tensor, std: torch.Tensor) -> None:
            super().__init__()
            self.register_buffer("mean", mean.clone())
            self.register_buffer("std", std.clone())

        def forward(self, image, l_feats, l_mask):  # type: ignore[no-untyped-def]
            raw = image * self.std + self.mean
            seen.append(raw.detach().clone())
            return torch.stack([torch.zeros_like(raw[:, 0]), raw[:, 0]], 1)

    torch.manual_seed(0)
    tiny = create_model("test-lgce-tiny")
    model = ReferringSegmenter(tiny.config, Probe(tiny.pixel_mean, tiny.pixel_std),
                               tiny.text_encoder).eval()
    model.card = {"name": "probe", "gsd_m": 0.5}
    cache = ModelCache()
    cache.add("probe", model)
    data = np.full((3, 20, 20), 200, np.uint8)
    data[:, 5:8, 5:8] = 0                                # nodata hole (0 = nodata)
    raster = write_tif(tmp_path / "small.tif", data, nodata=0)
    segment(options(raster, tmp_path, model="probe", expressions=["cars"]), models=cache)
    tile = seen[0][0]
    size = tile.shape[-1]
    assert size > 20                                     # the raster is smaller than a tile
    mean = torch.tensor(tiny.config.mean).view(3, 1, 1)
    assert torch.allclose(tile[:, 5:8, 5:8], mean.expand(3, 3, 3), atol=1e-6)  # the hole
    beyond = tile[:, 20:30, 20:30]                       # mirrors rows/cols 19..10: no hole
    assert torch.allclose(beyond, torch.full_like(beyond, 200 / 255), atol=1e-6)
    assert (tile > 0).all()                              # nowhere black
