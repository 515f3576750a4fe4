"""Floors chosen from whole-scene reports: the rule, the leave-one-place-out check, scenes a
floor cannot change, and the card the engine then reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest
import torch

from rrsis.engine.gsd import phrase_floors, phrase_gsd_m
from rrsis.models import create_model
from rrsis.models.card import read_card
from rrsis.models.checkpoint import save_checkpoint
from rrsis.training.sources.choose_floors import choose, main, read_reports

# (source, scene) -> native GSD; three OpenAerialMap places and a 1 m Dubai tile
SCENES = {("more_buildings", "zanzibar-z21"): 0.07, ("more_buildings", "kathmandu-z21"): 0.07,
          ("kampala", "kampala-z21"): 0.075, ("dubai", "tile-2-image_part_001"): 1.0}


def _report(path: Path, floor: Optional[float], iou: Dict[str, Tuple[int, int]],
            skip: Tuple[str, ...] = ()) -> Path:
    """A scenes_eval report: per scene, "buildings" with (intersection, union) and "cars"
    unchanged by any floor."""
    rows = [{"source": src, "scene": name, "native_gsd_m": g, "gsd_m": max(g, floor or 0),
             "expressions": {"buildings": {"intersection": iou[name][0], "union": iou[name][1],
                                           "labelled": 1, "polygons": 1},
                             "cars": {"intersection": 10, "union": 40, "labelled": 1,
                                      "polygons": 1}},
             "absent": {}} for (src, name), g in SCENES.items() if name not in skip]
    path.write_text(json.dumps({"scenes": {"scenes": rows, "floor_m": floor}}))
    return path


def _three(tmp_path: Path, coarse_kathmandu: int = 70) -> list:
    same = {"tile-2-image_part_001": (40, 100)}
    return [
        _report(tmp_path / "base.json", None, {"zanzibar-z21": (60, 100),
                                                "kathmandu-z21": (30, 100),
                                                "kampala-z21": (70, 100), **same}),
        _report(tmp_path / "f15.json", 0.15, {"zanzibar-z21": (80, 100),
                                               "kathmandu-z21": (50, 100),
                                               "kampala-z21": (78, 100)},
                skip=("tile-2-image_part_001",)),   # 1 m: a 0.15 m floor cannot change it
        _report(tmp_path / "f20.json", 0.2, {"zanzibar-z21": (79, 100),
                                              "kathmandu-z21": (coarse_kathmandu, 100),
                                              "kampala-z21": (75, 100), **same})]


def test_the_finest_floor_near_the_best_is_chosen_and_confirmed(tmp_path: Path) -> None:
    base, floors = read_reports(_three(tmp_path, coarse_kathmandu=52))
    assert floors[0.15][("buildings", "dubai", "tile-2-image_part_001")] == (40, 100)
    block = choose(base, floors)
    e = block["phrases"]["buildings"]
    assert e["as_learnt"] == pytest.approx(200 / 400)
    assert e["at_floor"] == {"0.15": pytest.approx(248 / 400), "0.2": pytest.approx(246 / 400)}
    assert e["floor_m"] == 0.15 and block["floor_m"] == {"buildings": 0.15}
    assert e["places"] == 4 and e["leave_one_place_out"]["chosen"] > e["as_learnt"]
    assert block["phrases"]["cars"]["floor_m"] is None    # no gain: served as learnt


def test_a_coarser_floor_must_earn_its_place_by_a_point(tmp_path: Path) -> None:
    block = choose(*read_reports(_three(tmp_path, coarse_kathmandu=70)))
    # 0.2 m: 264 / 400 against 0.15 m's 248: more than a point better, so the coarser
    assert block["phrases"]["buildings"]["floor_m"] == 0.2


def test_a_gain_of_one_place_alone_is_not_confirmed(tmp_path: Path) -> None:
    paths = [_report(tmp_path / "base.json", None, {n: (50, 100) for _, n in SCENES}),
             _report(tmp_path / "f15.json", 0.15, {"zanzibar-z21": (90, 100),
                                                   "kathmandu-z21": (45, 100),
                                                   "kampala-z21": (45, 100),
                                                   "tile-2-image_part_001": (50, 100)})]
    e = choose(*read_reports(paths))["phrases"]["buildings"]
    assert e["at_floor"]["0.15"] > e["as_learnt"] + 0.01           # pooled, it gains
    assert e["floor_m"] is None and "not confirmed" in e["note"]   # one place made it


def test_the_card_gets_the_floors_the_engine_reads(tmp_path: Path, capsys) -> None:
    torch.manual_seed(0)
    model = tmp_path / "tiny.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), model,
                    card={"name": "tiny", "gsd_m": 0.15, "gsd_range_m": [0.05, 0.6],
                          "group_gsd_range_m": {"building": [0.06, 0.6]}})
    paths = _three(tmp_path, coarse_kathmandu=52)
    out = tmp_path / "floors.json"
    assert main([*map(str, paths), "--model", str(model), "--out", str(out),
                 "--write-card"]) == 0
    assert "| buildings (buildings) | 4 (4) | 50.0 | 62.0 | 61.5 | 0.15 m |" in \
        capsys.readouterr().out
    card = read_card(model)
    assert phrase_floors(card) == {"buildings": 0.15}
    assert phrase_gsd_m(card, ["building"], 0.075, "buildings") == pytest.approx(0.15)
    assert json.loads(out.read_text())["phrase_gsd_floors"]["floor_m"] == {"buildings": 0.15}


def test_reports_that_cannot_decide_are_one_readable_line(tmp_path: Path, capsys) -> None:
    base, f15, _ = _three(tmp_path)
    for args, message in [([str(base)], "at least one with --floor"),
                          ([str(base), str(base), str(f15)], "two reports without a floor"),
                          ([str(tmp_path / "none.json"), str(f15)], "not a scenes_eval report")]:
        assert main([*args, "--out", str(tmp_path / "x.json")]) != 0
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.json").exists()
