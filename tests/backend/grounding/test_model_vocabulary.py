"""A fine-tuned model's own classes join the grounding vocabulary (from its card).

Why: an analyst who fine-tunes on "solar panel" must be able to ask for "solar panels":
the lexicon alone calls them unknown words and runs no model.
"""

from __future__ import annotations

from rrsis.grounding.engine import GroundedRun
from rrsis.grounding.explain import explain_text
from rrsis.grounding.lexicon import BASE_VOCABULARY, vocabulary_of
from rrsis.grounding.parser import parse, target_groups

CARD = {"categories": {"solar panel": ["solar panel", "pv array"],
                       "building": ["building", "house"], "shed": ["shed"]}}


def test_without_the_models_words_they_are_unknown() -> None:
    plan = parse("solar panels")
    assert plan.mode == "nothing" and plan.unknown_words == ("solar", "panels")
    assert vocabulary_of({}) is BASE_VOCABULARY and vocabulary_of(None) is BASE_VOCABULARY


def test_the_models_classes_are_categories_asked_in_its_own_words() -> None:
    vocab = vocabulary_of(CARD)
    plan = parse("solar panels", vocab)
    assert plan.mode == "grounded" and plan.targets[0].categories == ("solar panel",)
    assert parse("the PV arrays", vocab).targets[0].categories == ("solar panel",)
    # relations and attributes work on them as on the lexicon's categories
    rel = parse("large solar panels within 20 m of the road", vocab)
    assert rel.mode == "grounded" and rel.targets[0].relations[0].anchor.categories == ("road",)
    assert rel.targets[0].relations[0].distance_m == 20.0
    run = GroundedRun(["solar panels next to buildings", "sheds"], vocabulary=vocab)
    # the lexicon's building is asked as the model learnt it ("building", not "buildings");
    # "shed", a building synonym in the lexicon, is the model's own class here
    assert run.phrases[:3] == ["solar panel", "building", "solar panels next to buildings"]
    assert run.uses["sheds"].plan.targets[0].categories == ("shed",)
    assert target_groups("solar panels", vocab) == ("other",)
    assert target_groups("houses", vocab) == ("building",)
    assert parse("sheds").targets[0].categories == ("building",)   # the lexicon alone


def test_explain_shows_the_models_words() -> None:
    text = explain_text("solar panels next to the road", vocabulary=vocabulary_of(CARD))
    assert "segment: 'solar panel', 'road'" in text and "unknown word" not in text


def test_a_damaged_categories_entry_is_ignored_not_fatal() -> None:
    for bad in ({"categories": "solar panel"}, {"categories": {"": ["x"]}},
                {"categories": {"tent": "tent"}}, {"categories": {"tent": [None, 3]}}):
        vocab = vocabulary_of(bad)
        assert parse("buildings", vocab).mode == "grounded"
    assert parse("tents", vocabulary_of({"categories": {"tent": [None, 3]}})).mode == "grounded"
    assert vocabulary_of({"categories": {"tent": [None, 3]}}).by_name["tent"].names == ("tent",)
    assert vocabulary_of({"categories": {"": ["x"], "  ": []}}) is BASE_VOCABULARY


def test_class_names_are_read_as_the_parser_reads_text() -> None:
    vocab = vocabulary_of({"categories": {"solar-panel": ["solar-panel"],
                                          "bâtiment": ["bâtiment", "maison"]}})
    plan = parse("Solar panels next to the bâtiments", vocab)
    assert plan.mode == "grounded"
    assert plan.targets[0].categories == ("solar panel",)
    assert plan.targets[0].relations[0].anchor.categories == ("bâtiment",)
    run = GroundedRun(["solar-panels"], vocabulary=vocab)
    assert run.phrases[0] == "solar-panel"          # asked in the words it was trained on
    assert parse("maisons", vocab).targets[0].categories == ("bâtiment",)
    # any script is a word, not letters split around it
    assert parse("bâtiments").unknown_words == ("bâtiments",)


def test_rivals_stay_among_the_classes_the_model_learnt() -> None:
    """A model fine-tuned on buildings alone is not asked for vehicles and roads as rivals
    (it was not taught them in that region); one fine-tuned on buildings and roads is."""
    only = vocabulary_of({"categories": {"building": ["building"]}})
    run = GroundedRun(["buildings"], vocabulary=only)
    assert run.phrases == ["building"] and run.rivals_for(run.uses["buildings"].plan) == []
    assert "rivals" not in explain_text("buildings", vocabulary=only)
    both = vocabulary_of({"categories": {"building": ["building"], "road": ["road"]}})
    run = GroundedRun(["buildings"], vocabulary=both)
    assert run.phrases == ["building", "road"]
    assert run.rivals_for(run.uses["buildings"].plan) == ["road"]
    base = GroundedRun(["buildings"])                     # the default model: all its groups
    assert base.phrases == ["buildings", "vehicles", "road"]


def test_a_class_that_is_a_lexicon_name_asks_for_its_category() -> None:
    """A model fine-tuned on "house" is asked "house" for buildings, roofs and houses, with
    the distances of buildings; of "house" and "building", each is asked for its own."""
    houses = vocabulary_of({"categories": {"house": ["house"]}})
    for text in ("buildings", "houses", "roofs"):
        assert GroundedRun([text], vocabulary=houses).phrases == ["house"], text
        assert target_groups(text, houses) == ("building",)
    assert parse("houses next to the road", houses).targets[0].relations[0].distance_m == 10.0
    both = vocabulary_of({"categories": {"house": ["house"], "building": ["building"]}})
    assert GroundedRun(["buildings"], vocabulary=both).phrases == ["building"]
    assert GroundedRun(["houses"], vocabulary=both).phrases == ["house"]
    assert target_groups("houses", both) == ("building",)


def test_the_categories_a_fine_tuned_model_was_not_taught_are_its_bases() -> None:
    card = {"categories": {"building": ["building", "house"]}, "finetuned_from": "lgce-lite"}
    run = GroundedRun(["cars next to the houses", "buildings", "the road"],
                      vocabulary=vocabulary_of(card))
    # the relation's fallback, asked whole, is about cars too
    assert run.untaught_phrases() == ["cars", "cars next to the houses", "road"]
    assert GroundedRun(["cars next to the houses"]).untaught_phrases() == []   # taught all


def test_explain_says_which_phrases_the_base_model_answers(tmp_path, monkeypatch) -> None:
    """As the engine routes them: only while the base model is installed."""
    import torch

    from rrsis.engine.explain import explain_plans
    from rrsis.models import create_model, save_checkpoint

    monkeypatch.setenv("RRSIS_MODEL_DIR", str(tmp_path))
    torch.manual_seed(0)
    model = create_model("test-lgce-tiny")
    save_checkpoint(model, tmp_path / "tinybase.safetensors", card={"name": "tinybase"})
    save_checkpoint(model, tmp_path / "tinyft.safetensors", card={
        "name": "tinyft", "finetuned_from": "tinybase",
        "categories": {"building": ["building"]}})
    d = explain_plans(["buildings next to the road"], model="tinyft")["buildings next to the road"]
    assert d["base_model"] == {"road": "tinybase"}
    assert "base: 'road' asked of tinybase, the model tinyft was fine-tuned from" in d["text"]
    (tmp_path / "tinybase.safetensors").unlink()
    d = explain_plans(["buildings next to the road"], model="tinyft")["buildings next to the road"]
    assert "base_model" not in d


def test_explain_gives_a_phrase_left_to_the_base_the_bases_scales(tmp_path, monkeypatch
                                                                   ) -> None:
    """As the engine serves it: the base's group range, moved by the base's ceiling and floor
    under the base's word ("buildings"), not the fine-tuned card's."""
    import torch

    from rrsis.engine.explain import explain_plans
    from rrsis.models import create_model, save_checkpoint

    monkeypatch.setenv("RRSIS_MODEL_DIR", str(tmp_path))
    torch.manual_seed(0)
    model = create_model("test-lgce-tiny")
    save_checkpoint(model, tmp_path / "tinybase.safetensors", card={
        "name": "tinybase", "group_gsd_range_m": {"building": [0.06, 0.6], "road": [0.34, 0.6]},
        "phrase_gsd_ceilings": {"ceiling_m": {"buildings": 0.4}},
        "phrase_gsd_floors": {"floor_m": {"buildings": 0.15}}})
    save_checkpoint(model, tmp_path / "tinyft.safetensors", card={
        "name": "tinyft", "finetuned_from": "tinybase", "base_classes": ["building"],
        "categories": {"building": ["building"], "car": ["car"]},
        "group_gsd_range_m": {"building": [0.2273, 0.25], "vehicle": [0.2273, 0.25]}})
    plans = explain_plans(["buildings", "cars next to the road"], model="tinyft")
    d = plans["buildings"]
    assert d["base_model"] == {"building": "tinybase"}
    assert d["scales_m"] == {"building": [0.15, 0.4]}
    assert "scale: 'building' is looked for at 0.15-0.4 m, the GSDs the base model learnt " \
           "building at, the coarse end lowered and fine end raised to where the base model " \
           "finds it better (measured)" in d["text"]
    d = plans["cars next to the road"]   # the model's own class keeps its own scales
    assert d["scales_m"] == {"car": [0.2273, 0.25], "road": [0.34, 0.6]}
    assert "'road' is looked for at 0.34-0.6 m, the GSDs the base model learnt road at" \
        in d["text"]


def test_a_class_the_base_segments_better_is_left_to_it() -> None:
    """A taught class the base segmented better on the validation part (the card's
    ``base_classes``, written by finetune) is asked of the base, and said to be for that
    reason; the classes the model keeps stay its own, and rivals stay among them."""
    card = {"categories": {"building": ["building"], "water": ["water"]},
            "finetuned_from": "lgce-lite",
            "base_classes": {"water": {"part": "val", "objects": 1, "iou_base": 0.105,
                                       "iou_new": 0.0}}}
    vocab = vocabulary_of(card)
    assert vocab.learnt_groups == frozenset({"building"})
    assert vocab.base_groups == frozenset({"water"})
    run = GroundedRun(["buildings next to the water", "water", "cars"], vocabulary=vocab)
    assert run.untaught_phrases() == ["water", "cars"]  # asked in its trained word, "water"
    assert run.left_to_base("water") and not run.left_to_base("cars")
    assert not run.left_to_base("building")
    # a group another class of the card was taught stays the fine-tuned model's
    both = vocabulary_of({"categories": {"building": ["building"], "house": ["house"]},
                          "base_classes": ["house"]})
    assert both.base_groups == frozenset() and both.learnt_groups == frozenset({"building"})
    # a damaged entry is ignored
    assert vocabulary_of({**card, "base_classes": 3}).base_groups == frozenset()
    # the base is asked in its own words, as it answers alone ("buildings", not "building")
    alone = GroundedRun(["buildings"], vocabulary=vocabulary_of(
        {"categories": {"building": ["building"]}, "base_classes": ["building"]}))
    assert alone.phrases == ["building"] and alone.untaught_phrases() == ["building"]
    assert alone.base_phrase("building") == BASE_VOCABULARY.by_name["building"].model_phrase
    assert alone.base_phrase("buildings along the road") == "buildings along the road"
    from rrsis.grounding.learnt import base_message
    assert base_message("water", "lgce-lite", "dubai", True) == (
        "'water' asked of lgce-lite, the model dubai was fine-tuned from: it segmented that "
        "category better on the validation part of the fine-tuning")
    text = explain_text("water", vocabulary=vocab, base="lgce-lite", model="dubai")
    assert "base: 'water' asked of lgce-lite, the model dubai was fine-tuned from: it " \
           "segmented that category better" in text
