"""``rrsis batch``: the argument parsing over :func:`rrsis.batch.run_batch`.

The engine options are the ``segment`` command's own definitions
(:func:`rrsis.cli.segment.add_engine_arguments` and ``add_vector_arguments``) and
are turned into options by the same function, so every new segment option works here too.
Exit codes: 0 all rasters done, 3 finished but some rasters failed (see the summary and
the manifest), 1 the job could not run (bad input), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json

EXIT_SOME_FAILED = 3


def add_arguments_batch(p: argparse.ArgumentParser) -> None:
    from ..cli_params import add_param_options
    from .segment import add_engine_arguments, add_vector_arguments

    p.epilog = ("Writes OUT/rasters/*.gpkg (one per raster), OUT/manifest.sqlite (what is done; "
                "a re-run skips it), OUT/merged.gpkg and OUT/merged.parquet (all objects, a "
                "'source' field, objects cut by tile borders joined). Exit code 3: some "
                "rasters failed.")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="a folder, a glob ('tiles/*.tif'), a text file of paths, a VRT (its "
                   "source files) or a tile index (a vector file with a 'location' field)")
    p.add_argument("-o", "--output", required=True, dest="output_dir",
                   help="output folder (created; reused to resume)")
    add_engine_arguments(p)
    add_param_options(p, ("layer",))
    add_vector_arguments(p)
    p.add_argument("--workers", type=int, help="local Dask worker processes (default: one per "
                   "GPU, else min(rasters, cores // 2))")
    p.add_argument("--threads-per-worker", type=int,
                   help="tasks a local worker runs at once (default 1)")
    p.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. "
                   "tcp://HOST:8786 (default: a local cluster)")
    p.add_argument("--crs", help="CRS of the merged result (default: the inputs' CRS when they "
                   "share one, else EPSG:4326)")
    p.add_argument("--retries", type=int, default=2,
                   help="retries of a raster whose task failed for a reason other than its "
                   "input, e.g. a lost worker (default 2)")
    p.add_argument("--no-join", dest="join_borders", action="store_false",
                   help="do not join objects cut by tile borders")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(raster="", expression=None)


def run_batch(args: argparse.Namespace) -> int:
    from .segment import _options
    from ..batch.job import BatchOptions
    from ..batch.job import run_batch as run
    from ..batch.report import ProgressBar, summary_table

    options = BatchOptions(
        inputs=list(args.inputs), output_dir=args.output_dir, segment=_options(args),
        workers=args.workers, threads_per_worker=args.threads_per_worker,
        scheduler=args.scheduler, crs=args.crs, retries=args.retries,
        join_borders=args.join_borders)
    bar = ProgressBar(quiet=args.quiet)
    try:
        result = run(options, progress=bar)
    finally:
        bar.close()
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(summary_table(result))
    return EXIT_SOME_FAILED if result.failed else 0
