"""Slips of the keyboard: what an unknown word was meant to be, chosen by the plan it gives.

A typed word the vocabulary does not know may be a known word with one slip: two letters
swapped, one left out, one added (often doubled), one wrong (often a key beside the right
one). A word has many such neighbours ("thee": "the", "three"; "slong": "along", "long"), so
each slip has a cost (:func:`slip_cost`: how often hands make it) and the expression is
mended as a whole (:func:`mend`): of the readings of its unknown words, the one whose plan
leaves fewest words unknown, is grounded rather than sent whole, costs least and says most.
"busy rodas" becomes "busy roads" ("busy" is read through a rewrite once "roads" is there),
not "bus roads". The mended expression is offered, never run in the typed one's place.

``bench/typos.py`` measures it: every expression of the grounding's table typed with one slip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

#: the letter keys of a QWERTY keyboard, by row; each row sits half a key right of the one
#: above, so a key touches two keys of the row above and two of the row below
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
#: the words typed most often (the grounding's structure): of two readings as likely, these
VERY_COMMON = frozenset({"the", "of", "to", "and", "in", "on", "at", "by", "or", "a", "an",
                         "with", "near", "not", "from", "than", "all"})
COMMON_BONUS = 0.3   # taken off their slips' cost
#: a slip rarely changes a word's number: "tres" is "trees" rather than "tree"
NUMBER_COST = 0.1
#: two slips are read in words of this many letters or more, where one finds nothing (a short
#: word two slips from a known one is as likely another word: "boat", "coat")
TWO_SLIPS_FROM = 7
TWO_SLIPS_COST = 2.0
#: how many unknown words one expression has mended, and readings tried for each: the
#: search parses at most 2 x 6 x 7 expressions, whatever was typed
MAX_WORDS = 6
MAX_READINGS = 6
#: the unknown words of one expression looked at for slips at all (hostile text has thousands)
MAX_LOOKED_AT = 32
VOWELS = frozenset("aeiou")
#: prefixes that make a word its opposite: "irregularly" is no slip for "regularly", whatever
#: the letters say (a mend offered would reverse what was typed)
NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "non", "dis")


def _key_neighbours() -> Dict[str, frozenset]:
    out: Dict[str, set] = {c: set() for row in KEYBOARD_ROWS for c in row}
    for r, row in enumerate(KEYBOARD_ROWS):
        for i, c in enumerate(row):
            out[c].update(row[j] for j in (i - 1, i + 1) if 0 <= j < len(row))
            if r + 1 < len(KEYBOARD_ROWS):   # the row below is shifted right: i-1 and i
                below = KEYBOARD_ROWS[r + 1]
                for j in (i - 1, i):
                    if 0 <= j < len(below):
                        out[c].add(below[j])
                        out[below[j]].add(c)
    return {c: frozenset(n) for c, n in out.items()}


KEY_NEIGHBOURS = _key_neighbours()


def beside(a: str, b: str) -> bool:
    """Whether keys ``a`` and ``b`` touch on the keyboard."""
    return b in KEY_NEIGHBOURS.get(a, ())


def slip_cost(typed: str, meant: str) -> Optional[float]:
    """The cost of typing ``meant`` as ``typed`` with one slip (1 is a plain one, lower is
    likelier), None when it takes more than one or the slip is implausible for the length.

    Swapped neighbours, a letter left out, and a wrong letter whose key is beside the right
    one cost 1, and so does a vowel for another ("neer": "near"); a doubled letter 0.8 and a
    letter whose key is beside its neighbour's 1.0 (other added letters 1.2); any other
    wrong letter 1.6, in words of 6 letters or more only ("ships" is no slip for "shops" by
    its letters, the list of untaught objects says the rest: :data:`UNTAUGHT_OBJECTS`)."""
    if typed == meant or abs(len(typed) - len(meant)) > 1 or min(len(typed), len(meant)) < 2:
        return None
    if len(typed) == len(meant):
        diff = [i for i, (a, b) in enumerate(zip(typed, meant)) if a != b]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and (
                typed[diff[0]], typed[diff[1]]) == (meant[diff[1]], meant[diff[0]]):
            return 1.0
        if len(diff) != 1 or len(meant) < 3:
            return None
        a, b = typed[diff[0]], meant[diff[0]]
        if beside(a, b):
            return 1.0
        if a in VOWELS and b in VOWELS:
            return 1.0
        return 1.6 if len(meant) >= 6 else None
    if len(typed) > len(meant):                         # a letter added
        i = next((i for i, (a, b) in enumerate(zip(typed, meant)) if a != b), len(meant))
        if typed[:i] + typed[i + 1:] != meant:
            return None
        extra, around = typed[i], typed[max(i - 1, 0):i] + typed[i + 1:i + 2]
        if extra in around:
            return 0.8
        return 1.0 if any(beside(extra, c) for c in around) else 1.2
    if len(meant) < 3:                                  # a letter left out
        return None
    i = next((i for i, (a, b) in enumerate(zip(typed, meant)) if a != b), len(typed))
    return 1.0 if meant[:i] + meant[i + 1:] == typed else None


def readings(word: str, known: Iterable[str], limit: int = MAX_READINGS
             ) -> Tuple[Tuple[str, float], ...]:
    """The known words ``word`` may have been typed for, with their costs (less
    :data:`COMMON_BONUS` for one of :data:`VERY_COMMON`, more :data:`NUMBER_COST` for another
    number), likeliest first: cheapest, then of the typed length, then the longer. Not an
    abbreviation without a vowel ("hay" is no "hwy", "rde" no "rds"); a word of two letters
    only swapped or doubled ("ot", "inn"; "pit" is no "it", "ban" no "an"). Where one slip
    finds nothing, two in a word of :data:`TWO_SLIPS_FROM` letters or more ("biuldngs")."""
    known = [w for w in known if _may_mean(w) and not opposites(word, w)]
    found = [(w, cost - COMMON_BONUS * (w in VERY_COMMON)
              + NUMBER_COST * (_plural_looking(w) != _plural_looking(word))) for w in known
             if (cost := slip_cost(word, w)) is not None
             and (len(w) > 2 or cost < 1 or len(w) == len(word))]
    if not found and len(word) >= TWO_SLIPS_FROM:   # "biuldngs": a swap and a letter left out
        found = [(w, TWO_SLIPS_COST) for w in known
                 if len(w) >= TWO_SLIPS_FROM - 1 and _two_slips(word, w)]
    found.sort(key=lambda wc: (wc[1], len(wc[0]) != len(word), -len(wc[0]), wc[0]))
    return tuple(found[:limit])


def _two_slips(typed: str, meant: str) -> bool:
    """Whether ``typed`` is ``meant`` with two slips (letters swapped, added, left out or
    wrong; the optimal string alignment distance is 2), by a dynamic programme that stops
    at the first row whose every cell is over 2."""
    if abs(len(typed) - len(meant)) > 2:
        return False
    prev2: List[int] = []
    prev = list(range(len(meant) + 1))
    for i in range(1, len(typed) + 1):
        row = [i] + [0] * len(meant)
        for j in range(1, len(meant) + 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1,
                         prev[j - 1] + (typed[i - 1] != meant[j - 1]))
            if (i > 1 and j > 1 and typed[i - 1] == meant[j - 2]
                    and typed[i - 2] == meant[j - 1]):
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > 2:
            return False
        prev2, prev = prev, row
    return prev[-1] == 2


@dataclass(frozen=True)
class Reading:
    """How a mended expression reads: its unknown words, its mode, and, grounded, its plan's
    summary (of two readings alike, the one that says more: "white car", not "quite car")."""

    unknown: Tuple[str, ...]
    mode: str
    summary: str

    def rank(self, cost: float) -> Tuple[int, bool, float, int]:
        return len(self.unknown), self.mode != "grounded", cost, -len(self.summary)


def mend(text: str, unknown: Sequence[str],
         options: Callable[[str], Tuple[Tuple[str, float], ...]],
         read: Callable[[str], Reading],
         rewrite: Callable[[str, Dict[str, str]], str]) -> Dict[str, str]:
    """The slips to mend in ``text``: unknown word -> the word meant, for the reading of the
    whole expression that leaves fewest words unknown, is grounded if any is, costs least
    (keeping a word as typed costs nothing) and says most (:class:`Reading`).
    ``options(word)``: its readings (:func:`readings`); ``read(text)``: how the text reads;
    ``rewrite(text, slips)``: ``text`` with the slips mended (:func:`~.parser.mended`).
    Searched one word at a time, from each word's likeliest reading, twice over: at most
    ``2 * MAX_WORDS * (MAX_READINGS + 1)`` reads, whatever was typed; words after the first
    :data:`MAX_WORDS` take their likeliest reading."""
    found = {w: options(w) for w in list(dict.fromkeys(unknown))[:MAX_LOOKED_AT]}
    every = [w for w, read in found.items() if read]
    words, rest = every[:MAX_WORDS], every[MAX_WORDS:]   # the rest: by their likeliest reading
    if not words:
        return {}
    choices: List[List[Tuple[Optional[str], float]]] = [
        [(None, 0.0)] + list(found[w]) for w in words]
    scores: Dict[Tuple[int, ...], Tuple[int, bool, float, int]] = {}

    def score(picks: Tuple[int, ...]) -> Tuple[int, bool, float, int]:
        if picks not in scores:
            slips = {w: choices[k][p][0] for k, (w, p) in enumerate(zip(words, picks)) if p}
            reading = read(rewrite(text, slips) or text) if slips else read(text)
            scores[picks] = reading.rank(sum(choices[k][p][1] for k, p in enumerate(picks)))
        return scores[picks]

    best = tuple(1 for _ in words)
    for _ in range(2):
        for k in range(len(words)):
            for p in range(len(choices[k])):
                picks = best[:k] + (p,) + best[k + 1:]
                if score(picks) < score(best):
                    best = picks
    chosen = {w: choices[k][p][0] for k, (w, p) in enumerate(zip(words, best)) if p}
    return {**chosen, **{w: found[w][0][0] for w in rest}}


def opposites(a: str, b: str) -> bool:
    """Whether one word is the other with a negating prefix ("regular", "irregular";
    "paved", "unpaved")."""
    return any(a == p + b or b == p + a for p in NEGATING_PREFIXES)


def _may_mean(word: str) -> bool:
    """Whether a slip may have been meant as ``word``: not an abbreviation ("hwy", "rds")."""
    return bool(VOWELS & set(word)) or word in ("by", "gym", "gyms")


def _plural_looking(word: str) -> bool:
    return word.endswith("s") and not word.endswith("ss")


def plural_forms(word: str) -> Tuple[str, ...]:
    """The regular plurals a singular name may be typed in (the inverse of
    :func:`~.lexicon.singular` for regular nouns): "road" -> "roads", "bush" -> "bushes"."""
    if word.endswith(("s", "x", "ch", "sh")):
        return (word + "es",)
    if word.endswith("y") and len(word) > 2 and word[-2] not in VOWELS:
        return (word[:-1] + "ies",)
    return (word + "s",)

