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
"""

from __future__ import annotations

import datetime as _dt
import resource
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import rasterio
from ..errors import Cancelled, InputError
from ..grounding.engine import NO_MATCH, GroundedRun
from ..grounding.policy import policy_of
from ..models.catalog import DEFAULT_MODEL, find_model
from ..paths import check_outputs, gdal_options
from ..protocol import TaskProgress as Progress
from .checks import check_upsampling
from .options import SegmentOptions
from .options import check_options as _check_options
from .output import StripRasterWriter, write_geopackage
from .presence import PresenceMeter, annotate, measure
from .raster_io import (RasterInfo, WindowReader, WorkGrid, open_info, plan_grid, resolve_bands,
                        source_gsd_m)
from .runtime import choose_runtime, load_model, make_predictor
from .tiling import Tile, blend_window, sigmoid, tile_rows
from .vectorize import StripVectorizer, reproject_object

ReferringSegmenter = Any  # a torch ReferringSegmenter or an OnnxModel: .card, .config
Predictor = Any  # .expressions, .input_size, .logit_difference(rgb)

__all__ = ["SegmentOptions", "Progress", "SegmentResult", "EstimateResult", "ModelCache",
           "segment", "estimate", "default_min_area_m2"]

GDAL_CACHE_MB = 256  # bounded GDAL block cache: memory does not grow with the raster
MIN_AREA_PIXELS = 16
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


class ModelCache:
    """Keeps one warm model; get() reloads only when name/path or device changes."""

    def __init__(self) -> None:
        self._key: Optional[Tuple[Any, ...]] = None
        self._model: Optional[ReferringSegmenter] = None
        self._named: Dict[str, ReferringSegmenter] = {}

    def add(self, name: str, model: ReferringSegmenter) -> None:
        """Serve an already-built model under ``name`` (tests, notebooks); it needs a ``card``."""
        if not hasattr(model, "card"):
            raise InputError("a model added to the cache needs a card (dict)")
        self._named[name] = model

    def get(self, model: Optional[str], device: str, runtime: str = "torch",
            threads: Optional[int] = None, path: Optional[Path] = None) -> ReferringSegmenter:
        """The warm model; ``path``: ``model`` already resolved (see :meth:`plan`)."""
        if model in self._named:
            return self._named[model].to(device).eval()  # type: ignore[index]
        path = path or find_model(model)
        key = (str(path.resolve()), str(device), path.stat().st_mtime, runtime,
               threads if runtime == "onnx" else None)
        if self._key != key or self._model is None:
            self._model = None  # free the old one before loading
            self._model = load_model(runtime, path, device, threads)
            self._key = key
        return self._model

    def plan(self, model: Optional[str], runtime: str,
             device: str) -> Tuple[str, str, Optional[Path]]:
        """(runtime, device, model file) of a run: in-memory models (no file) are torch,
        files follow their card."""
        path = None if model in self._named else find_model(model)
        return (*choose_runtime(runtime, device, path), path)


def default_min_area_m2(gsd_m: float) -> float:
    return MIN_AREA_PIXELS * gsd_m * gsd_m


def _model_name(model: ReferringSegmenter, requested: Optional[str]) -> str:
    card = getattr(model, "card", {}) or {}
    return str(card.get("name") or (Path(requested).stem if requested else DEFAULT_MODEL))


def working_gsd(model: ReferringSegmenter, source_gsd: Optional[float]) -> float:
    """The raster's GSD clamped to the range the model serves (its native GSD if no range)."""
    card = getattr(model, "card", {}) or {}
    native = card.get("gsd_m") or model.config.gsd_m
    if not native:
        raise InputError("the model card states no GSD; pass gsd_m explicitly")
    lo, hi = card.get("gsd_range_m") or model.config.gsd_range_m or (native, native)
    if source_gsd is None:
        return float(native)
    return float(min(max(source_gsd, lo), hi))


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
    return _Plan(info, grid, bands, device, model, predictor, rows, grounding, runtime)


class _StripBlender:
    """Weighted sum of logit differences over a buffer one tile high and the grid wide."""

    def __init__(self, n_expr: int, width: int, size: int, window: np.ndarray) -> None:
        self.size, self.width, self.window = size, width, window
        w = max(width, size)
        self.sum = np.zeros((n_expr, size, w), np.float32)
        self.weight = np.zeros((size, w), np.float32)
        self.top = 0

    def add(self, tile: Tile, diff: np.ndarray, valid: np.ndarray) -> None:
        """diff (E, S, S) for ``tile``; valid (S, S); the tile must start at ``self.top``."""
        r = tile.row - self.top
        w = self.window * valid
        self.sum[:, r:r + tile.size, tile.col:tile.col_end] += diff * w
        self.weight[r:r + tile.size, tile.col:tile.col_end] += w

    def advance(self, new_top: int, height: int) -> Optional[Tuple[int, np.ndarray, np.ndarray]]:
        """Finish rows ``top .. new_top`` (no later tile touches them) and shift the buffer."""
        n = min(new_top, height) - self.top
        if n <= 0:
            self.top = new_top
            return None
        out = self._finished(n)
        self.sum = np.roll(self.sum, -n, axis=1)
        self.weight = np.roll(self.weight, -n, axis=0)
        self.sum[:, -n:] = 0.0
        self.weight[-n:] = 0.0
        row0, self.top = self.top, new_top
        return row0, out[0], out[1]

    def _finished(self, n: int) -> Tuple[np.ndarray, np.ndarray]:
        wt = self.weight[:n, :self.width]
        valid = wt > 0
        mean = np.divide(self.sum[:, :n, :self.width], wt, out=np.zeros_like(
            self.sum[:, :n, :self.width]), where=valid)
        prob = np.where(valid, sigmoid(mean), 0.0).astype(np.float32)
        return prob, valid


def _chunks(row: Sequence[Tile], span: int) -> Iterator[List[Tile]]:
    """Consecutive tiles of one row whose columns fit in ``span`` pixels, read together."""
    chunk = [row[0]]
    for tile in row[1:]:
        if tile.col_end - chunk[0].col <= span:
            chunk.append(tile)
        else:
            yield chunk
            chunk = [tile]
    yield chunk


def _batches(row: Sequence[Tile], size: int) -> Iterator[Sequence[Tile]]:
    for i in range(0, len(row), size):
        yield row[i:i + size]


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
    blender = _StripBlender(len(exprs), grid.width, size, window)
    vectorizers = [StripVectorizer(options.threshold) for _ in exprs]
    meters = [PresenceMeter() for _ in exprs]
    writers: List[StripRasterWriter] = []
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
        with WindowReader(plan.info, grid, plan.bands) as reader:
            for row in plan.rows:
                emit(blender.advance(row[0].row, grid.height))
                for chunk in _chunks(row, max(READ_SPAN_PX, size)):
                    t = time.perf_counter()  # one read per chunk of tiles: GDAL calls are costly
                    c0 = chunk[0].col
                    rgb, valid = reader.read(chunk[0].row, c0, size, chunk[-1].col_end - c0)
                    timings["read"] += time.perf_counter() - t
                    for batch in _batches(chunk, options.batch_size):
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
    name = _model_name(model, options.model)
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
                       objects, grid.gsd_m, options.presence_check)
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


# --- estimate -------------------------------------------------------------------------------

def _proc_status_mb(key: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process from /proc, else the peak RSS."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _rss_mb() -> float:
    return _proc_status_mb("VmRSS")


def _peak_rss_mb() -> float:
    return _proc_status_mb("VmHWM")


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def estimate(options: SegmentOptions, models: Optional[ModelCache] = None,
             calibration_batches: int = 2) -> EstimateResult:
    """Tiles, expected seconds and peak memory of :func:`segment` with these options.

    Measured, not guessed: one warm-up batch then ``calibration_batches`` timed batches of
    real tiles from the requested area (read + inference per expression). Peak memory is
    the process's measured peak during calibration plus the streaming buffers of the run
    (blend buffer, one strip per expression) and the bounded GDAL cache.
    """
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB, **gdal_options()):
        plan = _prepare(options, models)
        grid, predictor = plan.grid, plan.predictor
        size, n_expr = predictor.input_size, len(predictor.expressions)
        tiles = [t for row in plan.rows for t in row]
        if not tiles:  # no expression the model could look for: nothing to run
            return EstimateResult(0, 0.0, round(_peak_rss_mb(), 1), grid.gsd_m, str(plan.device),
                                  _model_name(plan.model, options.model), grid.width,
                                  grid.height, 0, runtime=plan.runtime)
        bs = max(1, options.batch_size)
        cuda = plan.device.startswith("cuda")
        if cuda:
            import torch

            torch.cuda.reset_peak_memory_stats(plan.device)
        _reset_peak_rss()
        # read as the run does (a chunk of one tile row, from the middle of the area), then
        # one warm-up batch and ``calibration_batches`` timed batches cut from such chunks
        row = plan.rows[len(plan.rows) // 2]
        read_s, read_tiles, crops = 0.0, 0, []
        with WindowReader(plan.info, grid, plan.bands) as reader:
            for chunk in _chunks(row, max(READ_SPAN_PX, size)):
                t0 = time.perf_counter()
                c0 = chunk[0].col
                rgb, _ = reader.read(chunk[0].row, c0, size, chunk[-1].col_end - c0)
                read_s += time.perf_counter() - t0
                read_tiles += len(chunk)
                crops += [rgb[:, :, t.col - c0:t.col_end - c0] for t in chunk]
                if len(crops) >= bs * (calibration_batches + 1):
                    break
        while len(crops) < bs * (calibration_batches + 1):
            crops += crops
        infer_s, measured = 0.0, 0
        for k in range(calibration_batches + 1):
            batch = np.stack(crops[k * bs:(k + 1) * bs])
            t0 = time.perf_counter()
            predictor.logit_difference(batch)
            if cuda:
                torch.cuda.synchronize(plan.device)
            if k > 0:  # the first batch is a warm-up
                infer_s += time.perf_counter() - t0
                measured += len(batch)
        per_tile = read_s / max(1, read_tiles) + infer_s / max(1, measured)
        seconds = len(tiles) * per_tile * 1.1  # +10 %: blending, vectorising, writing
        buffers_mb = 4.0 * (n_expr + 1) * size * max(grid.width, size) * 3 / 2**20
        # the GDAL block cache keeps filling during a long run, bounded by GDAL_CACHE_MB
        peak = _peak_rss_mb() + buffers_mb + GDAL_CACHE_MB * 0.5
        gpu = torch.cuda.max_memory_allocated(plan.device) / 2**20 if cuda else None
    return EstimateResult(
        tiles=len(tiles), seconds=round(seconds, 2), peak_memory_mb=round(peak, 1),
        gsd_m=grid.gsd_m, device=str(plan.device), model=_model_name(plan.model, options.model),
        width_px=grid.width, height_px=grid.height, expressions=n_expr,
        seconds_per_tile=round(per_tile, 4),
        peak_gpu_memory_mb=round(gpu, 1) if gpu is not None else None,
        calibration_tiles=measured, runtime=plan.runtime)
