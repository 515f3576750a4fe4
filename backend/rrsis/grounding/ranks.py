"""Grammar rules of ranks: the superlatives and ordinals that keep some of the objects
("the 3 largest", "the second closest to the road", "with the most cars", "the building
furthest north", "closest to the centre of the image", "except the 3 largest"). Part of the
one parser (:mod:`.parser`).

A rank is a pair (what orders the objects, how many are kept): ("largest", 3); the objects an
ordinal passes over come with it ("the 2nd closest": skip 1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from . import lexicon as lx
from .lexicon import superlative
from .cursor import NotUnderstood
from .cursor import number as _number
from .plan import ALL_BUT, COUNT_RANKS, DISTANCE_RANKS, Attribute, Region, Relation, Target
from .places import PlaceRules
from .relation_rules import default_distance

__all__ = ["RankRules", "Rank", "Premods", "superlative", "keeps_one"]

#: what orders the objects, and how many of them are kept: ("largest", 3)
Rank = Tuple[str, int]


@dataclass
class Premods:
    """What is read before a name: attributes, a rank, a bare count ("the 3 buildings closest
    to ..."), and the ranked objects an ordinal passes over ("the second largest": 1); and
    what the target or anchor named after them takes from them."""

    attrs: List[Attribute] = field(default_factory=list)
    rank: Optional[Rank] = None
    count: Optional[int] = None
    skip: int = 0
    share: float = 0.0                 # "the largest 10 percent of": the share the rank keeps
    #: "isolated", "clusters of", "the most isolated": relations to the object's own kind,
    #: (kind, group size)
    own_kinds: List[Tuple[str, int]] = field(default_factory=list)
    #: alternatives per kind ("colour", "size", "rank"): "red and white cars", "large and
    #: small buildings" (sizes on the first one's measure), "the largest and the smallest
    #: building": the values after the first
    choices: Dict[str, List[str]] = field(default_factory=dict)
    region: Optional[Region] = None    # "the northern road"
    along: Optional[str] = None        # "roadside trees": along the road
    owner: Optional[Target] = None     # "houses and their gardens": the houses


_EACH_OTHER_NOTE = "'closest to each other' keeps the closest pair; a count keeps more " \
    "('the 4 ... closest to each other')"


class RankRules(PlaceRules):
    """Superlatives and ordinals, read before or after an object's name."""

    def __init__(self, tokens: Sequence[str], vocabulary: lx.Vocabulary) -> None:
        super().__init__(tokens, vocabulary)
        #: "the second building from the left": the ordinal before the noun, whose order
        #: comes after it (:meth:`rank_to_a_side`)
        self.pending_position: Optional[int] = None

    def rank_premod(self, word: str, p: Premods, anchor: bool) -> bool:
        """An ordinal, a count, a superlative or a share before a name, read into ``p``: "the
        second largest", "the 3 largest", "the largest 3", "the (3) most isolated", "the
        largest 10 percent of"; else False."""
        ordinal = self.ordinal()
        if ordinal is not None:   # "the second largest"; "the 2nd closest ... to"
            position, words = ordinal
            if p.rank is not None or p.count is not None:
                raise self.fail("one rank at a time")
            after = superlative(self.peek(words))
            if after is not None:
                p.rank, p.skip = (after, 1), position - 1
                self.i += words + 1
                return True
            if not anchor and self.category_at(words):   # "the second building from
                self.pending_position = position - 1      # the left"
                self.i += words
                return True
        if word == "top" and _number(self.peek(1) or "") is not None:   # "the top 5 ..."
            self.i += 1
            return True
        if word == "most" and lx.OWN_KIND_WORDS.get(self.peek(1) or "") == "isolated" \
                and not anchor:   # "the (3) most isolated buildings": the farthest from
            if p.rank is not None:   # the others of their kind
                raise self.fail("one rank at a time")
            p.rank, p.count = ("farthest", p.count or 1), None
            p.own_kinds.append(("farthest", 0))
            self.i += 2
            return True
        n = _number(word)
        nxt = self.peek(1)
        asked = superlative(nxt) if nxt is not None else None
        if n is not None and nxt == "most":   # "the 3 most isolated": counted below
            p.count = int(n) if n == int(n) and 1 <= n < ALL_BUT else None
            if p.count is None:
                raise self.fail("a count must be a whole number")
            self.i += 1
            return True
        if n is not None and (asked or self.category_at(1) or self.described_name_at(1)):
            if n < 1 or n != int(n) or n >= ALL_BUT:   # ALL_BUT marks "all but the N"
                raise self.fail("a count must be a whole number")
            if asked:
                if p.rank is not None:   # "the smallest of the 3 largest": of the ranked ones
                    raise self.fail("one rank at a time")
                p.rank = (asked, int(n))
                self.i += 2
            elif p.rank is not None and p.rank[1] == 1 and not p.skip:   # "the largest 3"
                p.rank = (p.rank[0], int(n))
                self.i += 1
            else:
                p.count = int(n)
                self.i += 1
            return True
        said = superlative(word)
        if said:
            if p.rank is not None:   # "the largest of the darkest buildings"
                raise self.fail("one rank at a time")
            p.rank = (said, 1)
            self.i += 1
            if lx.ranks_by_colour(said):   # "the lightest coloured roof"
                self.eat("coloured") or self.eat("colored")
            if not anchor and said not in DISTANCE_RANKS:
                p.choices["rank"] = self.more_ranks()
            share = self.share() if said in lx.SIZE_RANKS and not p.count else None
            if share is not None:   # "the largest 10 percent of the buildings"
                p.share = share
            return True
        share = self.share() if p.rank is None and p.count is None else None
        if share is not None:   # "the 10 percent largest buildings"
            p.share = share
            if superlative(self.peek()) not in lx.SIZE_RANKS:
                raise self.fail("a share of what rank")
            return True
        return False

    def described_name_at(self, k: int, most: int = 3) -> bool:
        """Whether ``k`` words on, a few colours, sizes or shapes come before a name ("2 red
        cars", "3 large white buildings"): a count of what they describe."""
        for j in range(k, k + most + 1):
            if self.category_at(j):
                return j > k
            w = self.peek(j)
            if w is None or not (w in lx.COLOURS or w in lx.SHAPE_WORDS or w in ("and", "or")
                                 or w in lx.SIZE_WORDS and superlative(w) is None):
                return False
        return False

    def is_ordinal_at(self, j: int) -> bool:
        """Whether word ``j`` begins an ordinal: "second", "2nd"."""
        save, self.i = self.i, j
        found = self.ordinal() is not None
        self.i = save
        return found

    def share(self, alone: bool = False) -> Optional[float]:
        """The share of the objects said here, consumed: "10 percent" (0.1), "half of" (0.5),
        "third of"; ``alone``: a fraction without "of" too ("in the largest half"); else None
        (position unchanged)."""
        n = _number(self.peek() or "")
        if n is not None and self.peek(1) == "percent":
            if not 0 < n <= 100:
                raise self.fail("a share between 0 and 100 percent")
            self.i += 2
            return n / 100.0
        if self.peek() in lx.SHARE_WORDS and (alone or self.peek(1) == "of"):
            self.i += 1
            return lx.SHARE_WORDS[self.t[self.i - 1]]
        return None

    def rank_by_share(self, rank: Optional[Rank], count: Optional[int]
                      ) -> Optional[Tuple[Rank, float]]:
        """"in the largest 10 percent", "among the smallest half", "in the largest third of
        the buildings": the size rank and the share it keeps, consumed; else None (position
        unchanged)."""
        save = self.i
        if not (self.eat("in") or self.eat("among")):
            return None
        self.skip_fillers()
        what = superlative(self.peek())
        if what is None or what not in lx.SIZE_RANKS:
            self.i = save
            return None
        self.i += 1
        share = self.share(alone=True)
        if share is None:
            self.i = save
            return None
        if rank is not None or count is not None:
            raise self.fail("one rank at a time")
        if self.eat("of"):   # "of the buildings", "of them": the target's own
            self.skip_fillers()
            self.own_category_here() or self.eat("them") or self.eat("those")
        return (what, 1), share

    def excluded_rank(self) -> Optional[Rank]:
        """After "except": ("largest", 3) for "the 3 largest (ones|buildings)", consumed;
        else None and nothing consumed. Only a size rank: "except the closest" needs an
        anchor this position cannot give."""
        save = self.i
        self.skip_fillers()
        n = _number(self.peek() or "")
        if n is not None:
            self.i += 1
        what = superlative(self.peek())
        if what is None or what in DISTANCE_RANKS or (n is not None and n < 1):
            self.i = save
            return None
        self.i += 1
        after = _number(self.peek() or "")
        if n is None and after is not None and after >= 1:   # "except the largest 3"
            n = after
            self.i += 1
        # "... except the largest building", "the largest ones"
        self.own_category_here() or self.eat("ones") or self.eat("one")
        return what, int(n or 1)

    def excluded_position(self) -> Optional[Target]:
        """After "except": the target's object at that position of a size rank, for "the
        second largest (one)", consumed; else None and nothing consumed ("the 2nd largest
        building" names its objects: :meth:`anchor` reads it)."""
        save = self.i
        self.skip_fillers()
        ordinal = self.ordinal()
        what = superlative(self.peek(ordinal[1])) if ordinal is not None else None
        if what is None or what in DISTANCE_RANKS:
            self.i = save
            return None
        self.i += ordinal[1] + 1   # type: ignore[index]
        self.eat("ones") or self.eat("one")
        return Target(self.heads, rank=(what, 1), rank_skip=ordinal[0] - 1)   # type: ignore

    def more_ranks(self) -> List[str]:
        """The superlatives of "the largest and (the) smallest" after the first (sizes and
        positions, not distances: "the closest and farthest to what" stays one reading); []
        if none."""
        found: List[str] = []
        while self.peek() in lx.CONJUNCTIONS:
            j = self.i + 1 + (self.peek(1) == "the")
            other = superlative(self.word(j))
            if other is None or other in DISTANCE_RANKS:
                break
            found.append(other)
            self.i = j + 1
        return found

    def ordinal(self) -> Optional[Tuple[int, int]]:
        """(position, words) of an ordinal here: "second" (2, 1), "3rd" (3, 2), else None."""
        word = self.peek()
        if word in lx.ORDINAL_WORDS:
            return lx.ORDINAL_WORDS[word], 1
        n = _number(word or "")
        if n is not None and n == int(n) and n >= 1 and self.peek(1) in lx.ORDINAL_SUFFIXES:
            return int(n), 2
        return None

    def distance_rank(self, rank: Optional[Rank], count: Optional[int], skip: int
                      ) -> Optional[Tuple[Relation, Rank, int]]:
        """"closest to the river", "nearest the road", "farthest from the building", "second
        closest to the road", or the "to the river" of "the closest building to the river":
        the relation that orders the objects, the rank that keeps the first (or the counted)
        ones, and the ranked objects an ordinal passes over."""
        save = self.i
        ordinal = self.ordinal()
        if ordinal is not None and self.peek(ordinal[1]) in lx.DISTANCE_SUPERLATIVES:
            if rank is not None or count is not None:
                raise self.fail("one rank at a time")
            self.i += ordinal[1]
            skip = ordinal[0] - 1
        word = self.peek()
        if word in lx.DISTANCE_SUPERLATIVES:
            if rank is not None and rank[0] not in DISTANCE_RANKS:
                raise self.fail("one superlative at a time")
            kind = lx.DISTANCE_SUPERLATIVES[word]
            self.i += 1
            n = count or (rank[1] if rank else 1)
        elif rank is not None and rank[0] in DISTANCE_RANKS and self.peek() in ("to", "from"):
            kind, n = rank
        else:
            return None
        self.eat("to") or self.eat("from")
        each = self.peek() in ("each", "every") and self.peek(1) not in ("other", "another")
        try:
            anchor = self.anchor()
        except NotUnderstood:
            self.i = save
            raise
        if kind == "nearest" and n == 1 and count is None and not skip and self.word(
                self.i - 1) in ("other", "another") and anchor == Target(self.heads):
            n = 2   # "cars closest to each other": two at least, the closest pair
            self.notes.append(_EACH_OTHER_NOTE)
        return Relation(kind, anchor, each=each), (kind, n), skip

    def count_rank(self, groups: List[str], rank: Optional[Rank],
                   count: Optional[int], skip: int
                   ) -> Optional[Tuple[Relation, Rank, int]]:
        """"with the most cars", "that has the fewest trees around it": the relation that
        orders the objects by their anchor objects within reach (a "with" distance, or that of
        the relation back to the target: "around it" is near), the rank that keeps the first
        (or the counted: "the 3 roads with the most cars"); else None (position unchanged)."""
        save = self.i
        if not any(self.eat(w) for w in lx.HAVING_WORDS):
            return None
        self.eat("the")
        word = self.peek()
        if word not in ("most", "fewest", "least"):
            self.i = save
            return None
        if rank is not None:
            raise self.fail("one rank at a time")
        self.i += 1
        kind = "most" if word == "most" else "fewest"
        anchor = self.anchor()
        reach = self.back_to_target() or "with"   # "around it": near
        distance = default_distance(reach if reach != "next_to" else "with", groups, anchor,
                                    self.vocab)
        return Relation(kind, anchor, distance), (kind, count or 1), skip

    def rank_by_a_measure(self, rank: Optional[Rank], count: Optional[int]
                          ) -> Optional[Rank]:
        """"with the largest footprint", "that has the smallest roof", "whose area is the
        largest": the rank by that measure (the superlative's own: "the largest"), consumed;
        else None (position unchanged)."""
        save = self.i
        whose = self.eat("whose")
        if not whose and not any(self.eat(w) for w in lx.HAVING_WORDS):
            return None
        self.eat("the")
        if whose and (self.peek() in lx.SIZE_NOUNS or self.peek() in lx.ROOF_NOUNS):
            self.i += 1
            self.skip_fillers()   # "is the"
        what = superlative(self.peek())
        if what is None or (not whose and not (self.peek(1) in lx.SIZE_NOUNS
                                               or self.peek(1) in lx.ROOF_NOUNS)):
            self.i = save
            return None
        if rank is not None:
            raise self.fail("one rank at a time")
        self.i += 1 if whose else 2
        return what, count or 1

    def rank_as_predicate(self, rank: Optional[Rank], count: Optional[int]) -> Optional[Rank]:
        """"the building that is the largest", "which car is darkest", "the houses that are
        the 3 brightest": a rank said of the objects after "is" or "are", consumed; else None
        (position unchanged). Only a rank of :data:`~.lexicon.SIZE_RANKS`: "is the closest to"
        has an anchor (:meth:`distance_rank`)."""
        j = self.i - 1
        while self.word(j) == "the":
            j -= 1
        if self.word(j) not in ("is", "are", "be"):
            return None
        n = _number(self.peek() or "")
        what = superlative(self.peek(0 if n is None else 1))
        if what not in lx.SIZE_RANKS or (n is not None and (n < 1 or n != int(n))):
            return None
        if rank is not None:
            raise self.fail("one rank at a time")
        self.i += 1 if n is None else 2
        return what, int(n) if n is not None else count or 1

    def rank_to_a_side(self, rank: Optional[Rank], count: Optional[int],
                       skip: int) -> Optional[Tuple[Rank, int]]:
        """"furthest north", "farthest to the east (of the image)", "most to the left", "(2nd)
        from the left", "(the first) on the left" after an ordinal: the rank by the centre's
        northing or easting (the building furthest north is the northernmost) and the ranked
        objects passed over, consumed; else None (position unchanged: "furthest north of the
        river" has an anchor)."""
        save = self.i
        ordinal = self.ordinal()
        if ordinal is not None:
            self.i += ordinal[1]
        position = ordinal[0] - 1 if ordinal is not None else self.pending_position
        if self.peek() in ("furthest", "farthest", "most"):
            self.i += 1
            self.eat("to") or self.eat("towards")
        elif self.peek() in ("from", "on") and position is not None:   # "2nd from the left",
            self.i += 1                                     # "the first building on the left"
        else:
            self.i = save
            return None
        self.eat("the")
        side = lx.SIDE_SUPERLATIVES.get(self.peek() or "")
        if side is None or (self.peek(1) == "of" and not self.region_at(2)):
            self.i = save
            return None
        self.i += 1
        if self.eat("of"):
            self.skip_fillers()
            self.i += 1   # the image, the scene, ...
        if rank is not None or (ordinal is not None and self.pending_position is not None):
            raise self.fail("one rank at a time")
        self.pending_position = None
        return (side, count or 1), position if position is not None else skip

    def rank_to_the_centre(self, rank: Optional[Rank], count: Optional[int],
                           skip: int) -> Optional[Tuple[Rank, int]]:
        """"(the 2nd) closest to the centre (of the image)", "farthest from the middle", or
        the "to the centre" of "the closest building to the centre": the rank by the object
        centre's distance to the extent's ("most central", "least central"), consumed; else
        None (position unchanged: "closest to the centre of the road" has an anchor)."""
        save = self.i
        ordinal = self.ordinal()
        if ordinal is not None:
            self.i += ordinal[1]
            skip = ordinal[0] - 1
        word = self.peek()
        if word in lx.DISTANCE_SUPERLATIVES:
            kind = lx.DISTANCE_SUPERLATIVES[word]
            n = count or (rank[1] if rank else 1)
            self.i += 1
        elif rank is not None and rank[0] in DISTANCE_RANKS and ordinal is None:
            kind, n = rank   # "the closest building to the centre"
        else:
            self.i = save
            return None
        self.eat("to") or self.eat("from")
        if self.edge_named():   # "the building closest to the image edge": the outermost
            if rank is not None and rank[0] not in DISTANCE_RANKS:
                raise self.fail("one rank at a time")
            return ("outermost" if kind == "nearest" else "innermost", n), skip
        self.eat("the")
        self.eat("image") or self.eat("scene") or self.eat("map")   # "the image centre"
        corner = self.image_corner()
        if corner is None and not (self.eat("centre") or self.eat("center")
                                   or self.eat("middle")):
            self.i = save
            return None
        if self.at("of") and not self.region_at(1):   # "the centre of the road": an object
            self.i = save
            return None
        if self.eat("of"):
            self.skip_fillers()
            self.i += 1   # the image, the scene, ...
        if (rank is not None and rank[0] not in DISTANCE_RANKS) or \
                (ordinal is not None and (rank is not None or count is not None)):
            raise self.fail("one rank at a time")
        if corner is not None:   # "closest to the top left corner": the northwesternmost
            words, towards = corner
            ranked = (towards if kind == "nearest" else lx.OPPOSITE_POINTS[towards]) + "ernmost"
            said, way = ("closest to", "towards") if kind == "nearest" else \
                ("farthest from", "away from")
            along = "the diagonal" if words.endswith("corner") else "the axis"
            self.notes.append(f"{said} the {words} read as the {ranked}: the furthest "
                              f"along {along} {way} it")
            return (ranked, n), skip
        return ("most central" if kind == "nearest" else "least central", n), skip


def keeps_one(words: Sequence[str], before: bool, rank: str) -> str:
    """The note for "cars closest to the road" or "the largest buildings": a superlative with
    a plural and no count keeps one object; a count says how many. ``rank``: the rank kept
    (a count rank is said "with the most"; "at least 2 trees" is none)."""
    counted = rank in COUNT_RANKS
    sup = next((w for w in words if (w in ("most", "fewest", "least") if counted
                                     else superlative(w))), "")
    if counted:   # "roads with the most cars"
        sup = f"with the {sup}"
    elif not sup and "most" in words[:-1]:   # "the most isolated buildings"
        at = words.index("most")
        sup = " ".join(words[at:at + 2])
    plural = next((w for w in words if w != lx.singular(w) and not superlative(w)
                   and w not in lx.FILLER_WORDS), "objects")
    more = f"the 3 {sup} {plural}" if before else f"the 3 {plural} {sup} ..."
    return f"one object is kept: a count keeps more ('{more}')"


