"""Words a model was taught but did not learn (its card's per-word validation metrics) are
said in the result and in `rrsis explain`: a real tiny model with a card, a real raster,
the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from helpers.engine import write_tif
from rrsis.engine.run import SegmentOptions, segment
from rrsis.grounding.learnt import (UNLEARNT_MAX_OIOU, UNLEARNT_MIN_SAMPLES, unlearnt_in,
                                    unlearnt_words)
from rrsis.models import create_model
from rrsis.models.checkpoint import save_checkpoint

CATEGORIES = {"car": {"oIoU": 0.40, "count": 144}, "truck": {"oIoU": 0.0, "count": 57},
              "bus": {"oIoU": 0.02, "count": 48}, "van": {"oIoU": 0.0, "count": 3},
              "road": {"oIoU": 0.36, "count": 18}}
CARD = {"metrics": {"val": {"categories": CATEGORIES}}}


def test_a_word_is_unlearnt_with_enough_samples_and_next_to_no_overlap() -> None:
    assert unlearnt_words(CARD) == {"truck": (0.0, 57), "bus": (0.02, 48)}  # van: 3 samples
    assert UNLEARNT_MAX_OIOU == 0.05 and UNLEARNT_MIN_SAMPLES == 20
    for card in (None, {}, {"metrics": None}, {"metrics": {"val": {"categories": [1, 2]}}},
                 {"metrics": {"val": {"categories": {"bus": {"oIoU": "x", "count": 40},
                                                     "van": None}}}}):
        assert unlearnt_words(card) == {}


def test_a_phrase_is_looked_up_by_its_card_word() -> None:
    weak = unlearnt_words(CARD)
    assert unlearnt_in(["cars", "trucks"], weak) == {"truck": (0.0, 57)}   # model phrases
    assert unlearnt_in(["Bus"], weak) == {"bus": (0.02, 48)}               # a whole expression
    assert unlearnt_in(["buses next to trucks"], weak) == {}   # an expression is not a word
    assert unlearnt_in(["trucks"], {}) == {}


def _model(tmp_path: Path) -> Path:
    torch.manual_seed(0)
    path = tmp_path / "weak.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), path,
                    card={"name": "weak", "gsd_m": 0.5, **CARD})
    return path


def test_the_result_says_which_words_were_not_learnt(tmp_path: Path) -> None:
    raster = write_tif(tmp_path / "scene.tif",
                       np.random.default_rng(0).integers(0, 255, (3, 64, 64), dtype=np.uint8))
    res = segment(SegmentOptions(raster=str(raster), expressions=["cars and trucks", "cars"],
                                 output=str(tmp_path / "o.gpkg"), model=str(_model(tmp_path)),
                                 device="cpu", threads=1, runtime="torch"))
    both = res.plans["cars and trucks"]
    assert both["unlearnt"] == ["truck"]
    assert any("did not learn 'truck' (validation IoU 0.00 on 57 examples)" in m
               for m in both["messages"])
    assert "unlearnt" not in res.plans["cars"]
    assert not any("did not learn" in m for m in res.plans["cars"].get("messages", []))


def test_explain_cautions_with_the_models_card(tmp_path: Path) -> None:
    model = str(_model(tmp_path))
    out = subprocess.run([sys.executable, "-m", "rrsis", "explain", "buses", "cars",
                          "--model", model], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    buses, cars = out.stdout.split("\n\n")
    assert "caution: the model did not learn 'bus' (validation IoU 0.02 on 48 examples)" in buses
    assert "caution" not in cars
    js = subprocess.run([sys.executable, "-m", "rrsis", "explain", "--json", "--model", model,
                         "cars and trucks"], capture_output=True, text=True, timeout=120)
    assert json.loads(js.stdout)[0]["unlearnt"] == {"truck": {"oIoU": 0.0, "count": 57}}
