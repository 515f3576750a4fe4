"""Roads measured by the vehicles on them: the counting on a known mask, and the CLI end to end
on a real tiny checkpoint and street frames written here (real PNGs, YOLO boxes)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from helpers.sources import run_tool, street_frames, tiny_served_checkpoint
from rrsis.training.sources.road_proxy import frames, grow

TOOL = "rrsis.training.sources.road_proxy"


def test_grow_reaches_the_pixels_within_its_steps() -> None:
    mask = np.zeros((9, 9), bool)
    mask[4, 4] = True
    grown = grow(mask, 2)
    assert grown.sum() == 13   # a diamond of radius 2
    assert grown[4, 2] and grown[2, 4] and not grown[2, 2] and not grown[4, 1]
    assert (grow(mask, 0) == mask).all()


def test_cli_counts_the_vehicles_of_the_held_out_frames(tmp_path: Path) -> None:
    street_frames(tmp_path / "data", ("MOS80", "MOS81", "MOS160"))
    assert [p.name for p, _ in frames(tmp_path / "data")] == ["MOS80.png", "MOS81.png"]
    model = tiny_served_checkpoint(tmp_path / "tiny.safetensors")
    out = tmp_path / "road.json"
    run = run_tool(TOOL, "--model", str(model), "--data-root", str(tmp_path / "data"),
                   "--out", str(out), "--gsd", "0.34", "--threads", "1")
    assert run.returncode == 0, run.stderr
    block = json.loads(out.read_text())["road_proxy"]
    assert block["frames"] == 2 and [r["threshold"] for r in block["rows"]] == [0.3, 0.5]
    for row in block["rows"]:
        assert row["gsd_m"] == 0.34 and row["vehicles"] == 4   # two boxes in each frame
        assert 0.0 <= row["vehicles_near_road"] <= 1.0 and 0.0 <= row["frame_near_road"] <= 1.0
    assert "| 0.34 m | 0.3 |" in run.stdout

    missing = run_tool(TOOL, "--model", str(model), "--data-root", str(tmp_path / "nope"),
                       "--out", str(tmp_path / "x.json"), timeout=300)
    assert missing.returncode != 0 and "no aerial-cars folder" in missing.stderr
    assert "Traceback" not in missing.stderr and not (tmp_path / "x.json").exists()
