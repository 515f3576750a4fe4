"""Batch throughput (``make bench``): km2 per minute of ``rrsis batch`` for 1 and 2 local workers.

The bundled real orthophoto (``resources/samples/kampala_oam.tif``, 0.075 m GSD) is cut
into adjacent tiles and repeated ``--copies`` times (as separate files), then segmented
with the default model by ``run_batch`` on a ``LocalCluster`` of N worker processes
(one task at a time each, ``cores // N`` torch threads each). For each N it prints:

- warm: km2 per minute with the cluster started and the model already loaded in every
  worker (what a long job on a cluster sustains);
- cold: the same including cluster start and model loading (what one short job costs).

Only rasters are timed here, never in tests. Run it on a calm machine:

    .venv/bin/python bench/bench_batch.py [--workers 1 2] [--copies 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "backend"))
sys.path.insert(0, str(REPO / "tests" / "backend" / "batch"))


def _tiles(folder: Path, copies: int) -> List[Path]:
    from batch_helpers import SAMPLE, cut_tiles

    first = cut_tiles(SAMPLE, folder / "copy0", rows=4, cols=2)
    paths = list(first)
    for c in range(1, copies):
        target = folder / f"copy{c}"
        target.mkdir()
        for p in first:
            shutil.copy(p, target / p.name)
            paths.append(target / p.name)
    return paths


def _run(workers: int, inputs: List[str], root: Path, expression: str) -> dict:
    from distributed import Client, LocalCluster

    from rrsis.batch import BatchOptions, run_batch
    from rrsis.batch.cluster import plan_local_cluster
    from rrsis.engine.run import SegmentOptions

    plan = plan_local_cluster(len(inputs), workers=workers)
    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, host="127.0.0.1", silence_logs=40)
    client = Client(cluster)
    try:
        template = SegmentOptions(raster="", expressions=[expression], device="cpu",
                                  threads=plan.torch_threads)
        # warm-up: one raster per worker loads the model everywhere (not timed as "warm")
        warm = BatchOptions(inputs[:workers], str(root / f"warm{workers}"), template)
        run_batch(warm, client=client)
        t1 = time.perf_counter()
        result = run_batch(BatchOptions(inputs, str(root / f"run{workers}"), template),
                           client=client)
        t2 = time.perf_counter()
    finally:
        client.close()
        cluster.close()
    km2 = result.km2_processed
    return {"workers": workers, "torch_threads": plan.torch_threads, "rasters": result.done,
            "km2": km2, "warm_s": t2 - t1, "cold_s": t2 - t0,
            "warm_km2_per_min": km2 / ((t2 - t1) / 60), "features": result.features}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--copies", type=int, default=2, help="copies of the cut sample")
    parser.add_argument("--expression", default="buildings")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="rrsis-bench-batch-"))
    try:
        inputs = [str(p) for p in _tiles(root / "tiles", args.copies)]
        print(f"{len(inputs)} rasters (the bundled sample cut into 8 tiles x {args.copies}), "
              f"{os.cpu_count()} CPU cores, default model, expression {args.expression!r}")
        print(f"{'workers':>7} {'threads':>7} {'rasters':>7} {'km2':>8} {'warm s':>7} "
              f"{'cold s':>7} {'km2/min (warm)':>15}")
        for n in args.workers:
            r = _run(n, inputs, root, args.expression)
            print(f"{r['workers']:>7} {r['torch_threads']:>7} {r['rasters']:>7} "
                  f"{r['km2']:>8.4f} {r['warm_s']:>7.1f} {r['cold_s']:>7.1f} "
                  f"{r['warm_km2_per_min']:>15.4f}", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
