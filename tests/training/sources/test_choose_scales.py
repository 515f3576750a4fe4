"""Floors and ceilings chosen from whole-scene reports: the rule, the leave-one-place-out
check, scenes a candidate cannot change, candidates outside a group's range, and the card the
engine then reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest
import torch

from rrsis.engine.gsd import phrase_ceilings, phrase_floors, phrase_gsd_m
from rrsis.models import create_model
from rrsis.models.card import read_card
from rrsis.models.checkpoint import save_checkpoint
from rrsis.training.sources.choose_scales import choose, main, read_reports

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
    reports = read_reports(_three(tmp_path, coarse_kathmandu=52))
    assert list(reports.candidates) == ["floor"]
    dubai = ("buildings", "dubai", "tile-2-image_part_001")
    assert reports.candidates["floor"][0.15][dubai] == (40, 100)
    block = choose(reports)["floor"]
    e = block["phrases"]["buildings"]
    # scored on the three drone scenes: the 1 m tile, which no floor changes, is left out
    assert e["as_served"] == pytest.approx(160 / 300, abs=1e-4) and e["scenes"] == 3
    assert e["at_floor"] == {"0.15": pytest.approx(208 / 300, abs=1e-4),
                           "0.2": pytest.approx(206 / 300, abs=1e-4)}
    assert e["floor_m"] == 0.15 and block["floor_m"] == {"buildings": 0.15}
    assert e["places"] == 3 and e["leave_one_place_out"]["chosen"] > e["as_served"]
    assert block["phrases"]["cars"]["floor_m"] is None    # no gain: served as learnt


def test_a_coarser_floor_must_earn_its_place_by_a_point(tmp_path: Path) -> None:
    block = choose(read_reports(_three(tmp_path, coarse_kathmandu=70)))["floor"]
    # 0.2 m: 224 / 300 against 0.15 m's 208: more than a point better, so the coarser
    assert block["phrases"]["buildings"]["floor_m"] == 0.2


def test_a_gain_of_one_place_alone_is_not_confirmed(tmp_path: Path) -> None:
    paths = [_report(tmp_path / "base.json", None, {n: (50, 100) for _, n in SCENES}),
             _report(tmp_path / "f15.json", 0.15, {"zanzibar-z21": (90, 100),
                                                   "kathmandu-z21": (45, 100),
                                                   "kampala-z21": (45, 100),
                                                   "tile-2-image_part_001": (50, 100)})]
    e = choose(read_reports(paths))["floor"]["phrases"]["buildings"]
    assert e["at_floor"]["0.15"] > e["as_served"] + 0.01           # pooled, it gains
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
    assert "| buildings (buildings) | 3 (3) | 53.3 | 69.3 | 68.7 | 0.15 m |" in \
        capsys.readouterr().out
    card = read_card(model)
    assert phrase_floors(card) == {"buildings": 0.15}
    assert phrase_gsd_m(card, ["building"], 0.075, "buildings") == pytest.approx(0.15)
    assert json.loads(out.read_text())["phrase_gsd_floors"]["floor_m"] == {"buildings": 0.15}


def test_reports_that_cannot_decide_are_one_readable_line(tmp_path: Path, capsys) -> None:
    base, f15, _ = _three(tmp_path)
    for args, message in [([str(base)], "at least one with --floor"),
                          ([str(base), str(base), str(f15)], "two reports served as the card does"),
                          ([str(tmp_path / "none.json"), str(f15)], "not a scenes_eval report")]:
        assert main([*args, "--out", str(tmp_path / "x.json")]) != 0
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.json").exists()


# 1 m Dubai tiles of two places and a drone scene no ceiling can change
COARSE = {("dubai", "tile-2-image_part_001"): 1.0, ("dubai", "tile-2-image_part_002"): 1.0,
          ("dubai", "tile-6-image_part_001"): 1.0, ("more_buildings", "zanzibar-z21"): 0.07}


def _coarse(path: Path, ceiling: Optional[float], buildings: int, roads: int) -> Path:
    """A scenes_eval report: every 1 m scene with ``buildings`` and ``roads`` of 100 (their
    intersection), the drone scene unchanged and absent from a ceiling's report."""
    rows = [{"source": src, "scene": name, "native_gsd_m": g, "gsd_m": ceiling or g,
             "expressions": {
                 "buildings": {"intersection": buildings if g > 0.5 else 60, "union": 100,
                               "labelled": 1, "polygons": 1},
                 **({"roads": {"intersection": roads, "union": 100, "labelled": 1,
                               "polygons": 1}} if g > 0.5 else {})},
             "absent": {}} for (src, name), g in COARSE.items()
            if ceiling is None or g > ceiling]
    path.write_text(json.dumps({"scenes": {"scenes": rows, "ceiling_m": ceiling}}))
    return path


def _ceilings(tmp_path: Path) -> list:
    return [_coarse(tmp_path / "base.json", None, 40, 40),
            _coarse(tmp_path / "c3.json", 0.3, 47, 60),     # roads: outside their range
            _coarse(tmp_path / "c4.json", 0.4, 46, 40),
            _coarse(tmp_path / "c5.json", 0.5, 46, 39)]


RANGES = {"buildings": (0.06, 0.6), "road": (0.34, 0.6)}


def test_the_coarsest_ceiling_near_the_best_inside_the_range_is_chosen(tmp_path: Path) -> None:
    reports = read_reports(_ceilings(tmp_path))
    cands = reports.candidates["ceiling"]
    assert sorted(cands) == [0.3, 0.4, 0.5]
    drone = ("buildings", "more_buildings", "zanzibar-z21")
    assert cands[0.4][drone] == reports.base[drone] == (60, 100)   # finer: unchanged
    block = choose(reports, ranges=RANGES)["ceiling"]
    e = block["phrases"]["buildings"]
    # 0.3 m is best (47 against 46 on the 1 m scenes), 0.5 m within a point and coarser
    assert e["ceiling_m"] == 0.5 and block["ceiling_m"] == {"buildings": 0.5}
    assert e["scenes"] == 3                    # the drone scene, which none changes, left out
    assert e["leave_one_place_out"]["chosen"] > e["leave_one_place_out"]["as_served"]
    roads = block["phrases"]["road"]
    assert "0.3" not in roads["at_ceiling"] and roads["ceiling_m"] is None
    # without the ranges 0.3 m would have been taken for roads
    assert choose(reports)["ceiling"]["phrases"]["road"]["ceiling_m"] == 0.3


def test_the_card_keeps_crop_ceilings_the_scenes_did_not_replace(tmp_path: Path,
                                                                  capsys) -> None:
    torch.manual_seed(0)
    model = tmp_path / "tiny.safetensors"
    crops = {"ceiling_m": {"vegetation": 0.25, "buildings": 0.3}, "groups": {"vegetation": {}}}
    save_checkpoint(create_model("test-lgce-tiny"), model,
                    card={"name": "tiny", "gsd_m": 0.15, "gsd_range_m": [0.05, 0.6],
                          "group_gsd_range_m": {"building": [0.06, 0.6], "road": [0.34, 0.6],
                                                "vegetation": [0.08, 0.6]},
                          "phrase_gsd_ceilings": crops})
    out = tmp_path / "ceilings.json"
    assert main([*map(str, _ceilings(tmp_path)), "--model", str(model), "--out", str(out),
                 "--write-card"]) == 0
    printed = capsys.readouterr().out
    assert "| road (roads) | 3 (2) | 40.0 | outside | 40.0 | 39.0 | as served |" in printed
    card = read_card(model)
    assert phrase_ceilings(card) == {"vegetation": 0.25, "buildings": 0.5}
    assert phrase_gsd_m(card, ["building"], 1.0, "buildings") == pytest.approx(0.5)
    block = card["phrase_gsd_ceilings"]
    assert block["groups"] == {"vegetation": {}} and "buildings" in block["scenes"]["phrases"]
    assert "phrase_gsd_floors" not in card     # no floor was measured: none written


def test_a_report_of_both_ends_is_one_readable_line(tmp_path: Path, capsys) -> None:
    both = tmp_path / "both.json"
    both.write_text(json.dumps({"scenes": {"scenes": [], "floor_m": 0.15, "ceiling_m": 0.4}}))
    assert main([str(_ceilings(tmp_path)[0]), str(both), "--out", str(tmp_path / "x.json")]) != 0
    err = capsys.readouterr().err
    assert "served with --floor and --ceiling" in err and "Traceback" not in err
    assert not (tmp_path / "x.json").exists()
