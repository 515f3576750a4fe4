"""Tile sides chosen on whole-scene reports: per lexicon group, the rule and its
leave-one-place-out check, and the card the engine then reads."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from helpers.scene_reports import scene_report

from rrsis.engine.gsd import group_tile_px, phrase_tile_px
from rrsis.models import create_model
from rrsis.models.card import read_card
from rrsis.models.checkpoint import save_checkpoint
from rrsis.training.sources.choose_scales import read_reports
from rrsis.training.sources.choose_tiles import choose, main

# vehicles in two car sequences, buildings in two OpenAerialMap places
SCENES = {("cars", "MOS74-0001"): "vehicles", ("cars", "DJI_0762-00001"): "vehicles",
          ("more_buildings", "zanzibar-z20"): "buildings",
          ("more_buildings", "kathmandu-z20"): "buildings"}


def _reports(tmp_path: Path) -> list:
    base = {"MOS74-0001": (50, 100), "DJI_0762-00001": (45, 100),
            "zanzibar-z20": (60, 100), "kathmandu-z20": (60, 100)}
    # vehicles gain in both sequences; buildings gain in one place and lose in the other
    t192 = {**base, "MOS74-0001": (53, 100), "DJI_0762-00001": (49, 100),
            "zanzibar-z20": (70, 100), "kathmandu-z20": (55, 100)}
    t320 = {**base, "MOS74-0001": (52, 100), "DJI_0762-00001": (49, 100)}
    return [scene_report(tmp_path / f"{name}.json", SCENES, "tile_px", side, iou, gsd_m=0.1)
            for name, side, iou in (("base", None, base), ("t192", 192, t192),
                                    ("t320", 320, t320))]


def test_the_side_nearest_the_models_near_the_best_is_chosen_per_group(tmp_path: Path) -> None:
    chosen = choose(read_reports(_reports(tmp_path), kinds=("tile",)), input_size=480)
    vehicle = chosen["groups"]["vehicle"]
    # 192 is best (102 / 200), 320 within a point of it and nearer to 480
    assert vehicle["at_tile"] == {"192": 0.51, "320": 0.505} and vehicle["tile"] == 320
    assert vehicle["leave_one_place_out"]["chosen"] > vehicle["leave_one_place_out"][
        "as_served"]
    building = chosen["groups"]["building"]
    assert building["at_tile"]["192"] > building["as_served"]             # pooled, it gains
    assert building["tile"] is None and "not confirmed" in building["note"]  # one place made it
    assert chosen["tile_px"] == {"vehicle": 320}


def test_the_cli_writes_the_card_the_engine_reads(tmp_path: Path, capsys) -> None:
    torch.manual_seed(0)
    model = tmp_path / "tiny.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), model, card={"name": "tiny", "gsd_m": 0.15})
    out = tmp_path / "tiles.json"
    assert main([*map(str, _reports(tmp_path)), "--model", str(model), "--out", str(out),
                 "--write-card"]) == 0
    text = capsys.readouterr().out
    assert "| vehicle (vehicles) | 2 (2) | 47.5 | 51.0 | 50.5 |" in text
    card = read_card(model)
    size = card["config"]["input_size"]
    assert group_tile_px(card) == {"vehicle": 192 if abs(192 - size) < abs(320 - size) else 320}
    assert phrase_tile_px(group_tile_px(card), ["building"], size) == size
    assert json.loads(out.read_text())["group_tile_px"]["groups"]["vehicle"]["scenes"] == 2


def test_a_report_of_another_kind_is_one_readable_line(tmp_path: Path, capsys) -> None:
    base = _reports(tmp_path)[0]
    floor = tmp_path / "floor.json"
    floor.write_text(json.dumps({"scenes": {"scenes": [], "floor_m": 0.15}}))
    for args, message in [([str(base), str(floor)], "was served with --floor"),
                          ([str(base)], "at least one with --tile-px")]:
        assert main([*args, "--out", str(tmp_path / "x.json")]) != 0
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.json").exists()
