"""Grounded vs end to end per relation family, and the grounding policy that follows from it.

Synthetic RefSegRS folders written by the real source writer (``DatasetWriter``, with
its per-triplet ``gsd_m.txt``), the real grounding code, the engine's predictor and
vectoriser. The model is the colour-rule test model of the grounding engine tests: its
answer for any phrase is known exactly ("cars ..." -> every red pixel, "road" -> grey,
"buildings"/"the largest building" -> white), so which way wins each family is known:

- "cars along the road": the label is the cars within 3 m of the road: grounded is exact,
  end to end (every car) is not;
- "cars on the road": labelled as the car source labels it (every car, "all vehicles
  are on a road"), but one car is beside the road: end to end is exact, grounded is not;
- "the largest building": grounded is exact, end to end gives every building.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).parents[1] / "backend" / "grounding"))
from test_engine_grounding import colour_models, run  # noqa: E402,F401  (fixture)

from rrsis.engine.run import ModelCache  # noqa: E402
from rrsis.grounding.engine import GroundedRun  # noqa: E402
from rrsis.grounding.explain import explain_text  # noqa: E402
from rrsis.grounding.parser import parse  # noqa: E402
from rrsis.grounding.kinds import is_kind_family  # noqa: E402
from rrsis.grounding.policy import decide, end_to_end_reason, families, policy_of  # noqa: E402
from rrsis.training.sources.common import Crop, DatasetWriter  # noqa: E402
from rrsis.training.sources.export_lite import metrics_markdown  # noqa: E402
from rrsis.training.sources.relations_eval import (main, measure, relational_samples,  # noqa: E402
                                                   relations_card, relations_markdown)

SIZE, GSD = 64, 0.5            # 32 m crops
ROAD = (28, 36)                # rows of a 4 m grey road
CARS = {"on": (30, 34, 10, 18), "beside": (22, 26, 40, 48), "far": (4, 8, 20, 28)}  # gaps 0, 1, 10 m
BUILDINGS = {"big": (44, 56, 40, 54), "small": (48, 56, 2, 10)}
N = 6                          # crops: enough samples for a decision (MIN_SAMPLES = 5)


def _box_mask(*boxes: tuple) -> np.ndarray:
    m = np.zeros((SIZE, SIZE), bool)
    for r0, r1, c0, c1 in boxes:
        m[r0:r1, c0:c1] = True
    return m


def _crop(shift: int) -> Crop:
    img = np.zeros((SIZE, SIZE, 3), np.uint8)
    img[:] = (25, 75, 25)
    img[ROAD[0]:ROAD[1]] = 128
    cars = {k: (r0, r1, c0 + shift, c1 + shift) for k, (r0, r1, c0, c1) in CARS.items()}
    for r0, r1, c0, c1 in cars.values():
        img[r0:r1, c0:c1] = (220, 30, 30)
    for r0, r1, c0, c1 in BUILDINGS.values():
        img[r0:r1, c0:c1] = 255
    exprs = {"cars along the road": _box_mask(cars["on"], cars["beside"]),
             "cars on the road": _box_mask(*cars.values()),
             "the largest building": _box_mask(BUILDINGS["big"]),
             "cars": _box_mask(*cars.values())}          # a noun: not measured
    return Crop(img, GSD, exprs)


def write_folder(root: Path) -> Path:
    writer = DatasetWriter(root, SIZE, {"name": "synthetic", "gsd_m": 0.15}, ["car", "road"])
    for k in range(N):
        writer.add(_crop(shift=k), "val", "syn")
    writer.close()
    return root


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "data" / "syn")


@pytest.fixture()
def report(folder: Path, colour_models: ModelCache) -> Dict:  # noqa: F811
    samples, _ = relational_samples(folder)
    return measure(colour_models.get("colour-rules", "cpu"), samples)


def test_only_relational_val_expressions_are_measured_at_their_recorded_gsd(folder: Path
                                                                            ) -> None:
    samples, gsd_from = relational_samples(folder)
    assert len(samples) == 3 * N
    assert {s.expression for s in samples} == {"cars along the road", "cars on the road",
                                               "the largest building"}
    assert {s.gsd_m for s in samples} == {GSD}          # gsd_m.txt, not dataset.json's 0.15
    assert gsd_from == {"syn": "per triplet (gsd_m.txt)"}
    assert {s.families for s in samples} == {("vehicle along road",), ("vehicle on road",),
                                             ("the largest building",)}
    limited, _ = relational_samples(folder.parent, limit=2)   # the parent of source folders
    assert len(limited) == 3 * 2


def test_each_family_is_measured_both_ways_and_the_winner_becomes_the_default(report: Dict
                                                                              ) -> None:
    fams = report["families"]
    assert set(fams) == {"vehicle along road", "vehicle on road", "the largest building"}
    assert all(f["count"] == N for f in fams.values())
    along, on, largest = fams["vehicle along road"], fams["vehicle on road"], \
        fams["the largest building"]
    # along: grounded keeps exactly the two cars within 3 m; end to end takes all three
    assert along["grounded"]["oIoU"] > 0.9 > along["end_to_end"]["oIoU"] > 0.5
    assert along["decision"] == "grounded"
    # on: the labels count the car beside the road too; only end to end says so
    assert on["end_to_end"]["oIoU"] > 0.9 > on["grounded"]["oIoU"]
    assert on["grounded_auto"] == on["grounded"]      # the road was found: no fallback
    assert on["anchor_missing"] == 0 and on["decision"] == "end_to_end"
    assert largest["grounded"]["oIoU"] > 0.9 > largest["end_to_end"]["oIoU"]
    assert largest["decision"] == "grounded"
    policy = report["grounding_policy"]
    assert {f: p["decision"] for f, p in policy.items()} == {
        "vehicle along road": "grounded", "vehicle on road": "end_to_end",
        "the largest building": "grounded"}
    assert policy["vehicle on road"]["end_to_end"] == on["end_to_end"]
    assert policy["vehicle on road"]["grounded"] == on["grounded_auto"]
    assert report["expressions"]["cars on the road"]["count"] == N
    table = relations_markdown(report)
    assert "| vehicle on road | 6 |" in table and "end_to_end |" in table


def test_a_missing_anchor_falls_back_in_auto_and_scores_nothing_in_the_executor(
        tmp_path: Path, colour_models: ModelCache) -> None:  # noqa: F811
    writer = DatasetWriter(tmp_path / "water", SIZE, {"gsd_m": GSD}, ["car"])
    for k in range(N):
        crop = _crop(k)
        writer.add(Crop(crop.image, GSD, {"cars next to the water":
                                          crop.expressions["cars on the road"]}), "val", "w")
    writer.close()
    samples, _ = relational_samples(tmp_path / "water")
    fam = measure(colour_models.get("colour-rules", "cpu"), samples)["families"][
        "vehicle next to water"]
    assert fam["anchor_missing"] == N
    assert fam["grounded"]["oIoU"] == 0.0
    assert fam["grounded_auto"] == fam["end_to_end"] and fam["end_to_end"]["oIoU"] > 0.9
    assert fam["decision"] == "grounded"        # a tie: end to end must win to be chosen


def test_the_decision_rule() -> None:
    g, e = {"oIoU": 0.40, "mIoU": 0.30}, {"oIoU": 0.45, "mIoU": 0.35}
    assert decide(g, e, 10) == "end_to_end"
    assert decide(e, g, 10) == "grounded"
    assert decide(g, g, 10) == "grounded"                    # ties stay grounded
    assert decide(g, e, 4) == "grounded"                     # too few samples to decide
    # the shipped card's "the largest building": end to end wins on pooled pixels only (it
    # marks every building), grounded on the figure per expression -> stays grounded
    assert decide({"oIoU": 0.346, "mIoU": 0.401}, {"oIoU": 0.411, "mIoU": 0.365}, 67) \
        == "grounded"
    assert decide({"oIoU": 0.40}, {"oIoU": 0.45}, 10) == "end_to_end"   # one metric measured
    assert families(parse("cars")) == ()
    assert families(parse("buildings not next to the road")) == ("building not next to road",)
    assert families(parse("the 3 largest cars along the street")) == (
        "vehicle along road", "the 3 largest vehicle")
    # the count is part of a rank's family: "the largest" measured is not "the 3 largest"
    assert families(parse("the largest building")) == ("the largest building",)
    assert families(parse("the second largest building")) == ("the 2nd largest building",)
    assert families(parse("all buildings except the largest")) == (
        "all but the largest building",)
    assert families(parse("all buildings except the 3 largest")) == (
        "all but the 3 largest building",)
    assert policy_of({"grounding_policy": {"a": {"decision": "maybe"}, "b": "x"}}) == {}
    assert policy_of(None) == {} and policy_of({"grounding_policy": [1]}) == {}


def test_the_shipped_card_follows_the_rule_and_grounds_ranks() -> None:
    """Each stored decision of the default model's card is what the rule makes of its stored
    figures, and superlatives are read explicitly: one polygon for "the largest building"."""
    from helpers.data import REPO
    from rrsis.models.card import read_card

    policy = policy_of(read_card(REPO / "resources" / "models" / "lgce-lite.safetensors"))
    assert "the largest building" in policy
    for fam, entry in policy.items():
        assert entry["decision"] == decide(entry["grounded"], entry["end_to_end"],
                                           entry["count"],
                                           model_by_default=is_kind_family(fam)), fam
    plans = GroundedRun(["the largest building", "the 3 largest buildings"], "auto",
                        policy=policy).plans()
    assert plans["the largest building"].mode == "grounded"
    assert plans["the 3 largest buildings"].mode == "grounded"
    assert plans["the 3 largest buildings"].summary() == "grounded: the 3 largest building"


def test_the_policy_is_honoured_and_visible_in_the_plan(report: Dict) -> None:
    policy = report["grounding_policy"]
    exprs = ["cars on the road", "vehicles on the street", "cars along the road",
             "buildings next to the water"]
    auto = GroundedRun(exprs, "auto", policy=policy)
    plans = auto.plans()
    for e in ("cars on the road", "vehicles on the street"):   # one family, any wording
        assert plans[e].mode == "end_to_end"
        assert plans[e].reason.startswith("grounding policy: 'vehicle on road' is answered end "
                                          "to end: oIoU ")
        assert "grounding policy" in plans[e].summary()
        assert e in auto.phrases                             # the model gets it whole
    assert plans["cars along the road"].mode == "grounded"   # measured: grounding wins
    assert plans["buildings next to the water"].mode == "grounded"  # not measured: grounded
    assert GroundedRun(exprs, "on", policy=policy).plans()["cars on the road"].mode == "grounded"
    assert end_to_end_reason(parse("cars on the road"), None) is None
    text = explain_text("cars on the road", "auto", policy)
    assert "grounding policy: 'vehicle on road'" in text and "whole, by the model" in text


def test_the_engine_applies_the_card_policy(tmp_path: Path, colour_models: ModelCache  # noqa: F811
                                            ) -> None:
    model = colour_models.get("colour-rules", "cpu")
    res, _ = run(tmp_path, colour_models, ["cars along the road"])
    assert res.plans["cars along the road"]["mode"] == "grounded"
    assert res.feature_counts == {"cars along the road": 2}       # the near car and the one on it
    model.card["grounding_policy"] = {"vehicle along road": {
        "decision": "end_to_end", "count": 9, "grounded": {"oIoU": 0.1, "mIoU": 0.1},
        "end_to_end": {"oIoU": 0.5, "mIoU": 0.4}}}
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    res, feats = run(tmp_path / "b", colour_models, ["cars along the road"])
    assert res.plans["cars along the road"]["mode"] == "end_to_end"
    assert "grounding policy: 'vehicle along road'" in res.plans["cars along the road"]["plan"]
    assert res.feature_counts == {"cars along the road": 3}       # the model's answer: all cars
    assert {f["plan"] for f in feats} == {res.plans["cars along the road"]["plan"]}
    res, _ = run(tmp_path / "c", colour_models, ["cars along the road"], "on")
    assert res.feature_counts == {"cars along the road": 2}       # "on" ignores the policy


def test_the_card_fields_and_the_docs_table(folder: Path, colour_models: ModelCache  # noqa: F811
                                            ) -> None:
    metrics, policy = relations_card(colour_models.get("colour-rules", "cpu"), folder)
    assert policy["vehicle on road"]["decision"] == "end_to_end"
    assert "grounding_policy" not in metrics and metrics["split"] == "val"
    card = {"metrics": {"val": {"overall": {"count": 1, "oIoU": .5, "mIoU": .5},
                                "sources": {}, "categories": {}}, "relations": metrics},
            "training": {"command": "c", "export_command": "e", "seed": 0, "iterations": 1,
                         "wall_time_s": 1}}
    text = metrics_markdown(card)
    assert "relational expressions: grounded vs end to end" in text
    assert "| vehicle along road | 6 |" in text


def test_cli_measures_a_real_checkpoint_and_refuses_bad_input(folder: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture
                                                              ) -> None:
    from rrsis.models import create_model
    from rrsis.models.checkpoint import save_checkpoint

    torch.manual_seed(0)
    ckpt = tmp_path / "tiny.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), ckpt)
    out = tmp_path / "rel.json"
    assert main(["--model", str(ckpt), "--datasets", str(folder.parent), "--out", str(out),
                 "--threads", "1"]) == 0
    data = json.loads(out.read_text())
    assert set(data["families"]) == {"vehicle along road", "vehicle on road",
                                     "the largest building"}
    for fam in data["families"].values():
        for way in ("end_to_end", "grounded", "grounded_auto"):
            assert 0.0 <= fam[way]["oIoU"] <= 1.0
    assert data["gsd"] == {"syn": "per triplet (gsd_m.txt)"}
    capsys.readouterr()
    bad = tmp_path / "bad.json"
    assert main(["--model", str(ckpt), "--datasets", str(tmp_path / "nothing"), "--out",
                 str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("relations_eval: error:") and "\n" not in err
    assert not bad.exists()


def test_the_writer_records_the_gsd_of_the_written_image(tmp_path: Path) -> None:
    writer = DatasetWriter(tmp_path / "d", 32, {}, ["car"])
    writer.add(Crop(np.zeros((64, 64, 3), np.uint8), 0.25, {"car": np.zeros((64, 64), bool)}),
               "val", "x")
    writer.close()
    assert (tmp_path / "d" / "gsd_m.txt").read_text() == "x_00000_0 0.5\n"


def test_real_dubai_val_with_the_shipped_model(tmp_path: Path) -> None:
    """Real labels and the shipped model: 'building next to the road' at each crop's own GSD."""
    from helpers.data import REPO, shared_data
    from rrsis.models.checkpoint import load_checkpoint
    from rrsis.training.sources.dubai import build_dubai

    src = shared_data("dubai-landcover")
    build_dubai(src, tmp_path / "dubai", seed=0)
    samples, gsd_from = relational_samples(tmp_path, limit=3)
    assert gsd_from == {"dubai": "per triplet (gsd_m.txt)"}
    assert 1 <= len(samples) <= 3
    assert {s.expression for s in samples} == {"building next to the road"}
    assert all(0.34 <= s.gsd_m <= 0.61 for s in samples)       # drawn in 0.35-0.6 m
    rep = measure(load_checkpoint(REPO / "resources" / "models" / "lgce-lite.safetensors"),
                  samples)
    fam = rep["families"]["building next to road"]
    assert fam["count"] == len(samples) and fam["decision"] == "grounded"  # too few to decide
    assert 0.0 <= fam["end_to_end"]["oIoU"] <= 1.0 and 0.0 <= fam["grounded"]["oIoU"] <= 1.0


def test_explain_cli_reads_the_policy_of_the_model_card(tmp_path: Path) -> None:
    import subprocess

    from rrsis.models import create_model
    from rrsis.models.checkpoint import save_checkpoint

    ckpt = tmp_path / "with-policy.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), ckpt, card={"grounding_policy": {
        "vehicle on road": {"decision": "end_to_end", "count": 82,
                            "grounded": {"oIoU": 0.07, "mIoU": 0.05},
                            "end_to_end": {"oIoU": 0.37, "mIoU": 0.27}}}})
    out = subprocess.run([sys.executable, "-m", "rrsis", "explain", "--model", str(ckpt),
                          "cars on the road", "cars along the road"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert ("plan: end to end: 'cars on the road' (grounding policy: 'vehicle on road' is "
            "answered end to end: oIoU 0.37 / mIoU 0.27 end to end vs 0.07 / 0.05 grounded on 82 "
            "validation samples)") in out.stdout
    assert "plan: grounded: car along road (<= 3 m)" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "rrsis", "explain", "--model",
                          str(tmp_path / "missing.safetensors"), "cars"], capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_a_phrase_served_coarser_is_measured_as_the_engine_serves_it(
        folder: Path, colour_models: ModelCache, monkeypatch: pytest.MonkeyPatch  # noqa: F811
        ) -> None:
    """With roads served at 1 m, "road" is looked for on each 0.5 m crop shrunk by half; the
    grey road is still found there, so "cars along the road" stays exact grounded."""
    import rrsis.training.sources.relations_eval as rel

    scales = []

    def spy(predictor, rgb, scale):
        scales.append((predictor.expressions, scale))
        return at_gsd(predictor, rgb, scale)

    at_gsd = rel.at_gsd
    monkeypatch.setattr(rel, "at_gsd", spy)
    model = colour_models.get("colour-rules", "cpu")
    monkeypatch.setitem(model.card, "group_gsd_range_m", {"road": [1.0, 2.0]})
    samples, _ = relational_samples(folder)
    fams = measure(model, samples)["families"]
    assert fams["vehicle along road"]["grounded"]["oIoU"] > 0.9
    assert scales and {(tuple(e), s) for e, s in scales} == {(("road",), 0.5)}


def test_at_gsd_shrinks_mirrors_and_brings_back() -> None:
    from rrsis.training.sources.relations_eval import at_gsd

    class Probe:
        expressions = ["road"]

        def logit_difference(self, rgb: np.ndarray) -> np.ndarray:
            self.seen = rgb[0].copy()
            return rgb[:, 0][None]  # (E=1, B, H, W): the red channel as the logit

    rgb = np.zeros((3, 8, 8), np.float32)
    rgb[0, :4, :] = 1.0  # the top half red
    probe = Probe()
    out = at_gsd(probe, rgb, 0.5)
    seen = probe.seen[0]
    assert seen.shape == (8, 8)
    assert (seen[:2, :4] == 1).all() and (seen[2:4, :4] == 0).all()   # the crop, halved
    assert (seen[4:6] == seen[3::-1][:2]).all()                       # mirrored below it
    assert out.shape == (8, 8) and out[0, 0] == 1.0 and out[7, 7] == 0.0
    # served finer: the crop enlarged (bilinear), the logits brought back to its size
    out = at_gsd(probe, rgb, 2.0)
    assert probe.seen.shape == (3, 16, 16) and (probe.seen[0, :6] == 1).all()
    assert (probe.seen[0, 10:] == 0).all()
    assert out.shape == (8, 8) and out[0, 0] == 1.0 and out[7, 7] == 0.0


def test_labels_that_ignore_the_relation_are_measured_but_do_not_decide(
        tmp_path: Path, colour_models: ModelCache) -> None:  # noqa: F811
    """The same crops as a folder of the car source, whose labels call every vehicle "on the
    road": end to end still scores higher there, but the family stays grounded."""
    from rrsis.training.sources.relations_eval import labels_follow_relations

    assert not labels_follow_relations("cars")
    assert labels_follow_relations("dubai") and labels_follow_relations("syn")
    cars = write_folder(tmp_path / "data" / "cars")
    samples, _ = relational_samples(cars.parent, sources=("cars",))
    report = measure(colour_models.get("colour-rules", "cpu"), samples)
    on = report["families"]["vehicle on road"]
    assert on["end_to_end"]["oIoU"] > 0.9 > on["grounded"]["oIoU"]    # measured as before
    assert on["count"] == N and on["deciding_count"] == 0
    assert on["decision"] == "grounded"
    assert report["grounding_policy"]["vehicle on road"]["count"] == 0
    assert "| vehicle on road | 6 |" in relations_markdown(report)


def test_rivals_eval_measures_every_contested_triplet_both_ways(folder: Path,
                                                               colour_models: ModelCache  # noqa: F811
                                                               ) -> None:
    """The same samples reader as the relations; cars and buildings do not overlap in these
    crops, so the rivals take nothing and both ways score the same."""
    from rrsis.training.sources.rivals_eval import markdown, measure as rivals_measure
    from rrsis.training.sources.rivals_eval import rival_samples

    samples = rival_samples(folder.parent, {})
    assert len(samples) == 4 * N            # every expression names a car or a building
    assert {g for _, g in samples} == {"vehicle", "building"}
    report = rivals_measure(colour_models.get("colour-rules", "cpu"), samples)
    rows = report["rows"]
    assert rows["overall"]["count"] == 4 * N and rows["group building"]["count"] == N
    assert rows["overall"]["with"] == rows["overall"]["without"]
    assert rows["overall"]["with"]["oIoU"] > 0.5
    assert "| group vehicle | 18 |" in markdown(report)


def test_a_kind_read_by_length_is_measured_and_decided_by_its_labels(
        tmp_path: Path, colour_models: ModelCache) -> None:  # noqa: F811
    """A model whose card shows "bus" unlearnt: "bus" is measured as the vehicles over 8 m
    long against asking the model for buses (the colour-rule model finds nothing for them).
    The folder is the car source's, whose relational labels do not decide (every vehicle is
    "on the road"); its bus labels are buses, so they decide the kind's family."""
    writer = DatasetWriter(tmp_path / "cars", SIZE, {"gsd_m": GSD}, ["bus"])
    for k in range(N):
        img = np.zeros((SIZE, SIZE, 3), np.uint8)
        img[:] = (25, 75, 25)
        bus, car = (10, 15, 8 + k, 32 + k), (40, 44, 20, 28)    # 12 x 2.5 m and 4 x 2 m, red
        for r0, r1, c0, c1 in (bus, car):
            img[r0:r1, c0:c1] = (220, 30, 30)
        labels = {"bus": _box_mask(bus), "cars on the road": _box_mask(bus, car)}
        writer.add(Crop(img, GSD, labels), "val", "syn")
    writer.close()
    model = colour_models.get("colour-rules", "cpu")
    card = model.card
    model.card = {**card, "metrics": {"val": {"categories": {"bus": {"oIoU": 0.0, "count": 40}}}}}
    try:
        samples, _ = relational_samples(tmp_path, model=model)
        report = measure(model, samples)
    finally:
        model.card = card
    fams = report["families"]
    assert set(fams) == {"bus by length", "vehicle on road"}
    bus = fams["bus by length"]
    assert bus["grounded"]["oIoU"] > 0.9 and bus["end_to_end"]["oIoU"] == 0.0
    assert bus["deciding_count"] == N and bus["decision"] == "grounded"
    assert fams["vehicle on road"]["deciding_count"] == 0       # the car source's relations
    assert report["expressions"]["bus"]["plan"] == "grounded: bus-sized vehicle over 8 m long"
