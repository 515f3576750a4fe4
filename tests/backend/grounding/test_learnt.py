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
              "road": {"oIoU": 0.01, "count": 25}, "water": {"oIoU": 0.9, "count": 30}}
#: the length reading of trucks and buses measured better than asking the model (kinds.py)
CARD = {"metrics": {"val": {"categories": CATEGORIES}},
        "grounding_policy": {"truck by length": {"decision": "grounded"},
                             "bus by length": {"decision": "grounded"}}}


def test_a_word_is_unlearnt_with_enough_samples_and_next_to_no_overlap() -> None:
    assert unlearnt_words(CARD) == {"truck": (0.0, 57), "bus": (0.02, 48),
                                    "road": (0.01, 25)}  # van: 3 samples
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


def _segment(tmp_path: Path, expressions: list, grounding: str = "auto") -> dict:
    raster = write_tif(tmp_path / "scene.tif",
                       np.random.default_rng(0).integers(0, 255, (3, 64, 64), dtype=np.uint8))
    return segment(SegmentOptions(raster=str(raster), expressions=expressions,
                                  output=str(tmp_path / f"o-{grounding}.gpkg"), overwrite=True,
                                  model=str(_model(tmp_path)), device="cpu", threads=1,
                                  runtime="torch", grounding=grounding)).plans


def test_the_result_says_which_words_were_not_learnt(tmp_path: Path) -> None:
    plans = _segment(tmp_path, ["cars and roads", "cars"])
    both = plans["cars and roads"]
    assert both["unlearnt"] == ["road"]
    assert any("did not learn 'road' (validation IoU 0.01 on 25 examples)" in m
               for m in both["messages"])
    assert "unlearnt" not in plans["cars"]
    assert not any("did not learn" in m for m in plans["cars"].get("messages", []))


def test_a_vehicle_kind_the_model_did_not_learn_is_read_by_length(tmp_path: Path) -> None:
    """The card's unlearnt "truck" is asked as "vehicles" and selected by length (the plan
    says so, no caution: the model is not asked for trucks); asked whole (grounding off),
    the model is asked for trucks and the caution comes back."""
    plans = _segment(tmp_path, ["cars and trucks"])
    plan = plans["cars and trucks"]
    assert plan["plan"].startswith("grounded: car | truck-sized vehicle over 7 m long;")
    assert "unlearnt" not in plan
    assert any(m.startswith("'trucks' read as the vehicles over 7 m long: the model did not "
                            "learn trucks") for m in plan["messages"])
    whole = _segment(tmp_path, ["trucks"], grounding="off")["trucks"]
    assert whole["unlearnt"] == ["truck"]


def test_explain_cautions_with_the_models_card(tmp_path: Path) -> None:
    model = str(_model(tmp_path))
    out = subprocess.run([sys.executable, "-m", "rrsis", "explain", "roads", "cars", "buses",
                          "--model", model], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    roads, cars, buses = out.stdout.split("\n\n")
    assert "caution: the model did not learn 'road' (validation IoU 0.01 on 25 examples)" in roads
    assert "caution" not in cars
    assert "caution" not in buses and "keep: vehicle objects (bus-sized: see the note)" in buses
    assert "note: 'buses' read as the vehicles over 8 m long" in buses
    js = subprocess.run([sys.executable, "-m", "rrsis", "explain", "--json", "--model", model,
                         "cars and roads"], capture_output=True, text=True, timeout=120)
    assert json.loads(js.stdout)[0]["unlearnt"] == {"road": {"oIoU": 0.01, "count": 25}}


def test_a_kind_measured_worse_by_length_says_so(tmp_path: Path) -> None:
    """A kind the card's policy keeps asking the model for (its length reading scored lower)
    says so beside the caution, in the result and in `rrsis explain`."""
    from rrsis.grounding.kinds import length_remark

    policy = {"bus by length": {"decision": "end_to_end", "grounded": {"oIoU": 0.033},
                                "end_to_end": {"oIoU": 0.082}}}
    remark = length_remark("bus", policy)
    assert remark == ("; read as the vehicles of its length it scored no better on the "
                      "validation split (oIoU 0.03 against 0.08 asked whole)")
    assert length_remark("bus", {}) == length_remark("van", policy) == ""
    assert length_remark("bus", {"bus by length": {"decision": "end_to_end"}}) == ""
    torch.manual_seed(0)
    path = tmp_path / "weak.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), path, card={
        "name": "weak", "gsd_m": 0.5, "metrics": {"val": {"categories": CATEGORIES}},
        "grounding_policy": policy})
    out = subprocess.run([sys.executable, "-m", "rrsis", "explain", "buses", "--model",
                          str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "did not learn 'bus' (validation IoU 0.02 on 48 examples)" in out.stdout
    assert remark in out.stdout and "plan: grounded: bus\n" in out.stdout
