"""Grammar rules of quantities: thresholds on an object's area, length or width ("larger
than 100 m2", "larger than average"), distances ("within 20 m of"), and counts of anchor
objects ("with at least 3 cars"). Part of the one parser (:mod:`.parser`)."""

from __future__ import annotations

from dataclasses import replace
from typing import List, Optional, Tuple

from . import lexicon as lx
from .cursor import Cursor
from .cursor import number as _number
from .plan import RELATION_WORDS, Attribute, Relation

__all__ = ["QuantityRules"]

_COMPARATIVES = sorted(lx.COMPARATIVES, key=len, reverse=True)   # "more than" before "over"
_AREA_UNITS = sorted(lx.AREA_UNITS_M2, key=len, reverse=True)    # "sq ft" before "ft"
_TRAILING_COMPARATIVES = sorted(lx.TRAILING_COMPARATIVES, key=len, reverse=True)
#: "a building of about 500 m2": within this share of the value either way (400-600 m2), said
#: in the plan; "between 450 and 550 m2" says another range
APPROXIMATE_SHARE = 0.2


class QuantityRules(Cursor):
    #: the count the anchor just read was given ("with at least 3 cars": (3, not negated,
    #: no most); "with exactly 2 cars": (2, False, 2))
    anchor_count: Optional[Tuple[int, bool, Optional[int]]] = None

    def measures(self, negated: bool) -> List[Attribute]:
        """Thresholds on each object's ground area, length or width: "larger than 100 m2",
        "with an area over 2 ha", "between 50 and 200 m2", "shorter than 10 m", "roads wider
        than 6 m"; [] when there is none here ("more than 50 m from ..." is a distance, left
        to :meth:`metric`)."""
        save, noun = self.i, None
        if self.eat("with") or self.eat("whose"):   # "whose area is over 300 m2"
            start = self.i
            self.skip_fillers()   # "area" is a filler too ("built-up area")
            if self.peek() in lx.SIZE_NOUNS:
                self.i += 1
            noun = next((w for w in self.t[start:self.i] if w in lx.SIZE_NOUNS), None)
            self.eat("of")
            self.skip_fillers()   # "whose length is more than 30 m"
        if self.at("between"):
            found = self.value_range(noun)
            if found is None or found[1] != found[3]:   # "100 m2 and 200 m2": one unit
                self.i = save
                return []
            low, _, high, (kind, scale) = found
            kind = noun if noun in ("width", "diameter") and kind == "length" else kind
            if kind == "area":   # "between 100 and 200 m2 in size"
                self.eat("in", "size") or self.eat("in", "area")
            return [Attribute(kind, "above", negated, low * scale),
                    Attribute(kind, "below", negated, high * scale)]
        side, width = None, noun == "width"   # "with a width of more than 8 m"
        for phrase in _COMPARATIVES:
            if self.eat(*phrase):
                side = lx.COMPARATIVES[phrase]
                width = width or phrase in lx.WIDTH_COMPARATIVES
                break
        lit = lx.COMPARATIVE_WORDS.get(self.peek() or "", ("", ""))
        lightness = side is None and lit[0] == "lightness" and self.peek(1) == "than"
        if lightness:   # "darker than average": a colour has no threshold
            side = lit[1]
            self.i += 2
        average = self.average_measure(side, noun, width, negated, save)
        if average is not None:   # "larger than average", "longer than the average"
            return [average]
        if lightness:   # "darker than the road": against another object
            self.i = save
            return []
        approximate = any(self.eat(w) for w in lx.APPROXIMATE_WORDS)
        value = _number(self.peek() or "")
        if value is None:
            self.i = save
            return []
        self.i += 1
        unit = self.measure_unit()
        if unit is None and noun is not None and side is not None:   # "with area > 100"
            unit = self.unit_of(noun, f"{value:g}")
        if unit is None or (unit[0] == "length" and self.peek() in ("from", "of", "to", "away")):
            self.i = save
            return []
        for phrase in _TRAILING_COMPARATIVES:          # "100 m2 or more"
            if side is None and self.eat(*phrase):
                side = lx.TRAILING_COMPARATIVES[phrase]
        across = unit[0] == "length" and self.said_across()   # "5 m in diameter", "8 m across"
        said_measure = unit[0] == "area" or across or self.t[self.i - 1] in ("long", "wide") \
            or noun in ("length", "width", "diameter")   # "with a length of 5 m"
        if side is None and (negated or not (approximate or said_measure)):
            self.i = save   # "20 m north of": a distance; "buildings 500 m2": about that
            return []
        self.eat("in", "size") or self.eat("in", "area")
        kind = "width" if width and unit[0] == "length" else unit[0]
        if unit[0] == "length" and (across or noun == "diameter"):
            kind = "diameter"
        if side is None:   # "of about 500 m2", "roughly 5 m long", "roads 6 m wide"
            low, high = (value * unit[1] * (1 + s) for s in (-APPROXIMATE_SHARE, APPROXIMATE_SHARE))
            base = "m2" if kind == "area" else "m"
            about = "about " if approximate else ""
            self.notes.append(f"{about}{value * unit[1]:g} {base} read as {low:g} to {high:g} "
                              f"{base} (within {APPROXIMATE_SHARE:.0%}); 'between' sets another "
                              "range")
            return [Attribute(kind, "above", False, low), Attribute(kind, "below", False, high)]
        return [Attribute(kind, side, negated, value * unit[1])]

    def said_across(self) -> bool:
        """"in diameter", "across" after a length ("trees more than 5 m in diameter", "crowns
        over 8 m across"; not "across the road"), consumed: the measure is the diameter."""
        if self.eat("in", "diameter") or self.eat("diameter"):
            return True
        if self.peek() == "across" and self.peek(1) not in ("the", "a", "an", "from", "it"):
            self.i += 1
            return True
        return False

    def unit_of(self, noun: str, said: str) -> Tuple[str, float]:
        """The unit a measure ``said`` without one is read in, by the ``noun`` it measures
        ("with area > 100": m2; "whose length is over 5": m), said in the plan's notes."""
        area = noun not in ("length", "width", "diameter")
        self.notes.append(f"{said} read in {'m2' if area else 'm'} (no unit given)")
        return ("area", 1.0) if area else ("length", 1.0)

    def factor(self) -> Optional[float]:
        """After "than": "2 times" (the tokenizer's "twice as large as") -> 2.0, consumed;
        else None (position unchanged)."""
        times = _number(self.peek() or "") if self.peek(1) == "times" else None
        if times is None or times <= 0:
            return None
        self.i += 2
        return times

    def average_measure(self, side: Optional[str], noun: Optional[str], width: bool,
                        negated: bool, save: int) -> Optional[Attribute]:
        """After a comparative: "(the) average", "the others", "the rest", "most", "the other
        buildings" (:data:`~.lexicon.THAN_AVERAGE_WORDS`), consumed, as the measure the
        comparative or the noun names ("longer than average": length; "darker": lightness;
        "larger": area) against its category's mean; else None (position unchanged)."""
        start = self.i
        factor = self.factor() if side is not None else None   # "twice the average size"
        self.eat("the")
        other = side is not None and self.eat("other")   # "than the other buildings"
        if side is None or not (other or any(self.eat(w) for w in lx.THAN_AVERAGE_WORDS)):
            self.i = start
            return None
        if self.peek() == "of":   # "than the rest of the buildings"
            self.attempt(lambda: self.eat("of") and (self.eat("the") or True)
                         and self.own_category_here(), fits=bool)
        elif not self.own_category_here():   # "than the average house" (of buildings)
            if other:
                self.i = start
                return None
            self.eat("size") or self.eat("one") or self.eat("ones")
        elif self.peek() == "size":   # "than 2 times the average building size"
            self.i += 1
        said = self.t[save:start]
        named = next((lx.COMPARATIVE_WORDS[w][0] for w in said if w in lx.COMPARATIVE_WORDS),
                     "area")
        kind = "width" if width else noun if noun in ("length", "diameter") else named
        return Attribute(kind, side, negated, factor=factor)

    def value_range(self, noun: Optional[str] = None
                    ) -> Optional[Tuple[float, Tuple[str, float], float, Tuple[str, float]]]:
        """"between 50 and 200 m2", "between 10 m and 0.1 km": (low, its unit, high, its
        unit; the low's is the high's where it has none; after a size ``noun`` both may have
        none: "with an area between 50 and 200"), consumed; else None (position
        unchanged)."""
        save = self.i
        low = _number(self.peek() or "") if self.eat("between") else None
        if low is None:
            self.i = save
            return None
        self.i += 1
        first = self.measure_unit()
        high = _number(self.peek(1) or "") if self.peek() == "and" else None
        self.i += 2
        unit = self.measure_unit() if high is not None else None
        if unit is None and first is None and high is not None and noun is not None:
            unit = self.unit_of(noun, f"{low:g} and {high:g}")
        if unit is None:
            self.i = save
            return None
        return low, first or unit, high, unit

    def measure_unit(self) -> Optional[Tuple[str, float]]:
        """("area", m² per unit), or ("length" | "width", m per unit) of the unit here (and of
        a "long" or "wide" after it), consumed."""
        for phrase in _AREA_UNITS:
            if self.eat(*phrase):
                return "area", lx.AREA_UNITS_M2[phrase]
        if self.peek() in lx.UNITS_M:
            metres = lx.UNITS_M[self.t[self.i]]
            self.i += 1
            if self.eat("wide"):                    # "under 4 m wide"
                return "width", metres
            self.eat("long")
            return "length", metres
        return None

    def metric(self) -> Optional[Tuple[str, float]]:
        """"within 20 m of" -> (within_m, 20); "more than 50 ft from" -> (beyond_m, 15.24)."""
        save = self.i
        kind = None
        entirely = save > 0 and self.t[save - 1] in lx.ENTIRELY_WORDS   # a filler, passed
        for words, k in ((("within",), "within_m"), (("less", "than"), "within_m"),
                         (("closer", "than"), "within_m"), (("under",), "within_m"),
                         (("at", "most"), "within_m"), (("no", "more", "than"), "within_m"),
                         (("up", "to"), "within_m"), (("more", "than"), "beyond_m"),
                         (("further", "than"), "beyond_m"), (("farther", "than"), "beyond_m"),
                         (("at", "least"), "beyond_m"), (("over",), "beyond_m"),
                         (("beyond",), "beyond_m"), (("<",), "within_m"), (("≤",), "within_m"),
                         ((">",), "beyond_m"), (("≥",), "beyond_m")):
            if self.eat(*words):
                kind = k
                break
        any(self.eat(w) for w in lx.APPROXIMATE_WORDS) or self.eat("a")   # "roughly 50 m"
        value = _number(self.peek() or "")
        if value is None:
            self.i = save
            return None
        self.i += 1
        unit = self.peek()
        if unit not in lx.UNITS_M:
            self.i = save
            return None
        self.i += 1
        self.eat("away") or self.eat("radius")   # "within a 50 m radius of the lake"
        if not (self.eat("of") or self.eat("from") or self.eat("to")):
            self.i = save
            return None
        self.last_metric = kind = kind or self.last_metric or "within_m"   # "and 10 m of"
        if entirely and kind == "within_m" and self.t[save] == "within":
            kind = "all_within_m"   # "entirely within 50 m of the road": all of it
        return kind, value * lx.UNITS_M[unit]  # type: ignore[index]

    def anchor_quantity(self) -> Optional[Tuple[int, bool, Optional[int]]]:
        """"at least 3", "more than 2", "3 or more", "fewer than 3", "exactly 2", "between 2
        and 4" before an object's name: (the least count, whether the relation is negated:
        "fewer than 3" is not at least 3, the most count or None), consumed; else None
        (position unchanged; a bare "3 cars" is :meth:`premods`' count)."""
        save = self.i
        exact = self.exact_count()
        if exact is not None:
            return exact
        least, negated = 0, False
        for phrase in sorted(lx.COUNT_BEFORE, key=len, reverse=True):
            if self.eat(*phrase):
                least, negated = lx.COUNT_BEFORE[phrase]
                break
        n = _number(self.peek() or "")
        if n is None or n != int(n):
            self.i = save
            return None
        self.i += 1
        if self.i - 1 == save:   # no words before the number: "3 or more cars", or a bare 3
            found = next((ph for ph in sorted(lx.COUNT_AFTER, key=len, reverse=True)
                          if self.at(*ph)), None)
            if found is None:
                self.i = save
                return None
            self.i += len(found)
            least, negated = lx.COUNT_AFTER[found]
        if self.category_here() is None:   # "more than 50 m": not a count of objects
            self.i = save
            return None
        least += int(n)
        if least < 1:
            raise self.fail("a count of objects from 1")
        return least, negated, None

    def exact_count(self) -> Optional[Tuple[int, bool, Optional[int]]]:
        """"exactly 2", "precisely 3", "between 2 and 4" before an object's name (from 1),
        consumed, as :meth:`anchor_quantity` gives it; else None (position unchanged)."""
        save = self.i
        ranged = self.eat("between")
        if not ranged and not any(self.eat(w) for w in lx.EXACT_COUNT_WORDS):
            return None
        least = _number(self.peek() or "")
        most = least
        if least is not None and ranged:
            self.i += 1
            most = _number(self.peek(1) or "") if self.peek() == "and" else None
            self.i += 1
        if least is None or most is None or least != int(least) or most != int(most) or \
                not 1 <= least <= most:
            self.i = save
            return None
        self.i += 1
        if self.category_here() is None:   # "between 2 and 5 m from": not a count
            self.i = save
            return None
        return int(least), False, int(most)

    def group_size(self, noun: str, sized: bool = True) -> int:
        """After "clusters of", "in groups of" (``noun``: "clusters"; ``sized``: "of" was
        read): "5 or more", "at least 4", "3" (read as at least 3, a note says so), consumed;
        :data:`~.lexicon.GROUP_MIN` where no number follows."""
        if not sized:
            return lx.GROUP_MIN
        save = self.i
        least = 0
        for phrase in sorted(lx.COUNT_BEFORE, key=len, reverse=True):
            if self.eat(*phrase):
                least, negated = lx.COUNT_BEFORE[phrase]
                if negated:
                    raise self.fail("a group of at most so many")
                break
        n = _number(self.peek() or "")
        if n is None:
            self.i = save
            return lx.GROUP_MIN
        if n != int(n) or n < 2:
            raise self.fail("a group of at least 2")
        self.i += 1
        found = next((ph for ph in sorted(lx.COUNT_AFTER, key=len, reverse=True)
                      if self.at(*ph)), None)
        if found is not None:
            if lx.COUNT_AFTER[found][1]:
                raise self.fail("a group of at most so many")
            self.i += len(found)
        elif self.i - 1 == save:
            self.notes.append(f"'a group of {int(n)}' read as at least {int(n)}")
        return least + int(n)

    def counted(self, rel: Relation) -> Relation:
        """``rel`` with the count its anchor was read with (:meth:`anchor_quantity`)."""
        if self.anchor_count is None:
            return rel
        least, negated, most = self.anchor_count
        self.anchor_count = None
        if rel.kind not in lx.COUNTED_RELATIONS:
            raise self.fail(f"a count of objects {RELATION_WORDS[rel.kind]}")
        return replace(rel, min_count=least, max_count=most, negated=rel.negated != negated)
