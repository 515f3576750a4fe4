"""The parser's rules of what is said of an object: premodifiers before its name (colours,
sizes, shapes, counts, its own kind around it, its place in the image, a side word such as
"roadside"), attributes after it ("that are red", "with red roofs"), and roofs.

A mixin of the parser class (:mod:`.parser`), above the ranks (:mod:`.ranks`), places,
relations and quantities, and below the names and anchors (:mod:`.anchors`): it reads the
parser's state (``self.heads``, ``self.named_before``, ...) set by :class:`.parser._Parser`.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from . import lexicon as lx
from .plan import Attribute, Region, Relation, Target
from .ranks import Premods, RankRules
from .relation_rules import default_distance

__all__ = ["ModifierRules", "GENERIC", "CONJ", "POSSESSIVES"]

#: the category :meth:`.anchors.AnchorRules.category_here` returns for "anything", "objects"
#: (no tokenised word is "*"): :meth:`.anchors.AnchorRules.head` reads it as every object the
#: model knows
GENERIC = "*"
CONJ = lx.CONJUNCTIONS
#: before a name, the object read before owns it: "houses and their gardens"
POSSESSIVES = frozenset({"its", "their"})
#: the first words of a relation of distance ("next", "along", "near"): after "with roofs" the
#: relation is the building's ("houses with roofs next to the road")
_NEAR_LEADS = frozenset(p[0] for p, kind in lx.NEAR_WORDS.items() if kind != "with")
#: before a parking lot or a road, how many vehicles it holds: "empty parking lots" hold none,
#: "full" ones many (:data:`~.lexicon.VAGUE_COUNTS`)
_OCCUPANCY = {"empty": "without", "unoccupied": "without",
              "full": f"with {lx.VAGUE_COUNTS['many']}"}


def _scale(attr: Attribute) -> Tuple[str, Optional[str]]:
    """What ``attr`` is measured on: its kind, and a size's measure (area, width). Two values
    on one scale are alternatives ("large and small"), on two scales both ("large and red")."""
    return attr.kind, lx.RELATIVE_SIZES[attr.value][0] if attr.kind == "size" else None


class ModifierRules(RankRules):
    """What is said of an object, before and after its name."""

    def groups_of(self, heads: Sequence[str]) -> List[str]:
        """The lexicon groups of a target's heads: they choose its default distances."""
        return [self.vocab.group_of(h) for h in heads]

    def premods(self, anchor: bool = False) -> Premods:
        """Attributes, a rank ("the 3 largest", "the closest"), a bare count ("the 3
        buildings closest to ...", ranked by the superlative after the noun), the number of
        ranked objects an ordinal passes over ("the second largest": 1), and the rest of
        :class:`~.ranks.Premods`. ``anchor``: read before an anchor's noun, which takes no
        relation of its own but a side word's ("roadside"), so not "empty"'s."""
        p = Premods()
        while True:
            self.skip_fillers()
            word = self.peek()
            if word is None:
                raise self.fail("no object named")
            if self.rank_premod(word, p, anchor) or self.group_premod(word, p, anchor) \
                    or self.place_premod(word, p, anchor):
                continue
            if self.category_here() is not None or word in lx.PART_NOUNS or \
                    self.trial(self.mask_part, self.i)[0] is not None:   # a noun, or
                return p   # "intersections", "dead ends"
            if anchor and word in ("one", "ones") and (p.attrs or p.rank) and self.heads \
                    and not self.head_generic:
                return p   # "than the red one": the target's kind (:meth:`new_anchor`)
            self.attribute_premod(word, p, anchor)

    def group_premod(self, word: str, p: Premods, anchor: bool) -> bool:
        """Before a name, its own kind around it or the object itself named by a group or a
        part of it: "isolated", "clusters of (5 or more)", "the (2) largest clusters of",
        "patches of", "the roof of"; else False."""
        if word in lx.OWN_KIND_WORDS and self.peek(1) != "to":   # not "adjacent to"
            p.own_kinds.append((lx.OWN_KIND_WORDS[word], lx.GROUP_MIN))
            self.i += 1
            return True
        if self.peek(1) != "of" and not (word in lx.OUTLINE_NOUNS and self.peek(1) == "for"):
            return False   # "polygons for the trees" too
        if word in lx.GROUP_NOUNS and not anchor:
            if p.rank is not None and p.rank[0] == "largest" and not p.skip and p.count is None:
                p.own_kinds.append(("largest_group", p.rank[1]))   # "the (2) largest
                p.rank = None                          # cluster(s) of buildings": members
                self.i += 2
                return True
            if p.rank is not None or p.count is not None:   # "clusters of buildings"
                raise self.fail("a rank or count of groups")   # "the 2 largest groups of"
            self.i += 2
            p.own_kinds.append((lx.group_kind(word), self.group_size(word)))
            return True
        if word in lx.COLLECTIVE_NOUNS or word in lx.GROUP_NOUNS:
            # "patches of grass"; an anchor's "next to a row of trees": the objects ("the
            # largest patch of water": the largest water; "the largest row of": of what?)
            if (p.rank is not None or p.count is not None) and word not in lx.COLLECTIVE_NOUNS:
                raise self.fail("a rank or count of groups")
            self.notes.append(f"'{word} of' read as the objects themselves")
            self.i += 2
            return True
        if word in lx.OUTLINE_NOUNS:   # "the footprints (outlines, polygons) of the houses"
            self.notes.append(f"'{word} {self.peek(1)}' read as the objects themselves")
            self.i += 2
            return True
        if word in lx.ROOF_NOUNS and not self.region_at(2):
            # "the roof of the largest building", "tops of trees": from above, an
            # object's roof or top is the object
            self.notes.append(f"'{word} of' read as the objects themselves: seen from "
                              "above, that is their outline")
            self.i += 2
            return True
        return False

    def place_premod(self, word: str, p: Premods, anchor: bool) -> bool:
        """Before a name, where its objects are: "the northern road", "houses and their
        gardens" (next to the houses), "roadside trees", "empty parking lots" (without
        vehicles); else False."""
        if word in lx.REGION_ADJECTIVES and self.peek(1) not in ("of", "side", "part"):
            p.region = Region(*lx.REGION_ADJECTIVES[word])   # "the northern road"
            self.i += 1
            return True
        if word in POSSESSIVES and not anchor and self.named_before:   # "houses and
            p.owner = self.antecedent()   # their gardens": the gardens next to them
            return True
        side = self.side_anchor(word)
        if side is not None:   # "roadside trees", "street trees": along the road
            p.along = side   # an anchor's too: "cars near roadside trees"
            return True
        found = self.category_found_at(1) if word in _OCCUPANCY else None
        if found and self.vocab.group_of(found[0]) == "road":   # "empty parking lots":
            if anchor:                           # without vehicles, which an anchor
                raise self.fail(f"'{word}' on an anchor")   # cannot carry; "full
            n = found[1]                                     # parking lots": many
            said = _OCCUPANCY[word]
            self.t[self.i:self.i + 1 + n] = self.t[self.i + 1:self.i + 1 + n] + \
                said.split() + ["vehicles"]
            self.notes.append(f"'{word}' read as {said} vehicles")
            return True
        return False

    def attribute_premod(self, word: str, p: Premods, anchor: bool) -> None:
        """A colour, a size or a shape before a name, with its alternatives ("red and white
        cars", "large and small buildings"), read into ``p``; raises if none."""
        negated = word in ("non", "not") and self.peek(1) is not None   # "non-red cars"
        if negated:
            self.i += 1
        attr = self.attribute(negated)
        if attr is None:
            raise self.fail("no object named")
        p.attrs.append(attr)
        if attr.kind == "colour" and not any(a.kind == "colour" for a in p.attrs[:-1]):
            p.choices["colour"] = self.more_colours()
        if attr.kind == "size" and not anchor and not attr.negated \
                and not any(a.kind == "size" for a in p.attrs[:-1]):
            p.choices["size"] = self.more_sizes(attr)
        if self.peek() == "and" and self.other_measure_at(1, attr):   # "long and narrow
            self.i += 1                                              # trucks": both

    def side_anchor(self, word: str) -> Optional[str]:
        """The category "roadside", "riverside" (:data:`~.lexicon.SIDE_WORDS`) or a road or
        water name ("street trees") places the object named next along, consumed; else None
        (position unchanged)."""
        if word in lx.SIDE_WORDS and self.category_at(1):
            self.i += 1
            return self.vocab.category_named(lx.SIDE_WORDS[word])
        found = self.category_here()
        if found is None or found[0] == GENERIC or \
                self.vocab.group_of(found[0]) not in lx.SIDE_GROUPS:
            return None
        then = self.category_found_at(found[1])
        if then is None or then[0] == GENERIC or \
                self.vocab.group_of(then[0]) == self.vocab.group_of(found[0]):
            return None
        self.i += found[1]
        return found[0]

    def along_side(self, category: str, groups: Sequence[str]) -> Relation:
        """"along" the ``category`` a side word named (:meth:`side_anchor`), at the default
        distance of ``groups`` to it."""
        side = Target((category,))
        return Relation("along", side, default_distance("along", groups, side, self.vocab))

    def more_colours(self) -> List[str]:
        """The colours of "red and white" / "red, white or blue" after the first; [] if none."""
        found: List[str] = []
        while self.peek() in CONJ and self.peek(1) in lx.COLOURS:
            self.i += 2
            found.append(self.blend(self.t[self.i - 1]))
            self.skip_fillers()
        return found

    def more_sizes(self, first: Attribute) -> List[str]:
        """The sizes of "large and small" / "small or medium" after the first, on its measure
        (area, width; "large and narrow" is both, not either); [] if none."""
        found: List[str] = []
        while self.peek() in CONJ:
            save = self.i
            self.i += 1
            other = self.attribute(False)
            if other is None or _scale(other) != _scale(first) \
                    or other.value in [first.value, *found]:
                self.i = save
                break
            found.append(other.value)
        return found

    def other_measure_at(self, k: int, attr: Attribute) -> bool:
        """Whether an attribute of another kind or measure than ``attr`` begins ``k`` words
        on ("large and red cars", "long and narrow trucks"; not "large and small")."""
        other = self.trial(lambda: self.attribute(False), self.i + k)[0]
        return other is not None and _scale(other) != _scale(attr)

    def attribute(self, negated: bool) -> Optional[Attribute]:
        word = self.peek()
        if word is None:
            return None
        if word in lx.ROOF_COLOUR_WORDS:   # "with an area over 100 m2" is measure's
            return self.roof_colour(negated)
        axis = self.axis()
        if axis is not None:   # "north-south": the two compass words of an axis
            return Attribute("orientation", axis, negated)
        if word in lx.COMPARATIVE_WORDS and self.peek(1) not in ("than", "of"):   # "larger
            self.i += 1                   # cars", "darker cars": than their kind's mean
            return Attribute(*lx.COMPARATIVE_WORDS[word], negated)
        very = word == "very" and self.peek(1) is not None   # "very large", "very long"
        if very:
            word = self.peek(1)
            if not ("very " + lx.SIZE_WORDS.get(word, "") in lx.RELATIVE_SIZES
                    or lx.SHAPE_WORDS.get(word) == "long"):
                return None
            self.i += 1
        if word in lx.COLOURS:
            kind, value = "colour", word
        elif lx.SIZE_WORDS.get(word) in lx.RELATIVE_SIZES:   # "small", "narrow"
            kind, value = "size", lx.SIZE_WORDS[word]
        elif word in lx.SHAPE_WORDS:
            kind, value = "shape", lx.SHAPE_WORDS[word]
        else:
            return None
        if word in ("left", "right"):
            return None
        if very:   # "very large": the sixth of its category; "very long": longer
            value = "very " + value
        self.i += 1
        if kind == "colour":
            value = self.blend(value)
        self.eat("coloured") or self.eat("colored") or self.eat("in", "colour") \
            or (kind == "colour" and self.eat("roofed")) \
            or (kind == "shape" and self.eat("shaped")) \
            or (kind == "size" and (self.eat("sized") or self.eat("size")))  # "medium-sized"
        return Attribute(kind, value, negated)

    def blend(self, colour: str) -> str:
        """"red" and a second hue name right after it ("red brown", from "red-brown",
        "reddish brown", "rusty"): the hues between, "red-brown" (:func:`~.colour.colour_range`),
        consumed; a shade before a colour ("light grey", "dark blue", from "navy"): one colour,
        both (:func:`~.colour.has_colour`), so that "white or light grey" is white, or light
        grey; else ``colour``."""
        second = self.peek() or ""
        if colour in lx.SHADES and second in lx.COLOURS and second not in lx.SHADES:
            self.i += 1
            return f"{colour} {self.blend(second)}"
        if not (lx.is_hue(colour) and lx.is_hue(second)) or second == colour:
            return colour
        self.i += 1
        return f"{colour}-{second}"

    def axis(self) -> Optional[str]:
        """The axis two compass words here name ("north south", "west east": what
        :func:`~.tokens.tokenize` leaves of "running north-south"), or "diagonal" (either
        diagonal axis), consumed; else None."""
        first, second = self.peek(), self.peek(1)
        if first in lx.DIAGONAL_WORDS and second != "to":   # "diagonal roads": either
            # diagonal ("diagonally to the street" is at an angle to it)
            self.i += 1
            return "diagonal"
        if first not in lx.COMPASS_BEARINGS or second not in lx.COMPASS_BEARINGS or \
                first == second or lx.COMPASS_BEARINGS[first] != lx.COMPASS_BEARINGS[second]:
            return None
        self.i += 2
        return lx.AXIS_NAMES[lx.COMPASS_BEARINGS[first]]

    def neither(self) -> Optional[List[Attribute]]:
        """"neither red nor white": both negated; None (position unchanged) if not that."""
        save = self.i
        if not self.eat("neither"):
            return None
        first = self.attribute(True)
        second = self.attribute(True) if first is not None and self.eat("nor") else None
        if second is None:
            self.i = save
            return None
        return [first, second]  # type: ignore[list-item]

    def roof_over_colour(self, attrs: List[Attribute], others: Sequence[str]
                         ) -> List[Attribute]:
        """``attrs`` without the colours said before a roof's, ``others`` their alternatives
        ("white buildings with a red roof", "red and white houses with blue roofs"): seen from
        above, a building's colour is its roof's; a note says which are left out."""
        said = [a.value for a in attrs if a.kind == "colour" and not a.negated] + list(others)
        if said:
            self.notes.append(f"{' and '.join(repr(c) for c in said)} left out: from above a "
                              "building is seen as its roof, whose colour is said")
        return [a for a in attrs if not (a.kind == "colour" and not a.negated)]

    def plain_roof(self, groups: Sequence[str]) -> bool:
        """"houses with roofs", "buildings that have a roof": seen from above a building is
        its roof, so the buildings themselves, consumed with a note; else False (position
        unchanged: "with red roofs", "with roofs larger than 100 m2" say more of it)."""
        j = self.i
        if self.word(j) not in lx.HAVING_WORDS or set(groups) != {"building"}:
            return False
        j = self.after_fillers(j + 1)
        j += self.word(j) in ("its", "their")
        after = self.word(j + 1)
        if self.word(j) not in lx.ROOF_NOUNS or not (
                after is None or after in CONJ or after in _NEAR_LEADS):
            return False
        self.notes.append(f"'{self.word(j)}' read as the buildings themselves: from above, a "
                          "building is its roof")
        self.i = j + 1
        return True

    def roof_colour(self, negated: bool) -> Optional[Attribute]:
        """"with red roofs", "with a blue roof", "with its red roof", "that have a red roof",
        "whose roof is red": the object's colour."""
        save = self.i
        self.i += 1
        self.skip_fillers()
        self.eat("its") or self.eat("their")
        colour, start = self.peek(), self.i
        if colour in lx.COLOURS:   # "with red roofs", "with red or brown roofs"
            self.i += 1
            colour = self.blend(colour)   # "with red-brown roofs"
            more = self.more_colours()
            if self.peek() in lx.ROOF_NOUNS:
                self.i += 1
                self.roof_colours = more
                return Attribute("colour", colour, negated)
            self.i = start
        if self.peek() in lx.ROOF_NOUNS:   # "whose roof is red", "with roofs that are red"
            self.i += 1
            self.skip_fillers()
            if self.eat("not"):   # "whose roofs are not red"
                negated = not negated
            if self.peek() in lx.COLOURS:
                self.i += 1
                return Attribute("colour", self.blend(self.t[self.i - 1]),
                                 negated)
        self.i = save
        return None
