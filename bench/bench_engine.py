"""Engine benchmarks (``make bench``): end-to-end seconds per km2 and peak RSS in raster size.

Prints, on this machine:

1. end-to-end ``segment()`` seconds for a synthetic 0.2 m GSD raster with the default
   model (``lgce-lite``; its trained checkpoint when ``find_model()`` finds it, else the
   same architecture with random weights, said so), scaled to seconds per km2, next to
   what ``estimate()`` predicted beforehand;
2. peak RSS of a fresh process segmenting square rasters of 1k, 8k and 32k pixels
   (generated on the fly, tiled and compressed). To keep the run short these use the
   tiny test model on one thread and a working GSD that caps the working grid at
   ``--rss-grid`` pixels a side (the whole raster is still read, resampled and streamed);
   ``--rss-grid 0`` runs at the raster's own resolution (hours at 32k).

Targets (issue 4): <= 60 s per km2 at 0.2 m on 2 CPU cores with the default model, and
peak memory flat in raster size (<= 2 GB).

    .venv/bin/python bench/bench_engine.py                 # everything
    .venv/bin/python bench/bench_engine.py --skip-rss      # only seconds per km2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Tuple

import numpy as np


def _synthetic_raster(path: Path, size: int, gsd: float, seed: int = 0) -> None:
    """An RGB uint8 raster, tiled + deflate, written in strips: smooth ground with bright
    rectangles ("roofs", "cars") so that there is something to segment and compress."""
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    rng = np.random.default_rng(seed)
    profile = dict(driver="GTiff", width=size, height=size, count=3, dtype="uint8",
                   crs="EPSG:32633", transform=from_origin(500_000.0, 5_000_000.0, gsd, gsd),
                   tiled=True, blockxsize=512, blockysize=512, compress="deflate",
                   BIGTIFF="IF_SAFER")
    strip = 512
    xs = np.arange(size, dtype=np.float32)
    with rasterio.open(path, "w", **profile) as dst:
        for r0 in range(0, size, strip):
            h = min(strip, size - r0)
            ys = np.arange(r0, r0 + h, dtype=np.float32)[:, None]
            base = 90 + 30 * np.sin(xs[None, :] / 37.0) * np.cos(ys / 53.0)
            img = np.repeat(base[None], 3, axis=0)
            for _ in range(max(1, size * h // 40_000)):
                rr, cc = rng.integers(0, h), rng.integers(0, size)
                hh, ww = rng.integers(5, 40), rng.integers(5, 40)
                img[:, rr:rr + hh, cc:cc + ww] = rng.integers(150, 255, size=(3, 1, 1))
            dst.write(img.clip(0, 255).astype(np.uint8), window=Window(0, r0, size, h))


def _default_model(tmp: Path) -> Tuple[str, str]:
    """(model argument, description): the trained default, else an untrained one."""
    from rrsis.errors import RrsisError
    from rrsis.models.catalog import DEFAULT_MODEL, find_model

    try:
        path = find_model(None)
        return str(path), f"{DEFAULT_MODEL} (trained checkpoint {path})"
    except RrsisError:
        pass
    from rrsis.models import create_model
    from rrsis.models.checkpoint import save_checkpoint

    for name in (DEFAULT_MODEL, "test-lgce-tiny"):
        try:
            path = tmp / f"{name}-untrained.safetensors"
            save_checkpoint(create_model(name), path, card={"name": f"{name}-untrained"})
            return str(path), (f"{name} with RANDOM weights (no trained checkpoint found; "
                               "speed is the architecture's, outputs are meaningless)")
        except Exception as exc:  # noqa: BLE001 - report and fall back
            print(f"  could not build {name}: {exc}")
    raise SystemExit("no model could be built")


def bench_km2(args: argparse.Namespace, tmp: Path) -> None:
    import torch

    from rrsis.engine.run import ModelCache, SegmentOptions, estimate, segment

    model, what = _default_model(tmp)
    size = args.area_px
    raster = tmp / "area.tif"
    _synthetic_raster(raster, size, 0.2)
    km2 = (size * 0.2) ** 2 / 1e6
    cache = ModelCache()
    # one segmented phrase: the engine's throughput (grounded, this expression segments
    # "vehicles", "road" and, with grounding auto, itself: see docs/grounding.md#cost)
    opts = SegmentOptions(raster=str(raster), expressions=["vehicles along the road"],
                          output=str(tmp / "area.gpkg"), model=model, device=args.device,
                          threads=args.threads, batch_size=args.batch_size, grounding="off")
    est = estimate(opts, models=cache)
    t0 = time.perf_counter()
    res = segment(opts, models=cache)
    seconds = time.perf_counter() - t0
    print(f"\n== end to end at 0.2 m GSD ({size} x {size} px = {km2:.4f} km2) ==")
    print(f"model: {what}")
    print(f"device {res.device}, torch threads {torch.get_num_threads()}, batch {args.batch_size}"
          f", working grid {res.width_px} x {res.height_px} px at {res.gsd_m:g} m, "
          f"{res.tiles} tiles ({res.tiles_skipped} skipped)")
    print(f"estimate said {est.seconds:.1f} s, {est.peak_memory_mb:.0f} MB; "
          f"took {seconds:.1f} s ({json.dumps(res.timings)})")
    print(f"RESULT seconds per km2 at 0.2 m: {seconds / km2:.0f} s/km2 (target <= 60)")
    print(f"RESULT per tile: {res.timings['infer'] / max(1, res.tiles) * 1000:.0f} ms inference, "
          f"{seconds / max(1, res.tiles) * 1000:.0f} ms end to end; "
          f"peak RSS of this process so far {_peak_rss_mb():.0f} MB")


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024


def _child_rss(args: argparse.Namespace) -> None:
    """Run one segment() in this fresh process and print its peak RSS (VmHWM) as JSON."""
    from rrsis.engine.run import SegmentOptions, segment

    opts = SegmentOptions(raster=args.child, expressions=["bright objects"],
                          output=args.child + ".gpkg", model=args.model, device="cpu",
                          threads=args.threads, gsd_m=args.gsd, batch_size=args.batch_size)
    t0 = time.perf_counter()
    res = segment(opts)
    hwm = _peak_rss_mb()
    print(json.dumps({"peak_rss_mb": hwm, "seconds": time.perf_counter() - t0,
                      "grid": [res.width_px, res.height_px], "tiles": res.tiles,
                      "features": sum(res.feature_counts.values()), "timings": res.timings}))


def bench_rss(args: argparse.Namespace, tmp: Path) -> None:
    from rrsis.models import create_model
    from rrsis.models.checkpoint import save_checkpoint

    model = tmp / "tiny.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), model, card={"name": "tiny"})
    print("\n== peak RSS by raster size (fresh process each; tiny test model) ==")
    for size in args.sizes:
        raster = tmp / f"square-{size}.tif"
        t0 = time.perf_counter()
        _synthetic_raster(raster, size, 0.5, seed=size)
        made = time.perf_counter() - t0
        gsd = 0.5 if not args.rss_grid or size <= args.rss_grid else 0.5 * size / args.rss_grid
        cmd = [sys.executable, __file__, "--child", str(raster), "--model", str(model),
               "--gsd", str(gsd), "--threads", "1",
               "--batch-size", str(args.batch_size)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{size:>6} px: FAILED\n{proc.stderr[-2000:]}")
            continue
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        mb = raster.stat().st_size / 2**20
        print(f"RESULT {size:>6} x {size:<6} px raster ({mb:7.1f} MB on disk, made in "
              f"{made:5.1f} s): working grid {out['grid'][0]} px at {gsd:g} m, {out['tiles']} "
              f"tiles, {out['seconds']:6.1f} s, peak RSS {out['peak_rss_mb']:.0f} MB")
        print(f"       timings {json.dumps(out['timings'])}")
        raster.unlink()


def main(argv: Optional[list] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--area-px", type=int, default=1000, help="side of the 0.2 m raster (1000)")
    p.add_argument("--sizes", type=int, nargs="+", default=[1024, 8192, 32768])
    p.add_argument("--rss-grid", type=int, default=2048,
                   help="cap of the working grid side for the RSS runs (0: native)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--skip-km2", action="store_true")
    p.add_argument("--skip-rss", action="store_true")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--model", help=argparse.SUPPRESS)
    p.add_argument("--gsd", type=float, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        _child_rss(args)
        return 0
    print(f"bench_engine on {os.cpu_count()} CPU cores; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="rrsis-bench-") as d:
        tmp = Path(d)
        if not args.skip_km2:
            bench_km2(args, tmp)
        if not args.skip_rss:
            bench_rss(args, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
