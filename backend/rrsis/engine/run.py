"""The one library call: :func:`segment` (and :func:`estimate`), which CLI, server and plugin wrap.

Pipeline: open and check the raster -> plan the working grid at the model's GSD (see
:mod:`.raster_io`) -> encode each expression once -> stream overlapped tiles row by
row, in batches, blending logit differences with a smooth window into a buffer one
tile high (memory is flat in raster height and linear only in the grid width) -> emit
finished strips to the vectoriser and the optional GeoTIFFs -> write the GeoPackage.

Output layout (decided): several expressions give ONE layer with one feature per
connected object and the fields ``expression``, ``score`` (mean foreground probability
over the object's pixels), ``area_m2``, ``model``, ``model_sha256``, ``gsd_m`` (working
GSD), ``created`` (ISO 8601 UTC) and ``plan`` (how the expression was read:
:mod:`rrsis.grounding` decides which phrases are segmented and which objects are kept),
in the raster's CRS (pixel coordinates, no CRS, when ``pixel_coordinates`` was needed).
Polygons are vectorised at the working GSD. The optional probability and mask GeoTIFFs
are on the working grid (working CRS: the UTM zone for a geographic raster), one band
per segmented phrase (none written when no phrase is: "no object matches").

Defaults: ``min_area_m2=None`` removes objects smaller than 16 working pixels
(a 4 x 4 speck: 16 * gsd_m**2, e.g. 0.36 m2 at 0.15 m); ``min_area_m2=0`` keeps every
object (the plugin sends 1 m2 by default, 0 for "no filter"). Nodata/alpha pixels are never
foreground; tiles entirely without data are skipped. The working GSD is the raster's
own GSD when it lies within the model card's ``gsd_range_m`` (the scales it was trained
to serve), else the nearest end of that range; a card without a range means its native
``gsd_m`` always; ``options.gsd_m`` overrides all of this. ``extent`` is clipped to the
raster; ``extent_crs`` defaults to the raster's CRS. The probability GeoTIFF is uint8
0-255 (probability * 255) or float32 0-1 (NaN = no data); the mask is uint8 1 = object,
0 = not; no-data pixels are 0 in uint8 rasters and flagged in an internal GDAL mask.
``threads`` sets torch's process-wide CPU thread count (ONNX Runtime: its session's).
``runtime`` picks ONNX Runtime or torch (see :mod:`.runtime`); torch is imported only
when the run uses it.

Cancellation is checked between batches; :class:`~rrsis.errors.Cancelled` is raised and
no output file is left behind.

Over 300 lines on purpose: the run loop and the result it assembles (grounding, presence,
vectorising, outputs) read top to bottom in one place; the parts it calls live beside it.
"""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import rasterio
from ..errors import Cancelled, InputError
from ..grounding.engine import NO_MATCH, GroundedRun
from ..grounding.policy import policy_of
from ..paths import check_outputs, gdal_options
from ..protocol import TaskProgress as Progress
from .checks import check_upsampling
from .gsd import MIN_AREA_PIXELS, default_min_area_m2, working_gsd  # noqa: F401 (old home)
from .model_cache import ModelCache, model_name
from .options import SegmentOptions
from .options import check_options as _check_options
from .output import StripRasterWriter, write_geopackage
from .operating import phrase_offsets
from .presence import PresenceMeter, annotate, measure
from .raster_io import (RasterInfo, WindowReader, WorkGrid, open_info, plan_grid, resolve_bands,
                        source_gsd_m)
from .runtime import make_predictor
from .tiling import (StripBlender, Tile, batches, blend_window, mirror_beyond, row_chunks,
                     tile_rows)
from .vectorize import StripVectorizer, reproject_object

ReferringSegmenter = Any  # a torch ReferringSegmenter or an OnnxModel: .card, .config
Predictor = Any  # .expressions, .input_size, .logit_difference(rgb)

__all__ = ["SegmentOptions", "Progress", "SegmentResult", "EstimateResult", "ModelCache",
           "segment", "estimate", "default_min_area_m2"]  # noqa: F822 (estimate: lazy)

GDAL_CACHE_MB = 256  # bounded GDAL block cache: memory does not grow with the raster
READ_SPAN_PX = 2048  # columns read per GDAL call (several tiles of one row)


@dataclass
class SegmentResult:
    output: str
    layer: str
    probability: Optional[str]
    mask: Optional[str]
    feature_counts: Dict[str, int]
    timings: Dict[str, float]
    model: str
    model_sha256: str
    gsd_m: float
    device: str
    crs: Optional[str]
    tiles: int = 0
    tiles_skipped: int = 0
    width_px: int = 0
    height_px: int = 0
    plans: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # per expression
    runtime: str = "torch"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class EstimateResult:
    tiles: int
    seconds: float
    peak_memory_mb: float
    gsd_m: float
    device: str
    model: str
    width_px: int
    height_px: int
    expressions: int = 1
    seconds_per_tile: float = 0.0
    peak_gpu_memory_mb: Optional[float] = None
    calibration_tiles: int = 0
    runtime: str = "torch"

    def to_dict(self) -> dict:
        return asdict(self)




@dataclass
class _Plan:
    info: RasterInfo
    grid: WorkGrid
    bands: Tuple[int, int, int]
    device: str
    model: ReferringSegmenter
    predictor: Predictor
    rows: List[List[Tile]]
    grounding: GroundedRun
    runtime: str = "torch"
    offsets: Optional[np.ndarray] = None  # per phrase, the card's operating points
    phrase_groups: Dict[str, List[str]] = field(default_factory=dict)  # lexicon groups

    @property
    def tiles_total(self) -> int:
        return sum(len(r) for r in self.rows)


def _prepare(options: SegmentOptions, models: Optional[ModelCache]) -> _Plan:
    expressions = _check_options(options)
    info = open_info(options.raster, options.pixel_coordinates)
    bands = resolve_bands(info, options.bands)
    models = models or ModelCache()
    runtime, device, path = models.plan(options.model, options.runtime, options.device)
    model = models.get(options.model, device, runtime, options.threads, path)
    source_gsd = source_gsd_m(info)
    gsd = float(options.gsd_m) if options.gsd_m else working_gsd(model, source_gsd)
    if not options.gsd_m:
        check_upsampling(source_gsd, gsd)
    grid = plan_grid(info, options.extent, options.extent_crs, gsd)
    grounding = GroundedRun(expressions, options.grounding,  # the phrases to segment
                            policy=policy_of(getattr(model, "card", None)))
    predictor = make_predictor(runtime, model, device, grounding.phrases, options.precision,
                               options.threads)
    rows = tile_rows(grid.height, grid.width, predictor.input_size, options.overlap) \
        if grounding.phrases else []  # nothing the model could look for: no inference
    groups = grounding.phrase_groups()
    offsets = phrase_offsets(getattr(model, "card", None), predictor.expressions, groups)
    return _Plan(info, grid, bands, device, model, predictor, rows, grounding, runtime, offsets,
                 groups)


def _created() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def segment(options: SegmentOptions, progress: Optional[Callable[[Progress], None]] = None,
            cancel: Optional[Callable[[], bool]] = None,
            models: Optional[ModelCache] = None) -> SegmentResult:
    """Segment ``options.raster`` by each expression into ``options.output`` (GeoPackage).

    Raises :class:`~rrsis.errors.InputError`/``CRSError`` for unusable input,
    :class:`~rrsis.errors.Cancelled` when ``cancel()`` turns true (no files left).
    """
    if not options.output:
        raise InputError("an output .gpkg path is required")
    check_outputs(options.raster, {"output": options.output, "probability": options.probability,
                                   "mask": options.mask}, options.overwrite)
    t_start = time.perf_counter()
    timings = {"prepare": 0.0, "read": 0.0, "infer": 0.0, "vectorize": 0.0, "write": 0.0}
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB, **gdal_options()):
        plan = _prepare(options, models)
        timings["prepare"] = time.perf_counter() - t_start
        return _run(options, plan, progress, cancel, timings, t_start)


def _run(options: SegmentOptions, plan: _Plan, progress: Optional[Callable[[Progress], None]],
         cancel: Optional[Callable[[], bool]], timings: Dict[str, float],
         t_start: float) -> SegmentResult:
    grid, predictor = plan.grid, plan.predictor
    exprs = predictor.expressions
    size = predictor.input_size
    total = plan.tiles_total
    window = blend_window(size, options.overlap)
    blender = StripBlender(len(exprs), grid.width, size, window, plan.offsets)
    vectorizers = [StripVectorizer(options.threshold) for _ in exprs]
    meters = [PresenceMeter() for _ in exprs]
    writers: List[StripRasterWriter] = []
    # pixels without data (no-data, alpha 0) are shown to the model as its mean colour, which
    # normalises to 0: what training pads crops with; black would be a frame the model never
    # saw, and it darkens what it finds near every edge
    fill = predictor.model.config.mean
    done = skipped = 0
    t_loop = time.perf_counter()

    def report(stage: str) -> None:
        if progress is None:
            return
        elapsed = time.perf_counter() - t_loop
        eta = elapsed / done * (total - done) if done else None
        progress(Progress(done / total if total else 1.0, done, total, eta, stage))

    def emit(strip: Optional[Tuple[int, np.ndarray, np.ndarray]]) -> None:
        if strip is None:
            return
        row0, prob, valid = strip
        t = time.perf_counter()
        for i, vec in enumerate(vectorizers):
            vec.add(row0, prob[i], valid)
            meters[i].add(prob[i], valid)
        timings["vectorize"] += time.perf_counter() - t
        t = time.perf_counter()
        for w in writers:
            w.write(row0, prob, valid, options.threshold)
        timings["write"] += time.perf_counter() - t

    try:
        if options.probability and exprs:
            writers.append(StripRasterWriter(options.probability, grid, options.probability_dtype,
                                             exprs))
        if options.mask and exprs:
            writers.append(StripRasterWriter(options.mask, grid, "mask", exprs))
        report("segment")
        with WindowReader(plan.info, grid, plan.bands, fill) as reader:
            for row in plan.rows:
                emit(blender.advance(row[0].row, grid.height))
                for chunk in row_chunks(row, max(READ_SPAN_PX, size)):
                    t = time.perf_counter()  # one read per chunk of tiles: GDAL calls are costly
                    c0 = chunk[0].col
                    rgb, valid = reader.read(chunk[0].row, c0, size, chunk[-1].col_end - c0)
                    mirror_beyond(rgb, grid.height - chunk[0].row, grid.width - c0)
                    timings["read"] += time.perf_counter() - t
                    for batch in batches(chunk, options.batch_size):
                        if cancel is not None and cancel():
                            raise Cancelled("segmentation cancelled; no output was written")
                        todo = [(tile, valid[:, tile.col - c0:tile.col_end - c0])
                                for tile in batch]
                        todo = [(tile, v) for tile, v in todo if v.any()]
                        skipped += len(batch) - len(todo)
                        if todo:
                            t = time.perf_counter()
                            diff = predictor.logit_difference(np.stack(
                                [rgb[:, :, tile.col - c0:tile.col_end - c0] for tile, _ in todo]))
                            timings["infer"] += time.perf_counter() - t
                            for j, (tile, v) in enumerate(todo):
                                blender.add(tile, diff[:, j], v)
                        done += len(batch)
                        report("segment")
            emit(blender.advance(grid.height, grid.height))
        if cancel is not None and cancel():
            raise Cancelled("segmentation cancelled; no output was written")
        report("vectorize")
        result = _write_vectors(options, plan, vectorizers, timings, meters)
        for w in writers:
            w.commit()
    except BaseException:
        for w in writers:
            w.abort()
        raise
    timings["total"] = time.perf_counter() - t_start
    report("done")
    result.timings = {k: round(v, 4) for k, v in timings.items()}
    result.tiles, result.tiles_skipped = total, skipped
    return result


def _write_vectors(options: SegmentOptions, plan: _Plan, vectorizers: List[StripVectorizer],
                   timings: Dict[str, float], meters: List[PresenceMeter]) -> SegmentResult:
    grid, model = plan.grid, plan.model
    name = model_name(model, options.model)
    sha = str((getattr(model, "card", {}) or {}).get("weights_sha256") or "")
    min_area = options.min_area_m2 if options.min_area_m2 is not None \
        else default_min_area_m2(grid.gsd_m)
    created = _created()
    t = time.perf_counter()
    records, counts = [], {e: 0 for e in plan.grounding.expressions}
    objects = {phrase: list(vec.objects(grid.transform, grid.metres_per_unit, min_area,
                                        options.simplify_m,
                                        regularize=options.regularize))
               for phrase, vec in zip(plan.predictor.expressions, vectorizers)}
    presence = measure(getattr(model, "card", None), dict(zip(plan.predictor.expressions, meters)),
                       objects, grid.gsd_m, options.presence_check, plan.phrase_groups)
    objects = {p: objs if presence[p].present else [] for p, objs in objects.items()}
    picks, reports = plan.grounding.select(
        {p: [o.geometry for o in objs] for p, objs in objects.items()}, grid.transform,
        grid.metres_per_unit, grid.bounds, lambda: WindowReader(plan.info, grid, plan.bands))
    annotate(reports, plan.grounding.answer_phrases(), presence, NO_MATCH)
    for expr, (phrase, index, plan_text) in picks:
        for obj in reproject_object(objects[phrase][index], grid.crs, plan.info.crs):
            records.append({"geometry": obj.geometry, "expression": expr,
                            "score": round(obj.score, 6), "area_m2": round(obj.area_m2, 4),
                            "model": name, "model_sha256": sha, "gsd_m": grid.gsd_m,
                            "created": created, "plan": plan_text})
            counts[expr] += 1
    timings["vectorize"] += time.perf_counter() - t
    t = time.perf_counter()
    write_geopackage(str(options.output), options.layer, records, plan.info.crs)
    timings["write"] += time.perf_counter() - t
    return SegmentResult(
        output=str(options.output), layer=options.layer,
        probability=options.probability if plan.grounding.phrases else None,
        mask=options.mask if plan.grounding.phrases else None, feature_counts=counts,
        timings={}, model=name, model_sha256=sha,
        gsd_m=grid.gsd_m, device=str(plan.device),
        crs=plan.info.crs.to_string() if plan.info.crs is not None else None,
        width_px=grid.width, height_px=grid.height, plans=reports, runtime=plan.runtime)


def __getattr__(name: str) -> Any:
    """``estimate`` lives in :mod:`.estimation` (it imports this module); reachable here too."""
    if name == "estimate":
        from .estimation import estimate

        return estimate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
