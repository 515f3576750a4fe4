"""``rrsis demo`` (``make demo``): the default model on the bundled sample, polygons and an
overlay PNG; errors reach the user the way every other command's do (one line on stderr)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import demo


def add_arguments_demo(p: argparse.ArgumentParser) -> None:
    defaults = list(demo.DEMO_EXPRESSIONS)
    p.add_argument("expressions", nargs="*", default=defaults, metavar="EXPRESSION",
                   help=f"expressions to run (default: {', '.join(map(repr, defaults))})")
    p.add_argument("--out", default="out/demo", help="output folder (default: out/demo)")
    p.add_argument("--model", default=None, help="model name or checkpoint (default: lgce-lite)")
    p.add_argument("--raster", default=None,
                   help="raster to run on (default: resources/samples/kampala_oam.tif)")
    p.add_argument("--device", default="cpu", help="cpu (default), cuda or auto")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: torch's)")


def run_demo(args: argparse.Namespace) -> int:
    report = demo.run_demo(Path(args.out), args.model, Path(args.raster) if args.raster else None,
                           args.expressions, args.device, args.threads)
    print(f"sample: {report['raster']}")
    for r in report["runs"]:  # type: ignore[union-attr]
        t = r["timings"]
        print(f"  {r['expression']!r}: {r['objects']} polygons -> {r['output']}  "
              f"({r['tiles']} tiles at {r['gsd_m']:g} m; wall {r['wall_s']:.2f} s; "
              + ", ".join(f"{k} {v:.2f} s" for k, v in t.items()) + ")")
        plan = r.get("plan") or {}
        if plan:
            print(f"    plan: {plan['plan']}" + "".join(f"; {m}" for m in plan["messages"]))
    score = report.get("footprints")
    if score:
        print(f"  'buildings' against the sample's {score['footprints']} OSM footprints: "
              f"polygon IoU {score['iou']:.3f}, {score['found']} found (IoU >= 0.5)")
    print(f"overlay: {report['overlay']}")
    return 0
