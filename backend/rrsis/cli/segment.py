"""``rrsis segment`` and ``rrsis estimate``: argument parsing over :mod:`rrsis.engine`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional, Tuple

from ..errors import InputError

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
    from ..device import PRECISIONS

    p.add_argument("-e", "--expression", dest="expressions", action="append", default=[],
                   metavar="TEXT", help="an expression (repeatable); " + EXPRESSIONS_HELP)
    p.add_argument("--extent", help="xmin,ymin,xmax,ymax[,crs] (default: whole raster; "
                   "CRS default: the raster's, e.g. EPSG:4326)")
    p.add_argument("--model", help="checkpoint name or .safetensors path (default: lgce-lite)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default auto)")
    p.add_argument("--runtime", default="auto", choices=("auto", "onnx", "torch"),
                   help="auto: ONNX Runtime on the CPU when the model has a graph, else torch "
                   "(always torch on CUDA)")
    p.add_argument("--threads", type=int, help="CPU threads for torch")
    p.add_argument("--precision", default="auto", choices=PRECISIONS,
                   help="auto: exact fp32 on CPU, autocast on CUDA; fast: bf16 decoder on CPU; bf16")
    p.add_argument("--bands", help="band mapping R,G,B for 4+ band rasters (default 1,2,3)")
    p.add_argument("--gsd", type=float, dest="gsd_m",
                   help="working GSD in metres (default: the raster's own GSD when the model "
                   "serves it, else the nearest end of the model's GSD range)")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--overlap", type=float, default=0.25, help="tile overlap fraction (0.25)")
    p.add_argument("--pixel-coordinates", action="store_true",
                   help="allow a raster without georeference; output in pixel coordinates")
    p.add_argument("--grounding", default="auto", choices=("auto", "on", "off"),
                   help="auto (default): attributes and relations computed explicitly when the "
                   "expression is understood (see 'rrsis explain'); on; off: end to end")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")


def _options(args: argparse.Namespace) -> "SegmentOptions":  # noqa: F821
    """Parsed arguments -> SegmentOptions (also what ``rrsis batch`` builds its options with)."""
    from ..engine.run import SegmentOptions

    exprs: List[str] = [args.expression] if args.expression is not None else []
    exprs += list(args.expressions)
    if not exprs:
        raise InputError("give an expression (positional or -e TEXT)")
    extent, extent_crs = _parse_extent(args.extent) if args.extent else (None, None)
    return SegmentOptions(
        raster=args.raster, expressions=exprs, output=getattr(args, "output", None),
        layer=getattr(args, "layer", "rrsis"), extent=extent, extent_crs=extent_crs,
        model=args.model, device=args.device, threads=args.threads, precision=args.precision,
        threshold=getattr(args, "threshold", 0.5), min_area_m2=getattr(args, "min_area", None),
        simplify_m=getattr(args, "simplify", 0.0), bands=_parse_bands(args.bands),
        gsd_m=args.gsd_m, probability=getattr(args, "probability", None),
        probability_dtype=getattr(args, "probability_dtype", "uint8"),
        mask=getattr(args, "mask", None), batch_size=args.batch_size, overlap=args.overlap,
        pixel_coordinates=args.pixel_coordinates, overwrite=getattr(args, "overwrite", False),
        grounding=args.grounding, regularize=getattr(args, "regularize", False),
        runtime=args.runtime)


def add_arguments_segment(p: argparse.ArgumentParser) -> None:
    p.epilog = ("Writes one GeoPackage layer, one polygon per connected object, with fields "
                "expression, score, area_m2, model, model_sha256, gsd_m, created, plan; "
                + EXPRESSIONS_HELP + ".")
    _add_common(p)
    p.add_argument("-o", "--output", required=True,
                   help="output GeoPackage (.gpkg); never the input, refused if it exists "
                   "unless --overwrite")
    p.add_argument("--layer", default="rrsis", help="layer name (default rrsis)")
    add_vector_arguments(p)
    p.add_argument("--probability", help="also write a probability GeoTIFF (working grid)")
    p.add_argument("--probability-dtype", default="uint8", choices=("uint8", "float32"))
    p.add_argument("--mask", help="also write a binary mask GeoTIFF (working grid)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace output files that exist (default: refuse)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def add_vector_arguments(p: argparse.ArgumentParser) -> None:
    """Mask-to-polygon options, shared by segment and ``rrsis batch``."""
    p.add_argument("--threshold", type=float, default=0.5, help="foreground probability (0.5)")
    p.add_argument("--min-area", type=float, dest="min_area",
                   help="drop objects below this many m2 (default 16 working pixels)")
    p.add_argument("--simplify", type=float, default=0.0, help="simplification tolerance in m")
    p.add_argument("--regularize", action="store_true",
                   help="right-angle outlines: rectangles or rectilinear shapes (buildings)")


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
        print(f"{result.output} (layer {result.layer}): {counts}; model {result.model} "
              f"at {result.gsd_m:g} m GSD on {result.device} ({result.runtime}), "
              f"{result.timings['total']:.1f} s")
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
          f"tiles: {result.tiles} x {result.expressions} expression(s)\n"
          f"expected time: {_duration(result.seconds)} "
          f"({result.seconds_per_tile * 1000:.0f} ms per tile, calibrated on "
          f"{result.calibration_tiles} tiles)\n"
          f"peak memory: {result.peak_memory_mb:.0f} MB{gpu}")
    return 0


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
