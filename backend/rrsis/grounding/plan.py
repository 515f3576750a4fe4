"""The typed plan of one expression: what to segment and which of those objects to keep.

A :class:`Plan` is plain data (frozen dataclasses), printable as one short line
(:meth:`Plan.summary`, the ``plan`` field of every output feature) and as JSON
(:meth:`Plan.to_dict`). ``mode`` says how the expression is answered:

- ``grounded``: the model segments the plan's category phrases; attributes and
  relations are computed on the objects (:mod:`.execute`);
- ``end_to_end``: the parser did not understand all of it; the whole expression goes
  to the model, as without grounding (``reason`` says why);
- ``nothing``: no word the grounding or the model knows, or every object the expression
  asks for is named in unknown words only ("ships in the harbour"); no model run, no object.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from .lexicon import ranks_by_colour
from .relations import BEARINGS

__all__ = ["Attribute", "Relation", "Region", "Target", "Plan", "MODES", "MEASURES",
           "AVERAGED", "DISTANCE_RANKS", "COUNT_RANKS", "ANCHOR_RANKS", "PER_ANCHOR_KINDS",
           "SIMILAR_RELATIONS", "CLIP_KINDS", "MULTI_OWNER_PARTS", "RELATION_WORDS", "ordinal",
           "share_text", "number_text", "times_text"]

MODES = ("grounded", "end_to_end", "nothing")
MEASURES = ("area", "length", "width", "diameter")  # attributes with a threshold in ground units
#: a measure against its category's mean ("larger than average"), in words
AVERAGE_WORDS = {("area", "above"): "larger", ("area", "below"): "smaller",
                 ("length", "above"): "longer", ("length", "below"): "shorter",
                 ("width", "above"): "wider", ("width", "below"): "narrower",
                 ("diameter", "above"): "wider across", ("diameter", "below"): "narrower across",
                 ("lightness", "above"): "brighter", ("lightness", "below"): "darker"}
#: attributes compared with their category's mean: the measures, and the lightness L* of
#: the objects' median colours ("darker than average")
AVERAGED = MEASURES + ("lightness",)
#: attributes written after the object's name: measures and "oriented north-south"
_AFTER_THE_NAME = AVERAGED + ("orientation", "edge")
DISTANCE_RANKS = ("nearest", "farthest")  # ranks by distance to an anchor, not by size
COUNT_RANKS = ("most", "fewest")   # ranks by the number of anchor objects within reach
#: the ranks a relation of the same kind orders by: its words name the superlative
ANCHOR_RANKS = DISTANCE_RANKS + COUNT_RANKS
#: relations after which "each" keeps a rank per anchor object: "the largest car in each
#: parking lot", "the 2 largest buildings along every road"
PER_ANCHOR_KINDS = ("on", "inside", "next_to", "along", "near", "within_m")
#: the parts found in masks that more than one kind of object has (a road's bends and a
#: river's; the edge of a forest, of a field, of a lake, and their interiors)
MULTI_OWNER_PARTS = frozenset({"bend", "edge", "interior"})
#: relations whose ground an object can be cut to ("the stretch of the road along the river":
#: the road within the distance of the river; "the part of the forest not within 100 m of the
#: road": the forest beyond it; :attr:`Target.clipped`)
CLIP_KINDS = frozenset(PER_ANCHOR_KINDS) | {"far", "beyond_m", "crosses", "between",
                                            *BEARINGS}
#: a rank count that keeps every object after the skipped ones: "all buildings except the
#: 3 largest" is the rank ("largest", ALL_BUT) passing over 3
ALL_BUT = 10 ** 9
#: relations of a measure against another object's: kind -> (measure, side) ("buildings
#: larger than the red building", "cars longer than the bus")
MEASURE_RELATIONS: Dict[str, Tuple[str, str]] = {
    "larger_than": ("area", "above"), "smaller_than": ("area", "below"),
    "longer_than": ("length", "above"), "shorter_than": ("length", "below"),
    "wider_than": ("width", "above"), "narrower_than": ("width", "below"),
    # the lightness L* of the median colour: "cars darker than the road"
    "darker_than": ("lightness", "below"), "brighter_than": ("lightness", "above")}
#: relations of a measure like another object's: kind -> the measure ("cars about the same
#: size as the van": area within APPROXIMATE_SHARE of it; "roads as wide as the main road")
SIMILAR_RELATIONS: Dict[str, str] = {"similar_size": "area", "similar_length": "length",
                                     "similar_width": "width"}
#: relation kind -> its words in a plan's text (and, but for a few, in a family's name)
RELATION_WORDS: Dict[str, str] = {
    "along": "along", "next_to": "next to", "near": "near", "far": "far from",
    "surrounded": "surrounded by", "between": "between", "with": "with", "is": "a", "on": "on",
    "inside": "inside", "within_m": "within", "beyond_m": "more than",
    "same_colour": "the same colour as",
    "all_within_m": "entirely within",
    **{point: f"{point} of" for point in BEARINGS},
    "nearest": "nearest to",
    "farthest": "farthest from", "across": "across", "most": "with the most",
    "fewest": "with the fewest", "parallel": "parallel to",
    "perpendicular": "perpendicular to", "oblique": "at an angle to", "group": "in a group of",
    "row": "in a row of",
    "closer": "closer to", "farther": "farther from", "same_side": "on the same side of",
    "largest_group": "in the largest group of", "in_courtyard": "in a courtyard of",
    "crosses": "crossing", "both_sides": "with", "similar_size": "similar in size to",
    "similar_length": "similar in length to", "similar_width": "similar in width to",
    **{kind: kind.replace("_", " ") for kind in MEASURE_RELATIONS}}


def times_text(factor: Optional[float]) -> str:
    """A factor as the plan writes it before what it multiplies: "2 times ", "0.333 times "
    ("a third of the length of"); "" for none."""
    return f"{factor:.3g} times " if factor is not None else ""


def number_text(value: float) -> str:
    """A measure as the plan writes it: "100", "4046.86", "1000000" ("1 km2", not "1e+06")."""
    text = f"{value:g}"
    return text if "e" not in text else f"{value:.0f}"


@dataclass(frozen=True)
class Attribute:
    """``kind``: colour | size | shape | orientation, ``value`` a name from the lexicon
    (an orientation's: an axis of :data:`~.lexicon.AXIS_NAMES`); or ``kind`` one of
    :data:`MEASURES` (area | length | width | diameter), ``value`` above | below and ``amount`` the
    threshold in m² or m ("larger than 100 m2", "shorter than 10 m", "wider than 6 m"), or
    None for the mean of the object's category in the scene ("larger than average"); or
    ``kind`` "lightness", ``value`` above | below: the L* of its median colour against its
    category's mean ("darker than average", "the brighter cars"); or
    ``kind`` "edge", the object's gap to the edge of the processed extent: ``value`` touching
    (``amount`` m: cut by it), within (m: "within 20 m of the image edge") or near (``amount``
    the share of the extent's shorter side)."""

    kind: str
    value: str
    negated: bool = False
    amount: Optional[float] = None
    #: of a measure against the mean: the mean times this ("twice the average size": 2)
    factor: Optional[float] = None

    def text(self) -> str:
        neg = "not " if self.negated else ""
        if self.kind in AVERAGED and self.amount is None:   # "larger than (2 times) average"
            return (f"{neg}{AVERAGE_WORDS[self.kind, self.value]} than "
                    f"{times_text(self.factor)}average")
        if self.kind in MEASURES:
            side = "over" if self.value == "above" else "under"
            unit = {"area": "m2", "length": "m long", "width": "m wide",
                    "diameter": "m across"}[self.kind]
            return f"{neg}{side} {number_text(self.amount)} {unit}"
        if self.kind == "edge":   # "at the image edge", "within 20 m of the image edge"
            reach = {"touching": "at", "near": "near",
                     "within": f"within {self.amount:g} m of"}[self.value]
            share = f" (outer {self.amount:.0%})" if self.value == "near" else ""
            return f"{neg}{reach} the image edge{share}"
        if self.kind == "orientation":   # "oriented east-west", "oriented diagonally"
            return f"{neg}oriented {'diagonally' if self.value == 'diagonal' else self.value}"
        return neg + self.value

    @property
    def after_the_name(self) -> bool:
        """Whether the plan writes it after the object's name ("building over 100 m2")."""
        return self.kind in _AFTER_THE_NAME


@dataclass(frozen=True)
class Region:
    """A part of the processed extent: row part top|centre|bottom, column part left|centre|right;
    ``share`` of each axis it takes (a half; "the top third": 1/3, from the top edge; "the
    middle third": the central third); ``negated``: the objects elsewhere ("not in the top left
    of the image"); ``own``: that part of each object's own bounding box instead, the ground a
    clipped target is cut to ("the northern half of the forest", :attr:`Target.clipped`)."""

    row: Optional[str] = None
    col: Optional[str] = None
    share: float = 0.5
    negated: bool = False
    own: bool = False

    def text(self) -> str:
        parts = [p for p in (self.row, self.col) if p]
        if parts == ["centre", "centre"]:
            parts = ["centre" if self.share == 0.5 and not self.own else "middle"]
        if self.share != 0.5 or self.own:   # "in the top third of the image"
            parts.append(_SHARE_NAMES.get(round(self.share, 4), f"{self.share:g}"))
        return ("not " if self.negated else "") + "in the " + " ".join(parts) + (
            " of each object" if self.own else " of the image")


_SHARE_NAMES = {0.5: "half", round(1 / 3, 4): "third", 0.25: "quarter", 0.2: "fifth"}


def count_words(least: int, most: Optional[int], negated: bool) -> str:
    """A count of anchor objects in words: "at least 3", "fewer than 3" (negated), "exactly
    2", "between 2 and 4" (and, negated, "not exactly 2")."""
    if most is None:
        return f"{'fewer than' if negated else 'at least'} {least}"
    words = f"exactly {least}" if most == least else f"between {least} and {most}"
    return f"not {words}" if negated else words


@dataclass(frozen=True)
class Relation:
    """A relation to an anchor target, in ground metres.

    ``kind`` (one of :data:`RELATION_WORDS`): along | next_to | near | far | surrounded |
    between | with | is | on | inside | within_m | all_within_m ("entirely within 50 m of") |
    beyond_m | north | south | east | west |
    across (``via`` the object between: "across the road from the school"; of between, the
    other side described otherwise: "between the road and the white building"), filters; or
    nearest | farthest | most | fewest, which keeps every object and orders them for the
    target's rank ("the building closest to the river"; "the road with the most cars": by
    the anchor objects within ``distance_m``).
    ``distance_m`` is the distance that decides (defaults per category pair, or the
    expression's own "within 20 m of"). ``min_count``: the anchor objects that must each
    satisfy it ("with at least 3 cars nearby"), where one is enough by default.
    """

    kind: str
    anchor: "Target"
    distance_m: Optional[float] = None
    negated: bool = False
    distance_from_expression: bool = False
    #: what lies between the object and the anchor ("across the road from": the road; "on the
    #: same side of the road as": the road it must not cross to the anchor); of
    #: "closer" and "farther", what the anchor's distance is compared with ("closer to the
    #: road than to the river": the river)
    via: Optional["Target"] = None
    #: at least this many anchor objects must satisfy it, each on its own ("with at least 3
    #: cars nearby"; "with fewer than 3 cars" is this, negated)
    min_count: Optional[int] = None
    #: and at most this many ("with exactly 2 cars": 2 and 2; "with 2 to 4 cars": 2 and 4)
    max_count: Optional[int] = None
    #: "group" (``anchor``: the object's own categories, ``distance_m``: the gap that links
    #: two of a group): the least number of objects in its group, itself included
    #: ("clusters of buildings": 3)
    #: one category of "everything" ("far from everything": far from each category found);
    #: none of it found, it holds (a scene without water is not a doubt about "everything")
    of_everything: bool = False
    #: of nearest | farthest: the rank is kept for each anchor object on its own ("the car
    #: nearest to each building": every building's nearest car, one per building); of the
    #: :data:`PER_ANCHOR_KINDS`, the target's own rank is kept among the objects the relation
    #: holds for with each anchor object ("the largest car in each parking lot")
    each: bool = False
    #: of ``each``: for each side of the anchor's objects together ("the largest building on
    #: each side of the road", a road found in pieces; :func:`~.relations.sides_of`)
    sides: bool = False
    #: of a measure relation: the anchor's measure times this is compared ("twice as large
    #: as the school": 2); None is 1
    factor: Optional[float] = None

    def anchors_text(self) -> str:
        """The anchor as a plan says it; of a between with its other side described otherwise,
        both ("road + white building": one of each)."""
        anchor = self.anchor.anchor_text()
        if self.kind == "between" and self.via is not None:
            return f"{anchor} + {self.via.anchor_text()}"
        return anchor

    def text(self) -> str:
        words = RELATION_WORDS[self.kind]
        neg = "not " if self.negated else ""
        if self.kind == "with" and self.negated:   # "parking lot without car"
            words, neg = "without", ""
        if self.kind == "is":                       # "vehicle except truck"
            words, neg = ("except" if self.negated else "a"), ""
        anchor = self.anchors_text()
        if self.each:   # "car nearest to each building", "next to each side of road"
            anchor = f"each side of {anchor}" if self.sides else f"each {anchor}"
        if self.kind in ("group", "row"):   # "building in a group of at least 3 building
            # (<= 10 m apart)"
            return (f"{neg}{words} at least {self.min_count} {anchor} "
                    f"(<= {self.distance_m or 0:g} m apart)")
        if self.kind == "largest_group":   # "building in the largest group of building (...)"
            if self.min_count:   # "in the 2 largest groups of"
                words = f"in the {self.min_count} largest groups of"
            return f"{neg}{words} {anchor} (<= {self.distance_m or 0:g} m apart)"
        if self.min_count is not None:   # "building with at least 3 car (<= 3 m)"; "with
            anchor = f"{count_words(self.min_count, self.max_count, self.negated)} {anchor}"
            if self.negated:
                words, neg = RELATION_WORDS[self.kind], ""
        if self.kind in ("closer", "farther") and self.via is not None:   # "closer to road
            than = "than to" if self.kind == "closer" else "than from"   # than to water"
            return f"{neg}{words} {anchor} {than} {self.via.anchor_text()}"
        if self.kind == "same_side" and self.via is not None:   # "on the same side of road
            return f"{neg}{words} {self.via.text()} as {anchor}"   # as building"
        if self.kind == "across" and self.via is not None:   # "across road from building"
            return f"{neg}across {self.via.text()} from {anchor} (<= {self.distance_m:g} m)"
        if self.kind == "both_sides":   # "road with building on both sides (<= 10 m)"
            neg = "without " if self.negated else "with "
            return f"{neg}{anchor} on both sides (<= {self.distance_m or 0:g} m)"
        if self.kind in MEASURE_RELATIONS and self.factor is not None:   # "building larger
            words = f"{words} {times_text(self.factor).strip()}"           # than 2 times school"
        if self.kind in MEASURE_RELATIONS and self.distance_m is not None:
            # "building larger than building within 10 m": than each of its neighbours
            return f"{neg}{words} {anchor} within {self.distance_m:g} m"
        if self.kind in ("within_m", "beyond_m", "all_within_m"):
            prep = "from" if self.kind == "beyond_m" else "of"
            return f"{neg}{words} {number_text(self.distance_m)} m {prep} {anchor}"
        dist = f" (<= {self.distance_m:g} m)" if self.kind in ("along", "next_to", "near",
                                                                "between", "with", "most",
                                                                "fewest", "parallel",
                                                                "perpendicular", "oblique") \
            else f" (> {self.distance_m:g} m)" if self.kind == "far" else ""
        return f"{neg}{words} {anchor}{dist}"


@dataclass(frozen=True)
class Target:
    """Objects of ``categories`` (a union: "cars and trucks") that pass every filter.

    ``rank``: (a superlative of :data:`~.lexicon.SIZE_RANKS` ("largest", "widest", ...) or
    "nearest"|"farthest", n) keeps the n extreme
    objects after the other filters (nearest and farthest: to the anchor of the relation of
    that kind), passing over the first ``rank_skip`` ("the second largest": 1).
    ``named_as``: the kind of vehicle the expression named, selected by length
    (:mod:`.kinds`).
    """

    categories: Tuple[str, ...]
    attributes: Tuple[Attribute, ...] = ()
    relations: Tuple[Relation, ...] = ()
    region: Optional[Region] = None
    rank: Optional[Tuple[str, int]] = None
    rank_skip: int = 0
    #: a share of the objects the rank keeps instead of its count, rounded up, at least one:
    #: "the largest 10 % of the buildings" (0.1), "the smallest half" (0.5)
    rank_share: float = 0.0
    #: the kind the user named, read as ``categories`` of its length (:mod:`.kinds`: "bus")
    named_as: str = ""
    #: a part of the objects, found in their outlines: "junction" (an anchor's: "cars at the
    #: intersection" are on the road's junctions, :func:`~.relations.junctions`), "bridge"
    #: (the road's over the water's, :func:`~.relations.bridges`), "end" (where a road stops,
    #: :func:`~.relations.road_ends`), "island" (the ground inside the water's outline,
    #: :func:`~.relations.islands`), "bend" (where a road's or a river's course turns sharply,
    #: :func:`~.relations.bends`)
    part: str = ""
    #: the part of each object where its relations and its image region hold, cut out of its
    #: outline ("the stretch of the road along the river", "the part of the forest within
    #: 100 m of the road", "the section of the river in the north of the image"): relations of
    #: :data:`CLIP_KINDS` only
    clipped: bool = False

    def says_of_itself(self) -> bool:
        """Whether the target filters its objects by what they are themselves (attributes, an
        image region, a rank by size or place), which holds without any anchor: an end-to-end
        fallback keeps it."""
        return bool(self.attributes or self.region and not self.region.own or self.own_rank())

    def own_rank(self) -> Optional[Tuple[str, int]]:
        """:attr:`rank` where it orders the objects by themselves ("the largest", "the
        northernmost"), not by an anchor ("the closest to the road", "with the most cars")."""
        return self.rank if self.rank and self.rank[0] not in ANCHOR_RANKS else None

    def rank_text(self, named: bool = False) -> str:
        """"the 3 largest", "the 2nd largest", "the largest"; "the 3", "the 2nd" for a rank by
        distance (its relation names the superlative: "nearest to road"), unless ``named``."""
        if not self.rank:
            return ""
        what, n = self.rank
        if n >= ALL_BUT:   # "all but the 3 largest"
            words = ["all but the"] + ([str(self.rank_skip)] if self.rank_skip > 1 else [])
            return " ".join(words + [what])
        if self.rank_share:   # "the largest 10 %"
            return f"the {what} {share_text(self.rank_share)}"
        words = ["the"] + ([ordinal(self.rank_skip + 1)] if self.rank_skip else []) \
            + ([str(n)] if n > 1 else [])
        return " ".join(words + ([] if what in ANCHOR_RANKS and not named else [what]))

    def rank_count(self, objects: int) -> int:
        """How many of ``objects`` the rank keeps: its count, or its share of them."""
        assert self.rank is not None
        return max(1, math.ceil(self.rank_share * objects - 1e-9)) if self.rank_share \
            else self.rank[1]

    def part_key(self) -> str:
        """The name its :attr:`part` is kept under in a scene, once for every expression of a
        run: the part's, or, for a part more than one kind of object has, with its owner's
        ("water bend", "tree edge": a river's bends are not the road's)."""
        return f"{self.categories[0]} {self.part}" if self.part in MULTI_OWNER_PARTS \
            else self.part

    def head_text(self) -> str:
        """Its objects: "building + road"; a part: "road junction", "road bridge over water",
        "island in water"."""
        if self.part == "island":
            return f"island in {self.categories[0]}"
        if self.part:
            return " ".join([self.categories[0], self.part] + (
                ["over", " + ".join(self.categories[1:])] if self.categories[1:] else []))
        return " + ".join(self.categories)

    def text(self) -> str:
        head = self.head_text()
        if self.named_as:   # "bus-sized vehicle over 8 m long"
            head = f"{self.named_as}-sized {head}"
        words = [a.text() for a in self.attributes if not a.after_the_name]
        if self.rank:
            words.insert(0, self.rank_text())
        out = " ".join(words + [head] + [a.text() for a in self.attributes if a.after_the_name])
        for rel in self.relations:
            out += " " + rel.text()
        if self.region:
            out += " " + self.region.text()
        return f"part of {out}" if self.clipped else out

    def anchor_text(self) -> str:
        """:meth:`text` as an anchor: in parentheses where it has a region or relations of its
        own ("car on (road in the top of the image)", "car near (tree along road (<= 5 m))")."""
        text = self.text()
        return f"({text})" if self.region is not None or self.relations else text

    def anchors(self) -> List["Target"]:
        """Every anchor of this target's relations (and what lies between), theirs too."""
        out: List[Target] = []
        for rel in self.relations:
            for anchor in (rel.anchor, rel.via):
                if anchor is not None:
                    out += [anchor] + anchor.anchors()
        return out

    def all_categories(self) -> Tuple[str, ...]:
        """This target's categories and its anchors', in order of first mention."""
        out: List[str] = list(self.categories)
        for rel in self.relations:
            out += [c for c in rel.anchor.all_categories() if c not in out]
            if rel.via is not None:
                out += [c for c in rel.via.all_categories() if c not in out]
        return tuple(dict.fromkeys(out))

    def needs_colour(self) -> bool:
        """Whether its objects' pixels are read: a colour, a rank by colour ("the
        darkest") or a likeness of colour ("the same colour as"), said of it or of an
        anchor."""
        ranked = self.rank is not None and ranks_by_colour(self.rank[0])
        return ranked or any(a.kind in ("colour", "lightness") for a in self.attributes) \
            or any(r.anchor.needs_colour() or r.kind == "same_colour"
                   or (r.via is not None and r.via.needs_colour())
                   or MEASURE_RELATIONS.get(r.kind, ("",))[0] == "lightness"
                   for r in self.relations)


def share_text(share: float) -> str:
    """0.1 -> "10 %", 1/3 -> "33.3 %"."""
    return f"{round(100 * share, 1):g} %"


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Plan:
    expression: str
    mode: str
    targets: Tuple[Target, ...] = ()
    reason: str = ""
    unknown_words: Tuple[str, ...] = ()
    notes: Tuple[str, ...] = field(default_factory=tuple)
    #: known words an unknown word is a slip of the keyboard away from ("buildings", "along")
    suggestions: Tuple[str, ...] = ()
    #: the expression with those slips mended ("buildings next to the road"), "" if none
    corrected: str = ""

    @property
    def relational(self) -> bool:
        """Whether some target depends on an anchor the model may miss."""
        return any(t.relations for t in self.targets)

    def filters_its_fallback(self) -> bool:
        """Whether every target says something of its objects themselves
        (:meth:`Target.says_of_itself`), which filters an end-to-end fallback's answer."""
        return bool(self.targets) and all(t.says_of_itself() for t in self.targets)

    def categories(self) -> Tuple[str, ...]:
        """Every category the plan needs segmented, targets' and anchors', first mention first."""
        out: List[str] = []
        for t in self.targets:
            out += [c for c in t.all_categories() if c not in out]
        return tuple(out)

    def summary(self) -> str:
        """One line for the ``plan`` field: ``grounded: car (<= 3 m) along road`` etc."""
        if self.mode == "grounded" and self.targets:
            return "grounded: " + " | ".join(t.text() for t in self.targets)
        if self.mode == "nothing":
            return "nothing: no object matches" + self._unknown_text()
        return f"end to end: {self.expression!r}" + (f" ({self.reason})" if self.reason else "")

    def _unknown_text(self) -> str:
        if not self.unknown_words:
            return ""
        return " (" + ", ".join(f"unknown word {w!r}" for w in self.unknown_words) + ")"

    def messages(self) -> List[str]:
        """Human-readable remarks: unknown words, suggestions, then the notes."""
        meant = [self.corrected] if self.corrected else self.suggestions
        return [f"unknown word {w!r}" for w in self.unknown_words] + [
            f"did you mean {w!r}?" for w in meant] + list(self.notes)

    def to_dict(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {"expression": self.expression, "mode": self.mode,
                             "summary": self.summary(), "reason": self.reason,
                             "unknown_words": list(self.unknown_words),
                             "suggestions": list(self.suggestions),
                             "corrected": self.corrected, "notes": list(self.notes)}
        d["targets"] = json.loads(json.dumps([asdict(t) for t in self.targets]))  # lists
        return d
