"""Grammar rules of relations: "along the road", "across the road from", "in driveways",
"within 20 m of", "north of", and the default distance of each pair of categories. Part of
the one parser (:mod:`.parser`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, List, Optional, Sequence, Tuple

from . import lexicon as lx
from .cursor import NotUnderstood
from .cursor import number as _number
from .plan import MEASURE_RELATIONS, MEASURES, SIMILAR_RELATIONS, Relation, Target
from .quantities import QuantityRules
from .relations import CROSSING_GAP_M

__all__ = ["RelationRules", "default_distance", "PRONOUNS"]

#: words that point back at the target: "buildings with a tree next to them"
PRONOUNS = frozenset({"them", "it"})
_METRIC_STARTS = frozenset({"within", "less", "closer", "more", "further", "farther",
                            "beyond", "at", "no", "up"})
#: before a distance an object is at least: "more than 50 m north of the road"
_BEYOND = (("more", "than"), ("over",), ("at", "least"), ("beyond",), ("further", "than"),
           ("farther", "than"))


#: the words of a comparison of two distances: "closer to X than to Y"
_COMPARED = ((("closer", "to"), "closer"), (("nearer", "to"), "closer"), (("nearer",), "closer"),
             (("farther", "from"), "farther"), (("further", "from"), "farther"),
             (("farther", "away", "from"), "farther"), (("further", "away", "from"), "farther"))


#: what "buildings on the road" is read as
ON_A_STREET_NOTE = ("'on' ('in', 'at') a road or a river read as along it, as an address says it "
                    "('houses on the street'); 'overlapping the road' asks for those over it")


class RelationRules(QuantityRules):
    def predicate_follows(self) -> bool:
        """After "and": whether a negated or a distance relation follows ("and not near the
        river", "and near the river", "and within 50 m of the lake"), which the target
        keeps; else a new object follows ("cars and trucks"). "and on/in ..." stays a new
        reading: "on the road and in the parking lot" most often means either."""
        start = self.after_fillers(self.i + 1)
        rest = tuple(self.t[start:][:4])
        if not rest:
            return False
        if rest[0] in _METRIC_STARTS and self.trial(self.anchor_quantity, start)[0] is not None:
            return False   # "and at least 10 cars": a count of objects, no distance
        elided = len(rest) > 2 and _number(rest[0]) is not None and rest[1] in lx.UNITS_M \
            and rest[2] in ("of", "from")   # "within 5 m of X and 10 m of Y"
        return (rest[0] in lx.NEGATION_WORDS - {"without"} or rest[0] in lx.TOUCH_WORDS
                or rest[0] in _METRIC_STARTS or rest[0] in lx.DIRECTION_WORDS or elided
                or any(rest[:len(ph)] == ph for ph in lx.NEAR_WORDS
                       if lx.NEAR_WORDS[ph] not in ("with", "between")))

    def each_anchor(self, rel: Relation, groups: List[str], every: bool = False
                    ) -> List[Relation]:
        """"near both the road and the river": one relation per anchor category (near the
        road and near the river); the union it was read as otherwise is "either". ``every``:
        the anchor is every object ("far from everything", "not near anything"), and the
        relation holds for each category at that pair's own distance, negated too (not near
        any = near none)."""
        cats = rel.anchor.categories
        if (rel.negated and not every) or len(cats) < 2 or rel.kind in ("between", "with",
                                                                         "is"):
            return [rel]
        return [self.redistanced(replace(rel, anchor=replace(rel.anchor, categories=(c,)),
                                         of_everything=every), groups) for c in cats]

    def redistanced(self, rel: Relation, groups: Sequence[str]) -> Relation:
        """``rel`` with the default distance of ``groups`` and its anchor's groups; a distance
        the expression gave, or a fixed one ("touching": 1 m), stays."""
        if rel.distance_from_expression:
            return rel
        distance = default_distance(rel.kind, groups, rel.anchor, self.vocab)
        return rel if distance is None else replace(rel, distance_m=distance)

    def relation(self, groups: List[str], negated: bool) -> Optional[Relation]:
        if self.peek() in lx.TOUCH_WORDS or (self.peek() in lx.INTERSECT_VERBS and not set(
                groups) <= lx.SIDE_GROUPS):   # "touching the road": within a metre of it
            shades = self.peek() in lx.SHADE_VERBS and not set(groups) <= lx.SHADING_FROM_ABOVE
            self.i += 1
            if shades:   # "buildings shading the road": a building's shade lies beside it
                return self.redistanced(Relation("next_to", self.anchor(), None, negated), groups)
            return Relation("within_m", self.anchor(), lx.TOUCH_M, negated)
        facing = self.across(groups, negated)
        if facing is not None:
            return facing
        compared = self.compared(negated) or self.measure_compared(groups, negated) \
            or self.similar_size(negated) or self.same_colour(negated)
        if compared is not None:
            return compared

        metric = self.metric()
        if metric is not None:
            kind, dist = metric
            anchor = self.anchor(counted=True)
            return self.counted(Relation(kind, anchor, dist, negated, True))
        direction = self.direction()
        if direction is not None:
            return Relation(direction, self.anchor(), None, negated)
        for table in (lx.NEAR_WORDS, lx.OVERLAP_WORDS):
            for phrase in sorted(table, key=len, reverse=True):
                if self.at(*phrase):
                    save = self.i
                    self.i += len(phrase)
                    if table[phrase] == "between":   # "between (the) two buildings": any two
                        self.skip_fillers()
                        if self.peek(1) != "most" and not lx.superlative(self.peek(1)):
                            # "the two largest (most isolated) buildings": those two
                            self.eat("two") or self.eat("2")
                    try:
                        anchor = self.anchor(counted=True)
                    except NotUnderstood:
                        self.i = save
                        continue
                    kind = table[phrase]
                    if kind == "between" and len(anchor.categories) == 1 and \
                            self.peek() == "and" and self.category_within(4):
                        # "between the road and the largest tree": two anchors described
                        # differently, the second the relation's other side (``via``)
                        return self.between_two(anchor, groups, negated)
                    anchor_groups = {self.vocab.group_of(a) for a in anchor.categories}
                    if lx.OBJECT_EDGE_NOUNS & set(phrase) and set(groups) & anchor_groups:
                        # "trees at the edge of the forest": a part of their own mask
                        raise self.fail("the edge of its own kind")
                    if kind in ("on", "inside") and anchor == Target(tuple(self.heads)) \
                            and set(groups) == anchor_groups:
                        # "trees in the forest", "trees outside the forest": the forest is
                        # their own objects, which no other of them lies on
                        raise self.fail("in its own kind")
                    if phrase == ("at",) and (
                            anchor.part in lx.ROAD_PARTS and set(groups) != {"vehicle"}
                            or anchor_groups == {"building"} and "building" not in groups
                            or anchor_groups == {"water"} and not anchor.part) \
                            or phrase == ("in",) and anchor_groups == {"building"} \
                            and set(groups) == {"vehicle"} and not anchor.part and not negated \
                            or phrase == ("on",) and anchor.part in lx.ROAD_PARTS \
                            and set(groups) == {"building"}:
                        # "buildings at the intersection": at its corners; "cars at the
                        # school": beside it, not on its roof; "houses on dead-end streets";
                        # "cars at the lake": by it; "cars in the petrol station": in its
                        # grounds, seen from above (one under its roof is not seen)
                        kind = "next_to"
                    elif set(groups) == {"building"} and anchor_groups and not anchor.part \
                            and (phrase == ("on",) and anchor_groups <= {"road", "water"}
                                 or phrase in (("in",), ("at",))
                                 and anchor.categories == ("road",)):
                        # "houses on the street", "the hotels on the river", "the houses in
                        # Elm Street": as an address says it, beside it (the road's or the
                        # river's mask stops at them); a part found in a mask is no address
                        # ("houses on the island")
                        kind = "along"
                        self.say(ON_A_STREET_NOTE)
                    elif set(self.heads) == {"tree"} and phrase in (("in",), ("at",)) and \
                            anchor.categories == ("road",) and not anchor.part:
                        kind = "along"   # "trees in the street": street trees, along it
                    if lx.SHADE_WORDS & set(phrase) and not all(
                            self.vocab.group_of(a) in lx.SHADING_FROM_ABOVE
                            for a in anchor.categories):
                        kind = "next_to"   # the shade of a building lies beside it
                    reach = self.trailing_distance() if kind == "with" else None
                    if reach is not None:   # "buildings with 2 trees within 10 m (of them)"
                        return self.counted(Relation("within_m", anchor, reach, negated, True))
                    if kind == "with":   # "houses with a pool next to them": next to a pool
                        kind = self.back_to_target() or kind
                    return self.counted(Relation(kind, anchor, default_distance(
                        kind, groups, anchor, self.vocab), negated))
        return None

    def between_two(self, first: Target, groups: List[str], negated: bool) -> Relation:
        """"between the road and the white building", after the first: the second object,
        described otherwise, as the relation's ``via``; the pair is one of each, at the
        distance of the farther pair of kinds. A clause after the second ("and the house with
        a pool") may be the second's or the objects', and fails."""
        self.eat("and")
        second = self.anchor(counted=True)
        if self.peek() in ("with", "without", "that", "which", "whose", "having"):
            raise self.fail("'between' objects described differently")
        both = Target(tuple(dict.fromkeys(first.categories + second.categories)))
        return Relation("between", first, default_distance("between", groups, both, self.vocab),
                        negated, via=second)

    def bounded_direction(self, negated: bool) -> Optional[List[Relation]]:
        """"within 50 m east of the road": east of it, and within 50 m of it; "more than 50 m
        north of", "between 50 and 100 m north of": north of it, that far from it; else None
        (position unchanged). Not negated: "not within 50 m east of" leaves which to negate."""
        save = self.i
        bounds = [] if negated else self.direction_bounds()
        kind = self.direction() if bounds else None
        if kind is None:
            self.i = save
            return None
        anchor = self.anchor()
        return [Relation(kind, anchor, None)] + [Relation(bound, anchor, metres, False, True)
                                                 for bound, metres in bounds]

    def direction_bounds(self) -> List[Tuple[str, float]]:
        """Before a compass point: "within 50 m" [("within_m", 50)], "more than 50 m"
        [("beyond_m", 50)], "between 50 and 100 m" (both), consumed; [] (position unchanged)
        if none of these."""
        reach = self.trailing_distance()
        if reach is not None:
            return [("within_m", reach)]
        save = self.i
        if any(self.eat(*phrase) for phrase in _BEYOND):
            value, unit = _number(self.peek() or ""), self.peek(1)
            if value is not None and unit in lx.UNITS_M:
                self.i += 2
                return [("beyond_m", value * lx.UNITS_M[unit])]
        self.i = save
        band = self.length_range()
        return [("beyond_m", band[0]), ("within_m", band[1])] if band else []

    def length_range(self) -> Optional[Tuple[float, float]]:
        """"between 10 and 50 m", "10-50 m": (the nearer, the farther) in metres, consumed;
        None (position unchanged) if not two lengths."""
        save = self.i
        found = self.value_range()
        if found is None or {found[1][0], found[3][0]} != {"length"}:
            self.i = save
            return None
        low, (_, low_scale), high, (_, scale) = found
        near, far = sorted((low * low_scale, high * scale))
        return near, far

    def trailing_distance(self) -> Optional[float]:
        """After "with" and its anchor: "within 10 m", "within 10 m of them", "less than 5 m
        away" (m), consumed; else None (position unchanged: "within 10 m of the road" is a
        relation of its own)."""
        save = self.i
        if not (self.eat("within") or self.eat("less", "than") or self.eat("at", "most")
                or self.eat("up", "to")):
            return None
        value, unit = _number(self.peek() or ""), self.peek(1)
        if value is None or unit not in lx.UNITS_M:
            self.i = save
            return None
        self.i += 2
        self.eat("away")
        if self.at("of") or self.at("from"):
            if self.peek(1) not in PRONOUNS:   # an anchor of its own
                self.i = save
                return None
            self.i += 2
        return value * lx.UNITS_M[unit]

    def own_kind_relation(self, kind: str, size: int, groups: List[str],
                          heads: Sequence[str]) -> Relation:
        """A relation of objects of ``heads`` to the others of their categories, by the kind of
        :data:`~.lexicon.OWN_KIND_WORDS`: isolated (far from any), group (in a group of at
        least ``size``, linked at the pair's "near" distance), row (a group in a line),
        joined (touching one: "terraced houses"), detached (touching none); or farthest (the
        rank of "the most isolated")."""
        own = Target(tuple(heads))
        if kind in ("dense", "sparse"):   # "dense housing": in groups; "scattered houses",
            scattered_trees = kind == "sparse" and set(heads) <= {"tree"}   # "scattered trees"
            if not (set(groups) <= lx.COUNTABLE_GROUPS or scattered_trees):   # "dense forest"
                raise self.fail(f"'{kind}' of an area")                   # is one object
            kind = "group" if kind == "dense" else "isolated"
        if kind == "isolated":
            return Relation("far", own, default_distance("far", groups, own, self.vocab))
        if kind in ("group", "row", "largest_group"):   # "clusters of 5 houses": a group's
            # least size; "the 2 largest clusters of buildings": the members of the 2 with
            # the most
            counted = size > 1 if kind == "largest_group" else size > 0
            return Relation(kind, own, default_distance("near", groups, own, self.vocab),
                            min_count=size if counted else None)
        if kind == "farthest":   # "the most isolated": ranked by the gap to the nearest other
            return Relation("farthest", own)
        return Relation("within_m", own, lx.TOUCH_M, kind == "detached")

    def in_groups(self) -> Optional[Tuple[str, int, bool]]:
        """"in a row", "in clusters of 5 or more", "forming a group", "not in groups": (group
        or row, the least group size, negated), consumed; else None (position unchanged)."""
        save = self.i
        negated = self.eat("not")
        if negated:
            self.skip_fillers()   # "not parked in a row"
        if not (self.eat("in") or self.eat("forming") or self.eat("form")):
            self.i = save
            return None
        self.skip_fillers()
        straight = self.eat("straight")   # "in a straight row": every row is checked so
        if self.peek() not in lx.GROUP_NOUNS or (straight and self.peek() not in lx.LINE_NOUNS):
            self.i = save
            return None
        noun = self.t[self.i]
        self.i += 1
        return lx.group_kind(noun), self.group_size(noun, sized=self.eat("of")), negated

    def compared(self, negated: bool) -> Optional[Relation]:
        """"closer to the road than to the river", "farther from the river than from the
        road": the relation comparing the distances to two anchors (the second is ``via``),
        consumed; else None (position unchanged)."""
        save = self.i
        kind = next((k for words, k in _COMPARED if self.eat(*words)), None)
        if kind is None:
            return None
        first = self.anchor()
        if not self.eat("than"):
            self.i = save
            return None
        self.eat("it", "is") or self.eat("they", "are")   # "than it is to the river"
        self.eat("to") or self.eat("from")
        return Relation(kind, first, None, negated, via=self.anchor())

    def measure_compared(self, groups: List[str], negated: bool) -> Optional[Relation]:
        """"larger than the red building", "cars longer than the bus", "smaller than the
        school": each object's measure against every anchor object's, consumed; else None
        (position unchanged: "larger than 100 m2" is a threshold and "than average" the
        category's mean, both read before as measures). "than neighbouring ones" (the
        tokenizer's "than their neighbours", "than the buildings around them"): against those
        of its own kind near it, "than neighbouring cars" against the cars near it."""
        save = self.i
        measure, side = lx.COMPARATIVE_WORDS.get(self.peek() or "", ("", ""))
        if measure not in (*MEASURES, "lightness") or self.peek(1) != "than":
            return None
        self.i += 2
        factor = self.factor()
        local = self.eat("neighbouring")
        try:
            anchor = Target(self.heads) if local and self.heads and self.eat("ones") \
                else self.anchor()
        except NotUnderstood:
            self.i = save
            return None
        kind = next(k for k, said in MEASURE_RELATIONS.items() if said == (measure, side))
        reach = default_distance("near", groups, anchor, self.vocab) if local else None
        return Relation(kind, anchor, reach, negated, factor=factor)

    def similar_size(self, negated: bool) -> Optional[Relation]:
        """"similar in size to the school" (the tokenizer's "the same size as", "as large
        as"), "similar in length (width) to": each object's area (length, width) within a
        share of an anchor object's, consumed; else None (position unchanged)."""
        kind = f"similar_{self.peek(2)}"
        if kind not in SIMILAR_RELATIONS or not self.at("similar", "in", self.peek(2), "to"):
            return None
        save = self.i
        self.i += 4
        try:
            return Relation(kind, self.anchor(), None, negated)
        except NotUnderstood:
            self.i = save
            return None

    def same_colour(self, negated: bool) -> Optional[Relation]:
        """"the same colour as the bus" (the tokenizer's "similar in colour to", "the colour
        of", "matching the colour of"): each object's median colour near an anchor object's,
        consumed; else None (position unchanged)."""
        if not self.at("same", "colour", "as"):
            return None
        save = self.i
        self.i += 3
        try:
            return Relation("same_colour", self.anchor(), None, negated)
        except NotUnderstood:
            self.i = save
            return None

    def across(self, groups: List[str], negated: bool) -> Optional[Relation]:
        """"across the road from the school", "on the other side of the river from the
        houses": the objects facing the anchor over the object between; "opposite the
        school", "across from the school": over the road (a note says so). None (position
        unchanged) if not that, or no "from ..." follows the object between."""
        save = self.i
        if self.eat("opposite") or self.eat("across", "from"):   # over a street, as said
            self.eat("to") or self.eat("of")                       # of houses and shops
            road = self.vocab.category_named("road")
            try:
                anchor = self.anchor()
            except NotUnderstood:
                self.i = save
                return None
            if road is None:
                raise self.fail("opposite over what")
            self.notes.append(f"'{self.t[save]}' read as across the road from it")
            via = Target((road,))
        elif self.eat("across") or self.eat("on", "the", "other", "side", "of") \
                or self.eat("on", "the", "opposite", "side", "of"):
            try:
                via = self.anchor()
                if self.t[save] == "across" and not self.at("from") \
                        and set(groups) <= _RUNNING_GROUPS:   # "roads across the river"
                    return Relation("crosses", via, default_distance(
                        "crosses", groups, via, self.vocab), negated)
                if not self.eat("from"):
                    raise self.fail("across what from what")
                anchor = self.anchor()
            except NotUnderstood:
                self.i = save
                return None
        elif self.eat("on", "the", "same", "side", "of"):   # "... of the road as the school"
            try:
                via = self.anchor()
                if not self.eat("as"):
                    raise self.fail("the same side as what")
                return Relation("same_side", self.anchor(), None, negated, via=via)
            except NotUnderstood:
                self.i = save
                return None
        else:
            return None
        beside = default_distance("next_to", groups, via, self.vocab) or 0.0
        reach = 2.0 * beside + lx.ACROSS_WIDTH_M
        return Relation("across", anchor, reach, negated, via=via)

    def place(self, groups: List[str], negated: bool, relations: Sequence[Relation]
              ) -> Optional[List[Relation]]:
        """"in (the) driveways", "in the backyard of the largest house": next to the building
        the place belongs to, and not on the road (:data:`~.lexicon.PLACE_NOUNS`; an image
        shows a yard only as the ground beside a building that is no road), a note saying
        so: ``relations`` with those added, consumed; else None (position unchanged). A
        building is in no driveway: in "houses with cars in the driveway" the place is the
        cars' (the anchor of the last "with")."""
        save = self.i
        if not any(self.eat(w) for w in ("in", "on", "at", "inside", "within")):
            return None
        while self.peek() in ("the", "a", "an", "their", "its", "his", "her"):
            self.i += 1
        settled = self._settlement(groups, negated, save)
        if settled is not None:
            return list(relations) + [settled]
        found = self._phrase_here(lx.PLACE_NOUNS)
        if found is None:
            self.i = save
            return None
        self.i += len(found)
        if negated:   # not beside it, or on the road?
            raise self.fail(f"'not' before a {' '.join(found)}")
        group = lx.PLACE_NOUNS[found]
        owner = relations[-1] if relations and relations[-1].kind == "with" \
            and group in groups else None
        if owner is not None:   # "houses with cars in the driveway": the cars'
            groups = self.groups_of(list(owner.anchor.categories))
        if self.eat("of") or self.eat("behind") or self.eat("in", "front", "of"):
            anchor = self.anchor()
        else:   # "cars in driveways": a building's
            category = next((c.name for c in self.vocab.by_name.values() if c.group == group),
                            None)
            if category is None:
                raise self.fail(f"a {' '.join(found)} without a {group}")
            anchor = Target((category,))
        beside = Relation("next_to", anchor, default_distance("next_to", groups, anchor,
                                                              self.vocab))
        road = self.vocab.category_named("road")
        off_road = [Relation("on", Target((road,)), None, True)] if road is not None else []
        self.notes.append(f"'{' '.join(self.t[save + 1:self.i])}' read as "
                          f"{' '.join(r.text() for r in [beside] + off_road)}: from above, a "
                          f"{' '.join(found)} is ground beside its building that is no road")
        if owner is None:
            return list(relations) + [beside] + off_road
        anchor = replace(owner.anchor, relations=owner.anchor.relations + (beside, *off_road))
        return list(relations[:-1]) + [replace(owner, anchor=anchor)]

    def _phrase_here(self, phrases: Iterable[Tuple[str, ...]]) -> Optional[Tuple[str, ...]]:
        """The longest of ``phrases`` at the position, its last word in either number ("in
        the backyards", "in urban areas"), not consumed; else None."""
        return next((ph for ph in sorted(phrases, key=len, reverse=True)
                     if tuple(self.t[self.i:self.i + len(ph) - 1]) == ph[:-1]
                     and lx.singular(self.peek(len(ph) - 1) or "") == ph[-1]), None)

    def _settlement(self, groups: List[str], negated: bool, start: int) -> Optional[Relation]:
        """"in the village", "in urban areas" (:data:`~.lexicon.SETTLEMENT_PLACES`): near a
        building, a note saying so, consumed; else None (position unchanged)."""
        found = self._phrase_here(lx.SETTLEMENT_PLACES | lx.USE_PLACES)
        building = self.vocab.category_named("building")
        if found is None or building is None or self.peek(len(found)) == "of":
            return None
        self.i += len(found)
        anchor = Target((building,))
        near = Relation("near", anchor, default_distance("near", groups, anchor, self.vocab),
                        negated)
        use = "; its use is not seen" if found in lx.USE_PLACES else ""   # "industrial areas"
        self.notes.append(f"'{' '.join(self.t[start + 1:self.i])}' read as {near.text()}: "
                          f"from above, a settlement is its buildings and the ground between "
                          f"them{use}")
        return near

    def back_to_target(self) -> Optional[str]:
        """After "with" and its anchor: the relation of a "next to them" or "around it" that
        points back at the target ("with many cars parked around them": fillers passed),
        consumed; else None ("with" as it is, nothing consumed)."""
        save = self.i
        kind = self._back_to_target()   # "both sides of them": "both" is a filler elsewhere
        if kind is None:
            self.skip_fillers()
            kind = self._back_to_target()
        if kind is None:
            self.i = save
        return kind

    def _back_to_target(self) -> Optional[str]:
        for words in lx.BOTH_SIDES_WORDS:
            n = len(words)   # "roads with buildings on both sides (of them)", not "... of
            if self.at(*words) and (self.peek(n) != "of" or self.peek(n + 1) in PRONOUNS):
                self.i += n + (2 if self.peek(n) == "of" else 0)    # the river": a relation
                return "both_sides"
        for table in (lx.NEAR_WORDS, lx.OVERLAP_WORDS):
            for phrase in sorted(table, key=len, reverse=True):
                if self.at(*phrase) and self.peek(len(phrase)) in PRONOUNS:
                    kind = table[phrase]
                    if kind in ("with", "between", "surrounded"):
                        return None
                    self.i += len(phrase) + 1
                    # "roads with cars on them": on it is what "with" already allows
                    return "with" if table is lx.OVERLAP_WORDS else kind
        if self.eat("nearby") or self.eat("close", "by") or self.eat("around"):
            return "near"   # "buildings with trees nearby", "without trees around"
        if self.eat("in", "front") or self.eat("behind") or self.eat("beside"):
            return "next_to"   # "buildings with trees in front", seen from above: beside
        return None

    def distance_band(self) -> Optional[List[Relation]]:
        """"between 10 and 50 m from the road", "10-50 m from": more than 10 m from it and
        within 50 m of it; None (position unchanged) if not that."""
        save = self.i
        band = self.length_range()
        if band is None or not (self.eat("of") or self.eat("from") or self.eat("to")):
            self.i = save
            return None
        try:
            anchor = self.anchor()
        except NotUnderstood:
            self.i = save
            return None
        near, far = band
        return [Relation("beyond_m", anchor, near, False, True),
                Relation("within_m", anchor, far, False, True)]

    def along_side_of(self, groups: List[str], negated: bool) -> List[Relation]:
        """"along the north side of the road", "lining the western side of the river": along
        the anchor and on that side of it, consumed; [] (position unchanged) if not that."""
        j = self.i + (self.peek() in ("running", "runs", "run"))   # "running along the ..."
        if self.t[j:j + 1] not in (["along"], ["alongside"], ["lining"]):
            return []
        at = j + 1 + (self.word(j + 1) == "the")   # the side's word
        words = self.t[at:at + 3]
        side = words[0] if words else None
        if side not in lx.DIRECTION_WORDS or side in ("above", "below") or \
                words[1:3] != ["side", "of"]:
            return []
        if negated:   # not along it, or not on that side?
            raise self.fail("'not' before a side of an object")
        self.i = at + 3   # past "north side of"
        anchor = self.anchor()
        return [Relation("along", anchor, default_distance("along", groups, anchor, self.vocab)),
                Relation(lx.DIRECTION_WORDS[side], anchor)]

    def each_side(self) -> None:
        """"north and south of the road", "east or west of the river", "above and below the
        road" (here at the first side word): either side of one anchor, rewritten in place as
        "north of the road or south of the road" (:meth:`~.parser._Parser.next_target` reads
        the second); nothing if not that."""
        sides = self.two_sides_at(self.i)
        if sides is None:
            return
        j, second = sides
        anchor, end = self.trial(self.anchor, j)
        if anchor is None:
            return
        named = self.t[j:end]
        between = self.t[self.i + 1:j]
        join = ["and", "not"] if "not" in between else ["or"]   # "neither north nor south"
        self.t[self.i + 1:end] = [*_side_of(self.peek()), *named, *join, second,
                                  *_side_of(second), *named]

    def two_sides_at(self, j: int) -> Optional[Tuple[int, str]]:
        """Where the anchor begins and the second side word, if two side words joined by
        "and" / "or" begin at ``j`` ("north and (the) south (side) of", "above and below";
        "north and not south of", which "neither north nor south of" becomes), else None."""
        first = self.word(j)
        if self.word(j + 1) not in lx.CONJUNCTIONS:
            return None
        k = j + 2 + (self.t[j + 2:j + 3] == ["not"])   # "not north and not south of"
        k += self.t[k:k + 1] == ["the"]
        second = self.word(k)
        if first not in lx.DIRECTION_WORDS or second not in lx.DIRECTION_WORDS:
            return None
        if second in ("above", "below"):
            return k + 1, second
        k += 1 + (self.t[k + 1:k + 2] == ["side"])
        return (k + 1, second) if self.t[k:k + 1] == ["of"] else None

    def direction(self) -> Optional[str]:
        save = self.i
        self.eat("to", "the") or self.eat("on", "the") or self.eat("in", "the")
        word = self.peek()
        if word not in lx.DIRECTION_WORDS:
            self.i = save
            return None
        self.each_side()
        self.i += 1
        if word not in ("above", "below"):
            self.eat("side")
            if not self.eat("of"):
                self.i = save
                return None
        return lx.DIRECTION_WORDS[word]


def _side_of(word: Optional[str]) -> List[str]:
    """The words between a side word and its anchor: "of" ("north of"), none ("above")."""
    return [] if word in ("above", "below") else ["of"]


#: what runs across things ("roads across the river", "a stream across the field"); anything
#: else "across the river" is on its far side, which needs a "from"
_RUNNING_GROUPS = frozenset({"road", "water"})


def default_distance(kind: str, groups: Sequence[str], anchor: Target,
                     vocabulary: lx.Vocabulary) -> Optional[float]:
    """The distance ``kind`` means between objects of ``groups`` and ``anchor`` (m), from the
    per-pair next-to distance; None for a relation that has none."""
    if kind == "crosses":   # the gap a mask leaves at a bridge, whatever the pair
        return CROSSING_GAP_M
    if kind not in ("along", "next_to", "near", "far", "surrounded", "between", "with",
                    "both_sides",
                    "parallel", "perpendicular", "oblique"):
        return None
    owners = anchor.categories[:1] if anchor.part else anchor.categories   # a bridge: road's
    base = max(lx.next_to_distance_m(g, vocabulary.group_of(a)) for g in groups for a in owners)
    if kind in ("near", "between", "parallel", "perpendicular", "oblique"):   # each of the two
        return 2.0 * base        # near it; "parallel to the road": lined up near it
    if kind == "far":
        return max(4.0 * base, 20.0)
    return base
