"""Reading expressions: the parser's time on the table of expressions and on hostile input;
and selecting by relations to each anchor object in a crowded scene.

    .venv/bin/python bench/bench_grounding.py [--repeat 2000] [--objects 1500]

An expression is read on every run, by the dock as it is typed (the plan line) and by the
server and the CLI, so reading must stay far below a model's time. Prints:

1. the table of expressions (``tests/backend/grounding/expressions.tsv``): the median and
   the slowest read, in milliseconds;
2. hostile input: every word of the rewrites of :mod:`rrsis.grounding.tokens` repeated
   ``--repeat`` times (alone, with "the", after "buildings"), the slowest five reads; a
   rewrite that backtracks over the whole text shows here in seconds (one did until commit
   d4b2765 bounded it);
3. ranks kept for each anchor object ("the car nearest to each building") over ``--objects``
   random buildings and as many cars in a 2 km square: seconds per expression (every
   building measured against every car took 11.5 s for 1,500 of each on a 2-core VM,
   2026-12-06, before the nearest were looked for in a growing reach: 0.36 s).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, List, Tuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "backend"))

from rrsis.grounding import parse  # noqa: E402
from rrsis.grounding.execute import Scene, execute  # noqa: E402
from rrsis.grounding.tokens import REWRITES  # noqa: E402

TABLE = REPO / "tests" / "backend" / "grounding" / "expressions.tsv"


def seconds(read: Callable[[str], object], text: str) -> float:
    started = time.perf_counter()
    read(text)
    return time.perf_counter() - started


def table_times() -> List[float]:
    rows = [line.split("\t")[0] for line in TABLE.read_text("utf-8").splitlines()
            if line and not line.startswith("#")]
    return [seconds(parse, text) for text in rows]


def hostile_times(repeat: int) -> List[Tuple[float, str]]:
    words = sorted({w.lower() for pattern, _ in REWRITES   # the words, not \b or \s
                    for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"\\[A-Za-z]", " ", pattern))})
    return [(seconds(parse, text), text[:40]) for w in words
            for text in (f"{w} " * repeat, f"{w} the " * (repeat * 2 // 3),
                         f"buildings {w} " * (repeat * 2 // 3))]


#: ranks kept for each anchor object, and one over all of them for comparison
EACH = ("the car nearest to each building", "the 2 nearest cars to each building",
        "the building nearest to each building", "the car nearest to the building")


def each_times(objects: int) -> List[Tuple[float, str]]:
    import random

    from shapely.geometry import Point, box

    rnd = random.Random(0)
    corners = [(rnd.uniform(0, 2000), rnd.uniform(0, 2000)) for _ in range(2 * objects)]
    scene = Scene({"building": [box(x, y, x + 10, y + 8) for x, y in corners[:objects]],
                   "car": [Point(x, y).buffer(2.0, 16) for x, y in corners[objects:]]},
                  (0.0, 0.0, 2000.0, 2000.0))
    return [(seconds(lambda text: execute(parse(text), scene), text), text) for text in EACH]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=2000, help="words of hostile input")
    ap.add_argument("--objects", type=int, default=1500,
                    help="buildings (and cars) of the scene ranked to each anchor")
    args = ap.parse_args()
    times = table_times()
    print(f"table: {len(times)} expressions, median {1000 * statistics.median(times):.2f} ms, "
          f"slowest {1000 * max(times):.1f} ms")
    worst = sorted(hostile_times(args.repeat), reverse=True)[:5]
    print(f"hostile input ({args.repeat} repeated words), slowest five:")
    for took, text in worst:
        print(f"  {took:6.3f} s  {text!r}...")
    print(f"ranks to each anchor ({args.objects} buildings, {args.objects} cars):")
    for took, text in each_times(args.objects):
        print(f"  {took:6.3f} s  {text!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
