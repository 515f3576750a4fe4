"""Expression text -> :class:`~.plan.Plan`: a small recursive-descent parser over the lexicon.

Grammar (words in :mod:`.lexicon`; fillers such as "the", "that are" are skipped)::

    expression := target (("and" | "or" | ",") (target | postmod+))*   # "... or south of the
                                          # river": the last target's objects again
    target     := premod* head (("and" | "or" | ",") head)* postmod*
    premod     := colour ["roofed"] (("and" | "or" | ",") colour)*   # "red", "red and white"
                | size (("and" | "or") size)* | shape | rank (("and" | "or") rank)* | count
                                                           # "small", "narrow", "long",
                                                           # "the 3 largest", "the widest",
                                                           # "the closest", "the 3" (+ superlative),
                                                           # "the second largest", "the 2nd closest"
                | isolated | clustered | terraced | detached  # to the others of its kind
                | (group | cluster | row ...) of [size]     # "clusters of 5 or more houses"
                | [N] most isolated                        # the farthest from the others
                | northern | southern | eastern | western | central   # its part of the image
                | axis                                     # "north-south", "NE-SW": its
                                                           # long side's direction
    head       := category name, singular or plural         # "cars", "low vegetation"
                | anything | everything | objects | things ...   # every object (a note)
    postmod    := ["and"] ["not"] relation anchor | region | ["not"] attribute
                | ["not"] (in | forming) [a] (group | cluster | row ...) [of size]
                | [ordinal] (furthest | farthest | most) [to the] side | ordinal from the side
                | ["not"] measure | in the (image | scene | map ...)   # the whole extent
                | [ordinal] (closest | nearest | farthest) [to | from] anchor
                | (to | from) anchor
                | (with | whose | that have) [a] roof[s] [is | are] colour
    measure    := [with [a] (area | size | length)] (larger than | over | under | at least ...)
                  N unit | between N and M unit     # m2, ha, acres: area; m, ft: length;
                                                    # wider / narrower than N m: width
    relation   := along | next to | beside | near | far from | surrounded by | between | with
                | without | on | in | touching
                | inside | within N unit of | more than N unit from | north of | left of ...
    anchor     := ["both"] [count] premod* head (("and" | "or") head)*   # "both": each head
    count      := (at least | more than | fewer than | at most ...) N | N [or more | or fewer]
                                        # "with at least 3 cars nearby": that many anchor objects
    region     := (in | at | on | near | around | towards) the
                  (top | bottom | left | right | centre)+ [corner | side] [of the image]
                | along the (top | north ...)+ (edge | side | border) [of the image]

Modifiers bind to the nearest noun: in "red cars and trucks" both heads share "red";
in "red cars and white trucks" each has its own. Anything outside the grammar raises
:class:`NotUnderstood`, and :func:`parse` returns an ``end_to_end`` plan instead.

One function per grammar rule. The rules of a target (read step by step, its postmodifiers
and exceptions) are here; the objects named (heads, anchors, pronouns, a road's parts) in
:mod:`.anchors`, what is said of an object (premodifiers, attributes, roofs) in
:mod:`.modifiers`, ranks (superlatives, ordinals) in :mod:`.ranks`, the image as a place
(regions, its edge) in :mod:`.places`, relations in :mod:`.relation_rules`, quantities
(measures, distances, counts) in :mod:`.quantities`, the position and its helpers in
:mod:`.cursor`: one parser class, built up in the reverse order. A target is read in
steps (:meth:`_Parser.target`): its premodifiers and names, then each postmodifier in turn
(the words joining them, those never negated, then those a negation may precede), then the
checks of what it says as a whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from . import lexicon as lx
from .kinds import by_length
from .cursor import NotUnderstood
from .cursor import number as _number
from .plan import (ALL_BUT, DISTANCE_RANKS, PER_ANCHOR_KINDS, Attribute, Plan, Region,
                   Relation, Target)
from .lexicon import superlative
from .anchors import AnchorRules, clippable
from .modifiers import CONJ, GENERIC
from .ranks import Rank, keeps_one
from .relations import BEARINGS
from .relation_rules import PRONOUNS, default_distance
from .slips import Reading, mend
from .tokens import (aspect_words, facing_words, letter_shapes, rewritten_words, said_readings,
                     tokenize, without_names)

__all__ = ["parse", "target_groups", "tokenize", "NotUnderstood"]

MAX_WORDS = 64  # longer input is not a referring expression; it goes to the model whole
#: relations of overlap: one after another, joined by "and", start a second reading (two places:
#: "on the road and in the parking lot" = either)
_EITHER_AFTER_AND = frozenset({"on", "in", "inside"})
_NEGATED_FORMS = sorted(lx.NEGATED_FORMS, key=len, reverse=True)   # "outside of" first
#: determiners of a singular name that ask for no one object: "a car next to the building
#: closest to the river" is no rank of cars
_ANY_ONE = frozenset({"a", "an", "any", "every", "each"})


@dataclass
class _Reading:
    """One target as read so far: what its :class:`~.plan.Target` will hold, and what the
    reading of one postmodifier leaves for the next."""

    groups: List[str]                 # the lexicon groups of its names (default distances)
    attrs: List[Attribute]
    rank: Optional[Rank]
    count: Optional[int]
    skip: int                         # ranked objects an ordinal passes over
    choices: Dict[str, List[str]]     # alternatives per kind: "red and white cars"
    region: Optional[Region]
    mask_part: Optional[Target]       # "the intersections", "islands": a part found in a mask
    generic: bool                     # a name was "anything", "objects", ...
    plural: bool                      # more than one object asked for
    ranked_before: bool               # the rank came before the name ("the largest building")
    first_word: int
    item: int                         # where the last relation or attribute began
    name_end: int                     # the word after its names
    relations: List[Relation] = field(default_factory=list)
    share: float = 0.0                # the share of the objects the rank keeps ("10 percent")
    last_negated: bool = False        # the last relation or attribute read was negated
    had_none: bool = False            # ... and it was "with no" (of that one thing only)
    clipped: str = ""                 # "the part of the road ...": cut to where it holds


def _anchor_saying(rel: Relation, attributes: Sequence[Attribute] = (),
                   relations: Sequence[Relation] = ()) -> Relation:
    """``rel`` whose anchor says more, what was read after it and is the anchor's ("cars near
    a building larger than 500 m2", "cars near the house with a pool")."""
    anchor = rel.anchor
    return replace(rel, anchor=replace(anchor, attributes=anchor.attributes + tuple(attributes),
                                       relations=anchor.relations + tuple(relations)))


class _Parser(AnchorRules):
    """The grammar's targets, read one after another, and the state the rules below share."""

    def __init__(self, tokens: Sequence[str], vocabulary: lx.Vocabulary) -> None:
        super().__init__(tokens, vocabulary)
        self.last_anchor: Optional[Target] = None   # the target's anchor "it" names
        self.target_choices_read: Dict[str, List[str]] = {}   # ... of the target just read
        #: the words that named the last target's objects ("the large buildings"), read again
        #: where a second reading leaves them out ("... or south of the river")
        self.subject: List[str] = []
        self.roof_colours: List[str] = []     # "with red or brown roofs": the same, of a roof
        self.target_plural = False   # the target being read names more than one object
        self.target_any = False   # ... or any one of them ("a car", "every car")
        self.head_generic = False   # the head just read was "anything", "objects", ...
        self.target_generic = False   # ... the target just read had one
        #: the targets read before this one, each with whether its name was plural, which "it"
        #: and "them" name in an anchor: "the road and the cars on it" (None: one read several
        #: ways, "red and white cars", which no pronoun names)
        self.named_before: List[Tuple[Optional[Target], bool]] = []
        #: the last anchor read began with "each" or "every" ("in each parking lot"), and
        #: where its words began
        self.anchor_each = False
        self.anchor_start = 0

    def expression(self) -> Tuple[Target, ...]:
        targets = last = self.target_choices()
        while self.peek() in CONJ:
            self.i += 1
            self.skip_fillers()
            self.named_before.append((last[0] if len(last) == 1 else None, self.target_plural))
            last = self.region_alternative(last) or self.next_target(last)
            targets = targets + last
        if self.peek() is not None:
            raise self.fail("unexpected word")
        return tuple(dict.fromkeys(targets))   # "north and above the road": one reading

    def region_alternative(self, last: List[Target]) -> Optional[List[Target]]:
        """After "or": another part of the image alone, the last reading again in that part
        ("red cars near the road in the north or in the south": near the road in the south
        too; the second reading was the name alone), consumed; else None."""
        if len(last) != 1 or last[0].region is None or last[0].region.own:   # "the east side
            return None   # of the lake or in the south": no part of the image to swap
        region, end = self.trial(self.region, self.i)
        if region is None or (end < len(self.t) and self.t[end] not in CONJ):
            return None
        self.i = end
        return [replace(last[0], region=region)]

    def next_target(self, last: Sequence[Target] = ()) -> List[Target]:
        """After "and" / "or": new objects ("cars and trucks"), or another reading of the
        last ones whose name the text leaves out: "buildings north of the road or south of
        the river", "cars on the road and in the parking lot" (either: "and near the river"
        stays one reading, :meth:`predicate_follows`) are read as "... or buildings south of
        the river", "... and cars in the parking lot"."""
        state = self.snapshot()
        try:
            return self.target_choices()
        except NotUnderstood as first:
            if not self.subject:
                raise
            self.restore(state)
            self.t[self.i:self.i] = self.subject
            try:
                again = self.target_choices()
            except NotUnderstood:
                raise first from None
            if len(last) != 1:
                return again
            # "buildings in the north near the road or near the river": what was said before
            # the alternative is said of both (the second was the buildings near the river)
            # (a part of the image is the alternative itself where no relation was said:
            # "buildings in the north or near the road")
            before = tuple(last[0].relations[:-1])
            region = last[0].region if last[0].relations else None
            return [replace(t, relations=before + tuple(r for r in t.relations if r not in before),
                            region=t.region or region) for t in again]

    def new_object_follows(self) -> bool:
        """Whether new objects follow the joining word here ("not near the road or cars"),
        rather than more of the last target's relations and attributes."""
        def next_one() -> Target:
            # "the road and the cars on it": "it" names the road's objects, whatever else is
            # said of them
            self.named_before.append((Target(self.heads), self.target_plural))
            return self.target()
        return self.trial(next_one, self.after_fillers(self.i + 1))[0] is not None

    def names_the_one_before(self) -> bool:
        """Whether the object named here is related to an "it" or "them" before the next
        "and" or "or" ("the road and the cars on it": the road), not after a "with" (whose
        "next to them" is the target's own: "buildings with trees next to them")."""
        for word in self.t[self.i:]:
            if word in CONJ or word in lx.HAVING_WORDS:
                return False
            if word in PRONOUNS:
                return True
        return False

    def either_follows(self, item: int) -> bool:
        """After "and": whether two places an object cannot be in at once are joined: a
        relation of overlap after the item read from word ``item`` and after "and" ("on the
        road and in the parking lot"), which most often means either (:meth:`next_target`).
        Not an image region, and not after an attribute or another relation ("and in the
        top left", "with red roofs and on the road", "near the river and in the park":
        both)."""
        return self.overlap_at(item) and self.overlap_at(self.i + 1)

    def possession_follows(self, item: int) -> bool:
        """After "and": whether one more thing the target has follows the item read from word
        ``item`` when that was a "with" ("with a red roof and a pool", "that have a pool and
        red roofs", "with a pool and 2 cars": both had), not new objects. Only a thing named
        with "a"/"an" or a number, a roof's colour, or a bare name that ends the expression
        ("with gardens and pools"): after a bare plural new objects may follow ("with a pool
        and trucks along the road")."""
        nxt = self.word(self.i + 1)
        ahead = self.i + (2 if nxt in ("a", "an") else 1)
        named = self.category_found_at(1)
        bare_end = nxt not in ("a", "an") and named is not None and \
            self.word(self.i + 1 + named[1]) in (None, *CONJ)
        roof = self.word(ahead) in lx.COLOURS and self.word(ahead + 1) in lx.ROOF_NOUNS
        if roof and any(w in lx.ROOF_NOUNS for w in self.t[item:self.i]):
            return False   # "with a red roof and an orange roof": either colour, as before
        while self.word(item) in lx.NEGATION_WORDS - {"without"}:   # "not with a pool and a
            item += 1                                                  # garden": neither
        counted = nxt is not None and _number(nxt) is not None   # "and 2 cars"
        if self.word(item) in lx.HAVING_WORDS and \
                self.trial(self.anchor_quantity, self.i + 1)[0] is not None:
            return True   # "and at least 10 cars": a count of them had (no new object starts so)
        return self.word(item) in lx.HAVING_WORDS and (
            nxt in ("a", "an") or roof or counted or bare_end) and self.new_object_follows()

    def overlap_at(self, j: int) -> bool:
        """Whether a relation of overlap (on, in, inside), not an image region, starts at
        word ``j``."""
        return self.word(j) in _EITHER_AFTER_AND and self.trial(self.region, j)[0] is None

    def target_choices(self) -> List[Target]:
        """One target, or one per colour of "red and white cars" (red cars, or white cars),
        per size of "large and small buildings", per superlative of "the largest and the
        smallest building", and one per category of "anything" (:meth:`each_object`)."""
        target = self.target()
        choices, self.target_choices_read = self.target_choices_read, {}
        targets = self.each_object(target) if self.target_generic else [target]
        for kind in ("colour", "size"):
            if choices.get(kind):
                targets = [t for target in targets
                           for t in _with_values(target, kind, choices[kind])]
        if choices.get("rank"):
            targets = [replace(t, rank=(r, t.rank[1])) for t in targets
                       for r in [t.rank[0], *choices["rank"]]]
        return targets

    def each_object(self, target: Target) -> List[Target]:
        """"anything near the road": every object the model knows but a plain anchor's
        categories (a road is not asked whether it is near the road; "everything except
        buildings" leaves buildings out, and the exception with them; "anything near the
        largest building" keeps the other buildings), one target per category so that each
        keeps its own default distances (a car 3 m from the road, a building 10 m). A rank
        compares the objects of every category: "the largest object" stays one target."""
        plain = {c for r in target.relations if _plain(r.anchor) for c in r.anchor.categories}
        cats = [c for c in target.categories if c not in plain] or list(target.categories)
        parts = [cats] if target.rank is not None else [[c] for c in cats]
        out = []
        for part in parts:
            groups = self.groups_of(part)
            out.append(replace(target, categories=tuple(part), relations=tuple(
                r if r.anchor.categories == target.categories   # "isolated", "each other"
                else self.redistanced(r, groups) for r in target.relations
                if self.concerns(r, groups))))
        return out

    def concerns(self, relation: Relation, groups: Sequence[str]) -> bool:
        """Whether ``relation`` bears on objects of ``groups``: any relation but an exception,
        which concerns its own groups only ("everything except trees": the vegetation but
        the trees, nothing of the buildings; "except red buildings": the buildings)."""
        if not (relation.kind == "is" and relation.negated):
            return True
        return bool(set(groups) & set(self.groups_of(list(relation.anchor.categories))))

    def excepts_after_but(self) -> bool:
        """At "but": whether objects or a rank follow it ("but the road", "but the largest"),
        which it excepts; "but not ..." and "but far from ..." it only joins."""
        save = self.i
        self.i = self.after_fillers(self.i + 1)
        found = self.peek() is not None and (
            self.category_here() is not None or self.exception_follows()
            or superlative(self.peek()) is not None or self.ordinal() is not None
            or (_number(self.peek() or "") is not None and superlative(self.peek(1))))
        self.i = save
        return found

    def exception_follows(self) -> bool:
        """Whether an object's name, after colour, size, shape or superlative words, follows
        here: "except red buildings", "except the largest building" except objects; "except
        red" is an attribute, "except the 3 largest" a rank."""
        j = self.i
        while j < len(self.t) and (self.t[j] in lx.COLOURS or self.t[j] in lx.SHAPE_WORDS or
                                   lx.SIZE_WORDS.get(self.t[j]) in lx.RELATIVE_SIZES or
                                   lx.SIZE_WORDS.get(self.t[j]) in lx.SIZE_RANKS or
                                   self.t[j] in lx.ORDINAL_WORDS or   # "the second largest"
                                   (_number(self.t[j]) is not None and (   # "the largest 3",
                                       j > self.i or self.is_ordinal_at(j)))):   # "the 2nd"
            j += 1 + (self.is_ordinal_at(j) and self.t[j] not in lx.ORDINAL_WORDS)
        return j > self.i and self.category_at(j - self.i)

    def target(self) -> Target:
        reading = self.target_name()
        while True:
            if self.joined(reading):
                continue
            if self.peek() is None or self.peek() in CONJ:
                break
            reading.item = self.i
            if not self.plain_postmod(reading):
                self.negatable_postmod(reading)
        return self.finished(reading)

    def target_name(self) -> _Reading:
        """A target's premodifiers and names: "the 3 largest red cars and trucks"."""
        first_word = self.i
        self.last_anchor = None
        clipped, own_region = self.clipped_part(edges=True)
        edge = clipped in lx.OBJECT_EDGE_NOUNS or clipped in lx.OBJECT_INTERIOR_NOUNS   # "the
        # (southern) edge of the forest", "the interior of the forest"
        p = self.part_premods(own_region)
        attrs, rank, count, skip, choices = p.attrs, p.rank, p.count, p.skip, p.choices
        if choices.get("colour") and rank is not None:   # the largest of the red ones, or
            raise self.fail("a rank over several colours")     # of the white?
        mask_part = None if edge else self.mask_part()   # "the intersections", "islands": a
        heads = list(mask_part.categories) if mask_part is not None else self.head()   # part
        if edge or ((self.peek() in lx.OBJECT_EDGE_NOUNS or self.peek() in   # of a mask;
                     lx.OBJECT_INTERIOR_NOUNS) and self.peek(1) != "of"
                    and mask_part is None and not self.head_generic):   # "the forest edge"
            self.i += 0 if edge else 1   # "the forest edge": the noun after the name
            mask_part = self.edge_of(heads, clipped if edge else self.t[self.i - 1])
            heads, clipped = heads[:1], "edge" if own_region is not None else ""
        generic = self.head_generic = self.head_generic and mask_part is None
        plural = self.t[self.i - 1] != lx.singular(self.t[self.i - 1])   # more than one asked?
        self.target_plural = plural
        self.target_any = self.t[first_word] in _ANY_ONE   # "a car", "every car": not one
        while self.peek() in CONJ and mask_part is None:
            save = self.i
            self.i += 1
            self.skip_fillers()
            if self.category_here() is None or self.names_the_one_before():   # "cars and red
                self.i = save   # trucks", "the road and the cars on it": a new target
                break
            heads += self.head()
            generic = generic or self.head_generic
        self.subject = self.t[first_word:self.i]
        groups = self.groups_of(heads)
        self.heads = tuple(dict.fromkeys(heads))   # the objects "each other" names
        reading = _Reading(groups, attrs, rank, count, skip, choices, p.region, mask_part,
                           generic, plural, ranked_before=rank is not None,
                           first_word=first_word, item=self.i, name_end=self.i,
                           share=p.share, clipped=clipped)
        for kind, size in p.own_kinds:   # to the other objects of its own categories
            reading.relations.append(self.own_kind_relation(kind, size, groups, self.heads))
        if p.along is not None:   # "roadside trees"
            reading.relations.append(self.along_side(p.along, groups))
        if p.owner is not None:   # "the building and its parking lot": next to that building
            if mask_part is not None:
                raise self.fail(f"a {mask_part.part} of its own")
            reading.relations.append(Relation("next_to", p.owner, default_distance(
                "next_to", groups, p.owner, self.vocab)))
        return reading

    def joined(self, r: _Reading) -> bool:
        """The words between two postmodifiers, read (True: look again) or left to them: "but"
        and "and" as fillers, "and" that carries "with" or "without" on ("with a red roof and
        a pool": both had), "or" after a negation ("not next to the road or near the river":
        near neither)."""
        self.skip_fillers(keep=("all", "but"))
        if self.at("but") and not self.excepts_after_but():
            self.i += 1   # "near the road but far from the river": a filler
            return True
        if self.at("but", "no") and self.word(r.item) in lx.HAVING_WORDS:
            self.i += 1   # "with a pool but no garden": without a garden
            return True
        if self.at("no") and self.word(r.item) in lx.HAVING_WORDS and self.peek(1) not in (
                "more", "fewer", "less"):   # "with a garden and no pool": with none
            self.t[self.i:self.i + 1] = ["with", "none"]
        if (self.at("and") or self.at(",")) and self.predicate_follows():
            self.i += 1   # "next to the road and near the river", "buildings, near ..."
            return True
        if self.at("and") and self.possession_follows(r.item):
            self.t[self.i] = "without" if r.last_negated and not r.had_none else "with"
            return True   # "with a red roof and a pool": both had; "without a pool and a
            #               garden": neither; "with no pool and a garden": the garden
        if self.at("and") and not self.new_object_follows() and (
                r.last_negated or not self.either_follows(r.item)):
            self.i += 1   # "with red roofs and in the top left", "on the road and white",
            return True   # "near the road and with cars": both
        if r.last_negated and self.at("or") and not self.new_object_follows():
            self.t[self.i] = "not"   # "not next to the road or near the river": near
            return True              # neither; "not large or small": neither
        return False

    def plain_postmod(self, r: _Reading) -> bool:
        """A postmodifier no negation precedes, read into ``r``: the image's edge or the whole
        image, a rank after the name ("furthest north", "with the largest footprint",
        "closest to the centre", "closest to the river"), a group, a region; else False."""
        edge = self.image_edge(False)
        if edge is not None:   # "at the edge of the image": before "on the image"
            r.attrs.append(edge)
            return True
        if self.whole_image():
            return True
        sided_rank = self.rank_to_a_side(r.rank, r.count, r.skip)
        if sided_rank is not None:   # "the building furthest north", "2nd from the left"
            r.rank, r.skip = sided_rank
            return True
        shared = self.rank_by_share(r.rank, r.count)
        if shared is not None:   # "buildings in the largest 10 percent", "in the largest half"
            r.rank, r.share = shared
            return True
        measured = self.rank_by_a_measure(r.rank, r.count)
        if measured is not None:   # "the building with the largest footprint"
            r.rank, r.ranked_before = measured, True   # (said as "the largest building")
            return True
        said = self.rank_as_predicate(r.rank, r.count)
        if said is not None:   # "the building that is the largest"
            r.rank, r.ranked_before = said, True
            return True
        central = self.rank_to_the_centre(r.rank, r.count, r.skip)
        if central is not None:   # "the building closest to the centre of the image"
            r.rank, r.skip = central   # (before regions: "to the centre" is not one here)
            return True
        owner = self.owner_after_of(r)
        if owner is not None:   # "the garden of the largest house": next to it
            r.relations.append(owner)
            return True
        grouped = self.in_groups()
        if grouped is not None:   # "cars in a row", "houses not in clusters"
            kind, size, negated = grouped
            r.relations.append(replace(self.own_kind_relation(kind, size, r.groups,
                                                              self.heads), negated=negated))
            return True
        found_region = self.region()
        if found_region is not None:
            if r.region is not None:   # "the northern buildings in the south"
                raise self.fail("two parts of the image")
            r.region = found_region
            return True
        nearest = self.distance_rank(r.rank, r.count, r.skip) or self.count_rank(
            r.groups, r.rank, r.count, r.skip)
        if nearest is not None:   # "closest to the river", "with the most cars"
            relation, r.rank, r.skip = nearest
            both = self.both and relation.kind in DISTANCE_RANKS and not relation.each
            r.relations += self.each_anchor(relation, r.groups) if both else [relation]
            return True   # "closest to both the road and the river": to each
        return False

    def owner_after_of(self, r: _Reading) -> Optional[Relation]:
        """"the garden of the largest house", "the parking lot of the school", "the pool of
        each house": right after the name, "of" and a building is its owner, next to which
        the object lies (as "its garden" does), consumed; else None (position unchanged)."""
        between = self.t[r.name_end:self.i]
        if "of" not in between or not all(w in lx.FILLER_WORDS for w in between):
            return None
        def buildings(a: Target) -> bool:   # not "the trees of the park" (in it)
            return not a.part and {self.vocab.group_of(c) for c in a.categories} == {"building"}

        owner = self.attempt(self.anchor, buildings)
        if owner is None:
            return None
        return Relation("next_to", owner, default_distance("next_to", r.groups, owner,
                                                          self.vocab))

    def negatable_postmod(self, r: _Reading) -> None:
        """A postmodifier "not", "but", "except", "without" or "outside" may negate, read into
        ``r``: an exception, an attribute, a region, a measure or a relation; raises if none
        is understood."""
        negated = False
        save = self.i
        if self.eat("but"):   # "everything but the road", "all buildings but the largest"
            negated = True
            self.skip_fillers()
        while self.peek() in lx.NEGATION_WORDS - {"without"}:
            negated = not negated
            self.i += 1
            self.skip_fillers()
        edge = self.image_edge(negated) if negated else None
        if edge is not None:   # "not at the edge of the image": before "outside" is "in"
            r.attrs.append(edge)
            return
        phrase = next((p for p in _NEGATED_FORMS if self.at(*p)), None)
        if phrase is not None:   # "without cars": not with; "outside": not in
            self.t[self.i:self.i + len(phrase)] = [lx.NEGATED_FORMS[phrase]]
            negated = not negated
        r.last_negated, r.had_none = negated, phrase == ("with", "none")
        if not (negated and self.exception(r)) and not self.quality(r, negated):
            self.measure_or_relation(r, negated, save)

    def exception(self, r: _Reading) -> bool:
        """After a negation, the objects left out, read into ``r``: "except the second largest
        (one)", "all buildings except the 3 largest", "vehicles except trucks", "buildings
        except red houses"; else False."""
        objects = self.category_here() is not None or self.exception_follows()
        position = self.excluded_position() if not objects else None
        if position is not None:   # "buildings except the second largest (one)"
            r.relations.append(Relation("is", position, None, True))
            return True
        excluded = self.excluded_rank() if r.rank is None and not objects else None
        if excluded is not None:   # "all buildings except the 3 largest"
            r.rank, r.skip = (excluded[0], ALL_BUT), excluded[1]
            return True
        if not objects:
            return False
        named, anchor = self.last_anchor, self.anchor()
        self.last_anchor = named   # what is left out is no anchor an "it" names
        ranked = anchor.rank is not None and anchor.rank[0] not in DISTANCE_RANKS
        own = set(anchor.categories) <= set(self.heads)
        if ranked and r.rank is None and not r.generic and _plain(replace(anchor, rank=None)) \
                and own and not anchor.rank_skip:   # "buildings except the 3 largest buildings"
            r.rank, r.skip = (anchor.rank[0], ALL_BUT), anchor.rank[1]   # type: ignore[index]
            return True
        if not r.generic and _plain(anchor) and own:   # "trees except palms": a palm is a
            raise self.fail("an exception within one category")   # tree to the lexicon
        r.relations.append(Relation("is", anchor, None, True))
        return True

    def quality(self, r: _Reading, negated: bool) -> bool:
        """What the objects are, read into ``r``: "neither red nor white", "(not) in the top
        left of the image", "(not) white", "with a red roof"; else False."""
        neither = None if negated else self.neither()
        if neither is not None:   # "houses that are neither red nor white"
            r.attrs += neither
            return True
        found_region = self.region()
        if found_region is not None:   # "not in the top left of the image"
            if r.region is not None:   # both parts at once, or either? (it took the second)
                raise self.fail("two parts of the image")
            r.region = replace(found_region, negated=negated)
            return True
        if not negated and self.plain_roof(r.groups):   # "houses with roofs": themselves
            return True
        of_roof = self.peek() in lx.ROOF_COLOUR_WORDS   # "with a red roof"
        attr = self.attribute(negated)
        if attr is None:
            return False
        last = r.relations[-1] if r.relations else None
        if attr.value == "courtyard" and last is not None and set(r.groups) <= \
                lx.HAVING_NOTHING and {self.vocab.group_of(c) for c in last.anchor.categories} \
                == {"building"}:   # "cars next to the building with a courtyard": the
            r.relations[-1] = _anchor_saying(last, attributes=(attr,))   # building's (a car
            return True                                                   # has none)
        if of_roof and attr.kind == "colour" and not negated:   # "white buildings with a red
            r.attrs = self.roof_over_colour(r.attrs, r.choices.pop("colour", []))   # roof": red
        more, self.roof_colours = self.roof_colours, []   # "with red or brown roofs"
        if attr.kind == "colour" and negated:   # "without red or brown roofs",
            more = more or self.more_colours()     # "that are not white or black"
            r.attrs += [Attribute("colour", c, True) for c in more]
        elif attr.kind == "colour" and not any(
                a.kind == "colour" for a in r.attrs):   # "cars that are white or silver"
            r.choices["colour"] = more or self.more_colours()
        r.attrs.append(attr)
        return True

    def measure_or_relation(self, r: _Reading, negated: bool, save: int) -> None:
        """A measure or a relation, read into ``r``: "between 2 and 5 m from the road", "over
        100 m2", "along the north side of the road", "in driveways", "next to the road";
        raises (the position back at ``save``) if neither."""
        band = None if negated else self.distance_band()
        if band is not None:   # before measures: "between 2 and 5 m" is a length too
            r.relations += band
            return
        bounded = self.bounded_direction(negated)
        if bounded is not None:   # before measures: "more than 50 m north of the road" (it was
            r.relations += bounded   # a length) and "within 50 m east of the road"
            return
        start = self.i
        measured = self.measures(negated)
        if measured:
            if not self.anchors_measure(r, measured, start):
                r.attrs += measured
            return
        sided = self.along_side_of(r.groups, negated)
        if sided:   # "along the north side of the road": along it, and north of it
            r.relations += sided
            return
        placed = self.place(r.groups, negated, r.relations)
        if placed is not None:   # "in driveways": next to a building, not on the road
            r.relations = placed
            return
        rel = self.relation(r.groups, negated)
        if rel is None:
            self.i = save
            raise self.fail("no relation or attribute understood")
        rel = self.ranked_per_anchor(rel, r, start)
        if self.both:   # "near both the road and the river": near each
            r.relations += self.each_anchor(rel, r.groups)
        elif self.head_generic and (rel.negated or rel.kind == "far"):   # "far from
            r.relations += self.each_anchor(rel, r.groups, every=True)   # everything": each
        elif not self.had_by_the_anchor(r, rel):
            r.relations.append(rel)
        reach = self.trailing_distance() if rel.kind in BEARINGS and not negated else None
        if reach is not None:   # "east of the road within 50 m": and within 50 m of it
            r.relations.append(Relation("within_m", rel.anchor, reach, False, True))

    def had_by_the_anchor(self, r: _Reading, rel: Relation) -> bool:
        """A "with" (a "without") right after the last relation's anchor, of a target whose
        objects have nothing (:data:`~.lexicon.HAVING_NOTHING`: a car has no pool), put on that
        anchor: "cars near the house with a pool", "cars near the building with many trees";
        else False."""
        if rel.kind != "with" or not r.relations or not set(r.groups) <= lx.HAVING_NOTHING:
            return False
        last = r.relations[-1]
        groups = [self.vocab.group_of(c) for c in last.anchor.categories]
        if last.kind == "is" or last.anchor.part or set(groups) <= lx.HAVING_NOTHING:
            return False
        r.relations[-1] = _anchor_saying(last, relations=(
            self.redistanced(replace(rel, distance_m=None), groups),))
        return True

    def ranked_per_anchor(self, rel: Relation, r: _Reading, start: int) -> Relation:
        """``rel`` keeping the target's own rank for each anchor object on its own where its
        anchor is "each" or "every" one ("the largest car in each parking lot", "the 2
        largest buildings along every road"), or for each side of the anchor's objects where
        its words name the sides ("the largest building on each side of the road"); else
        ``rel``."""
        if r.rank is None or r.rank[0] not in lx.SIZE_RANKS or rel.negated \
                or rel.kind not in PER_ANCHOR_KINDS or rel.min_count is not None:
            return rel
        said = self.t[start:self.anchor_start]
        sides = "side" in said or "sides" in said
        if not (self.anchor_each or sides):
            return rel
        return replace(rel, each=True, sides=sides)

    def anchors_measure(self, r: _Reading, measured: List[Attribute], start: int) -> bool:
        """A measure right after an anchor's name (``start``: where it begins) that no
        object of the target's can have, nor lack, and the anchor's can, put on that anchor:
        "cars near a building larger than 500 m2", "cars on roads wider than 10 m" (said);
        so too, whatever the target's objects reach, one of a thing had ("houses with a pool
        larger than 50 m2") or written before the anchor's name ("next to a 10 m wide road",
        which the tokenizer writes "a road of 10 m wide"); else False ("cars near the road
        longer than 5 m" stay the cars)."""
        def beyond(groups: Sequence[str]) -> bool:   # every group's objects smaller
            limits = [lx.LARGEST_OBJECTS.get(g) for g in groups]
            return bool(groups) and all(
                lim is not None and a.kind in lim and a.amount is not None
                and a.amount > lim[a.kind] for lim in limits for a in measured)

        if not r.relations:
            return False
        j = start
        while j > 0 and (self.t[j - 1] in lx.FILLER_WORDS or self.t[j - 1] == ","):
            j -= 1   # "the buildings where area > 200"
        named = {self.vocab.category_named(" ".join(self.t[k:j])) for k in (j - 1, j - 2)
                 if k >= 0} - {None}
        last = [k for k, rel in enumerate(r.relations) if named & set(rel.anchor.categories)]
        if not last:
            return False
        rel = r.relations[last[-1]]
        # had, or said before the name (not of an exception: "non-building areas of about
        # 500 m2")
        own = rel.kind == "with" or (rel.kind != "is" and self.t[start - 1] == "of")
        if not (own or beyond(r.groups)) or \
                beyond([self.vocab.group_of(c) for c in rel.anchor.categories]):
            return False
        r.relations[last[-1]] = _anchor_saying(rel, attributes=measured)
        anchor = r.relations[last[-1]].anchor
        said = ", ".join(a.text() for a in measured)
        size = {"length": "long", "width": "wide"}.get(measured[0].kind, "large")
        self.notes.append(f"'{said}' read as the {anchor.categories[0]}'s: " + (
            "said of it" if own else f"a {r.groups[0]} is never that {size}"))
        return True

    def finished(self, r: _Reading) -> Target:
        """The target ``r`` holds, once what it says is checked: one rank, an ordinal with its
        order, "closest" with what to; notes on a count without a superlative and on a
        superlative that keeps one object."""
        rank, count, skip = r.rank, r.count, r.skip
        if r.choices.get("colour") and rank is not None:   # the largest of the red ones, or
            raise self.fail("a rank over several colours")     # of the white?
        if self.pending_position is not None:   # "the second building", in what order?
            self.pending_position = None
            raise self.fail("an ordinal without an order")
        if count is not None and rank is None:   # "the 2 buildings next to the road": which 2?
            self.notes.append(f"'{count}' read as every one that matches: a count chooses "
                              f"with a superlative ('the {count} largest')")
        if rank is not None and rank[0] == "nearest" and 1 < rank[1] < ALL_BUT and r.plural \
                and not any(rel.kind == "nearest" for rel in r.relations):   # "the 2 closest
            r.relations.append(Relation("nearest", Target(self.heads)))   # cars": to each other
            self.notes.append(f"'the {rank[1]} closest' read as the {rank[1]} closest to each "
                              "other")
        if rank is not None and rank[0] in DISTANCE_RANKS and not any(
                rel.kind == rank[0] for rel in r.relations):   # "the closest building", to what?
            raise self.fail("closest to what")
        if rank is not None and rank[1] == 1 and count is None and not skip and r.plural \
                and not r.share and not any(rel.each for rel in r.relations):
            self.notes.append(keeps_one(self.t[r.first_word:self.i], r.ranked_before, rank[0]))
        if r.share and (rank is None or rank[0] not in lx.SIZE_RANKS or count is not None
                        or skip or r.choices.get("rank")):   # "the 2nd largest 10 %"?
            raise self.fail("a share with a size rank only")
        if r.clipped and (r.mask_part is not None and r.mask_part.part not in ("edge",
                                                                                "interior") or
                          not clippable(r.relations, r.region, rank)):
            r.clipped = self.unclipped(r.clipped)
        part = r.mask_part.part if r.mask_part is not None else ""
        if r.mask_part is not None and (r.choices.get("colour") or
                                        any(a.kind == "colour" for a in r.attrs)):
            raise self.fail(f"a colour of a {part}")   # a part of a mask has no pixels of its
        self.target_choices_read = r.choices            # own to measure
        self.target_generic = r.generic
        return Target(self.heads, tuple(r.attrs), tuple(r.relations), r.region, rank, skip,
                      rank_share=r.share, part=part, clipped=bool(r.clipped))

UNKNOWN_PREFIX = "?"   # a placeholder category: no tokenised word starts with it


class _TolerantParser(_Parser):
    """The grammar with each run of unknown words read as one unknown object name, where a
    known one would be: what "ships in the harbour" asks for is ships, whatever they are. A
    run followed by a known name is a modifier of it ("blorf road", "rusty roofs"): not read
    (the model may know the object), and neither is anything else outside the grammar."""

    def __init__(self, tokens: Sequence[str], vocabulary: lx.Vocabulary,
                 unknown: FrozenSet[str]) -> None:
        super().__init__(tokens, vocabulary)
        self.unknown = unknown

    def category_here(self) -> Optional[Tuple[str, int]]:
        j = self.i
        while j < len(self.t) and self.t[j] in self.unknown:
            j += 1
        if j == self.i:
            return super().category_here()
        last, first = self.t[j - 1], self.t[self.i]
        if len(last) > 4 and last.endswith(("ed", "en", "ing")):   # "roads hidden by trees": a
            return None                                      # participle, not an object
        if len(first) > 5 and first.endswith("ing") and self._after_name():
            return None   # "the river flowing southward": a participle, not a river's object
        save, self.i = self.i, j
        after = super().category_here()
        self.i = save
        if after is not None and after[0] == GENERIC:   # "blorf things": an unknown kind
            j += 1
        elif after is not None:   # "blorf road": a modifier of a known name, not read
            return None
        return UNKNOWN_PREFIX + " ".join(self.t[self.i:j]), j - self.i

    def _after_name(self) -> bool:
        """Whether an object's name ends just before the position ("river" of "the river
        flowing")."""
        return any(self.vocab.category_named(" ".join(self.t[self.i - n:self.i]))
                   for n in range(1, min(self.i, self.vocab.max_name_words) + 1))

    def groups_of(self, heads: Sequence[str]) -> List[str]:
        """The known heads' groups: an unknown object left out changes no distance."""
        return super().groups_of([h for h in heads if not _is_unknown(h)] or heads)


def _with_values(target: Target, kind: str, values: Sequence[str]) -> List[Target]:
    """``target`` once with its first ``kind`` attribute as it is, and once with each of
    ``values`` instead ("red and white cars": the white ones too)."""
    first = next(a for a in target.attributes if a.kind == kind)
    return [replace(target, attributes=tuple(replace(a, value=v) if a is first else a
                                             for a in target.attributes))
            for v in [first.value, *values]]


def _plain(target: Target) -> bool:
    """Whether ``target`` is its categories and nothing more ("the road", not "the
    largest building" or "the road in the north")."""
    return not (target.attributes or target.relations or target.region or target.rank)


def _is_unknown(category: str) -> bool:
    return category.startswith(UNKNOWN_PREFIX)


def _unknown_objects(text: str, tokens: Sequence[str], vocabulary: lx.Vocabulary,
                     unknown: Tuple[str, ...]) -> Optional[Plan]:
    """The plan when an object the expression names is named only in unknown words: the
    model was never taught it, and asked whole it answers with what it does know (the
    buildings of "the boat near the building"). No target left: ``nothing``; the known
    targets ("cars and ships"): grounded on those; an unknown anchor ("buildings next to the
    ships"): end to end, as before, saying that the relation is the model's guess. None when
    the tolerant grammar does not read it."""
    try:
        targets = _TolerantParser(tokens, vocabulary, frozenset(unknown)).expression()
    except (NotUnderstood, RecursionError):
        return None
    objects = [c[len(UNKNOWN_PREFIX):] for t in targets for c in t.categories if _is_unknown(c)]
    kept = [replace(t, categories=tuple(c for c in t.categories if not _is_unknown(c)))
            for t in targets]
    kept = [t for t in kept if t.categories]
    anchors = [c[len(UNKNOWN_PREFIX):] for t in kept for c in t.all_categories()
               if _is_unknown(c)]
    reason = _not_known(objects)
    if objects and not kept:
        return Plan(text, "nothing", reason=reason, unknown_words=unknown,
                    notes=_nothing_notes(vocabulary))
    if anchors:
        return Plan(text, "end_to_end", reason="words outside the grounding vocabulary",
                    unknown_words=unknown,
                    notes=(f"{_not_known(anchors)}: the relation to it is the model's guess",))
    if objects:
        return Plan(text, "grounded", tuple(kept), unknown_words=unknown,
                    notes=(f"{reason}: left out",))
    return None


def _nothing_notes(vocabulary: lx.Vocabulary) -> Tuple[str, ...]:
    """"no object matches", and what may be asked instead: the objects the model knows."""
    return ("no object matches",
            f"the objects the model knows: {', '.join(vocabulary.every_object)}")


def _not_known(words: Sequence[str]) -> str:
    """"'ships' names no object the model knows" (or "'ships', 'boats' name ...")."""
    words = list(dict.fromkeys(words))
    verb = "names" if len(words) == 1 else "name"
    return f"{', '.join(map(repr, words))} {verb} no object the model knows"


def _outside_use_places(tokens: Sequence[str]) -> FrozenSet[int]:
    """Where a word known only in a place named by its use (:data:`~.lexicon.
    PLACE_ONLY_WORDS`: "industrial", "zone") stands outside one ("the industrial zone" is a
    place; "zone" alone, "industrial" alone are unknown words, as before)."""
    inside = {j for i in range(len(tokens) - 1)
              if (tokens[i], lx.singular(tokens[i + 1])) in lx.USE_PLACES for j in (i, i + 1)}
    return frozenset(i for i, w in enumerate(tokens)
                     if lx.singular(w) in lx.PLACE_ONLY_WORDS and i not in inside)


def _has_content(tokens: Sequence[str], vocabulary: lx.Vocabulary,
                 untaught: FrozenSet[str] = frozenset()) -> bool:
    """Whether some word is known (to the grounding or the model), is not a filler and names
    no object the model was not taught (``untaught``: "trains").

    Deliberately generous: "bright square" has no category but known words, so it goes
    to the model end to end; only text made of unknown words and fillers is "nothing".
    """
    structural = lx.FILLER_WORDS | lx.NEGATION_WORDS | {"and", "or", "to", "of", "from",
                                                         "than", ","}
    return any(w not in structural and w not in untaught and vocabulary.known_word(w)
               and _number(w) is None and lx.singular(w) not in lx.PLACE_ONLY_WORDS
               for w in tokens)


def parse(expression: str, vocabulary: lx.Vocabulary = lx.BASE_VOCABULARY) -> Plan:
    """The plan of one expression, in the lexicon's words and those the model's card adds
    (``vocabulary``, :func:`~.lexicon.vocabulary_of`); never raises for any string. Unknown
    words a slip of the keyboard away from known ones get the expression mended
    (:mod:`.slips`): "did you mean 'buildings next to the road'?"."""
    plan = by_length(_parse(expression, vocabulary), vocabulary)
    slips = mend(plan.expression, plan.unknown_words, partial(_readings, vocabulary=vocabulary),
                 partial(_read if len(plan.expression.split()) <= MAX_WORDS else _unread,
                         vocabulary=vocabulary), mended)
    hints = tuple(dict.fromkeys(slips.values()))
    asked = plan.unknown_words + (tuple(tokenize(str(expression)))   # "unpaved" is known (a
                                  if plan.mode != "grounded" else ())     # land cover's name)
    unmeasured = tuple(f"{w!r} asks for {lx.UNMEASURED_WORDS[w]}" for w in dict.fromkeys(asked)
                       if w in lx.UNMEASURED_WORDS)
    unmeasured += tuple(f"{w!r} asks for the way a roof's slope or a building's front faces, "
                        "which an image from above does not measure"
                        for w in aspect_words(str(expression)))   # "south-facing roofs"
    if plan.mode == "grounded":   # "cars driving on the road": read where they are
        facing = facing_words(str(expression))   # "cars facing north": the axis
        unmeasured += tuple(f"{w!r} read as the axis the vehicle lies along: one image does "
                            "not show which way it faces or moves" for w in facing)
        unmeasured += tuple(f"{w!r} read as not rectangular (its outline fills less of its "
                            "smallest enclosing rectangle than a rectangle does): the shape it "
                            "makes is not told apart" for w in letter_shapes(str(expression)))
        unmeasured += tuple(f"{w!r} read as where they are: one image does not show motion "
                            "(parked ones are kept too)" for w in dict.fromkeys(re.findall(
                                r"[a-z]+", str(expression).lower()))
                            if w in lx.MOTION_WORDS and w not in facing)
    if hints or unmeasured:
        plan = replace(plan, suggestions=hints, corrected=mended(plan.expression, slips),
                       notes=plan.notes + unmeasured)
    return plan


#: words read by the tokenizer's rewrites only ("traffic"): a slip may be meant as one too
_REWRITTEN = rewritten_words()


@lru_cache(maxsize=4096)
def _readings(word: str, vocabulary: lx.Vocabulary) -> Tuple[Tuple[str, float], ...]:
    """The known words an unknown ``word`` may be a slip for (:meth:`~.lexicon.Vocabulary.
    readings`), those the rewrites read among them; remembered, as the dock asks while typing."""
    return vocabulary.readings(word, _REWRITTEN)


def _read(text: str, vocabulary: lx.Vocabulary) -> Reading:
    """How a mended expression reads (:class:`~.slips.Reading`)."""
    plan = by_length(_parse(text, vocabulary), vocabulary)
    return Reading(plan.unknown_words, plan.mode,
                   plan.summary() if plan.mode == "grounded" else "")


def _unread(text: str, vocabulary: lx.Vocabulary) -> Reading:
    """How text longer than :data:`MAX_WORDS` reads, not parsed again (it goes to the model
    whole however it is mended): its unknown words, so each slip takes its likeliest reading."""
    return Reading(tuple(w for w in re.findall(r"[^\W\d_]+", text.lower())
                         if not vocabulary.known_word(w)), "end_to_end", "")


def mended(text: str, slips: Dict[str, str]) -> str:
    """``text`` with each slipped word replaced by what it was meant to be, as typed
    otherwise ("Biuldings next to the raod" -> "Buildings next to the road"); "" when no
    slip stands in it as a word."""
    def meant(match: "re.Match[str]") -> str:
        typed = match.group(0)
        word = slips.get(typed.lower())
        if word is None:   # matched by case folding only ("İ"): left as typed
            return typed
        if typed.isupper() and len(typed) > 1:
            return word.upper()
        return word[:1].upper() + word[1:] if typed[:1].isupper() else word

    if not slips:
        return ""
    pattern = r"(?<![\w'])(" + "|".join(map(re.escape, slips)) + r")(?![\w'])"
    out = re.sub(pattern, meant, text, flags=re.IGNORECASE)
    return out if out != text else ""


def _parse(expression: str, vocabulary: lx.Vocabulary) -> Plan:
    text = " ".join(str(expression).split())
    tokens, untaught = vocabulary.untaught_joined(tokenize(text))
    outside = _outside_use_places(tokens)   # "zone" alone: unknown, as before
    unknown = tuple(dict.fromkeys(w for i, w in enumerate(tokens) if w != "," and (
        w in untaught or not vocabulary.known_word(w) or i in outside)))
    if not _has_content(tokens, vocabulary, untaught):
        return Plan(text, "nothing", reason="no known object word", unknown_words=unknown,
                    notes=_nothing_notes(vocabulary))
    if unknown:
        objects = tuple(w for w in unknown if w not in lx.UNMEASURED_WORDS)   # not "under
        read = _unknown_objects(text, tokens, vocabulary, objects) \
            if objects and len(tokens) <= MAX_WORDS else None   # construction": a condition
        read = read and replace(read, unknown_words=unknown)
        return read or Plan(text, "end_to_end", reason="words outside the grounding vocabulary",
                            unknown_words=unknown)
    if len(tokens) > MAX_WORDS:
        return Plan(text, "end_to_end", reason=f"longer than {MAX_WORDS} words")
    parser = _Parser(tokens, vocabulary)
    try:
        targets = parser.expression()
    except NotUnderstood as exc:
        return Plan(text, "end_to_end", reason=str(exc))
    except RecursionError:  # pragma: no cover - the grammar does not recurse deeply
        return Plan(text, "end_to_end", reason="too deeply nested")
    return Plan(text, "grounded", targets,
                notes=tuple(parser.notes + _use_notes(without_names(text), vocabulary)
                            + said_readings(text)))


def _use_notes(text: str, vocabulary: lx.Vocabulary) -> List[str]:
    """"'hospital' read as any building: ..." for each building named by its use or status
    (:data:`~.lexicon.BUILDING_USES`, :data:`~.lexicon.BUILDING_STATUSES`), and "'secondary
    roads' read as any road: ..." for each road named by its class or surface, in the words
    typed ("the school building" too, which the tokenizer reads as "the building"), not where
    the word begins another object's name ("school bus") nor in a place's name ("Church
    Street": ``text`` comes with the names read)."""
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    def another_name(i: int) -> bool:
        named = vocabulary.category_named(" ".join(tokens[i:i + 2]))
        return named is not None and vocabulary.group_of(named) != "building"

    def building(said: str, kind: str) -> str:
        return f"'{said}' read as any building: a building's {kind} is not seen from above"

    used = (w for i, w in enumerate(tokens)
            if lx.singular(w) in _BUILDING_SAID and not another_name(i))
    notes = [building(w, _BUILDING_SAID[lx.singular(w)]) for w in dict.fromkeys(used)]
    roads = (" ".join(tokens[i:i + 2]) for i, w in enumerate(tokens[:-1])
             if w in _ROAD_SAID and lx.singular(tokens[i + 1]) in ("road", "street"))
    uses = (" ".join(tokens[i:i + 2]) for i, w in enumerate(tokens[:-1])
            if w in lx.BUILDING_USE_WORDS and w not in _BUILDING_SAID
            and lx.singular(tokens[i + 1]) in lx.USE_ADJECTIVE_NOUNS)
    return notes + [f"'{way}' read as any road: a road's {_ROAD_SAID[way.split()[0]]}"
                    for way in dict.fromkeys(roads)] + [building(said, "use")
                                                         for said in dict.fromkeys(uses)]


#: what a use note says of a building's use or status, and of a road's class or surface
_BUILDING_SAID = {**dict.fromkeys(lx.BUILDING_USES, "use"),
                  **dict.fromkeys(lx.BUILDING_STATUSES, "status")}
_ROAD_SAID = {**dict.fromkeys(lx.ROAD_CLASSES, "class is not seen from above"),
              **dict.fromkeys(lx.ROAD_SURFACES, "surface is not told apart")}


@lru_cache(maxsize=4096)
def target_groups(expression: str, vocabulary: lx.Vocabulary = lx.BASE_VOCABULARY
                  ) -> Tuple[str, ...]:
    """The lexicon groups of what ``expression`` asks for, as the parser reads its targets
    ("cars next to the road" -> vehicle; "roofs" -> building), first mention first; empty
    when it does not understand it. The key of a card's operating points and presence
    rules, for the engine and the calibrations alike."""
    return tuple(dict.fromkeys(vocabulary.group_of(c)
                               for t in parse(expression, vocabulary).targets
                               for c in t.categories))
