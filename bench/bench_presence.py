"""The presence decision measured with a calibrated threshold: demo sample and held-out val images.

    .venv/bin/python bench/bench_presence.py --presence runs/presence.json \
        [--model resources/models/lgce-lite.safetensors] [--datasets runs/data] [--holdout 8]

``--presence`` is the report of ``python -m rrsis.training.calibrate_presence`` (its
calibration sample is excluded from the held-out images: same ``--max-images`` and seed).
The model is copied to a temporary folder with the presence block in its card (the
original is never touched) and run with torch. Prints:

1. the demo sample (``resources/samples/kampala_oam.tif``): polygons per expression for
   "buildings" (present), absent categories (grounding as usual) and gibberish / unknown
   nouns sent to the model end to end (``grounding off``; with grounding on they never
   reach it): how many yield no polygon;
2. the presence statistic of the demo expressions with ONNX Runtime and with torch
   (shipped graphs; presence check off): they must agree;
3. held-out val images (``--holdout`` per folder, not in the calibration sample): kept and
   rejected shares per kind at the calibrated threshold.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "backend"))

from rrsis.engine.run import ModelCache, SegmentOptions, segment  # noqa: E402
from rrsis.models.card import read_card, write_card  # noqa: E402
from rrsis.training.calibrate_presence import (KINDS_NEGATIVE, collect, gibberish,  # noqa: E402
                                               rates, read_presence)

SAMPLE = REPO / "resources" / "samples" / "kampala_oam.tif"
PRESENT = ["buildings"]
ABSENT = ["water", "the river", "swimming pools", "buses", "bikeway"]  # none on this sample
UNKNOWN = ["ships", "boats", "icebergs", "xqzv blorf wugga"]


def model_with_presence(model: Path, presence: Dict[str, Any], folder: Path) -> Path:
    """A copy of ``model`` whose card carries ``presence`` and no ONNX graphs (torch runs)."""
    copy = folder / model.name
    shutil.copyfile(model, copy)
    card = read_card(copy)
    card.pop("onnx", None)
    card["presence"] = presence
    write_card(copy, card)
    return copy


def demo(model: Path, threads: int, tmp: Path) -> List[Dict[str, Any]]:
    rng = random.Random(0)
    e2e = UNKNOWN + [gibberish(rng) for _ in range(8)]
    rows = []
    cache = ModelCache()
    for exprs, grounding in ((PRESENT + ABSENT, "auto"), (e2e, "off")):
        res = segment(SegmentOptions(raster=str(SAMPLE), expressions=exprs,
                                     output=str(tmp / "demo.gpkg"), model=str(model),
                                     device="cpu", runtime="torch", threads=threads,
                                     grounding=grounding, overwrite=True), models=cache)
        for e in exprs:
            rep = res.plans[e]
            rows.append({"expression": e, "grounding": grounding,
                         "kind": "present" if e in PRESENT else "absent" if e in ABSENT
                         else "unknown/gibberish", "polygons": res.feature_counts[e],
                         "presence": (rep.get("presence") or {}).get("value"),
                         "message": rep["messages"][-1] if rep["messages"] else ""})
    return rows


def runtimes_agree(model: Path, threads: int, tmp: Path) -> List[Dict[str, Any]]:
    exprs = PRESENT + ["water", "buses"]
    out: Dict[str, Dict[str, float]] = {}
    for runtime in ("onnx", "torch"):
        res = segment(SegmentOptions(raster=str(SAMPLE), expressions=exprs,
                                     output=str(tmp / f"{runtime}.gpkg"), model=str(model),
                                     device="cpu", runtime=runtime, threads=threads,
                                     presence_check=False, overwrite=True))
        out[runtime] = {e: res.plans[e]["presence"]["value"] for e in exprs}
        stat = res.plans[exprs[0]]["presence"]["statistic"]
    return [{"expression": e, "statistic": stat, "onnx": out["onnx"][e], "torch": out["torch"][e]}
            for e in exprs]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--presence", required=True, help="calibration report (JSON)")
    p.add_argument("--model", default=str(REPO / "resources/models/lgce-lite.safetensors"))
    p.add_argument("--datasets", default=str(REPO / "runs/data"))
    p.add_argument("--holdout", type=int, default=8, help="held-out val images per folder")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    report = json.loads(Path(args.presence).read_text())
    presence = read_presence(Path(args.presence))
    stat, thr, groups = presence["statistic"], presence.get("threshold"), presence.get("groups")
    rule = ", ".join(([f"{stat} >= {thr:.4f}"] if thr is not None else [])
                     + [f"{g}: {stat} >= {t:.4f}" for g, t in (groups or {}).items()])
    print(f"presence rule: {rule} (calibrated on "
          f"{presence.get('max_images_per_folder')} val images per folder)\n")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        model = model_with_presence(Path(args.model), presence, tmp)
        rows = demo(model, args.threads, tmp)
        print("| expression | grounding | kind | polygons | presence | last message |\n"
              "|---|---|---|---|---|---|")
        for r in rows:
            val = "-" if r["presence"] is None else f"{r['presence']:.3f}"
            print(f"| {r['expression']} | {r['grounding']} | {r['kind']} | {r['polygons']} | "
                  f"{val} | {r['message']} |")
        neg = [r for r in rows if r["kind"] != "present"]
        print(f"\ndemo sample: {sum(r['polygons'] == 0 for r in neg)} of {len(neg)} absent / "
              f"unknown / gibberish expressions yield no polygon; 'buildings': "
              f"{rows[0]['polygons']} polygons\n")
        print("| expression | statistic | presence, ONNX Runtime | presence, torch |\n"
              "|---|---|---|---|")
        for r in runtimes_agree(Path(args.model), args.threads, tmp):
            print(f"| {r['expression']} | {r['statistic']} | {r['onnx']:.4f} | "
                  f"{r['torch']:.4f} |")
        if args.holdout and Path(args.datasets).is_dir():
            cases = collect(str(model), Path(args.datasets),
                            presence.get("max_images_per_folder"), 0, "torch", args.threads,
                            holdout=args.holdout)
            print(f"\nheld-out val images ({args.holdout} per folder, not in the calibration "
                  "sample):\n\n| source | present kept | " +
                  " | ".join(f"{k} rejected" for k in KINDS_NEGATIVE) + " |\n" + "|---" * 5 + "|")
            for source in sorted({c.source for c in cases}) + ["all"]:
                kinds = rates([c for c in cases if source in ("all", c.source)], stat, thr,
                              groups)
                cells = [f"{kinds['present']['kept']:.0%} of {kinds['present']['n']}"
                         if "present" in kinds else "-"]
                cells += [f"{kinds[k]['rejected']:.0%} of {kinds[k]['n']}" if k in kinds
                          else "-" for k in KINDS_NEGATIVE]
                print(f"| {source} | " + " | ".join(cells) + " |")
    print(f"\n{time.perf_counter() - t0:.0f} s; calibration report {args.presence} "
          f"({report.get('wall_time_s')} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
