"""Rival categories (rrsis.grounding.rivals): one piece of ground is one thing.

Synthetic polygons in a metric frame with known overlaps and scores; the selection goes
through GroundedRun.select, as the engine calls it.
"""

from __future__ import annotations

from typing import Dict, List, Sequence

from affine import Affine
from shapely.geometry import Point, box
from shapely.ops import unary_union

from rrsis.grounding.engine import GroundedRun
from rrsis.grounding.rivals import claimed, overlap_pairs, rival_names
from rrsis.grounding.parser import parse

BOUNDS = (0.0, 0.0, 200.0, 200.0)
IDENTITY = Affine(1.0, 0.0, 0.0, 0.0, -1.0, 200.0)


def select(run: GroundedRun, objects: Dict[str, List], scores: Dict[str, Sequence[float]]
           ) -> Dict[str, List[float]]:
    """expression -> the areas of what it selects (m2, sorted)."""
    picks, _ = run.select(objects, IDENTITY, 1.0, BOUNDS, None, scores)
    out: Dict[str, List[float]] = {e: [] for e in run.expressions}
    for expr, (phrase, i, *_) in picks:
        out[expr].append(round(objects[phrase][i].area, 3))
    return {e: sorted(a) for e, a in out.items()}


def test_a_car_found_as_a_building_loses_to_a_surer_vehicle() -> None:
    car_as_building = box(10, 10, 14.5, 12)          # 9 m2
    car = box(10.2, 10.1, 14.6, 12.1)
    house = box(50, 50, 62, 60)
    objects = {"building": [car_as_building, house], "vehicle": [car]}
    assert claimed(objects, {"building": [0.55, 0.9], "vehicle": [0.8]}) == {("building", 0)}
    # the model surer of "building" there: kept, and the vehicle loses instead
    assert claimed(objects, {"building": [0.85, 0.9], "vehicle": [0.6]}) == {("vehicle", 0)}
    # a near tie is ambiguous: both stay (MARGIN)
    assert claimed(objects, {"building": [0.7, 0.9], "vehicle": [0.75]}) == set()
    # without scores nothing is contested
    assert claimed(objects, {"building": [0.55, 0.9]}) == set()


def test_a_car_on_a_large_roof_does_not_take_the_roof() -> None:
    deck = box(0, 0, 40, 30)
    car = box(5, 5, 9.5, 7)
    lost = claimed({"building": [deck], "vehicle": [car]}, {"building": [0.6], "vehicle": [0.9]})
    assert ("building", 0) not in lost   # the car covers 0.75 % of it


def test_buildings_segment_their_rivals_once_and_not_with_rivals_off() -> None:
    assert GroundedRun(["buildings"]).phrases == ["buildings", "vehicles", "road"]
    assert GroundedRun(["buildings"], rivals=False).phrases == ["buildings"]
    # a vehicle category already in the run stands for its group: no second vehicle phrase
    assert GroundedRun(["cars", "buildings"]).phrases == ["cars", "buildings", "road"]
    assert GroundedRun(["cars"]).phrases == ["cars", "buildings"]
    assert GroundedRun(["cars and buildings"]).phrases == ["cars", "buildings", "road"]
    assert rival_names(["building", "road"]) == ["vehicle"]
    plan = GroundedRun(["buildings"]).plans()["buildings"]
    assert GroundedRun(["buildings"]).rivals_for(plan) == ["vehicle", "road"]


def test_selection_leaves_out_claimed_objects_and_says_so() -> None:
    run = GroundedRun(["buildings"], "on")
    objects = {"buildings": [box(10, 10, 14.5, 12), box(50, 50, 62, 60)],
               "vehicles": [box(10.2, 10.1, 14.6, 12.1)], "road": []}
    scores = {"buildings": [0.55, 0.9], "vehicles": [0.8], "road": []}
    picks, reports = run.select(objects, IDENTITY, 1.0, BOUNDS, None, scores)
    assert [objects[p][i].area for _, (p, i, *_) in picks] == [120.0]
    assert reports["buildings"]["plan"] == "grounded: building; rivals: vehicle, road"
    assert any("1 object found as 'buildings' left out" in m
               for m in reports["buildings"]["messages"])
    off = GroundedRun(["buildings"], "on", rivals=False)
    assert select(off, objects, scores) == {"buildings": [9.0, 120.0]}


def test_a_road_found_on_a_roof_is_no_anchor_for_next_to() -> None:
    """The demo's failure: a road-coloured roof read as road kept houses beside it."""
    run = GroundedRun(["buildings next to the road"], "on")
    roof = box(100, 100, 120, 115)
    road_on_roof = box(104, 104, 112, 110)            # inside the roof, the model less sure
    beside_roof = box(121, 100, 131, 110)             # 9 m from the road on the roof
    by_road = box(20, 60, 30, 70)
    road = box(0, 40, 200, 52)
    objects = {"buildings": [roof, beside_roof, by_road], "road": [road, road_on_roof],
               "vehicles": []}
    scores = {"buildings": [0.9, 0.8, 0.85], "road": [0.7, 0.6], "vehicles": []}
    assert select(run, objects, scores) == {"buildings next to the road": [100.0]}
    off = GroundedRun(["buildings next to the road"], "on", rivals=False)
    assert select(off, objects, scores) == {"buildings next to the road": [100.0, 100.0, 300.0]}


def test_an_overlap_relation_between_rivals_suspends_their_contest() -> None:
    """"cars on the roof" says the two share ground: the roof does not take the cars."""
    assert overlap_pairs(parse("cars on the roof")) == {frozenset({"vehicle", "building"})}
    assert overlap_pairs(parse("roofs with cars")) == {frozenset({"vehicle", "building"})}
    run = GroundedRun(["cars on the roof"], "on")
    deck, car = box(0, 0, 40, 30), box(5, 5, 9.5, 7)
    objects = {"cars": [car], "buildings": [deck], "road": []}
    scores = {"cars": [0.6], "buildings": [0.9], "road": []}
    assert select(run, objects, scores) == {"cars on the roof": [9.0]}
    assert claimed({"vehicle": [car], "building": [deck]},
                   {"vehicle": [0.6], "building": [0.9]}) == {("vehicle", 0)}


def test_a_part_not_found_is_not_answered_by_the_model_whole() -> None:
    """"cars on the bridge" on a scene without one: the model was never taught "bridge", so
    its answer to the whole expression (every car) cannot stand in for the missing part; the
    answer is uncertain and empty. Where a plain anchor is missing ("cars along the road"),
    the model's whole answer is used as before."""
    run = GroundedRun(["cars on the bridge", "cars at the junction", "cars along the road",
                       "cars on the bridge near the road"], "auto", rivals=False)
    assert run.phrases == ["cars", "road", "water", "cars along the road",
                           "cars on the bridge near the road"]
    car = box(10, 10, 14, 12)
    objects = {"cars": [car], "road": [], "water": [], "cars along the road": [car],
               "cars on the bridge near the road": [car]}
    picks, reports = run.select(objects, Affine.identity(), 1.0, (0, 0, 100, 100), None,
                                {k: [0.9] * len(v) for k, v in objects.items()})
    for expr in ("cars on the bridge", "cars at the junction"):
        assert reports[expr]["objects"] == 0 and reports[expr]["uncertain"], expr
        assert reports[expr]["mode"] == "grounded" and "no object matches" in \
            reports[expr]["messages"]
    for expr in ("cars along the road", "cars on the bridge near the road"):
        assert reports[expr]["mode"] == "end_to_end" and reports[expr]["objects"] == 1, expr
    assert {e for e, _ in picks} == {"cars along the road", "cars on the bridge near the road"}


def test_a_junction_is_picked_as_its_own_outline_in_the_working_crs() -> None:
    """"intersections": the selection carries the junction's polygon, mapped back from local
    metres to the working CRS (here 2 m per unit, offset), with the road's mean probability;
    no object index, since the model never segmented it on its own."""
    run = GroundedRun(["intersections"], "on")
    transform = Affine(2.0, 0.0, 1000.0, 0.0, -2.0, 5200.0)   # 2 m pixels; units are metres/2
    bounds = (1000.0, 5000.0, 1100.0, 5100.0)                  # 100 units = 50 m wide extent
    cross = unary_union([box(1000, 5045, 1100, 5055), box(1045, 5000, 1055, 5100)])
    picks, reports = run.select({"road": [cross]}, transform, 0.5, bounds, None,
                                {"road": [0.83]})
    assert reports["intersections"]["objects"] == 1
    assert reports["intersections"]["categories"] == {"junction": 1}
    (_, pick), = picks
    assert pick.phrase == "road" and pick.category == "junction" and pick.part_score == 0.83
    assert pick.part.centroid.distance(Point(1050, 5050)) < 0.5 and cross.contains(
        pick.part.buffer(-0.01))
