"""Slips of the keyboard: how often the mended expression the grounding offers is the one meant.

    .venv/bin/python bench/typos.py [--seed 7] [--show 10]

Every expression of the table (``tests/backend/grounding/expressions.tsv``) that the grounding
reads is typed again with one slip in one of its words of three letters or more, as hands
make them: two letters swapped, one left out, one doubled, one wrong (a neighbour on the
keyboard); and once more with two such slips in one of its words of seven letters or more.
A slip that makes another known word ("car" for "cars") is counted apart: nothing tells it
from what was meant. Prints, per kind of slip and per length of the word, how many of the
typed expressions are offered a mended expression (``Plan.corrected``) whose plan is the one
the code gives the expression meant ("right"), another plan ("wrong"), or nothing ("none");
``--show`` examples of each failure; and how many real words the vocabulary does not know
are offered a reading all the same (false alarms).
Quality, not speed: the counts do not depend on the machine.
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "backend"))

from rrsis.grounding import parse  # noqa: E402
from rrsis.grounding.lexicon import BASE_VOCABULARY  # noqa: E402

TABLE = REPO / "tests" / "backend" / "grounding" / "expressions.tsv"
KINDS = ("swap", "drop", "double", "wrong")
#: real words for things seen from above, typed as meant, that no vocabulary here knows: a
#: reading offered for one is a false alarm. Written by hand in two lists (the first before
#: ``lexicon.UNTAUGHT_OBJECTS`` was drawn up, which took words from it; the second after)
REAL_WORDS = (
    "harbour port courtyard playground tennis court stadium airport runway bridge pier dock "
    "quay canal pond farm barn crop field orchard vineyard greenhouse warehouse factory church "
    "mosque temple garden lawn hedge shrub palm pine oak forest jungle desert beach dune cliff "
    "hill mountain valley slope terrace stairs steps roof dome pool fountain statue monument "
    "cemetery grave tomb hospital school parking garage driveway alley lane path trail "
    "sidewalk crosswalk zebra marking arrow line circle square triangle shadow dirt mud gravel "
    "asphalt concrete tile brick metal glass wood plastic solar panel wind mill tower pole "
    "wire cable pipe tank silo container crate pallet truck trailer tractor excavator "
    "bulldozer crane ship boat kayak swimmer person dog cat bird nest",
    "lake pond marsh swamp reef island bay coast shore wave surf boat marina harbor wharf "
    "lighthouse barrier gate bollard hydrant kiosk stall market tent booth shed barn coop "
    "stable pen corral paddock pasture meadow hay bale straw haystack furrow ditch trench dam "
    "weir levee dike embankment berm mound pit quarry mine heap pile dump landfill scrap junk "
    "debris rubble ruin crater hole gap crack pothole puddle flood stream creek brook spring "
    "well pump valve meter pylon beacon mast flag banner billboard poster mural graffiti chalk "
    "paint stripe curb kerb gutter drain sewer manhole grate vent duct fan unit cooler heater "
    "boiler chimney stack flue spire tower clock bell cross")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def neighbours(letter: str) -> str:
    """The letters beside ``letter`` on a QWERTY keyboard, in its row."""
    for row in _ROWS:
        i = row.find(letter)
        if i >= 0:
            return row[max(i - 1, 0):i] + row[i + 1:i + 2]
    return ""


def slipped(word: str, kind: str, rng: random.Random) -> Optional[str]:
    """``word`` typed with one slip of ``kind``; None when the word allows none."""
    i = rng.randrange(len(word))
    if kind == "swap":
        i = min(i, len(word) - 2)
        out = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    elif kind == "drop":
        out = word[:i] + word[i + 1:]
    elif kind == "double":
        out = word[:i] + word[i] + word[i:]
    else:
        near = neighbours(word[i])
        if not near:
            return None
        out = word[:i] + rng.choice(near) + word[i + 1:]
    return out if out != word else None


def two_slips(word: str, rng: random.Random) -> Optional[str]:
    """``word`` typed with two slips of kinds drawn at random (words of 7 letters or more)."""
    once = slipped(word, rng.choice(KINDS), rng)
    return slipped(once, rng.choice(KINDS), rng) if once else None


def typed_expressions(seed: int) -> Iterator[Tuple[str, str, str, str, str]]:
    """(kind, word, expression typed, expression meant, its plan) for the table's grounded
    rows: each row once per kind, the slipped word drawn among its alphabetic words of 3
    letters or more."""
    rng = random.Random(seed)
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        meant = line.split("\t")[0]
        summary = parse(meant).summary()   # the plan meant, as the code under test reads it
        if not summary.startswith("grounded"):
            continue
        words = [m for m in re.finditer(r"[A-Za-z]+", meant) if len(m.group(0)) >= 3]
        if not words:
            continue
        for kind in KINDS + ("two slips",):
            m = rng.choice(words)
            typo = slipped(m.group(0), kind, rng) if kind != "two slips" else \
                two_slips(m.group(0), rng) if len(m.group(0)) >= 7 else None
            if typo is not None:
                yield (kind, m.group(0), meant[:m.start()] + typo + meant[m.end():],
                       meant, summary)


def typo_of(typed: str, meant: str) -> str:
    """The slipped word of ``typed`` (the first word that differs from ``meant``), lower case."""
    for a, b in zip(re.findall(r"[A-Za-z]+", typed), re.findall(r"[A-Za-z]+", meant)):
        if a != b:
            return a.lower()
    return ""


def length_band(word: str) -> str:
    return "3 letters" if len(word) <= 3 else "4-5 letters" if len(word) <= 5 else "6+ letters"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", type=int, default=10, help="examples of each failure")
    args = parser.parse_args(argv)

    counts: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    failures: Dict[str, List[str]] = collections.defaultdict(list)
    for kind, word, typed, meant, summary in typed_expressions(args.seed):
        if BASE_VOCABULARY.known_word(re.sub(r"[^a-z]", "", typo_of(typed, meant))):
            counts["a known word"]["typed"] += 1   # "car" for "cars": nothing to mend
            continue
        offered = parse(typed).corrected
        outcome = ("none" if not offered else
                   "right" if parse(offered).summary() == summary else "wrong")
        for key in ("all", kind, length_band(word)):
            counts[key][outcome] += 1
        if outcome != "right":
            failures[outcome].append(f"{typed!r} -> {offered!r} (meant {meant!r})")

    print(f"{'slips':<12} {'typed':>6} {'right':>6} {'wrong':>6} {'none':>6}")
    print(f"(left out: {counts['a known word']['typed']} typed expressions whose slip made "
          "another known word, as 'car' for 'cars')")
    for key in ("all",) + KINDS + ("two slips", "3 letters", "4-5 letters", "6+ letters"):
        c = counts[key]
        n = sum(c.values())
        if n:
            print(f"{key:<12} {n:>6} " + " ".join(f"{100 * c[o] / n:>5.1f}%"
                                                 for o in ("right", "wrong", "none")))
    for outcome in ("wrong", "none"):
        for example in failures[outcome][:args.show]:
            print(f"  {outcome}: {example}")
    for n, words in enumerate(REAL_WORDS, 1):
        unknown = [w for w in dict.fromkeys(words.split()) if not BASE_VOCABULARY.known_word(w)]
        alarms = [f"{w} -> {parse('the ' + w).corrected[4:]}" for w in unknown
                  if parse("the " + w).corrected]
        print(f"real words, list {n}: {len(alarms)} of the {len(unknown)} unknown offered a "
              f"reading" + (": " + ", ".join(alarms) if alarms else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
