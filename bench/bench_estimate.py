"""How close ``estimate()`` comes to the run it predicts, per kind of expression.

On the bundled demo sample with the default model: for each expression, the estimate (in
its own process, as ``rrsis estimate`` runs it), then the run (``rrsis segment``), and the
run's own ``timings.total`` beside the estimated seconds. Plain nouns cost their inference;
"anything red" and "anything near the road" also make and select many objects (colour
reads, occlusion rings), which the estimate measures on its calibration tiles.

    .venv/bin/python bench/bench_estimate.py [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "resources" / "samples" / "kampala_oam.tif"
EXPRESSIONS = ("buildings", "cars", "buildings next to the road", "anything red",
               "anything near the road")


def _json(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "rrsis", *args, "--json"], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=1, help="runs of each expression")
    args = p.parse_args()
    print(f"{'expression':<28} {'estimated s':>11} {'run s':>7} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for expr in EXPRESSIONS:
            for _ in range(args.runs):
                est = _json("estimate", str(SAMPLE), expr)
                run = _json("segment", str(SAMPLE), expr, "-o", str(Path(tmp) / "o.gpkg"),
                            "--overwrite")
                took = float(run["timings"]["total"])
                print(f"{expr:<28} {est['seconds']:>11.1f} {took:>7.1f} "
                      f"{est['seconds'] / took:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
