"""The grounded path end to end: a real GeoTIFF, the engine, a real backend CLI.

The model is the tiny test configuration (real tiny BERT tokenizer and encoder) whose
segmentation network follows a fixed colour rule chosen by the category word of the
phrase, so what the model finds is known exactly: "cars" -> red pixels, "road" ->
grey, "buildings" -> near-white, "water" -> blue; any other phrase takes the rule of
its first category word, or finds nothing. The grounding then has to select, in
metres, which of those objects each expression means.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import List, Sequence

import numpy as np
import pytest
import rasterio
import torch
from torch import Tensor, nn

from helpers.engine import read_features, write_tif
from rrsis.engine.run import ModelCache, SegmentOptions, segment
from rrsis.models import create_model
from rrsis.models.checkpoint import weights_sha256
from rrsis.models.lavt import ReferringSegmenter
from rrsis.models.text import TextFeatures

RULES = ("car", "road", "building", "water")  # rule id = index + 1; 0 finds nothing
SAME_RULE = {"vehicle": "car"}
REPO = Path(__file__).parents[3]


def rule_of(text: str) -> int:
    for word in text.lower().split():
        for other, key in SAME_RULE.items():
            word = key if word.startswith(other) else word
        for i, key in enumerate(RULES):
            if word.startswith(key):
                return i + 1
    return 0


class ColourRuleNet(nn.Module):
    """Foreground where the pixel colour matches the rule whose id is in l_feats[:, 0, 0]."""

    def __init__(self, mean: Tensor, std: Tensor) -> None:
        super().__init__()
        self.register_buffer("mean", mean.clone())
        self.register_buffer("std", std.clone())

    def forward(self, image: Tensor, l_feats: Tensor, l_mask: Tensor) -> Tensor:
        rgb = image * self.std + self.mean
        r, g, b = rgb[:, 0:1], rgb[:, 1:2], rgb[:, 2:3]
        rules = [(r > 0.6) & (g < 0.35) & (b < 0.35),
                 ((r - g).abs() < 0.06) & ((g - b).abs() < 0.06) & (r > 0.35) & (r < 0.65),
                 torch.minimum(torch.minimum(r, g), b) > 0.7,
                 (b > 0.6) & (r < 0.3)]
        out = []
        for k in range(image.shape[0]):
            rid = int(round(float(l_feats[k, 0, 0])))
            fg = rules[rid - 1][k:k + 1] if rid else torch.zeros_like(r[k:k + 1], dtype=bool)
            out.append(torch.where(fg, 8.0, -8.0).to(image.dtype))
        fg = torch.cat(out)
        return torch.cat([torch.zeros_like(fg), fg], dim=1)


class CategoryColourSegmenter(ReferringSegmenter):
    """Records every phrase it encodes; writes the phrase's rule id into its features."""

    encoded: List[str]

    def encode_expressions(self, texts: Sequence[str] | str) -> TextFeatures:
        texts = [texts] if isinstance(texts, str) else list(texts)
        self.encoded.extend(texts)
        feats = super().encode_expressions(texts)
        l_feats = feats.l_feats.clone()
        l_feats[:, 0, 0] = torch.tensor([float(rule_of(t)) for t in texts])
        return TextFeatures(l_feats, feats.l_mask)


@pytest.fixture()
def colour_models() -> ModelCache:
    torch.manual_seed(0)
    tiny = create_model("test-lgce-tiny")
    model = CategoryColourSegmenter(tiny.config, ColourRuleNet(tiny.pixel_mean, tiny.pixel_std),
                                    tiny.text_encoder).eval()
    model.encoded = []
    model.card = {"name": "colour-rules", "gsd_m": 0.5,  # type: ignore[assignment]
                  "weights_sha256": weights_sha256(model.state_dict())}
    cache = ModelCache()
    cache.add("colour-rules", model)
    return cache


ROAD_ROWS = (90, 110)                       # a 10 m grey road across the 100 m scene
CARS = {"near": (84, 88, 20, 28), "far": (30, 34, 100, 108), "on": (96, 100, 150, 158)}
BUILDINGS = {"far_white": ((20, 40, 150, 180), (255, 255, 255)),    # 25 m from the road
             "next": ((120, 136, 40, 60), (250, 250, 250)),          # 5 m from the road
             "big_cream": ((150, 190, 110, 180), (250, 235, 180))}   # 20 m, 700 m2, yellowish


def write_scene(path: Path) -> Path:
    img = np.zeros((3, 200, 200), np.uint8)
    img[:] = np.array([25, 75, 25], np.uint8)[:, None, None]   # dark green ground
    img[:, ROAD_ROWS[0]:ROAD_ROWS[1], :] = 128
    for r0, r1, c0, c1 in CARS.values():
        img[:, r0:r1, c0:c1] = np.array([220, 30, 30], np.uint8)[:, None, None]
    for (r0, r1, c0, c1), colour in BUILDINGS.values():
        img[:, r0:r1, c0:c1] = np.array(colour, np.uint8)[:, None, None]
    return write_tif(path, img)


def run(tmp_path: Path, models: ModelCache, expressions: List[str], grounding: str = "auto",
        **kw: object):  # type: ignore[no-untyped-def]
    raster = write_scene(tmp_path / "scene.tif")
    opts = SegmentOptions(raster=str(raster), expressions=expressions,
                          output=str(tmp_path / "out.gpkg"), model="colour-rules", device="cpu",
                          threads=1, grounding=grounding, **kw)  # type: ignore[arg-type]
    res = segment(opts, models=models)
    return res, read_features(res.output)


def areas(feats: list, expression: str) -> List[float]:
    return sorted(round(f["area_m2"]) for f in feats if f["expression"] == expression)


def test_grounded_relations_select_in_metres_and_each_phrase_is_segmented_once(
        tmp_path: Path, colour_models: ModelCache) -> None:
    exprs = ["cars along the road", "buildings next to the road", "the largest building",
             "buildings not next to the road", "white buildings"]
    res, feats = run(tmp_path, colour_models, exprs, "on", probability=str(tmp_path / "p.tif"))
    model = colour_models.get("colour-rules", "cpu")
    assert model.encoded == ["cars", "road", "buildings"]   # each category phrase once
    assert res.feature_counts == {"cars along the road": 2, "buildings next to the road": 1,
                                  "the largest building": 1,
                                  "buildings not next to the road": 2, "white buildings": 2}
    assert areas(feats, "cars along the road") == [8, 8]      # the near one and the one on it
    assert areas(feats, "buildings next to the road") == [80]
    assert areas(feats, "the largest building") == [700]
    assert areas(feats, "buildings not next to the road") == [150, 700]
    assert areas(feats, "white buildings") == [80, 150]       # the cream one is not white
    plan = {f["expression"]: f["plan"] for f in feats}
    assert plan["buildings next to the road"] == ("grounded: building next to road (<= 10 m); "
                                                  "rivals: vehicle, road")
    largest = dict(res.plans["the largest building"])
    assert largest.pop("presence")["present"] is True   # measured; no threshold in this card
    assert largest == {
        "plan": "grounded: the largest building; rivals: vehicle, road", "mode": "grounded",
        "uncertain": False,
        "messages": [], "objects": 1, "categories": {"building": 1}, "unknown_words": [],
        "suggestions": [], "corrected": ""}
    with rasterio.open(tmp_path / "p.tif") as src:   # one band per segmented phrase
        assert src.descriptions == ("cars", "road", "buildings")


def test_each_object_says_the_category_it_was_selected_as(
        tmp_path: Path, colour_models: ModelCache) -> None:
    res, feats = run(tmp_path, colour_models, ["anything red", "cars and white buildings",
                                               "everything next to the road"], "on")
    found = Counter((f["expression"], f["category"]) for f in feats)
    assert found == {("anything red", "vehicle"): 3,            # the red cars, as vehicles
                     ("cars and white buildings", "car"): 3,
                     ("cars and white buildings", "building"): 2,
                     # cars 3 m and buildings 10 m: each category its own default distance;
                     # the road itself is not asked whether it is next to the road
                     ("everything next to the road", "vehicle"): 1,
                     ("everything next to the road", "building"): 1}
    assert "'anything' read as every object the model knows" in " ".join(
        res.plans["anything red"]["messages"])
    assert res.plans["cars and white buildings"]["categories"] == {"car": 3, "building": 2}
    (tmp_path / "out.gpkg").unlink()
    res, feats = run(tmp_path, colour_models, ["cars"], "off")   # the model's whole answer
    assert [f["category"] for f in feats] == ["", "", ""]
    assert res.plans["cars"]["categories"] == {}


def test_a_distance_band_keeps_what_lies_between_its_two_distances(
        tmp_path: Path, colour_models: ModelCache) -> None:
    """The car 1 m from the road, not the one on it (0 m) nor the one 28 m away; "10-30 m"
    the far one only; and "between two buildings" is the between relation."""
    exprs = ["cars between 0.5 and 5 m from the road", "cars 10-30 m from the road"]
    res, feats = run(tmp_path, colour_models, exprs, "on")
    assert res.feature_counts == {exprs[0]: 1, exprs[1]: 1}
    assert res.plans[exprs[0]]["plan"].startswith(
        "grounded: car more than 0.5 m from road within 5 m of road")


def test_missing_anchor_falls_back_to_end_to_end_in_auto_and_is_flagged_in_on(
        tmp_path: Path, colour_models: ModelCache) -> None:
    res, feats = run(tmp_path, colour_models, ["cars along the river"], "auto")
    report = res.plans["cars along the river"]
    assert report["mode"] == "end_to_end" and report["uncertain"]
    assert "no water found" in " ".join(report["messages"])
    assert res.feature_counts == {"cars along the river": 3}   # the model's whole answer
    assert all(f["plan"].startswith("end to end") for f in feats)
    (tmp_path / "out.gpkg").unlink()
    res, feats = run(tmp_path, colour_models, ["cars along the river"], "on")
    report = res.plans["cars along the river"]
    assert report["uncertain"] and report["mode"] == "grounded" and feats == []
    assert "no object matches" in report["messages"]


def test_the_fallback_keeps_what_the_expression_says_of_the_objects_themselves(
        tmp_path: Path, colour_models: ModelCache) -> None:
    """No water: the model's whole answer, but only its white ones (a colour the model was
    never taught), or those over 500 m2, or the largest (a rank by size); a target that says
    nothing of itself keeps all, and a rank by the missing anchor is no rank."""
    asked = ["white buildings next to the river", "buildings over 500 m2 near the lake",
             "buildings near the river", "the 2 largest buildings next to the river",
             "the building closest to the river"]
    res, feats = run(tmp_path, colour_models, asked)
    assert all(res.plans[e]["mode"] == "end_to_end" and res.plans[e]["uncertain"]
               for e in asked)
    assert areas(feats, asked[0]) == [80, 150]           # not the cream one
    assert areas(feats, asked[1]) == [700]
    assert areas(feats, asked[2]) == [80, 150, 700]
    assert areas(feats, asked[3]) == [150, 700]
    assert areas(feats, asked[4]) == [80, 150, 700]
    assert "of that answer, 2 of 3 objects are the 2 largest building" in res.plans[asked[3]][
        "messages"]
    assert "of that answer, 2 of 3 objects are white building" in res.plans[asked[0]]["messages"]
    assert not any(m.startswith("of that answer") for m in res.plans[asked[2]]["messages"])


def test_gibberish_runs_no_model_and_says_no_object_matches(
        tmp_path: Path, colour_models: ModelCache) -> None:
    res, feats = run(tmp_path, colour_models, ["xqzv blorf wugga"],
                     probability=str(tmp_path / "p.tif"))
    model = colour_models.get("colour-rules", "cpu")
    assert model.encoded == [] and feats == [] and res.tiles == 0
    assert res.probability is None and not (tmp_path / "p.tif").exists()
    assert res.plans["xqzv blorf wugga"]["mode"] == "nothing"
    *said, known = res.plans["xqzv blorf wugga"]["messages"]
    assert said == ["unknown word 'xqzv'", "unknown word 'blorf'", "unknown word 'wugga'",
                    "no object matches"]
    assert known.startswith("the objects the model knows: vehicle, building")   # ask instead
    assert res.plans["xqzv blorf wugga"]["unknown_words"] == ["xqzv", "blorf", "wugga"]


def test_an_unknown_object_runs_no_model_even_beside_known_words(
        tmp_path: Path, colour_models: ModelCache) -> None:
    res, feats = run(tmp_path, colour_models, ["the boat near the building"])
    assert colour_models.get("colour-rules", "cpu").encoded == [] and feats == []
    report = res.plans["the boat near the building"]
    assert report["mode"] == "nothing" and report["objects"] == 0
    assert report["messages"][:2] == ["unknown word 'boat'", "no object matches"]


def test_grounding_off_is_end_to_end_as_before(tmp_path: Path,
                                               colour_models: ModelCache) -> None:
    res, feats = run(tmp_path, colour_models, ["buildings next to the road"], "off")
    assert colour_models.get("colour-rules", "cpu").encoded == ["buildings next to the road"]
    assert res.feature_counts == {"buildings next to the road": 3}
    assert feats[0]["plan"] == "end to end: 'buildings next to the road' (grounding off)"


def test_explain_cli() -> None:
    env_python = sys.executable
    # "on": the plan as parsed, whatever the default model's grounding policy decides
    out = subprocess.run([env_python, "-m", "rrsis", "explain", "vehicles along the road",
                          "xqzv blorf", "--grounding", "on"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "grounded: vehicle along road (<= 3 m)" in out.stdout
    assert "segment: 'vehicles', 'road'" in out.stdout
    assert "unknown word 'blorf'" in out.stdout and "no object matches" in out.stdout
    from rrsis.grounding.explain import explain_text

    assert "\n    - centre in the top of the image" in explain_text("cars at the top of the image")
    assert "not found, filtered by what it says of the objects themselves" in explain_text(
        "white buildings next to the river")
    assert "filtered by" not in explain_text("buildings next to the river")
    js = subprocess.run([env_python, "-m", "rrsis", "explain", "--json", "red roofs"],
                        capture_output=True, text=True, timeout=120)
    import json

    plans = json.loads(js.stdout)
    assert plans[0]["mode"] == "grounded"
    assert plans[0]["segment"] == ["buildings", "vehicles", "road"]   # with its rivals
    assert plans[0]["rivals"] == ["vehicle", "road"]
    assert plans[0]["targets"][0]["attributes"][0]["value"] == "red"
    bad = subprocess.run([env_python, "-m", "rrsis", "explain", "cars", "--grounding", "x"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


def test_explain_shows_the_scales_of_the_models_card(tmp_path: Path) -> None:
    from rrsis.models.checkpoint import save_checkpoint

    model = tmp_path / "scaled.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), model, card={
        "name": "scaled", "group_gsd_range_m": {"road": [0.34, 0.6]}})
    out = subprocess.run([sys.executable, "-m", "rrsis", "explain", "buildings next to the road",
                          "--model", str(model)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "scale: 'road' is looked for at 0.34-0.6 m" in out.stdout
    assert "scale: 'buildings'" not in out.stdout             # no range for buildings
    js = subprocess.run([sys.executable, "-m", "rrsis", "explain", "--json", "--model", str(model),
                         "cars on the road", "--grounding", "on"], capture_output=True, text=True,
                        timeout=120)
    import json

    assert json.loads(js.stdout)[0]["scales_m"] == {"road": [0.34, 0.6]}


def test_segment_cli_reports_plans_and_unknown_words(tmp_path: Path) -> None:
    from rrsis.models.checkpoint import save_checkpoint

    torch.manual_seed(0)
    model = tmp_path / "tiny.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), model, card={"name": "tiny", "gsd_m": 0.5})
    raster = write_scene(tmp_path / "scene.tif")
    cmd = [sys.executable, "-m", "rrsis", "segment", str(raster), "-e", "xqzv blorf wugga",
           "-e", "cars blorf", "-o", str(tmp_path / "o.gpkg"), "--model", str(model),
           "--device", "cpu", "--threads", "1", "-q"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "'xqzv blorf wugga': nothing: no object matches" in out.stdout
    assert "unknown word 'wugga'" in out.stdout
    assert "'cars blorf': end to end: 'cars blorf'" in out.stdout
    bad = subprocess.run(cmd[:-1] + ["-q", "--grounding", "maybe"], capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


def test_estimate_counts_the_phrases_to_segment(tmp_path: Path,
                                                colour_models: ModelCache) -> None:
    from rrsis.engine.run import estimate

    raster = write_scene(tmp_path / "scene.tif")

    def phrases(expressions: List[str], grounding: str) -> tuple:
        est = estimate(SegmentOptions(raster=str(raster), expressions=expressions,
                                      model="colour-rules", device="cpu", threads=1,
                                      grounding=grounding), models=colour_models)
        return est.tiles > 0, est.expressions

    # cars, road and the vehicles' rival buildings; auto adds the whole expression
    assert phrases(["cars along the road", "cars"], "on") == (True, 3)
    assert phrases(["cars along the road", "cars"], "auto") == (True, 4)
    assert phrases(["xqzv blorf"], "auto") == (False, 0)


def test_ranks_by_colour_read_the_objects_pixels_in_the_raster(
        tmp_path: Path, colour_models: ModelCache) -> None:
    """The colour ranks through the engine: the pure white roof is the brightest, the cream
    one (L* 94 against 98 and 100) the darkest and the yellowest, and the one darker than
    the buildings' mean."""
    exprs = ["the brightest building", "the darkest building",
             "the building that is the yellowest", "darker buildings"]
    res, feats = run(tmp_path, colour_models, exprs, "on")
    assert areas(feats, "the brightest building") == [150]
    assert areas(feats, "the darkest building") == [700]
    assert areas(feats, "the building that is the yellowest") == [700]
    assert areas(feats, "darker buildings") == [700]
    assert res.plans["the darkest building"]["plan"].startswith(
        "grounded: the darkest building")
    from rrsis.grounding.explain import explain_text
    assert "then keep the 1 darkest (by the lightness L* of the median CIELAB colour of its " \
        "pixels)" in explain_text("the darkest building")
    assert "goes towards red)" in explain_text("the reddest roof")


def test_a_colour_like_another_objects_is_read_in_the_raster(
        tmp_path: Path, colour_models: ModelCache) -> None:
    """"the same colour as": the white roof is the colour of the near-white one (Delta E about
    2), the cream one (about 26 from both) of neither."""
    exprs = ["buildings the same colour as the smallest building",
             "buildings the same colour as the largest building",
             "buildings of a different colour from the smallest building"]
    _, feats = run(tmp_path, colour_models, exprs, "on")
    assert areas(feats, exprs[0]) == [150]
    assert areas(feats, exprs[1]) == []
    assert areas(feats, exprs[2]) == [700]


def test_an_island_comes_back_as_the_ground_inside_the_water(
        tmp_path: Path, colour_models: ModelCache) -> None:
    """"islands in the lake", "cars on the island": a part found in the water's mask (a hole
    in its outline) comes back as a polygon of its own, scored by the water around it."""
    img = np.zeros((3, 200, 200), np.uint8)
    img[:] = np.array([25, 75, 25], np.uint8)[:, None, None]   # dark green ground
    img[:, 20:180, 20:180] = np.array([20, 40, 220], np.uint8)[:, None, None]   # a lake
    img[:, 80:120, 80:120] = np.array([25, 75, 25], np.uint8)[:, None, None]    # 400 m2 of land
    img[:, 96:100, 96:104] = np.array([220, 30, 30], np.uint8)[:, None, None]   # a car on it
    img[:, 4:8, 4:12] = np.array([220, 30, 30], np.uint8)[:, None, None]        # one ashore
    raster = write_tif(tmp_path / "lake.tif", img)
    exprs = ["islands in the lake", "cars on the island"]
    res = segment(SegmentOptions(raster=str(raster), expressions=exprs,
                                 output=str(tmp_path / "out.gpkg"), model="colour-rules",
                                 device="cpu", threads=1, grounding="on"), models=colour_models)
    feats = read_features(res.output)
    assert res.feature_counts == {"islands in the lake": 1, "cars on the island": 1}
    assert areas(feats, "islands in the lake") == [400]
    island = next(f for f in feats if f["expression"] == "islands in the lake")
    assert island["category"] == "island" and island["score"] > 0.5
    assert areas(feats, "cars on the island") == [8]
    assert res.plans["islands in the lake"]["plan"] == "grounded: island in water"


def test_a_part_cut_out_of_an_object_comes_back_as_a_polygon_of_its_own(
        tmp_path: Path, colour_models: ModelCache) -> None:
    """"the part of the road within 25 m of the largest building": the road's ground within
    25 m of it (the building is 20 m from the road: a 5 m deep cut, over its 35 m and the
    rounded ends), with the road's category and score; in a part of the image, that half."""
    exprs = ["the part of the road within 25 m of the largest building",
             "the part of the road in the left of the image", "the road"]
    res, feats = run(tmp_path, colour_models, exprs, "on")
    assert res.feature_counts == {e: 1 for e in exprs}
    [cut] = areas(feats, exprs[0])
    assert 35 * 5 < cut < 35 * 5 + 2 * 5 * 16   # the ends: within the 25 m circles' reach
    assert areas(feats, exprs[1]) == [500] and areas(feats, "the road") == [992]   # a car on it
    part = next(f for f in feats if f["expression"] == exprs[0])
    whole = next(f for f in feats if f["expression"] == "the road")
    assert part["category"] == "road" and part["score"] == whole["score"]
    assert res.plans[exprs[0]]["plan"].startswith(
        "grounded: part of road within 25 m of the largest building")


def test_an_edge_and_a_part_of_it_come_back_with_the_objects_score(
        tmp_path: Path, colour_models: ModelCache) -> None:
    """"the road edge": its two sides, 2.5 m each (a quarter of its 10 m), one object, the car
    on it no edge; "the northern edge of the road": the north one, cut out of that part."""
    exprs = ["the road edge", "the northern edge of the road", "the road"]
    res, feats = run(tmp_path, colour_models, exprs, "on")
    assert res.feature_counts == {"the road edge": 2, "the northern edge of the road": 1,
                                  "the road": 1}   # one object, written as its two polygons
    assert areas(feats, "the road edge") == [250, 250]
    assert areas(feats, "the northern edge of the road") == [250]
    north = next(f for f in feats if f["expression"] == "the northern edge of the road")
    whole = next(f for f in feats if f["expression"] == "the road")
    assert north["category"] == "road edge" and north["score"] == pytest.approx(whole["score"])
