"""The parser's position in an expression's words, and the helpers every grammar rule uses.

:class:`Cursor` is the base of the rule classes (:mod:`.quantities`, :mod:`.relation_rules`,
:mod:`.parser`): one recursive-descent parser in a few files, one group of rules each.
"""

from __future__ import annotations

import math
import re
from typing import Callable, List, Optional, Sequence, Tuple, TypeVar

from . import lexicon as lx
from .plan import Target

__all__ = ["Cursor", "NotUnderstood", "number"]

T = TypeVar("T")


class NotUnderstood(Exception):
    """The text leaves the grammar; the message says where."""


def number(word: str) -> Optional[float]:
    """A number in digits or words ("20", "2.5", "twenty"), else None (and for digits too
    many for a float: "9" * 400 is no number a plan can hold)."""
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        value = float(word)
        return value if math.isfinite(value) else None
    return float(lx.NUMBER_WORDS[word]) if word in lx.NUMBER_WORDS else None


class Cursor:
    """Tokens, a position in them and the vocabulary they are read with."""

    def __init__(self, tokens: Sequence[str], vocabulary: lx.Vocabulary) -> None:
        self.t: List[str] = list(tokens)
        self.i = 0
        self.vocab = vocabulary
        self.heads: Tuple[str, ...] = ()   # the current target's categories
        self.notes: List[str] = []   # what the plan should say about how it was read
        self.both = False   # the anchor just read began with "both"
        #: the kind of the last distance read ("more than 50 m from the road and 100 m from
        #: the river": the second is "more than" too)
        self.last_metric: Optional[str] = None

    def say(self, note: str) -> None:
        """Add ``note`` to what the plan says of how the expression was read, once."""
        if note not in self.notes:
            self.notes.append(note)

    # -- rules of the grammar the other rule classes call ------------------------------
    def category_here(self) -> Optional[Tuple[str, int]]:
        """(category, words) of the object's name here, else None (:mod:`.parser`)."""
        raise NotImplementedError

    def anchor(self, counted: bool = False) -> Target:
        """The object a relation refers to (:mod:`.parser`)."""
        raise NotImplementedError

    def category_at(self, k: int) -> bool:
        """Whether an object's name begins ``k`` words on."""
        return self.category_found_at(k) is not None

    def category_within(self, most: int) -> bool:
        """Whether an object's name begins within ``most`` words on (1 to ``most``)."""
        return any(self.category_at(k) for k in range(1, most + 1))

    def category_found_at(self, k: int) -> Optional[Tuple[str, int]]:
        """:meth:`category_here` ``k`` words on; the position unchanged."""
        save = self.i
        self.i += k
        found = self.category_here()
        self.i = save
        return found

    def own_category_here(self) -> bool:
        """The name of a category of the target being read ("of the buildings", "the
        largest building"), consumed; else False."""
        own = self.category_here()
        if own is None or own[0] not in self.heads:
            return False
        self.i += own[1]
        return True

    # -- helpers ------------------------------------------------------------------------
    def peek(self, k: int = 0) -> Optional[str]:
        return self.word(self.i + k)

    def word(self, j: int) -> Optional[str]:
        """Word ``j`` of the text, None past its end."""
        return self.t[j] if j < len(self.t) else None

    def at(self, *words: str) -> bool:
        return tuple(self.t[self.i:self.i + len(words)]) == words

    def eat(self, *words: str) -> bool:
        if self.at(*words):
            self.i += len(words)
            return True
        return False

    def skip_fillers(self, keep: Sequence[str] = ()) -> None:
        self.i = self.after_fillers(self.i, keep)

    def after_fillers(self, j: int, keep: Sequence[str] = ()) -> int:
        """The position of the first word from ``j`` on that is not a filler (or is in
        ``keep``); the end if there is none."""
        while j < len(self.t) and self.t[j] in lx.FILLER_WORDS and self.t[j] not in keep:
            j += 1
        return j

    def snapshot(self) -> dict:
        """The parser's whole state (lists and mappings copied), for a reading tried and
        given up."""
        return {k: _copied(v) for k, v in vars(self).items()}

    def restore(self, state: dict) -> None:
        vars(self).update({k: _copied(v) for k, v in state.items()})

    def attempt(self, rule: Callable[[], Optional[T]],
                fits: Callable[[T], bool] = lambda _: True) -> Optional[T]:
        """What ``rule`` reads here, consumed; None, with the parser left as it was, if the
        words leave the grammar or what they say does not ``fit`` (a reading tried in place)."""
        state = self.snapshot()
        try:
            found = rule()
        except NotUnderstood:
            found = None
        if found is None or not fits(found):
            self.restore(state)
            return None
        return found

    def trial(self, rule: Callable[[], T], at: int) -> Tuple[Optional[T], int]:
        """What ``rule`` reads from word ``at`` and where it stops, with the parser left as it
        was (a look ahead); (None, at) if the words there leave the grammar."""
        state = self.snapshot()
        self.i = at
        try:
            return rule(), self.i
        except NotUnderstood:
            return None, at
        finally:
            self.restore(state)

    def fail(self, what: str) -> NotUnderstood:
        word = self.peek()
        return NotUnderstood(f"{what} at {word!r}" if word else f"{what} at the end")


def _copied(value: object) -> object:
    """A list or dict copied (one level), anything else as it is."""
    if isinstance(value, list):
        return list(value)
    return dict(value) if isinstance(value, dict) else value
