"""Per-group operating points: the choice on synthetic counts, the CLI end to end on a real
tiny checkpoint and a RefSegRS-format folder written here (real JPEGs and PNG masks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
import torch

from rrsis.engine.operating import group_thresholds
from rrsis.models import create_model
from rrsis.models.card import read_card
from rrsis.models.checkpoint import save_checkpoint
from rrsis.training.calibrate_operating_points import GRID, Row, choose, group_of_word

from test_calibrate_presence import _write_val


def test_dataset_words_are_read_by_the_lexicon() -> None:
    assert group_of_word("roof") == group_of_word("houses") == "building"
    assert group_of_word("car") == group_of_word("bus") == "vehicle"
    assert group_of_word("tree") == "vegetation" and group_of_word("sea") == "water"
    assert group_of_word("sand") == group_of_word("bare land") == "land"
    assert group_of_word("icebergs") is None and group_of_word(None) is None


def _rows(group: str, best: float, n: int) -> List[Row]:
    """``n`` triplets whose oIoU peaks at the GRID threshold ``best`` (a tent around it)."""
    inter = [int(100 - 30 * abs(t - best)) for t in GRID]
    return [Row("s", f"img{k}", group, inter, [100] * len(GRID)) for k in range(n)]


def test_each_group_gets_its_best_threshold_and_small_groups_keep_the_argmax() -> None:
    rows = _rows("vegetation", -1.25, 40) + _rows("building", 0.0, 40) + _rows("road", 1.0, 5)
    block = choose(rows, min_samples=30)
    assert block["logit_threshold"] == {"vegetation": -1.25}  # 0 is not listed
    veg = block["groups"]["vegetation"]
    assert veg["oIoU"] == pytest.approx(1.0) and veg["oIoU_at_0"] == pytest.approx(0.62)
    assert veg["probability"] == pytest.approx(0.223, abs=1e-3)
    assert [h["logit_threshold"] for h in veg["two_fold"]] == [-1.25, -1.25]
    assert block["groups"]["road"]["logit_threshold"] == 0.0
    assert "fewer than 30" in block["groups"]["road"]["note"]
    assert group_thresholds({"operating_points": block}) == {"vegetation": -1.25}


def test_ties_go_to_the_threshold_nearest_the_argmax() -> None:
    flat = [Row("s", f"i{k}", "water", [90] * len(GRID), [100] * len(GRID)) for k in range(40)]
    assert choose(flat)["logit_threshold"] == {}


def test_cli_writes_the_report_and_the_card(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = tmp_path / "tiny.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), model, card={"name": "tiny", "gsd_m": 0.5})
    _write_val(tmp_path / "data" / "cars")
    out = tmp_path / "op.json"
    run = subprocess.run([sys.executable, "-m", "rrsis.training.calibrate_operating_points",
                          "--model", str(model), "--datasets", str(tmp_path / "data"),
                          "--out", str(out), "--size", "64", "--min-samples", "1",
                          "--write-card"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    block = json.loads(out.read_text())["operating_points"]
    # two crops x four triplets: cars, water, buildings (next to the road), red cars; without
    # a categories.txt the folder has RefSegRS's categories, which have no water
    assert {g: e["n"] for g, e in block["groups"].items()} == {"vehicle": 4, "building": 2}
    assert all(GRID[0] <= e["logit_threshold"] <= GRID[-1] for e in block["groups"].values())
    assert read_card(model)["operating_points"] == block

    missing = subprocess.run([sys.executable, "-m", "rrsis.training.calibrate_operating_points",
                              "--model", str(model), "--datasets", str(tmp_path / "nope"),
                              "--out", str(tmp_path / "x.json")],
                             capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert not (tmp_path / "x.json").exists()
