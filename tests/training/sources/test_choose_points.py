"""Operating points chosen on whole-scene reports: per lexicon group, the rule and its
leave-one-place-out check, and the card the engine then reads (the operating point and the
presence threshold moved together)."""

from __future__ import annotations

import json
import math
from pathlib import Path
import pytest
import torch
from helpers.scene_reports import scene_report

from rrsis.engine.operating import group_thresholds
from rrsis.engine.presence import PresenceRule
from rrsis.models import create_model
from rrsis.models.card import read_card
from rrsis.models.checkpoint import save_checkpoint
from rrsis.training.sources.choose_points import card_blocks, choose, main
from rrsis.training.sources.choose_scales import read_reports

# roads on two Dubai tiles, trees in two NAIP cities
SCENES = {("dubai", "tile-2-image_part_001"): "roads", ("dubai", "tile-6-image_part_001"): "roads",
          ("urban_trees", "claremont_2020_a"): "trees", ("urban_trees", "eureka_2020_a"): "trees"}


def _reports(tmp_path: Path) -> list:
    base = {"tile-2-image_part_001": (40, 100), "tile-6-image_part_001": (40, 100),
            "claremont_2020_a": (50, 100), "eureka_2020_a": (50, 100)}
    # roads gain on both tiles; trees gain in one city only, and lose in the other
    t35 = {**base, "tile-2-image_part_001": (30, 100), "tile-6-image_part_001": (33, 100),
           "claremont_2020_a": (70, 100), "eureka_2020_a": (45, 100)}
    t65 = {**base, "tile-2-image_part_001": (46, 100), "tile-6-image_part_001": (45, 100)}
    t75 = {**base, "tile-2-image_part_001": (47, 100), "tile-6-image_part_001": (45, 100)}
    return [scene_report(tmp_path / f"{name}.json", SCENES, "threshold", p, iou)
            for name, p, iou in (("base", None, base), ("t35", 0.35, t35), ("t65", 0.65, t65),
                                 ("t75", 0.75, t75))]


def test_the_threshold_nearest_half_near_the_best_is_chosen_per_group(tmp_path: Path) -> None:
    chosen = choose(read_reports(_reports(tmp_path), kinds=("threshold",)))
    road = chosen["groups"]["road"]
    # 0.75 is best (92 / 200), 0.65 within a point of it and nearer to 0.5
    assert road["threshold"] == 0.65 and road["at_threshold"]["0.75"] == 0.46
    assert road["logit_shift"] == pytest.approx(math.log(0.65 / 0.35), abs=1e-4)
    assert road["leave_one_place_out"]["chosen"] > road["leave_one_place_out"]["as_served"]
    trees = chosen["groups"]["vegetation"]
    assert trees["at_threshold"]["0.35"] > trees["as_served"] + 0.01      # pooled, it gains
    assert trees["threshold"] is None and "not confirmed" in trees["note"]  # one city made it
    assert chosen["logit_shift"] == {"road": road["logit_shift"]}


def test_the_card_moves_the_point_and_the_presence_threshold_together() -> None:
    shift = math.log(0.65 / 0.35)
    card = {"operating_points": {"logit_threshold": {"vegetation": -1.25}, "grid": [-2, 1]},
            "presence": {"statistic": "top16", "threshold": 0.627, "groups": {"building": 0.36}}}
    blocks = card_blocks({"logit_shift": {"road": shift, "vegetation": -shift},
                          "groups": {}}, card)
    moved = {**card, **blocks}
    points = group_thresholds(moved)
    assert points["road"] == pytest.approx(shift, abs=1e-4)
    assert points["vegetation"] == pytest.approx(-1.25 - shift, abs=1e-4)
    rule = PresenceRule.from_card(moved)
    # one pixel at the old threshold keeps its decision: logit(0.627) - shift
    assert rule.threshold_for(["road"]) == pytest.approx(
        1 / (1 + math.exp(-(math.log(0.627 / 0.373) - shift))), abs=1e-5)
    assert rule.threshold_for(["building"]) == 0.36 and rule.threshold_for(["water"]) == 0.627
    assert moved["operating_points"]["grid"] == [-2, 1]            # the rest kept


def test_the_cli_writes_the_card_the_engine_reads(tmp_path: Path, capsys) -> None:
    torch.manual_seed(0)
    model = tmp_path / "tiny.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), model,
                    card={"name": "tiny", "gsd_m": 0.15,
                          "presence": {"statistic": "top16", "threshold": 0.6}})
    out = tmp_path / "points.json"
    assert main([*map(str, _reports(tmp_path)), "--model", str(model), "--out", str(out),
                 "--write-card"]) == 0
    assert "| road (roads) | 2 (2) | 40.0 | 31.5 | 45.5 | 46.0 | 0.65 |" in \
        capsys.readouterr().out
    card = read_card(model)
    assert group_thresholds(card) == {"road": pytest.approx(0.619, abs=1e-3)}
    assert PresenceRule.from_card(card).threshold_for(["road"]) < 0.6
    assert json.loads(out.read_text())["operating_points"]["scenes"]["groups"]["road"][
        "threshold"] == 0.65


def test_reports_of_another_kind_are_one_readable_line(tmp_path: Path, capsys) -> None:
    base = _reports(tmp_path)[0]
    floor = tmp_path / "floor.json"
    floor.write_text(json.dumps({"scenes": {"scenes": [], "floor_m": 0.15}}))
    for args, message in [([str(base), str(floor)], "was served with --floor"),
                          ([str(base)], "at least one with --threshold")]:
        assert main([*args, "--out", str(tmp_path / "x.json")]) != 0
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.json").exists()
