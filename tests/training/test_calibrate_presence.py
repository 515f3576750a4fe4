"""Calibration of the presence decision: the threshold rule, the val labels, the CLI end to end.

The end-to-end run uses a real tiny checkpoint on a RefSegRS-format folder written here
(real JPEG images and PNG masks, hard-linked per expression as the source adapters do).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest
import torch
from PIL import Image

from rrsis.engine.presence import STATISTICS
from rrsis.errors import InputError
from rrsis.models import create_model
from rrsis.models.card import read_card
from rrsis.models.checkpoint import save_checkpoint
from rrsis.training.calibrate_presence import (Case, calibrate, choose_statistic,
                                               choose_threshold, gibberish, val_cases)


# --- the threshold on synthetic score lists -------------------------------------------------

def test_threshold_rejects_the_target_share_and_keeps_what_lies_above() -> None:
    negative = [i / 100 for i in range(100)]          # 0.00 .. 0.99
    present = [0.85, 0.90, 0.95, 0.995, 0.5]
    r = choose_threshold(present, negative, 0.9)
    assert 0.89 < r["threshold"] <= 0.891             # just above the 90th negative (0.89)
    assert r["absent_rejected"] == pytest.approx(0.90)
    assert r["present_kept"] == pytest.approx(3 / 5)  # 0.90, 0.95, 0.995
    strict = choose_threshold(present, negative, 0.99)
    assert strict["absent_rejected"] >= 0.99 and strict["present_kept"] == pytest.approx(1 / 5)


def test_threshold_is_never_below_the_rejection_target_even_with_ties() -> None:
    negative = [0.2] * 50 + [0.7] * 50
    r = choose_threshold([0.7, 0.8], negative, 0.9)
    assert r["absent_rejected"] == 1.0 and r["present_kept"] == 0.5  # 0.7 ties are rejected
    with pytest.raises(InputError):
        choose_threshold([0.5], [], 0.9)


def _cases(values: Dict[str, List[float]], kind: str) -> List[Case]:
    n = len(next(iter(values.values())))
    return [Case("s", f"i{k}", "p", kind, {name: values[name][k] for name in values})
            for k in range(n)]


def test_the_statistic_that_separates_is_chosen() -> None:
    rng = np.random.default_rng(0)
    n = 200
    noise = {name: list(rng.random(n)) for name in STATISTICS}
    present = dict(noise, top64=list(0.7 + 0.3 * rng.random(n)))
    absent = dict(noise, top64=list(0.6 * rng.random(n)))
    cases = _cases(present, "present") + _cases(absent, "gibberish")
    best, table = choose_statistic(cases, 0.9)
    assert best == "top64" and table["top64"]["present_kept"] == 1.0
    assert all(table[s]["absent_rejected"] >= 0.9 for s in STATISTICS)
    report = calibrate(cases, 0.9)
    block = report["presence"]
    assert block["statistic"] == "top64" and block["n"] == {"present": n, "gibberish": n}
    assert report["sources"]["s"]["gibberish"]["rejected"] >= 0.9


def test_gibberish_is_letters() -> None:
    rng = random.Random(3)
    words = [gibberish(rng) for _ in range(50)]
    assert all(w.replace(" ", "").isalpha() and w.islower() for w in words)
    assert len(set(words)) > 45


# --- the val labels -------------------------------------------------------------------------

def _write_val(root: Path) -> None:
    """Two crops: a bright square (cars) on the first; nothing on the second."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    rng = np.random.default_rng(0)
    rows = []
    for i, present in enumerate((True, False)):
        img = (rng.random((64, 64, 3)) * 60).astype(np.uint8)
        mask = np.zeros((64, 64), np.uint8)
        if present:
            img[20:40, 20:40] = 230
            mask[20:40, 20:40] = 255
        first = root / "images" / f"crop{i}_0.jpg"
        Image.fromarray(img).save(first, quality=92)
        for k, (expr, m) in enumerate([("cars", mask), ("water", 0 * mask),
                                       ("buildings next to the road", 0 * mask),
                                       ("red cars", 0 * mask)]):
            sid = f"crop{i}_{k}"
            if k:
                os.link(first, root / "images" / f"{sid}.jpg")
            Image.fromarray(m).save(root / "masks" / f"{sid}.png")
            rows.append(f"{sid} {expr}")
    (root / "output_phrase_val.txt").write_text("\n".join(rows) + "\n")


def test_val_cases_label_present_absent_and_skip_what_says_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "cars"
    _write_val(folder)
    images = val_cases(folder, random.Random(0))
    assert len(images) == 2                                   # one run per crop
    first, second = (images[str(folder / "images" / f"crop{i}_0.jpg")] for i in (0, 1))
    assert first["cars"] == "present" and first["water"] == "absent"
    assert second["cars"] == "absent"                     # "cars" with an empty mask
    for entry in (first, second):
        assert "buildings" not in entry  # "next to the road" may be empty with buildings there
        assert entry["ships"] == entry["icebergs"] == "unknown"  # this source's absent nouns
        assert sum(k == "gibberish" for k in entry.values()) == 2


# --- the CLI end to end -------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rrsis.training.calibrate_presence", *args],
                          capture_output=True, text=True, timeout=600)


def test_calibration_cli_writes_the_report_and_the_card(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = tmp_path / "tiny.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), model, card={"name": "tiny", "gsd_m": 0.5})
    _write_val(tmp_path / "data" / "cars")
    out = tmp_path / "presence.json"
    run = _cli("--model", str(model), "--datasets", str(tmp_path / "data"), "--out", str(out),
               "--threads", "1", "--write-card")
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text())
    block = report["presence"]
    assert block["statistic"] in STATISTICS and 0.0 <= block["threshold"] <= 1.0
    assert block["absent_rejected"] >= 0.9
    assert block["n"] == {"present": 1, "absent": 3, "gibberish": 4, "unknown": 4}
    assert set(report["statistics"]) == set(STATISTICS)
    assert len(report["cases"]) == 12 and "| statistic |" in run.stdout
    assert read_card(model)["presence"]["threshold"] == block["threshold"]

    again = _cli("--model", str(model), "--datasets", str(tmp_path / "unused"), "--out",
                 str(tmp_path / "absent.json"), "--cases", str(out), "--negatives", "absent")
    assert again.returncode == 0, again.stderr
    redo = json.loads((tmp_path / "absent.json").read_text())["presence"]
    assert redo["rejects"] == ["absent"] and redo["n"] == block["n"]
    assert redo["per_kind"]["absent"]["rejected"] >= 0.9

    missing = _cli("--model", str(model), "--datasets", str(tmp_path / "nope"), "--out",
                   str(tmp_path / "x.json"))
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert missing.stderr.strip().count("\n") == 0 and "not found" in missing.stderr
    assert not (tmp_path / "x.json").exists()


def test_group_rules_refine_the_global_threshold_only_where_the_data_says_so() -> None:
    from rrsis.training.calibrate_presence import calibrate_groups, case_group

    assert case_group("houses") == "building" and case_group("the river") == "water"
    assert case_group("cars and trees") is None and case_group("blorf") is None

    def cases(phrase: str, kind: str, values: List[float]) -> List[Case]:
        return [Case("s", f"{phrase}{k}", phrase, kind, {"top16": v})
                for k, v in enumerate(values)]

    # global: absent cases up to 0.58 (water) -> threshold just above the 90th percentile
    buildings = cases("buildings", "present", [0.4 + 0.02 * k for k in range(20)]) \
        + cases("buildings", "absent", [0.01 * k for k in range(12)])       # own: ~0.11
    water = cases("water", "present", [0.7 + 0.01 * k for k in range(20)]) \
        + cases("water", "absent", [0.3 + 0.02 * k for k in range(15)])     # up to 0.58
    trees = cases("trees", "present", [0.05 * k for k in range(40)])        # weak answers
    roads = cases("road", "present", [0.9] * 12) + cases("road", "absent", [0.2] * 3)
    block = calibrate_groups(buildings + water + trees + roads, "top16", reject=0.9, keep=0.95)
    report = block["per_group"]
    assert 0.5 < block["threshold"] < 0.6                 # from all absent cases
    assert report["building"]["rule"] == "own" and block["groups"]["building"] < 0.2
    assert report["water"]["rule"] == "own" and 0.5 < block["groups"]["water"] < 0.7
    assert report["road"]["rule"] == "global" and "road" not in block["groups"]  # 3 absent
    assert report["vegetation"]["rule"].startswith("none") and block["groups"]["vegetation"] == 0
    assert block["present_kept"] == 1.0 and block["absent_rejected"] >= 0.9

    # a group with too few present cases to tell follows the global threshold
    few = calibrate_groups(buildings + water + trees[-5:] + trees[:3], "top16")
    assert few["per_group"]["vegetation"]["rule"] == "global"
