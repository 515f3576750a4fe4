"""The parser against a reviewed table of expressions, plus invariants and fuzzing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rrsis.grounding import parse
from rrsis.grounding.parser import mended
from rrsis.grounding.engine import GroundedRun
from rrsis.grounding.lexicon import (BY_NAME, TRAINING_WORDS, known_word, singular,
                                     vocabulary_of)
from rrsis.errors import InputError

TABLE = Path(__file__).with_name("expressions.tsv")


def table() -> List[Tuple[str, str]]:
    rows = []
    for line in TABLE.read_text().splitlines():
        if line and not line.startswith("#"):
            expr, plan = line.split("\t")
            rows.append((expr, plan))
    return rows


def test_table_is_large_and_has_no_duplicates() -> None:
    rows = table()
    assert len(rows) >= 150
    assert len({e for e, _ in rows}) == len(rows)
    modes = {p.split(":")[0] for _, p in rows}
    assert modes == {"grounded", "end to end", "nothing"}


@pytest.mark.parametrize("expression,expected", table())
def test_expression_has_its_expected_plan(expression: str, expected: str) -> None:
    assert parse(expression).summary() == expected


@pytest.mark.parametrize("expression,categories", [
    ("vehicles along the road", ("vehicle", "road")),
    ("red cars and white trucks next to buildings", ("car", "truck", "building")),
    ("the largest building", ("building",)),
    ("trees next to the road and the buildings", ("tree", "road", "building")),
])
def test_plan_lists_every_category_to_segment(expression: str, categories: tuple) -> None:
    assert parse(expression).categories() == categories


def test_distance_in_the_expression_overrides_the_default() -> None:
    default = parse("cars next to the road").targets[0].relations[0]
    given_ = parse("cars within 10 m of the road").targets[0].relations[0]
    feet = parse("cars within 30 ft of the road").targets[0].relations[0]
    assert (default.kind, default.distance_m, default.distance_from_expression) == \
        ("next_to", 3.0, False)
    assert (given_.kind, given_.distance_m, given_.distance_from_expression) == \
        ("within_m", 10.0, True)
    assert feet.distance_m == pytest.approx(9.144)
    assert parse("houses within 2 km of the lake").targets[0].relations[0].distance_m == 2000


def test_default_distances_depend_on_the_pair() -> None:
    d = {e: parse(e).targets[0].relations[0].distance_m for e in (
        "cars along the road", "buildings next to the road", "buildings near the river",
        "trees next to the building")}
    assert d == {"cars along the road": 3.0, "buildings next to the road": 10.0,
                 "buildings near the river": 40.0, "trees next to the building": 5.0}


def test_unknown_words_are_reported_and_gibberish_is_nothing() -> None:
    p = parse("xqzv blorf wugga")
    assert p.mode == "nothing" and p.unknown_words == ("xqzv", "blorf", "wugga")
    assert "unknown word 'blorf'" in p.messages() and "no object matches" in p.messages()
    q = parse("cars blorf")
    assert q.mode == "end_to_end" and q.unknown_words == ("blorf",)
    assert parse("bright square").mode == "end_to_end"  # known words, no category: the model
    # an unknown participle after a known name says something of it, it names no object: the
    # model answers whole ("cars parked illegally" are cars, "ships in the harbour" none)
    assert parse("roads patrolled by cars").mode == "end_to_end"   # not "nothing"
    assert parse("roads hidden behind trees").mode == "end_to_end"   # read as an object
    assert parse("ships in the harbour").mode == "nothing"


@pytest.mark.parametrize("typed,meant", [
    ("biuldings", "buildings"), ("raod", "road"), ("vehicels", "vehicles"), ("tres", "trees"),
    ("cras", "cars"), ("buikdings", "buildings"), ("watr", "water"), ("housse", "house")])
def test_a_slip_of_the_keyboard_gets_a_suggestion(typed: str, meant: str) -> None:
    plan = parse(f"{typed} next to the river")
    assert plan.suggestions == (meant,) and plan.corrected == f"{meant} next to the river"
    assert plan.messages().index(f"unknown word {typed!r}") < plan.messages().index(
        f"did you mean '{meant} next to the river'?")
    assert parse(plan.corrected).unknown_words == ()


@pytest.mark.parametrize("typed,meant", [
    ("cars alogn the road", "cars along the road"),
    ("the largets building", "the largest building"),
    ("trees besdie the road", "trees beside the road"),
    ("buildings nxet to the road", "buildings next to the road"),
    ("cars whithin 20 m of the river", "cars within 20 m of the river"),
    ("cars withn 20 m of the river", "cars within 20 m of the river"),   # not "with"
    ("buildings souht of the river", "buildings south of the river")])
def test_a_slip_in_a_relation_or_attribute_is_mended_too(typed: str, meant: str) -> None:
    """After the object names, the grounding's own words of 4 letters or more (of two, the
    longer: a letter left out): the plan of the mended expression has no unknown word left."""
    plan = parse(typed)
    assert plan.corrected == meant and parse(meant).unknown_words == ()


def test_the_mended_expression_keeps_what_was_typed_around_the_slips() -> None:
    """Each slip is mended where it stands as a word, in the typed case; other unknown
    words stay; a slip not standing as typed (rewritten by the tokenizer) is left alone."""
    plan = parse("Biuldings  next to the RAOD, not the blorf")
    assert plan.corrected == "Buildings next to the ROAD, not the blorf"
    assert plan.to_dict()["corrected"] == plan.corrected
    assert parse("buildings next to the road").corrected == ""
    assert parse("the tallest building").corrected == ""          # a height, not a slip
    assert mended("raods and roadside raod's", {"raod": "road"}) == ""   # not as a word
    assert mended("raod", {}) == ""


@pytest.mark.parametrize("word", ["ships", "boat", "shadow", "tallest", "blorf", "xqzv",
                                  "storey"])   # "storey" is a height, not a slip for "store"
def test_other_unknown_words_get_no_suggestion(word: str) -> None:
    assert not any(m.startswith("did you mean") for m in parse(f"the {word}").messages())


@pytest.mark.parametrize("expression,word,asks", [
    ("the tallest building", "tallest", "a height"), ("high buildings", "high", "a height"),
    ("houses with tin roofs", "tin", "a material"),
    ("moving vehicles", "moving", "motion"), ("wooden houses next to the road", "wooden",
                                               "a material"),
    ("buildings with flat roofs", "flat", "a roof's form"),
    ("damaged buildings", "damaged", "a condition"), ("dead trees", "dead", "a condition"),
    ("new buildings near the road", "new", "an age"),
    ("buildings under construction", "construction", "a condition"),
    ("cars in the shade", "shade", "light and shade"), ("sunlit roofs", "sunlit", "light and "
                                                        "shade")])
def test_what_an_image_cannot_tell_is_said_not_guessed(expression: str, word: str,
                                                      asks: str) -> None:
    plan = parse(expression)
    assert plan.mode == "end_to_end"      # the model may still have learnt the word
    assert any(m.startswith(f"{word!r} asks for {asks}") for m in plan.messages())
    assert not any("names no object" in m for m in plan.messages())   # not an object either


@pytest.mark.parametrize("expression,word,reading", [
    ("cars driving on the road", "driving", "grounded: car on road"),
    ("trucks moving along the highway", "moving", "grounded: truck along road (<= 3 m)"),
    ("vehicles travelling on the main road", "travelling", "grounded: vehicle on road")])
def test_motion_before_a_place_is_read_where_they_are(expression: str, word: str,
                                                     reading: str) -> None:
    """"cars driving on the road" went to the model whole for its motion: where the cars are
    is what one image shows, and the plan says the motion was not."""
    plan = parse(expression)
    assert plan.summary() == reading
    assert any(m.startswith(f"{word!r} read as where they are") for m in plan.messages())


@pytest.mark.parametrize("expression,word,reading", [
    ("cars facing north", "facing", "grounded: car oriented north-south"),
    ("trucks parked facing east", "facing", "grounded: truck oriented east-west"),
    ("buses that are heading south", "heading", "grounded: bus oriented north-south"),
    ("cars driving west on the highway", "driving", "grounded: car oriented east-west on road"),
    ("the car pointing north-east", "pointing", "grounded: car oriented northeast-southwest"),
    ("cars not facing north", "facing", "grounded: car not oriented north-south")])
def test_a_vehicle_facing_a_way_lies_along_its_axis(expression: str, word: str,
                                                   reading: str) -> None:
    """Which end of a car is its front, or which way it moves, one image does not tell; the
    axis it lies along it does, and the plan says which was read."""
    plan = parse(expression)
    assert plan.summary() == reading
    assert any(m.startswith(f"{word!r} read as the axis the vehicle lies along")
               for m in plan.messages())
    assert not any("read as where they are" in m for m in plan.messages())


def test_facing_is_no_axis_where_it_is_a_place_or_not_a_vehicle() -> None:
    assert parse("cars facing the road").summary() == "grounded: car next to road (<= 3 m)"
    assert parse("cars driving north of the river").summary() == "grounded: car north of water"
    assert parse("buildings facing east").mode == "end_to_end"   # a facade, not an axis
    # which way a roof or a front faces is said not to be measured (nothing was said)
    assert parse("fallen trees on the road").messages()[-1] == (
        "'fallen' asks for a condition, which the grounding does not tell apart")
    for text, said in [("buildings facing east", "facing east"),
                       ("south-facing roofs", "south-facing"),
                       ("houses that face west", "face west")]:
        assert parse(text).messages()[-1] == (
            f"'{said}' asks for the way a roof's slope or a building's front faces, which an "
            "image from above does not measure")


@pytest.mark.parametrize("expression", ["a car alone in the parking lot", "cars parked alone",
                                        "the tree on its own", "cars by themselves"])
def test_alone_is_far_from_the_others(expression: str) -> None:
    plan = parse(expression)
    assert plan.mode == "grounded"
    assert " far from " in plan.summary() and "(> 20 m)" in plan.summary()


def test_empty_is_without_vehicles_where_vehicles_stand() -> None:
    q = parse("empty parking lots next to the road")
    assert q.summary() == ("grounded: parking lot without vehicle (<= 3 m) next to road "
                           "(<= 5 m)")
    assert q.notes == ("'empty' read as without vehicles",)
    assert parse("empty buildings").mode == "end_to_end"   # what is inside is not seen
    # an anchor takes no relation of its own: read whole, not as cars without vehicles
    assert parse("cars next to empty parking lots").mode == "end_to_end"


#: what a plan of no object says may be asked instead
KNOWN = "the objects the model knows: vehicle, building, road, vegetation, water, bare land"


def test_an_object_named_only_in_unknown_words_is_not_asked_of_the_model() -> None:
    # asked whole, "the boat near the building" returns the buildings the model knows
    p = parse("the boat near the building")
    assert p.mode == "nothing" and p.categories() == ()
    assert p.reason == "'boat' names no object the model knows"
    assert p.messages() == ["unknown word 'boat'", "no object matches", KNOWN]
    # the known targets of a list are grounded; the unknown one is said to be left out
    q = parse("trucks and wind turbines near the road")
    assert q.mode == "grounded" and q.categories() == ("truck", "road")
    assert q.targets[0].relations[0].distance_m == 6.0   # as for trucks alone
    assert q.messages() == ["unknown word 'wind'", "unknown word 'turbines'",
                            "'wind turbines' names no object the model knows: left out"]
    # an unknown word that describes may be a kind of the name after it; an unknown anchor
    # may be something the model finds: both go to the model whole, as before
    for text in ("mossy roofs", "buildings next to the ships",
                 "cars and ships next to the blorf", "a fleet of cars"):
        assert parse(text).mode == "end_to_end", text
    # before the word of a road's kind, an unknown word is taken for its name, and said
    assert parse("blorf road").notes == ("'blorf road' read as any road ('blorf' taken for its "
                                         "name): a road's name is not seen from above",)
    assert parse("buildings near ships and boats").notes == (
        "'ships', 'boats' name no object the model knows: the relation to it is the model's "
        "guess",)


def test_an_untaught_object_named_in_known_words_is_unknown_too() -> None:
    """"power" (of "power station") and "line" (of "tree line") are known alone; asked
    whole, "power lines along the road" answers with the road."""
    p = parse("power lines along the road")
    assert p.mode == "nothing" and p.unknown_words == ("power lines",)
    assert p.messages() == ["unknown word 'power lines'", "no object matches", KNOWN]
    for text in ("the railway", "trains", "railway tracks", "bus stops", "the solar farm"):
        q = parse(text)
        assert q.mode == "nothing" and q.suggestions == (), text   # no "did you mean 'trails'"
    r = parse("buildings within 50 m of the railway line")
    assert r.mode == "end_to_end" and r.notes == (
        "'railway line' names no object the model knows: the relation to it is the model's "
        "guess",)
    assert parse("cars and trains").categories() == ("car",)
    # the words begin a name the vocabulary has: a building, a group of trees
    assert parse("the railway station").summary() == "grounded: building"
    assert parse("the tree line").targets[0].categories == ("tree",)
    # a model whose card names the class asks for it
    vocab = vocabulary_of({"categories": {"power line": ["power line"]}})
    assert parse("power lines along the road", vocab).targets[0].categories == ("power line",)


def test_a_group_of_objects_is_a_group_and_a_patch_the_objects_themselves() -> None:
    """"clusters of buildings", "cars in a row": each object in a group (a row: in a line) of
    at least 3 of its kind (linked at the pair's "near" distance); "patches of grass": the
    objects themselves, which is what a segmentation can give; an anchor's "a row of trees" is
    the trees; a rank or count of groups is neither, and goes to the model."""
    q = parse("a group of cars")
    assert q.summary() == "grounded: car in a group of at least 3 car (<= 6 m apart)"
    for text in ("groups of cars", "clustered cars"):
        assert parse(text).summary() == q.summary(), text
    for text in ("cars in a row", "cars parked in rows"):   # a group in a line
        assert parse(text).summary() == q.summary().replace("a group", "a row"), text
    assert parse("clusters of 5 or more houses").summary() == parse(
        "buildings in clusters of at least 5").summary() == \
        "grounded: building in a group of at least 5 building (<= 10 m apart)"
    assert parse("a cluster of 4 buildings").notes == ("'a group of 4' read as at least 4",)
    assert parse("houses not in clusters").targets[0].relations[0].negated
    assert parse("buildings in groups of fewer than 3").mode == "end_to_end"
    assert parse("patches of grass").notes == ("'patches of' read as the objects themselves",)
    assert parse("cars next to a row of trees").notes == (
        "'row of' read as the objects themselves",)
    for text in ("two rows of houses", "the smallest group of buildings"):
        assert parse(text).mode == "end_to_end", text
    # a patch is one object, as segmented: its rank is the objects' own
    assert parse("the largest patch of grass").summary() == "grounded: the largest low vegetation"
    assert parse("the 2 largest groups of buildings").summary() == \
        "grounded: building in the 2 largest groups of building (<= 10 m apart)"
    assert parse("the largest group of buildings").summary() == \
        "grounded: building in the largest group of building (<= 10 m apart)"
    q = parse("the roof of the largest building")   # from above, a roof is the building
    assert q.summary() == "grounded: the largest building"
    assert q.notes == ("'roof of' read as the objects themselves: seen from above, that is "
                       "their outline",)
    assert parse("the top of the image").mode == "end_to_end"   # a part of the image


def test_anything_is_every_object_the_model_knows_each_with_its_own_distances() -> None:
    """"anything near the road": one target per category (a car near the road within 6 m,
    a building within 20 m), none of the anchor's (a road is not near itself); a rank
    compares them all; a model's own class is among them."""
    q = parse("anything near the road")
    assert [t.categories for t in q.targets] == [("vehicle",), ("building",), ("vegetation",),
                                                 ("water",), ("bare land",)]
    assert [t.relations[0].distance_m for t in q.targets] == [6.0, 20.0, 10.0, 40.0, 10.0]
    assert q.notes == ("'anything' read as every object the model knows: vehicle, building, "
                       "road, vegetation, water, bare land",)
    assert [t.relations[0].distance_m for t in parse("objects within 15 m of water").targets
            ] == [15.0] * 5
    # a fixed distance stays fixed, per category and per anchor alike
    assert {r.distance_m for t in parse("anything touching the road").targets
            for r in t.relations} == {1.0}
    assert [r.distance_m for r in parse("buildings touching both the road and the river"
                                        ).targets[0].relations] == [1.0, 1.0]
    largest = parse("the largest thing").targets
    assert len(largest) == 1 and len(largest[0].categories) == 6
    # a qualified anchor keeps its category among the targets; a plain exception drops it
    assert "building" in parse("anything next to the largest building").categories()
    assert parse("everything except buildings").categories() == (
        "vehicle", "road", "vegetation", "water", "bare land")
    assert parse("building objects").summary() == "grounded: building"
    near = parse("trees near anything red").targets[0].relations[0].anchor   # its adjective
    assert [a.value for a in near.attributes] == ["red"] and len(near.categories) == 6
    q = parse("mossy things near the road")   # an unknown kind of thing: not everything
    assert q.mode == "nothing" and q.unknown_words == ("mossy",)
    own = vocabulary_of({"categories": {"solar panel": ["solar panels"]}})
    assert "solar panel" in parse("anything red", own).categories()



@pytest.mark.parametrize("text", [
    "not trees", "areas without trees", "land with no trees", "the areas free of trees",
    "treeless areas", "all areas not covered by trees"])
def test_what_is_left_out_is_everything_else(text: str) -> None:
    """"not trees", "areas without trees": every other object the model knows, as
    "everything except trees"; "not near the road" negates the relation instead."""
    assert parse(text).summary() == parse("everything except trees").summary()


def test_ground_without_a_cover_is_everything_else() -> None:
    assert parse("non-vegetated areas").summary() == \
        parse("everything except vegetation").summary()
    assert parse("non-built-up land").categories() == parse("everything except buildings"
                                                            ).categories()
    assert parse("unforested areas").summary() == parse("everything except trees").summary()
    # the lexicon's names stay theirs: unbuilt and undeveloped land are bare land
    assert parse("undeveloped land").summary() == parse("unbuilt land").summary() == \
        "grounded: bare land"
    assert parse("not near the road").summary() == \
        parse("everything not near the road").summary()
    # ground in general near something is everything there; "land" stays bare land
    assert parse("the area around the lake").summary() == \
        parse("everything near the lake").summary()
    assert parse("the surroundings of the lake").summary() == \
        parse("everything near the lake").summary()
    assert parse("land along the river").summary() == "grounded: bare land along water (<= 5 m)"
    # only the start of an expression: a relation's anchor keeps its words
    assert parse("buildings not near the road").summary() == \
        "grounded: building not near road (<= 20 m)"

def test_a_plural_superlative_without_count_says_it_keeps_one() -> None:
    assert parse("cars closest to the road").notes == (
        "one object is kept: a count keeps more ('the 3 cars closest ...')",)
    assert parse("the biggest trees").notes == (
        "one object is kept: a count keeps more ('the 3 biggest trees')",)
    # the rank's own words: "at least" is no "with the least", "the most isolated" no count
    assert parse("buildings with at least 2 trees nearby that are the darkest").notes == (
        "one object is kept: a count keeps more ('the 3 darkest buildings')",)
    assert parse("the most isolated houses").notes == (
        "one object is kept: a count keeps more ('the 3 most isolated houses')",)
    for text in ("the car closest to the road", "the 3 cars closest to the road",
                 "the second largest buildings"):
        assert parse(text).notes == (), text


def test_an_approximate_measure_is_a_range_the_plan_states() -> None:
    """"of about 500 m2" has no comparative: within 20 % either way, and a note says so;
    after a comparative "about" changes nothing; a negated one is not guessed."""
    plan = parse("a building of about 500 m2")
    assert [(a.kind, a.value, a.amount) for a in plan.targets[0].attributes] == [
        ("area", "above", 400.0), ("area", "below", 600.0)]
    assert plan.notes == ("about 500 m2 read as 400 to 600 m2 (within 20%); 'between' sets "
                          "another range",)
    assert parse("houses larger than about 100 m2").summary() == \
        parse("houses larger than 100 m2").summary()
    assert parse("buildings not about 500 m2").mode == "end_to_end"


@pytest.mark.parametrize("typed,meant,note", [
    ("buildings with area > 100", "buildings larger than 100 m2", "100 read in m2"),
    ("buildings whose area is above 250", "buildings larger than 250 m2", "250 read in m2"),
    ("buildings with an area between 50 and 100", "buildings between 50 and 100 m2",
     "50 and 100 read in m2"),
    ("roads with a width of more than 8", "roads wider than 8 m", "8 read in m"),
    ("cars whose length is over 5", "cars longer than 5 m", "5 read in m")])
def test_a_measure_without_a_unit_is_read_in_the_unit_its_noun_measures(
        typed: str, meant: str, note: str) -> None:
    """After "area" (size, footprint) a bare number is m2, after "length" or "width" m, as a
    GIS attribute query reads; the plan says so."""
    plan = parse(typed)
    assert plan.summary() == parse(meant).summary()
    assert plan.notes == (f"{note} (no unit given)",)
    assert parse("buildings with more than 3 cars").notes == ()     # a count, not a measure
    assert parse("buildings over 100").mode == "end_to_end"         # no noun: no unit


@pytest.mark.parametrize("typed,meant", [
    ("buildings bigger than 15x15 m", "buildings larger than 225 m2"),
    ("buildings larger than 15 m x 20 m", "buildings larger than 300 m2"),
    ("buildings smaller than 10 by 10 m", "buildings smaller than 100 m2"),
    ("buildings bigger than 30 x 30 ft", "buildings larger than 900 sq ft")])
def test_the_sides_of_a_rectangle_are_its_area(typed: str, meant: str) -> None:
    assert parse(typed).summary() == parse(meant).summary()
    assert parse("buildings bigger than 10 m x 20 ft").mode == "end_to_end"   # two units


@pytest.mark.parametrize("typed,meant", [
    ("darker than average buildings", "buildings darker than average"),
    ("the bigger-than-average houses", "houses larger than average"),
    ("above-average size buildings near the road", "buildings larger than average near the road"),
    ("smaller than usual cars", "cars smaller than average")])
def test_a_comparison_with_the_average_before_the_name_is_read(typed: str, meant: str) -> None:
    """Before the name it is the name's; after another name it compares with the average of
    what follows it ("buildings bigger than the average house"), as before."""
    assert parse(typed).summary() == parse(meant).summary() and parse(typed).mode == "grounded"
    assert parse("buildings bigger than the average house").summary() == \
        "grounded: building larger than average"


@pytest.mark.parametrize("typed,meant", [
    ("the 2 red cars nearest the building", "the 2 cars nearest the building"),
    ("the 3 large white buildings", "the large white buildings"),
    ("the 10 white cars next to the road", "white cars next to the road")])
def test_a_count_before_colours_and_sizes_counts_what_they_describe(typed: str,
                                                                     meant: str) -> None:
    """"the 2 red cars" went whole ("no object named at '2'"): the count is the name's, with
    a superlative after it its rank's size, else every match (and a note says so)."""
    plan = parse(typed)
    assert plan.mode == "grounded"
    assert plan.targets[0].rank == parse(meant).targets[0].rank
    assert {a.kind for a in plan.targets[0].attributes} >= {"colour"}
    assert parse("the 2 red cars").notes == (
        "'2' read as every one that matches: a count chooses with a superlative "
        "('the 2 largest')",)


@pytest.mark.parametrize("expression", ["the smallest of the 3 largest buildings",
                                        "the largest of the darkest buildings"])
def test_a_rank_among_ranked_objects_goes_whole_rather_than_lose_one(expression: str) -> None:
    """Two ranks ("the smallest of the 3 largest") are not one plan's: the second replaced
    the first ("the 3 largest buildings"); now the model has the whole, and says why."""
    plan = parse(expression)
    assert plan.mode == "end_to_end" and "one rank at a time" in plan.reason


def test_between_the_two_largest_is_between_those_two() -> None:
    """"between (the) two buildings" is between any two; before a rank the count is the
    rank's ("the two largest buildings": those two; the two was dropped, leaving the largest
    one, which nothing lies between)."""
    anchor = parse("the road between the two largest buildings").targets[0].relations[0].anchor
    assert anchor.rank == ("largest", 2)
    assert parse("cars between the 2 darkest buildings").targets[0].relations[0].anchor.rank \
        == ("darkest", 2)
    assert parse("the road between the two buildings").targets[0].relations[0].anchor.rank \
        is None


@pytest.mark.parametrize("typed,meant", [
    ("red cars and white ones", "red cars and white cars"),
    ("large buildings and small ones near the road",
     "large buildings and small buildings near the road"),
    ("the largest building and the 2 smallest ones",
     "the largest building and the 2 smallest buildings"),
    ("car parks and white ones", "car parks and white car parks")])
def test_ones_after_and_is_the_name_again(typed: str, meant: str) -> None:
    """"ones" (a filler elsewhere) made "white" a second colour of the same cars ("red white
    car": none); after "and" or "or" it names the objects again. "with only one car" and
    "one truck" are counts, as before."""
    assert parse(typed).summary() == parse(meant).summary()
    assert parse("buildings with only one car nearby").summary() == \
        "grounded: building near exactly 1 car (<= 10 m)"


def test_the_image_centre_is_the_centre_of_the_image() -> None:
    assert parse("the tree closest to the image centre").summary() == \
        parse("the tree closest to the centre of the image").summary() == \
        "grounded: the most central tree"


def test_footprints_of_objects_are_the_objects() -> None:
    plan = parse("the footprints of the buildings next to the road")
    assert plan.summary() == parse("buildings next to the road").summary()
    assert plan.notes == ("'footprints of' read as the objects themselves",)
    assert parse("give me polygons of all houses").summary() == "grounded: building"
    assert parse("polygons for trees along roads").summary() == parse(
        "trees along roads").summary()   # it went whole
    # "@" is "at" before the rewrites read it: at the roadside is along the road, not on it
    assert parse("trees @ the roadside").summary() == parse("trees at the roadside").summary()
    for text in ("red cars & white ones", "vehicles (cars & trucks) near the road",
                 "large buildings & small ones near the road"):   # "&" too: and
        assert parse(text).summary() == parse(text.replace("&", "and")).summary()


@pytest.mark.parametrize("expression,same_as", [
    ("buildings with large roofs", "large buildings"),   # it was "with large buildings"
    ("trees with small crowns", "small trees"),
    ("the tree with the largest crown", "the largest tree"),
    ("the 2 trees whose crowns are the smallest", "the 2 smallest trees"),
    ("houses with a large roof next to the road", "large houses next to the road")])
def test_a_roof_or_a_crown_measured_is_the_object(expression: str, same_as: str) -> None:
    """Seen from above the roof and the crown are the object: their size is its own."""
    assert parse(expression).summary() == parse(same_as).summary()


@pytest.mark.parametrize("expression,same_as", [
    ("houses whose nearest road is more than 50 m away", "houses more than 50 m from the road"),
    ("houses whose closest tree is less than 5 m away", "houses within 5 m of a tree"),
    ("buildings with a distance to the road of less than 20 m",
     "buildings within 20 m of the road"),
    ("houses whose distance to the road is under 30 m", "houses within 30 m of the road"),
    ("buildings at a distance greater than 50 m from the river",
     "buildings more than 50 m from the river"),
    ("buildings partially inside the forest", "buildings overlapping the forest"),
    ("buildings within the river buffer", "buildings near the river"),   # no width said
    ("buildings outside the road buffer zone", "buildings not near the road"),
    ("buildings contained in the parking lot", "buildings inside the parking lot"),
    ("buildings that are disjoint from the road", "buildings not touching the road"),
    ("buildings whose nearest road is within 20 m", "buildings within 20 m of the road"),
    ("buildings with access to the road", "buildings with road access"),
    ("buildings accessible from the street", "buildings with road access"),
    ("buildings not reachable by road", "buildings without road access"),
    ("buildings with no access to a road", "buildings without road access"),
    ("buildings facing each other across the road",
     "buildings across the road from each other"),
    ("trees within 3 metres either side of the road", "trees within 3 m of the road"),
    ("buildings 50 m on both sides of the road", "buildings within 50 m of the road"),
    ("flooded buildings", "buildings touching the water"),
    ("roads that are flooded", "roads touching the water"),
    ("submerged cars", "cars touching the water"), ("flooded fields", "flood water"),
    ("buildings that are not flooded", "buildings not touching the water"),
    ("non-flooded buildings", "buildings not touching the water"),
    # in the flood's water, under it, affected by it: flooded (they were on the water, which
    # the water found never is, or went whole)
    ("buildings in flooded areas", "buildings touching the water"),
    ("buildings within the flood extent", "buildings touching the water"),
    ("roads under water", "roads touching the water"),
    ("buildings affected by the flood", "buildings touching the water"),
    ("flood-affected buildings", "buildings touching the water"),
    ("buildings not in flooded areas", "buildings not touching the water"),
    ("inundated areas", "water"), ("the flood extent", "water"),
    ("buildings too close to the river", "buildings near the river"),
    ("areas that are not buildings", "everything except buildings"),   # they went whole
    ("buildings far removed from the road", "buildings far from the road"),
    ("buildings with no trees whatsoever", "buildings without trees"),
    # how objects of a kind lie together (they went whole)
    ("cars parked nose to tail", "cars parked bumper to bumper"),
    ("buildings back to back", "buildings touching each other"),
    ("back-to-back houses", "houses touching each other"),
    ("houses spread out", "houses far from each other"),
    ("buildings densely packed together", "buildings close together"),
    # a full stop between sentences is a comma ("trucks too" was an anchor of the cars);
    # "i.e." introduces what the name is, as "e.g." does
    ("cars on the road. Trucks on the bridge.", "cars on the road, trucks on the bridge"),
    ("buildings i.e. houses near the river", "buildings near the river"),
    # entering, exiting, approaching: near it, the motion said (they went whole)
    ("cars entering the highway", "cars moving near the highway"),
    ("trucks exiting the parking lot", "trucks moving near the parking lot"),
    # outside a building is beside it for what no building holds (it was every car but
    # those on the roof); a building outside another stays not on it
    ("cars parked outside the building", "cars next to the building"),
    ("trees outside of the hospital", "trees next to the hospital"),
    ("sheds outside the largest building", "sheds not on the largest building"),
    ("cars outside the parking lot", "cars not in the parking lot"),
    # "in" a street is an address, as "on" it is (it was on the road's mask)
    ("the houses in Elm Street", "houses on the street"),
    # "of" an area is in it (they went whole)
    ("the trees of the park", "the trees in the park"),
    ("cars of the parking lot", "cars in the parking lot"),
    ("the roads of the town", "the roads in the town"),
    ("buildings that are located next to the largest one",
     "buildings next to the largest one"),
    ("islands that are in the river", "islands in the river"),   # it was also on the water
    ("areas that are within 20 m of the road", "areas within 20 m of the road"),
    ("areas not within 20 m of the road", "everything not within 20 m of the road"),
    ("cars on the nearest road", "cars on the road"),
    ("buildings within 20 m of the nearest road", "buildings within 20 m of the road"),
    ("buildings that are not next to the largest one",
     "buildings not next to the largest building"),
    ("buildings slightly larger than average", "buildings larger than average"),
    ("buildings somewhat near the road", "buildings near the road"),
    ("fairly small houses", "small houses"),
    ("houses well away from the road", "houses far from the road"),
    ("areas covered by trees", "trees"), ("tree-covered areas", "trees"),
    ("land overgrown with grass", "grass"),
    ("buildings next to areas covered by trees", "buildings next to trees")])
def test_other_words_for_a_relation_read_the_same(expression: str, same_as: str) -> None:
    assert parse(expression).mode == "grounded"   # they went whole
    assert parse(expression).summary() == parse(same_as).summary()


@pytest.mark.parametrize("expression,count", [
    ("5 or more cars close to each other", 5), ("3 or more cars parked together", 3),
    ("at least three houses close to each other", 3), ("three houses close together", 3)])
def test_a_count_of_objects_together_is_a_group_of_that_many(expression: str,
                                                             count: int) -> None:
    plan = parse(expression)
    assert plan.mode == "grounded"
    assert f"in a group of at least {count} " in plan.summary()


def test_parked_together_is_near_each_other() -> None:
    assert parse("cars parked together").summary() == "grounded: car near car (<= 6 m)"


@pytest.mark.parametrize("template", [
    "{} cars", "the {} largest buildings", "buildings within {} or 3 km of the river",
    "buildings near {} cars", "buildings larger than {} m2", "buildings with area > {}",
    "buildings bigger than {}x{} m", "the {}th largest building"])
def test_a_number_too_large_for_a_float_is_no_number(template: str) -> None:
    """400 digits made float('inf'), and int(inf) raised OverflowError out of parse; a count
    as large as ALL_BUT read "the 10^300 largest" as "all but the largest"."""
    for digits in ("9" * 400, "1" + "0" * 300):
        plan = parse(template.replace("{}", digits))
        assert plan.mode == "end_to_end" or "largest" not in plan.summary() or \
            "all but" not in plan.summary()


def test_a_fraction_is_a_number() -> None:
    assert parse("buildings within 1/2 km of the river").summary() == \
        "grounded: building within 500 m of water"
    assert parse("cars/trucks near buildings").summary() == \
        "grounded: car + truck near building (<= 10 m)"


def test_with_something_on_all_sides_is_surrounded_by_it() -> None:
    for typed in ("buildings with trees on all sides", "houses with trees around all four sides"):
        assert parse(typed).summary() == "grounded: building surrounded by tree", typed
    assert "both sides" in parse("buildings with trees on both sides").summary()


@pytest.mark.parametrize("expression,summary", [
    ("buildings between the road and the largest tree",
     "grounded: building between road + the largest tree (<= 20 m)"),
    ("cars between the red car and the white car",
     "grounded: car between red car + white car (<= 6 m)")])
def test_between_objects_described_differently_is_one_of_each(expression: str,
                                                              summary: str) -> None:
    """Two objects "between" names, described differently: the second is the relation's
    other side (``via``; they went whole, and before that as "between the road" plus a second
    target, "the largest tree")."""
    plan = parse(expression)
    assert plan.summary() == summary and plan.targets[0].relations[0].via is not None
    assert parse("trees between the road and the river").summary() == \
        "grounded: tree between road + water (<= 20 m)"


def test_a_count_without_a_superlative_keeps_every_match_and_says_so() -> None:
    """"the 2 buildings next to the road": which two is not said, so all of them, with the
    relation applied (the model whole would apply none)."""
    plan = parse("the 2 buildings next to the road")
    assert plan.mode == "grounded" and plan.summary() == parse(
        "buildings next to the road").summary()
    assert plan.notes == ("'2' read as every one that matches: a count chooses with a "
                          "superlative ('the 2 largest')",)


def test_negation_and_rank() -> None:
    t = parse("the 3 largest buildings not next to the road").targets[0]
    assert t.rank == ("largest", 3) and t.relations[0].negated
    assert parse("cars that are not red").targets[0].attributes[0].negated
    second = parse("the 2nd largest building").targets[0]
    assert second.rank == ("largest", 1) and second.rank_skip == 1
    assert second.text() == "the 2nd largest building"
    third = parse("the car third closest to the road").targets[0]
    assert third.rank == ("nearest", 1) and third.rank_skip == 2


def test_plan_json_round_trips() -> None:
    d = parse("white cars within 20 m of the river in the top left of the image").to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["mode"] == "grounded" and d["targets"][0]["region"] == {
        "row": "top", "col": "left", "share": 0.5, "negated": False, "own": False}


def test_phrases_are_shared_across_expressions() -> None:
    run = GroundedRun(["cars along the road", "buildings next to the road", "road",
                       "xqzv", "moving cars"], "on")
    assert run.phrases == ["cars", "road", "buildings", "moving cars"]
    auto = GroundedRun(["cars along the road", "buildings"], "auto")
    assert auto.phrases == ["cars", "road", "cars along the road", "buildings"]
    off = GroundedRun(["cars along the road", "xqzv"], "off")
    assert off.phrases == ["cars along the road", "xqzv"]
    with pytest.raises(InputError):
        GroundedRun(["cars"], "sometimes")


def test_every_category_phrase_is_in_the_training_vocabulary() -> None:
    for cat in BY_NAME.values():
        assert all(w in TRAINING_WORDS for w in cat.model_phrase.split()), cat


def test_training_vocabulary_covers_the_adapters_words() -> None:
    from rrsis.training.expressions import DEFAULT_SYNONYMS
    from rrsis.training.sources import cars, dubai, kampala

    words = set()
    for phrases in (cars.CAR_WORDS, cars.VEHICLE_WORDS, tuple(cars.OTHER), cars.CATEGORIES,
                    dubai.CATEGORIES, kampala.BUILDING_WORDS, kampala.CATEGORIES,
                    tuple(DEFAULT_SYNONYMS), *dubai.WORDS.values(),
                    *DEFAULT_SYNONYMS.values()):
        for p in phrases:
            words.update(p.split())
    assert words <= TRAINING_WORDS, words - TRAINING_WORDS


def test_singular() -> None:
    assert [singular(w) for w in ("cars", "buses", "bushes", "lorries", "grass", "bus",
                                  "trees", "houses")] == \
        ["car", "bus", "bush", "lorry", "grass", "bus", "tree", "house"]
    assert known_word("1.5") and not known_word("blorf")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_a_plan(text: str) -> None:
    p = parse(text)
    assert p.mode in ("grounded", "end_to_end", "nothing")
    assert isinstance(p.summary(), str) and json.dumps(p.to_dict())
    assert all(c in BY_NAME for c in p.categories())


_WORDS = st.sampled_from("the a cars car road roads buildings red white largest 3 two next to "
                         "along near not within 20 m ft km of from more than and or , in on "
                         "top left image north trees water blorf that are surrounded by "
                         "parking lot low vegetation long small the larger smaller than over "
                         "under between m2 ha sq ft square metres with area roofs > < at least "
                         "long closest nearest farthest to from 3 touching both anything things "
                         "everything except medium empty neither nor roof clusters group "
                         "row isolated terraced detached closer farther second furthest "
                         "most 2nd north 1/2 ones biuldngs teh neer 15x15".split()
                         + ["9" * 400, "1" + "0" * 300])   # numbers beyond a float, a count


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=14))
def test_word_salad_from_the_vocabulary_never_crashes(words: List[str]) -> None:
    p = parse(" ".join(words))
    assert p.mode in ("grounded", "end_to_end", "nothing")
    assert isinstance(p.summary(), str) and json.dumps(p.to_dict())
    run = GroundedRun([" ".join(words) or "x"], "auto")
    assert len(run.phrases) == len(set(run.phrases))


def test_a_buildings_plain_roof_is_the_building() -> None:
    """"houses with roofs" were read as houses with another building within 5 m; a roof said
    with more ("with red roofs", "with roofs larger than 100 m2") keeps its reading."""
    note = "'roofs' read as the buildings themselves: from above, a building is its roof"
    assert parse("houses with roofs").summary() == "grounded: building"
    assert parse("houses with roofs").notes == (note,)
    assert parse("houses with roofs next to the road").summary() == \
        "grounded: building next to road (<= 10 m)"
    assert parse("buildings that have a roof and a pool").summary() == \
        "grounded: building with water (<= 20 m)"
    # bare plurals at the end are all had; before more words they are new objects
    assert parse("houses with gardens and pools").summary() == \
        "grounded: building with vegetation (<= 5 m) with water (<= 20 m)"
    assert parse("houses with gardens or pools").summary() == \
        "grounded: building with vegetation + water (<= 20 m)"
    assert parse("houses with a pool and trucks along the road").summary() == \
        "grounded: building with water (<= 20 m) | truck along road (<= 3 m)"
    assert parse("houses with red roofs").summary() == "grounded: red building"
    assert parse("buildings with roofs larger than 100 m2").summary() == \
        "grounded: building over 100 m2"


def test_kinds_of_building_are_buildings_and_a_use_is_said_to_be_unseen() -> None:
    """"the village", "bungalows", "farmhouses", "carports" are buildings (they were unknown
    words: "no object matches"); a building named by its use ("the hospital", "hotels", "the
    supermarket", "the police station") is any building, and the notes say so, but not the
    "school" of a school bus; what is "at" it is beside it, but the buildings at it are its
    own, and its parking lot is the one next to it."""
    for expression in ("the village", "bungalows near the road", "the farmhouse", "carports",
                       "cottages near the forest", "the stadium"):
        plan = parse(expression)
        assert plan.mode == "grounded" and plan.targets[0].categories == ("building",), expression
    hospital = parse("the hospital next to the road")
    assert hospital.summary() == "grounded: building next to road (<= 10 m)"
    assert hospital.notes == ("'hospital' read as any building: a building's use is not seen "
                              "from above",)
    assert parse("hotels").notes and parse("the school").notes
    assert parse("the school building").notes   # the tokenizer reads "the building"
    assert parse("school buses in the parking lot").notes == ()
    for expression in ("the supermarket", "the police station", "the town hall", "libraries"):
        plan = parse(expression)
        assert plan.summary() == "grounded: building" and "a building's use is not seen" in \
            plan.notes[0], expression
    # at a building is beside it (its roof is not where cars and trees are)
    assert parse("cars at the gas station").summary() == \
        "grounded: car next to building (<= 5 m)"
    assert parse("trees at the school").summary().startswith("grounded: tree next to building")
    assert parse("cars at the parking lot").summary() == "grounded: car on parking lot"
    # the buildings of a place named by its use are its buildings, its parking lot is beside it
    for expression in ("buildings at the school", "the buildings of the hospital",
                       "the school's buildings", "the houses of the gas station"):
        plan = parse(expression)
        assert plan.summary() == "grounded: building" and plan.notes, expression
    assert parse("the largest building of the hospital").summary() == \
        "grounded: the largest building"
    # (the parking lot next to the building: the cars were next to the building)
    for expression in ("cars in the school parking lot", "cars in the parking lot of the school",
                       "cars in the car park of the supermarket",
                       "cars in the school's parking lot"):
        assert parse(expression).summary() == \
            "grounded: car on (parking lot next to building (<= 10 m))", expression
    assert parse("buildings at the end of the road").summary().startswith(
        "grounded: building next to road end")
    assert parse("the grove").targets[0].categories == ("tree",)
    assert parse("quarries").targets[0].categories == ("bare land",)


def test_a_corner_is_said_as_typed_in_the_junction_note() -> None:
    for expr in ("the building at the corner", "corner houses"):
        plan = parse(expr)
        assert plan.summary() == "grounded: building next to road junction (<= 10 m)"
        assert any(n.startswith("'corner' read as the road's junctions") for n in plan.notes)


@pytest.mark.parametrize("text, summary", [
    # a buffer as GIS draws it is a distance ("100-metre", "buffer zone", "in the ... of")
    ("buildings within a 100-metre buffer of the road", "grounded: building within 100 m of road"),
    ("cars inside the 20 m buffer zone of the road", "grounded: car within 20 m of road"),
    ("cars in a 50 m radius of the lake", "grounded: car within 50 m of water"),
    # "further north than" and "northwards of" are north of it
    ("buildings further north than the river", "grounded: building north of water"),
    ("buildings northwards of the road", "grounded: building north of road"),
    # one way along an axis is that axis
    ("roads heading northwards", "grounded: road oriented north-south"),
    ("the river flowing southward", "grounded: water oriented north-south"),
    # the most and the fewest vehicles; a range after "within" (they went whole)
    ("the most crowded parking lot", "grounded: the parking lot with the most vehicle (<= 3 m)"),
    ("the emptiest parking lot", "grounded: the parking lot with the fewest vehicle (<= 3 m)"),
    ("the quietest road", "grounded: the road with the fewest vehicle (<= 3 m)"),
    ("cars within 10 to 20 m of the building",
     "grounded: car more than 10 m from building within 20 m of building"),
    # from a part of the image to another: their compass points (they went whole)
    ("the road that goes from the top to the bottom of the image",
     "grounded: road oriented north-south"),
    ("the road running from left to right", "grounded: road oriented east-west"),
    ("the road from top left to bottom right", "grounded: road oriented northwest-southeast"),
    # a measure after "sized", "of size", "at a distance of"; "a stone's throw" is near
    ("buildings sized 100-500 m2", "grounded: building over 100 m2 under 500 m2"),
    ("buildings of size over 100 m2", "grounded: building over 100 m2"),
    ("buildings at a distance of 50 m from the road", "grounded: building within 50 m of road"),
    ("houses a stone's throw from the river", "grounded: building near water (<= 40 m)"),
    # a colour said after the name
    ("cars of a dark colour", "grounded: dark car"), ("cars coloured red", "grounded: red car"),
    ("roofs painted white", "grounded: white building"),
    ("roofs in red, near the road", "grounded: red building near road (<= 20 m)"),
    ("off-white buildings", "grounded: white building"), ("muddy water", "grounded: brown water"),
    # exceptions and lists as typed
    ("cars rather than trucks", "grounded: car except truck"),
    ("cars instead of trucks", "grounded: car except truck"),
    ("nothing but trees", "grounded: tree"), ("trees and nothing else", "grounded: tree"),
    ("every single tree", "grounded: tree"), ("houses plus cars", "grounded: building + car"),
    ("cars | trucks", "grounded: car + truck"),
    # relations as estate agents and planners say them
    ("houses backing onto the river", "grounded: building next to water (<= 20 m)"),
    ("buildings bordering on the park", "grounded: building next to vegetation (<= 5 m)"),
    ("trees flanking the road", "grounded: tree along road (<= 5 m)"),
    ("roads skirting the lake", "grounded: road along water (<= 20 m)"),
    ("buildings set back more than 10 m from the road",
     "grounded: building more than 10 m from road"),
    ("T-junctions", "grounded: road junction"),
    # a request around the expression, before and after it
    ("Could you segment the roads for me", "grounded: road"),
    ("cars on the road, please", "grounded: car on road"),   # not also every car
    ("buildings, thanks", "grounded: building"),
    # "except for"; "the ones near", "Exclude small ones." after the name
    ("buildings except for the largest", "grounded: all but the largest building"),
    ("cars except for trucks", "grounded: car except truck"),
    ("trees but not the ones near buildings", "grounded: tree not near building (<= 10 m)"),
    ("Buildings near river. Exclude small ones.",
     "grounded: not small building near water (<= 40 m)"),
])
def test_gis_phrasings(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


def test_a_participle_after_an_object_is_no_object_of_its_own() -> None:
    """Unknown words after a name may be a compound ("river boats": boats) but not when the
    first is a participle ("the river meandering south" is the river, not an unknown object
    along it, which would answer "nothing")."""
    assert parse("the river boats").mode == "nothing"
    assert parse("the river meandering south").mode == "end_to_end"
    assert parse("cars and fishing boats").categories() == ("car",)


def test_the_lie_of_the_land_and_the_waters_flow_are_said_not_guessed() -> None:
    assert parse("buildings uphill").notes == (
        "'uphill' asks for the lie of the land, which one image does not measure",)
    assert parse("houses downstream of the bridge").notes == (
        "'downstream' asks for the water's flow, which one image does not show",)
    assert parse("elevated roads").notes == (
        "'elevated' asks for a height, which one image does not measure",)


def test_a_settlement_as_a_place_is_near_its_buildings() -> None:
    """"cars in the village" were cars on buildings (a village is a name of buildings); as a
    place, a settlement is its buildings and the ground between them."""
    p = parse("cars in the village")
    assert p.summary() == "grounded: car near building (<= 10 m)"
    assert p.notes == ("'the village' read as near building (<= 10 m): from above, a "
                       "settlement is its buildings and the ground between them",)
    assert parse("trees in urban areas").summary() == "grounded: tree near building (<= 10 m)"
    assert parse("buildings outside the village").targets[0].relations[0].negated
    # as a target, the buildings themselves
    assert parse("urban areas").summary() == parse("villages").summary() == "grounded: building"


@pytest.mark.parametrize("expression", ["vehicles in industrial areas",
                                        "parked cars in residential areas",
                                        "trucks in the industrial zone",
                                        "cars in the business park"])
def test_a_place_named_by_its_use_is_the_settlement_said(expression: str) -> None:
    """They went whole ("industrial" an unknown word): as a place, a part of a settlement is
    its buildings and the ground between them; the plan says its use is not seen."""
    plan = parse(expression)
    assert plan.summary().endswith("near building (<= 10 m)")
    assert any(m.endswith("ground between them; its use is not seen") for m in plan.messages())


def test_flooded_anchors_take_no_relation_of_their_own() -> None:
    """"buildings near flooded roads" would read the water as the buildings': whole."""
    assert parse("buildings near flooded roads").mode == "end_to_end"
    assert parse("flooded land").summary() == "grounded: water"   # the water's own name


def test_the_words_of_a_use_place_alone_stay_unknown() -> None:
    assert parse("zone").unknown_words == ("zone",)
    assert parse("industrial").unknown_words == ("industrial",)
    assert not any("did you mean" in m for m in parse("buildings in the zone").messages())
    # asked for, a residential area is still no object the model knows
    plan = parse("residential areas")
    assert plan.mode == "nothing"
    assert any("asks for a building's use" in m for m in plan.messages())


@pytest.mark.parametrize("text, summary", [
    # the class names of land-cover and object datasets analysts know (LoveDA, DeepGlobe,
    # OpenEarthMap, xView)
    ("barren land", "grounded: bare land"), ("bareland", "grounded: bare land"),
    ("rangeland", "grounded: low vegetation"), ("agriculture land", "grounded: vegetation"),
    ("forest land", "grounded: tree"), ("passenger vehicle", "grounded: car"),
    ("truck tractor", "grounded: truck"), ("vehicle lot", "grounded: parking lot"),
    # "non-" a class: everything except it; not before another name
    ("non-road areas", "grounded: vehicle | building | vegetation | water | bare land"),
    ("non-road vehicles", "end to end: 'non-road vehicles' (no object named at 'road')"),
])
def test_dataset_class_names(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


def test_a_change_and_a_time_are_said_not_guessed() -> None:
    assert parse("demolished buildings").notes == (
        "'demolished' asks for a change, which one image does not show",)
    assert parse("cars at night").notes == (
        "'night' asks for a time, which one image does not show",)
    assert parse("recently built houses").mode == "end_to_end"


def test_names_of_places_and_roads_are_read_and_said() -> None:
    """A road's name or number is any road; a town's name at the end is the place the image
    shows; the extent as an analyst names it is the image. All went whole."""
    p = parse("buildings along Mombasa Road")
    assert p.summary() == "grounded: building along road (<= 10 m)"
    assert p.notes == ("'Mombasa Road' read as any road: a road's name is not seen from above",)
    for text in ("cars on Highway 101", "cars on I-95", "buildings along the A40"):
        assert parse(text).categories()[-1] == "road", text
    assert parse("buildings over 500 M2").summary() == "grounded: building over 500 m2"
    q = parse("cars in downtown Atlanta")
    assert q.summary() == "grounded: car"
    assert q.notes == ("'Atlanta' read as the place the image shows",)
    # said as read, a request after it gone
    assert parse("buildings in Kampala, please").notes == (
        "'Kampala' read as the place the image shows",)
    # before the objects at the start, not before vehicles (a make: "Toyota cars")
    for text in ("Kampala buildings", "the Nairobi roads", "all Atlanta houses"):
        r = parse(text)
        assert r.mode == "grounded" and r.notes[0].endswith("read as the place the image shows")
    assert parse("Kampala buildings near the road").summary() == \
        "grounded: building near road (<= 20 m)"
    assert parse("Toyota cars").mode == "end_to_end"
    assert parse("Red cars").summary() == "grounded: red car"
    # hyphenated known words in Title Case are no place: "Red-Roofed Houses" were any building
    for text in ("Red-Roofed Houses", "Non-Red Buildings", "Large-Footprint Buildings",
                 "The Bigger-Than-Average Houses", "Dead-End Roads"):
        assert parse(text).summary() == parse(text.lower()).summary() != "grounded: building"
    assert parse("Dar-es-Salaam buildings").notes == (
        "'Dar-es-Salaam' read as the place the image shows",)
    # a slip of a known word is no place: mended, not dropped
    assert parse("cars in Parkng").corrected == "cars in Parking"
    for text in ("buildings in the AOI", "trees within the study area",
                 "cars in the area of interest"):
        assert parse(text).summary() in ("grounded: building", "grounded: tree",
                                         "grounded: car"), text


def test_names_of_waters_and_of_roads_in_known_words() -> None:
    """A water by its name is any water; a road's name in known words is read where its
    capitals say it is a name, in a text otherwise in lower case. The use in a road's name
    ("Church Street") names no building."""
    p = parse("houses along the Nairobi River")
    assert p.summary() == "grounded: building along water (<= 20 m)"
    assert p.notes == ("'Nairobi River' read as any water: a water's name is not seen from "
                       "above",)
    for text in ("trees around Lake Victoria", "houses along the River Thames",
                 "buildings along Mill Creek"):
        assert parse(text).categories()[-1] == "water", text
    q = parse("buildings on Church Street")
    assert q.categories() == ("building", "road")
    assert "'Church Street' read as any road: a road's name is not seen from above" in q.notes
    assert not any("church" in n for n in q.notes)
    assert parse("cars on Canal Street").categories() == ("car", "road")   # a road, not water
    # every word capitalised, or shouted: no name (as before)
    assert parse("Buildings Along Main Road").notes == ()
    assert parse("cars 5 to 10 m from VEHICLES ALONG THE ROAD!").summary() == (
        "grounded: car more than 5 m from vehicle within 10 m of vehicle along road (<= 3 m)")


@pytest.mark.parametrize("text, summary", [
    # a separator after the expression asked for every object of the kind too
    ("vehicles along the road,", "grounded: vehicle along road (<= 3 m)"),
    ("cars near the road;", "grounded: car near road (<= 6 m)"),
    # quotes and brackets around all of it: the rewrites read from its start and to its end
    ('"i want the red cars"', "grounded: red car"),
    ("'what's near the river'", "grounded: vehicle near water (<= 40 m) | building near water "
     "(<= 40 m) | road near water (<= 40 m) | vegetation near water (<= 20 m) | bare land near "
     "water (<= 10 m)"),
    ("(the road the cars are on)", "grounded: road with car (<= 3 m)"),
    ("[can you find buildings close to water]", "grounded: building near water (<= 40 m)"),
    ("`roofs in red?`", "grounded: red building"),
    # ... not where each part has its own
    ('"cars" near "the road"', "grounded: car near road (<= 6 m)"),
    ("(cars) near (the road)", "grounded: car near road (<= 6 m)"),
])
def test_what_encloses_or_follows_the_expression(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


def test_names_in_a_text_in_capitals() -> None:
    """A joining word ends a name: in a text all in capitals (or every word capitalised) a
    town's or a water's name is read (they went whole); a word a rewrite reads is none."""
    p = parse("BUILDINGS IN KAMPALA NEAR THE ROAD")
    assert p.summary() == "grounded: building near road (<= 20 m)"
    assert p.notes == ("'KAMPALA' read as the place the image shows",)
    assert parse("Buildings Along Mill Creek").categories() == ("building", "water")
    assert parse("THE RIVER FLOWING SOUTHWARD").summary() == (
        "grounded: water oriented north-south")   # it was any water, 'Flowing Southward'


@pytest.mark.parametrize("text, summary, name", [
    ("houses near ngong road", "grounded: building near road (<= 20 m)", "ngong road"),
    ("cars along jomo kenyatta avenue", "grounded: car along road (<= 3 m)",
     "jomo kenyatta avenue"),
    ("houses near the nairobi river", "grounded: building near water (<= 40 m)",
     "nairobi river"),
    ("trees around lake naivasha", "grounded: tree near water (<= 20 m)", "lake naivasha"),
    ("buildings between ngong road and the athi river",
     "grounded: building between road + water (<= 40 m)", "athi river"),
    ("cars on the big kenyatta avenue", "grounded: car on large road", "kenyatta avenue"),
])
def test_names_typed_in_lower_case(text: str, summary: str, name: str) -> None:
    """A word no vocabulary knows before the word of a road's or a water's kind is taken for
    its name, and the plan says so (they went whole)."""
    p = parse(text)
    assert p.summary() == summary
    assert any(n.startswith(f"'{name}' read as any ") and "taken for its name" in n
               for n in p.notes), p.notes


@pytest.mark.parametrize("text", [
    # a word that describes, a material, a slip, an untaught object, a word a rewrite reads,
    # no vowel: no name (as before)
    "cars on the winding road", "cars on the gravel road", "houses near the rivr road",
    "the river boats", "trees within the 30m river buffer zone", "xqzv river",
    "cars on river road", "every single road",
])
def test_no_name_in_lower_case_where_a_word_may_be_known(text: str) -> None:
    assert not any("taken for its name" in n for n in parse(text).notes)


def test_a_road_by_its_class_is_any_road_and_said() -> None:
    p = parse("cars on the secondary roads near the river")
    assert p.categories() == ("car", "road", "water")
    assert p.notes == ("'secondary roads' read as any road: a road's class is not seen from "
                       "above",)
    assert parse("a residential street").categories() == ("road",)
    assert parse("main roads").notes == ()   # a main road is a road, as before
    # by its surface: any road, said (a dirt road was read silently, a gravel road went whole)
    for text, way in (("dirt roads", "dirt roads"), ("cars on the gravel road", "gravel road"),
                      ("unpaved roads", "unpaved roads"), ("the tarmac road", "tarmac road")):
        p = parse(text)
        assert p.categories()[-1] == "road", text
        assert p.notes == (f"'{way}' read as any road: a road's surface is not told apart",)
    assert parse("gravel").mode == "nothing"   # a material alone names nothing, as before


@pytest.mark.parametrize("text, summary", [
    # more names of the objects (they went whole or named an unknown object)
    ("built structures along the road", "grounded: building along road (<= 10 m)"),
    ("cars within 20 m of the waterway", "grounded: car within 20 m of water"),
    ("houses not near the watercourse", "grounded: building not near water (<= 40 m)"),
    ("saplings along the road", "grounded: tree along road (<= 5 m)"),
    ("thoroughfares", "grounded: road"),
    # land-cover classes and a river's vegetation as analysts name them
    ("developed space", "grounded: impervious surface"),
    ("impervious areas", "grounded: impervious surface"),
    ("urban green spaces", "grounded: vegetation"), ("tree canopy cover", "grounded: tree"),
    ("human settlements", "grounded: building"),
    ("riverine vegetation", "grounded: vegetation along water (<= 10 m)"),
    # "main" before a way or a water; the bank of a water of another kind; street markings
    ("buildings along the main highway", "grounded: building along road (<= 10 m)"),
    ("the main channel", "grounded: water"),
    ("trees on the canal bank", "grounded: tree along water (<= 10 m)"),
    ("trees at the river's edge", "grounded: tree along water (<= 10 m)"),
    ("street markings", "grounded: road marking"),
])
def test_more_names_of_the_objects(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    # as notes and forms abbreviate a limit or a unit (they went whole)
    ("buildings max 20 m from the road", "grounded: building within 20 m of road"),
    ("buildings min. 100 m2", "grounded: building over 100 m2"),
    ("buildings within 20 mt of the road", "grounded: building within 20 m of road"),
    ("buildings within a 20-meter distance of the road", "grounded: building within 20 m of road"),
    # minutes after a number stay minutes
    ("houses a 10 min walk from the river", "grounded: building within 800 m of water"),
])
def test_limits_and_units_as_notes_abbreviate_them(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    # a measure before the name, a compass point before it, a building's roof, "near-by"
    # (they went whole)
    ("30m-wide roads", "grounded: road over 24 m wide under 36 m wide"),
    ("a 15 m long truck", "grounded: truck over 12 m long under 18 m long"),
    ("500 m2 buildings", "grounded: building over 400 m2 under 600 m2"),
    ("the northeast building", "grounded: building in the top right of the image"),
    ("the building's roof", "grounded: building"), ("house roofs", "grounded: building"),
    ("buildings near-by the river", "grounded: building near water (<= 40 m)"),
    # a queue bumper to bumper; the road's shoulder is its side
    ("cars parked bumper to bumper", "grounded: car near car (<= 6 m)"),
    ("trucks on the hard shoulder of the highway", "grounded: truck along road (<= 3 m)"),
    # ... not a measure that ends a comparison, nor a compass point without a determiner
    ("vehicles under 6 m long trees that overhang buildings",
     "end to end: 'vehicles under 6 m long trees that overhang buildings' (no relation or "
     "attribute understood at 'trees')"),
    ("buildings north cars",
     "end to end: 'buildings north cars' (no relation or attribute understood at 'north')"),
])
def test_what_comes_before_a_name(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    # a list's top by a measure, "among", "the last ... on the left" (they went whole)
    ("top three buildings by area", "grounded: the 3 largest building"),
    ("the top 5 roads by length", "grounded: the 5 longest road"),
    ("the largest among the buildings near the road",
     "grounded: the largest building near road (<= 20 m)"),
    ("the last car on the left", "grounded: the westernmost car"),
])
def test_more_ways_to_say_a_rank(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    # more words that leave objects out (they went whole); "without" a kind of vehicle
    # after "vehicles" leaves it out, after another name it is a thing lacked (as before)
    ("vehicles minus trucks", "grounded: vehicle except truck"),
    ("vehicles, trucks excluded", "grounded: vehicle except truck"),
    ("buildings leaving out the small ones", "grounded: not small building"),
    ("vehicles without the trucks", "grounded: vehicle except truck"),
    ("buildings without trees", "grounded: building without tree (<= 5 m)"),
])
def test_more_words_that_leave_objects_out(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    # another determiner than "the" before an edge, a bank, "nearby" or "one" (they went whole)
    ("cars parked along a kerb", "grounded: car along road (<= 3 m)"),
    ("trees along this south bank", "grounded: tree along water (<= 10 m) south of water"),
    ("trees next to some nearby buildings", "grounded: tree next to building (<= 5 m)"),
    ("cars along nearby roads", "grounded: car along road (<= 3 m)"),
    ("nearby buildings", "grounded: building"),
    ("all the buildings nearby", "grounded: building"),
    ("a road to the building", "grounded: road within 1 m of building"),
    # ... but "to the north (left) of" is a direction, as after any other name (went whole)
    ("the road to the north of the image", "grounded: road in the top of the image"),
    ("the road to the left of the building", "grounded: road west of building"),
    ("the small building next to that big one",
     "grounded: small building next to large building (<= 5 m)"),
])
def test_determiners_other_than_the(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


def test_a_place_name_before_more_of_the_expression() -> None:
    p = parse("buildings in Kampala near the road")
    assert p.summary() == "grounded: building near road (<= 20 m)"
    assert p.notes == ("'Kampala' read as the place the image shows",)
    assert parse("buildings within Kampala").summary() == "grounded: building"
    # a word of it known: not a place ("Central Park" is vegetation)
    assert parse("trees in Central Park").categories() == ("tree", "vegetation")


@pytest.mark.parametrize("text, summary", [
    # a label before the expression
    ("query: cars near road", "grounded: car near road (<= 6 m)"),
    ("Q: cars on the road", "grounded: car on road"),
    # abbreviations
    ("buildings adj. to road", "grounded: building next to road (<= 10 m)"),
    ("buildings approx. 20 m from the road", "grounded: building within 20 m of road"),
    ("buildings c. 20 m from road", "grounded: building within 20 m of road"),
    ("trees excl. those near road", "grounded: tree not near road (<= 10 m)"),
    ("buildings sans trees", "grounded: building without tree (<= 5 m)"),
    ("buildings etc.", "grounded: building"),
    ("cars, trucks and so on", "grounded: car + truck"),
    ("buildings at 50 m from road", "grounded: building within 50 m of road"),
    # examples of a name are of it; after "objects" they are what is asked for
    ("vehicles such as cars, trucks or buses near the road",
     "grounded: vehicle near road (<= 6 m)"),
    ("vehicles (cars and trucks)", "grounded: vehicle"),
    ("buildings (e.g. houses)", "grounded: building"),
    ("buildings, for example houses, near the road", "grounded: building near road (<= 20 m)"),
    ("objects such as cars", "grounded: car"),
    ("things such as cars or trucks on the road", "grounded: car + truck on road"),
    ("buildings (houses only)",
     "end to end: 'buildings (houses only)' (no relation or attribute understood at 'houses')"),
    # a road's centre line: the road (said)
    ("road centerlines", "grounded: road"),
    ("buildings near the road centre line", "grounded: building near road (<= 20 m)"),
    # vineyards are low vegetation, drains water
    ("vineyards near the river", "grounded: low vegetation near water (<= 20 m)"),
    ("drains along the road", "grounded: water along road (<= 20 m)"),
])
def test_labels_abbreviations_and_examples(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


def test_centre_lines_and_slums_are_said() -> None:
    assert parse("road centerlines").notes == (
        "'centrelines' read as the objects themselves: the model marks their surface, not a "
        "line down the middle",)
    p = parse("slums")
    assert p.summary() == "grounded: building"
    assert p.notes == ("'slums' read as any building: a building's status is not seen from above",)


def test_a_measure_no_target_reaches_is_the_anchors() -> None:
    """After an anchor's name, a measure no vehicle reaches is the anchor's (it was the cars'
    : "cars over 500 m2"); one a vehicle may have stays the target's."""
    p = parse("cars near a building larger than 500 m2")
    assert p.summary() == "grounded: car near building over 500 m2 (<= 10 m)"
    assert p.notes == ("'over 500 m2' read as the building's: a vehicle is never that large",)
    assert parse("cars on roads wider than 10 m").summary() == (
        "grounded: car on road over 10 m wide")
    # of a thing had, or written before the anchor's name: the anchor's, whatever the target
    # reaches (they were the houses' and the buildings')
    p = parse("houses with a pool larger than 50 m2")
    assert p.summary() == "grounded: building with water over 50 m2 (<= 20 m)"
    assert p.notes == ("'over 50 m2' read as the water's: said of it",)
    assert parse("buildings next to a 10 m wide road").summary() == (
        "grounded: building next to road over 8 m wide under 12 m wide (<= 10 m)")
    assert parse("buildings larger than 100 m2 with a garden").summary() == (
        "grounded: building over 100 m2 with vegetation (<= 5 m)")
    assert parse("non-building areas of about 500 m2").summary().startswith(
        "grounded: vehicle over 400 m2 under 600 m2 | ")   # an exception has no measure
    assert parse("buildings next to a road over 10 m wide").summary() == (
        "grounded: building over 10 m wide next to road (<= 10 m)")   # a building may be
    assert parse("cars on roads within 100 m of buildings over 500 m2").summary() == (
        "grounded: car on road within 100 m of building over 500 m2")
    assert parse("cars near buildings smaller than 200 m2").summary() == (
        "grounded: car near building under 200 m2 (<= 10 m)")
    # a vehicle's measure, or a target that may be of any size: the target's
    assert parse("cars near the road longer than 5 m").summary() == (
        "grounded: car over 5 m long near road (<= 6 m)")
    assert parse("buildings near roads wider than 10 m").summary() == (
        "grounded: building over 10 m wide near road (<= 20 m)")
    assert parse("cars near trucks longer than 40 m").summary() == (
        "grounded: car over 40 m long near truck (<= 6 m)")


@pytest.mark.parametrize("text, summary", [
    ("cars inside the 20 m road buffer", "grounded: car within 20 m of road"),
    ("buildings outside the 50 m river buffer", "grounded: building more than 50 m from water"),
    ("buildings sorted by area", "grounded: building"),
    # an order by distance or in other words sorts nothing either (they went whole)
    ("buildings ranked by their distance from the river", "grounded: building"),
    ("buildings in order of size", "grounded: building"),
    ("buildings near the road from largest to smallest", "grounded: building near road (<= 20 m)"),
    ("the buildings, largest first", "grounded: building"),
    # a radius (it went whole)
    ("trees within a radius of 20 m of the house", "grounded: tree within 20 m of building"),
    ("trees in a radius of 20 m around the house", "grounded: tree within 20 m of building"),
    # dirt tracks and murram roads are roads; a track alone is untaught, as before
    ("cars on the dirt tracks", "grounded: car on road"),
    ("houses along the murram road", "grounded: building along road (<= 10 m)"),
    ("the track", "nothing: no object matches (unknown word 'track')"),
    ("buildings sharing a wall", "grounded: building within 1 m of building"),
    ("buildings that share a party wall", "grounded: building within 1 m of building"),
    ("houses joined to a neighbouring house", "grounded: building within 1 m of building"),
])
def test_buffers_named_by_their_object_sorting_and_shared_walls(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    ("structures within the 30 m riparian buffer", "grounded: building within 30 m of water"),
    ("buildings in the riparian zone", "grounded: building along water (<= 20 m)"),
    ("houses on the west bank of the river", "grounded: building west of water"),
    ("trees along the south bank", "grounded: tree along water (<= 10 m) south of water"),
    ("buildings without road access", "grounded: building not within 1 m of road"),
    ("buildings more than 500 m from the nearest road",
     "grounded: building more than 500 m from road"),
    ("the main river", "grounded: water"),
])
def test_banks_riparian_zones_road_access_and_the_nearest_anchor(text: str,
                                                                 summary: str) -> None:
    assert parse(text).summary() == summary


def test_a_risk_is_said() -> None:
    p = parse("houses at risk of flooding near the river")
    assert p.mode == "end_to_end"
    assert "'risk' asks for a risk, which one image does not show" in p.notes


@pytest.mark.parametrize("text, summary", [
    ("trees growing along the river", "grounded: tree along water (<= 10 m)"),
    ("grass growing on roofs", "grounded: low vegetation on building"),
    ("crowded parking lots", "grounded: parking lot with at least 5 vehicle (<= 3 m)"),
    ("packed car parks", "grounded: parking lot with at least 5 vehicle (<= 3 m)"),
    ("crowded buildings", "grounded: building in a group of at least 3 building (<= 10 m apart)"),
])
def test_growing_and_crowded_ways(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


def test_a_walk_is_a_distance_said() -> None:
    p = parse("buildings within walking distance of the river")
    assert p.summary() == "grounded: building within 400 m of water"
    assert p.notes == ("'within walking distance of' read as within 400 m of: a walk of 80 m a "
                       "minute, as the crow flies",)
    assert parse("houses within a five minute walk of the park").summary() == (
        "grounded: building within 400 m of vegetation")
    assert parse("houses 10 minutes' walk from the river").summary() == (
        "grounded: building within 800 m of water")
    # a short walk without "within" (it went whole): five minutes, said
    r = parse("houses a short walk from the river")
    assert r.summary() == "grounded: building within 400 m of water"
    assert r.notes == ("'a short walk from' read as within 400 m of: a walk of 80 m a minute, "
                       "as the crow flies",)


@pytest.mark.parametrize("text, summary", [
    ("houses a few metres from the road", "grounded: building next to road (<= 10 m)"),
    ("cars a couple of metres from the building", "grounded: car next to building (<= 5 m)"),
    ("buildings a short distance from the river", "grounded: building near water (<= 40 m)"),
    ("buildings encircling the parking lot", "grounded: building near parking lot (<= 20 m)"),
])
def test_vague_short_distances(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


def test_a_species_or_a_crop_is_said() -> None:
    p = parse("mango trees")
    assert p.mode == "end_to_end"
    assert p.notes == ("'mango' asks for a species or a crop, which the grounding does not tell "
                       "apart",)
    assert "'maize' asks for a species or a crop, which the grounding does not tell apart" in (
        parse("maize fields").notes)


@pytest.mark.parametrize("text, summary", [
    ("buildings with area greater than or equal to 100 m2", "grounded: building over 100 m2"),
    ("buildings with an area equal to or more than 100 m2", "grounded: building over 100 m2"),
    ("cars less than or equal to 5 m long", "grounded: car under 5 m long"),
    ("buildings much larger than 100 m2", "grounded: building over 100 m2"),
    ("buildings far larger than average", "grounded: building larger than average"),
    ("above-average sized buildings", "grounded: building larger than average"),
    # "a lot" may be a parking lot: no degree
    ("roads with a lot wider than 10 m",
     "end to end: 'roads with a lot wider than 10 m' (no relation or attribute understood at "
     "'with')"),
])
def test_or_equal_to_and_degrees_of_a_comparison(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    ("buildings within 20 mtrs of the road", "grounded: building within 20 m of road"),
    ("buildings within 0.5 kms of the river", "grounded: building within 500 m of water"),
    ("buildings within 30 yds of the road", "grounded: building within 27.432 m of road"),
    ("buildings larger than 100 sq metres", "grounded: building over 100 m2"),
    ("buildings within a kilometre of the river", "grounded: building within 1000 m of water"),
    ("buildings over an acre", "grounded: building over 4046.86 m2"),
])
def test_units_as_abbreviated_and_one_of_them(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


def test_numbers_as_continental_europe_writes_them_are_read_and_said() -> None:
    p = parse("buildings over 1.000 m2")
    assert p.summary() == "grounded: building over 1000 m2"
    assert p.notes == ("'1.000' read as 1000",)
    q = parse("buildings within 20,5 m of the road")
    assert q.summary() == "grounded: building within 20.5 m of road"
    assert q.notes == ("'20,5' read as 20.5",)
    # a decimal point and a thousands comma as before; a dot before three digits is a
    # thousands separator before square metres only
    assert parse("buildings within 0.500 km of the river").summary() == (
        "grounded: building within 500 m of water")
    assert parse("buildings within 1.500 km of the river").summary() == (
        "grounded: building within 1500 m of water")
    assert parse("buildings over 1,000 m2").summary() == "grounded: building over 1000 m2"
    # a space between thousands, before a unit (it went whole), said
    r = parse("buildings over 1 000 m2")
    assert r.summary() == "grounded: building over 1000 m2"
    assert r.notes == ("'1 000' read as 1000",)
    assert parse("houses more than 1 500 m from the river").summary() == (
        "grounded: building more than 1500 m from water")
    assert parse("buildings between 100 and 200 m2").notes == ()


@pytest.mark.parametrize("text, summary", [
    # as a learner may say it
    ("buildings near by the road", "grounded: building near road (<= 20 m)"),
    ("houses close road", "grounded: building near road (<= 20 m)"),
    ("trees close by the river", "grounded: tree near water (<= 20 m)"),
    ("building with big size", "grounded: large building"),
    ("buildings that are not close with the road", "grounded: building not near road (<= 20 m)"),
    ("building very close at the road", "grounded: building near road (<= 20 m)"),
    ("building near from the river", "grounded: building near water (<= 40 m)"),
    ("houses far of the river", "grounded: building far from water (> 80 m)"),
    ("houses in front the road", "grounded: building next to road (<= 10 m)"),
    ("trees which are much near to river", "grounded: tree near water (<= 20 m)"),
    ("the most big building", "grounded: the largest building"),
    ("the most near car to the building", "grounded: the car nearest to building"),
    ("more bigger houses", "grounded: building larger than average"),
    ("house which is more far from road", "grounded: building far from road (> 40 m)"),
    ("the cars which are more near to the road", "grounded: car near road (<= 6 m)"),
    ("houses at the both side of road", "grounded: building next to road (<= 10 m)"),
    ("buildings in the up side of image", "grounded: building in the top of the image"),
    ("car at down part of image", "grounded: car in the bottom of the image"),
    ("vehicles on the roads side", "grounded: vehicle along road (<= 3 m)"),
    # a verb of place as a learner may write it: where they are
    ("cars parking beside road", "grounded: car next to road (<= 3 m)"),
    ("vehicles which parking on the road", "grounded: vehicle on road"),
    ("cars stand on the road", "grounded: car on road"),
    ("trucks staying in the parking", "grounded: truck on parking lot"),
    ("cars parked in the lot", "grounded: car on parking lot"),
    # ... and what stays as it was: a car park, a forest stand, many cars
    ("the car parking near the road", "grounded: parking lot near road (<= 10 m)"),
    ("the forest stand near the river", "grounded: tree near water (<= 20 m)"),
    ("a lot of cars", "grounded: car"),
    ("the house furthest away from any road", "grounded: the building farthest from road"),
    ("buildings farther from river", "grounded: building far from water (> 80 m)"),
    # the run's extent as an analyst names it
    ("buildings near the road in this region", "grounded: building near road (<= 20 m)"),
    ("the largest car in my area of interest", "grounded: the largest car"),
    ("buildings near the road on this layer", "grounded: building near road (<= 20 m)"),
    # a relation said once for two, its preposition again
    ("vegetation adjacent to roads but not to buildings",
     "grounded: vegetation next to road (<= 5 m) not next to building (<= 5 m)"),
    ("trees close to the road but not to the river",
     "grounded: tree near road (<= 10 m) not near water (<= 20 m)"),
    ("houses a maximum of 30 m from the road", "grounded: building within 30 m of road"),
    ("buildings that are neither small nor near the road",
     "grounded: not small building not near road (<= 20 m)"),
    ("houses that lack a garden", "grounded: building without vegetation (<= 5 m)"),
    # "where there are no cars": without them, not an exception
    ("roads where there are no cars", "grounded: road without car (<= 3 m)"),
    ("roads where there are many cars", "grounded: road with at least 5 car (<= 3 m)"),
    ("parking lots on which there are no cars", "grounded: parking lot without car (<= 3 m)"),
    # as other languages say it
    ("the more big building of the image", "grounded: the largest building"),
    ("the house more near of the river", "grounded: building near water (<= 40 m)"),
    ("constructions near the river", "grounded: building near water (<= 40 m)"),
    ("vehicles stationed in the street", "grounded: vehicle on road"),
    ("cars in the parking zone", "grounded: car on parking lot"),
    ("the green zones", "grounded: vegetation"),
    ("the houses of the left side", "grounded: building in the left of the image"),
    ("houses at the border of the road", "grounded: building next to road (<= 10 m)"),
    ("the largest L shaped building near the road",
     "grounded: the largest not rectangular building near road (<= 20 m)"),
    # "diagonally opposite" is opposite (no axis of the building), "in line with" aligned
    ("the building diagonally opposite the park",
     "grounded: building across road from vegetation (<= 40 m)"),
    ("houses in line with the road", "grounded: building parallel to road (<= 20 m)"),
    ("buildings within the boundary of the park", "grounded: building inside vegetation"),
    ("trees fringing the lake", "grounded: tree along water (<= 10 m)"),
    # "please" (or "kindly") alone before what starts an expression
    ("please all but the largest building", "grounded: all but the largest building"),
    ("please not trees", "grounded: vehicle | building | road | vegetation except tree | water | "
     "bare land"),
    ("kindly help me find cars on the bridge", "grounded: car on road bridge over water"),
    ("of all the trucks, the longest one please", "grounded: the longest truck"),
    ("roads with lot of cars", "grounded: road with at least 5 car (<= 3 m)"),
    # as typed fast, without the articles
    ("houses at forest edge", "grounded: building next to tree (<= 5 m)"),
    ("houses at border of road", "grounded: building next to road (<= 10 m)"),
    ("trees on shore of lake", "grounded: tree along water (<= 10 m)"),
    ("cars parked in lot", "grounded: car on parking lot"),
    ("top left building", "grounded: the northwesternmost building"),
    ("brightly coloured roofs", "grounded: bright building"),
    ("small woodlots", "grounded: small tree"),
    ("the tiniest pond", "grounded: the smallest water"),
    ("sizable buildings", "grounded: large building"),
    ("big-ish houses", "grounded: large building"),
    # a car's class: "compact cars" are small ones ("compact buildings" keep the shape)
    ("compact cars", "grounded: small car"), ("full-size cars", "grounded: large car"),
    ("compact buildings", "grounded: compact building"),
    ("shade trees near the houses", "grounded: tree near building (<= 10 m)"),
    ("buildings nowhere close to the road", "grounded: building not near road (<= 20 m)"),
    ("trucks moving alongside the highway", "grounded: truck along road (<= 3 m)"),
    ("left buildings", "grounded: building in the left of the image"),
    ("which parking lot is fullest", "grounded: the parking lot with the most vehicle (<= 3 m)"),
    # questions
    ("which parking lot is the fullest",
     "grounded: the parking lot with the most vehicle (<= 3 m)"),
    ("which road is the quietest", "grounded: the road with the fewest vehicle (<= 3 m)"),
    ("what kind of vehicles are on the road", "grounded: vehicle on road"),
    ("is the road empty", "grounded: road without vehicle (<= 3 m)"),
    # a part of the image: the middle of a row, the image's own parts
    ("cars in the top centre", "grounded: car in the top centre of the image"),
    ("the house in the upper-middle", "grounded: building in the top centre of the image"),
    ("buildings in the left centre", "grounded: building in the centre left of the image"),
    ("cars in the image's upper half", "grounded: car in the top of the image"),
    ("buildings in the image center", "grounded: building in the centre of the image"),
    ("the center buildings", "grounded: building in the centre of the image"),
    ("cars in the middle lane",
     "end to end: 'cars in the middle lane' (no relation or attribute understood at 'in')"),
    # so many times another's measure, or about the same
    ("buildings 3 times larger than the school", "grounded: building larger than 3 times building"),
    ("trucks two times longer than cars", "grounded: truck longer than 2 times car"),
    ("houses 2x as large as their neighbours",
     "grounded: building larger than 2 times building within 10 m"),
    ("buildings twice as large as the average", "grounded: building larger than 2 times average"),
    ("houses similar in size to the school", "grounded: building similar in size to building"),
    ("the building the same size as the church", "grounded: building similar in size to building"),
    ("cars parked at night time",
     "end to end: 'cars parked at night time' (words outside the grounding vocabulary)"),
    # speech and chat around the expression
    ("um show me the buildings near the road", "grounded: building near road (<= 20 m)"),
    ("ok so the cars parked next to the big building",
     "grounded: car next to large building (<= 5 m)"),
    ("hey can u show me cars", "grounded: car"),
    ("pls find trees", "grounded: tree"),
    ("buildings near the road lol", "grounded: building near road (<= 20 m)"),
    ("uh cars on the road i guess", "grounded: car on road"),
    ("the cars, you know, on the road", "grounded: car on road"),
    # a GIS table's shorthand
    ("bldgs N of river", "grounded: building north of water"),
    ("cars in pkg lot", "grounded: car on parking lot"),
    ("bare grnd", "grounded: bare land"),
    ("h2o", "grounded: water"),
    ("bldngs", "grounded: building"),
    ("buildings in the N",
     "end to end: 'buildings in the N' (words outside the grounding vocabulary)"),
    # as it is said in South Asia and East Africa
    ("kindly extract the buildings", "grounded: building"),
    ("godowns near the highway", "grounded: building near road (<= 20 m)"),
    ("the nallah", "grounded: water"),
    ("cars which are kept in the parking", "grounded: car on parking lot"),
    ("cars in proximity of the building", "grounded: car near building (<= 10 m)"),
    ("vehicles plying on the road", "grounded: vehicle on road"),
    # the group named first, the rank after a comma
    ("of all the trucks, the longest one", "grounded: the longest truck"),
    ("among the buildings along the river, the largest",
     "grounded: the largest building along water (<= 20 m)"),
    ("among the red cars, the 2 largest ones", "grounded: the 2 largest red car"),
    # a way that links places reaches them
    ("road which connect the two villages", "grounded: road within 1 m of building"),
    ("road that goes to the houses", "grounded: road within 1 m of building"),
    ("roads joining the highway", "grounded: road within 1 m of road"),
    # a colour as a table or a telegram says it
    ("car colour white", "grounded: white car"),
    ("cars color is white", "grounded: white car"),
    ("vehicle white colour", "grounded: white vehicle"),
    ("all the white colour cars", "grounded: white car"),
    ("buildings having red colour", "grounded: red building"),
    ("house red roof near road", "grounded: red building near road (<= 20 m)"),
    ("find car which is white color", "grounded: white car"),
    ("gold cars", "grounded: yellow car"), ("burgundy cars", "grounded: dark red car"),
    ("sky blue cars", "grounded: light blue car"), ("charcoal cars", "grounded: dark grey car"),
    ("forest green cars", "grounded: dark green car"),
    ("sand-coloured roofs", "grounded: beige building"), ("sand dunes", "grounded: bare land"),
    ("the building whose roof is red colour", "grounded: red building"),
    ("building with blue color roof", "grounded: blue building"),
    # a roof's colour only after a building's name
    ("forest bright roofs",
     "end to end: 'forest bright roofs' (no relation or attribute understood at 'roofs')"),
])
def test_telegraphic_and_learners_english(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


def test_neither_of_two_names_is_everything_else() -> None:
    assert parse("neither buildings nor roads").summary() == (
        "grounded: vehicle | vegetation | water | bare land")
    # more after them: whole, as before
    assert parse("neither cars nor trucks near the road").mode == "end_to_end"


@pytest.mark.parametrize("text, summary", [
    ("1. buildings near the road", "grounded: building near road (<= 20 m)"),
    ("<cars>", "grounded: car"),
    ("buildings (all)", "grounded: building"),
    ("buildings < 100 m2", "grounded: building under 100 m2"),
])
def test_an_item_of_a_list_and_brackets_around_it(text: str, summary: str) -> None:
    assert parse(text).summary() == summary
    assert not parse(text).notes


def test_a_large_measure_is_written_out() -> None:
    assert parse("buildings larger than 1 km2").summary() == "grounded: building over 1000000 m2"


@pytest.mark.parametrize("text, summary", [
    ("forest cover", "grounded: tree"), ("vegetation cover", "grounded: vegetation"),
    ("irrigated fields near the river", "grounded: vegetation near water (<= 20 m)"),
    ("bare patches in the field", "grounded: bare land on vegetation"),
])
def test_land_cover_as_analysts_name_it(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    # a share asked: the objects, whose areas give it ("much" was an unknown object)
    ("How much of the area is covered by trees?", "grounded: tree"),
    ("what percentage of the image is water", "grounded: water"),
    ("Do any buildings touch the road?", "grounded: building within 1 m of road"),
])
def test_questions_of_a_share_and_yes_or_no(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    # "all kinds of buildings" named no object: 'kinds' was one
    ("all kinds of buildings", "grounded: building"),
    ("vehicles of any kind", "grounded: vehicle"),
    ("cars of any colour", "grounded: car"),
    ("I am looking for cars", "grounded: car"),
    ("looking for buildings near water", "grounded: building near water (<= 40 m)"),
    ("trees, if any", "grounded: tree"),
    ("everything that is a building", "grounded: building"),
    ("something like a parking lot", "grounded: parking lot"),
    ("trees over there", "grounded: tree"),
    ("buildings nearby", "grounded: building"),
    # after an anchor "nearby" is near it, as before
    ("buildings with at least 3 cars nearby", "grounded: building near at least 3 car (<= 10 m)"),
])
def test_words_around_the_objects_asked_for(text: str, summary: str) -> None:
    assert parse(text).summary() == summary
    assert not parse(text).notes


@pytest.mark.parametrize("text, summary", [
    ("cars from the drone image", "grounded: car"),
    ("trees in the satellite image", "grounded: tree"),
    ("buildings on screen", "grounded: building"),
    ("roads as polygons", "grounded: road"), ("trees seen from above", "grounded: tree"),
    ("roads for analysis", "grounded: road"),
    ("pick out the cars near the road", "grounded: car near road (<= 6 m)"),
    # a request before "unforested": still at the start ("nothing" before)
    ("show all unforested areas",
     "grounded: vehicle | building | road | vegetation except tree | water | bare land"),
    # "from the image edge" is a distance, as before
    ("buildings more than 20 m from the image edge",
     "grounded: building not within 20 m of the image edge"),
])
def test_requests_sources_and_forms_of_the_answer(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    # phrases stacked at the end, requests one after another: each alone was read, two went
    # whole (the first one's rewrite had run before the second was gone)
    ("trees over there, please", "grounded: tree"),
    ("roads as polygons, please", "grounded: road"),
    ("any trees at all in the image", "grounded: tree"),
    ("buildings nearby as polygons", "grounded: building"),
    ("cars from the drone image, thanks", "grounded: car"),
    ("<cars> in the image", "grounded: car"),
    ("please show me, can you find the cars", "grounded: car"),
    ("I want to see, can you map the buildings near the river for me, thanks",
     "grounded: building near water (<= 40 m)"),
    ("show me everything that is a building", "grounded: building"),
    ("query: can you find cars", "grounded: car"),
    # a request's word before "of" is no request, as before
    ("count of cars", "grounded: car"),
    # a question asked through a request (they went whole)
    ("Where can I find parking lots?", "grounded: parking lot"),
    ("Tell me which buildings are next to the road", "grounded: building next to road (<= 10 m)"),
    ("I need to know which buildings are next to the road",
     "grounded: building next to road (<= 10 m)"),
    ("let me know where the trucks are", "grounded: truck"),
])
def test_phrases_stacked_around_the_objects(text: str, summary: str) -> None:
    assert parse(text).summary() == summary
    assert not parse(text).notes


@pytest.mark.parametrize("text, summary", [
    ("cars that can be seen near the road", "grounded: car near road (<= 6 m)"),
    ("cars sitting near the buildings", "grounded: car near building (<= 10 m)"),
    ("trees that stand along the road", "grounded: tree along road (<= 5 m)"),
    ("houses neighbouring the park", "grounded: building next to vegetation (<= 5 m)"),
    ("cars within reach of the river", "grounded: car near water (<= 40 m)"),
    ("buildings hugging the road", "grounded: building along road (<= 10 m)"),
    ("trees along the length of the river", "grounded: tree along water (<= 10 m)"),
    # "stand on their own" is alone, as before; "tree stands" are trees
    ("houses that stand on their own", "grounded: building far from building (> 20 m)"),
    ("tree stands near the river", "grounded: tree near water (<= 20 m)"),
    # before more relation words, and at the end (the place was read before): they went whole
    ("trees which lie surrounded by buildings", "grounded: tree surrounded by building"),
    ("buildings which lie in Kampala", "grounded: building"),
    ("houses that lie not near water", "grounded: building not near water (<= 40 m)"),
    # hiding is touching, as hidden by is; occupying is on; a possessive edge is the edge
    # (they went whole; the water's edge stays the waterfront: along it)
    ("trees hiding the buildings", "grounded: tree within 1 m of building"),
    ("cars occupying the parking lot", "grounded: car on parking lot"),
    ("trees at the road's edge", "grounded: tree next to road (<= 5 m)"),
    ("cars at the water's edge", "grounded: car along water (<= 20 m)"),
    ("houses in the parking lot", "grounded: building on parking lot"),   # a lot is no address
    ("buildings with frontage on the main road", "grounded: building next to road (<= 10 m)"),
    ("buildings with road frontage", "grounded: building next to road (<= 10 m)"),
    # a verb of place in the present after "that": its form after a name (they went whole)
    ("trees that line the road", "grounded: tree along road (<= 5 m)"),
    ("houses that back onto the river", "grounded: building next to water (<= 20 m)"),
    ("cars which park on the road", "grounded: car on road"),
    ("trees that do not line the road", "grounded: tree not along road (<= 5 m)"),
    ("trees which grow along the river", "grounded: tree along water (<= 10 m)"),
    # more ways to say near and far, before a part of the image too (they went whole)
    ("houses distant from the water", "grounded: building far from water (> 80 m)"),
    ("houses a long way from the water", "grounded: building far from water (> 80 m)"),
    ("cars nearby to the buildings", "grounded: car near building (<= 10 m)"),
    ("buildings in the vicinity of the centre of the image",
     "grounded: building in the centre of the image"),
    ("buildings near to the centre of the image", "grounded: building in the centre of the image"),
    ("buildings alongside the northern edge of the image",
     "grounded: building in the top of the image"),
    ("buildings running along the north side of the road",
     "grounded: building along road (<= 10 m) north of road"),
    # a verb after "not" before a group, a median negated (they went whole)
    ("cars not parked in a row", "grounded: car not in a row of at least 3 car (<= 6 m apart)"),
    ("buildings not above the median size", "grounded: the smallest 50 % building"),
    ("buildings that are not below the median area", "grounded: the largest 50 % building"),
    # the anchor next to them or the objects that exist: the objects (they went whole, and
    # "along the adjacent road" was along a road joined to another)
    ("trees along the neighbouring road", "grounded: tree along road (<= 5 m)"),
    ("trees along the adjacent road", "grounded: tree along road (<= 5 m)"),
    ("buildings near the existing road", "grounded: building near road (<= 20 m)"),
    ("existing buildings", "grounded: building"),
    # "its neighbours": the objects first named next to it (they were left out, said)
    ("the largest building and its neighbours",
     "grounded: the largest building | building next to the largest building (<= 5 m)"),
    ("the building closest to the river and its immediate neighbours",
     "grounded: the building nearest to water | building next to (the building nearest to "
     "water) (<= 5 m)"),
])
def test_verbs_of_being_there_and_more_relation_words(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    ("cars with red paint", "grounded: red car"), ("cars painted in white", "grounded: white car"),
    ("cars that look red", "grounded: red car"), ("houses roofed in red", "grounded: red building"),
    ("pale red roofs", "grounded: light red building"),
    ("trees on the lake bank", "grounded: tree along water (<= 10 m)"),   # it went whole
    ("white-ish cars", "grounded: white car"),   # "white-fish cars" was offered
    ("roofs in shades of red", "grounded: red building"),   # it went whole
    ("enormous warehouses", "grounded: large building"),   # it went whole
    ("massive buildings near the road", "grounded: large building near road (<= 20 m)"),
    ("the southern-most tree", "grounded: the southernmost tree"),   # it went whole
    ("the north most building", "grounded: the northernmost building"),
    ("deep blue cars", "grounded: dark blue car"),
    ("mostly white buildings", "grounded: white building"),
])
def test_more_ways_to_say_a_colour(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    # "kind of large houses" named an unknown object, 'kind'
    ("kind of large houses", "grounded: large building"),
    ("somewhat small buildings", "grounded: small building"),
    ("extra large buildings", "grounded: very large building"),
    ("not so large buildings", "grounded: not large building"),
    ("buildings that look large", "grounded: large building"),
    ("largish buildings", "grounded: large building"),
])
def test_degrees_of_a_size(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    ("buildings nowhere near the road", "grounded: building not near road (<= 20 m)"),
    ("cars not at all on the road", "grounded: car not on road"),
    ("buildings save those near the road", "grounded: building not near road (<= 20 m)"),
    ("buildings minus those near the river", "grounded: building not near water (<= 40 m)"),
])
def test_more_ways_to_say_not(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text, summary", [
    # "in the image" at the end split "and"-joined anchors into a second target
    ("cars next to buildings and trees in the image",
     "grounded: car next to building + tree (<= 5 m)"),
    ("buildings near both the road and the river in the image",
     "grounded: building near road (<= 20 m) near water (<= 40 m)"),
    ("the road the cars are on in the image", "grounded: road with car (<= 3 m)"),
    # a request before what is left out ("where are", "segment all"): it went whole
    ("where are areas without trees",
     "grounded: vehicle | building | road | vegetation except tree | water | bare land"),
    ("segment all treeless areas",
     "grounded: vehicle | building | road | vegetation except tree | water | bare land"),
    # so did "visible in the image" and "on the map"
    ("cars next to buildings and trees visible in the image",
     "grounded: car next to building + tree (<= 5 m)"),
    ("buildings between the road and the river on the map",
     "grounded: building between road + water (<= 40 m)"),
    # a request before "each building's nearest tree" made it the building nearest to a tree
    ("please show me each building's nearest tree",
     "grounded: the tree nearest to each building"),
])
def test_the_whole_image_at_the_end_and_a_request_before_each(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    ("straight roads", "grounded: straight road"),
    ("the winding river", "grounded: curved water"),
    ("a meandering stream", "grounded: curved water"),
    ("cars on the winding road", "grounded: car on curved road"),
    ("twisty roads", "grounded: curved road"),
    ("long straight roads", "grounded: long straight road"),
    ("roads that are not straight", "grounded: not straight road"),
    ("cars parked in a row", "grounded: car in a row of at least 3 car (<= 6 m apart)"),
    ("cars in a straight row", "grounded: car in a row of at least 3 car (<= 6 m apart)"),
    ("a queue of trucks", "grounded: truck in a row of at least 3 truck (<= 6 m apart)"),
    ("clusters of houses", "grounded: building in a group of at least 3 building (<= 10 m apart)"),
])
def test_a_strips_course_and_a_row(text: str, summary: str) -> None:
    """A strip's course is an attribute of its outline, a row a group in a line."""
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    ("buildings along roads running east-west",
     "grounded: building along road oriented east-west (<= 10 m)"),
    ("buildings along roads that run east-west",
     "grounded: building along road oriented east-west (<= 10 m)"),
    ("houses along the river running north-south",
     "grounded: building along water oriented north-south (<= 20 m)"),
    ("long buildings running NE-SW next to the road",
     "grounded: long building oriented northeast-southwest next to road (<= 10 m)"),
])
def test_an_axis_after_a_way_named_as_an_anchor_is_its_course(text: str, summary: str) -> None:
    """A road or a river runs some way: the axis after one named as an anchor is its own; an
    axis before the anchor stays the target's."""
    assert parse(text).summary() == summary


def test_a_use_said_by_an_adjective_and_a_settlement_gone_through() -> None:
    """"industrial buildings" are any building, said as a use is; "roads through the town"
    are in it (near its buildings), as "in the town" is; "residential areas" are no object."""
    p = parse("industrial buildings")
    assert p.summary() == "grounded: building"
    assert p.notes == ("'industrial buildings' read as any building: a building's use is not "
                       "seen from above",)
    assert parse("farm buildings next to the road").summary() == \
        "grounded: building next to road (<= 10 m)"
    assert parse("residential areas").mode == "nothing"
    for text in ("roads through the town", "roads running through the town",
                 "the main road through the village"):
        assert parse(text).summary() == "grounded: road near building (<= 20 m)", text
    assert parse("roads through the forest").summary() == "grounded: road crossing tree"


@pytest.mark.parametrize("typed,in_full", [
    # a comma before a clause says what the objects before it are (it was "buildings or ...")
    ("houses, with red roofs", "houses with red roofs"),
    ("buildings near the road, with a pool", "buildings near the road with a pool"),
    ("cars, that are white or silver", "cars that are white or silver"),
    ("roads, without cars", "roads without cars"),
    ("islands, that are in the river", "islands that are in the river"),
    ("cars, but only those on the road", "cars on the road"),   # it was every car
    ("buildings, but just the red ones", "red buildings"),
    # "the" left out, as notes are typed
    ("cars in middle of road", "cars in the middle of the road"),
    ("buildings to north of road", "buildings to the north of the road"),
    ("cars on left side of road", "cars on the left side of the road"),
    ("trees in shade of buildings", "trees in the shade of the buildings"),
    ("buildings in vicinity of river", "buildings in the vicinity of the river"),
    ("houses on same side of road as the school",
     "houses on the same side of the road as the school"),
    ("buildings not on edge of forest", "buildings not on the edge of the forest"),
    ("trees on river bank", "trees on the river bank"),   # it was on the water
    ("cars parked along kerb", "cars parked along the kerb"),
    # a number in words before a unit is the number ("twenty m apart" went whole)
    ("buildings at least twenty m apart", "buildings at least 20 m apart"),
    ("houses set back twenty metres from the road", "houses set back 20 metres from the road"),
    ("buildings twenty m or less from the road", "buildings 20 m or less from the road"),
    ("houses within fifty m of the closest river", "houses within 50 m of the closest river"),
    ("buildings over a thousand square metres", "buildings over 1000 m2"),
    # a band said with "away", a unit at each end, feet marked (they went whole, or "away"
    # took the band for a length)
    ("buildings between 50 and 100 m away from the road",
     "buildings between 50 and 100 m from the road"),
    ("houses 20m-40m from the road", "houses 20-40 m from the road"),
    ("houses 20 m to 40 m from the road", "houses 20-40 m from the road"),
    ("buildings within 1000' of the road", "buildings within 1000 ft of the road"),
    ("buildings between 100 and 200 m2 in size", "buildings between 100 and 200 m2"),
    # a rectangle's sides in any unit of length ("15 metres x 20 metres" went whole)
    ("buildings larger than 15 metres x 20 metres", "buildings larger than 15 m x 20 m"),
    ("buildings bigger than 10 feet by 20 feet", "buildings bigger than 10 x 20 ft"),
    # "close to" a part of the image is near it, as "near" is (it went whole)
    ("buildings close to the centre of the image", "buildings near the centre of the image"),
])
def test_commas_articles_and_numbers_as_typed_in_haste(typed: str, in_full: str) -> None:
    """What a hurried analyst leaves out or adds reads as the expression written out."""
    assert parse(typed).summary() == parse(in_full).summary()
    assert parse(typed).mode == "grounded"


def test_a_comma_still_lists_objects_and_on_top_of_keeps_no_article() -> None:
    assert parse("cars, trucks and buses").summary() == "grounded: car + truck + bus"
    assert parse("cars on top of buildings").summary() == "grounded: car on building"
    assert parse("the two largest buildings").summary() == "grounded: the 2 largest building"


def test_objects_in_their_own_kind_go_whole_and_tree_kinds_are_said() -> None:
    """"trees in the forest": the forest is the trees' own objects, which no other tree lies
    on (it kept none, and "outside the forest" every tree); a forest's kind is no species
    the grounding tells apart."""
    for text in ("trees in the forest", "trees outside the forest", "cars on cars"):
        assert parse(text).mode == "end_to_end", text
    assert parse("buildings in the forest").summary() == "grounded: building on tree"
    assert parse("small buildings inside the largest building").mode == "grounded"
    assert "'coniferous' asks for a species or a crop, which the grounding does not tell " \
        "apart" in parse("coniferous trees").messages()


@pytest.mark.parametrize("typed,meant", [
    # OpenStreetMap tags, as analysts who map type them (they went whole)
    ("building=yes", "buildings"), ("highway=primary", "roads"),
    ("highway=footway", "footpaths"), ("natural=water", "water"), ("landuse=forest", "forest"),
    ("natural=tree_row along highway=residential", "tree rows along roads"),
    ("amenity=parking", "parking lots"), ("building = house within 20 m of waterway=river",
                                         "buildings within 20 m of the river"),
    ("cars in landuse=industrial", "cars in industrial areas"),
    # a field's name before the class in it
    ("class = building", "buildings"), ("type: car", "cars"),
    ("objects of type vehicle", "vehicles"), ("kind of large houses", "large houses"),
    # more names of roads, junctions, buildings and green ground (they went whole, or
    # "nothing")
    ("cars on the dual carriageway", "cars on the road"), ("slip roads", "roads"),
    ("cars on the overpass", "cars on the road"), ("highway ramps", "roads"),
    ("cars at the interchange", "cars at the junction"), ("strip malls", "buildings"),
    ("allotments", "vegetation"), ("community gardens", "vegetation"),
    ("baseball fields", "sports fields"), ("the athletic field", "the sports field"),
    ("emergency vehicles", "vehicles"), ("delivery vehicles near the warehouse",
                                         "vehicles near the warehouse"),
])
def test_tags_and_fields_as_typed_in_gis(typed: str, meant: str) -> None:
    assert parse(typed).summary() == parse(meant).summary()
    assert parse(typed).mode != "end_to_end"


@pytest.mark.parametrize("text,summary", [
    # a count of one more thing had after "and" (it went whole: "at least" began a distance)
    ("roads with trees and at least 10 cars",
     "grounded: road with tree (<= 5 m) with at least 10 car (<= 3 m)"),
    ("houses with a pool and more than 2 cars",
     "grounded: building with water (<= 20 m) with at least 3 car (<= 5 m)"),
    ("buildings with a garden and no more than 1 car",
     "grounded: building with vegetation (<= 5 m) with fewer than 2 car (<= 5 m)"),
    # two counts in order, a handful (they went whole)
    ("buildings with one or two cars nearby",
     "grounded: building near between 1 and 2 car (<= 10 m)"),
    ("parking lots with a handful of cars",
     "grounded: parking lot with between 2 and 5 car (<= 3 m)"),
    # a distance after "and" stays the target's
    ("buildings near the road and at least 20 m from the river",
     "grounded: building near road (<= 20 m) more than 20 m from water"),
    # said of the objects after their name, in a question too (they went whole)
    ("which parking lots are empty", "grounded: parking lot without vehicle (<= 3 m)"),
    ("which roads are busy", "grounded: road with at least 5 vehicle (<= 3 m)"),
    ("trees that are isolated", "grounded: tree far from tree (> 20 m)"),
])
def test_a_count_had_after_and(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    # neighbours counted: of the objects first named; "other" and "neighbouring" after a
    # count (they went whole)
    ("buildings with more than 3 neighbours within 20 m",
     "grounded: building within 20 m of at least 4 building"),
    ("houses with many neighbours", "grounded: building with at least 5 building (<= 5 m)"),
    ("trees with few neighbours", "grounded: tree with fewer than 3 tree (<= 5 m)"),
    ("buildings without neighbours", "grounded: building without building (<= 5 m)"),
    ("buildings with at least 3 other buildings nearby",
     "grounded: building near at least 3 building (<= 10 m)"),
    ("buildings within 20 m of at least three other buildings",
     "grounded: building within 20 m of at least 3 building"),
    ("buildings with at least 3 neighbouring buildings within 20 m",
     "grounded: building within 20 m of at least 3 building"),
    ("the 3 other buildings", "end to end: 'the 3 other buildings' (no object named at '3')"),
    ("buildings larger than the cars around them", "grounded: building larger than car within "
     "10 m"),   # "than" is no count
    # the edge of an area: the area, from outside it (they went whole)
    ("buildings near the forest edge", "grounded: building near tree (<= 10 m)"),
    ("buildings within 50 m of the edge of the forest", "grounded: building within 50 m of tree"),
    ("buildings far from the boundary of the park", "grounded: building far from vegetation "
     "(> 20 m)"),
    ("cars near the edge of the image", "grounded: car near the image edge (outer 10%)"),
    # a zone, strip, corridor or band of a width along something: within it
    ("buildings in the 100 m zone along the river", "grounded: building within 100 m of water"),
    ("buildings in a 20 m strip along the road", "grounded: building within 20 m of road"),
    ("buildings outside the 50 m corridor along the road",
     "grounded: building more than 50 m from road"),
    # cover of a kind is the kind; exposed ground is bare land; queuing is where they are
    ("grass cover", "grounded: low vegetation"), ("canopy cover", "grounded: tree"),
    ("exposed soil", "grounded: bare land"), ("bare earth", "grounded: bare land"),
    ("vehicles queuing on the road", "grounded: vehicle on road"),
    # a shape said with a noun, a quantile of sizes (they went whole)
    ("buildings with an irregular shape", "grounded: irregular building"),
    ("buildings of complex shape", "grounded: irregular building"),
    ("roads with a winding course", "grounded: curved road"),
    ("the housing complex", "grounded: building"),
    ("buildings in the top quartile by size", "grounded: the largest 25 % building"),
    ("buildings in the bottom decile", "grounded: the smallest 10 % building"),
    # "a single car" is a car, "every single tree" every one, "single trees" isolated ones;
    # a long row is a row (not of long objects); single-family houses: a use, said
    ("a single car on the road", "grounded: car on road"), ("every single tree", "grounded: tree"),
    ("single trees", "grounded: tree far from tree (> 20 m)"),
    ("long rows of houses", "grounded: building in a row of at least 3 building (<= 10 m apart)"),
    ("single-family homes near the road", "grounded: building near road (<= 20 m)"),
    # as a query or a specification is typed (they went whole)
    ("SELECT buildings WHERE distance to road < 20 m", "grounded: building within 20 m of road"),
    ("buildings WHERE area >= 200 AND distance_to_road <= 30 m",
     "grounded: building over 200 m2 within 30 m of road"),
    ("buildings with distance from the road > 50 m", "grounded: building more than 50 m from road"),
    ("cars where colour = red", "grounded: red car"),
    ("cars with the colour red", "grounded: red car"),
    ("cars whose color is light blue", "grounded: light blue car"),
    ("building(s) near road(s)", "grounded: building near road (<= 20 m)"),
    ("bus(es)", "grounded: bus"),
    # traffic: a jam is vehicles in a row on the road, quiet streets have few, deserted ones
    # none; the back (rear, front) of a building is beside it (they went whole, or "nothing")
    ("a traffic jam", "grounded: vehicle in a row of at least 3 vehicle (<= 6 m apart) on road"),
    ("traffic jams on the highway",
     "grounded: vehicle in a row of at least 3 vehicle (<= 6 m apart) on road"),
    ("cars stuck in traffic", "grounded: car in a row of at least 3 car (<= 6 m apart) on road"),
    ("quiet streets", "grounded: road with fewer than 3 vehicle (<= 3 m)"),
    ("deserted roads", "grounded: road without vehicle (<= 3 m)"),
    ("cars at the back of the house", "grounded: car next to building (<= 5 m)"),
    # the shore (banks) of the water: along it, near it, or its edge asked for; more water
    # and a dry riverbed (they went whole, or "nothing")
    ("trees on the shore of the lake", "grounded: tree along water (<= 10 m)"),
    ("buildings near the shore of the lake", "grounded: building near water (<= 40 m)"),
    ("the banks of the river", "grounded: water"), ("puddles", "grounded: water"),
    ("the harbour", "grounded: water"), ("the dry riverbed", "grounded: bare land"),
    # scattered (dotted) across a place: in it; spread out across it: far apart in it; bike
    # paths and cycle lanes (they went whole)
    ("trees scattered across the field", "grounded: tree on vegetation"),
    ("trees spread out across the park", "grounded: tree far from tree (> 20 m) on vegetation"),
    ("the bike path along the river", "grounded: bikeway along water (<= 20 m)"),
    # around the image's edge is near it; cut off at it is cut by it (they went whole)
    ("buildings around the edge of the image",
     "grounded: building near the image edge (outer 10%)"),
    ("buildings cut off at the edge", "grounded: building at the image edge"),
    ("buildings around the edge of the forest", "grounded: building near tree (<= 10 m)"),
    # pairs: groups of 2, exactly 2 had (they went whole)
    ("cars parked in pairs", "grounded: car in a group of at least 2 car (<= 6 m apart)"),
    ("buildings with a pair of cars", "grounded: building with exactly 2 car (<= 5 m)"),
    # a share or a density of objects asked: the objects (it was "nothing"); high- and
    # low-density housing; partly surrounded: next to; in dense areas: near dense buildings
    # (the cars were on them)
    ("the proportion of buildings near the road", "grounded: building near road (<= 20 m)"),
    ("the density of trees per hectare", "grounded: tree"),
    ("high density housing", "grounded: building in a group of at least 3 building "
     "(<= 10 m apart)"),
    ("buildings partly surrounded by trees", "grounded: building next to tree (<= 5 m)"),
    ("buildings mostly surrounded by trees", "grounded: building surrounded by tree"),
    ("cars in dense urban areas", "grounded: car near (building in a group of at least 3 "
     "building (<= 10 m apart)) (<= 10 m)"),
    ("cars in areas with low building density",
     "grounded: car near (building far from building (> 20 m)) (<= 10 m)"),   # on them
    # requests for a layer, for help, a label with "=" (they went whole, or "nothing")
    ("help me find cars on the bridge", "grounded: car on road bridge over water"),
    ("cars on the bridge over the river", "grounded: car on road bridge over water"),
    ("the bridge across the canal", "grounded: road bridge over water"),
    ("the bridge over the road", "grounded: road"),
    ("give me a layer of trees", "grounded: tree"), ("make polygons of the houses",
                                                      "grounded: building"),
    ("create a new vector layer of buildings near the road",
     "grounded: building near road (<= 20 m)"),
    ("query = cars on road", "grounded: car on road"), ("task: segment buildings",
                                                         "grounded: building"),
    # a road "leading to" a place after its name is the road's (the trees were at the
    # village); after the two objects of "between", what the target lacks or is (it went
    # whole), a "with" the second object's
    ("trees along the road leading to the village",
     "grounded: tree along (road within 1 m of building) (<= 5 m)"),
    ("the road leading to the village", "grounded: road within 1 m of building"),
    ("small buildings between the river and the road with no trees nearby",
     "grounded: small building between water + road (<= 40 m) not near tree (<= 10 m)"),
    ("buildings between the road and the river that are large",
     "grounded: large building between road + water (<= 40 m)"),
    ("trucks between the road and the river but surrounded by trees",
     "grounded: truck between road + water (<= 40 m) surrounded by tree"),
    ("houses between the road and the river near the school",
     "grounded: building between road + water (<= 40 m) near building (<= 10 m)"),
    ("trees between the road and the house with a pool", "end to end: 'trees between the road "
     "and the house with a pool' ('between' objects described differently at 'with')"),
    # "then" typed for "than" after a comparison; a minimum (maximum) distance (they went
    # whole, the first offered mended)
    ("buildings less then 30 m from the road", "grounded: building within 30 m of road"),
    ("parking lots with fewer then 5 cars", "grounded: parking lot with fewer than 5 car (<= 3 m)"),
    ("buildings at a minimum distance of 30 m from the road",
     "grounded: building more than 30 m from road"),
    # a distance before a compass point is from the anchor (they were lengths)
    ("buildings more than 50 m north of the road",
     "grounded: building north of road more than 50 m from road"),
    ("buildings between 50 and 100 m north of the road",
     "grounded: building north of road more than 50 m from road within 100 m of road"),
    ("buildings less than 50 m north of the road",
     "grounded: building north of road within 50 m of road"),
    ("buildings more than 50 m long", "grounded: building over 50 m long"),
    ("buildings north from the road", "grounded: building north of road"),
    ("buildings away from the centre", "grounded: building not in the centre of the image"),
    ("18-wheelers", "grounded: truck"), ("HGVs", "grounded: truck"), ("matatus", "grounded: van"),
    ("roads carrying heavy traffic", "grounded: road with at least 5 vehicle (<= 3 m)"),
    ("land occupied by trees", "grounded: tree"), ("areas dominated by grass",
                                                   "grounded: low vegetation"),
    ("trees overshadowing houses", "grounded: tree within 1 m of building"),
    # as typed: "eachother", "side-by-side", "one other"; how they stand ("built close
    # together"); a dense (isolated) cluster is a cluster (isolated, its members were never
    # kept), the densest area the largest cluster (they went whole, or "nothing")
    ("buildings within 10m of eachother", "grounded: building within 10 m of building"),
    ("cars parked side-by-side", "grounded: car next to car (<= 3 m)"),
    ("houses built close together", "grounded: building near building (<= 10 m)"),
    ("isolated clusters of buildings",
     "grounded: building in a group of at least 3 building (<= 10 m apart)"),
    ("the densest area of buildings",
     "grounded: building in the largest group of building (<= 10 m apart)"),
    ("the roads that are busy", "grounded: road with at least 5 vehicle (<= 3 m)"),   # whole
    ("the route to the hospital", "grounded: road within 1 m of building"),   # "nothing"
    ("routes along the river", "grounded: road along water (<= 20 m)"),
    # a relation said once for two objects: near the road but not (near) the river (it was
    # "except water"); of the target's own group, an exception
    ("buildings near the road but not the river",
     "grounded: building near road (<= 20 m) not near water (<= 40 m)"),
    ("buildings neither near the road nor the river",
     "grounded: building not near road (<= 20 m) not near water (<= 40 m)"),
    ("buildings within 50 m of the road but not the river",
     "grounded: building within 50 m of road not within 50 m of water"),
    ("cars on the road but not the trucks", "grounded: car on road except truck"),
    ("the bigger one of the two houses", "grounded: the largest building"),   # it went whole
    # trees "in" a street are street trees, along it (they were on it); "on" it stays
    ("trees in the street", "grounded: tree along road (<= 5 m)"),
    ("trees on the street", "grounded: tree on road"),
    ("grass in the road", "grounded: low vegetation on road"),
    # counts had: a single one, one only, at least a (they went whole, or at least one)
    ("houses with a single car", "grounded: building with exactly 1 car (<= 5 m)"),
    ("houses with one car only", "grounded: building with exactly 1 car (<= 5 m)"),
    ("houses with at least a car", "grounded: building with at least 1 car (<= 5 m)"),
    ("roads at least as wide as the main road", "grounded: road wider than road"),   # whole
    ("buildings at most as large as the largest house",
     "grounded: building smaller than the largest building"),
    # where a thing had lies: beside them anyway (the garden was the houses' own, the others
    # went whole)
    ("houses with a pool in the garden", "grounded: building with water (<= 20 m)"),
    ("houses with a garden at the back", "grounded: building with vegetation (<= 5 m)"),
    ("houses with a car outside", "grounded: building next to car (<= 5 m)"),
    ("buildings with a courtyard inside", "grounded: courtyard building"),
    # areas as written: thousands with "k", "sq. m.", square miles and yards (they went whole)
    ("buildings over 10k sq ft", "grounded: building over 929.03 m2"),
    ("buildings bigger than 100 sq. m.", "grounded: building over 100 m2"),
    ("lakes over 1 square mile", "grounded: water over 2589988 m2"),
    ("ponds under 100 sq yards", "grounded: water under 83.6127 m2"),
    ("houses with roofs of more than 100 m2", "grounded: building over 100 m2"),   # whole
    ("rooftop pools", "grounded: water on building"),   # it went whole
    ("buildings constructed near the river", "grounded: building near water (<= 40 m)"),
    # where they were built, what lines them, what stands along their banks (they went whole)
    ("show me the buildings that were built near the river",
     "grounded: building near water (<= 40 m)"),
    ("the houses which have been built along the road", "grounded: building along road (<= 10 m)"),
    ("the built up area near the river", "grounded: building near water (<= 40 m)"),
    ("roads lined by trees", "grounded: road with tree (<= 5 m)"),
    ("rivers with trees along their banks", "grounded: water along tree (<= 10 m)"),
])
def test_neighbours_edges_and_zones(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    # a rank kept in each anchor object, or on each side of it (they were one object in all)
    ("the largest car in each parking lot", "grounded: the largest car on each parking lot"),
    ("the smallest car on every parking lot", "grounded: the smallest car on each parking lot"),
    ("for every parking lot, the largest car", "grounded: the largest car on each parking lot"),
    ("each parking lot's largest car", "grounded: the largest car on each parking lot"),
    ("the largest car of each parking lot", "grounded: the largest car on each parking lot"),
    ("the largest car per parking lot", "grounded: the largest car on each parking lot"),
    ("the second largest red car of each road", "grounded: the 2nd largest red car on each road"),
    ("in each parking lot, the largest car", "grounded: the largest car on each parking lot"),
    ("along every road, the 2 largest buildings",
     "grounded: the 2 largest building along each road (<= 10 m)"),
    ("near the river, the largest building", "grounded: the largest building near water (<= 40 m)"),
    ("close to the river, the largest building",
     "grounded: the largest building near water (<= 40 m)"),
    ("in the parking lot, the largest car", "grounded: the largest car on parking lot"),
    ("buildings nowhere in the vicinity of the road", "grounded: building not near road (<= 20 m)"),
    ("cars parked alongside both sides of the street", "grounded: car along road (<= 3 m)"),
    ("the 2 largest buildings along every road",
     "grounded: the 2 largest building along each road (<= 10 m)"),
    ("the darkest car on each road", "grounded: the darkest car on each road"),
    ("the largest building on each side of the road",
     "grounded: the largest building next to each side of road (<= 10 m)"),
    ("the biggest house on either side of the river",
     "grounded: the largest building next to each side of water (<= 20 m)"),
    ("the largest buildings on both sides of the road",
     "grounded: the largest building next to each side of road (<= 10 m)"),
    # no rank, or a negation, or a distance rank: as before
    ("cars in each parking lot", "grounded: car on parking lot"),
    ("cars per parking lot", "grounded: car on parking lot"),
    ("the largest building not in each parking lot",
     "grounded: the largest building not on parking lot"),
    ("the car nearest to each building", "grounded: the car nearest to each building"),
    ("the top 10 per cent of buildings", "grounded: the largest 10 % building"),
    # "at" water is by it; "at" a road, for a building or a tree, along it (on water or the
    # road before)
    ("houses at the lake", "grounded: building next to water (<= 20 m)"),
    ("cars at the lake", "grounded: car next to water (<= 20 m)"),
    ("trees at the river", "grounded: tree next to water (<= 10 m)"),
    ("buildings at the road", "grounded: building along road (<= 10 m)"),
    ("trees at the road", "grounded: tree along road (<= 5 m)"),
    ("cars at the road", "grounded: car on road"),
    ("buildings at the island", "grounded: building on island in water"),
    # a part of another's measure, and "twice the size of" without "more than" (they went
    # whole)
    ("houses half the size of the church", "grounded: building smaller than 0.5 times building"),
    ("buildings half as large as the school",
     "grounded: building smaller than 0.5 times building"),
    ("cars a third of the length of the bus", "grounded: car shorter than 0.333 times bus"),
    ("roads at least a quarter of the width of the highway",
     "grounded: road wider than 0.25 times road"),
    ("buildings more than half as large as the school",
     "grounded: building larger than 0.5 times building"),
    ("buildings twice the size of the school", "grounded: building larger than 2 times building"),
    ("buildings half the size of the school or larger",
     "grounded: building larger than 0.5 times building"),
    ("cars half as long as the bus or longer", "grounded: car longer than 0.5 times bus"),
    # "one" after a colour or a rank, as an anchor: the target's kind (they went whole)
    ("cars longer than the red one", "grounded: car longer than red car"),
    ("buildings half the size of the largest one",
     "grounded: building smaller than 0.5 times the largest building"),
    ("buildings adjacent to largest one", "grounded: building next to the largest building "
     "(<= 5 m)"),
    ("buildings three times the area of the house",
     "grounded: building larger than 3 times building"),
    ("buildings in the top half of the image", "grounded: building in the top of the image"),
    ("buildings more than twice the average size", "grounded: building larger than 2 times "
     "average"),
    ("houses three times larger than the average house",
     "grounded: building larger than 3 times average"),
    ("cars half as long as the average car", "grounded: car shorter than 0.5 times average"),
    ("buildings half the average size", "grounded: building smaller than 0.5 times average"),
    # a setback, and what breaks it (they went whole)
    ("buildings within 30 m setback of the river", "grounded: building within 30 m of water"),
    ("buildings violating the 30 m setback from the river",
     "grounded: building within 30 m of water"),
    ("buildings encroaching on the 15 m road buffer", "grounded: building within 15 m of road"),
    ("buildings outside the 50 m river setback", "grounded: building more than 50 m from water"),
    ("houses encroaching on the road", "grounded: building within 1 m of road"),
    # under water; a shade cast: over it from a crown, beside it from a building (the shade
    # went whole, a building's was over it)
    ("cars submerged in water", "grounded: car within 1 m of water"),
    ("roads flooded by the river", "grounded: road within 1 m of water"),
    ("trees casting shade on cars", "grounded: tree within 1 m of car"),
    ("buildings casting shadows on the road", "grounded: building next to road (<= 10 m)"),
    ("buildings shading the road", "grounded: building next to road (<= 10 m)"),
    ("trees shading the road", "grounded: tree within 1 m of road"),
    # a half more; a count of the objects near as a "number"; a rank "among those" (they went
    # whole, or "the largest number of cars" was the largest car, "the roads connecting the
    # two largest buildings" one of them)
    ("fields larger than one and a half hectares", "grounded: vegetation over 15000 m2"),
    ("buildings within 2 and a half km of the river", "grounded: building within 2500 m of water"),
    ("the building with the largest number of cars around it",
     "grounded: the building with the most car (<= 10 m)"),
    ("the parking lot with the lowest number of cars",
     "grounded: the parking lot with the fewest car (<= 3 m)"),
    ("the road with the most traffic", "grounded: the road with the most vehicle (<= 3 m)"),
    ("the street with the least traffic", "grounded: the road with the fewest vehicle (<= 3 m)"),
    ("the darkest building among those near the river",
     "grounded: the darkest building near water (<= 40 m)"),
    ("the largest building of those along the road",
     "grounded: the largest building along road (<= 10 m)"),
    ("the roads connecting the two largest buildings",
     "grounded: road within 1 m of the 2 largest building"),
    ("roads connecting the two villages", "grounded: road within 1 m of building"),
    # as an attribute table says it: a measure after the name, a comma or a semicolon; a
    # distance before its anchor; a centroid in it; a buffer intersected (they went whole)
    ("buildings, area > 100", "grounded: building over 100 m2"),
    ("roads; width > 6 m", "grounded: road over 6 m wide"),
    ("vehicles, length > 5 m", "grounded: vehicle over 5 m long"),
    ("building footprint area between 50 and 100", "grounded: building over 50 m2 under 100 m2"),
    ("trees dist < 5 m from road", "grounded: tree within 5 m of road"),
    ("buildings with distance > 100 m from the river",
     "grounded: building more than 100 m from water"),
    ("buildings with centroid inside the parking lot", "grounded: building on parking lot"),
    ("cars whose centroid lies on the road", "grounded: car on road"),
    ("the set of buildings that intersect the 20 m road buffer",
     "grounded: building within 20 m of road"),
    # as a request is written in full: asking someone, what is needed and for what, who
    # wants it, why, hedged (they went whole)
    ("I would like you to find all of the buildings which are located within approximately "
     "fifty metres of the river", "grounded: building within 50 m of water"),
    ("for our survey we need every building that is more than 200 square metres",
     "grounded: building over 200 m2"),
    ("we need to map all the roads that pass near the lake for our flood risk assessment",
     "grounded: road near water (<= 40 m)"),
    ("what I need is the road network", "grounded: road"),
    ("our team is interested in vegetation patches near settlements",
     "grounded: vegetation near building (<= 10 m)"),
    ("mark every vehicle that isn't on a road, because those might be illegally parked",
     "grounded: vehicle not on road"),
    ("could you please highlight every vehicle that appears to be parked along the side of the "
     "road", "grounded: vehicle along road (<= 3 m)"),
    ("can you identify any trees that might be growing too close to the buildings",
     "grounded: tree near building (<= 10 m)"),
    ("find the cars that seem to be parked on the grass instead of on the road",
     "grounded: car on low vegetation not on road"),
    ("extract the building footprints but skip anything smaller than 20 m2",
     "grounded: building not under 20 m2"),
    ("buildings except anything smaller than 20 m2", "grounded: building not under 20 m2"),
    ("only vehicles, ignore everything else", "grounded: vehicle"),
    ("just the trees, nothing else", "grounded: tree"),
    ("the water, and also the trees around it", "grounded: water | tree near water (<= 20 m)"),
    ("the remaining buildings after excluding the 5 largest",
     "grounded: all but the 5 largest building"),
    ("cars by the side of the road", "grounded: car next to road (<= 3 m)"),
    # a road's junction named by the road's other names; vehicles "in" a building are in its
    # grounds ("outside" stays not on it; they went whole, or were on the roof)
    ("the motorway junction", "grounded: road junction"),
    ("cars at the highway intersection", "grounded: car on road junction"),
    ("cars in the petrol station", "grounded: car next to building (<= 5 m)"),
    ("lorries in the depot", "grounded: truck next to building (<= 5 m)"),
    ("cars outside buildings", "grounded: car not on building"),
    ("cars in the parking lot", "grounded: car on parking lot"),
    # a course after a part of the image is no part of it (it was the bottom centre, or went
    # whole); an overpass said over a road is the overpass
    ("the road in the middle running north-south",
     "grounded: road oriented north-south in the centre of the image"),
    ("the road in the middle from top to bottom",
     "grounded: road oriented north-south in the centre of the image"),
    ("the river on the left from top to bottom",
     "grounded: water oriented north-south in the left of the image"),
    ("the road in the north running east-west",
     "grounded: road oriented east-west in the top of the image"),
    ("cars in the north east", "grounded: car in the top right of the image"),
    ("the overpass over the highway", "grounded: road"),
    # a junction "of two roads", "where two roads meet"; a shape said as a thing (they went
    # whole)
    ("buildings at the intersection of two roads",
     "grounded: building next to road junction (<= 10 m)"),
    ("the junction of the two roads", "grounded: road junction"),
    ("cars where two roads meet", "grounded: car on road junction"),
    ("the building in the shape of a ring", "grounded: courtyard building"),
    ("the building in the shape of an L", "grounded: not rectangular building"),
    ("buildings in the shape of a circle", "grounded: compact building"),
    ("the house in the form of a rectangle", "grounded: rectangular building"),
    # a length or a width like another's (they went whole)
    ("roads as wide as the main road", "grounded: road similar in width to road"),
    ("cars the same length as the van", "grounded: car similar in length to van"),
    ("roads of similar width to the highway", "grounded: road similar in width to road"),
    ("roads at least as wide as the main road", "grounded: road wider than road"),
    # negations: "all trees but the ones along the road" (it was those along it), "areas that
    # are not vegetated", "anything but white", "non-residential" (they went whole)
    ("all trees but the ones along the road", "grounded: tree not along road (<= 5 m)"),
    ("every car but those on the road", "grounded: car not on road"),
    ("cars that are anything but white", "grounded: not white car"),
    ("non-residential buildings", "grounded: building"),
    ("all buildings but the largest", "grounded: all but the largest building"),
    # a length or a width said with its noun and no comparison is about it; "of length";
    # "sqft", "sqkm"; "with a distance of" (they went whole)
    ("cars with a length of 5 m", "grounded: car over 4 m long under 6 m long"),
    ("roads of width 6 m", "grounded: road over 4.8 m wide under 7.2 m wide"),
    ("cars of length over 5 m", "grounded: car over 5 m long"),
    ("trees with a diameter of 8 m", "grounded: tree over 6.4 m across under 9.6 m across"),
    ("cars 5 m from the road", "grounded: car within 5 m of road"),
    ("ponds smaller than 500 sqft", "grounded: water under 46.4515 m2"),
    ("lakes larger than 2 sqkm", "grounded: water over 2000000 m2"),
    ("buildings with a distance of 5 m to the road", "grounded: building within 5 m of road"),
    # every one of them (they went whole); "hundreds of" cars had: at least 100
    ("hundreds of trees", "grounded: tree"),
    ("each and every building", "grounded: building"),
    ("as many trees as possible", "grounded: tree"),
    ("as many as possible buildings", "grounded: building"),
    ("parking lots with hundreds of cars", "grounded: parking lot with at least 100 car (<= 3 m)"),
    # a parking lot or a garden "of" a building is the one next to it, an anchor too (they
    # went whole)
    ("cars in the parking lot of the largest building",
     "grounded: car on (parking lot next to the largest building (<= 10 m))"),
    ("the largest building's parking lot",
     "grounded: parking lot next to the largest building (<= 10 m)"),
    ("the trees in the garden of the white house",
     "grounded: tree on (vegetation next to white building (<= 5 m))"),
    ("cars in the parking lot of each building",
     "grounded: car on (parking lot next to building (<= 10 m))"),
    ("the largest tree in the garden of each house",
     "grounded: the largest tree on each (vegetation next to building (<= 5 m))"),
    ("trees in the backyard of the largest house",
     "grounded: tree next to the largest building (<= 5 m) not on road"),
    # vehicles parked (standing, stopped) somewhere after a relation are the anchor's clause
    # (it was said of the target: buildings along the road)
    ("buildings near cars parked on the road", "grounded: building near (car on road) (<= 10 m)"),
    ("the tree next to the car parked on the road",
     "grounded: tree next to (car on road) (<= 5 m)"),
    ("the building closest to the cars parked on the bridge",
     "grounded: the building nearest to (car on road bridge over water)"),
    ("cars parked on the road", "grounded: car on road"),
    ("buildings with cars parked outside", "grounded: building next to car (<= 5 m)"),
    # an image described ("i see", "the image shows", "in this image there are"), "do the
    # needful", "of big width", "the more near ... to" (they went whole)
    ("i see cars on the road", "grounded: car on road"),
    ("we can see trees along the river", "grounded: tree along water (<= 10 m)"),
    ("the image shows buildings near water", "grounded: building near water (<= 40 m)"),
    ("in this image there are many cars", "grounded: car"),
    ("kindly do the needful and mark all buildings near the road",
     "grounded: building near road (<= 20 m)"),
    ("roads of big width", "grounded: wide road"),
    ("trucks of great length", "grounded: long truck"),
    ("the more near building to the river", "grounded: the building nearest to water"),
    # two parts of the image joined by "and" are either (the second replaced the first); two
    # said one after the other go whole (both, or either?)
    ("cars on the left and on the right",
     "grounded: car in the left of the image | car in the right of the image"),
    ("buildings in the north and south",
     "grounded: building in the top of the image | building in the bottom of the image"),
    ("buildings in the top left and bottom right",
     "grounded: building in the top left of the image | building in the bottom right of the "
     "image"),
    ("the largest house on the left and on the right",
     "grounded: the largest building in the left of the image | the largest building in the "
     "right of the image"),
    ("cars north and south of the road", "grounded: car north of road | car south of road"),
    # what was said before the parts is said of each (the second part had the name alone)
    ("red cars near the road in the north or in the south",
     "grounded: red car near road (<= 6 m) in the top of the image | red car near road (<= 6 m) "
     "in the bottom of the image"),
    ("trees surrounded by the lake on the left and on the right",
     "grounded: tree surrounded by water in the left of the image | tree surrounded by water in "
     "the right of the image"),
    ("cars in the north or the south",
     "grounded: car in the top of the image | car in the bottom of the image"),
    ("buildings in the north or near the road",
     "grounded: building in the top of the image | building near road (<= 20 m)"),
    ("buildings in the north near the road or near the river",
     "grounded: building near road (<= 20 m) in the top of the image | building near water "
     "(<= 40 m) in the top of the image"),
    ("small buildings clustered near the water", "grounded: small building in a group of at "
     "least 3 building (<= 10 m apart) near water (<= 40 m)"),
    ("buildings clustered", "grounded: building in a group of at least 3 building (<= 10 m "
     "apart)"),
    ("buildings near the school next to the road or next to the river",
     "grounded: building near building (<= 10 m) next to road (<= 10 m) | building near "
     "building (<= 10 m) next to water (<= 20 m)"),
    # what a car cannot have after an anchor is the anchor's (it was the car's)
    ("cars near the house with a pool", "grounded: car near (building with water (<= 20 m)) "
     "(<= 10 m)"),
    ("cars near the building with many trees",
     "grounded: car near (building with at least 5 tree (<= 5 m)) (<= 10 m)"),
    ("cars near the house without a garden",
     "grounded: car near (building without vegetation (<= 5 m)) (<= 10 m)"),
    ("cars next to the building with a courtyard",
     "grounded: car next to courtyard building (<= 5 m)"),
    ("cars with trees nearby", "grounded: car near tree (<= 10 m)"),
    ("houses near the lake with a pool",
     "grounded: building near water (<= 40 m) with water (<= 20 m)"),
    ("cars in the north and not in the west",
     "end to end: 'cars in the north and not in the west' (two parts of the image at the end)"),
    ("the northern buildings in the south",
     "end to end: 'the northern buildings in the south' (two parts of the image at the end)"),
    ("trees along the sides of the road", "grounded: tree along road (<= 5 m)"),
    ("the client wants all trees within 5 m of power lines",
     "end to end: 'the client wants all trees within 5 m of power lines' (words outside the "
     "grounding vocabulary)"),
])
def test_a_rank_in_each_anchor_a_place_and_a_part_of_a_measure(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


def test_areas_said_not_covered_are_everything_else() -> None:
    """"areas that are not vegetated" as "non-vegetated areas" (it went whole)."""
    for said, as_ in (("areas that are not vegetated", "non-vegetated areas"),
                      ("land which is unforested", "unforested land")):
        assert parse(said).summary() == parse(as_).summary(), said
    assert "| water |" in parse("areas that are not vegetated").summary()


@pytest.mark.parametrize("text,summary", [
    ("the part of the road near the river", "grounded: part of road near water (<= 40 m)"),
    ("the stretch of road along the river", "grounded: part of road along water (<= 20 m)"),
    ("the parts of the forest within 100 m of the road",
     "grounded: part of tree within 100 m of road"),
    ("the part of the forest more than 50 m from the road",
     "grounded: part of tree more than 50 m from road"),
    ("the section of the river in the north of the image",
     "grounded: part of water in the top of the image"),
    ("the segment of the river next to the village",   # "segment" is a request too
     "grounded: part of water next to building (<= 20 m)"),
    ("the portion of the field that is not covered by trees",
     "grounded: part of vegetation not on tree"),
    ("the part of the road between the two junctions",
     "grounded: part of road between road junction (<= 10 m)"),
    ("the part of the lake north of the road", "grounded: part of water north of road"),
    ("the ground between the road and the river",   # everything there, cut to the ground
     "grounded: part of vehicle between road + water (<= 40 m) | part of building between road "
     "+ water (<= 40 m) | part of vegetation between road + water (<= 20 m) | part of bare land "
     "between road + water (<= 10 m)"),
    ("the parts of the field not north of the river",
     "grounded: part of vegetation not north of water"),
    ("segment the roads near the river", "grounded: road near water (<= 40 m)"),
    ("the part of the large forest near the road",
     "grounded: part of large tree near road (<= 10 m)"),
    ("the part of the largest forest near the road",   # the largest forest, then its part
     "grounded: part of the largest tree near road (<= 10 m)"),
    # a relation no ground can be cut to: a collective noun is the objects, as before
    ("a stretch of road parallel to the river", "grounded: road parallel to water (<= 40 m)"),
    ("the part of the river that flows through the forest",
     "grounded: part of water crossing tree"),
    ("the largest stretch of water", "grounded: the largest water"),
    # "part" asks for a part: without a place to cut it to, whole
    ("the part of the road", "end to end: 'the part of the road' (a part of an object but "
     "where it is near, on, in, far from, between, crossing or a compass point from another, "
     "or in a part of the image at the end)"),
    ("the part of the image with cars",
     "end to end: 'the part of the image with cars' (no object named at 'part')"),
])
def test_a_part_of_an_object_where_a_relation_holds(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


def test_ways_that_run_through_an_object_cross_it() -> None:
    """"the road that runs through the forest" went whole ("runs" then "through")."""
    for text in ("the road that runs through the forest", "roads that pass through the forest",
                 "the river flowing through the forest"):
        assert parse(text).summary().endswith("crossing tree"), text


@pytest.mark.parametrize("text,summary", [
    # GIS operations said as such (they went whole)
    ("clip the forest to 100 m around the road", "grounded: part of tree within 100 m of road"),
    ("clip the roads to 20 m of the river", "grounded: part of road within 20 m of water"),
    ("buffer the river by 50 m and select the buildings inside",
     "grounded: building within 50 m of water"),
    ("buffer the road by 10 m, then select all trees that intersect it",
     "grounded: tree within 10 m of road"),
    ("select by location: buildings that intersect the road",
     "grounded: building within 1 m of road"),
    # a part within a distance is what "within" asks ("partly within 30 m" went whole); all of
    # it is asked by "entirely" (it was read as "within", silently)
    ("buildings partially within 30 m of the river", "grounded: building within 30 m of water"),
    ("buildings at least partly within 30 m of the river",
     "grounded: building within 30 m of water"),
    ("buildings that sit partly within the forest", "grounded: building within 1 m of tree"),
    ("buildings completely within 50 m of the road",
     "grounded: building entirely within 50 m of road"),
    ("the houses which lie completely within 100 m of the river",
     "grounded: building entirely within 100 m of water"),
    ("buildings not entirely within 50 m of the road",
     "grounded: building not entirely within 50 m of road"),
    ("buildings within 50 m of the road", "grounded: building within 50 m of road"),
])
def test_gis_operations_and_how_much_of_an_object_is_within(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    # as a learner of English types them (they went whole)
    ("the houses who are next the river", "grounded: building next to water (<= 20 m)"),
    ("the building next the road", "grounded: building next to road (<= 10 m)"),
    ("the more largest building", "grounded: the largest building"),
    ("the most closest car to the road", "grounded: the car nearest to road"),
    ("the most western building", "grounded: the westernmost building"),
])
def test_a_learners_next_and_most(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    ("the northern half of the forest", "grounded: part of tree in the top half of each object"),
    ("the eastern side of the lake", "grounded: part of water in the right half of each object"),
    ("the north end of the road", "grounded: part of road in the top quarter of each object"),
    ("the southern third of the lake",
     "grounded: part of water in the bottom third of each object"),
    ("the north-western part of the forest",
     "grounded: part of tree in the top left half of each object"),
    ("the central part of the park",
     "grounded: part of vegetation in the middle half of each object"),
    ("the northern half of the forest near the road",
     "grounded: part of tree near road (<= 10 m) in the top half of each object"),
    ("the parking lot's northern half",
     "grounded: part of parking lot in the top half of each object"),
    ("the lake's east end", "grounded: part of water in the right quarter of each object"),
    ("the northwest corner of the parking lot",   # a third of each axis
     "grounded: part of parking lot in the top left third of each object"),
    ("the corner of the field",
     "end to end: 'the corner of the field' (no object named at 'corner')"),
    # a side of the road as a place stays one; the image's own part stays a region
    ("buildings on the east side of the road", "grounded: building east of road"),
    ("the northern part of the image",
     "end to end: 'the northern part of the image' (no object named at 'northern')"),
    ("the northern half of the western forest",
     "end to end: 'the northern half of the western forest' (a part of an object in a part of "
     "the image at 'forest')"),
])
def test_a_side_of_an_object_is_a_part_of_its_own_box(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    # a part as an anchor: the relation after it says which part (they went whole)
    ("cars on the stretch of road along the river",
     "grounded: car on (part of road along water (<= 20 m))"),
    ("trees in the part of the park within 50 m of the lake",
     "grounded: tree on (part of vegetation within 50 m of water)"),
    ("cars parked on the part of the road not covered by trees",
     "grounded: car on (part of road not on tree)"),
    ("houses near the east side of the lake",
     "grounded: building near (part of water in the right half of each object) (<= 40 m)"),
    ("buildings near the north end of the road",   # "near the north" was a part of the image
     "grounded: building near (part of road in the top quarter of each object) (<= 20 m)"),
    ("cars in the east end of the parking lot",
     "grounded: car on (part of parking lot in the right quarter of each object)"),
    ("buildings near the part of the road",
     "end to end: 'buildings near the part of the road' (no relation or attribute understood "
     "at 'near')"),
])
def test_a_part_of_an_anchor(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    # a measure asked of objects is asked of them (they went whole; "how long is the road"
    # was the long roads)
    ("the length of the road", "grounded: road"),
    ("the total length of roads near the river", "grounded: road near water (<= 40 m)"),
    ("what is the length of the longest road", "grounded: the longest road"),
    ("the perimeter of the lake", "grounded: water"),
    ("how long is the road", "grounded: road"),
    ("how big is the largest building", "grounded: the largest building"),
    ("the footprints of the buildings", "grounded: building"),
    # after a name, another's measure is a likeness
    ("buildings the size of the school", "grounded: building similar in size to building"),
    ("cars about the length of the bus", "grounded: car similar in length to bus"),
    ("buildings half the size of the school",
     "grounded: building smaller than 0.5 times building"),
])
def test_a_measure_asked_of_objects(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    ("the house closest to both the road and the river",   # it was to either
     "grounded: the building nearest to road nearest to water"),
    ("the house closest to the road and the river",
     "grounded: the building nearest to road + water"),
    ("the two buildings closest together", "grounded: the 2 building nearest to building"),
    ("the pair of buildings nearest to each other", "grounded: the 2 building nearest to building"),
    ("all trees not including those in the park", "grounded: tree not on vegetation"),
])
def test_closest_to_both_and_closest_together(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    ("the forest edge", "grounded: tree edge"),
    ("the edge of the forest", "grounded: tree edge"),
    ("the field boundaries", "grounded: vegetation edge"),
    ("the forest edge near the road", "grounded: tree edge near road (<= 10 m)"),
    ("the forest interior", "grounded: tree interior"),
    ("the interior of the lake", "grounded: water interior"),
    ("the northern part of the forest interior",
     "grounded: part of tree interior in the top half of each object"),
    ("the southern edge of the forest",
     "grounded: part of tree edge in the bottom half of each object"),
    # the image's edge, and an edge as a place beside an object, stay as they were
    ("buildings along the northern edge", "grounded: building in the top of the image"),
    ("cars near the edge of the forest", "grounded: car near tree (<= 10 m)"),
    ("the edge of the image", "end to end: 'the edge of the image' (no object named at 'edge')"),
])
def test_an_objects_edge_as_a_target(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    # "!=" was dropped: "buildings != red" were the red ones
    ("buildings != red", "grounded: not red building"),
    ("buildings where colour != red", "grounded: not red building"),
    ("cars with colour <> red", "grounded: not red car"),
    ("cars whose colour isn't white", "grounded: not white car"),
    ("class != building", "grounded: vehicle | road | vegetation | water | bare land"),
    # a buffer said with its width after it (they went whole)
    ("buildings intersect road buffer 20m", "grounded: building within 20 m of road"),
    ("trees within the road buffer of 10 m", "grounded: tree within 10 m of road"),
    ("trees ∩ 10 m road buffer", "grounded: tree within 10 m of road"),
    ("roads union rivers", "grounded: road + water"),
    ("the union of roads and rivers", "grounded: road + water"),
])
def test_a_query_s_not_equal_and_a_buffer_s_width_after_it(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    # a second sentence that narrows the first (it was a second reading: every roof kept)
    ("I need the roofs. Only the red ones.", "grounded: red building"),
    ("buildings, just the big ones", "grounded: large building"),
    ("Buildings. Big ones.", "grounded: large building"),
    ("large buildings and small ones", "grounded: large building | small building"),
    ("buildings near the road. only the large ones",   # not the road's
     "grounded: building near road (<= 20 m) | large building"),
    # a setting before the request, steps, a distance or a clause in brackets (they went whole)
    ("We are assessing flood damage. Show houses that are surrounded by water.",
     "grounded: building surrounded by water"),
    ("After the storm, find trees lying on the road.", "grounded: tree on road"),
    ("First find the river, then the buildings along it.",
     "grounded: water | building along water (<= 20 m)"),
    ("trees near buildings (within 5m)", "grounded: tree within 5 m of building"),
    ("the red car (the one near the bus)", "grounded: red car near bus (<= 6 m)"),
])
def test_sentences_that_narrow_set_or_step(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    ("skinny roads", "grounded: narrow road"),
    ("slim buildings", "grounded: narrow building"),
    ("the slimmest building", "grounded: the narrowest building"),
    ("sprawling buildings", "grounded: large building"),
    ("roads (paved or unpaved)", "grounded: road"),   # it went whole
    ("both paved and unpaved roads", "grounded: road"),
    ("triangular buildings near the road",
     "grounded: not rectangular building near road (<= 20 m)"),
])
def test_more_words_of_size_and_shape(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    # both bounds of one distance (the first was read as the object's length)
    ("trees at least 10 m but no more than 30 m from the road",
     "grounded: tree more than 10 m from road not more than 30 m from road"),
    ("buildings less than 50 m but more than 20 m from the river",
     "grounded: building within 50 m of water more than 20 m from water"),
    ("trees over 10 m but under 20 m from the red house",
     "grounded: tree more than 10 m from red building within 20 m of red building"),
    ("buildings over 100 m2 and under 50 m from the road",   # an area stays the object's
     "grounded: building over 100 m2 within 50 m of road"),
])
def test_both_bounds_of_a_distance(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    # a way or water that parts ground: between what it parts, through one (they went whole)
    ("the road that separates the two forests", "grounded: road between tree (<= 10 m)"),
    ("the stream separating the two fields", "grounded: water between vegetation (<= 20 m)"),
    ("the road separating the buildings from the river",
     "grounded: road between building + water (<= 40 m)"),
    ("the river that divides the forest and the field",
     "grounded: water between tree + vegetation (<= 20 m)"),
    ("roads that separate the fields", "grounded: road between vegetation (<= 10 m)"),
    ("the road that splits the forest", "grounded: road crossing tree"),
    ("the road splitting the field in two", "grounded: road crossing vegetation"),
    ("the road dividing the forest into two halves", "grounded: road crossing tree"),
    ("a road dividing the village", "grounded: road near building (<= 20 m)"),
    ("two separate buildings", "end to end: 'two separate buildings' "
                               "(words outside the grounding vocabulary)"),
    ("the road running between the fields", "grounded: road between vegetation (<= 10 m)"),
    # between two objects described otherwise (it went whole): one of each
    ("trees between the road and the white building",
     "grounded: tree between road + white building (<= 10 m)"),
    ("the land between the river and the largest building",
     "grounded: bare land between water + the largest building (<= 10 m)"),
    ("the river flowing between the houses", "grounded: water between building (<= 40 m)"),
    # a way from one object to another touches both; leading out of (away from) one, it
    ("the road from the school to the river",
     "grounded: road within 1 m of building within 1 m of water"),
    ("the path leading from the house to the road",
     "grounded: sidewalk within 1 m of building within 1 m of road"),
    ("roads leading out of the village", "grounded: road within 1 m of building"),
    ("roads leading away from the school", "grounded: road within 1 m of building"),
    ("the road that goes from the top to the bottom of the image",
     "grounded: road oriented north-south"),
    # "near neither", vehicles coming and going, far from the others
    ("buildings near neither the road nor the river",
     "grounded: building not near road (<= 20 m) not near water (<= 40 m)"),
    ("buildings within 50 m of neither the road nor the river",
     "grounded: building not within 50 m of road not within 50 m of water"),
    ("cars heading into the parking lot", "grounded: car near parking lot (<= 6 m)"),
    ("vehicles leaving the parking lot", "grounded: vehicle near parking lot (<= 6 m)"),
    ("the house far away from the others", "grounded: building far from building (> 20 m)"),
    ("the building furthest from the rest", "grounded: the building farthest from building"),
])
def test_ways_that_part_lead_and_come(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    ("the top 10% largest buildings", "grounded: the largest 10 % building"),
    ("the top 10 % longest roads", "grounded: the longest 10 % road"),
    ("buildings in the top quartile of size", "grounded: the largest 25 % building"),
    ("the main building near the road", "grounded: the largest building near road (<= 20 m)"),
    ("the main buildings", "grounded: large building"),
    ("trees all along the road", "grounded: tree along road (<= 5 m)"),
    ("cars all over the parking lot", "grounded: car on parking lot"),
    ("trees all over the image", "grounded: tree"),
    ("white lines on the road", "grounded: white road marking"),
    ("lane lines near the junction", "grounded: road marking near road junction (<= 10 m)"),
    ("the tree line", "grounded: tree in a row of at least 3 tree (<= 10 m apart)"),
    ("the centre line of the road", "grounded: road"),
    ("for every road, show the cars on it", "grounded: car on road"),   # no roads asked
    ("for each building, the trees near it", "grounded: tree near building (<= 10 m)"),
    ("for each building, find the largest tree near it",   # kept per building
     "grounded: the largest tree near each building (<= 10 m)"),
    ("buildings with area => 100 m2", "grounded: building over 100 m2"),   # ">=" typed round
    ("mark every tree whose crown touches a roof", "grounded: tree within 1 m of building"),
    ("find vehicles that are parked partly on the grass",
     "grounded: vehicle within 1 m of low vegetation"),
    # a distance or a mean asked: the objects (it was "nothing matches", or medium ones)
    ("the distance between the school and the river", "grounded: building + water"),
    ("how far is the school from the river", "grounded: building + water"),
    ("what is the distance between the two largest buildings",
     "grounded: the 2 largest building"),
    ("the average size of buildings", "grounded: building"),
    ("average building size", "grounded: building"),
    ("average-sized houses", "grounded: medium building"),
    ("a building in the midst of the forest", "grounded: building surrounded by tree"),
    ("the building deep in the forest", "grounded: building inside tree"),
    ("trees at the heart of the park", "grounded: tree inside vegetation"),
    ("the tree at the centre of the field", "grounded: tree inside vegetation"),
    ("the car at the center of the image", "grounded: car in the centre of the image"),
    ("trees in front gardens", "grounded: tree next to building (<= 5 m) not on road"),
    ("pools in the back gardens", "grounded: water next to building (<= 20 m) not on road"),
    ("cars in the hospital grounds", "grounded: car next to building (<= 5 m)"),
    ("cars in the grounds of the school", "grounded: car next to building (<= 5 m)"),
    # a centre's distance (it was "over 100 m" long); a query's class quoted or listed
    ("buildings with centroid within 100 m of the river",
     "grounded: building within 100 m of water"),
    ("building centroids within 100 m of the river", "grounded: building within 100 m of water"),
    ("buildings with centroid inside the parking lot", "grounded: building on parking lot"),
    ("select features where class = 'building' and area > 100 m2",
     "grounded: building over 100 m2"),
    ("class IN ('building', 'road')", "grounded: building + road"),
    ('class == "car"', "grounded: car"),
    ("cars near the 'main' road", "grounded: car near road (<= 6 m)"),
    ("mark vegetation that is within 20 m of buildings but not within 5 m",   # a band
     "grounded: vegetation within 20 m of building not within 5 m of building"),
    ("houses within 100 m of the river but more than 20 m",
     "grounded: building within 100 m of water more than 20 m from water"),
    ("parking lots holding over 20 cars", "grounded: parking lot with at least 21 car (<= 3 m)"),
    ("houses above 20 m from the road", "grounded: building more than 20 m from road"),
    ("houses below 20 m from the road", "grounded: building within 20 m of road"),
    ("buildings within 20 m or so of the road", "grounded: building within 20 m of road"),
    ("houses 20 metres back from the road", "grounded: building within 20 m of road"),
    ("roads more than 5 m in width", "grounded: road over 5 m wide"),
    ("cars under 3 m in length", "grounded: car under 3 m long"),
    ("houses that lie beyond 20 m from the lake", "grounded: building more than 20 m from water"),
    ("trees located nearly 20 ft from the river", "grounded: tree within 6.096 m of water"),
    ("buildings no less than 5 m. from the nearest road",
     "grounded: building not within 5 m of road"),
    ("water due north of the parking lot", "grounded: water north of parking lot"),
    ("roads somewhere north of the forest", "grounded: road north of tree"),
    ("buildings near red cars or white cars",   # the second was a second target
     "grounded: building near red or white car (<= 10 m)"),
    ("roofs with a reddish tint", "grounded: red building"),
    ("roads appearing white", "grounded: white road"),
    ("trucks (colour: dark grey)", "grounded: dark grey truck"),
    ("the white ones among the trucks", "grounded: white truck"),
    ("houses attached to the garage", "grounded: building within 1 m of building"),
    ("houses isolated from the road", "grounded: building far from road (> 40 m)"),
    ("trees separated from the river", "grounded: tree not next to water (<= 10 m)"),
    ("fields bounded by roads", "grounded: vegetation surrounded by road"),
    ("cars atop the building", "grounded: car on building"),
    ("cars out of the parking lot", "grounded: car not on parking lot"),
    ("the road's width", "grounded: road"), ("the buildings' areas", "grounded: building"),
    ("buildings -> near the road", "grounded: building near road (<= 20 m)"),
    ("by far the largest building", "grounded: the largest building"),
    ("the biggest house of all", "grounded: the largest building"),
    ("the next largest building", "grounded: the 2nd largest building"),
    ("the building most distant from the road", "grounded: the building farthest from road"),
    ("sort the red cars by size", "grounded: red car"),
    ("trees spaced more than 10 m apart", "grounded: tree more than 10 m from tree"),
    ("stuff near the river", "grounded: vehicle near water (<= 40 m) | building near water "
     "(<= 40 m) | road near water (<= 40 m) | vegetation near water (<= 20 m) | bare land near "
     "water (<= 10 m)"),
])
def test_shares_main_all_along_and_markings(text: str, summary: str) -> None:
    assert parse(text).summary() == summary


@pytest.mark.parametrize("text,summary", [
    # a colour like another object's (they went whole)
    ("cars the same colour as the truck", "grounded: car the same colour as truck"),
    ("the car with the same colour as the bus", "grounded: car the same colour as bus"),
    ("cars similar in colour to the bus", "grounded: car the same colour as bus"),
    ("cars matching the colour of the bus", "grounded: car the same colour as bus"),
    ("roofs the colour of the road", "grounded: building the same colour as road"),
    ("cars that are the same color as the red truck",
     "grounded: car the same colour as red truck"),
    ("cars of a different colour from the bus", "grounded: car not the same colour as bus"),
    ("the colour of the roof", "grounded: building"),
    ("buildings with roofs the same colour as the road",
     "grounded: building the same colour as road"),
    ("houses whose roof is the same colour as the road",
     "grounded: building the same colour as road"),
])
def test_a_colour_like_another_objects(text: str, summary: str) -> None:
    assert parse(text).summary() == summary

