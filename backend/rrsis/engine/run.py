"""The one library call: :func:`segment` (and :func:`estimate`), which CLI, server and plugin wrap.

Pipeline: open and check the raster -> plan the working grid at the model's GSD (see
:mod:`.raster_io`) -> encode each expression once -> stream overlapped tiles row by
row, in batches, blending logit differences with a smooth window into a buffer one
tile high (memory is flat in raster height and linear only in the grid width) -> emit
finished strips to the vectoriser and the optional GeoTIFFs -> write the GeoPackage.
A phrase whose category the card serves coarser (``group_gsd_range_m``, see :mod:`.gsd`:
"road" on a drone image) is segmented first in a pass of its own at that GSD, into a
temporary GeoTIFF read back resampled onto the output grid strip by strip, so everything
after inference sees one grid.

Output layout (decided): several expressions give ONE layer with one feature per
connected object and the fields ``expression``, ``score`` (mean foreground probability
over the object's pixels), ``area_m2``, ``model``, ``model_sha256``, ``gsd_m`` (the
working GSD, or the coarser one its phrase was looked for at), ``created`` (ISO 8601 UTC) and ``plan`` (how the expression was read:
:mod:`rrsis.grounding` decides which phrases are segmented and which objects are kept),
in the raster's CRS (pixel coordinates, no CRS, when ``pixel_coordinates`` was needed).
Polygons are vectorised at the working GSD. The optional probability and mask GeoTIFFs
are on the working grid (working CRS: the UTM zone for a geographic raster), one band
per segmented phrase (none written when no phrase is: "no object matches").

Defaults: ``min_area_m2=None`` removes objects smaller than 16 working pixels
(a 4 x 4 speck: 16 * gsd_m**2) and never less than 1 m2 (1 m2 at 0.15 m, 5.76 m2 at 0.6 m);
``min_area_m2=0`` keeps every object. Nodata/alpha pixels are never
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
import logging
import time
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import (Any, Callable, Dict, Iterator, List, Mapping, NamedTuple, Optional,
                    Sequence, Tuple)

import numpy as np
import rasterio
from ..errors import Cancelled, InputError, OutputError, RrsisError
from ..grounding.engine import NO_MATCH, GroundedRun, Pick
from ..grounding.kinds import length_remark
from ..grounding.learnt import base_message, unlearnt_in, unlearnt_message, unlearnt_words
from ..grounding.lexicon import vocabulary_of
from ..grounding.policy import policy_of
from ..paths import check_outputs, gdal_options, scratch_folder, vector_driver
from ..protocol import TaskProgress as Progress
from .checks import check_upsampling
from .grid import warp_crs
from .gsd import MIN_AREA_PIXELS, default_min_area_m2, phrase_gsd_m, working_gsd  # noqa: F401
from .gsd import group_tile_px, phrase_tile_px
from .model_cache import ModelCache, model_name
from .nir import NdviGate, gate_message, gated_phrases, nir_band
from .options import SegmentOptions
from .options import check_options as _check_options
from .output import StripRasterWriter, write_geopackage
from .operating import phrase_offsets
from .presence import PresenceMeter, annotate, measure
from .raster_io import (RasterInfo, Stretch, WindowReader, WorkGrid, is_stretched, open_info,
                        plan_grid, resolve_bands, source_gsd_m)
from .runtime import logit_difference, make_predictor
from .split import core_rule
from .tiling import (StripBlender, Tile, batches, blend_window, mirror_beyond, row_chunks,
                     tile_rows)
from .vectorize import ObjectPolygon, StripVectorizer, polygon_parts, reproject_object

ReferringSegmenter = Any  # a torch ReferringSegmenter or an OnnxModel: .card, .config
log = logging.getLogger(__name__)
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
    # a raster that is not 8-bit: stretched as the model's training data ("model", its card's
    # input_stretch) or 2-98 % over the requested area ("area"); None for 8-bit
    stretch: Optional[str] = None
    # the band read as near infrared, whose NDVI gated the vegetation phrases (rrsis.engine.nir)
    nir_band: Optional[int] = None
    # the 1-based bands read as red, green and blue (the request's, else the file's colour tags)
    bands: List[int] = field(default_factory=list)

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
    expressions: int = 1   # the phrases segmented at the working GSD (one model pass)
    seconds_per_tile: float = 0.0
    peak_gpu_memory_mb: Optional[float] = None
    calibration_tiles: int = 0
    runtime: str = "torch"
    #: every phrase segmented, at every GSD ("anything": six categories; "buildings": its
    #: rivals too)
    phrases: int = 1
    #: making the objects of one tile and selecting them (colour reads included), measured
    objects_seconds_per_tile: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)




@dataclass
class _Pass:
    """The phrases one model segments at one GSD: that GSD's grid, a predictor for them,
    its tiles, and how the raster is stretched for that model."""

    grid: WorkGrid
    predictor: Predictor
    rows: List[List[Tile]]
    offsets: Optional[np.ndarray] = None  # per phrase, the card's operating points
    stretch: Optional[Stretch] = None     # the model's own for such rasters, else the area's
    base: bool = False                    # the model a fine-tuned one was made from

    @property
    def card(self) -> Optional[Dict[str, Any]]:
        return getattr(self.predictor.model, "card", None)

    @property
    def tiles_total(self) -> int:
        return sum(len(r) for r in self.rows)


@dataclass
class _Plan:
    info: RasterInfo
    bands: Tuple[int, int, int]
    device: str
    model: ReferringSegmenter
    grounding: GroundedRun
    main: _Pass                      # the output grid: the finest GSD any phrase needs
    others: List[_Pass] = field(default_factory=list)  # phrases served coarser (see .gsd)
    runtime: str = "torch"
    phrase_groups: Dict[str, List[str]] = field(default_factory=dict)  # lexicon groups
    stretch: Optional[Stretch] = None  # the model's own for such rasters, else the area's
    nir: Optional[int] = None          # the near-infrared band (rrsis.engine.nir)
    finer_gsd: Dict[str, float] = field(default_factory=dict)  # at a card's phrase ceiling
    raised_gsd: Dict[str, float] = field(default_factory=dict)  # at a card's phrase floor
    assumed_pixel_m: Optional[float] = None   # no CRS, no pixel size: the native GSD taken

    @property
    def grid(self) -> WorkGrid:
        return self.main.grid

    @property
    def predictor(self) -> Predictor:
        return self.main.predictor

    @property
    def rows(self) -> List[List[Tile]]:
        return self.main.rows

    @property
    def phrases(self) -> List[str]:
        return self.grounding.phrases

    @property
    def tiles_total(self) -> int:
        return self.main.tiles_total + sum(p.tiles_total for p in self.others)

    def colour_reader(self) -> WindowReader:
        """A reader of the output grid's RGB, for the grounding's colour attributes."""
        return WindowReader(self.info, self.grid, self.bands, stretch=self.stretch)

    def coarser_gsd(self) -> Dict[str, float]:
        """phrase -> GSD, for the phrases segmented coarser than the output grid."""
        return {p: one.grid.gsd_m for one in self.others for p in one.predictor.expressions
                if one.grid.gsd_m != self.grid.gsd_m}

    @property
    def gated(self) -> List[int]:
        """Indexes of the phrases the near-infrared band gates (none without one)."""
        return gated_phrases(self.phrases, self.phrase_groups) if self.nir else []

    def pass_of(self) -> Dict[str, _Pass]:
        """phrase -> the pass (model, GSD) that segments it."""
        return {p: one for one in (self.main, *self.others) for p in one.predictor.expressions}


def _prepare(options: SegmentOptions, models: Optional[ModelCache]) -> _Plan:
    expressions = _check_options(options)
    info = open_info(options.raster, options.pixel_coordinates, options.pixel_size_m,
                     options.pixel_y)
    bands = resolve_bands(info, options.bands)
    if info.crs is None and options.output and vector_driver(str(options.output)) == "GeoJSON":
        raise OutputError(f"output {options.output}: GeoJSON is in WGS 84 longitude and latitude "
                          "and this raster has no CRS (pixel coordinates): write a .gpkg or .fgb")
    models = models or ModelCache()
    runtime, device, path = models.plan(options.model, options.runtime, options.device)
    model = models.get(options.model, device, runtime, options.threads, path)
    card = getattr(model, "card", None)
    assumed = None
    if info.crs is None and info.pixel_size_m is None:   # as the model sees its pixels
        assumed = working_gsd(model, None)
        info = replace(info, pixel_size_m=assumed)
    source_gsd = source_gsd_m(info)
    gsd = float(options.gsd_m) if options.gsd_m else working_gsd(model, source_gsd)
    grounding = GroundedRun(expressions, options.grounding,  # the phrases to segment
                            policy=policy_of(card), rivals=options.rivals,
                            vocabulary=vocabulary_of(card))
    groups = grounding.phrase_groups()
    # each phrase at the scales its category was learnt at, unless the user set the GSD
    per_group = not options.gsd_m
    base = _base_model(options, models, card, grounding)
    by_base = {p: base is not None and p in base.phrases for p in grounding.phrases}

    # a rival only ("buildings" beside "vehicles") keeps the fine end: its floor was measured
    # for answers, and as a rival it cost the vehicles of the held-out scenes (grounding.md)
    own = {p for e in grounding.plans() for p in grounding.segmented_phrases(e)}

    def phrase_gsd(p: str, measured: bool = True) -> float:
        # a phrase the base answers is measured in the base's card under the base's word
        if base is not None and by_base[p]:
            m, g, word = base.model, working_gsd(base.model, source_gsd), grounding.base_phrase(p)
        else:
            m, g, word = model, gsd, p
        g = float(options.gsd_m) if options.gsd_m else g
        return phrase_gsd_m(getattr(m, "card", None), groups.get(p, []), g,
                            word if measured else None, floor=p in own) if per_group else g

    def phrase_tile(p: str) -> int:  # the tile side the phrase's category was chosen for
        m = base.model if base is not None and by_base[p] else model
        return phrase_tile_px(group_tile_px(getattr(m, "card", None)), groups.get(p, []),
                              m.config.input_size)

    at = {p: phrase_gsd(p) for p in grounding.phrases}
    tile = {p: phrase_tile(p) for p in grounding.phrases}
    learnt = {p: phrase_gsd(p, measured=False) for p in grounding.phrases}
    finer = {p: g for p, g in at.items() if g < learnt[p]}
    raised = {p: g for p, g in at.items() if g > learnt[p]}
    main_gsd = min(at.values(), default=gsd)
    if not options.gsd_m:
        check_upsampling(source_gsd, main_gsd)

    def one_pass(g: float, of_base: bool = False, side: Optional[int] = None) -> _Pass:
        m, m_runtime, m_device = (base.model, base.runtime, base.device) \
            if base is not None and of_base else (model, runtime, device)
        grid = plan_grid(info, options.extent, options.extent_crs, g)
        phrases = [p for p in grounding.phrases
                   if at[p] == g and by_base[p] == of_base and tile[p] == side]
        asked = [grounding.base_phrase(p) for p in phrases] if of_base else phrases
        predictor = make_predictor(m_runtime, m, m_device, asked, options.precision,
                                   options.threads, side)
        predictor.expressions = phrases  # the run's keys; the base was asked in its own words
        rows = tile_rows(grid.height, grid.width, predictor.input_size, options.overlap) \
            if phrases else []  # nothing the model could look for: no inference
        m_card = getattr(m, "card", None)
        return _Pass(grid, predictor, rows, phrase_offsets(m_card, predictor.expressions, groups),
                     Stretch.from_card(m_card, info.dtype) if options.stretch == "auto"
                     else None, of_base)

    # a pass per GSD, model and tile side; the own model first
    keys = sorted({(at[p], by_base[p], tile[p]) for p in grounding.phrases})
    main_key = keys[0] if keys else (main_gsd, False, None)
    main = one_pass(*main_key)
    others = [one_pass(*k) for k in keys if k != main_key]
    return _Plan(info, bands, device, model, grounding, main, others, runtime, groups,
                 Stretch.from_card(card, info.dtype) if options.stretch == "auto" else None,
                 nir_band(info, options.nir_band, bands), finer, raised, assumed)


class _Base(NamedTuple):
    model: ReferringSegmenter
    phrases: List[str]
    runtime: str
    device: str


def _base_model(options: SegmentOptions, models: ModelCache, card: Optional[Dict[str, Any]],
                grounding: GroundedRun) -> Optional[_Base]:
    """The model a fine-tuned one was made from (its runtime and device), for
    the phrases of categories the fine-tuned one was not taught ("road" in "buildings next to
    the road" asked of a model fine-tuned on buildings: it was never shown a road of that
    region, and fine-tuning wears away what it knew), and for those of classes it leaves to
    the base (its card's ``base_classes``); None when every phrase is its own or the base is
    not installed (the fine-tuned model is asked, as before)."""
    base_name = (card or {}).get("finetuned_from")
    phrases = grounding.untaught_phrases()
    if not isinstance(base_name, str) or not base_name or not phrases:
        return None
    try:
        runtime, device, path = models.plan(base_name, options.runtime, options.device)
        base = models.get(base_name, device, runtime, options.threads, path)
    except RrsisError as exc:
        log.info("the base model %r is not available (%s): the fine-tuned model is asked "
                 "for %s", base_name, exc, ", ".join(phrases))
        return None
    return _Base(base, phrases, runtime, device)


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
    grid, phrases = plan.grid, plan.phrases
    total = plan.tiles_total
    vectorizers = [_vectorizer(options, plan, p) for p in phrases]
    meters = [PresenceMeter() for _ in phrases]
    writers: List[StripRasterWriter] = []
    main_index = [phrases.index(p) for p in plan.main.predictor.expressions]
    counter = {"done": 0, "skipped": 0}
    t_loop = time.perf_counter()

    def report(stage: str) -> None:
        if progress is None:
            return
        done = counter["done"]
        elapsed = time.perf_counter() - t_loop
        eta = elapsed / done * (total - done) if done else None
        progress(Progress(done / total if total else 1.0, done, total, eta, stage))

    def tick(tiles: int, skipped: int) -> None:
        counter["done"] += tiles
        counter["skipped"] += skipped
        report("segment")

    try:
        with ExitStack() as stack:
            gate = stack.enter_context(NdviGate(plan.info, grid, plan.bands[0], plan.nir,
                                                plan.gated)) if plan.gated else None
            coarse = [(stack.enter_context(_coarse_probability(options, plan, p, timings, cancel,
                                                               tick)),
                       [phrases.index(e) for e in p.predictor.expressions])
                      for p in plan.others if p.rows]

            def emit(row0: int, main_prob: np.ndarray, valid: np.ndarray) -> None:
                t = time.perf_counter()
                prob = np.zeros((len(phrases),) + valid.shape, np.float32)
                prob[main_index] = main_prob
                for source, index in coarse:  # resampled onto the output grid
                    prob[index] = source.strip(row0, valid.shape[0])
                if gate is not None:
                    gate.apply(row0, prob)
                for i, vec in enumerate(vectorizers):
                    vec.add(row0, prob[i], valid)
                    meters[i].add(prob[i], valid)
                timings["vectorize"] += time.perf_counter() - t
                t = time.perf_counter()
                for w in writers:
                    w.write(row0, prob, valid, options.threshold)
                timings["write"] += time.perf_counter() - t

            if options.probability and phrases:
                writers.append(StripRasterWriter(options.probability, grid,
                                                 options.probability_dtype, phrases))
            if options.mask and phrases:
                writers.append(StripRasterWriter(options.mask, grid, "mask", phrases))
            report("segment")
            _infer(plan, plan.main, options, timings, cancel, tick, emit)
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
    result.tiles, result.tiles_skipped = total, counter["skipped"]
    return result


def _infer(plan: _Plan, one: _Pass, options: SegmentOptions, timings: Dict[str, float],
           cancel: Optional[Callable[[], bool]], tick: Callable[[int, int], None],
           emit: Callable[[int, np.ndarray, np.ndarray], None]) -> None:
    """Stream one pass's tiles through its predictor; ``emit(row0, prob, valid)`` each strip
    of its grid as soon as it is finished (prob: (phrases of the pass, h, width))."""
    grid, predictor = one.grid, one.predictor
    size = predictor.input_size
    blender = StripBlender(len(predictor.expressions), grid.width, size,
                           blend_window(size, options.overlap), one.offsets)
    # pixels without data (no-data, alpha 0) are shown to the model as its mean colour, which
    # normalises to 0: what training pads crops with; black would be a frame the model never
    # saw, and it darkens what it finds near every edge
    fill = predictor.model.config.mean

    def flush(strip: Optional[Tuple[int, np.ndarray, np.ndarray]]) -> None:
        if strip is not None:
            emit(*strip)

    with WindowReader(plan.info, grid, plan.bands, fill, one.stretch) as reader:
        for row in one.rows:
            flush(blender.advance(row[0].row, grid.height))
            for chunk in row_chunks(row, max(READ_SPAN_PX, size)):
                t = time.perf_counter()  # one read per chunk of tiles: GDAL calls are costly
                c0 = chunk[0].col
                rgb, valid = reader.read(chunk[0].row, c0, size, chunk[-1].col_end - c0)
                mirror_beyond(rgb, grid.height - chunk[0].row, grid.width - c0)
                timings["read"] += time.perf_counter() - t
                for batch in batches(chunk, options.batch_size):
                    if cancel is not None and cancel():
                        raise Cancelled("segmentation cancelled; no output was written")
                    todo = [(tile, valid[:, tile.col - c0:tile.col_end - c0]) for tile in batch]
                    todo = [(tile, v) for tile, v in todo if v.any()]
                    if todo:
                        t = time.perf_counter()
                        diff = logit_difference(predictor, np.stack(
                            [rgb[:, :, tile.col - c0:tile.col_end - c0] for tile, _ in todo]),
                            options.flip_average)
                        timings["infer"] += time.perf_counter() - t
                        for j, (tile, v) in enumerate(todo):
                            blender.add(tile, diff[:, j], v)
                    tick(len(batch), len(batch) - len(todo))
        flush(blender.advance(grid.height, grid.height))


class _Resampled:
    """A coarser pass's probabilities, read strip by strip on the output grid (bilinear)."""

    def __init__(self, vrt: Any, width: int) -> None:
        self.vrt, self.width = vrt, width

    def strip(self, row0: int, height: int) -> np.ndarray:
        from rasterio.windows import Window

        data = self.vrt.read(window=Window(0, row0, self.width, height))
        return np.nan_to_num(data, nan=0.0).astype(np.float32)


@contextmanager
def _coarse_probability(options: SegmentOptions, plan: _Plan, one: _Pass,
                        timings: Dict[str, float], cancel: Optional[Callable[[], bool]],
                        tick: Callable[[int, int], None]) -> Iterator[_Resampled]:
    """Segment ``one`` (phrases served at a coarser GSD) into a temporary float GeoTIFF on its
    own grid, then serve it resampled onto the output grid: memory stays one strip high."""
    from rasterio.enums import Resampling
    from rasterio.vrt import WarpedVRT

    with scratch_folder("pass") as tmp:
        path = str(Path(tmp) / "probability.tif")
        writer = StripRasterWriter(path, one.grid, "float32", one.predictor.expressions)
        try:
            _infer(plan, one, options, timings, cancel, tick,
                   lambda row0, prob, valid: writer.write(row0, prob, valid, options.threshold))
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        grid = plan.grid
        with rasterio.open(path) as src, WarpedVRT(
                src, src_crs=warp_crs(one.grid), crs=warp_crs(grid), transform=grid.transform,
                width=grid.width, height=grid.height, resampling=Resampling.bilinear) as vrt:
            yield _Resampled(vrt, grid.width)


def _vectorizer(options: SegmentOptions, plan: _Plan, phrase: str) -> StripVectorizer:
    """The vectoriser of one phrase: the run's threshold and its lexicon groups' core rule."""
    return StripVectorizer(options.threshold, core_rule(plan.phrase_groups.get(phrase, []),
                                                        options.threshold))


def _min_area_m2(options: SegmentOptions, gsd_m: float) -> float:
    """The smallest object kept: the option, else a speck of 16 pixels at the scale the
    phrase was seen at (never below 1 m²)."""
    return options.min_area_m2 if options.min_area_m2 is not None \
        else default_min_area_m2(gsd_m)


def _write_vectors(options: SegmentOptions, plan: _Plan, vectorizers: List[StripVectorizer],
                   timings: Dict[str, float], meters: List[PresenceMeter]) -> SegmentResult:
    grid, model = plan.grid, plan.model
    name = model_name(model, options.model)
    sha = str((getattr(model, "card", {}) or {}).get("weights_sha256") or "")
    pass_of = plan.pass_of()
    base = {p: (model_name(one.predictor.model, None),
                str((one.card or {}).get("weights_sha256") or ""))
            for p, one in pass_of.items() if one.base}
    coarser = plan.coarser_gsd()
    gsd_of = {p: coarser.get(p, grid.gsd_m) for p in plan.phrases}
    created = _created()
    t = time.perf_counter()
    records, counts = [], {e: 0 for e in plan.grounding.expressions}
    objects = {phrase: list(vec.objects(
        grid.transform, grid.metres_per_unit, _min_area_m2(options, gsd_of[phrase]),
        options.simplify_m, regularize=options.regularize))
        for phrase, vec in zip(plan.phrases, vectorizers)}
    presence = {}   # each phrase under the rule of the model that segmented it
    for of_base in (False, True):
        mine = {p: m for p, m in zip(plan.phrases, meters) if pass_of[p].base == of_base}
        if mine:
            presence.update(measure(pass_of[next(iter(mine))].card, mine, objects, grid.gsd_m,
                                    options.presence_check, plan.phrase_groups))
    objects = {p: objs if presence[p].present else [] for p, objs in objects.items()}
    picks, reports = plan.grounding.select(
        {p: [o.geometry for o in objs] for p, objs in objects.items()}, grid.transform,
        grid.metres_per_unit, grid.bounds, plan.colour_reader,
        {p: [o.score for o in objs] for p, objs in objects.items()})
    annotate(reports, plan.grounding.answer_phrases(), presence, NO_MATCH)
    _note_coarser(reports, plan.grounding,
                  {p: g for p, g in coarser.items() if p not in plan.raised_gsd})
    _note_finer(reports, plan.grounding, plan.finer_gsd)
    _note_raised(reports, plan.grounding, plan.raised_gsd)
    _note_tiles(reports, plan.grounding, {
        p: one.predictor.input_size for p, one in pass_of.items()
        if one.predictor.input_size != one.predictor.model.config.input_size})
    _note_base(reports, plan.grounding, {p: b[0] for p, b in base.items()}, name)
    _note_unlearnt(reports, plan.grounding, unlearnt_words(getattr(model, "card", None)))
    if plan.assumed_pixel_m is not None:
        for report in reports.values():
            report["messages"] = list(report.get("messages", [])) + [
                f"no CRS: a pixel taken as {plan.assumed_pixel_m:g} m, the model's native GSD, "
                "for its scales, distances and areas (pixel_size_m, --pixel-size, or Pixel "
                "size in QGIS: its own)"]
    gated = [plan.phrases[i] for i in plan.gated]   # none without a near-infrared band
    if gated:
        _note_nir(reports, plan.grounding, gated, plan.nir)
    for expr, pick in picks:
        answered_by, answered_sha = base.get(pick.phrase, (name, sha))
        for picked in _picked_objects(pick, objects, grid):
            for obj in reproject_object(picked, grid.crs, plan.info.crs):
                records.append({"geometry": obj.geometry, "expression": expr,
                                "category": pick.category, "score": round(obj.score, 6),
                                "area_m2": round(obj.area_m2, 4),
                                "model": answered_by, "model_sha256": answered_sha,
                                "gsd_m": gsd_of[pick.phrase], "created": created,
                                "plan": pick.plan})
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
        width_px=grid.width, height_px=grid.height, plans=reports, runtime=plan.runtime,
        stretch=("model" if plan.stretch else "area") if is_stretched(plan.info.dtype) else None,
        nir_band=plan.nir if gated else None, bands=list(plan.bands))


def _picked_objects(pick: Pick, objects: Mapping[str, Sequence[ObjectPolygon]],
                    grid: WorkGrid) -> List[ObjectPolygon]:
    """The polygons of one pick in the working CRS: the object, or a part found in the
    objects' outlines (a road junction: each of its polygons, with the part's score)."""
    if pick.part is None:
        return [objects[pick.phrase][pick.index]]
    return [ObjectPolygon(p, pick.part_score, p.area * grid.metres_per_unit ** 2)
            for p in polygon_parts(pick.part)]


def _note_coarser(reports: Dict[str, Dict[str, Any]], grounding: GroundedRun,
                  coarser_gsd: Dict[str, float]) -> None:
    """Say in each expression's report which of its phrases were looked for at a coarser GSD
    than the output grid (``phrase_gsd_m``, and a message)."""
    _note_phrase_gsd(reports, grounding, coarser_gsd, "the scales the model learnt it at")


def _note_finer(reports: Dict[str, Dict[str, Any]], grounding: GroundedRun,
                finer_gsd: Dict[str, float]) -> None:
    """Say in each expression's report which of its phrases were looked for finer than the
    coarsest scale they were learnt at, at their card's ceiling (``phrase_gsd_m``, a message)."""
    _note_phrase_gsd(reports, grounding, finer_gsd, "finer than the raster: the model finds it "
                     "better there than at the coarsest scale it learnt it at (measured)")


def _note_raised(reports: Dict[str, Dict[str, Any]], grounding: GroundedRun,
                 raised_gsd: Dict[str, float]) -> None:
    """Say in each expression's report which of its phrases were looked for coarser than the
    raster, at their card's floor (``phrase_gsd_m``, a message)."""
    _note_phrase_gsd(reports, grounding, raised_gsd, "coarser than the raster: the model finds "
                     "it better there than at the finest scale it learnt it at (measured)")


def _note_phrase_gsd(reports: Dict[str, Dict[str, Any]], grounding: GroundedRun,
                     gsd_of: Dict[str, float], why: str) -> None:
    """Add the phrases of each expression in ``gsd_of`` to its report's ``phrase_gsd_m``,
    each with the message "'road' looked for at 0.34 m, <why>"."""
    _note_phrases(reports, grounding, gsd_of, "phrase_gsd_m",
                  lambda p, g: f"{p!r} looked for at {g:.3g} m, {why}")


def _note_tiles(reports: Dict[str, Dict[str, Any]], grounding: GroundedRun,
                tile_of: Dict[str, int]) -> None:
    """Say in each expression's report which of its phrases were looked for in tiles of
    another side than the model's (``phrase_tile_px``, and a message)."""
    _note_phrases(reports, grounding, tile_of, "phrase_tile_px",
                  lambda p, t: f"{p!r} looked for in {t} px tiles, the side chosen for its "
                               f"category on held-out scenes (measured)")


def _note_base(reports: Dict[str, Dict[str, Any]], grounding: GroundedRun,
               base_of: Dict[str, str], model: str) -> None:
    """Say in each expression's report which of its phrases the base model answered
    (``base_model``, and a message)."""
    _note_phrases(reports, grounding, base_of, "base_model",
                  lambda p, b: base_message(p, b, model, grounding.left_to_base(p)))


def _note_phrases(reports: Dict[str, Dict[str, Any]], grounding: GroundedRun,
                  value_of: Mapping[str, Any], key: str, line: Callable[[str, Any], str]
                  ) -> None:
    """Each expression's phrases in ``value_of`` added to its report's ``key`` (phrase ->
    value), each with the message ``line(phrase, value)``."""
    for expr, report in reports.items():
        found = {p: value_of[p] for p in grounding.segmented_phrases(expr) if p in value_of}
        if found:
            report[key] = {**report.get(key, {}), **found}
            report["messages"] = list(report.get("messages", [])) + [
                line(p, v) for p, v in found.items()]


def _note_nir(reports: Dict[str, Dict[str, Any]], grounding: GroundedRun,
              gated: List[str], band: int) -> None:
    """Say in each expression's report which of its phrases were kept only where the ground
    is green in near infrared (:mod:`rrsis.engine.nir`)."""
    for expr, report in reports.items():
        mine = [p for p in grounding.segmented_phrases(expr) if p in gated]
        if mine:   # one line: a relational expression's fallback phrase is gated too
            report["messages"] = list(report.get("messages", [])) + [
                f"{' and '.join(map(repr, mine))} {gate_message(band)}"]


def _note_unlearnt(reports: Dict[str, Dict[str, Any]], grounding: GroundedRun,
                   unlearnt: Dict[str, Tuple[float, int]]) -> None:
    """Say in each expression's report which of its phrases the model did not learn
    (:mod:`rrsis.grounding.learnt`): ``unlearnt`` and a message."""
    for expr, report in reports.items():
        weak = unlearnt_in(grounding.segmented_phrases(expr), unlearnt)
        if weak:
            report["unlearnt"] = sorted(weak)
            report["messages"] = list(report.get("messages", [])) + [
                unlearnt_message(p, *v) + length_remark(p, grounding.policy)
                for p, v in weak.items()]


def __getattr__(name: str) -> Any:
    """``estimate`` lives in :mod:`.estimation` (it imports this module); reachable here too."""
    if name == "estimate":
        from .estimation import estimate

        return estimate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
