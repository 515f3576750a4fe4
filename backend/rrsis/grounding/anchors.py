"""The parser's rules of the objects named: heads (category names, "anything"), anchors (the
objects a relation is to, with their own modifiers, ranks and clauses), pronouns back to an
object read before ("it", "them"), and the parts of a road ("the intersections", "dead ends").

A mixin of the parser class (:mod:`.parser`), above :mod:`.modifiers`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, List, Optional, Sequence, Tuple, TypeVar

from . import lexicon as lx
from .cursor import NotUnderstood
from .modifiers import CONJ, GENERIC, POSSESSIVES, ModifierRules
from .plan import (ANCHOR_RANKS, CLIP_KINDS, DISTANCE_RANKS, Attribute, Region, Relation,
                   Target)
from .relations import BEND_TURN_DEG, EDGE_M, ISLAND_MIN_M2
from .ranks import Premods, Rank
from .relation_rules import PRONOUNS

__all__ = ["AnchorRules", "clippable"]

_T = TypeVar("_T")

#: a generic noun that is a filler after a category name ("vehicle objects")
_GENERIC_AFTER_A_NAME = (lx.GENERIC_NOUNS - {"anything", "everything", "something"}) \
    | lx.OUTLINE_NOUNS   # "building footprints"


def clippable(relations: Sequence[Relation], region: Optional[Region],
              rank: Optional[Rank]) -> bool:
    """Whether a target (an anchor) can be cut to where what is said of it holds
    (:attr:`~.plan.Target.clipped`): a relation of :data:`~.plan.CLIP_KINDS` (none for each
    anchor object, none counted) or a part of the image or of its own box said, and no rank
    by an anchor ("the part of the forest closest to the road")."""
    return bool(relations or region) and (rank is None or rank[0] not in ANCHOR_RANKS) and all(
        rel.kind in CLIP_KINDS and not rel.each and rel.min_count is None for rel in relations)


def _verb_plural(word: Optional[str]) -> Optional[bool]:
    """Whether the verb after "that" agrees with more than one object ("are", "lie"), with one
    ("is", "runs"), or None where it does not say ("touching")."""
    if word in ("is", "was", "has", "does"):
        return False
    if word in ("are", "were", "have", "do"):
        return True
    if word is None or word.endswith("ing") or word in lx.FILLER_WORDS:
        return None
    return not (word.endswith("s") and not word.endswith("ss"))


class AnchorRules(ModifierRules):
    """The objects named: heads, anchors, pronouns and a road's parts."""

    def category_here(self) -> Optional[Tuple[str, int]]:
        """(category, words) of the longest category name starting here, else None;
        (:data:`GENERIC`, 1) at "anything", "objects", ..."""
        if self.peek() in lx.GENERIC_NOUNS:
            return GENERIC, 1
        for n in range(self.vocab.max_name_words, 0, -1):
            words = self.t[self.i:self.i + n]
            if len(words) < n or any(w in CONJ for w in words):
                continue
            for phrase in (" ".join(words), lx.singular_phrase(" ".join(words))):
                if phrase in self.vocab.names:
                    return self.vocab.names[phrase], n
        return None

    def head(self) -> List[str]:
        """The categories a head names: one ("cars"), or every object the model knows
        ("anything", "objects": :attr:`~.lexicon.Vocabulary.every_object`, with a note)."""
        found = self.category_here()
        if found is None:
            raise self.fail("no object named")
        word = self.peek()
        self.i += found[1]
        self.head_generic = found[0] == GENERIC
        if not self.head_generic:
            if self.peek() in _GENERIC_AFTER_A_NAME:
                self.i += 1   # "vehicle objects", "building features": the vehicles
            elif self.peek() in lx.COLLECTIVE_NOUNS:   # "vegetation patches": as "patches of"
                self.notes.append(f"{self.peek()!r} read as the objects themselves")
                self.i += 1
            elif self.peek() in lx.CENTRE_LINE_NOUNS:   # "road centrelines": the roads
                self.notes.append(f"{self.peek()!r} read as the objects themselves: the model "
                                  "marks their surface, not a line down the middle")
                self.i += 1
            return [found[0]]
        every = self.vocab.every_object
        note = f"{word!r} read as every object the model knows: {', '.join(every)}"
        self.say(note)
        return list(every)

    def anchor(self, counted: bool = False) -> Target:
        """The object a relation refers to. ``counted``: a number of them may come first ("at
        least 3 cars", "more than 2 trees", "3 or more cars"; :attr:`anchor_count`). "it" and
        "them" name the target's last anchor ("north of the river and within 200 m of it"),
        else a target read before ("the road and the cars on it")."""
        named = self.word(self.after_fillers(self.i)) in PRONOUNS and (
            self.last_anchor is not None or self.named_before)
        self.last_anchor = self.antecedent() if named else self.new_anchor(counted)
        return self.last_anchor

    def new_anchor(self, counted: bool) -> Target:
        start = self.anchor_start = self.i
        self.anchor_each = self.peek() in ("each", "every") and \
            self.peek(1) not in ("other", "another")   # "in each parking lot"
        self.both = self.peek() == "both"   # "near both the road and the river": each_anchor
        had = self.word(self.i - 1) in lx.HAVING_WORDS   # "with a garden and a pool": both had
        self.skip_fillers()
        if had and self.peek() in POSSESSIVES:   # "houses with their gardens": theirs had
            self.i += 1
        self.anchor_count = self.anchor_quantity() if counted else None
        if self.eat("other") or self.eat("another"):   # "next to other buildings": an object
            if self.category_here() is None:            # is never its own anchor anyway
                if not self.heads:
                    raise self.fail("other what")
                return Target(self.heads)   # "cars close to each other": to other cars
        elif self.heads and self.eat("one", "another"):
            return Target(self.heads)
        clipped, own = self.clipped_part()   # "on the stretch of road along the river"
        mask_part = None if clipped else self.mask_part()
        if mask_part is not None:   # "at the intersection", "on the island": a part found
            return mask_part        # in a mask
        p = self.part_premods(own, anchor=True)
        attrs, rank, count, skip = p.attrs, p.rank, p.count, p.skip
        if counted and count is not None and self.anchor_count is None:   # "with 3 cars"
            self.anchor_count = (count, False, None)
            self.notes.append(f"'{count} ...' read as at least {count}")
            count = None
        if p.choices.get("colour"):   # "next to red and white buildings": either colour
            attrs = [replace(a, value=" or ".join([a.value, *p.choices["colour"]]))
                     if a.kind == "colour" and not a.negated else a for a in attrs]
        if count is not None or (rank is not None and rank[0] in DISTANCE_RANKS):
            raise self.fail("an anchor takes no count and no 'closest'")
        between = self.word(start - 1) == "between" or self.word(start - 2) == "between"
        if self.peek() in ("one", "ones") and self.heads and not self.head_generic and (
                attrs or rank):
            self.i += 1   # "cars longer than the red one", "than the largest one": of the
            heads = list(self.heads)   # target's kind
        else:
            heads = self.head()
        while self.peek() in CONJ:
            save = self.i
            self.i += 1
            self.skip_fillers()
            found = self.category_here()
            # "next to the road and the buildings": one anchor; but "... and buildings near
            # the river": a new target, because a modifier follows its noun
            follows = self.t[self.i + found[1]] if found and self.i + found[1] < len(self.t) \
                else None
            # after the two objects of "between", what follows is the target's ("between the
            # river and the road with no trees nearby", "... but not near the school": it
            # went whole), but for a "with", the second object's ("between the road and the
            # house with a pool")
            had_by_it = follows in lx.HAVING_WORDS and \
                self.word(self.i + found[1] + 1) != "none"
            if found is None or (follows is not None and follows not in CONJ and not (
                    between and not had_by_it)) or (
                    had and self.word(save) == "and"):   # "with gardens and pools": both had
                self.i = save   # (the target reads "and pools" as one more "with")
                break
            heads += self.head()
        if self.head_generic:   # "near anything red": an adjective follows "anything"
            attr = self.attribute(False)
            if attr is not None:
                attrs.append(attr)
        heads = list(dict.fromkeys(heads))
        groups = self.groups_of(heads)
        relations = [self.own_kind_relation(kind, size, groups, tuple(heads))
                     for kind, size in p.own_kinds]   # "next to isolated buildings"
        if p.along is not None:   # "near roadside trees": along the road
            relations.append(self.along_side(p.along, groups))
        clause = self.anchor_clause(heads)
        if clause is not None:   # "the road that runs along the river"
            attrs += clause[0]
            relations += clause[1]
        named = self.word(self.i - 1) or ""
        roof = self.anchor_roof(groups, lx.singular(named) == named and named not in CONJ)
        if roof is not None:   # "trees near buildings with a red roof": the buildings'
            attrs = self.roof_over_colour(attrs, []) + [roof]
        axis = self.axis() if set(groups) <= {"road", "water"} else None
        if axis is not None:   # "buildings along roads running east-west": a way's course
            attrs.append(Attribute("orientation", axis))
        nearest = self.anchor_rank(rank)
        if nearest is not None:   # "cars within 5 m of the building closest to the river"
            relation, rank, skip = nearest
            relations.append(relation)
        if clipped and not relations and own is None:   # "the stretch of road along the
            part = self.part_relation(heads)                # river": which stretch
            relations += [part] if part is not None else []
        if clipped and not clippable(relations, p.region, rank):
            clipped = self.unclipped(clipped)
        return Target(tuple(heads), tuple(attrs), tuple(relations), p.region, rank, skip,
                      rank_share=p.share, clipped=bool(clipped))

    def clipped_part(self, edges: bool = False) -> Tuple[str, Optional[Region]]:
        """"the part (section, stretch, portion) of" before an object's name, consumed: the
        target is that ground of its objects only (:attr:`~.plan.Target.clipped`); its noun,
        or "" (position unchanged; not before a part of the image: "the part of the image
        with cars"). After a word of a part of the image ("the northern half of the forest",
        "the west end of the road"), that part of each object's own box too. ``edges``: "the
        (southern) edge of the forest" too, its noun returned (a target's: :meth:`edge_of`)."""
        save = self.i
        self.skip_fillers(keep=tuple(lx.CLIP_NOUNS))   # "segment" is a request too
        edge_nouns = lx.OBJECT_EDGE_NOUNS | lx.OBJECT_INTERIOR_NOUNS if edges else frozenset()
        own = lx.REGION_WORDS.get(self.peek() or "")
        if own is not None and (self.peek(1) in lx.OWN_PART_SHARES or
                                self.peek(1) in edge_nouns):
            self.i += 1
        word = self.peek()
        if (word in lx.CLIP_NOUNS or word in edge_nouns or own is not None and
                word in lx.OWN_PART_SHARES) and self.peek(1) == "of":
            self.i += 2
            for k in range(4):   # "the stretch of (the) (large) road", not "of the image"
                if self.category_at(k):
                    return word, None if own is None else Region(
                        *own, share=lx.OWN_PART_SHARES.get(word, 0.5), own=True)
                if self.peek(k) in lx.REGION_NOUNS or self.peek(k) in ("of", None):
                    break
        self.i = save
        return "", None

    def part_premods(self, own: Optional[Region], anchor: bool = False) -> Premods:
        """The premodifiers after a part of the object's own box said before them ("the
        northern half of the (large) forest"), with that part as their region; a part of the
        image as well fails ("the northern half of the western forest")."""
        p = self.premods(anchor=anchor)
        if own is not None and p.region is not None:
            raise self.fail("a part of an object in a part of the image")
        p.region = own or p.region
        return p

    def edge_of(self, heads: Sequence[str], word: str) -> Target:
        """"the forest edge", "the edge of the lake": the strip of the first object named along
        its outline, a part found in its mask (:func:`~.relations.edges`); "the forest
        interior", "the interior of the lake": the rest of it (:func:`~.relations.interiors`);
        said in a note."""
        interior = word in lx.OBJECT_INTERIOR_NOUNS
        what = f"the {heads[0]} farther than {EDGE_M:g} m from" if interior else \
            f"the strip of the {heads[0]} within {EDGE_M:g} m of"
        self.say(f"'{word}' read as {what} its outline (a quarter of its width where it is "
                 "narrower; the image's edge is no outline)")
        return Target((heads[0],), part="interior" if interior else "edge")

    def unclipped(self, word: str) -> str:
        """A part given up where nothing said cuts it: "a stretch of road parallel to the river"
        is the objects themselves, as a collective noun was before parts were cut (said in a
        note; "" returned); "the part of the road" alone, "the part of the lake parallel to
        the road" fail."""
        if word not in lx.COLLECTIVE_NOUNS:
            raise self.fail("a part of an object but where it is near, on, in, far from, "
                            "between, crossing or a compass point from another, or in a part "
                            "of the image")
        self.notes.append(f"'{word} of' read as the objects themselves")
        return ""

    def part_relation(self, heads: Sequence[str]) -> Optional[Relation]:
        """After a part of an anchor ("cars on the stretch of road along the river"), the
        relation that says which part: the anchor's, consumed; else None (position
        unchanged)."""
        def which_part() -> Optional[Relation]:
            self.skip_fillers()
            rel = self.relation(self.groups_of(list(heads)), self.eat("not"))
            return rel if rel is not None and clippable([rel], None, None) else None

        return self.read_for_anchor(heads, which_part)

    def anchor_roof(self, groups: Sequence[str], singular: bool) -> Optional[Attribute]:
        """"with a red roof" after a building anchor of a target that has none ("trees near
        buildings with a red roof", "cars next to houses with blue roofs"), or after one
        building named ("buildings next to the building with a red roof", "the house next to
        the one with the red roof": the nearest name): the anchor's colour, consumed; else
        None (position unchanged: the target's roof, or none)."""
        if self.peek() not in lx.ROOF_COLOUR_WORDS or "building" not in groups or \
                ("building" in self.groups_of(list(self.heads)) and not singular):
            return None
        return self.roof_colour(False)

    def anchor_rank(self, rank: Optional[Rank]) -> Optional[Tuple[Relation, Rank, int]]:
        """"closest to the river" after a singular anchor of a plural target ("cars within 5
        m of the building closest to the river"), or of any one ("a car ..."): the anchor's
        rank, consumed (with the relation that orders it); else None (position unchanged: the
        target's)."""
        name = self.word(self.i - 1) or ""
        if rank is not None or not (self.target_plural or self.target_any) \
                or name != lx.singular(name) or \
                self.peek() not in lx.DISTANCE_SUPERLATIVES:
            return None
        return self.attempt(lambda: self.distance_rank(None, None, 0))

    def antecedent(self) -> Target:
        """What "it", "them", "its" or "their" here names, consumed: the target's last anchor
        ("north of the river and within 200 m of it"), else the target read before, the last
        one named in the singular for "it" and "its" (else the last), in the plural for "them"
        and "their": "the road and the cars on it", "the road, the cars on it and the trucks
        next to it" (the road)."""
        self.skip_fillers()
        self.both = False
        plural = self.t[self.i] in ("them", "their")
        named = self.last_anchor if self.last_anchor is not None else next(
            (t for t, p in reversed(self.named_before) if p == plural), self.named_before[-1][0])
        if named is None:
            raise self.fail("which of its readings")
        self.i += 1
        return named

    def anchor_clause(self, heads: Sequence[str]
                      ) -> Optional[Tuple[List[Attribute], List[Relation]]]:
        """"(cars on) the road that runs along the river", "(next to) buildings which are
        red": a clause after an anchor's name is the anchor's (the nearest noun), unless its
        verb agrees only with the target ("cars next to the building that are red": the cars);
        one attribute, measure or relation, consumed; else None (position unchanged)."""
        if self.peek() not in ("that", "which"):
            return None
        name = self.t[self.i - 1]
        number = _verb_plural(self.peek(1))
        if number is not None and number != (name != lx.singular(name)) \
                and number == self.target_plural:
            return None
        return self.read_for_anchor(heads, lambda: self._clause(heads))

    def _clause(self, heads: Sequence[str]
                ) -> Optional[Tuple[List[Attribute], List[Relation]]]:
        self.i += 1
        self.skip_fillers()
        negated = False
        while self.peek() in ("not", "never"):
            negated = not negated
            self.i += 1
            self.skip_fillers()
        attr = self.attribute(negated)
        more = self.more_colours() if attr is not None and attr.kind == "colour" else []
        if more and negated:   # "buildings that are not red or white": neither
            return [attr] + [Attribute("colour", c, True) for c in more], []
        if more:   # "buildings which are red or white": either
            return [replace(attr, value=" or ".join([attr.value, *more]))], []
        if attr is not None:
            return [attr], []
        measured = self.measures(negated)
        if measured:
            return measured, []
        rel = self.relation(self.groups_of(list(heads)), negated)
        return ([], [rel]) if rel is not None else None

    def read_for_anchor(self, heads: Sequence[str], read: Callable[[], Optional[_T]]
                        ) -> Optional[_T]:
        """What ``read`` reads with ``heads`` as the objects named: a clause after an anchor
        says something of the anchor; None where it reads nothing, and then no trace of a
        reading given up part way (position and notes as they were)."""
        state = self.snapshot()
        target_heads, self.heads = self.heads, tuple(heads)
        try:
            found = read()
        except NotUnderstood:
            found = None
        finally:
            self.heads = target_heads
        if found is None:
            self.restore(state)
        return found

    def mask_part(self) -> Optional[Target]:
        """"the intersection", "a junction", "the roundabout" (:data:`~.lexicon.JUNCTION_NOUNS`):
        the road's junctions; "the bridge" (:data:`~.lexicon.BRIDGE_NOUNS`): the road where it
        crosses water, found in the road's and the water's masks; "dead ends" (:meth:`road_end`):
        where it stops; "the bend" (:data:`~.lexicon.BEND_NOUNS`): where the road's (the
        river's, named after it) course turns sharply; "the island"
        (:data:`~.lexicon.ISLAND_NOUNS`): the ground inside the water's outline; consumed, as a
        target or an anchor; else None (position unchanged)."""
        save = self.i
        self.skip_fillers()
        road = self.vocab.category_named("road")
        if self.peek(1) in lx.ROAD_PART_NOUNS and road is not None and \
                self.vocab.category_named(self.peek() or "") == road:
            self.i += 1   # "the road junction", "a street crossing", "the motorway junction"
        water = self.vocab.category_named("water")
        if road is not None and self.road_end(road):
            return Target((road,), part="end")
        verb = self.peek() in lx.CROSSING_VERBS and self.peek(1) not in (None, ",", *CONJ)
        word = self.peek()
        if word in lx.BEND_NOUNS and road is not None and not verb:
            self.i += 1
            owner = self.owner_named_after((road, water))   # "the bend in the river"
            if owner is None:
                self.i = save
                return None
            self.say(f"'{word}' read as where the {'river' if owner == water else 'road'}'s "
                     f"course found turns by {BEND_TURN_DEG:g} degrees or more within two of "
                     "its widths (a corner, a hairpin; a sweeping curve is none)")
            return Target((owner,), part="bend")
        if word in lx.ISLAND_NOUNS and water is not None and (self.i == 0 or self.t[
                self.i - 1] != "traffic"):   # a traffic island is the road's
            self.i += 1
            if self.owner_named_after((water,)) is None:   # "the island in the road": the
                self.i = save                                # road's
                return None
            self.say(f"'{word}' read as the ground inside the water's outline: a hole in it of "
                     f"at least {ISLAND_MIN_M2:g} m2 (ground the image's edge cuts off is none)")
            return Target((water,), part="island")
        bridge = word in lx.BRIDGE_NOUNS and water is not None
        if (word not in lx.JUNCTION_NOUNS and not bridge) or road is None or verb:   # "the
            self.i = save                                  # road crossing the river": a relation
            return None
        said = "corner" if word.startswith("streetcorner") else word   # tokens.REWRITES
        note = (f"'{word}' read as the road where it crosses water: the road inside the "
                "water's outline, with water on both sides" if bridge else
                f"'{said}' read as the road's junctions: where three or more arms of the road "
                "found meet")
        self.say(note)
        self.i += 1
        return Target((road, water), part="bridge") if bridge else \
            Target((road,), part="junction")

    def owner_named_after(self, owners: Sequence[Optional[str]]) -> Optional[str]:
        """After a part's noun, the object it is part of: "(the island) in the river", "(the
        bend) of the road", consumed, the one of ``owners`` (categories; the first where none
        is named) of its group; None if another object is named there ("the island in the
        road": a traffic island), position unchanged."""
        save = self.i
        if self.peek() in ("that", "which") and self.peek(1) in ("is", "are"):
            self.i += 2   # "the island that is in the lake": in it
            self.skip_fillers()
            if self.peek() not in ("in", "of", "on", "within", "inside"):
                self.i = save
        if self.eat("in", "the", "middle", "of") or any(
                self.eat(w) for w in ("in", "of", "on", "within", "inside")):
            self.skip_fillers()
            found = self.category_here()
            owner = next((o for o in owners if o is not None and found is not None
                          and found[0] != GENERIC
                          and self.vocab.group_of(found[0]) == self.vocab.group_of(o)), None)
            if owner is not None:
                self.i += found[1]   # type: ignore[index]
                return owner
            self.i = save
            return owners[0] if found is None else None
        return owners[0]

    def road_end(self, road: str) -> bool:
        """"dead ends", "the cul-de-sac", "road ends", "the end of the road": where a road
        stops, consumed (with a note); else False (position unchanged)."""
        words = next((p for p in lx.ROAD_END_PHRASES if self.at(*p)), None)
        if words is None:
            return False
        end = self.i + len(words)
        if len(words) == 1:   # "the end of the street": of a road's name
            named = self.category_found_at(self.after_fillers(end + 1) - self.i) \
                if self.peek(1) == "of" else None
            if named is None or named[0] != road:
                return False
            end = self.after_fillers(end + 1) + named[1]
        note = (f"'{' '.join(self.t[self.i:end])}' read as where the road found stops inside "
                "the image (not where it leaves it; where the model stops finding a road is an "
                "end too)")
        self.say(note)
        self.i = end
        return True
