"""Whole held-out scenes through the engine: the pooling, the CLI on frames written here with a
real tiny checkpoint, and the shipped model on real scenes, where the burnt polygons must lie
on the labels (a frame or a transform off by anything would score near zero)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from helpers.data import shared_data
from helpers.sources import run_tool, street_frames, tiny_served_checkpoint
from rrsis.training.sources.scenes_eval import (GIBBERISH, OVERLAY_COLOURS, error_overlay,
                                                measure, pool)

TOOL = "rrsis.training.sources.scenes_eval"


def _row(source: str, expr: str, inter: int, union: int, labelled: int, absent: int) -> dict:
    return {"source": source, "scene": "s", "expressions": {expr: {
        "intersection": inter, "union": union, "labelled": labelled, "polygons": 1}},
        "absent": {GIBBERISH: absent, "ships": 0}}


def test_pooling_sums_intersections_and_unions_over_scenes() -> None:
    rows = [_row("cars", "vehicles", 30, 100, 50, 0), _row("cars", "cars", 10, 20, 15, 2),
            _row("dubai", "water", 0, 40, 0, 0)]
    p = pool(rows)
    assert p["category"]["vehicles"] == {"n": 2, "oIoU": round(40 / 120, 4),
                                         "mIoU": round((0.3 + 0.5) / 2, 4)}
    assert p["category"]["water"] == {"n": 1, "oIoU": 0.0, "mIoU": None}   # nothing labelled
    assert p["source"]["cars"]["n"] == 2 and p["expression"]["cars (cars)"]["oIoU"] == 0.5
    assert p["no_polygon"]["gibberish"] == {"scenes": 3, "share": round(2 / 3, 4)}
    assert p["no_polygon"]["absent category"]["share"] == 1.0


def test_cli_scores_the_held_out_frames_only(tmp_path: Path) -> None:
    street_frames(tmp_path / "data", ("MOS80", "MOS160"))
    model = tiny_served_checkpoint(tmp_path / "tiny.safetensors")
    out = tmp_path / "scenes.json"
    run = run_tool(TOOL, "--model", str(model), "--data-root", str(tmp_path / "data"),
                   "--out", str(out), "--threads", "1")
    assert run.returncode == 0, run.stderr
    block = json.loads(out.read_text())["scenes"]
    assert [r["scene"] for r in block["scenes"]] == ["MOS80"]       # MOS160 is training
    counts = block["scenes"][0]["expressions"]
    assert set(counts) == {"vehicles", "cars"}
    # the car's ellipse alone, and the car's and the bus's together
    assert 0 < counts["cars"]["labelled"] < counts["vehicles"]["labelled"]
    assert set(block["pooled"]["category"]) == {"vehicles"}
    assert "| vehicles | 2 |" in run.stdout and "| gibberish | 1 |" in run.stdout
    assert block["scenes"][0]["native_gsd_m"] == block["scenes"][0]["gsd_m"] == 0.13
    # to compare scales: a 0.13 m frame served at a ceiling of 0.1 m or at a floor of 0.2 m;
    # a floor finer than it, or a ceiling coarser, leaves it at its own GSD
    for key, value, want in (("ceiling_m", 0.1, 0.1), ("floor_m", 0.2, 0.2),
                             ("floor_m", 0.1, 0.13), ("ceiling_m", 0.2, 0.13)):
        again = measure(tmp_path / "data", str(model), threads=1, **{key: value})
        assert again["scenes"][0]["gsd_m"] == want and again[key] == value
    # to compare operating points: every phrase at one foreground probability
    def predicted(threshold: float) -> int:
        again = measure(tmp_path / "data", str(model), threads=1, threshold=threshold)
        assert again["threshold"] == threshold
        c = again["scenes"][0]["expressions"]["vehicles"]
        return c["union"] - c["labelled"] + c["intersection"]
    assert predicted(0.05) >= predicted(0.95)
    # test-time flips, another overlap, and a PNG per expression to look at (the frame's size)
    flipped = measure(tmp_path / "data", str(model), threads=1, flip_average=True,
                      overlays=tmp_path / "png", overlap=0.5)
    assert flipped["flip_average"] is True and flipped["overlap"] == 0.5
    assert flipped["scenes"][0]["scene"] == "MOS80"
    pngs = sorted(p.name for p in (tmp_path / "png").iterdir())
    assert pngs == ["cars-MOS80-cars.png", "cars-MOS80-vehicles.png"]
    with Image.open(tmp_path / "png" / pngs[0]) as png:
        assert png.size == _frame_size(tmp_path / "data") and png.mode == "RGB"

    missing = run_tool(TOOL, "--model", str(model), "--data-root", str(tmp_path / "nope"),
                       "--out", str(tmp_path / "x.json"), timeout=300)
    assert missing.returncode != 0 and "no held-out scene of cars" in missing.stderr
    assert "Traceback" not in missing.stderr and not (tmp_path / "x.json").exists()


def _frame_size(data: Path) -> tuple:
    with Image.open(next(data.rglob("MOS80.png"))) as frame:
        return frame.size


def test_error_overlay_colours_each_kind_of_pixel() -> None:
    rgb = np.full((1, 5, 3), 100, np.uint8)
    predicted = np.array([[1, 1, 0, 0, 1]], bool)
    truth = np.array([[1, 0, 1, 0, 1]], bool)
    valid = np.array([[1, 1, 1, 1, 0]], bool)
    out = error_overlay(rgb, predicted, truth, valid)[0]
    dark = 60.0   # the scene at 60 %
    for i, kind in ((0, "found"), (1, "not labelled"), (2, "missed")):
        want = [round(dark * 0.5 + c * 0.5) for c in OVERLAY_COLOURS[kind]]
        assert np.abs(out[i].astype(int) - want).max() <= 1, (kind, out[i], want)
    assert out[3].tolist() == [60, 60, 60] and out[4].tolist() == [0, 0, 0]


def test_the_shipped_model_on_real_held_out_scenes() -> None:
    root = shared_data("aerial-cars").parent
    shared_data("kampala-buildings")
    block = measure(root, sources=["cars", "kampala"], max_scenes=1)
    rows = {r["source"]: r for r in block["scenes"]}
    # a Minsk frame in pixel coordinates, the Kampala mosaic in EPSG:3857: both grids line up
    assert rows["cars"]["expressions"]["vehicles"]["intersection"] > \
        0.3 * rows["cars"]["expressions"]["vehicles"]["union"]
    assert rows["kampala"]["expressions"]["buildings"]["intersection"] > \
        0.6 * rows["kampala"]["expressions"]["buildings"]["union"]
    assert block["pooled"]["no_polygon"]["gibberish"]["share"] == 1.0
