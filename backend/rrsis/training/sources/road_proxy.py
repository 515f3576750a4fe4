"""How well roads are found on street scenes, where no road is labelled: the vehicles tell.

    python -m rrsis.training.sources.road_proxy --model lgce-lite --data-root ../shared/data \
        --out runs/road-proxy.json

The only road labels in ``shared/data`` are Dubai's 1 m land cover, so the validation split
says nothing about roads on drone imagery. The held-out street frames of the car source
(KIT ``MOS74-93`` at 0.13 m, Minsk ``DJI_0762`` at 0.06 m; :mod:`.cars`) have no road
masks, but every labelled vehicle in them stands on a street. So the engine segments "the
road" on each whole frame (pixel coordinates, the frame's own pixel size, the road served at
each GSD asked for) and this counts the vehicle centres within :data:`NEAR_M` of the road
mask against the share of the frame within that distance of it: a road mask that follows the
streets holds nearly every vehicle in a fraction of the frame; one no better than chance
holds the same share of vehicles as of the frame ("lift" 1).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ...errors import InputError, run_tool
from ..tool_args import markdown_table, write_report
from .cars import labelled_frames, read_boxes

__all__ = ["NEAR_M", "frames", "grow", "measure", "markdown", "main"]

#: a vehicle "on" the road mask: its centre within this many metres of it (half a car's
#: length and a little: a car occludes the asphalt it stands on)
NEAR_M = 4.0
GSDS_M: Tuple[float, ...] = (0.34, 0.45, 0.6)
THRESHOLDS: Tuple[float, ...] = (0.3, 0.5)


def frames(data_root: Path) -> List[Tuple[Path, float]]:
    """The held-out street frames with their boxes, each with its source GSD."""
    folder = data_root / "aerial-cars"
    if not folder.is_dir():
        raise InputError(f"no aerial-cars folder in {data_root}")
    return [(path, gsd) for path, _, split, gsd in labelled_frames(folder) if split == "val"]


def grow(mask: np.ndarray, pixels: int) -> np.ndarray:
    """``mask`` grown by ``pixels`` steps of its four neighbours (a diamond)."""
    grown = mask.copy()
    for _ in range(pixels):
        step = grown.copy()
        step[1:] |= grown[:-1]
        step[:-1] |= grown[1:]
        step[:, 1:] |= grown[:, :-1]
        step[:, :-1] |= grown[:, 1:]
        grown = step
    return grown


def measure(model: str, data_root: Path, gsds: Sequence[float] = GSDS_M,
            thresholds: Sequence[float] = THRESHOLDS, threads: int = 2) -> Dict[str, Any]:
    """Per served GSD and threshold: vehicles near the road mask, and the frame near it."""
    import rasterio
    from PIL import Image

    from ...engine.model_cache import ModelCache
    from ...engine.options import SegmentOptions
    from ...engine.run import segment

    models = ModelCache()
    counts = {(g, t): [0, 0, 0.0] for g in gsds for t in thresholds}   # near, vehicles, area
    found = frames(data_root)
    for path, pixel_m in found:
        with Image.open(path) as im:
            w, h = im.size
        centres = [((x0 + x1) / 2, (y0 + y1) / 2)
                   for _, x0, y0, x1, y1 in read_boxes(path.with_suffix(".txt"), w, h)]
        for g in gsds:
            with tempfile.TemporaryDirectory() as tmp:
                prob = str(Path(tmp) / "road.tif")
                segment(SegmentOptions(raster=str(path), expressions=["the road"],
                                       output=str(Path(tmp) / "road.gpkg"), model=model,
                                       pixel_coordinates=True, pixel_size_m=pixel_m, gsd_m=g,
                                       probability=prob, probability_dtype="float32",
                                       threads=threads), models=models)
                with rasterio.open(prob) as src:
                    p, inverse = src.read(1), ~src.transform
            for t in thresholds:
                near = grow(p >= t, int(round(NEAR_M / g)))
                at = [inverse * c for c in centres]
                c = counts[(g, t)]
                c[0] += sum(bool(near[min(int(r), near.shape[0] - 1),
                                      min(int(k), near.shape[1] - 1)]) for k, r in at)
                c[1] += len(centres)
                c[2] += float(near.mean())
    rows = []
    for (g, t), (near_n, n, area) in counts.items():
        share, frame = near_n / max(n, 1), area / max(len(found), 1)
        rows.append({"gsd_m": g, "threshold": t, "vehicles": n,
                     "vehicles_near_road": round(share, 4), "frame_near_road": round(frame, 4),
                     "lift": round(share / frame, 3) if frame else None})
    return {"frames": len(found), "near_m": NEAR_M, "rows": rows,
            "measure": "rrsis.training.sources.road_proxy: vehicle centres within near_m of "
                       "'the road' on the held-out street frames of the car source"}


def markdown(block: Dict[str, Any]) -> str:
    """The block as a Markdown table."""
    lines = markdown_table(
        ["road served at", "probability >=", f"vehicle centres within {block['near_m']:g} m",
         "frame within it", "lift"],
        ([f"{r['gsd_m']:g} m", f"{r['threshold']:g}",
          f"{100 * r['vehicles_near_road']:.1f} % of {r['vehicles']}",
          f"{100 * r['frame_near_road']:.1f} %", r["lift"]] for r in block["rows"]))
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--model", default="lgce-lite", help="model name or checkpoint")
    p.add_argument("--data-root", default="../shared/data", help="the shared data folder")
    p.add_argument("--out", required=True, help="JSON report (written via a temporary name)")
    p.add_argument("--gsd", type=float, nargs="+", default=list(GSDS_M),
                   help="GSDs to serve the road at (m)")
    p.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    args = p.parse_args(argv)
    return run_tool(lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    block = measure(args.model, Path(args.data_root), args.gsd, threads=args.threads)
    write_report(args.out, "road_proxy", block, Path(args.model), started)
    print(markdown(block), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
