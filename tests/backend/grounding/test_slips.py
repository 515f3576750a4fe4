"""Slips of the keyboard: the cost of each slip, the readings of a word, and the search that
mends a whole expression by the plan each reading gives (:mod:`rrsis.grounding.slips`)."""

from __future__ import annotations

from typing import List

import pytest

from rrsis.grounding import parse
from rrsis.grounding.lexicon import BASE_VOCABULARY, UNTAUGHT_OBJECTS
from rrsis.grounding.parser import mended
from rrsis.grounding.slips import (MAX_READINGS, MAX_WORDS, Reading, beside, mend, readings,
                                   slip_cost)
from rrsis.grounding.tokens import rewritten_words


def test_keys_touch_in_their_row_and_the_rows_above_and_below() -> None:
    assert beside("s", "a") and beside("s", "d") and beside("s", "w") and beside("s", "e")
    assert beside("s", "z") and beside("s", "x") and beside("r", "t") and beside("b", "h")
    assert not beside("s", "r") and not beside("a", "p") and not beside("q", "z")


@pytest.mark.parametrize("typed,meant,cost", [
    ("raod", "road", 1.0),        # two letters swapped
    ("rod", "road", 1.0),         # one left out
    ("thee", "the", 0.8),         # one doubled
    ("roadp", "road", 1.2),       # an added letter far from its neighbours' keys
    ("roasd", "road", 1.0),       # an added letter beside its neighbour's key
    ("rosd", "road", 1.0),        # a wrong letter, its key beside the right one
    ("neer", "near", 1.0),        # a vowel for a vowel
    ("rold", "road", None),       # another wrong letter, in a short word: none
    ("buildimgs", "buildings", 1.0),
    ("bujldings", "buildings", 1.0),
    ("builpings", "buildings", 1.6),   # a wrong letter far off, in a long word
    ("road", "road", None), ("rd", "road", None), ("xqzv", "road", None)])
def test_each_slip_has_a_cost(typed: str, meant: str, cost: float) -> None:
    assert slip_cost(typed, meant) == cost


def test_readings_come_likeliest_first() -> None:
    """Cheapest first; a very common word is likelier, an abbreviation less likely, and a
    word of the typed number likelier than of the other; then the typed length."""
    assert readings("thee", ["three", "the", "these"])[0][0] == "the"
    assert readings("rde", ["rds", "red"])[0][0] == "red"
    assert readings("tres", ["tree", "trees"])[0][0] == "trees"
    assert readings("sied", ["sized", "side"])[0][0] == "side"
    assert len(readings("a", ["an", "at", "as", "am"])) <= MAX_READINGS


@pytest.mark.parametrize("typed,meant", [
    ("cars neer the house", "cars near the house"),     # not "never"
    ("buildngs near teh road", "buildings near the road"),
    ("thee largest building", "the largest building"),  # not "three"
    ("vehicles slong the road", "vehicles along the road"),   # not "long"
    ("whte cars", "white cars"),
    ("rde roofs", "red roofs"),                         # not "rds"
    ("busy rodas", "busy roads"),                       # "busy" is read once "roads" is
    ("roads with heavy traffci", "roads with heavy traffic"),   # a word of a rewrite
    ("parking ltos without cars", "parking lots without cars"),   # a plural in a name
    ("cars in teh parking lot", "cars in the parking lot"),
    ("the 3 largst biuldings wihtin 20 m fo teh rivr",
     "the 3 largest buildings within 20 m of the river")])
def test_an_expression_is_mended_as_a_whole(typed: str, meant: str) -> None:
    plan = parse(typed)
    assert plan.corrected == meant
    assert parse(meant).unknown_words == () and parse(meant).mode == "grounded"


@pytest.mark.parametrize("expression", [
    "the boats", "cars and ships", "pine trees", "the dock", "the tents next to the road",
    "VEHICLES ALONG THE ROAD! I'd like to see all buildings"])   # words of the rewrites
def test_an_object_the_model_was_not_taught_is_meant_as_typed(expression: str) -> None:
    assert parse(expression).corrected == ""


def test_the_untaught_objects_are_unknown_words() -> None:
    assert not [w for w in UNTAUGHT_OBJECTS if BASE_VOCABULARY.known_word(w)]


def test_the_rewrites_words_are_read_without_their_endings() -> None:
    words = rewritten_words()
    assert {"traffic", "busy", "together"} <= words
    assert not words & {"ern", "ernmost", "erly", "ing", "ies"}
    assert not [w for w in words if BASE_VOCABULARY.known_word(w)]


def test_the_search_is_bounded_whatever_is_typed() -> None:
    """However many unknown words, the search reads at most 2 x MAX_WORDS x (MAX_READINGS + 1)
    expressions; the words after the first MAX_WORDS take their likeliest reading."""
    typed = " ".join(["raod"] * 3 + ["cras", "biuldings", "tres", "watr", "hte", "rde", "vna"])
    reads: List[str] = []

    def read(text: str) -> Reading:
        reads.append(text)
        return Reading(tuple(w for w in text.split() if not BASE_VOCABULARY.known_word(w)),
                       "end_to_end", "")

    slips = mend(typed, typed.split(), BASE_VOCABULARY.readings, read, mended)
    assert 0 < len(reads) <= 2 * MAX_WORDS * (MAX_READINGS + 1)
    assert slips["raod"] == "road" and slips["vna"] == "van" and len(slips) == 8


def test_a_very_long_text_is_mended_without_parsing_it_again() -> None:
    plan = parse("buildings raod " * 100)
    assert plan.mode == "end_to_end" and plan.suggestions == ("road",)


def test_two_slips_are_read_in_a_long_word_where_one_finds_nothing() -> None:
    assert parse("biuldngs next to the raod").corrected == "buildings next to the road"
    assert parse("the vegetaiton").corrected == "the vegetation"
    assert readings("biuldngs", ["buildings", "building"])[0] == ("buildings", 2.0)
    assert readings("buidlings", ["buildings", "builds"]) == (("buildings", 1.0),)   # one
    assert readings("boatss", ["roads"]) == ()        # a short word: two slips is another word


def test_hostile_text_is_looked_at_for_slips_in_its_first_words_only() -> None:
    words = " ".join(f"zq{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}xwvutsr" for i in range(500))
    assert parse(words).suggestions == ()
    assert parse("buidlings " * 500).suggestions == ("buildings",)


@pytest.mark.parametrize("typed", ["regularly spaced trees", "regular buildings"])
def test_a_word_is_never_mended_into_its_opposite(typed: str) -> None:
    """"regularly" is "irregularly" with two letters left out, and was offered so: a mend
    that reverses what was typed is no slip."""
    assert not any("irregular" in m for m in parse(typed).messages())
    assert parse("irregulr buildings").corrected == "irregular buildings"   # a real slip


def test_a_word_only_the_tokenizer_writes_is_no_slip_target() -> None:
    """"times" is read in "larger than 2 times" ("twice as large as"); "time" typed is no
    slip for it."""
    assert parse("buildings twice as big as the school").mode == "grounded"
    assert parse("cars parked at night time").suggestions == ()
    # a colour named by an everyday word: "good" is no slip for "gold"
    assert parse("gold cars").summary() == "grounded: yellow car"
    assert parse("good cars").suggestions == ()
    assert parse("rooftops suitable for solar panels").suggestions == ()
