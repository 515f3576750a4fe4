"""``rrsis segment`` and ``rrsis estimate``: argument parsing over :mod:`rrsis.engine`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional, Tuple

from ..cli_params import add_param_options, param_values
from ..errors import InputError
from ..paths import vector_driver
from ..protocol import FEATURE_FIELDS

EXPRESSIONS_HELP = ("several expressions (-e A -e B) are written to ONE layer, told apart by "
                    "its 'expression' field")


def _parse_extent(text: str) -> Tuple[Tuple[float, float, float, float], Optional[str]]:
    """'xmin,ymin,xmax,ymax[,crs]' -> numbers and the CRS text (which may contain commas)."""
    parts = text.split(",", 4)
    if len(parts) < 4:
        raise InputError(f"--extent needs xmin,ymin,xmax,ymax[,crs], got {text!r}")
    try:
        numbers = tuple(float(p) for p in parts[:4])
    except ValueError:
        raise InputError(f"--extent needs numbers, got {text!r}") from None
    crs = parts[4].strip() if len(parts) == 5 and parts[4].strip() else None
    return numbers, crs  # type: ignore[return-value]


def _parse_bands(text: Optional[str]) -> Optional[Tuple[int, int, int]]:
    if not text:
        return None
    try:
        bands = tuple(int(b) for b in text.split(","))
    except ValueError:
        raise InputError(f"--bands needs three band numbers like 4,3,2, got {text!r}") from None
    if len(bands) != 3:
        raise InputError(f"--bands needs three band numbers like 4,3,2, got {text!r}")
    return bands  # type: ignore[return-value]


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("raster", help="raster file or any GDAL-readable source")
    p.add_argument("expression", nargs="?",
                   help="referring expression, e.g. 'vehicles along the road'")
    add_engine_arguments(p)


def add_engine_arguments(p: argparse.ArgumentParser) -> None:
    """Expressions and engine options, shared by segment, estimate and ``rrsis batch``."""
    p.add_argument("-e", "--expression", dest="expressions", action="append", default=[],
                   metavar="TEXT", help="an expression (repeatable); " + EXPRESSIONS_HELP)
    p.add_argument("--extent", help="xmin,ymin,xmax,ymax[,crs] (default: whole raster; "
                   "CRS default: the raster's, e.g. EPSG:4326)")
    p.add_argument("--bands", help="band mapping R,G,B for 4+ band rasters (default 1,2,3)")
    add_param_options(p, ENGINE_PARAMS)
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")


#: table parameters with a generated option (rrsis.cli_params), by the commands that take them
ENGINE_PARAMS = ("model", "device", "runtime", "threads", "precision", "gsd_m", "batch_size",
                 "overlap", "flip_average", "pixel_coordinates", "pixel_size_m", "pixel_y",
                 "grounding",
                 "rivals", "presence_check", "stretch", "nir_band")
VECTOR_PARAMS = ("threshold", "min_area_m2", "simplify_m", "regularize")
OUTPUT_PARAMS = ("probability", "probability_dtype", "mask", "overwrite")
#: parsed by hand: positional, repeatable or "a,b,c" text
_OWN_PARSING = ("raster", "expressions", "extent", "extent_crs", "bands")


def _options(args: argparse.Namespace) -> "SegmentOptions":  # noqa: F821
    """Parsed arguments -> SegmentOptions (also what ``rrsis batch`` builds its options with)."""
    from ..engine.options import SegmentOptions

    exprs: List[str] = [args.expression] if args.expression is not None else []
    exprs += list(args.expressions)
    if not exprs:
        raise InputError("give an expression (positional or -e TEXT)")
    extent, extent_crs = _parse_extent(args.extent) if args.extent else (None, None)
    values = {k: v for k, v in param_values(args).items() if k not in _OWN_PARSING}
    return SegmentOptions(raster=args.raster, expressions=exprs, extent=extent,
                          extent_crs=extent_crs, bands=_parse_bands(args.bands), **values)


def add_arguments_segment(p: argparse.ArgumentParser) -> None:
    p.epilog = ("Writes one GeoPackage layer (or a GeoJSON or FlatGeobuf file, by the output's "
                "suffix), one polygon per connected object, with fields "
                + ", ".join(FEATURE_FIELDS) + "; " + EXPRESSIONS_HELP + ".")
    _add_common(p)
    p.add_argument("-o", "--output", required=True,
                   help="output GeoPackage (.gpkg), GeoJSON (.geojson: WGS 84, as RFC 7946 "
                   "says) or FlatGeobuf (.fgb); never the input, refused if it exists unless "
                   "--overwrite")
    add_param_options(p, ("layer",))
    add_vector_arguments(p)
    add_param_options(p, OUTPUT_PARAMS)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def add_vector_arguments(p: argparse.ArgumentParser) -> None:
    """Mask-to-polygon options, shared by segment and ``rrsis batch``."""
    add_param_options(p, VECTOR_PARAMS)


def run_segment(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..engine.run import Progress, segment

    options = _options(args)
    bars: List[tqdm] = []

    def progress(p: Progress) -> None:
        if args.quiet:
            return
        if not bars:
            bars.append(tqdm(total=p.tiles_total, unit="tile", file=sys.stderr, desc="segment"))
        bars[0].set_postfix_str(p.stage, refresh=False)
        bars[0].update(p.tiles_done - bars[0].n)

    try:
        result = segment(options, progress=progress)
    finally:
        for bar in bars:
            bar.close()
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        counts = ", ".join(f"{n} × {e!r}" for e, n in result.feature_counts.items())
        layer = f" (layer {result.layer})" if vector_driver(result.output) == "GPKG" else ""
        print(f"{result.output}{layer}: {counts}; model {result.model} "
              f"at {result.gsd_m:g} m GSD on {result.device} ({result.runtime}), "
              f"{result.timings['total']:.1f} s")
        if result.stretch == "model":
            print("  values stretched as in the model's training data (its card's input_stretch)")
        for expr, report in result.plans.items():
            notes = "".join(f"; {m}" for m in report["messages"])
            print(f"  {expr!r}: {report['plan']}{notes}")
    return 0


def add_arguments_estimate(p: argparse.ArgumentParser) -> None:
    _add_common(p)


def run_estimate(args: argparse.Namespace) -> int:
    from ..engine.estimation import estimate

    result = estimate(_options(args))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    gpu = (f", GPU peak {result.peak_gpu_memory_mb:.0f} MB"
           if result.peak_gpu_memory_mb is not None else "")
    print(f"model {result.model} on {result.device} ({result.runtime}), working grid {result.width_px} x "
          f"{result.height_px} px at {result.gsd_m:g} m\n"
          f"tiles: {result.tiles}; phrases segmented: {result.phrases}\n"
          f"expected time: {_duration(result.seconds)} "
          f"({result.seconds_per_tile * 1000:.0f} ms per tile to read and infer, "
          f"{result.objects_seconds_per_tile * 1000:.0f} ms to make and select its objects; "
          f"calibrated on {result.calibration_tiles} tiles)\n"
          f"peak memory: {result.peak_memory_mb:.0f} MB{gpu}")
    return 0


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
