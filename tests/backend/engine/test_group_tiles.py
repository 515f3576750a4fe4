"""Each category in tiles of the side chosen for it: the card's ``group_tile_px`` in a run.

The brightness model finds the bright square whatever the tile, so both phrases come back
alike; what differs is the tiles each was looked for in, and that is counted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.engine import (ORIGIN, box_polygon, bright_models, options,  # noqa: F401
                            read_features, scene, write_tif)
from rasterio.transform import from_origin
from rrsis.engine.estimation import estimate
from rrsis.engine.gsd import group_tile_px, phrase_tile_px
from rrsis.engine.model_cache import ModelCache
from rrsis.engine.run import segment

T05 = from_origin(*ORIGIN, 0.5, 0.5)
BOX = (40, 120, 60, 160)


@pytest.fixture()
def tiled(bright_models: ModelCache) -> ModelCache:
    """The brightness model (64 px tiles) with a card that segments roads in 128 px tiles."""
    model = bright_models.get("bright", "cpu")
    saved = model.card
    model.card = dict(saved, group_tile_px={"tile_px": {"road": 128}})
    yield bright_models
    model.card = saved


@pytest.mark.parametrize("groups,want", [
    (["road"], 128), (["building"], 64), ([], 64), (["road", "building"], 64)])
def test_a_phrase_of_one_group_takes_its_groups_tile(groups, want) -> None:
    assert phrase_tile_px({"road": 128}, groups, 64) == want


def test_unusable_tile_entries_are_ignored() -> None:
    table = {"road": 100, "water": 16, "land": True, "vehicle": "192", "tree": 8192,
             "building": 192}   # 100 is no multiple of 32; 16 and 8192 out of bounds
    assert group_tile_px({"group_tile_px": {"tile_px": table}}) == {"building": 192}
    assert group_tile_px({"group_tile_px": [1, 2]}) == {} == group_tile_px(None)


def test_phrases_of_two_tile_sides_run_in_passes_of_their_own(tmp_path: Path, tiled) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    res = segment(options(raster, tmp_path, expressions=["the road", "bright square"]),
                  models=tiled)
    # 200 x 200 px at 0.5 m: 64 px tiles (stride 48) 16; 128 px tiles (stride 96) 4
    assert res.gsd_m == 0.5 and res.tiles == 16 + 4
    by_expr = {f["expression"]: f for f in read_features(res.output)}
    for f in by_expr.values():  # the same grid: both on the output grid, both found
        assert f["gsd_m"] == 0.5
        geom, want = f["geometry"], box_polygon(BOX, T05)
        assert geom.intersection(want).area / geom.union(want).area > 0.9
    assert res.plans["the road"]["phrase_tile_px"] == {"road": 128}
    assert any("looked for in 128 px tiles" in m for m in res.plans["the road"]["messages"])
    assert "phrase_tile_px" not in res.plans["bright square"]
    assert estimate(options(raster, tmp_path, expressions=["the road", "bright square"]),
                    models=tiled).tiles == 16 + 4


def test_without_a_tile_choice_every_phrase_shares_the_models_tiles(tmp_path: Path,
                                                                    bright_models) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(box=BOX))
    res = segment(options(raster, tmp_path, expressions=["the road", "bright square"]),
                  models=bright_models)
    assert res.tiles == 16


def test_explain_names_the_tiles_of_the_shipped_card() -> None:
    """The shipped card segments vehicles in 192 px tiles (chosen on held-out scenes);
    ``rrsis explain`` says so as a run would."""
    from rrsis.engine.explain import explain_plans

    plans = explain_plans(["vehicles", "buildings"])
    assert plans["vehicles"]["phrase_tile_px"] == {"vehicles": 192}
    assert "'vehicles' is looked for in 192 px tiles" in plans["vehicles"]["text"]
    assert "phrase_tile_px" not in plans["buildings"]


def test_explain_names_the_tiles_the_base_uses_for_a_phrase_left_to_it(tmp_path: Path,
                                                                        monkeypatch) -> None:
    """A fine-tuned model taught buildings leaves vehicles to its base, which looks for them
    in its own chosen tiles (a run reports them from the base's pass; explain says so too);
    the model's own phrases keep its tiles."""
    import torch

    from rrsis.engine.explain import explain_plans
    from rrsis.models import create_model, save_checkpoint

    monkeypatch.setenv("RRSIS_MODEL_DIR", str(tmp_path))
    torch.manual_seed(0)
    model = create_model("test-lgce-tiny")
    side = model.config.input_size
    save_checkpoint(model, tmp_path / "tinybase.safetensors", card={
        "name": "tinybase", "group_tile_px": {"tile_px": {"vehicle": 2 * side}}})
    save_checkpoint(model, tmp_path / "tinyft.safetensors", card={
        "name": "tinyft", "finetuned_from": "tinybase",
        "categories": {"building": ["building"]}})
    d = explain_plans(["vehicles next to buildings"], model="tinyft")[
        "vehicles next to buildings"]
    # the relation's end-to-end fallback is about vehicles too, and also the base's
    assert d["phrase_tile_px"] == {"vehicles": 2 * side, "vehicles next to buildings": 2 * side}
    assert f"'vehicles' is looked for in {2 * side} px tiles (tinybase's are {side} px)" \
        in d["text"]
    assert "building" not in d["phrase_tile_px"]
