"""Relation semantics on synthetic polygons with known distances, and plans executed on them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.affinity import rotate, translate
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from rrsis.grounding import parse
from rrsis.grounding import lexicon as lx
from rrsis.grounding import relations as rel
from rrsis.grounding.colour import colour_range, has_colour, srgb_to_lab
from rrsis.grounding.execute import Scene, execute
from rrsis.grounding.policy import families

ROAD = box(0, 0, 100, 10)  # 100 m of road, 10 m wide, along x


def car_at_gap(gap_m: float) -> object:
    """A 2 x 4 m car whose near edge is ``gap_m`` north of the road."""
    return box(50, 10 + gap_m, 54, 12 + gap_m)


@pytest.mark.parametrize("gap,expected", [(0.0, True), (2.9, True), (3.0, True), (3.1, False)])
def test_along_is_a_distance_threshold(gap: float, expected: bool) -> None:
    assert rel.along(car_at_gap(gap), ROAD, 3.0) is expected
    assert rel.within_m(car_at_gap(gap), ROAD, 3.0) is expected
    assert rel.beyond_m(car_at_gap(gap), ROAD, 3.0) is not expected


def test_next_to_excludes_objects_on_the_anchor() -> None:
    on_road = box(50, 2, 54, 4)
    assert rel.along(on_road, ROAD, 3.0) and not rel.next_to(on_road, ROAD, 3.0)
    assert rel.next_to(car_at_gap(1.0), ROAD, 3.0)
    half_on = box(50, 8, 54, 12)  # exactly half of it over the road
    assert rel.on(half_on, ROAD) and not rel.on(box(50, 8.5, 54, 12.5), ROAD)
    assert not rel.inside(half_on, ROAD) and rel.inside(on_road, ROAD)


def test_surrounded_by() -> None:
    yard = box(40, 40, 50, 50)
    ring_of_houses = box(35, 35, 55, 55).difference(yard)
    assert rel.surrounded(yard, ring_of_houses, 3.0)
    assert not rel.surrounded(yard, box(35, 35, 55, 40), 3.0)  # one side only


@pytest.mark.parametrize("centre,bearing", [((50, 40), "north"), ((50, -30), "south"),
                                            ((150, 5), "east"), ((-40, 5), "west")])
def test_compass_directions(centre: tuple, bearing: str) -> None:
    x, y = centre
    obj = box(x - 1, y - 1, x + 1, y + 1)
    for b in ("north", "south", "east", "west"):
        assert rel.direction(obj, ROAD, b) is (b == bearing)


@pytest.mark.parametrize("centre,points", [
    ((50, 40), {"north"}), ((150, 5), {"east"}), ((-50, 60), {"northwest"}),
    ((-50, -50), {"southwest"}), ((160, -60), {"southeast"}),
    ((130, 80), {"north", "northeast"}), ((170, 40), {"northeast", "east"})])
def test_intercardinal_directions_are_quadrants(centre: tuple, points: set) -> None:
    """"northeast of the road": less than 45 degrees from northeast, seen from the road's
    nearest point (north and east of it at once); due north is north only, and
    north-northeast is both north and northeast, as people say it."""
    x, y = centre
    obj = box(x - 1, y - 1, x + 1, y + 1)
    assert {b for b in rel.BEARINGS if rel.direction(obj, ROAD, b)} == points
    assert set(lx.COMPASS_POINTS) == set(rel.BEARINGS)   # every word's point has a bearing


def test_intercardinal_ranks_and_relations_in_plans() -> None:
    """"the northeasternmost", "the house furthest south-west": by the centre's position
    along the diagonal, not by its northing or easting alone; "south-east of": a relation."""
    houses = [box(0, 90, 10, 100), box(90, 0, 100, 10), box(70, 70, 80, 80), box(20, 20, 30, 30)]
    cars = [box(44, 44, 46, 46), box(60, 30, 62, 32), box(60, 60, 62, 62), box(30, 30, 32, 32)]
    scene = Scene({"building": houses, "car": cars[:1], "vehicle": cars[1:]}, (0, 0, 100, 100))

    def picked(expr: str) -> list:
        return sorted(i for _, i in execute(parse(expr), scene).picks)

    assert picked("the northeasternmost building") == [2] == picked(
        "the house furthest north-east") == picked("the most north-easterly building")
    assert picked("the southwesternmost building") == [3]
    assert picked("the northwesternmost building") == [0]
    assert picked("the southeasternmost building") == [1]
    # vehicles relative to the one car at (45, 45): south-east, north-east, south-west
    assert picked("vehicles south-east of the car") == [0]
    assert picked("vehicles to the northeast of the car") == [1]
    assert picked("vehicles southwest of the car") == [2]
    assert picked("vehicles not north east of the car") == [0, 2]


def test_direction_of_an_overlapping_object_is_none() -> None:
    assert not any(rel.direction(box(50, 5, 52, 15), ROAD, b) for b in ("north", "south"))


def test_image_regions() -> None:
    bounds = (0.0, 0.0, 100.0, 100.0)
    assert rel.in_region((10, 90), bounds, "top", "left")
    assert not rel.in_region((10, 90), bounds, "bottom", None)
    assert rel.in_region((50, 50), bounds, "centre", "centre")
    assert not rel.in_region((10, 50), bounds, "centre", "centre")
    assert rel.in_region((90, 10), bounds, None, "right")


def test_the_middle_of_a_row_of_the_image() -> None:
    """"cars in the top centre": the top half's central half, not the image's centre."""
    scene = Scene({"car": [box(48, 88, 52, 90), box(5, 88, 9, 90), box(48, 48, 52, 50)]},
                  (0, 0, 100, 100))
    assert execute(parse("cars in the top centre"), scene).picks == [("car", 0)]
    assert execute(parse("cars in the centre"), scene).picks == [("car", 2)]


def test_rectangularity_tells_rectangles_from_discs_and_crosses() -> None:
    cross = unary_union([box(0, 4, 12, 8), box(4, 0, 8, 12)])   # 80 m2; its rectangle is diagonal
    assert rel.rectangularity(box(0, 0, 10, 4).buffer(0.2, join_style=2)) > 0.99
    assert rel.rectangularity(Point(0, 0).buffer(5)) == pytest.approx(math.pi / 4, abs=0.01)
    assert rel.rectangularity(cross) == pytest.approx(0.625)
    scene = Scene({"building": [box(0, 0, 10, 4), Point(50, 50).buffer(5), cross]},
                  (0, 0, 100, 100))
    assert execute(parse("rectangular buildings"), scene).picks == [("building", 0)]
    assert execute(parse("irregular buildings"), scene).picks == [("building", 2)]
    assert execute(parse("buildings that are not rectangular"), scene).picks == [
        ("building", 1), ("building", 2)]


def test_a_building_named_by_a_letter_is_not_rectangular() -> None:
    ell = unary_union([box(0, 0, 12, 4), box(0, 0, 4, 12)])   # fills 80/144 of its rectangle
    you = unary_union([box(0, 0, 12, 3), box(0, 0, 3, 10), box(9, 0, 12, 10)])   # 78/120
    scene = Scene({"building": [box(30, 30, 40, 36), ell.buffer(0), you.buffer(0)]},
                  (0, -50, 100, 100))
    assert rel.rectangularity(you) == pytest.approx(78 / 120)
    for said in ("L-shaped buildings", "U shaped buildings", "buildings shaped like an L"):
        plan = parse(said)
        assert plan.summary() == "grounded: not rectangular building"
        assert "the shape it makes is not told apart" in plan.notes[-1]
        assert execute(plan, scene).picks == [("building", 1), ("building", 2)]


def test_elongation() -> None:
    assert rel.elongation(box(0, 0, 10, 2)) == pytest.approx(5.0)
    assert rel.elongation(LineString([(0, 0), (1, 1)]).buffer(0.01)) > 10


def test_mean_width_follows_a_strip_however_it_bends() -> None:
    assert rel.mean_width(box(0, 0, 100, 6)) == pytest.approx(6.0)
    assert rel.mean_width(box(0, 0, 10, 10)) == pytest.approx(10.0)
    bend = LineString([(0, 0), (100, 0), (100, 100)]).buffer(3.0, cap_style=2, join_style=2)
    tee = unary_union([box(0, 0, 200, 8), box(96, 0, 104, 150)])
    ring_road = box(0, 0, 100, 100).difference(box(8, 8, 92, 92))   # 8 m wide around a block
    assert rel.mean_width(bend) == pytest.approx(6.0, rel=0.02)
    assert rel.mean_width(tee) == pytest.approx(8.0, rel=0.02)
    assert rel.mean_width(ring_road) == pytest.approx(8.0, rel=0.03)   # its corners: 8.18
    assert rel.mean_width(Point(0, 0).buffer(5)) == pytest.approx(7.85, rel=0.01)
    assert rel.mean_width(Point(0, 0)) == 0.0


def test_wide_narrow_widest_and_shortest_measure_width_and_length() -> None:
    lane = LineString([(0, 0), (60, 0), (60, 60)]).buffer(2.0, cap_style=2, join_style=2)
    avenue = box(0, 100, 300, 120)   # 20 m wide
    street = box(0, 200, 150, 208)   # 8 m wide, the shortest
    scene = Scene({"road": [lane, avenue, street]}, (0, 0, 300, 300))
    assert execute(parse("narrow roads"), scene).picks == [("road", 0)]
    assert execute(parse("wide roads"), scene).picks == [("road", 1)]
    assert execute(parse("the widest road"), scene).picks == [("road", 1)]
    assert execute(parse("the 2 narrowest roads"), scene).picks == [("road", 0), ("road", 2)]
    assert execute(parse("the shortest road"), scene).picks == [("road", 0)]
    assert execute(parse("roads narrower than 10 m"), scene).picks == [("road", 0), ("road", 2)]
    assert parse("narrow roads").summary() == "grounded: narrow road"   # not "long": a width


def test_nearest_to_each_anchor_keeps_a_rank_per_anchor_object() -> None:
    houses = [box(0, 0, 10, 10), box(100, 0, 110, 10)]
    cars = [box(12, 0, 14, 4), box(20, 0, 22, 4), box(95, 0, 97, 4), box(60, 50, 62, 54)]
    scene = Scene({"building": houses, "car": cars}, (0, 0, 200, 200))
    assert execute(parse("the car nearest to the building"), scene).picks == [("car", 0)]
    for each in ("the car nearest to each building", "cars closest to every building",
                 "each building's nearest car", "for every house, the closest car"):
        plan = parse(each)
        assert plan.summary() == "grounded: the car nearest to each building", each
        assert execute(plan, scene).picks == [("car", 0), ("car", 2)], each
        assert "one object is kept" not in " ".join(plan.notes)
    assert execute(parse("the 2 nearest cars to each house"), scene).picks == [
        ("car", 0), ("car", 1), ("car", 2), ("car", 3)]   # 2, 10 m; 3, 55 m
    assert execute(parse("the car farthest from each building"), scene).picks == [
        ("car", 2), ("car", 0)]
    assert execute(parse("the nearest building to each building"), scene).picks == [
        ("building", 1), ("building", 0)]   # never itself
    assert execute(parse("the car nearest to each tree"), scene).picks == []
    assert parse("cars closest to each other").summary() == "grounded: the 2 car nearest to car"
    # a possessive names the anchor, not the target
    assert execute(parse("the largest building's nearest car"), Scene(
        {"building": [houses[0], box(100, 0, 130, 30)], "car": cars}, (0, 0, 200, 200))
    ).picks == [("car", 2)]


def test_a_rank_kept_in_each_anchor_object_or_on_each_side() -> None:
    lots = [box(0, 0, 30, 20), box(60, 0, 90, 20)]
    cars = [box(2, 2, 6, 4), box(10, 2, 15, 4.5), box(62, 2, 66, 4), box(70, 2, 73, 3.5),
            box(40, 40, 46, 43)]   # two in each lot, a larger one in neither
    scene = Scene({"parking lot": lots, "car": cars}, (0, 0, 100, 100))
    assert execute(parse("the largest car in the parking lot"), scene).picks == [("car", 1)]
    for each in ("the largest car in each parking lot", "for every parking lot, the largest car",
                 "the largest car per parking lot"):
        assert execute(parse(each), scene).picks == [("car", 1), ("car", 2)], each
    assert execute(parse("the smallest car on every parking lot"), scene).picks == [
        ("car", 0), ("car", 3)]
    assert execute(parse("the 2 largest cars in each parking lot"), scene).picks == [
        ("car", 1), ("car", 0), ("car", 2), ("car", 3)]
    assert execute(parse("the largest white car in each parking lot"), scene).picks == []
    # the road between: two sides, each with its largest building
    road = [box(0, 50, 100, 58)]
    buildings = [box(5, 60, 15, 70), box(20, 60, 40, 75), box(5, 40, 12, 48), box(30, 35, 35, 48),
                 box(70, 10, 99, 30)]   # the last is far from the road
    scene = Scene({"road": road, "building": buildings}, (0, 0, 100, 100))
    assert execute(parse("the largest building next to the road"), scene).picks == [
        ("building", 1)]
    assert execute(parse("the largest building on each side of the road"), scene).picks == [
        ("building", 1), ("building", 3)]
    assert execute(parse("the 2 largest buildings on both sides of the road"), scene).picks == [
        ("building", 1), ("building", 0), ("building", 3), ("building", 2)]
    # the road found in two pieces is one road: two sides, not four
    pieces = [box(0, 50, 48, 58), box(52, 50, 100, 58)]
    scene = Scene({"road": pieces, "building": buildings + [box(60, 60, 66, 66)]},
                  (0, 0, 100, 100))
    assert execute(parse("the largest building on each side of the road"), scene).picks == [
        ("building", 1), ("building", 3)]
    assert len(execute(parse("the largest building next to each road"), scene).picks) == 2
    # a car parked on the lot hides it: it is in the lot all the same
    lot = box(0, 0, 30, 20).difference(box(10, 2, 15, 4.5))
    scene = Scene({"parking lot": [lot], "car": cars[:2]}, (0, 0, 100, 100))
    assert execute(parse("the largest car in each parking lot"), scene).picks == [("car", 1)]


def test_a_measure_against_another_objects() -> None:
    """"buildings larger than the red building", "cars longer than the bus": each object's
    measure against every anchor object's, itself aside."""
    houses = [box(0, 0, 10, 10), box(20, 0, 40, 10), box(50, 0, 80, 10), box(90, 0, 95, 5)]
    vehicles = [box(0, 50, 4.5, 52), box(10, 50, 22, 53), box(30, 50, 33, 52)]   # 4.5, 12, 3 m
    scene = Scene({"building": houses, "car": vehicles[::2], "bus": vehicles[1:2]},
                  (0, 0, 100, 100))

    def picked(text: str) -> list:
        return execute(parse(text), scene).picks

    # "the largest building" is the 300 m2 one; larger than it: none; than the 100 m2: 2 of them
    assert picked("buildings larger than the largest building") == []
    assert picked("buildings smaller than the largest building") == [
        ("building", 0), ("building", 1), ("building", 3)]
    assert picked("buildings bigger than the smallest building") == [
        ("building", 0), ("building", 1), ("building", 2)]
    assert picked("buildings larger than the buildings next to the smallest building") == []
    assert picked("cars longer than the bus") == []
    assert picked("cars shorter than the bus") == [("car", 0), ("car", 1)]
    assert picked("buildings not larger than the smallest building") == [("building", 3)]
    assert picked("buildings larger than the trees") == []   # none found: undecided
    assert parse("cars longer than the bus").summary() == "grounded: car longer than bus"
    assert parse("buildings larger than average").summary() == \
        "grounded: building larger than average"   # the category's mean, as before


def test_a_measure_times_another_objects_and_a_size_like_it() -> None:
    """"twice as large as the school", "three times as long as the car": against that many
    times the anchor's measure; "the same size as the van": an area within 20 % of an anchor
    object's (as "about 100 m2" is within 20 % of 100)."""
    houses = [box(0, 0, 10, 10), box(20, 0, 35, 10), box(50, 0, 75, 10)]   # 100, 150, 250 m2
    vans = [box(0, 50, 5, 52)]                                              # 10 m2, 5 m long
    cars = [box(10, 50, 14.25, 52), box(20, 50, 26.5, 52), box(30, 50, 32.5, 52),  # 8.5, 13, 5
            box(40, 50, 56, 52)]                                                  # 16 m long
    scene = Scene({"building": houses, "van": vans, "car": cars}, (0, 0, 100, 100))

    def picked(text: str) -> list:
        return execute(parse(text), scene).picks

    assert parse("buildings twice as big as the school").summary() == \
        "grounded: building larger than 2 times building"
    # more than twice every other building: the 250 m2 one is not (150 x 2 = 300)
    assert picked("buildings twice as big as the school") == []
    assert picked("buildings 1.5 times larger than the smallest building") == [("building", 2)]
    assert picked("cars three times as long as the van") == [("car", 3)]
    assert picked("cars more than double the size of the van") == [("car", 3)]
    assert parse("cars about the same size as the van").summary() == \
        "grounded: car similar in size to van"
    assert picked("cars about the same size as the van") == [("car", 0)]
    assert picked("cars as large as the van") == [("car", 0)]
    # a length (width) like another's: 4.25 m is within 20 % of the van's 5 m, 6.5 m is not
    assert parse("cars the same length as the van").summary() == \
        "grounded: car similar in length to van"
    assert picked("cars the same length as the van") == [("car", 0)]
    assert picked("cars as long as the van") == [("car", 0)]
    assert picked("cars as wide as the van") == [("car", i) for i in range(4)]   # all 2 m wide
    assert picked("cars not the same size as the van") == [("car", 1), ("car", 2), ("car", 3)]
    # an object is not like itself: the 150 m2 house is like none of the others
    assert picked("buildings of a similar size to the buildings") == []
    # "at least as large as" stays larger than it
    assert parse("cars at least as large as the van").summary() == "grounded: car larger than van"
    # a part of it: below that part of every other's measure ("at least": above it)
    assert picked("buildings half the size of the largest building") == [("building", 0)]
    assert picked("buildings less than two thirds the size of the largest building") == [
        ("building", 0), ("building", 1)]   # under 166.7 m2
    assert picked("cars half as long as the longest car") == [
        ("car", 0), ("car", 1), ("car", 2)]   # under 8 m
    assert picked("cars a third of the length of the longest car") == [("car", 0), ("car", 2)]
    assert picked("cars at least half the length of the van") == [
        ("car", 0), ("car", 1), ("car", 3)]   # over 2.5 m


def test_a_lightness_against_another_objects() -> None:
    """"cars darker than the road": the lightness L* of each car's median colour against
    the road's, the median of its objects' by area (a piece in shadow does not make every car
    brighter than "the road"); a car whose pixels were not read is neither darker nor not."""
    cars = [box(0, 0, 4, 2), box(10, 0, 14, 2), box(20, 0, 24, 2)]
    road = [box(0, -10, 100, -3), box(0, 90, 10, 95)]   # 700 m2 at L* 50, 50 m2 at 10
    lightness = {("car", 0): 30.0, ("car", 1): 80.0, ("car", 2): float("nan"),
                 ("road", 0): 50.0, ("road", 1): 10.0}
    scene = Scene({"car": cars, "road": road}, (0, -20, 100, 100),
                  colour_of=lambda c, i: np.array([lightness[c, i], 0.0, 0.0]))

    def picked(text: str) -> list:
        return execute(parse(text), scene).picks

    assert parse("cars darker than the road").summary() == "grounded: car darker than road"
    assert parse("cars darker than the road").targets[0].needs_colour()
    assert picked("cars darker than the road") == [("car", 0)]
    assert picked("cars brighter than the road") == [("car", 1)]
    assert picked("cars not darker than the road") == [("car", 1)]
    assert picked("cars darker than the white car") == [("car", 0)]   # car 1 is white
    assert picked("cars darker than the red car") == []   # no red car: undecided


def test_a_measure_against_the_neighbours() -> None:
    """"buildings larger than their neighbours": each building against the buildings within
    the near distance of it (10 m), not against every building of the image; one with no
    neighbour is compared with nothing."""
    block = [box(0, 0, 20, 20), box(25, 0, 35, 10), box(0, 25, 10, 35),   # 400, 100, 100 m2
             box(200, 0, 215, 15), box(220, 0, 250, 20),                  # 225, 600 m2
             box(500, 500, 505, 505)]                                     # 25 m2, alone
    cars = [box(40, 0, 44.5, 2)]   # 3 m east of the 100 m2 house at (25..35)
    scene = Scene({"building": block, "car": cars}, (0, 0, 600, 600))

    def picked(text: str) -> list:
        return execute(parse(text), scene).picks

    assert parse("buildings larger than their neighbours").summary() == \
        "grounded: building larger than building within 10 m"
    # the 400 m2 one beside two of 100; the 600 m2 one beside the 225 (smaller than it: not
    # the largest in the image, which "larger than the largest building" would ask)
    assert picked("buildings larger than their neighbours") == [("building", 0), ("building", 4)]
    assert picked("houses bigger than the buildings around them") == picked(
        "buildings larger than their neighbours")
    assert picked("buildings smaller than those around them") == [
        ("building", 1), ("building", 2), ("building", 3)]
    # negated: the lone one is not larger than any neighbour, so it is kept
    assert picked("buildings not larger than their neighbours") == [
        ("building", 1), ("building", 2), ("building", 3), ("building", 5)]
    # against another kind near it: the 100 m2 house at 25..35 has the car within 10 m
    assert picked("buildings larger than the cars around them") == [("building", 1)]
    # "than the others" stays the category's mean
    assert parse("buildings larger than the others").summary() == \
        "grounded: building larger than average"


def test_a_diameter_is_the_circle_of_the_objects_area() -> None:
    crowns = [Point(0, 0).buffer(2.5, 64), Point(50, 0).buffer(5.0, 64),   # 5 and 10 m across
              box(100, 0, 106, 12)]                              # 72 m2: 9.57 m across
    scene = Scene({"tree": crowns}, (0, 0, 200, 200))
    assert rel.diameter(crowns[1]) == pytest.approx(10.0, rel=0.01)
    assert rel.diameter(crowns[2]) == pytest.approx(9.575, rel=0.01)
    assert execute(parse("trees with a crown diameter over 8 m"), scene).picks == [
        ("tree", 1), ("tree", 2)]
    assert execute(parse("trees more than 9.8 m in diameter"), scene).picks == [("tree", 1)]
    assert execute(parse("tree crowns under 6 m across"), scene).picks == [("tree", 0)]
    # as wide: the mean width of a 10 m disc is 7.85 m, so "wider than 8 m" is not it
    assert execute(parse("trees wider than 8 m"), scene).picks == []
    assert parse("trees with a diameter > 6").summary() == "grounded: tree over 6 m across"
    assert parse("cars across the road from the building").summary().startswith(
        "grounded: car across road from building")


@pytest.mark.parametrize("rgb,name", [((0.8, 0.1, 0.1), "red"), ((0.95, 0.95, 0.95), "white"),
                                      ((0.05, 0.05, 0.06), "black"), ((0.5, 0.5, 0.5), "grey"),
                                      ((0.1, 0.2, 0.8), "blue"), ((0.2, 0.6, 0.2), "green"),
                                      ((0.9, 0.85, 0.1), "yellow"), ((0.7, 0.35, 0.25), "red")])
def test_named_colours_in_cielab(rgb: tuple, name: str) -> None:
    lab = srgb_to_lab(np.array(rgb))
    assert has_colour(lab, name)
    others = {"red", "white", "black", "grey", "blue", "green", "yellow"} - {name}
    assert not any(has_colour(lab, o) for o in others)


def test_between_two_objects_described_otherwise() -> None:
    """"trees between the road and the white building": the hull of a road and a white
    building, one of each (two roads, or the road and the red building, do not make it);
    without a white building found the answer is uncertain; a part of the road cut there."""
    road = [box(0, 0, 100, 6)]
    buildings = [box(10, 20, 20, 30), box(60, 20, 70, 30)]   # white at x 10-20, red at 60-70
    trees = [box(14, 10, 16, 12), box(64, 10, 66, 12), box(40, 40, 42, 42)]
    white, red = _lab("f0f0f0"), _lab("c82020")
    colours = {("building", 0): white, ("building", 1): red}
    scene = Scene({"road": road, "building": buildings, "tree": trees}, (0, -10, 100, 50),
                  colour_of=lambda c, i: colours.get((c, i), np.full(3, np.nan)))
    plan = parse("trees between the road and the white building")
    assert plan.summary() == "grounded: tree between road + white building (<= 10 m)"
    assert plan.targets[0].needs_colour()
    assert execute(plan, scene).picks == [("tree", 0)]
    assert execute(parse("trees between the road and the red building"), scene).picks == [
        ("tree", 1)]
    assert execute(parse("trees not between the road and the white building"), scene).picks \
        == [("tree", 1), ("tree", 2)]
    no_white = Scene({"road": road, "building": buildings[1:], "tree": trees},
                     (0, -10, 100, 50), colour_of=lambda c, i: red)
    found = execute(plan, no_white)
    assert found.picks == [] and found.uncertain
    river = Scene({**scene.objects, "water": [box(10, -10, 20, -7)]}, (0, -10, 100, 50),
                  colour_of=scene.colour_of)   # south of the road, below the white building
    [cut] = [river.geometry(k) for k in execute(
        parse("the part of the road between the river and the white building"), river).picks]
    assert cut.equals(box(10, 0, 20, 6))
    [slant] = [river.geometry(k) for k in execute(   # the pair's hull crosses it slantwise
        parse("the part of the road between the river and the red building"), river).picks]
    assert 10 < slant.bounds[0] < slant.bounds[2] < 70 and slant.area < cut.area * 4


def test_a_colour_like_another_objects() -> None:
    """"cars the same colour as the bus": a car whose median colour lies within Delta E 15 of
    a bus's (a shade of the same white, not a silver or a red one); "of a different colour
    from": the others; a car whose pixels were not read is neither."""
    cars = [box(0, 0, 4, 2), box(10, 0, 14, 2), box(20, 0, 24, 2), box(30, 0, 34, 2)]
    bus = [box(50, 0, 62, 3)]
    rgb = {("car", 0): "e6e6e6", ("car", 1): "a0a0a0", ("car", 2): "c82020", ("bus", 0): "f0f0f0"}
    scene = Scene({"car": cars, "bus": bus}, (0, -10, 100, 10),
                  colour_of=lambda c, i: _lab(rgb[c, i]) if (c, i) in rgb
                  else np.full(3, np.nan))

    def picked(text: str) -> list:
        return execute(parse(text), scene).picks

    assert parse("cars the same colour as the bus").targets[0].needs_colour()
    assert picked("cars the same colour as the bus") == [("car", 0)]
    assert picked("the car with the same color as the bus") == [("car", 0)]
    assert picked("cars of a different colour from the bus") == [("car", 1), ("car", 2)]
    assert picked("cars the same colour as the red car") == []   # itself aside
    assert picked("buses the same colour as the white car") == [("bus", 0)]


def _lab(hex_rgb: str) -> np.ndarray:
    return srgb_to_lab(np.array([int(hex_rgb[i:i + 2], 16) / 255 for i in (0, 2, 4)]))


def test_more_colour_names_and_blends_of_two_hues() -> None:
    """Pink, beige, tan, cream by their swatches; "red-brown" (also "rusty", "terracotta")
    takes the hues between red's and brown's centres, so a rust roof is red-brown while a
    magenta car and an ochre roof are not; the blend is the same either way round and
    across 0 degrees (purple-red)."""
    swatches = {"pink": "FFC0CB", "beige": "D8C8A8", "tan": "D2B48C", "cream": "FFFDD0"}
    for name, swatch in swatches.items():
        assert has_colour(_lab(swatch), name), name
    assert not has_colour(_lab("808080"), "beige") and not has_colour(_lab("FF0000"), "pink")
    rust, terracotta, magenta, ochre = (_lab(h) for h in ("B7410E", "C0603C", "C71585",
                                                          "CC9A2E"))
    assert has_colour(rust, "red-brown") and has_colour(terracotta, "brown-red")
    assert not has_colour(magenta, "red-brown") and not has_colour(ochre, "red-brown")
    assert colour_range("red-brown") == colour_range("brown-red")
    lo, hi = colour_range("purple-red").hue   # type: ignore[misc]
    assert lo > hi and has_colour(magenta, "purple-red")
    assert not has_colour(_lab("0000FF"), "purple-red")


def test_a_shade_of_a_colour_is_one_colour_of_either() -> None:
    """"white or light grey roofs": white, or light and grey (one colour of the two, not
    white grey or light grey; "buildings with light grey roofs" was a building with light
    grey buildings beside it)."""
    light_grey, mid_grey, white, navy = (_lab(h) for h in ("B4B4B4", "787878", "F8F8F8",
                                                            "1A2A6C"))
    assert has_colour(light_grey, "light grey") and not has_colour(mid_grey, "light grey")
    assert has_colour(navy, "dark blue") and not has_colour(navy, "light blue")
    roofs = [box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10)]
    labs = {0: white, 1: light_grey, 2: mid_grey}
    scene = Scene({"building": roofs}, (0, 0, 100, 100), lambda c, i: labs[i])
    for text in ("buildings with white or light grey roofs", "white or light grey buildings",
                 "light grey or white buildings"):
        assert sorted(execute(parse(text), scene).picks) == [("building", 0), ("building", 1)]
    assert parse("buildings with light grey roofs").summary() == "grounded: light grey building"
    assert parse("navy or black cars").summary() == "grounded: dark blue car | black car"
    cars = [box(12, 0, 16.5, 2), box(52, 0, 56.5, 2)]   # by the white one, by the mid grey
    scene = Scene({"building": roofs, "car": cars}, (0, 0, 100, 100),
                  lambda c, i: labs[i] if c == "building" else white)
    assert execute(parse("cars next to light grey or white buildings"), scene).picks == [
        ("car", 0)]


def _scene() -> Scene:
    cars = [car_at_gap(1.0), car_at_gap(30.0), box(20, 3, 24, 5)]   # near, far, on the road
    buildings = [box(0, 15, 10, 25), box(30, 40, 60, 70), box(80, 60, 85, 65)]  # 100, 900, 25 m2
    colours = {("car", 0): (0.9, 0.9, 0.9), ("car", 1): (0.8, 0.1, 0.1),
               ("car", 2): (0.9, 0.9, 0.9)}
    return Scene({"car": cars, "road": [ROAD], "building": buildings}, (0, 0, 100, 100),
                 lambda c, i: srgb_to_lab(np.array(colours.get((c, i), (0.5, 0.5, 0.5)))))


@pytest.mark.parametrize("expression,picks", [
    ("cars along the road", [("car", 0), ("car", 2)]),
    ("cars next to the road", [("car", 0)]),
    ("cars on the road", [("car", 2)]),
    ("cars not along the road", [("car", 1)]),
    ("cars within 35 m of the road", [("car", 0), ("car", 1), ("car", 2)]),
    ("cars more than 20 m from the road", [("car", 1)]),
    ("cars north of the road", [("car", 0), ("car", 1)]),
    ("white cars", [("car", 0), ("car", 2)]),
    ("red cars", [("car", 1)]),
    ("white cars next to the road", [("car", 0)]),
    ("the largest building", [("building", 1)]),
    ("the 2 smallest buildings", [("building", 2), ("building", 0)]),
    ("buildings next to the road", [("building", 0)]),
    ("buildings not next to the road", [("building", 1), ("building", 2)]),
    ("large buildings", [("building", 1)]),
    ("small buildings", [("building", 2)]),
    ("buildings in the top right of the image", [("building", 2)]),
    ("cars and buildings next to the road", [("car", 0), ("building", 0)]),
    ("long road", [("road", 0)]),
    ("cars next to the building", []),
    ("buildings larger than 50 m2", [("building", 0), ("building", 1)]),      # 100, 900 m2
    ("buildings with an area under 0.01 ha", [("building", 2)]),             # 25 m2
    ("buildings between 50 and 500 m2", [("building", 0)]),
    ("buildings not larger than 100 m2", [("building", 0), ("building", 2)]),
    ("buildings over 1000 sq ft next to the road", [("building", 0)]),       # 92.9 m2
    ("buildings longer than 20 m", [("building", 1)]),                       # sides 10, 30, 5
    ("roads wider than 8 m", [("road", 0)]),                               # 10 m wide
    ("roads narrower than 8 m", []),
    ("cars except white ones", [("car", 1)]),
    ("cars on the road but not white", []),
    ("the building closest to the road", [("building", 0)]),                   # 5 m away
    ("the 2 buildings nearest the road", [("building", 0), ("building", 1)]),  # 5, 30 m
    ("the building farthest from the road", [("building", 2)]),                # 50 m
    ("the closest building to the road not smaller than 50 m2", [("building", 0)]),
    ("the second largest building", [("building", 0)]),                      # 900, 100, 25 m2
    ("the 3rd largest building", [("building", 2)]),
    ("the fourth largest building", []),                                     # only 3
    ("the building second closest to the road", [("building", 1)]),          # 5, 30, 50 m
    ("the 2nd farthest building from the road", [("building", 1)]),
    ("cars within 15 m of the second largest building", [("car", 2)]),      # 14.1 m
    ("cars under the road", [("car", 2)]),
    ("isolated buildings", [("building", 0)]),       # 25 m from the next; 20 and 20 m
    ("red and white cars", [("car", 1), ("car", 0), ("car", 2)]),
    ("red or grey cars", [("car", 1)]),
    ("the largest and the smallest building", [("building", 1), ("building", 2)]),
    ("large and small buildings", [("building", 1), ("building", 2)]),   # not the 100 m2
    ("cars on the road or more than 20 m from the road", [("car", 2), ("car", 1)]),
    ("cars on the road or next to the road", [("car", 2), ("car", 0)]),
    ("cars north and south of the road", [("car", 0), ("car", 1)]),   # none south of it
    ("white cars, and red cars", [("car", 0), ("car", 2), ("car", 1)]),
    ("buildings that are not large or small", [("building", 0)]),   # neither: the 100 m2
    ("cars not on the road or more than 20 m from the road", [("car", 0)]),
    ("cars not north or south of the road", [("car", 2)]),   # on it: neither side
    ("roads with cars", [("road", 0)]),
    ("buildings with cars", [("building", 1)]),          # car 1 lies on it
    ("buildings without cars", [("building", 0), ("building", 2)]),
    ("buildings without red roofs", [("building", 0), ("building", 1), ("building", 2)]),
    ("cars on the southern road", [("car", 2)]),               # the road is the image's bottom
    ("the northern buildings", [("building", 1), ("building", 2)]),
    ("the house with the red roof", []),                      # all three are grey
    ("cars outside the road", [("car", 0), ("car", 1)]),
    ("buildings within 21 m of each other", [("building", 1), ("building", 2)]),  # 20 m; 25
    ("non-red cars", [("car", 0), ("car", 2)]),
    ("the largest 2 buildings", [("building", 1), ("building", 0)]),   # 900, 100 m2
    ("the top 2 largest buildings", [("building", 1), ("building", 0)]),
    ("cars covered by the road", [("car", 2)]),
    ("all buildings except the largest", [("building", 0), ("building", 2)]),   # 100, 25 m2
    ("buildings except the 2 largest ones", [("building", 2)]),
    ("buildings except the 5 largest", []),
    ("medium buildings", [("building", 0)]),                    # the middle of 25, 100, 900
    ("buildings between 20 and 40 m from the road", [("building", 1)]),   # 5, 30, 50 m
    ("cars 0.5-5 m from the road", [("car", 0)]),               # 1 m; the one on it is 0 m
    ("cars that are white or grey", [("car", 0), ("car", 2)]),
    ("cars neither red nor grey", [("car", 0), ("car", 2)]),
    ("the roof of the largest building", [("building", 1)]),
])

def test_plans_select_the_right_objects(expression: str, picks: list) -> None:
    sel = execute(parse(expression), _scene())
    assert sel.picks == picks and not sel.uncertain


def test_except_a_category_leaves_out_its_objects() -> None:
    """"vehicles except trucks": a vehicle mostly over a truck object is that truck."""
    truck, car = box(0, 0, 10, 3), box(20, 0, 24, 2)
    scene = Scene({"vehicle": [box(0, 0, 10, 3.2), car], "truck": [truck]}, (0, 0, 100, 100))
    assert execute(parse("all vehicles except trucks"), scene).picks == [("vehicle", 1)]
    assert execute(parse("vehicles but not trucks"), scene).picks == [("vehicle", 1)]


def test_closest_to_a_missing_anchor_is_uncertain_and_empty() -> None:
    sel = execute(parse("the building closest to the river"), _scene())
    assert sel.picks == [] and sel.uncertain and sel.missing_anchors == ["water"]


def test_a_missing_anchor_makes_the_answer_uncertain_not_empty() -> None:
    sel = execute(parse("cars along the river"), _scene())
    assert sel.uncertain and sel.picks == [] and sel.missing_anchors == ["water"]
    assert "no water found" in sel.notes[0]
    neg = execute(parse("cars not near the river"), _scene())
    assert neg.uncertain and len(neg.picks) == 3


def test_between_needs_an_anchor_on_each_side_within_the_distance() -> None:
    left, right = box(0, 0, 10, 10), box(20, 0, 30, 10)
    car = box(13, 4, 17, 6)                                      # in the gap, 3 m from each
    assert rel.between(car, [("b", left), ("b", right)], 5.0)
    assert not rel.between(car, [("b", left), ("b", right)], 2.0)          # too far
    assert not rel.between(box(13, 14, 17, 16), [("b", left), ("b", right)], 10.0)  # beside
    assert not rel.between(car, [("b", left)], 5.0)                         # one side only
    assert not rel.between(box(2, 2, 4, 4), [("b", left), ("b", right)], 25.0)  # in one
    # two categories named ("between the road and the river"): one of each
    assert rel.between(car, [("road", left), ("water", right)], 5.0)
    assert not rel.between(car, [("road", left), ("road", right), ("water", box(90, 0, 91, 1))],
                           5.0)
    houses = [left, right, box(60, 0, 70, 10)]
    scene = Scene({"car": [car, box(40, 4, 44, 6)], "building": houses}, (0, 0, 100, 100))
    assert execute(parse("cars between the buildings"), scene).picks == [("car", 0)]
    assert execute(parse("cars not between the buildings"), scene).picks == [("car", 1)]
    assert execute(parse("buildings between buildings"), scene).picks == []   # never itself


def test_an_object_hides_the_anchor_it_stands_on_not_one_beside_it() -> None:
    # a ring road round a 100 m block, with a car's hole in its western side
    road = box(0, 0, 120, 120).difference(box(10, 10, 110, 110)).difference(box(3, 60, 6, 65))
    in_hole, in_block = box(3.2, 60.2, 5.8, 64.8), box(40, 40, 42, 45)
    in_notch = box(8.5, 30, 10.5, 34.5)         # half into the road's inner edge
    road = road.difference(in_notch)
    assert rel.occluders([road], [in_hole, in_block, in_notch]) == [in_hole, in_notch]
    assert rel.occluders([road], []) == [] and rel.occluders([], [in_hole]) == []
    # a building filling its block between 10 m streets: beside the road, not on it
    block = box(10, 10, 70, 70)
    streets = box(0, 0, 80, 80).difference(block)
    assert rel.occluders([streets], [block]) == []
    # a corner house with road on two sides, a house in a field
    corner = box(10, 10, 20, 20)
    assert rel.occluders([box(0, 0, 100, 10).union(box(0, 0, 10, 100))], [corner]) == []
    house = box(90, 90, 102, 100)
    field = box(0, 0, 200, 200).difference(house)
    assert rel.occluders([field], [house]) == [house]


def test_a_block_ringed_by_road_is_not_on_the_road() -> None:
    road = box(0, 0, 120, 120).difference(box(10, 10, 110, 110)).difference(box(3, 60, 6, 65))
    houses = [box(12, 12, 22, 22), box(50, 50, 60, 60), box(95, 40, 108, 50)]
    cars = [box(2, 50, 4, 55), box(40, 40, 42, 45), box(3.2, 60.2, 5.8, 64.8)]
    scene = Scene({"road": [road], "building": houses, "car": cars}, (0, 0, 120, 120))
    assert execute(parse("buildings next to the road"), scene).picks == [
        ("building", 0), ("building", 2)]
    assert execute(parse("cars on the road"), scene).picks == [("car", 0), ("car", 2)]
    assert execute(parse("cars not on the road"), scene).picks == [("car", 1)]
    assert execute(parse("cars next to the road"), scene).picks == []
    clearing = box(40, 40, 52, 50)                 # a house in a clearing of its own size
    forest = box(0, 0, 100, 100).difference(clearing)
    scene = Scene({"tree": [forest], "building": [clearing]}, (0, 0, 100, 100))
    assert execute(parse("buildings surrounded by trees"), scene).picks == [("building", 0)]
    assert execute(parse("buildings in the forest"), scene).picks == [("building", 0)]


def test_an_object_is_never_its_own_anchor() -> None:
    houses = [box(0, 0, 10, 10), box(12, 0, 22, 10), box(60, 60, 70, 70)]
    scene = Scene({"building": houses}, (0, 0, 100, 100))
    assert execute(parse("buildings next to buildings"), scene).picks == [
        ("building", 0), ("building", 1)]
    assert execute(parse("buildings far from buildings"), scene).picks == [("building", 2)]
    assert execute(parse("the largest building near buildings"), scene).picks == [
        ("building", 0)]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORDS = st.sampled_from("the cars car road buildings red white largest 3 next to along near "
                         "second 2 nd under boats isolated roofed either , or grey between "
                         "with without northern southern outside each other both sides "
                         "except excluding non covered covering radius "
                         "not within 20 m of from more than and or in on top left image north "
                         "far surrounded by small long trees water larger smaller over under "
                         "between m2 ha with area red roofs > < closest nearest farthest to "
                         "the 2".split())


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=12))
def test_any_grounded_plan_executes_on_a_scene(words: list) -> None:
    plan = parse(" ".join(words))
    if plan.mode != "grounded":
        return
    sel = execute(plan, _scene())
    assert len(sel.picks) == len(set(sel.picks))
    assert all(c in ("car", "road", "building", "tree", "water") for c, _ in sel.picks)
    assert sel.uncertain == bool(sel.missing_anchors)


def test_colour_of_a_huge_object_is_sampled_with_bounded_reads() -> None:
    from affine import Affine

    from rrsis.grounding import engine as ge

    class Reader:
        """A 10 000 x 10 000 px grid, red left of column 5000, white right of it."""

        def __init__(self) -> None:
            self.largest = 0

        def read(self, row: int, col: int, h: int, w: int):  # type: ignore[no-untyped-def]
            self.largest = max(self.largest, h * w)
            cols = np.arange(col, col + w)[None, :].repeat(h, 0)
            rgb = np.where(cols < 5000, np.array([0.8, 0.1, 0.1])[:, None, None],
                           np.array([0.95, 0.95, 0.95])[:, None, None])
            return rgb.astype(np.float32), np.ones((h, w), bool)

    reader = Reader()
    t = Affine(1.0, 0, 0, 0, -1.0, 10_000.0)
    left = ge._object_lab(box(0, 0, 4000, 10_000), t, reader)
    assert has_colour(left, "red") and reader.largest <= ge.MAX_COLOUR_PIXELS
    small = ge._object_lab(box(6000, 100, 6010, 110), t, reader)
    assert has_colour(small, "white")


def test_near_both_anchors_is_near_each_and_near_the_two_is_near_either() -> None:
    road, river = box(0, 0, 100, 8), box(0, 60, 100, 80)
    houses = [box(10, 12, 20, 22), box(40, 40, 50, 50), box(80, 90, 90, 100)]
    scene = Scene({"road": [road], "water": [river], "building": houses}, (0, 0, 100, 100))
    # house 0: 4 m from the road; house 1: 10 m from the river, 32 m from the road;
    # house 2: 10 m from the river
    assert execute(parse("buildings within 35 m of both the road and the river"),
                   scene).picks == [("building", 1)]
    assert execute(parse("buildings within 35 m of the road and the river"), scene).picks == [
        ("building", 0), ("building", 1), ("building", 2)]
    assert execute(parse("buildings within 35 m of the road and not within 15 m of the river"),
                   scene).picks == [("building", 0)]


def test_ranks_by_position_keep_the_extreme_centres() -> None:
    """"the northernmost", "the 2 westernmost", "the topmost" (north-up): by the centre."""
    houses = [box(10, 80, 20, 90), box(60, 40, 70, 50), box(85, 5, 95, 15), box(0, 30, 8, 38)]
    scene = Scene({"building": houses}, (0, 0, 100, 100))

    def picked(expr: str) -> list:
        return [i for _, i in execute(parse(expr), scene).picks]

    assert picked("the building closest to the centre of the image") == [1] == \
        picked("the most central house")
    assert picked("the building farthest from the middle") == [2]
    assert sorted(picked("the 2 buildings nearest the center")) == [1, 3]
    assert picked("the northernmost building") == [0] == picked("the topmost house")
    assert picked("the southernmost building") == [2]
    assert picked("the easternmost building") == [2]
    assert sorted(picked("the 2 westernmost buildings")) == [0, 3]


def test_an_exception_of_objects_with_attributes_or_a_rank() -> None:
    """"buildings except red houses": the buildings but the red ones; "everything except the
    largest building": every object but that one; "anything except cars": the other
    vehicles too (a truck is not a car)."""
    red, white = np.array([45.0, 60.0, 45.0]), np.array([95.0, 0.0, 0.0])   # CIELAB
    houses = [box(0, 0, 10, 10), box(20, 0, 28, 8), box(40, 0, 46, 6)]
    colours = {("building", 0): red, ("building", 1): white, ("building", 2): red}
    vehicles = [box(60, 0, 64, 2), box(70, 0, 80, 3)]
    cars = [box(60, 0, 64, 2)]
    scene = Scene({"building": houses, "vehicle": vehicles, "car": cars}, (0, 0, 100, 100),
                  colour_of=lambda c, i: colours.get((c, i), white))

    def picked(expr: str) -> set:
        return set(execute(parse(expr), scene).picks)

    assert picked("buildings except red houses") == {("building", 1)}
    assert picked("everything except the largest building") >= {("building", 1),
                                                                ("building", 2)}
    assert ("building", 0) not in picked("everything except the largest building")
    assert picked("all objects except cars") & {("vehicle", 0), ("vehicle", 1)} == {
        ("vehicle", 1)}


def test_an_anchor_placed_along_another_object() -> None:
    """"cars near roadside trees": near the trees that stand along the road, not near a tree
    in a yard."""
    road = box(0, 0, 100, 10)
    trees = [Point(20, 14).buffer(3), Point(70, 60).buffer(3)]       # by the road; in a yard
    cars = [box(20, 20, 24, 22), box(70, 66, 74, 68)]               # beside each tree
    scene = Scene({"road": [road], "tree": trees, "car": cars}, (0, 0, 100, 100))
    plan = parse("cars near roadside trees")
    assert plan.summary() == "grounded: car near (tree along road (<= 5 m)) (<= 10 m)"
    assert [i for _, i in execute(plan, scene).picks] == [0]


def test_across_the_road_from_an_anchor() -> None:
    """"across the road from the largest building": on the far side of the road from it, in
    reach; not a house beside it on its own side, not one far down the other side."""
    road = box(0, 0, 100, 10)
    houses = [box(38, 14, 52, 28),      # the largest, north of the road
              box(40, -12, 50, -4),     # facing it across the road
              box(60, 14, 68, 22),      # beside it, same side
              box(40, -80, 48, -72)]    # the far side, but 60 m beyond the road
    scene = Scene({"road": [road], "building": houses}, (-10, -100, 110, 100))
    plan = parse("houses across the road from the largest building")
    assert plan.summary() == ("grounded: building across road from the largest building "
                              "(<= 40 m)")
    assert families(plan) == ("building across road from building",)
    assert [i for _, i in execute(plan, scene).picks] == [1]
    assert rel.across(houses[1], [houses[0]], road, 40.0)
    assert not rel.across(houses[2], [houses[0]], road, 40.0)
    missing = execute(plan, Scene({"building": houses}, (-10, -100, 110, 100)))
    assert missing.uncertain and missing.picks == []
    assert missing.notes[0].startswith("no road found")


def test_an_orientation_is_the_long_side_s_bearing() -> None:
    """"roads running north-south", "east-west oriented buildings": the long side of the
    outline within 22.5 degrees of the axis; a squarish outline lies no way."""
    tilted = rotate(box(0, 0, 40, 8), 30, origin="centroid")   # long side 30 deg off east
    objects = [box(0, 0, 8, 40),        # north-south
               box(50, 0, 90, 8),       # east-west
               translate(tilted, 0, 60),    # bearing 60: nearer northeast than east
               box(0, 80, 10, 89)]      # 10 x 9 m: no orientation
    scene = Scene({"building": objects}, (0, 0, 100, 100))

    def picked(expr: str) -> list:
        return sorted(i for _, i in execute(parse(expr), scene).picks)

    assert rel.axis_bearing(objects[0]) == pytest.approx(0.0, abs=1e-6) or \
        rel.axis_bearing(objects[0]) == pytest.approx(180.0, abs=1e-6)
    assert rel.axis_bearing(objects[1]) == pytest.approx(90.0, abs=1e-6)
    assert rel.axis_bearing(objects[2]) == pytest.approx(60.0, abs=1e-6)
    assert picked("buildings running north-south") == [0] == picked("N-S oriented houses")
    assert picked("buildings aligned east to west") == [1]
    assert picked("buildings running northeast-southwest") == [2]
    assert picked("buildings not oriented east-west") == [0, 2, 3]
    assert picked("diagonal buildings") == [2] == picked("buildings running diagonally")


def test_an_exception_of_one_position_of_a_rank() -> None:
    """"buildings except the second largest": every building but that one; "except the
    largest 3" is the rank all-but, however it is ordered."""
    houses = [box(0, 0, 30, 30), box(40, 0, 60, 20), box(70, 0, 80, 10), box(90, 0, 95, 5)]
    scene = Scene({"building": houses}, (0, 0, 100, 100))

    def picked(expr: str) -> list:
        return sorted(i for _, i in execute(parse(expr), scene).picks)

    assert picked("buildings except the second largest one") == [0, 2, 3]
    assert picked("buildings except the 2nd largest building") == [0, 2, 3]
    assert picked("all buildings except the largest 3") == [3]
    assert picked("buildings except the largest 3 buildings") == [3]


def test_opposite_is_across_the_road() -> None:
    """"houses opposite the largest building": across the road from it, and the plan says
    how "opposite" was read."""
    road = box(0, 0, 100, 10)
    houses = [box(38, 14, 52, 28), box(40, -12, 50, -4), box(60, 14, 68, 22)]
    scene = Scene({"road": [road], "building": houses}, (-10, -100, 110, 100))
    plan = parse("houses opposite the largest building")
    assert plan.summary() == parse("houses across the road from the largest building").summary()
    assert "'opposite' read as across the road from it" in plan.notes
    assert [i for _, i in execute(plan, scene).picks] == [1]


def test_a_count_of_anchor_objects_each_on_its_own() -> None:
    """"buildings with at least 3 cars nearby": three car objects each within the distance,
    not one car and a union; "fewer than 3" is the rest; a bare number is "at least"."""
    houses = [box(0, 0, 10, 10), box(40, 0, 50, 10), box(80, 0, 90, 10)]
    cars = [box(12, 0, 16, 2), box(12, 4, 16, 6), box(-6, 0, -2, 2),   # three by house 0
            box(52, 0, 56, 2), box(52, 4, 56, 6)]                      # two by house 1
    scene = Scene({"building": houses, "car": cars}, (-10, -10, 100, 20))

    def picked(expr: str) -> list:
        return sorted(i for c, i in execute(parse(expr), scene).picks if c == "building")

    assert parse("buildings with at least 3 cars nearby").summary() == \
        "grounded: building near at least 3 car (<= 10 m)"
    assert picked("buildings with at least 3 cars nearby") == [0]
    assert picked("buildings with 3 or more cars next to them") == [0]
    assert picked("buildings with more than 1 car next to them") == [0, 1]
    assert picked("buildings with 2 cars") == [0, 1]
    assert "'2 ...' read as at least 2" in parse("buildings with 2 cars").notes
    assert picked("buildings with fewer than 2 cars") == [2]
    assert picked("buildings with at most 2 cars nearby") == [1, 2]
    assert parse("cars on at least 2 roads").mode == "end_to_end"   # half over each?
    # a car is never counted as its own neighbour: the pairs 0-1 and 3-4 have one each
    assert sorted(i for _, i in execute(parse("cars near at least 1 car"), scene).picks) == \
        [0, 1, 3, 4]
    assert execute(parse("cars near at least 2 cars"), scene).picks == []
    # that many and no more: "exactly", a range (also "2 to 3 cars"), and not exactly
    assert parse("buildings with exactly 2 cars nearby").summary() == \
        "grounded: building near exactly 2 car (<= 10 m)"
    assert picked("buildings with exactly 2 cars nearby") == [1]
    assert picked("buildings with precisely three cars next to them") == [0]
    assert picked("buildings with between 1 and 2 cars nearby") == [1]
    assert picked("buildings with 2 to 3 cars nearby") == [0, 1]
    assert picked("buildings not with exactly 2 cars nearby") == [0, 2]
    # none at all is without them
    assert parse("buildings with exactly 0 cars").summary() == \
        parse("buildings without cars").summary()
    assert picked("buildings with zero cars nearby") == picked("buildings without cars nearby")
    # a vague quantity is read as a count, shown in the plan
    assert parse("buildings with many cars nearby").summary() == \
        parse("buildings with at least 5 cars nearby").summary()
    assert parse("buildings with a few cars nearby").summary() == \
        parse("buildings with between 2 and 4 cars nearby").summary()
    assert parse("buildings full of cars").summary() == \
        parse("buildings with at least 5 cars").summary()
    assert parse("how many cars").summary() == parse("cars").summary()   # a question
    # before the objects asked for, a quantity restricts nothing: every one is found
    for vague in ("several", "a few", "a couple of", "lots of", "a lot of", "numerous", "few"):
        assert parse(f"{vague} cars on the road").summary() == parse("cars on the road").summary()
    assert parse("a parking lot").summary() == "grounded: parking lot"   # no "lot of" here
    assert parse("buildings between 2 and 5 m from the road").targets[0].relations[0].kind == \
        "beyond_m"   # a distance, not a count


def test_very_keeps_a_sixth_and_very_long_is_longer() -> None:
    """"very large buildings": the largest sixth of the category (a third without "very");
    "extremely long": at least 4 times as long as wide (2.5 without); an intensifier before
    anything else is dropped ("very dark"), a hedge is a filler ("fairly large")."""
    houses = [box(0, 10 * i, s, 10 * i + s) for i, s in enumerate(range(1, 13))]   # 1..144 m2
    trucks = [box(0, 0, 2, 2 * ratio) for ratio in (1.0, 3.0, 5.0)]
    scene = Scene({"building": houses, "truck": trucks}, (0, 0, 200, 200))

    def picked(expr: str) -> list:
        return sorted(i for _, i in execute(parse(expr), scene).picks)

    assert picked("large buildings") == list(range(8, 12)) == picked("fairly large houses")
    assert picked("very large buildings") == [10, 11] == picked("extremely big houses")
    assert picked("really small buildings") == [0, 1]
    assert picked("buildings that are not very large") == list(range(10))
    assert picked("long trucks") == [1, 2] and picked("very long trucks") == [2]
    assert parse("very dark roofs").summary() == parse("dark roofs").summary()
    assert parse("buildings completely surrounded by trees").summary() == \
        parse("buildings surrounded by trees").summary()


def test_larger_than_average_is_against_the_category_mean() -> None:
    """"buildings larger than average": area over the mean of the scene's buildings (not the
    median, not the cars')."""
    houses = [box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10), box(60, 0, 80, 20)]
    scene = Scene({"building": houses, "car": [box(0, 50, 4, 52)]}, (0, 0, 100, 100))

    def picked(expr: str) -> list:
        return sorted(i for _, i in execute(parse(expr), scene).picks)

    assert picked("buildings larger than average") == [3]   # mean 175 m2
    assert picked("buildings of below-average size") == [0, 1, 2]
    assert picked("buildings longer than the average") == [3]
    # so many times it, or a part of it: 2 x 175 = 350, half 87.5 (it was "2 times medium
    # building")
    assert parse("buildings twice as large as the average building").summary() == \
        "grounded: building larger than 2 times average"
    assert picked("buildings twice as large as the average building") == [3]   # 400 m2
    assert picked("buildings more than 3 times the average size") == []
    assert picked("buildings less than half the average size") == []
    assert picked("buildings at least half the average size") == [0, 1, 2, 3]


def test_negated_colour_alternatives_are_both_negated() -> None:
    """"cars that are not white or black": neither white nor black."""
    white, black, red = (np.array([95.0, 0.0, 0.0]), np.array([10.0, 0.0, 0.0]),
                         np.array([45.0, 60.0, 45.0]))
    cars = [box(0, 0, 4, 2), box(10, 0, 14, 2), box(20, 0, 24, 2)]
    colours = {0: white, 1: black, 2: red}
    scene = Scene({"car": cars}, (0, 0, 100, 100), colour_of=lambda c, i: colours[i])
    plan = parse("cars that are not white or black")
    assert [i for _, i in execute(plan, scene).picks] == [2]


def test_along_one_side_of_an_object() -> None:
    """"buildings along the north side of the road": along it and north of it."""
    road = box(0, 0, 100, 10)
    houses = [box(20, 14, 30, 24), box(20, -14, 30, -4), box(20, 60, 30, 70)]
    scene = Scene({"road": [road], "building": houses}, (0, -50, 100, 100))
    plan = parse("buildings along the north side of the road")
    assert plan.summary() == "grounded: building along road (<= 10 m) north of road"
    assert [i for _, i in execute(plan, scene).picks] == [0]


def test_a_place_named_by_its_building() -> None:
    """"cars in driveways": beside a building; "trees in the backyard of the smallest house":
    beside that one."""
    houses = [box(0, 0, 40, 40), box(60, 0, 70, 10)]
    cars = [box(72, 0, 76, 2), box(60, 60, 64, 62)]               # by the house; in a field
    trees = [Point(42, 20).buffer(1.5), Point(58, 5).buffer(1.5), Point(90, 90).buffer(2)]
    scene = Scene({"building": houses, "car": cars, "tree": trees}, (0, 0, 100, 100))

    def picked(expr: str) -> list:
        return sorted(i for _, i in execute(parse(expr), scene).picks)

    plan = parse("cars in driveways")
    assert plan.summary() == "grounded: car next to building (<= 5 m) not on road"
    assert plan.notes[0].startswith("'driveways' read as next to building")
    assert picked("cars in driveways") == [0]
    on_the_street = Scene({"building": houses, "car": cars, "road": [box(71, -5, 77, 40)]},
                          (0, -10, 100, 100))   # the car beside the house stands on a road
    assert execute(plan, on_the_street).picks == []
    assert picked("trees in the backyard of the smallest house") == [1]
    assert picked("trees in backyards") == [0, 1]


def test_the_object_with_the_most_anchor_objects() -> None:
    """"the road with the most cars": ranked by the car objects within reach of each road;
    "with the fewest" the other way; none anywhere near any road: no road has "the most"."""
    roads = [box(0, 0, 100, 8), box(0, 40, 100, 48), box(0, 80, 100, 88)]
    cars = [box(10 + 10 * k, 2, 14 + 10 * k, 4) for k in range(3)] + [box(50, 42, 54, 44)]
    scene = Scene({"road": roads, "car": cars}, (0, 0, 100, 100))

    def picked(expr: str) -> list:
        return [i for c, i in execute(parse(expr), scene).picks if c == "road"]

    assert parse("the road with the most cars").summary() == \
        "grounded: the road with the most car (<= 3 m)"
    assert picked("the road with the most cars") == [0]
    assert picked("the 2 roads with the most cars") == [0, 1]
    assert picked("the road with the fewest cars") == [2]
    assert picked("the 3 roads with the most cars") == [0, 1]   # the third has none
    empty = Scene({"road": roads, "car": [box(50, 20, 54, 22)]}, (0, 0, 100, 100))
    assert execute(parse("the road with the most cars"), empty).picks == []


def test_parallel_and_perpendicular_to_the_road_where_it_is_nearest() -> None:
    """"buildings parallel to the road": long side along the road's direction near it (the
    road bends: each house is judged against its own stretch); square to it is perpendicular;
    a squarish house or one out of reach is neither."""
    road = unary_union([box(0, 0, 100, 8), box(92, 0, 100, 100)])   # east, then north
    houses = [box(20, 12, 40, 20),      # along the east-west stretch: parallel
              box(50, 12, 58, 32),      # square to it: perpendicular
              box(70, 60, 88, 68),      # square to the north-south stretch: perpendicular
              box(80, 30, 88, 50),      # along the north-south stretch: parallel
              box(20, 30, 29, 39),      # squarish: neither
              box(20, 70, 40, 78)]      # 62 m from the road: neither
    scene = Scene({"road": [road], "building": houses}, (0, 0, 100, 100))

    def picked(expr: str) -> list:
        return sorted(i for c, i in execute(parse(expr), scene).picks if c == "building")

    assert parse("buildings parallel to the road").summary() == \
        "grounded: building parallel to road (<= 20 m)"
    assert picked("buildings parallel to the road") == [0, 3]
    assert picked("houses at right angles to the road") == [1, 2]
    assert rel.bearing_gap(170.0, 10.0) == pytest.approx(20.0)
    assert picked("buildings at an angle to the road") == []   # each lies along or square


def test_cars_parked_at_an_angle_to_the_road() -> None:
    """"cars parked diagonally" (angle parking): at an angle to the road where it is nearest,
    neither along it nor square to it; not the image's diagonal."""
    road = box(0, 0, 100, 8)
    angled = rotate(box(20, 10, 22, 15), 45, origin="centroid")     # 45 degrees to the road
    along, square = box(40, 10, 45, 12), box(60, 10, 62, 15)
    scene = Scene({"road": [road], "car": [angled, along, square]}, (0, 0, 100, 100))
    for text in ("cars parked diagonally", "angle parking", "cars at an angle to the road",
                 "cars parked diagonally to the street"):
        assert execute(parse(text), scene).picks == [("car", 0)], text
    assert rel.oblique(angled, road, 6.0) and not rel.oblique(along, road, 6.0)


def test_a_third_or_a_quarter_of_the_image() -> None:
    """"in the top third": the third of the extent from the top edge; "the middle third":
    the central third; "the top left quarter" is the corner (a half each way)."""
    bounds = (0.0, 0.0, 90.0, 90.0)
    assert rel.in_region((45, 65), bounds, "top", None, 1 / 3)       # 25 m from the top
    assert not rel.in_region((45, 55), bounds, "top", None, 1 / 3)   # 35 m: in the top half
    assert rel.in_region((45, 55), bounds, "top", None)
    assert rel.in_region((40, 50), bounds, "centre", "centre", 1 / 3)
    assert not rel.in_region((40, 25), bounds, "centre", "centre", 1 / 3)
    houses = [box(40, 70, 45, 75), box(40, 50, 45, 55), box(5, 5, 10, 10)]
    scene = Scene({"building": houses}, bounds)
    picked = [i for _, i in execute(parse("buildings in the top third of the image"),
                                    scene).picks]
    assert picked == [0]
    assert parse("buildings in the top left quarter").summary() == \
        "grounded: building in the top left of the image"


def test_far_from_everything_is_far_from_each_category_at_its_own_distance() -> None:
    """"buildings far from everything": far from each category at that pair's distance (a
    house 30 m from a tree is far from it, though water would need 80 m); a category the scene
    has none of is no doubt."""
    houses = [box(0, 0, 10, 10), box(0, 60, 10, 70)]
    trees = [Point(45, 5).buffer(2)]            # 33 m from house 0
    cars = [box(14, 60, 18, 62)]                # 4 m from house 1
    scene = Scene({"building": houses, "tree": trees, "car": cars, "vegetation": trees,
                   "vehicle": cars}, (0, 0, 100, 100))
    plan = parse("buildings far from everything")
    assert "far from vegetation (> 20 m)" in plan.summary()
    assert "far from water (> 80 m)" in plan.summary()
    sel = execute(plan, scene)
    assert [i for _, i in sel.picks] == [0] and not sel.uncertain


def test_a_group_is_a_chain_of_its_kind_and_joined_houses_touch() -> None:
    """"cars in a row": a chain of at least 3 cars, each within the car-car "near" distance
    (6 m) of the next, not all of each other; a pair is no group; "terraced houses" touch
    another house, "detached houses" touch none."""
    row = [box(x, 0, x + 4, 2) for x in (0, 9, 18, 27)]       # 5 m gaps: one chain of 4
    pair = [box(0, 30, 4, 32), box(9, 30, 13, 32)]            # a chain of 2
    lone = [box(60, 0, 64, 2)]
    assert rel.group_sizes(row + pair + lone, 6.0) == [4, 4, 4, 4, 2, 2, 1]
    assert row[0].distance(row[3]) > 6.0                      # linked through the others
    houses = [box(0, 50, 10, 60), box(10.5, 50, 20, 60), box(40, 50, 50, 60)]
    scene = Scene({"car": row + pair + lone, "building": houses}, (-10, -10, 100, 100))

    def picked(expr: str, category: str = "car") -> list:
        return sorted(i for c, i in execute(parse(expr), scene).picks if c == category)

    assert picked("cars in a row") == [0, 1, 2, 3]
    assert picked("groups of 5 or more cars") == []
    assert picked("cars in groups of at least 2") == [0, 1, 2, 3, 4, 5]
    assert picked("cars not in a group") == [4, 5, 6]
    assert picked("terraced houses", "building") == [0, 1]
    assert picked("detached houses", "building") == [2]
    assert picked("isolated cars") == [6]
    assert picked("the largest group of cars") == [0, 1, 2, 3]
    assert rel.largest_group([], 6.0) == set()


def test_an_anchor_related_to_its_own_kind() -> None:
    """"cars next to clustered buildings": the anchor is the buildings in a group of three,
    and a car beside the lone house is not next to one of them."""
    cluster = [box(x, 0, x + 8, 8) for x in (0, 12, 24)]      # 4 m apart: one group
    lone = [box(80, 0, 88, 8)]
    cars = [box(4, 10, 8, 12), box(82, 10, 86, 12)]          # 2 m north of house 0, of the lone
    scene = Scene({"building": cluster + lone, "car": cars}, (-10, -10, 100, 30))
    picks = execute(parse("cars next to clustered buildings"), scene).picks
    assert picks == [("car", 0)]
    assert execute(parse("cars next to isolated buildings"), scene).picks == [("car", 1)]


def test_closer_to_one_anchor_than_to_another() -> None:
    """"buildings closer to the road than to the river": the two gaps compared, each to the
    nearest object of that anchor; "farther from" is the other way round; a building is not
    its own nearest building; without a river the answer is uncertain, not "all"."""
    river = box(0, 60, 100, 70)                                     # road y 0-10, river y 60-70
    houses = [box(10, 15, 20, 25), box(40, 40, 50, 50), box(70, 30, 80, 36)]  # gaps 5/35,
    scene = Scene({"road": [ROAD], "water": [river], "building": houses},   # 30/10, 20/24
                  (0, 0, 100, 100))

    def picked(expr: str, where: Scene = scene) -> list:
        return sorted(i for c, i in execute(parse(expr), where).picks if c == "building")

    assert picked("buildings closer to the road than to the river") == [0, 2]
    assert picked("buildings farther from the road than from the river") == [1]
    assert picked("buildings not closer to the road than to the river") == [1]
    assert picked("buildings closer to other buildings than to the road") == [1]   # 20.4 < 30
    dry = Scene({"road": [ROAD], "building": houses}, (0, 0, 100, 100))
    out = execute(parse("buildings closer to the road than to the river"), dry)
    assert out.picks == [] and out.uncertain


def test_a_place_after_with_is_the_anchors() -> None:
    """"houses with cars in the driveway": the driveway is the cars' (a house is in no
    driveway): a house with a car beside it off the road, not one whose car is on the road."""
    houses = [box(0, 14, 10, 24), box(40, 12, 50, 22)]
    cars = [box(2, 11, 6, 13), box(42, 7, 46, 9)]   # 1 m from house 0, off the road; 3 m
    assert rel.on(cars[1], ROAD) and not rel.on(cars[0], ROAD)   # from house 1, on the road
    scene = Scene({"building": houses, "car": cars, "road": [ROAD]}, (0, 0, 100, 100))
    assert execute(parse("houses with cars in the driveway"), scene).picks == [("building", 0)]
    assert execute(parse("houses without cars in the driveway"), scene).picks == [
        ("building", 1)]


def test_on_the_same_side_of_the_road_as_an_anchor() -> None:
    """"houses on the same side of the road as the largest building": at any distance, the
    line to it does not cross the road; the building itself is not its own anchor; without
    a road found the answer is uncertain."""
    houses = [box(0, 20, 30, 40),                                    # the largest, north
              box(80, 15, 85, 20), box(50, 60, 55, 65),              # north, near and far
              box(10, -20, 15, -15), box(70, -40, 75, -35)]          # south
    scene = Scene({"building": houses, "road": [ROAD]}, (0, -50, 100, 100))

    def picked(expr: str, where: Scene = scene) -> list:
        return sorted(i for c, i in execute(parse(expr), where).picks if c == "building")

    assert picked("buildings on the same side of the road as the largest building") == [1, 2]
    assert picked("buildings not on the same side of the road as the largest building") == \
        [3, 4]   # nor the largest itself: it is on no side of itself
    assert rel.same_side(houses[3], [houses[4]], ROAD) and not rel.same_side(
        houses[3], [houses[1]], ROAD)
    out = execute(parse("buildings on the same side of the road as the largest building"),
                  Scene({"building": houses}, (0, -50, 100, 100)))
    assert out.picks == [] and out.uncertain


def test_the_most_isolated_is_the_farthest_from_the_others_of_its_kind() -> None:
    """"the most isolated building": ranked by the gap to the nearest other building."""
    houses = [box(0, 0, 10, 10), box(12, 0, 22, 10), box(60, 0, 70, 10), box(30, 50, 40, 60)]
    scene = Scene({"building": houses}, (0, 0, 100, 100))   # gaps to the nearest: 2, 2, 38, 40
    assert execute(parse("the most isolated building"), scene).picks == [("building", 3)]
    assert execute(parse("the 2 most isolated buildings"), scene).picks == [
        ("building", 3), ("building", 2)]


def test_ranks_and_comparisons_to_the_nearest_other_match_the_brute_force() -> None:
    """The gap to the nearest other object (an STRtree's nearest) is the one the union of all
    the others gives, for "the most isolated", "closer to X than to other Xs" and "north of
    other buildings"."""
    rng = np.random.default_rng(0)
    houses = [box(x, y, x + 6, y + 6) for x, y in rng.uniform(0, 300, (60, 2))]
    road = box(0, 140, 300, 150)
    scene = Scene({"building": houses, "road": [road]}, (0, 0, 300, 300))
    others = [unary_union([h for j, h in enumerate(houses) if j != i]) for i in range(60)]
    gaps = [h.distance(o) for h, o in zip(houses, others)]
    expected = sorted(range(60), key=lambda i: -gaps[i])[:5]
    assert [i for _, i in execute(parse("the 5 most isolated buildings"), scene).picks] == \
        expected
    closer = [i for i in range(60) if houses[i].distance(road) < gaps[i]]
    assert sorted(i for _, i in execute(parse(
        "buildings closer to the road than to other buildings"), scene).picks) == closer
    north = [i for i in range(60) if rel.direction(houses[i], others[i], "north")]
    assert sorted(i for _, i in execute(parse("buildings north of other buildings"),
                                        scene).picks) == north


def test_a_courtyard_is_a_hole_in_the_outline() -> None:
    """"buildings with a courtyard": a hole of at least 10 m2 (a speck of a pixel or two in
    the mask is none); "trees in the courtyard": surrounded by the building."""
    ring = box(0, 0, 30, 30).difference(box(10, 10, 20, 20))        # a 100 m2 courtyard
    specked = box(40, 0, 60, 20).difference(box(49, 9, 50, 10))     # a 1 m2 hole
    plain = box(70, 0, 90, 20)
    tree = box(13, 13, 17, 17)
    scene = Scene({"building": [ring, specked, plain], "tree": [tree, box(95, 0, 99, 4)]},
                  (0, 0, 100, 100))
    assert rel.largest_hole(ring) == pytest.approx(100.0) and rel.largest_hole(plain) == 0.0
    assert execute(parse("buildings with a courtyard"), scene).picks == [("building", 0)]
    assert execute(parse("buildings without a courtyard"), scene).picks == [
        ("building", 1), ("building", 2)]
    assert execute(parse("trees in the courtyard"), scene).picks == [("tree", 0)]


def test_a_courtyard_enclosed_by_several_buildings() -> None:
    """"cars in the courtyard": a hole of the buildings' union counts, as four wings around
    one yard do; a car outside the ring is in none."""
    wings = [box(0, 0, 30, 5), box(0, 25, 30, 30), box(0, 5, 5, 25), box(25, 5, 30, 25)]
    cars = [box(12, 12, 16, 14), box(40, 12, 44, 14)]
    scene = Scene({"building": wings, "car": cars}, (0, 0, 100, 100))
    assert execute(parse("cars in the courtyard"), scene).picks == [("car", 0)]


def test_junctions_are_where_three_arms_of_road_meet() -> None:
    """"cars at the intersection": the road within 1.5 widths of where three or more arms meet
    (a crossing, a T, a Y, a lane off a road), not a bend, a straight stretch or a road's end;
    "the house on the corner" is next to one."""
    plus = unary_union([box(0, 45, 100, 55), box(45, 0, 55, 100)])
    tee = unary_union([box(0, 45, 100, 55), box(45, 0, 55, 50)])
    bend = unary_union([box(0, 45, 55, 55), box(45, 45, 55, 100)])
    wye = unary_union([LineString([(50, 50), p]).buffer(4) for p in ((50, 0), (0, 100),
                                                                      (100, 100))])
    assert [len(rel.junctions(g)) for g in (plus, tee, bend, ROAD, wye)] == [1, 1, 0, 0, 1]
    assert rel.junctions(plus)[0].centroid.distance(Point(50, 50)) < 1.0
    assert rel.junctions(Polygon()) == []
    cars = [box(48, 48, 52, 50), box(5, 48, 9, 50)]            # in the crossing; down the road
    houses = [box(58, 58, 70, 70), box(86, 58, 98, 70)]        # on the corner; along the road
    scene = Scene({"road": [plus], "car": cars, "building": houses}, (0, 0, 100, 100))
    plan = parse("cars at the intersection")
    assert plan.summary() == "grounded: car on road junction"
    assert any("junctions" in n for n in plan.notes)
    assert execute(plan, scene).picks == [("car", 0)]
    assert execute(parse("the house on the corner"), scene).picks == [("building", 0)]
    assert execute(parse("cars not at the intersection"), scene).picks == [("car", 1)]
    no_junction = Scene({"road": [ROAD], "car": cars}, (0, 0, 100, 100))
    out = execute(plan, no_junction)
    assert out.picks == [] and out.uncertain
    assert families(plan) == ("vehicle on road junction",)


def test_junctions_as_targets_are_the_road_parts_themselves() -> None:
    """"intersections", "the largest junction", "crossroads with cars": the road's junctions
    are objects of the answer (filtered and ranked like others); a wide crossing is one
    junction; a junction has no colour of its own."""
    grid = unary_union([box(0, 45, 200, 55), box(45, 0, 55, 100), box(150, 0, 170, 100)])
    cars = [box(48, 48, 52, 50), box(100, 48, 104, 50)]      # in the left crossing; between
    scene = Scene({"road": [grid], "car": cars}, (0, 0, 200, 100))

    def picked(expr: str) -> list:
        return execute(parse(expr), scene).picks

    assert parse("intersections").summary() == "grounded: road junction" == \
        parse("the crossroads").summary() == parse("road junctions").summary()
    assert picked("intersections") == [("junction", 0), ("junction", 1)]
    widest = max(range(2), key=lambda i: scene.derived["junction"][i].area)
    assert scene.derived["junction"][widest].centroid.x > 100      # the 20 m wide crossing
    assert picked("the largest intersection") == [("junction", widest)]
    assert picked("junctions with cars") == [("junction", 0)]
    assert picked("intersections without cars") == [("junction", 1)]
    assert picked("junctions in the east of the image") == [("junction", 1)]
    assert picked("cars at the intersection") == [("car", 0)]   # an anchor, as before
    assert parse("red intersections").mode == "end_to_end"
    wide = unary_union([box(0, 130, 300, 170), box(130, 0, 170, 300)])   # 40 m wide crossing
    assert len(rel.junctions(wide)) == 1
    no_junction = execute(parse("intersections"), Scene({"road": [ROAD]}, (0, 0, 100, 100)))
    assert no_junction.picks == [] and not no_junction.uncertain


def test_dead_ends_are_where_a_road_stops_inside_the_image() -> None:
    """"buildings at the end of the road", "dead ends", "cul-de-sacs": the road within 1.5
    widths of where one arm of road stops (went to the model whole); a road leaving the
    processed extent does not end there; a junction, a bend or a straight stretch is no end."""
    tee = unary_union([box(0, 45, 200, 53), box(96, 53, 104, 120)])   # the side road stops
    houses = [box(94, 124, 106, 134), box(20, 60, 30, 70)]    # at its end; along the main road
    scene = Scene({"road": [tee], "building": houses}, (0.0, 0.0, 200.0, 200.0))
    ends = rel.road_ends(tee, scene.bounds)
    assert len(ends) == 1 and ends[0].bounds[3] == 120 and ends[0].bounds[1] > 53
    assert execute(parse("buildings at the end of the road"), scene).picks == [("building", 0)]
    for text in ("dead ends", "the cul-de-sac", "road ends", "the end of the street"):
        plan = parse(text)
        assert plan.summary() == "grounded: road end" and any("stops" in n for n in plan.notes)
        assert execute(plan, scene).picks == [("end", 0)], text
    el = unary_union([box(20, 20, 120, 28), box(112, 28, 120, 150)])   # stops at both ends
    assert len(rel.road_ends(el, scene.bounds)) == 2
    assert len(rel.road_ends(el, (25.0, 0.0, 200.0, 200.0))) == 1   # one cut by the edge
    plus = unary_union([box(0, 45, 200, 55), box(95, 0, 105, 200)])
    assert rel.road_ends(plus, scene.bounds) == [] and rel.road_ends(Polygon(), (0, 0, 1, 1)) == []
    gapped = unary_union([box(0, 45, 90, 53), box(100, 45, 200, 53)])   # a 10 m gap: pieces
    assert rel.road_ends(gapped, scene.bounds) == []
    assert rel.road_ends(box(80, 80, 120, 88), scene.bounds) == []   # 5 widths long: a speck
    assert parse("the road that ends at the river").summary() == \
        "grounded: road within 1 m of water"   # a verb: the road that reaches it

def test_bridges_are_the_road_over_the_water() -> None:
    """"cars on the bridge": the deck is found whether the river's mask is cut where the road
    is drawn over it or runs on under the road; a road along the bank or ending at it is no
    bridge; without water in the vocabulary's scene, no bridge is found and the answer is
    uncertain, as without any anchor."""
    road = unary_union([box(45, 0, 55, 100), box(55, 80, 100, 90)])   # north-south, a lane east
    cut = [box(0, 60, 45, 70), box(55, 60, 100, 70)]             # the river, cut by the deck
    under = [box(0, 60, 100, 70)]                                # drawn under the deck too
    for water in (cut, under):
        (deck,) = rel.bridges(road, unary_union(water))
        assert deck.symmetric_difference(box(45, 60, 55, 70)).area < 1.0
    assert rel.bridges(box(0, 71, 100, 79), box(0, 60, 100, 70)) == []      # along the bank
    assert rel.bridges(box(45, 70, 55, 100), box(0, 60, 100, 70)) == []     # ends at it
    assert rel.bridges(Polygon(), box(0, 60, 100, 70)) == []
    cars = [box(48, 63, 52, 67), box(48, 20, 52, 24), box(70, 83, 74, 87)]   # on the deck;
    scene = Scene({"road": [road], "water": cut, "car": cars}, (0, 0, 100, 100))   # off it
    plan = parse("cars on the bridge")
    assert plan.summary() == "grounded: car on road bridge over water"
    assert any("crosses water" in n for n in plan.notes)
    assert plan.categories() == ("car", "road", "water")
    assert execute(plan, scene).picks == [("car", 0)]
    assert execute(parse("cars not on the bridge"), scene).picks == [("car", 1), ("car", 2)]
    assert execute(parse("bridges"), scene).picks == [("bridge", 0)]
    assert parse("the road bridge").summary() == "grounded: road bridge over water"
    assert parse("red bridges").mode == "end_to_end"   # a part of a mask has no colour
    dry = execute(plan, Scene({"road": [road], "car": cars}, (0, 0, 100, 100)))
    assert dry.picks == [] and dry.uncertain


def test_crossing_is_running_across_not_beside_or_ending_at() -> None:
    """"roads crossing the river": the river cuts the road into stretches on both banks, or
    the road parts the river's mask where it stops at the bridge, or the road is the bridge's
    stretch alone; a road ending at the river, one running along it, and one with a small
    bulge over its bank cross nothing."""
    river = box(40, 0, 60, 100)                                 # 20 m wide, north-south
    over_it = box(0, 45, 100, 53)                               # drawn over the water
    ends_there = box(0, 70, 41, 78)                             # stops on the west bank
    beside = box(62, 0, 70, 100)                                # along the east bank
    bulge = unary_union([box(0, 20, 38, 28), box(38, 22, 41, 26)])   # 1 m over the bank
    bridge_only = box(40, 88, 60, 95)                           # the bridge's stretch alone
    assert rel.crosses(over_it, river) and rel.crosses(bridge_only, river)
    assert not any(rel.crosses(r, river) for r in (ends_there, beside, bulge))
    upstream, downstream = box(40, 55, 60, 100), box(40, 0, 60, 43)   # mask cut at the bridge
    parted = unary_union([upstream, downstream])
    assert rel.crosses(box(0, 44, 100, 53), parted)            # 1 and 2 m short of the road
    assert not rel.crosses(box(0, 44, 100, 53), parted, distance=0.5)
    roads = [over_it, ends_there, beside, bulge]
    scene = Scene({"road": roads, "water": [river]}, (0, 0, 100, 100))

    def picked(expr: str) -> list:
        return sorted(i for _, i in execute(parse(expr), scene).picks)

    assert picked("roads crossing the river") == [0] == picked("roads that cross the river") \
        == picked("roads across the river") == picked("the road crossing the river")
    assert picked("roads not crossing the river") == [1, 2, 3]
    assert parse("buildings across the river").mode == "end_to_end"   # across ... from what
    assert parse("road crossings").summary() == "grounded: road junction"
    assert parse("roads through the forest").summary() == "grounded: road crossing tree"


def test_density_words_read_as_groups_of_their_own_kind() -> None:
    """"dense housing", "densely built-up areas": buildings in a group of their kind;
    "scattered buildings", "sparse trees": far from any other; an area is one object of
    its mask, so "dense forest" goes to the model whole."""
    block = [box(10 * i, 0, 10 * i + 8, 8) for i in range(4)]   # 2 m apart
    lone = [box(0, 80, 8, 88), box(80, 80, 88, 88)]               # 72 m apart
    scene = Scene({"building": block + lone}, (0, 0, 100, 100))

    def picked(expr: str) -> list:
        return sorted(i for _, i in execute(parse(expr), scene).picks)

    assert picked("dense housing") == [0, 1, 2, 3] == picked("densely built-up areas") \
        == picked("densely packed houses")
    assert picked("scattered buildings") == [4, 5] == picked("sparse houses") \
        == picked("widely spaced houses")
    assert parse("scattered trees").summary() == "grounded: tree far from tree (> 20 m)"
    assert parse("dense forest").mode == "end_to_end"
    assert parse("what is on the road").summary() == parse("everything on the road").summary()


def test_with_objects_on_both_sides() -> None:
    """"roads with buildings on both sides": two buildings within the pair's distance of the
    road whose connecting line crosses it; one side only, or a building on the road, is not."""
    roads = [box(0, 0, 100, 8), box(0, 50, 100, 58), box(0, 90, 100, 98)]
    houses = [box(10, 10, 20, 20), box(60, -12, 70, -2),     # north and south of road 0
              box(10, 60, 20, 70), box(60, 60, 70, 70),      # north of road 1 only
              box(40, 91, 44, 97), box(10, 99, 20, 109)]     # on road 2; north of it
    scene = Scene({"road": roads, "building": houses}, (0, -20, 100, 110))

    def picked(expr: str) -> list:
        return sorted(i for _, i in execute(parse(expr), scene).picks)

    assert picked("roads with buildings on both sides") == [0] == picked(
        "streets with houses on either side of them")
    assert picked("roads without buildings on both sides") == [1, 2]
    assert rel.both_sides(roads[0], unary_union(houses[:2]), 10.0)
    assert not rel.both_sides(roads[0], unary_union(houses[:2]), 1.0)   # 2 m away each


def test_the_n_largest_groups_keep_their_members() -> None:
    """"the 2 largest clusters of buildings": the members of the two groups with the most
    buildings (of two as large, the larger in area first)."""
    def row(x0: float, n: int, size: float = 8) -> list:
        return [box(x0 + 10 * i, 0, x0 + 10 * i + size, size) for i in range(n)]
    houses = row(0, 4) + row(100, 3) + row(200, 3, size=6) + row(300, 1)
    scene = Scene({"building": houses}, (0, 0, 400, 100))

    def picked(expr: str) -> list:
        return sorted(i for _, i in execute(parse(expr), scene).picks)

    assert picked("the largest cluster of buildings") == [0, 1, 2, 3]
    assert picked("the 2 largest clusters of buildings") == list(range(7)) == picked(
        "the two biggest groups of houses")
    assert picked("the 3 largest clusters of buildings") == list(range(10))


def test_the_image_edge_is_a_place_an_object_is_cut_by_or_near() -> None:
    """"buildings not touching the image edge" leaves out the ones the extent's edge cuts (an
    analyst counting whole buildings); "near the image border" is the outer tenth of the
    shorter side; "within 20 m of the image edge" the expression's own distance; "not in the
    top left of the image" the objects elsewhere."""
    bounds = (0.0, 0.0, 200.0, 100.0)
    houses = [box(0, 40, 10, 50),      # cut by the west edge
              box(95, 92, 105, 99.5),  # 0.5 m from the north edge (outlines traced from pixels)
              box(100, 85, 110, 91),   # 9 m from it: in the outer tenth (10 m)
              box(60, 70, 70, 80),     # 20 m from it
              box(90, 40, 98, 48)]     # 40 m from the nearest edge
    assert [rel.edge_gap(h, bounds) for h in houses] == [0.0, 0.5, 9.0, 20.0, 40.0]
    scene = Scene({"building": houses}, bounds)

    def picked(text: str) -> list:
        return [i for _, i in execute(parse(text), scene).picks]

    assert picked("buildings at the edge of the image") == [0, 1]
    assert picked("buildings partly outside the image") == [0, 1]
    assert picked("buildings not touching the image border") == [2, 3, 4]
    assert picked("buildings entirely inside the image") == [2, 3, 4]
    assert picked("buildings near the image edge") == [0, 1, 2]
    assert picked("buildings away from the edges of the image") == [3, 4]
    assert picked("buildings within 20 m of the image edge") == [0, 1, 2, 3]
    assert picked("buildings more than 20 m from the image edge") == [4]
    assert picked("the largest building not at the edge of the image") == [3]
    assert picked("buildings in the top left of the image") == [3]
    assert picked("buildings not in the top left of the image") == [0, 1, 2, 4]
    assert picked("buildings outside the left half of the image") == [1, 2]
    # not the edge of something the model segments: read as a relation or left to the model
    assert parse("trees along the edge of the forest").mode == "end_to_end"
    assert parse("cars at the edge of the road").summary() == \
        "grounded: car next to road (<= 3 m)"


def test_closest_to_each_other_is_the_closest_pair() -> None:
    """"cars closest to each other" keeps both cars of the closest pair (one car is not close
    to each other); "the two closest cars" is the same, said shorter."""
    cars = [box(0, 0, 4, 2), box(5, 0, 9, 2),        # 1 m apart
            box(30, 0, 34, 2), box(37, 0, 41, 2),    # 3 m apart
            box(80, 40, 84, 42)]                      # alone
    scene = Scene({"car": cars}, (0.0, 0.0, 100.0, 100.0))
    for text in ("cars closest to each other", "the two closest cars",
                 "the 2 cars closest to one another"):
        assert sorted(i for _, i in execute(parse(text), scene).picks) == [0, 1], text
    assert sorted(i for _, i in execute(parse("the 4 closest cars"), scene).picks) == [0, 1, 2, 3]
    alone = Scene({"car": cars[4:]}, (0.0, 0.0, 100.0, 100.0))   # no other car to be close to
    assert execute(parse("cars closest to each other"), alone).picks == []


def test_the_building_closest_to_the_image_edge_is_the_outermost() -> None:
    houses = [box(40, 40, 50, 50), box(5, 60, 15, 70), box(80, 85, 90, 92)]   # gaps 40, 5, 8
    scene = Scene({"building": houses}, (0.0, 0.0, 100.0, 100.0))

    def picked(text: str) -> list:
        return [i for _, i in execute(parse(text), scene).picks]

    assert picked("the building closest to the edge of the image") == [1]
    assert picked("the 2 outermost buildings") == [1, 2]
    assert picked("the building farthest from the image border") == [0]


def test_it_and_them_name_the_objects_named_before() -> None:
    """"the road and the cars on it": the road, and the cars on that road (the pronoun went
    to the model whole); "it" names the last object named in the singular, "them" the last in
    the plural; "with trees next to them" stays the target's own."""
    road = box(0, 0, 100, 8)
    cars = [box(10, 2, 14, 4), box(50, 20, 54, 22)]   # on the road; off it, 12 m away
    trucks = [box(60, 9, 68, 11), box(10, 40, 18, 42)]   # 1 m from the road; far from all
    scene = Scene({"road": [road], "car": cars, "truck": trucks}, (0.0, 0.0, 100.0, 100.0))

    def picked(text: str) -> list:
        return sorted(execute(parse(text), scene).picks)

    assert picked("the road and the cars on it") == [("car", 0), ("road", 0)]
    assert picked("the road and the cars not on it") == [("car", 1), ("road", 0)]
    assert picked("the road, the cars on it and the trucks next to it") == [
        ("car", 0), ("road", 0), ("truck", 0)]
    plan = parse("the road, the cars on it and the trucks next to them")
    assert plan.targets[2].relations[0].anchor == plan.targets[1]   # the cars on the road
    assert parse("cars on it").mode == "end_to_end"   # nothing named before
    assert parse("red and white cars and the buildings next to them").mode == "end_to_end"
    own = parse("buildings and the road with trees next to them").targets[-1].relations
    assert [(r.kind, r.anchor.categories) for r in own] == [("next_to", ("tree",))]


def test_intersecting_is_the_gis_predicate_overlapping_shares_ground() -> None:
    """"buildings that intersect the road": any building sharing ground with it (the GIS
    predicate; it was read as crossing it, which a building mostly off the road does not),
    as "overlapping"; a road that intersects a river still crosses it; "in a 30 m buffer
    around" is within 30 m."""
    road = box(0, 40, 100, 48)
    houses = [box(10, 45, 20, 55), box(40, 60, 50, 70), box(70, 41, 80, 49)]   # 3 m over it;
    scene = Scene({"road": [road], "building": houses}, (0.0, 0.0, 100.0, 100.0))   # off; on it

    def picked(text: str) -> list:
        return [i for _, i in execute(parse(text), scene).picks]

    for text in ("buildings that intersect the road", "buildings overlapping the road",
                 "buildings that overlap with the road"):
        assert picked(text) == [0, 2], text
    # a building "on" a road is along it, as an address says it ("houses on the street")
    assert picked("buildings on the road") == [0, 2]
    assert picked("buildings not intersecting the road") == [1]
    assert parse("roads intersecting the river").summary() == "grounded: road crossing water"
    assert picked("buildings in a 30 m buffer around the road") == [0, 1, 2]
    assert picked("buildings in a 10 m buffer around the road") == [0, 2]


def test_a_direction_bounded_by_a_distance() -> None:
    """"houses within 50 m east of the road", "east of the road within 50 m": east of it and
    within 50 m of it (both went to the model whole); "just east of", "directly north of",
    "right next to" are the relation itself."""
    road = box(48, 0, 52, 100)
    houses = [box(70, 40, 80, 50), box(120, 40, 130, 50), box(20, 40, 30, 50)]   # 18 m east;
    scene = Scene({"road": [road], "building": houses}, (0.0, 0.0, 200.0, 100.0))   # 68; west

    def picked(text: str) -> list:
        return [i for _, i in execute(parse(text), scene).picks]

    for text in ("houses within 50 m east of the road", "houses east of the road within 50 m",
                 "houses within 50 m to the east of the road",
                 "houses east of the road within 50 m of it"):
        assert picked(text) == [0], text
    assert picked("houses just east of the road") == picked("houses east of the road") == [0, 1]
    assert parse("cars right next to the building").summary() == \
        parse("cars next to the building").summary()
    assert parse("the building directly north of the largest building").mode == "grounded"


def test_a_share_of_the_objects_ranked_by_size() -> None:
    """"the largest 10 % of the buildings", "the smallest half", "above the median size",
    "in the top 10 percent by area": the rank keeps that share of the objects that pass the
    other filters, rounded up, at least one (these went to the model whole; "the 10 %
    largest buildings" was read as the 10 largest, the "%" dropped)."""
    houses = [box(10 * i, 0, 10 * i + 2 + i, 5) for i in range(10)]   # areas 10, 15, ..., 55
    scene = Scene({"building": houses}, (0.0, 0.0, 110.0, 100.0))   # 0-5 in the left half

    def picked(text: str) -> list:
        return sorted(i for _, i in execute(parse(text), scene).picks)

    for text in ("the largest 10 % of the buildings", "the 10 % largest buildings",
                 "buildings in the top 10 percent by area", "the top 10 per cent of buildings"):
        assert picked(text) == [9], text
    assert picked("the largest 20% of buildings") == [8, 9]
    assert picked("the smallest half of the buildings") == [0, 1, 2, 3, 4]
    assert picked("buildings above the median size") == [5, 6, 7, 8, 9]
    assert picked("the largest third of the houses") == [6, 7, 8, 9]   # 3.3 rounded up
    assert picked("the largest 1 % of buildings") == [9]   # at least one
    assert picked("the largest 10 % of buildings in the left half of the image") == [5]
    assert parse("the 2 largest 10 % of buildings").mode == "end_to_end"
    assert parse("the largest 150 % of buildings").mode == "end_to_end"
    assert parse("half of the buildings").mode == "end_to_end"   # which half?


def test_short_is_the_bottom_third_by_length_and_a_roof_measure_is_the_buildings() -> None:
    """"short roads": the third of the roads shortest by length (went to the model whole);
    "buildings with roofs larger than 100 m2" are the buildings over 100 m2 (the roof was read
    as a second building next to them, so none matched alone)."""
    roads = [box(0, 0, 12, 6), box(0, 20, 60, 26), box(0, 40, 100, 46)]
    houses = [box(0, 60, 8, 68), box(20, 60, 35, 70)]   # 64 and 150 m2, 12 m apart
    scene = Scene({"road": roads, "building": houses}, (0.0, 0.0, 100.0, 100.0))
    assert [i for _, i in execute(parse("short roads"), scene).picks] == [0]
    assert execute(parse("buildings with roofs larger than 100 m2"), scene).picks == [
        ("building", 1)]


def test_its_and_their_name_the_owner_and_among_is_surrounded_by() -> None:
    """"houses and their gardens": the houses, and the vegetation next to them (went to the
    model whole); "the house among the trees" is surrounded by them; "cars along with trucks"
    are cars and trucks."""
    houses = [box(20, 20, 30, 30), box(70, 70, 80, 80)]
    grass = [box(31, 20, 40, 30), box(0, 80, 10, 90)]   # beside house 0; away from both
    ring = [box(60, 60, 90, 68), box(60, 82, 90, 90), box(60, 68, 68, 82), box(82, 68, 90, 82)]
    scene = Scene({"building": houses, "vegetation": grass, "tree": ring},
                  (0.0, 0.0, 100.0, 100.0))
    assert sorted(execute(parse("houses and their gardens"), scene).picks) == [
        ("building", 0), ("building", 1), ("vegetation", 0)]
    plan = parse("the building and its parking lot")
    assert plan.targets[1].relations[0].anchor == plan.targets[0]
    assert execute(parse("the house among the trees"), scene).picks == [("building", 1)]
    assert parse("cars along with trucks").summary() == parse("cars and trucks").summary()
    assert parse("its garden").mode == "end_to_end"   # whose?


def test_what_follows_an_anchor_that_only_it_can_have_is_the_anchors() -> None:
    """"trees within 10 m of buildings with a red roof": the roof is the buildings' (the trees
    were made red); "cars within 5 m of the building closest to the river": that one building
    (one car was kept, closest to the river); "north of the river and within 200 m of it": the
    river (went to the model whole)."""
    river = box(0, 0, 100, 10)
    houses = [box(10, 20, 20, 30), box(60, 60, 70, 70)]   # 10 m from the river; 50 m
    cars = [box(22, 22, 26, 24), box(72, 62, 76, 64), box(40, 40, 44, 42),   # by each; apart;
            box(10, 31, 14, 33)]                                              # by the first
    trees = [box(21, 26, 24, 29), box(71, 66, 74, 69)]
    colours = {("building", 0): (0.8, 0.15, 0.15), ("building", 1): (0.9, 0.9, 0.9)}
    scene = Scene({"water": [river], "building": houses, "car": cars, "tree": trees},
                  (0.0, 0.0, 100.0, 100.0), lambda c, i: srgb_to_lab(np.array(
                      colours.get((c, i), (0.3, 0.3, 0.3)))))
    assert sorted(execute(parse("cars within 5 m of the building closest to the river"),
                          scene).picks) == [("car", 0), ("car", 3)]
    # "a car", "every car": any one, not the car closest to the river (as "the car ..." is)
    for text in ("a car within 5 m of the building closest to the river",
                 "every car within 5 m of the building closest to the river"):
        assert sorted(execute(parse(text), scene).picks) == [("car", 0), ("car", 3)], text
    assert len(execute(parse("the car within 5 m of the building closest to the river"),
                       scene).picks) == 1
    assert execute(parse("trees within 10 m of buildings with a red roof"),
                   scene).picks == [("tree", 0)]
    plan = parse("the 5 largest buildings north of the river and within 200 m of it")
    assert [r.anchor.categories for r in plan.targets[0].relations] == [("water",), ("water",)]
    assert parse("buildings next to the road with a red roof").summary() == \
        "grounded: red building next to road (<= 10 m)"   # a road has no roof: the target's


def test_ranks_by_colour_order_the_objects_by_their_pixels() -> None:
    """"the darkest building", "the 2 brightest", "the reddest roof", "the building that is
    the darkest": by the median colour's lightness L*, or how much of the hue it has (a
    saturated red before a pale one, a grey none); an object whose pixels were not read has
    no colour to rank."""
    houses = [box(x, 0, x + 10, 10) for x in range(0, 60, 12)]
    colours = {0: np.array([90.0, 0.0, 0.0]),      # white
               1: np.array([20.0, 0.0, 0.0]),      # near black
               2: np.array([50.0, 70.0, 50.0]),    # saturated red
               3: np.array([80.0, 20.0, 5.0]),     # pale pink
               4: np.full(3, np.nan)}              # unread
    scene = Scene({"building": houses}, (0, 0, 100, 100), colour_of=lambda c, i: colours[i])

    def picked(expression: str) -> list:
        return sorted(i for _, i in execute(parse(expression), scene).picks)

    assert picked("the darkest building") == [1]
    assert picked("the building that is the darkest") == [1]
    assert picked("the 2 brightest roofs") == [0, 3]
    assert picked("the second darkest house") == [2]
    assert picked("the reddest roof") == [2]
    assert picked("the greenest building") == [0]   # grey, against the red ones' minus
    assert picked("the lightest coloured buildings") == [0]
    assert picked("the brightest and the darkest building") == [0, 1]
    assert picked("the brightest half of the buildings") == [0, 3]   # of 4 with a colour
    assert picked("all buildings except the darkest") == [0, 2, 3]


def test_comparatives_are_against_their_kinds_mean() -> None:
    """"darker than average", "the brighter roofs", "the larger buildings", "smaller than the
    others": each object against the mean of its category (lightness L* of the median colour,
    of the objects whose colour was read); "the larger building", one, is the largest."""
    houses = [box(0, 0, 10, 10), box(12, 0, 32, 20), box(40, 0, 44, 4), box(50, 0, 58, 8)]
    colours = {0: np.array([90.0, 0.0, 0.0]), 1: np.array([20.0, 0.0, 0.0]),
               2: np.array([40.0, 0.0, 0.0]), 3: np.full(3, np.nan)}   # mean L* 50; unread
    scene = Scene({"building": houses}, (0, 0, 100, 100), colour_of=lambda c, i: colours[i])

    def picked(expression: str) -> list:
        return sorted(i for _, i in execute(parse(expression), scene).picks)

    assert picked("buildings darker than average") == [1, 2]
    assert picked("the brighter roofs") == [0]
    assert picked("houses that are not darker than the others") == [0, 3]
    assert picked("darker buildings larger than average") == [1]   # 400 m2 against 145
    assert picked("the larger buildings") == [1]
    assert picked("houses smaller than the rest of the houses") == [0, 2, 3]
    assert picked("the larger building") == [1]
    assert picked("the darker house") == [1]


def test_a_neighbour_is_another_of_its_kind() -> None:
    """"with no neighbours within 10 m", "whose nearest neighbour is less than 8 m away":
    distances to the other objects of its own category ("neighbours" was an unknown object)."""
    houses = [box(0, 0, 10, 10), box(15, 0, 25, 10), box(60, 0, 70, 10)]   # 5 m, then 35 m
    scene = Scene({"building": houses}, (0, 0, 100, 100))

    def picked(expression: str) -> list:
        return sorted(i for _, i in execute(parse(expression), scene).picks)

    assert picked("buildings with no neighbours within 10 m") == [2]
    assert picked("houses without other neighbours within 40 m") == []
    assert picked("houses whose nearest neighbour is less than 8 m away") == [0, 1]
    assert picked("houses whose nearest neighbour is more than 20 m away") == [2]
    assert picked("houses whose nearest neighbour is at least 20 m away") == [2]   # whole
    assert picked("buildings far apart from each other") == [2]
    # a count of them, or of "other" ones: never itself ("neighbours" went whole)
    assert picked("houses with at least one neighbour within 10 m") == [0, 1]
    assert picked("buildings with more than 1 neighbour within 40 m") == [1]
    assert picked("buildings with at least 2 other buildings within 40 m") == [1]
    assert picked("houses with no neighbours") == [2]


def test_of_a_building_is_beside_it_as_its_own_is() -> None:
    """"the garden of the largest house", "the parking lot of the school": next to that
    building, as "its garden" is (they went to the model whole); "of" before anything but a
    building is no owner: "the trees of the park" are in it, not beside it."""
    houses = [box(0, 0, 20, 20), box(60, 0, 66, 6)]                 # 400 m2 and 36 m2
    gardens = [box(22, 0, 32, 10), box(68, 0, 74, 6), box(40, 60, 50, 70)]
    scene = Scene({"building": houses, "vegetation": gardens}, (0, 0, 100, 100))

    def picked(expression: str) -> list:
        return sorted(i for _, i in execute(parse(expression), scene).picks)

    assert picked("the garden of the largest house") == [0]
    assert picked("the gardens of the houses") == [0, 1]
    assert picked("the garden of the smallest building") == [1]
    assert parse("the trees of the park").summary() == parse("the trees in the park").summary()


def test_a_strip_is_straight_when_its_middle_strays_by_its_width_at_most() -> None:
    """"straight roads", "the winding river": a strip's middle strays from a straight line by
    at most its width, or by more; a strip that branches (a junction) is neither curved nor a
    strip of one course, and a house is no strip at all."""
    straight = box(0, 0, 100, 8)
    diagonal = rotate(box(0, 0, 100, 8), 37, origin=(0, 0))
    staircase = unary_union([box(i, i, i + 10, i + 8) for i in range(0, 60)])  # a pixel stair
    bend = LineString([(0, 0), (50, 0), (80, 30)]).buffer(4, cap_style=2, join_style=2)
    winding = LineString([(x, 15 * math.sin(x / 15)) for x in range(0, 200, 2)]).buffer(
        4, cap_style=2)
    tee = unary_union([box(0, 0, 100, 8), box(46, 8, 54, 60)])
    house = box(0, 0, 12, 10)
    ragged = unary_union([box(0, 0, 100, 8)] + [box(x, y, x + 1, y + 1) for x in range(0, 100, 2)
                                                 for y in (-1, 8)])   # a mask's jagged edges
    assert rel.strip_width(ragged) == pytest.approx(8.0, abs=0.1)
    assert rel.mean_width(ragged) < 5.0   # the teeth lengthen its perimeter
    assert rel.straight(ragged) and not rel.curved(ragged)
    assert rel.stray(straight) == pytest.approx(0.0, abs=1e-6)
    assert rel.straight(straight) and rel.straight(diagonal) and rel.straight(staircase)
    assert not rel.curved(straight) and not rel.curved(staircase)
    assert rel.curved(bend) and rel.curved(winding)
    assert not rel.straight(bend) and not rel.straight(winding)
    assert not rel.straight(tee) and not rel.curved(tee)
    assert not rel.straight(house) and not rel.curved(house)
    two = MultiPolygon([box(0, 0, 1, 1), box(5, 5, 20, 6)])   # two pieces: no course
    assert not rel.straight(two) and not rel.curved(two)
    roads = [straight, translate(bend, 0, 100), translate(winding, 0, 200), translate(tee, 0, 300)]
    scene = Scene({"road": roads, "car": [box(60, 5, 64, 7), box(20, 214, 24, 216)]},
                  (-10, -50, 250, 400))

    def picked(expr: str, category: str = "road") -> list:
        return sorted(i for c, i in execute(parse(expr), scene).picks if c == category)

    assert picked("straight roads") == [0]
    assert picked("the winding road") == [1, 2]
    assert picked("roads that are not straight") == [1, 2, 3]
    assert picked("cars on the curved road", "car") == [1]


def test_a_row_is_a_group_in_a_line() -> None:
    """"cars in a row": a chain of at least 3 cars within the pair's "near" distance whose
    centres lie within half a car's width of one straight line; three cars in an L are a
    group and no row; two rows of a car park side by side are two rows."""
    row = [box(x, 0, x + 2, 4) for x in (0, 3, 6, 9)]              # side by side, 1 m apart
    ell = [box(0, 30, 4, 32), box(6, 30, 10, 32), box(6, 34, 10, 36)]   # a corner: no line
    park = [box(x, y, x + 2, y + 4) for y in (60, 66) for x in (0, 3, 6)]   # two rows of 3
    cars = row + ell + park
    assert rel.row_sizes(cars, 6.0) == [4, 4, 4, 4, 2, 2, 2, 3, 3, 3, 3, 3, 3]
    assert rel.group_sizes(cars, 6.0)[4:7] == [3, 3, 3]
    assert rel.row_sizes([], 6.0) == []
    scene = Scene({"car": cars}, (-10, -10, 100, 100))

    def picked(expr: str) -> list:
        return sorted(i for _, i in execute(parse(expr), scene).picks)

    assert picked("cars parked in a row") == [0, 1, 2, 3] + list(range(7, 13))
    assert picked("cars in a straight row") == picked("cars in a row")
    assert picked("cars in a group") == list(range(13))
    assert picked("cars in rows of at least 4") == [0, 1, 2, 3]
    assert picked("cars not in a row") == [4, 5, 6]
    assert not parse("a row of houses").notes


def test_an_anchor_of_either_colour() -> None:
    """"cars next to red and white buildings": next to a building of either colour (an anchor
    is one set of objects; a target of two colours is two targets); "... that are not red or
    white": of neither."""
    red, white = np.array([45.0, 60.0, 45.0]), np.array([95.0, 0.0, 0.0])   # CIELAB
    blue = np.array([40.0, 10.0, -50.0])
    houses = [box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10)]
    cars = [box(2, 11, 6, 13), box(22, 11, 26, 13), box(42, 11, 46, 13)]   # 1 m north of each
    colours = {("building", 0): red, ("building", 1): white, ("building", 2): blue}
    scene = Scene({"building": houses, "car": cars}, (-10, -10, 100, 100),
                  colour_of=lambda c, i: colours.get((c, i), white))

    def cars_picked(expr: str) -> list:
        return sorted(i for c, i in execute(parse(expr), scene).picks if c == "car")

    assert parse("cars next to red and white buildings").summary() == \
        "grounded: car next to red or white building (<= 5 m)"
    assert cars_picked("cars next to red and white buildings") == [0, 1]
    assert cars_picked("cars next to buildings that are red or white") == [0, 1]
    assert cars_picked("cars next to red, white or blue houses") == [0, 1, 2]
    assert cars_picked("cars next to buildings that are not red or white") == [2]


def test_an_island_is_a_hole_in_the_waters_outline() -> None:
    """"trees on the island", "islands in the river": the ground inside the water's outline
    (a hole of at least 100 m2: a boat's hole is none); ground the extent's edge cuts off
    is none; "houses on the island" are on it, not along it as on a street."""
    river = box(0, 0, 200, 60).difference(box(80, 20, 120, 40)).difference(  # an island of
        box(30, 28, 34, 32))                                                     # 800 m2, a boat
    assert [round(i.area) for i in rel.islands(river)] == [800]
    assert rel.islands(box(0, 0, 10, 10)) == [] and rel.ISLAND_MIN_M2 == 100.0
    trees = [Point(100, 30).buffer(4), Point(100, 70).buffer(4)]   # on the island, the bank
    houses = [box(85, 22, 95, 30), box(150, 62, 160, 70)]
    scene = Scene({"water": [river], "tree": trees, "building": houses}, (-10, -10, 250, 100))

    def picked(expr: str, category: str) -> list:
        return sorted(i for c, i in execute(parse(expr), scene).picks if c == category)

    assert picked("trees on the island", "tree") == [0]
    assert picked("houses on the island in the river", "building") == [0]
    assert picked("trees not on the island", "tree") == [1]
    sel = execute(parse("islands in the river"), scene)
    assert [c for c, _ in sel.picks] == ["island"]
    assert scene.derived["island"][0].area == pytest.approx(800.0)
    assert parse("the island in the middle of the road").mode == "end_to_end"


def test_a_bend_is_where_the_course_turns_sharply() -> None:
    """"the bend in the road", "cars at the bend": where two arms of road leave a point of its
    middle at least 45 degrees off a straight line, seen two widths out: a corner and a
    hairpin are bends, a straight road, a junction and a wide sweeping curve are none."""
    corner = LineString([(0, 0), (100, 0), (100, 100)]).buffer(4, cap_style=2, join_style=2)
    s_bend = LineString([(0, 0), (60, 0), (60, 60), (120, 60)]).buffer(4, cap_style=2,
                                                                      join_style=2)
    sweep = LineString([(200 * math.cos(t / 50), 200 * math.sin(t / 50))
                        for t in range(0, 60)]).buffer(4, cap_style=2)
    tee = unary_union([box(0, -4, 200, 4), box(96, 4, 104, 100)])
    assert [tuple(round(v) for v in b.centroid.coords[0]) for b in rel.bends(corner)] == [
        (97, 3)]
    assert len(rel.bends(s_bend)) == 2
    assert rel.bends(box(0, -4, 200, 4)) == [] and rel.bends(sweep) == []
    assert rel.bends(tee) == [] and len(rel.junctions(tee)) == 1
    cars = [box(94, -2, 98, 0), box(40, -2, 44, 0)]   # at the corner, on the straight
    scene = Scene({"road": [corner], "car": cars}, (-10, -10, 150, 150))
    assert [i for c, i in execute(parse("cars at the bend in the road"), scene).picks
            if c == "car"] == [0]
    assert [c for c, _ in execute(parse("the sharp bend"), scene).picks] == ["road bend"]
    assert parse("the bend in the river").summary() == "grounded: water bend"
    # a river's bends are not the road's, in a scene every expression of a run shares (the
    # river's were the road's, found first)
    river = LineString([(150, 0), (150, 100), (250, 100)]).buffer(6)
    shared = Scene({"road": [corner], "water": [river]}, (-10, -10, 300, 200))
    road_bends = execute(parse("the bend in the road"), shared).picks
    [river_bend] = execute(parse("the bend in the river"), shared).picks
    assert river_bend not in road_bends and shared.geometry(river_bend).intersects(river)


def test_a_measure_after_a_thing_had_is_that_things() -> None:
    """"houses with a pool larger than 50 m2", "next to a 10 m wide road": the pool's, the
    road's (they were the houses' and the buildings')."""
    houses = [box(0, 0, 20, 20), box(50, 0, 60, 10)]                 # 400 m2 and 100 m2
    pools = [box(22, 0, 24, 5), box(62, 0, 72, 10)]                  # 10 m2 beside the large
    roads = [box(0, 30, 100, 42)]                                    # house, 100 m2 beside
    scene = Scene({"building": houses, "water": pools, "road": roads}, (0, 0, 100, 100))

    def picked(expression: str) -> list:
        return sorted(i for _, i in execute(parse(expression), scene).picks)

    assert picked("houses with a pool larger than 50 m2") == [1]
    assert picked("houses with a pool smaller than 50 m2") == [0]
    assert picked("buildings with a 100 m2 pool") == [1]
    assert picked("houses larger than 200 m2 with a pool") == [0]
    assert picked("buildings within 15 m of a 12 m wide road") == [0]   # the other 20 m off
    assert picked("buildings within 15 m of a 30 m wide road") == []


def test_a_distance_before_a_compass_point_is_from_the_anchor() -> None:
    """"more than 20 m north of the road", "between 10 and 30 m north of": north of it and
    that far from it (they were lengths of the houses)."""
    road = box(0, 0, 100, 10)
    houses = [box(10, 15, 20, 25), box(40, 35, 50, 45), box(70, -30, 80, -20)]  # 5 m, 25 m north
    scene = Scene({"road": [road], "building": houses}, (0, -50, 100, 100))      # 20 m south

    def picked(expression: str) -> list:
        return sorted(i for _, i in execute(parse(expression), scene).picks)

    assert picked("buildings more than 20 m north of the road") == [1]
    assert picked("buildings between 2 and 10 m north of the road") == [0]
    assert picked("buildings less than 30 m north of the road") == [0, 1]
    assert picked("buildings more than 10 m from the road") == [1, 2]


def test_a_part_is_cut_to_where_its_relation_holds() -> None:
    """"the stretch of road along the river": the road's ground within the distance of the
    river, not the whole road; far from it, the rest; in a part of the image, that box."""
    road, water, forest = box(0, 45, 200, 55), box(150, 0, 200, 200), box(0, 60, 120, 200)
    scene = Scene({"road": [road], "water": [water], "tree": [forest]}, (0, 0, 200, 200))

    def cut(text: str) -> list:
        return [scene.geometry(k) for k in execute(parse(text), scene).picks]

    [near] = cut("the stretch of road along the river")   # 20 m: from x = 130 on
    assert near.bounds == pytest.approx((130, 45, 200, 55))
    [beside] = cut("the part of the forest within 30 m of the road")
    assert beside.bounds == pytest.approx((0, 60, 120, 85)) and beside.area == 3000
    [away] = cut("the part of the forest more than 30 m from the road")
    assert away.area == pytest.approx(forest.area - 3000)
    [north] = cut("the section of the river in the north of the image")
    assert north.bounds == pytest.approx((150, 100, 200, 200))
    [dry] = cut("the part of the road not on the river")
    assert dry.bounds == pytest.approx((0, 45, 150, 55))
    assert cut("the part of the road within 3 m of the forest") == []   # 5 m away: no ground
    assert scene.sources["part of road along water (<= 20 m)"] == [("road", 0)]
    scene.objects["tree"].append(box(0, 0, 20, 40))   # a small wood south of the road
    [largest] = cut("the part of the largest forest within 30 m of the road")
    assert largest.area == 3000   # the large forest's part: the small wood is not the largest


def test_a_part_whose_anchor_is_not_found_is_uncertain() -> None:
    scene = Scene({"road": [box(0, 45, 200, 55)], "water": []}, (0, 0, 200, 200))
    sel = execute(parse("the part of the road near the river"), scene)
    assert sel.picks == [] and sel.uncertain
    sel = execute(parse("the part of the road not near the river"), scene)
    assert [scene.geometry(k).area for k in sel.picks] == [2000] and sel.uncertain


def test_entirely_within_a_distance_asks_for_all_of_the_object() -> None:
    """"within 20 m of the road" is its nearest point; "entirely within" nearly all of it (as
    "inside" is)."""
    road = box(0, 0, 200, 10)
    near_end = box(0, 25, 20, 60)    # 15 m away, reaching 50 m out
    close = box(40, 15, 60, 28)      # 5 m away, reaching 18 m out
    scene = Scene({"road": [road], "building": [near_end, close]}, (0, 0, 200, 200))

    def picked(text: str) -> list:
        return [k[1] for k in execute(parse(text), scene).picks]

    assert picked("buildings within 20 m of the road") == [0, 1]
    assert picked("buildings entirely within 20 m of the road") == [1]
    assert picked("buildings not entirely within 20 m of the road") == [0]
    assert rel.all_within_m(near_end, road, 50.0) and not rel.all_within_m(near_end, road, 30.0)


def test_a_part_of_an_object_named_by_a_side_is_of_its_own_box() -> None:
    """"the northern half of the forest", "the west end of the road": that part of each
    object's own bounding box (the forest in the south of the image has a northern half)."""
    forest, road = box(20, 10, 80, 50), box(0, 100, 200, 110)
    scene = Scene({"tree": [forest], "road": [road]}, (0, 0, 200, 200))

    def cut(text: str) -> list:
        return [scene.geometry(k).bounds for k in execute(parse(text), scene).picks]

    assert cut("the northern half of the forest") == [pytest.approx((20, 30, 80, 50))]
    assert cut("the west end of the road") == [pytest.approx((0, 100, 50, 110))]
    assert cut("the southern third of the forest") == [pytest.approx((20, 10, 80, 10 + 40 / 3))]
    assert cut("the eastern half of the forest within 10 m of the road") == []   # 50 m away
    assert parse("the northern half of the forest in the south").mode == "end_to_end"


def test_a_part_as_an_anchor_is_the_ground_cut_out() -> None:
    """"cars on the stretch of road along the river": on the road's ground within 20 m of the
    river, not anywhere on the road."""
    road, water = box(0, 45, 200, 55), box(150, 0, 200, 40)
    by_river, far_east = box(140, 48, 144, 50), box(20, 48, 24, 50)
    scene = Scene({"road": [road], "water": [water], "car": [by_river, far_east]},
                  (0, 0, 200, 200))
    picks = execute(parse("cars on the stretch of road along the river"), scene).picks
    assert picks == [("car", 0)]
    assert execute(parse("cars on the road"), scene).picks == [("car", 0), ("car", 1)]


def test_closest_to_both_ranks_by_the_farther_of_the_two() -> None:
    """"the house closest to both the road and the river": the one whose farther anchor is
    nearest (it was the nearest to either: the house on the road far from the river)."""
    road, water = box(0, 0, 200, 10), box(190, 0, 200, 200)
    on_road, between = box(10, 12, 20, 22), box(150, 40, 160, 50)
    by_river = box(180, 150, 188, 160)
    away = box(40, 150, 50, 160)   # 140 m from the road, 140 m from the river
    scene = Scene({"road": [road], "water": [water],
                   "building": [on_road, between, by_river, away]}, (0, 0, 200, 200))

    def picked(text: str) -> list:
        return [k[1] for k in execute(parse(text), scene).picks]

    assert picked("the house closest to the road and the river") == [0]   # either: on the road
    assert picked("the house closest to both the road and the river") == [1]
    assert picked("the building farthest from both the road and the river") == [3]
    assert picked("the building farthest from the road and the river") == [3]   # the same


def test_a_part_between_two_anchors_is_cut_to_the_ground_between_them() -> None:
    """"the part of the road between the two buildings": the road's ground inside the hull
    of the pair, the buildings left out."""
    road = box(0, 45, 200, 55)
    west, east = box(40, 60, 60, 80), box(120, 20, 140, 40)   # on either side of the road
    scene = Scene({"road": [road], "building": [west, east]}, (0, 0, 200, 200))
    [cut] = [scene.geometry(k) for k in execute(
        parse("the part of the road between the two buildings"), scene).picks]
    assert cut.within(west.union(east).convex_hull) and 40 < cut.bounds[0] < cut.bounds[2] < 140
    assert rel.between_zone([("building", west), ("building", east)]).intersection(west).area \
        == 0


def test_a_part_on_one_side_is_cut_along_the_anchor() -> None:
    """"the part of the lake north of the road": the lake's ground north of a road with a
    kink, up to the road on each stretch (a cone of 45 degrees each way from every point of
    it); "not north of" is the rest of the lake."""
    road = LineString([(0, 100), (80, 100), (120, 130), (200, 130)]).buffer(5)
    lake = box(20, 20, 180, 180)
    scene = Scene({"road": [road], "water": [lake]}, (0, 0, 200, 200))

    def cut(text: str) -> BaseGeometry:
        [piece] = [scene.geometry(k) for k in execute(parse(text), scene).picks]
        return piece

    north = cut("the part of the lake north of the road")
    assert north.bounds[1] == pytest.approx(105) and north.area == pytest.approx(9600, rel=0.02)
    assert not north.intersects(Point(150, 120)) and north.intersects(Point(50, 110))
    rest = cut("the part of the lake not north of the road")
    assert rest.area + north.area == pytest.approx(lake.area)
    assert rel.direction_zone(box(90, 90, 110, 110), "north", 300).bounds == \
        pytest.approx((90 - 212.13, 90, 110 + 212.13, 110 + 212.13), abs=0.1)


def test_an_objects_edge_is_the_strip_along_its_outline_inside_the_image() -> None:
    """"the forest edge": the strip of the forest within 10 m of its outline, not along the
    image's edge that cuts it (the forest goes on there); a road's edges are a quarter of its
    width each side, not all of it."""
    forest = box(0, 100, 80, 200)   # the image cuts it on the west and the north
    road = box(100, 0, 108, 200)    # 8 m wide, cut north and south
    scene = Scene({"tree": [forest], "road": [road]}, (0, 0, 200, 200))
    [strip] = [scene.geometry(k) for k in execute(parse("the forest edge"), scene).picks]
    assert strip.area == pytest.approx(80 * 10 + 90 * 10)   # the south and east sides only
    assert strip.bounds == pytest.approx((0, 100, 80, 200))
    [sides] = [scene.geometry(k) for k in execute(parse("the edges of the road"), scene).picks]
    assert [round(s.area) for s in sides.geoms] == [400, 400]   # 2 m of each side, one edge
    [east] = [scene.geometry(k) for k in execute(parse("the eastern edge of the road"),
                                                  scene).picks]
    assert east.bounds == pytest.approx((106, 0, 108, 200))   # the east one, whole
    [south] = [scene.geometry(k) for k in execute(
        parse("the southern edge of the forest"), scene).picks]
    assert south.bounds[3] == pytest.approx(150)
    [inner] = [scene.geometry(k) for k in execute(parse("the forest interior"), scene).picks]
    assert inner.area == pytest.approx(forest.area - strip.area)   # the rest of it
    assert inner.bounds == pytest.approx((0, 110, 70, 200))
