"""Kinds of vehicle a model did not learn, read as vehicles of their length: which kinds
(the card), the plans, and their selection on synthetic vehicles of known lengths."""

from __future__ import annotations

from typing import Any, Dict

from shapely.geometry import box

from rrsis.grounding import parse
from rrsis.grounding.execute import Scene, execute
from rrsis.grounding.kinds import is_kind_family
from rrsis.grounding.lexicon import BASE_VOCABULARY, LENGTH_KINDS, vocabulary_of
from rrsis.grounding.policy import decide, families

UNLEARNT = {"bus": {"oIoU": 0.02, "count": 48}, "truck": {"oIoU": 0.0, "count": 57},
            "van": {"oIoU": 0.0, "count": 35}, "car": {"oIoU": 0.40, "count": 144}}
MEASURED = {f"{k} by length": {"decision": "grounded"} for k in ("bus", "truck", "van")}
CARD: Dict[str, Any] = {"metrics": {"val": {"categories": UNLEARNT}},
                        "grounding_policy": MEASURED}
VOCABULARY = vocabulary_of(CARD)


def test_the_kinds_read_by_length_are_unlearnt_and_measured_better_so() -> None:
    assert VOCABULARY.by_length == {"bus", "truck", "van"}
    assert BASE_VOCABULARY.by_length == frozenset()            # no card: the model is asked
    learnt = {**UNLEARNT, "van": {"oIoU": 0.3, "count": 35}}
    assert vocabulary_of({**CARD, "metrics": {"val": {"categories": learnt}}}).by_length == {
        "bus", "truck"}
    # the policy measured the reading no better than asking the model for buses, and did not
    # measure trucks: both are asked of the model, as without the reading
    decided = {**CARD, "grounding_policy": {"bus by length": {"decision": "end_to_end"},
                                            "van by length": {"decision": "grounded"}}}
    assert vocabulary_of(decided).by_length == {"van"}
    assert vocabulary_of(decided, policy=False).by_length == {"bus", "truck", "van"}
    assert parse("buses", vocabulary_of(decided)).summary() == "grounded: bus"
    # the rule: the model by default, the length reading where it wins on enough samples
    better, worse = {"oIoU": 0.3, "mIoU": 0.2}, {"oIoU": 0.1, "mIoU": 0.1}
    assert decide(better, worse, 10, model_by_default=True) == "grounded"
    assert decide(worse, worse, 10, model_by_default=True) == "end_to_end"     # a tie
    assert decide(better, worse, 4, model_by_default=True) == "end_to_end"     # too few


def test_a_kind_is_its_groups_umbrella_of_that_length() -> None:
    plan = parse("buses", VOCABULARY)
    assert plan.summary() == "grounded: bus-sized vehicle over 8 m long"
    assert plan.categories() == ("vehicle",) and families(plan) == ("bus by length",)
    assert plan.notes == ("'buses' read as the vehicles over 8 m long: the model did not learn "
                          "buses; by length alone they are not told from trucks",)
    assert parse("minibuses", VOCABULARY).summary() == (
        "grounded: van-sized vehicle over 5 m long under 7.5 m long")
    assert parse("the longest truck", VOCABULARY).summary() == (
        "grounded: the longest truck-sized vehicle over 7 m long")
    assert parse("buses", BASE_VOCABULARY).summary() == "grounded: bus"
    assert LENGTH_KINDS["bus"] == (8.0, None)


def test_mixed_targets_and_anchors() -> None:
    assert parse("cars and buses", VOCABULARY).summary() == (
        "grounded: car | bus-sized vehicle over 8 m long")
    near = parse("cars next to a bus", VOCABULARY)
    assert near.summary() == "grounded: car next to bus-sized vehicle over 8 m long (<= 3 m)"
    assert "vehicle next to bus" in families(near)
    # a rank over a mix of categories is not split: one object of them all, as parsed
    assert parse("the largest of the cars and buses", VOCABULARY).summary() == (
        "grounded: the largest car + bus")


def _vehicles(*lengths: float) -> Scene:
    """Vehicles 2.4 m wide of ``lengths`` (m) in a row along x, 5 m apart."""
    objects, x = [], 0.0
    for length in lengths:
        objects.append(box(x, 0, x + length, 2.4))
        x += length + 5.0
    return Scene({"vehicle": objects}, (0, -50, 100, 50))


def test_kinds_select_by_length() -> None:
    scene = _vehicles(4.5, 6.0, 9.0, 12.0)
    picks = {e: sorted(i for _, i in execute(parse(e, VOCABULARY), scene).picks)
             for e in ("buses", "vans", "trucks", "vehicles except buses", "the longest bus")}
    assert picks == {"buses": [2, 3], "vans": [1], "trucks": [2, 3],
                     "vehicles except buses": [0, 1], "the longest bus": [3]}


def test_an_exception_not_found_excepts_nothing() -> None:
    """No bus-sized vehicle: "vehicles except buses" is every vehicle, not an uncertain
    answer (the exception was measured, not missed)."""
    sel = execute(parse("vehicles except buses", VOCABULARY), _vehicles(4.5, 6.0))
    assert sorted(i for _, i in sel.picks) == [0, 1] and not sel.uncertain
    assert sel.notes == ["no bus-sized vehicle over 8 m long found: nothing to except"]


def test_a_kind_family_is_decided_by_any_source() -> None:
    assert is_kind_family("bus by length") and not is_kind_family("vehicle along road")
