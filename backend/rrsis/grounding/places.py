"""Grammar rules of the image as a place: its regions ("in the top left of the image", "the
western third"), its edge ("not touching the image edge", "within 20 m of the image edge")
and the whole of it ("in this scene"). Part of the one parser (:mod:`.parser`)."""

from __future__ import annotations

from typing import Optional, Tuple

from . import lexicon as lx
from .plan import Attribute, Region
from .relation_rules import RelationRules

__all__ = ["PlaceRules"]

#: after "partly" or "entirely", the words that place an object in the image or outside it
_PLACED_IN = frozenset({"in", "inside", "within", "outside"})
_HOW_MUCH = lx.PARTLY_WORDS | lx.ENTIRELY_WORDS
_EDGE_PLACES = sorted(lx.IMAGE_EDGE_PLACES, key=len, reverse=True)   # "cut off by" before "cut"
#: the phrases of "near" before a part of the image ("close to the centre of the image"), the
#: longest first; one-word ones are read with "in", "at", ...
_NEAR_A_PART = sorted((p for p, kind in lx.NEAR_WORDS.items() if kind == "near" and len(p) > 1),
                      key=len, reverse=True)


class PlaceRules(RelationRules):
    """The image's regions, its edge and the whole of it, read after an object's name."""

    def region_at(self, k: int) -> bool:
        """Whether the words from ``k`` on, after fillers, name the image or a part of it
        ("the top of the image")."""
        j = self.after_fillers(self.i + k)
        return j < len(self.t) and (self.t[j] in lx.REGION_NOUNS or self.t[j] in lx.REGION_WORDS)

    def whole_image(self) -> bool:
        """"in the image", "across the whole scene": the extent every expression is read in,
        consumed; False (position unchanged) if not that."""
        save = self.i
        j = self.i - 1   # "of the" before it were skipped as fillers
        while j >= 0 and self.t[j] in lx.WHOLE_IMAGE_WORDS:
            j -= 1
        after_of = j >= 0 and self.t[j] == "of"
        if not (after_of or any(self.eat(w) for w in lx.WHOLE_IMAGE_PREPOSITIONS)):
            return False
        while self.peek() in lx.WHOLE_IMAGE_WORDS:
            self.i += 1
        if self.peek() in lx.REGION_NOUNS:
            self.i += 1
            return True
        self.i = save
        return False

    def image_edge(self, negated: bool) -> Optional[Attribute]:
        """"at the edge of the image", "not touching the image border", "near the image edge",
        "within 20 m of the image edge", "partly outside the image", "entirely in the scene":
        the object's gap to the extent's edge; None (position unchanged) if not that."""
        save = self.i
        reach: Optional[Tuple[str, float]] = None
        how_much = self.word(self.i - 1) if self.i else None   # "entirely": a filler, passed
        if self.peek() in _HOW_MUCH and self.peek(1) in _PLACED_IN:
            how_much = self.t[self.i]
            self.i += 1
        if how_much in _HOW_MUCH and self.peek() in _PLACED_IN:
            partly = how_much in lx.PARTLY_WORDS   # "partly in" or "outside": cut by the edge
            placed = self.t[self.i]
            self.i += 1
            if partly or placed != "outside":
                self.eat("of")
                j = self.after_fillers(self.i)
                if self.word(j) in lx.REGION_NOUNS:
                    self.i = j + 1
                    return Attribute("edge", "touching", negated == partly, lx.TOUCH_M)
            self.i = save
            return None
        metric = self.metric()
        if metric is not None:   # "within 20 m of", "more than 50 m from"
            kind, metres = metric
            reach, negated = ("within", metres), negated != (kind == "beyond_m")
        else:
            phrase = next((p for p in _EDGE_PLACES if self.at(*p)), None)
            if phrase is None:
                return None
            self.i += len(phrase)
            how, away = lx.IMAGE_EDGE_PLACES[phrase]
            reach = ("touching", lx.TOUCH_M) if how == "touching" else \
                ("near", lx.IMAGE_EDGE_NEAR_SHARE)
            negated = negated != away
        self.skip_fillers()
        if not self.edge_named():
            self.i = save
            return None
        return Attribute("edge", reach[0], negated, reach[1])

    def edge_named(self) -> bool:
        """"the image edge", "the edge of the image", "the border(s)", consumed (fillers before
        it passed); False (position unchanged) if not that: "the edge of the forest"."""
        save = self.i
        self.skip_fillers()
        named = self.peek() in lx.REGION_NOUNS   # "the image edge"
        self.i += int(named)
        if self.peek() not in lx.IMAGE_EDGE_NOUNS:
            self.i = save
            return False
        self.i += 1
        if self.at("of"):   # "the edge of the image", not "the edge of the forest"
            j = self.after_fillers(self.i + 1)
            if named or self.word(j) not in lx.REGION_NOUNS:
                self.i = save
                return False
            self.i = j + 1
        return True

    def region(self) -> Optional[Region]:
        """"in the top left (corner) (of the image)"; None (position unchanged) if not one."""
        save = self.i
        # "along the northern edge (of the image)": a part only ("alongside", "lining",
        # "running along" it too)
        along = self.eat("along") or self.eat("alongside") or self.eat("lining") or (
            self.at("running", "along") and self.eat("running") and self.eat("along"))
        near = None if along else next((p for p in _NEAR_A_PART if self.at(*p)), None)
        if near is not None:   # "close to (in the vicinity of) the centre of the image"
            self.i += len(near)
        elif not along and not any(self.eat(w) for w in ("in", "at", "on", "to", "near",
                                                        "around", "towards", "toward")):
            return None
        self.eat("the")
        if self.two_sides_at(self.i) is not None:   # "to the north and south of the road":
            self.i = save                              # two relations (:meth:`each_side`)
            return None
        row, col, seen = self.region_words()
        if not seen or self.category_here() is not None or (   # "on the northern road": an
                self.peek() in lx.OWN_PART_SHARES and self.peek(1) == "of"   # anchor; "at the
                and self.word(self.after_fillers(self.i + 2)) not in lx.REGION_NOUNS):   # north
            self.i = save    # end of the road": a part of an anchor
            return None
        part = self.peek() in lx.REGION_PARTS
        one_axis = (row is None) != (col is None) or row == col == "centre"
        share = lx.REGION_SHARES.get(self.peek() or "", 0.5) if one_axis else 0.5
        if part:
            self.i += 1
        elif along:
            self.i = save
            return None
        if self.at("of") or self.at("side", "of"):
            self.eat("side")
            j = self.after_fillers(self.i + 1, keep=("area",))
            if self.word(j) in lx.REGION_NOUNS:
                self.i = j + 1
            else:  # "on the left of the road": a relation, not a part of the image
                self.i = save
                return None
        if row == "centre" and col is None:
            col = "centre"
        return Region(row, col, share)

    def region_words(self) -> Tuple[Optional[str], Optional[str], int]:
        """The row and column parts the region words here name ("top left", "north-east"),
        and how many words, consumed."""
        row: Optional[str] = None
        col: Optional[str] = None
        seen = 0
        while self.peek() in lx.REGION_WORDS and not self.axis_here():
            r, c = lx.REGION_WORDS[self.peek()]  # type: ignore[index]
            if seen and (r, c) == ("centre", "centre"):   # "top centre": the axis left open
                r, c = row or r, col or c                   # (the top row's centre, not the
            row, col = r or row, c or col                   # image's)
            seen += 1
            self.i += 1
        return row, col, seen

    def axis_here(self) -> bool:
        """Whether two compass words of one axis begin here ("north south", what the tokenizer
        leaves of "running north-south"): a course, not a part of the image ("the road in the
        middle running north-south")."""
        first, second = self.peek(), self.peek(1)
        return first in lx.COMPASS_BEARINGS and second in lx.COMPASS_BEARINGS and \
            first != second and lx.COMPASS_BEARINGS[first] == lx.COMPASS_BEARINGS[second]

    def image_corner(self) -> Optional[Tuple[str, str]]:
        """"top left corner", "the north-east corner", "bottom right", or a side: "the top (of
        the image)", "the left edge": (its words, the point it lies towards, "northwest",
        "north"), consumed; else None (position unchanged)."""
        save = self.i
        row, col, _ = self.region_words()
        point = lx.CORNER_POINTS.get((row or "", col or ""))
        corner = row is not None and col is not None
        if point is None or not (self.eat("corner" if corner else "edge") or (
                not corner and (self.eat("side") or self.eat("border")))
                or self.at("of") or self.peek() is None):
            self.i = save
            return None
        return (f"{row} {col} corner" if corner else f"{row or col}"), point
