"""Ceilings on the served group scales: the choice on synthetic counts, and the CLI end to end
on a real tiny checkpoint and a RefSegRS-format folder written here (real JPEGs, PNG masks)."""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from pathlib import Path
from typing import List, Sequence

import pytest
import torch

from rrsis.engine.gsd import phrase_ceilings, phrase_gsd_m
from rrsis.models import create_model
from rrsis.models.card import read_card
from rrsis.models.checkpoint import save_checkpoint
from rrsis.training.calibrate_operating_points import Row
from rrsis.training.sources.calibrate_scales import CEILINGS, choose

from test_calibrate_presence import _write_val

RANGES = {"vegetation": (0.08, 0.6), "building": (0.06, 0.6), "road": (0.34, 0.6)}
GROUPS = {"vegetation": "vegetation", "trees": "vegetation", "buildings": "building",
          "road": "road"}


def _rows(phrase: str, scores: Sequence[float], n: int, gsd: float = 0.5) -> List[Row]:
    """``n`` triplets scoring ``scores`` (as learnt, then at each ceiling of CEILINGS)."""
    return [Row("s", f"{phrase}{k}", phrase, [int(100 * s) for s in scores],
                [100] * len(scores), gsd) for k in range(n)]


def test_each_phrase_gets_the_ceiling_that_beats_serving_as_learnt() -> None:
    # as learnt, then 0.5, 0.4, 0.3, 0.25, 0.2 m
    rows = (_rows("vegetation", [0.2, 0.25, 0.4, 0.55, 0.5, 0.45], 30)
            + _rows("trees", [0.45, 0.44, 0.43, 0.4, 0.39, 0.35], 30)    # of the same group
            + _rows("buildings", [0.6, 0.605, 0.6, 0.5, 0.5, 0.5], 30)   # gains < 1 point
            + _rows("road", [0.3, 0.31, 0.32, 0.9, 0.9, 0.9], 30))       # 0.3 < its 0.34
    block = choose(rows, GROUPS, RANGES)
    assert block["ceiling_m"] == {"vegetation": 0.3, "road": 0.4}
    veg = block["groups"]["vegetation"]
    assert veg["as_learnt"] == pytest.approx(0.2) and veg["at_ceiling"]["0.3"] == 0.55
    assert veg["group"] == "vegetation" and block["groups"]["trees"]["ceiling_m"] is None
    assert [h["ceiling_m"] for h in veg["two_fold"]] == [0.3, 0.3]
    assert set(block["groups"]["road"]["at_ceiling"]) == {"0.5", "0.4"}   # inside its range
    assert block["groups"]["buildings"]["ceiling_m"] is None
    # per lexicon group, its phrases pooled: as learnt, and each at its chosen ceiling
    assert block["by_group"]["vegetation"] == {"n": 60, "as_learnt": pytest.approx(0.325),
                                               "as_served": pytest.approx(0.5)}
    assert block["by_group"]["building"]["as_served"] == block["by_group"]["building"][
        "as_learnt"]
    card = {"group_gsd_range_m": {g: list(r) for g, r in RANGES.items()},
            "gsd_range_m": [0.05, 0.6], "phrase_gsd_ceilings": block}
    assert phrase_ceilings(card) == {"vegetation": 0.3, "road": 0.4}
    assert phrase_gsd_m(card, ["vegetation"], 0.6, "vegetation") == 0.3   # a 1 m raster
    assert phrase_gsd_m(card, ["vegetation"], 0.6, "trees") == 0.6       # its own phrase
    assert phrase_gsd_m(card, ["vegetation"], 0.6) == 0.6
    assert phrase_gsd_m(card, ["vegetation"], 0.15, "vegetation") == 0.15  # a drone image
    assert phrase_gsd_m(card, ["road"], 0.15, "road") == 0.34


def test_a_gain_the_other_half_of_the_images_does_not_show_is_not_chosen() -> None:
    """Pooled, the ceiling wins (the images of one fold gain much, the other's lose a little);
    chosen on the first fold it loses on the second: noise, not a scale the model prefers."""
    rows = _rows("buses", [0.2, 0.2, 0.2, 0.4, 0.2, 0.2], 40)
    rows = [r if zlib.crc32(f"s/{r.image}".encode()) % 2 == 0 else
            Row(r.source, r.image, r.group, [20, 20, 20, 18, 20, 20], r.union, r.gsd_m)
            for r in rows]
    block = choose(rows, {"buses": "vehicle"}, {"vehicle": (0.05, 0.5)})
    buses = block["groups"]["buses"]
    assert buses["at_ceiling"]["0.3"] > buses["as_learnt"] + 0.01
    assert block["ceiling_m"] == {} and buses["ceiling_m"] is None
    assert buses["note"] == "not confirmed by the two-fold estimate"


def test_a_ceiling_needs_enough_triplets_coarser_than_it() -> None:
    """Crops already finer than every ceiling cannot say whether enlarging helps."""
    fine = _rows("vegetation", [0.2, 0.9, 0.9, 0.9, 0.9, 0.9], 30, gsd=0.1)
    assert choose(fine, GROUPS, RANGES)["ceiling_m"] == {}
    few = _rows("vegetation", [0.2, 0.9, 0.9, 0.9, 0.9, 0.9], 5)
    block = choose(few, GROUPS, RANGES)
    assert block["ceiling_m"] == {} and block["groups"]["vegetation"]["coarser_than"]["0.3"] == 5


def test_cli_writes_the_report_and_the_card(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = tmp_path / "tiny.safetensors"
    card = {"name": "tiny", "gsd_m": 0.5, "gsd_range_m": [0.05, 0.6],
            "group_gsd_range_m": {"vehicle": [0.05, 0.6], "building": [0.06, 0.6]}}
    save_checkpoint(create_model("test-lgce-tiny"), model, card=card)
    folder = tmp_path / "data" / "cars"
    _write_val(folder)
    (folder / "gsd_m.txt").write_text("".join(f"crop{i}_{k} 0.6\n" for i in (0, 1)
                                              for k in range(4)))
    out = tmp_path / "ceilings.json"
    run = subprocess.run([sys.executable, "-m", "rrsis.training.sources.calibrate_scales",
                          "--model", str(model), "--datasets", str(tmp_path / "data"),
                          "--out", str(out), "--min-gain", "-1", "--write-card"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    block = json.loads(out.read_text())["phrase_gsd_ceilings"]
    # plain categories only, present or absent, by the category's phrase: "cars" and "water"
    # on each crop ("buildings next to the road" and "red cars" are not plain)
    assert {g: (e["group"], e["n"]) for g, e in block["groups"].items()} == {
        "cars": ("vehicle", 2), "water": ("water", 2)}
    cars = block["groups"]["cars"]
    assert set(cars["at_ceiling"]) == {f"{c:g}" for c in CEILINGS}   # the vehicle range
    assert cars["coarser_than"]["0.3"] == 2
    assert read_card(model)["phrase_gsd_ceilings"] == block
    # a negative minimum gain always chooses, but never below 10 coarser triplets
    assert block["ceiling_m"] == {}
    assert "| cars (vehicle) | 2 |" in run.stdout

    missing = subprocess.run([sys.executable, "-m", "rrsis.training.sources.calibrate_scales",
                              "--model", str(model), "--datasets", str(tmp_path / "nope"),
                              "--out", str(tmp_path / "x.json")],
                             capture_output=True, text=True, timeout=300)
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert not (tmp_path / "x.json").exists()
