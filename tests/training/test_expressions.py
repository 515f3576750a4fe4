"""rrsis.training.expressions: true referring expressions generated from labelled polygons."""

from __future__ import annotations

from shapely.geometry import LineString, box

from rrsis.training.expressions import Instance, generate_expressions


def _tile() -> list:
    road = LineString([(0, 50), (100, 50)]).buffer(4)     # long and thin: a road
    return [
        Instance("road", road),
        Instance("car", box(10, 47, 14, 53)),              # on the road
        Instance("car", box(80, 90, 84, 96)),              # far from it
        Instance("building", box(20, 56, 40, 70)),         # beside the road
        Instance("building", box(60, 5, 66, 11)),          # small, far
        Instance("van", box(30, 47, 34, 51)),
    ]


def test_every_expression_names_exactly_the_instances_it_describes() -> None:
    tile = _tile()
    exprs = {e.text: e for e in generate_expressions(tile, near=2.0)}
    assert exprs["car"].targets == (1, 2) and exprs["car"].kind == "category"
    assert exprs["road"].targets == (0,)
    # a synonym shared by several present classes names all of them
    assert exprs["vehicle"].targets == (1, 2, 5) and exprs["vehicle"].kind == "synonym"
    assert exprs["the largest building"].targets == (3,)
    assert exprs["car on the road"].targets == (1,)
    assert exprs["building along the road"].targets == (3,)
    assert "car along the building" not in exprs  # "along" needs a long, thin partner
    assert len(exprs) == len(generate_expressions(tile))  # no duplicate texts


def test_no_largest_without_a_clear_winner_and_no_empty_expression() -> None:
    same = [Instance("tree", box(0, 0, 10, 10)), Instance("tree", box(50, 50, 60, 60))]
    texts = [e.text for e in generate_expressions(same)]
    assert "the largest tree" not in texts and texts[:2] == ["tree", "trees"]
    assert all(e.targets for e in generate_expressions(_tile()))


def test_a_cap_keeps_category_words_and_samples_the_rest_by_seed() -> None:
    tile = _tile()
    full = generate_expressions(tile)
    capped = generate_expressions(tile, max_expressions=8, seed=1)
    base = [e for e in full if e.kind in ("category", "synonym")]
    assert len(capped) == max(8, len(base)) and capped[:len(base)] == base
    assert capped == generate_expressions(tile, max_expressions=8, seed=1)  # reproducible
    assert {e.text for e in capped} <= {e.text for e in full}


def test_the_hole_an_object_cuts_is_its_anchor_except_for_surrounded() -> None:
    car, house = box(10, 48, 13, 52), box(60, 60, 70, 70)
    road = LineString([(0, 50), (100, 50)]).buffer(4).difference(car)   # the car's hole
    land = box(50, 50, 80, 80).difference(house)                        # the house's
    tile = [Instance("road", road), Instance("car", car), Instance("land", land),
            Instance("building", house)]
    exprs = {e.text: e for e in generate_expressions(tile, near=2.0)}
    assert exprs["car on the road"].targets == (1,)
    assert "car next to the road" not in exprs
    assert exprs["building surrounded by land"].targets == (3,)
