"""The presence statistic and the card's "no object matches" decision.

Synthetic probability maps check the statistic exactly; the engine runs use the
deterministic ``bright`` model (foreground logit = 8 * (brightness - 0.5)), so a dim
square (brightness 0.6: probability 0.69) and a bright one (0.9: 0.96) both vectorise
into objects, and only the card's presence threshold tells them apart. The CLI runs a
real tiny checkpoint whose card carries a threshold just above, then just below, the
statistic it measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import numpy as np
import pytest
import torch

from helpers.engine import (_one_thread, bright_models, options, read_features,  # noqa: F401
                            scene, write_tif)
from rrsis.engine.presence import (BINS, STATISTICS, PhrasePresence, PresenceMeter,  # noqa: E402
                                   PresenceRule, annotate, measure, statistics)
from rrsis.engine.run import ModelCache, segment  # noqa: E402
from rrsis.models import create_model  # noqa: E402
from rrsis.models.checkpoint import save_checkpoint  # noqa: E402


class _Obj:
    def __init__(self, score: float, area_m2: float) -> None:
        self.score, self.area_m2 = score, area_m2


def _meter(prob: np.ndarray, valid: Any = None) -> PresenceMeter:
    m = PresenceMeter()
    m.add(prob, np.ones(prob.shape, bool) if valid is None else valid)
    return m


# --- the statistic on synthetic maps --------------------------------------------------------

def test_top_mean_is_the_mean_of_the_k_most_probable_pixels() -> None:
    prob = np.full((100, 100), 0.1, np.float32)
    prob[:10, :10] = 0.9  # 100 confident pixels
    m = _meter(prob)
    assert m.pixels == 10_000
    assert m.top_mean(64) == pytest.approx(0.9, abs=1e-6)
    assert m.top_mean(256) == pytest.approx((100 * 0.9 + 156 * 0.1) / 256, abs=1e-6)
    assert m.top_mean(10**6) == pytest.approx(prob.mean(), abs=1e-6)  # fewer pixels than k


def test_quantile_within_one_bin() -> None:
    rng = np.random.default_rng(0)
    prob = rng.random((300, 300)).astype(np.float32)
    m = _meter(prob)
    for q in (0.5, 0.99, 0.999):
        assert abs(m.quantile(q) - np.quantile(prob, q)) <= 1.0 / BINS + 1e-6


def test_strips_add_up_to_the_whole_map_and_invalid_pixels_do_not_count() -> None:
    rng = np.random.default_rng(1)
    prob = rng.random((64, 50)).astype(np.float32)
    valid = rng.random((64, 50)) > 0.3
    whole = _meter(prob, valid)
    strips = PresenceMeter()
    for r in range(0, 64, 16):
        strips.add(prob[r:r + 16], valid[r:r + 16])
    assert np.array_equal(whole.counts, strips.counts)
    np.testing.assert_allclose(whole.sums, strips.sums, rtol=1e-12)
    prob_invalid_high = np.where(valid, prob, 1.0)
    assert _meter(prob_invalid_high, valid).top_mean(16) == pytest.approx(whole.top_mean(16))
    assert PresenceMeter().top_mean(64) == 0.0 and PresenceMeter().quantile(0.99) == 0.0


def test_top_k_does_not_depend_on_the_area_around_a_target_but_q99_does() -> None:
    small = np.full((50, 50), 0.05, np.float32)
    small[20:30, 20:30] = 0.95
    large = np.full((1000, 1000), 0.05, np.float32)
    large[500:510, 500:510] = 0.95
    s, big = statistics(_meter(small), [], 0.15), statistics(_meter(large), [], 0.15)
    assert s["top64"] == pytest.approx(big["top64"], abs=1e-5) == pytest.approx(0.95, abs=1e-5)
    assert s["q99"] > 0.9 and big["q99"] < 0.1
    assert set(s) == set(STATISTICS)


def test_object_statistics() -> None:
    m = _meter(np.zeros((100, 100), np.float32))  # 10_000 px of 0.5 m: 2500 m2
    vals = statistics(m, [_Obj(0.7, 250.0), _Obj(0.9, 25.0)], 0.5)
    assert vals["best_object"] == pytest.approx(0.9)
    assert vals["object_mass"] == pytest.approx(0.9 * 25.0 / 2500.0)
    assert statistics(m, [], 0.5)["best_object"] == 0.0


@pytest.mark.parametrize("block", [None, "x", {}, {"statistic": "top64"},
                                   {"statistic": "nope", "threshold": 0.3},
                                   {"statistic": "top64", "threshold": 1.5},
                                   {"statistic": "top64", "threshold": True},
                                   {"statistic": "top64", "threshold": "0.3"}])
def test_a_card_without_a_usable_presence_block_has_no_rule(block: Any) -> None:
    assert PresenceRule.from_card({"presence": block}) is None


def test_measure_and_annotate() -> None:
    prob = np.full((40, 40), 0.2, np.float32)
    meters = {"cars": _meter(prob), "road": _meter(prob + 0.7)}
    card = {"presence": {"statistic": "top64", "threshold": 0.5}}
    pres = measure(card, meters, {}, 0.15)
    assert not pres["cars"].present and pres["road"].present
    assert measure(card, meters, {}, 0.15, check=False)["cars"].present  # measured, not applied
    assert measure({}, meters, {}, 0.15)["cars"].threshold is None
    reports: Dict[str, Dict[str, Any]] = {
        "cars on the road": {"objects": 0, "messages": ["no object matches"]},
        "road": {"objects": 3, "messages": []}}
    annotate(reports, {"cars on the road": ["cars"], "road": ["road"]}, pres,
             "no object matches")
    assert reports["cars on the road"]["messages"] == ["no object matches (presence 0.20 < 0.50)"]
    assert reports["cars on the road"]["presence"] == {"statistic": "top64", "value": 0.2,
                                                       "threshold": 0.5, "present": False}
    assert reports["road"]["messages"] == [] and reports["road"]["presence"]["present"]
    assert PhrasePresence(0.3, "top64", None).present


# --- the decision in the engine -----------------------------------------------------------

def _with_presence(models: ModelCache, threshold: float) -> ModelCache:
    """The bright model served again under a card that carries a presence threshold."""
    base = models.get("bright", "cpu")
    cache = ModelCache()
    model = type(base)(base.config, base.segmentation, base.text_encoder).eval()
    model.card = dict(base.card, presence={"statistic": "top64", "threshold": threshold})
    cache.add("bright", model)
    return cache


@pytest.mark.parametrize("brightness,kept", [(0.6, False), (0.9, True)])
def test_engine_drops_a_phrase_below_the_card_threshold(tmp_path: Path, bright_models: ModelCache,
                                                        brightness: float, kept: bool) -> None:
    raster = write_tif(tmp_path / "s.tif", scene(bright=255 * brightness, dark=20))
    models = _with_presence(bright_models, 0.8)
    res = segment(options(raster, tmp_path, expressions=["bright square"]), models=models)
    report = res.plans["bright square"]
    value = report["presence"]["value"]
    expected = 1 / (1 + np.exp(-8 * (round(255 * brightness) / 255 - 0.5)))
    assert value == pytest.approx(expected, abs=2e-3)
    feats = read_features(tmp_path / "out.gpkg")
    if kept:
        assert res.feature_counts == {"bright square": 1} and len(feats) == 1
        assert not any(m.startswith("no object matches") for m in report["messages"])
    else:
        assert res.feature_counts == {"bright square": 0} and feats == []
        assert report["messages"][-1] == f"no object matches (presence {value:.2f} < 0.80)"
        assert report["presence"]["present"] is False
        # the same run with the check off keeps the object, and still reports the value
        off = segment(options(raster, tmp_path, expressions=["bright square"],
                              presence_check=False), models=models)
        assert off.feature_counts == {"bright square": 1}
        assert off.plans["bright square"]["presence"] == {
            "statistic": "top64", "value": value, "threshold": None, "present": True}


def test_a_model_without_presence_keeps_everything_as_before(tmp_path: Path,
                                                             bright_models: ModelCache) -> None:
    raster = write_tif(tmp_path / "s.tif", scene(bright=255 * 0.6, dark=20))
    res = segment(options(raster, tmp_path), models=bright_models)
    assert res.feature_counts == {"bright square": 1}
    assert res.plans["bright square"]["presence"]["threshold"] is None


# --- the CLI with a real checkpoint -------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rrsis", *args], capture_output=True,
                          text=True, timeout=300)


def test_cli_says_no_object_matches_below_the_threshold_and_keeps_above(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = tmp_path / "tiny.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), model, card={"name": "tiny", "gsd_m": 0.5})
    raster = write_tif(tmp_path / "scene.tif", scene())
    base = ["segment", str(raster), "-e", "buildings", "--model", str(model), "--device", "cpu",
            "--threads", "1", "--threshold", "0.3", "--min-area", "0", "-q", "--overwrite",
            "--no-rivals"]  # a random model: no rival should take what it found
    first = _cli(*base, "-o", str(tmp_path / "a.gpkg"), "--json")
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    value = result["plans"]["buildings"]["presence"]["value"]
    found = result["feature_counts"]["buildings"]
    assert found > 0, "the tiny model must find something for this test to mean anything"

    absent_card = tmp_path / "absent.json"
    threshold = min(1.0, round(value + 0.05, 4))
    absent_card.write_text(json.dumps({"presence": {"statistic": "top256",
                                                    "threshold": threshold}}))
    card = _cli("card", str(model), "--set-presence", str(absent_card))
    assert card.returncode == 0, card.stderr
    assert json.loads(card.stdout)["presence"]["threshold"] == threshold
    out = _cli(*base, "-o", str(tmp_path / "b.gpkg"))
    assert out.returncode == 0, out.stderr
    assert f"no object matches (presence {value:.2f} < {threshold:.2f})" in out.stdout
    assert "0 × 'buildings'" in out.stdout
    assert read_features(tmp_path / "b.gpkg") == []
    kept = _cli(*base, "-o", str(tmp_path / "c.gpkg"), "--no-presence-check", "--json")
    assert json.loads(kept.stdout)["feature_counts"]["buildings"] == found

    passing = tmp_path / "pass.json"
    passing.write_text(json.dumps({"statistic": "top256", "threshold": max(0.0, value - 0.05)}))
    assert _cli("card", str(model), "--set-presence", str(passing)).returncode == 0
    ok = _cli(*base, "-o", str(tmp_path / "d.gpkg"), "--json")
    assert ok.returncode == 0, ok.stderr
    res = json.loads(ok.stdout)
    assert res["feature_counts"]["buildings"] == found
    assert res["plans"]["buildings"]["presence"]["present"] is True

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"statistic": "top256", "threshold": 7}))
    refused = _cli("card", str(model), "--set-presence", str(bad))
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "threshold" in refused.stderr


# --- per-group thresholds -------------------------------------------------------------------

def test_a_group_threshold_applies_to_phrases_of_that_group_only() -> None:
    rule = PresenceRule.from_card({"presence": {"statistic": "top16",
                                                "groups": {"building": 0.6, "water": 2.0}}})
    assert rule is not None and rule.threshold is None
    assert dict(rule.groups) == {"building": 0.6}               # 2.0 is no probability
    assert rule.threshold_for(["building"]) == 0.6
    assert rule.threshold_for(["vehicle"]) is None              # no rule: never rejected
    assert rule.threshold_for(["building", "vehicle"]) is None  # not one group
    assert rule.threshold_for([]) is None
    both = PresenceRule("top16", 0.3, {"building": 0.6})
    assert both.threshold_for(["building"]) == 0.6 and both.threshold_for(["road"]) == 0.3
    assert PresenceRule.from_card({"presence": {"statistic": "top16", "groups": {}}}) is None


def test_the_engine_rejects_by_the_group_of_each_phrase(tmp_path: Path,
                                                        bright_models: ModelCache) -> None:
    raster = write_tif(tmp_path / "s.tif", scene(bright=255 * 0.6, dark=20))
    base = bright_models.get("bright", "cpu")
    cache = ModelCache()
    model = type(base)(base.config, base.segmentation, base.text_encoder).eval()
    model.card = dict(base.card, presence={"statistic": "top64", "groups": {"vehicle": 0.8}})
    cache.add("bright", model)
    res = segment(options(raster, tmp_path, expressions=["cars", "buildings", "bright square"]),
                  models=cache)
    assert res.feature_counts == {"cars": 0, "buildings": 1, "bright square": 1}
    assert res.plans["cars"]["messages"][-1].startswith("no object matches (presence 0.69 < 0.80")
    assert res.plans["buildings"]["presence"]["threshold"] is None
