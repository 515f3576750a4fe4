"""A re-export keeps the choices made on held-out scenes: the shipped card's floors, tiles,
scene ceilings and scene operating points, applied to a card fresh from the val crops the
way each choosing tool writes them, and marked as carried."""

from __future__ import annotations

import copy

from rrsis.engine.gsd import (CEILINGS_KEY, FLOORS_KEY, TILES_KEY, group_tile_px,
                              phrase_ceilings, phrase_floors)
from rrsis.engine.operating import CARD_KEY as POINTS_KEY
from rrsis.engine.presence import CARD_KEY as PRESENCE_KEY
from rrsis.models.card import read_card
from rrsis.models.catalog import find_model
from rrsis.training.sources.scene_choices import carry_scene_choices


def _fresh(card: dict) -> dict:
    """What export_lite writes before any scene choice: crop points and ceilings only."""
    fresh = copy.deepcopy(card)
    for key in (FLOORS_KEY, TILES_KEY):
        fresh.pop(key, None)
    fresh[CEILINGS_KEY].pop("scenes")
    fresh[CEILINGS_KEY]["ceiling_m"] = {"buses": 0.3}            # a crop-chosen ceiling
    shift = fresh[POINTS_KEY].pop("scenes")["logit_shift"]
    table = fresh[POINTS_KEY]["logit_threshold"]
    for group, moved in shift.items():
        table[group] = round(table[group] - moved + 0.25, 4)   # new weights, new crop point
    return fresh


def test_the_shipped_scene_choices_carry_into_a_fresh_card() -> None:
    shipped = read_card(find_model("lgce-lite"))
    fresh = _fresh(shipped)
    blocks = carry_scene_choices(shipped, fresh)
    card = {**fresh, **blocks}
    assert phrase_floors(card) == phrase_floors(shipped)
    assert group_tile_px(card) == group_tile_px(shipped) == {"vehicle": 192}
    # the scene ceilings over the crop ones, which stay where the scenes chose none
    scene = shipped[CEILINGS_KEY]["scenes"]["ceiling_m"]
    assert scene and phrase_ceilings(card) == {"buses": 0.3, **scene}
    shift = shipped[POINTS_KEY]["scenes"]["logit_shift"]
    for group, moved in shift.items():   # the scene shift, from the new crop point
        want = fresh[POINTS_KEY]["logit_threshold"][group] + moved
        assert abs(card[POINTS_KEY]["logit_threshold"][group] - want) < 1e-6
    assert set(card[PRESENCE_KEY]["moved_with_operating_points"]) == set(shift)
    marks = [card[FLOORS_KEY]["carried_from"], card[TILES_KEY]["carried_from"],
             card[CEILINGS_KEY]["scenes"]["carried_from"],
             card[POINTS_KEY]["scenes"]["carried_from"]]
    assert {m["weights_sha256"] for m in marks} == {shipped["weights_sha256"]}


def test_a_card_without_scene_choices_carries_nothing() -> None:
    shipped = read_card(find_model("lgce-lite"))
    fresh = _fresh(shipped)
    assert carry_scene_choices(fresh, shipped) == {}
    assert carry_scene_choices({}, fresh) == {}
