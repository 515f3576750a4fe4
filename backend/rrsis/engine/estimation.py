"""``estimate``: tiles, expected seconds and peak memory of :func:`rrsis.engine.run.segment`.

Measured, not guessed: the run is planned exactly as :func:`~rrsis.engine.run.segment`
plans it (same model, grid and tiles), then a few batches of real tiles are read and
inferred and timed; memory comes from :mod:`.probes`.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import rasterio
from affine import Affine
from rasterio.enums import Resampling
from rasterio.warp import reproject

from ..paths import gdal_options
from .grid import warp_crs
from .model_cache import ModelCache, model_name
from .probes import peak_rss_mb, reset_peak_rss
from .raster_io import WindowReader
from .run import (GDAL_CACHE_MB, READ_SPAN_PX, EstimateResult, SegmentOptions, _min_area_m2,
                  _Plan, _prepare, _vectorizer)
from .runtime import logit_difference
from .tiling import Tile, row_chunks, sigmoid

__all__ = ["estimate"]


def estimate(options: SegmentOptions, models: Optional[ModelCache] = None,
             calibration_batches: int = 2) -> EstimateResult:
    """Tiles, expected seconds and peak memory of :func:`segment` with these options.

    Measured, not guessed: one warm-up batch then ``calibration_batches`` timed batches of
    real tiles from the requested area (read + inference per expression). Peak memory is
    the process's measured peak during calibration plus the streaming buffers of the run
    (blend buffer, one strip per expression) and the bounded GDAL cache.
    """
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB, **gdal_options()):
        t_prepare = time.perf_counter()
        plan = _prepare(options, models)   # a run pays it too (loading the model, most of it)
        prepare_s = time.perf_counter() - t_prepare
        grid, predictor = plan.grid, plan.predictor
        size, n_expr = predictor.input_size, len(predictor.expressions)
        tiles = [t for row in plan.rows for t in row]
        if not tiles:  # no expression the model could look for: nothing to run
            return EstimateResult(0, 0.0, round(peak_rss_mb(), 1), grid.gsd_m, str(plan.device),
                                  model_name(plan.model, options.model), grid.width,
                                  grid.height, 0, runtime=plan.runtime, phrases=0)
        bs = max(1, options.batch_size)
        cuda = plan.device.startswith("cuda")
        if cuda:
            import torch

            torch.cuda.reset_peak_memory_stats(plan.device)
        reset_peak_rss()
        # read as the run does (a chunk of one tile row, from the middle of the area), then
        # one warm-up batch and ``calibration_batches`` timed batches cut from such chunks
        row = plan.rows[len(plan.rows) // 2]
        read_s, read_tiles, crops, crop_tiles = 0.0, 0, [], []
        with WindowReader(plan.info, grid, plan.bands, stretch=plan.main.stretch) as reader:
            for chunk in row_chunks(row, max(READ_SPAN_PX, size)):
                t0 = time.perf_counter()
                c0 = chunk[0].col
                rgb, _ = reader.read(chunk[0].row, c0, size, chunk[-1].col_end - c0)
                read_s += time.perf_counter() - t0
                read_tiles += len(chunk)
                crops += [rgb[:, :, t.col - c0:t.col_end - c0] for t in chunk]
                crop_tiles += chunk
                if len(crops) >= bs * (calibration_batches + 1):
                    break
        while len(crops) < bs * (calibration_batches + 1):
            crops, crop_tiles = crops + crops, crop_tiles + crop_tiles
        infer_s, measured, answers = 0.0, 0, []
        for k in range(calibration_batches + 1):
            batch = np.stack(crops[k * bs:(k + 1) * bs])
            t0 = time.perf_counter()
            diff = logit_difference(predictor, batch, options.flip_average)
            if cuda:
                torch.cuda.synchronize(plan.device)
            if k > 0:  # the first batch is a warm-up
                infer_s += time.perf_counter() - t0
                measured += len(batch)
                answers += [(tile, diff[:, j]) for j, tile in
                            enumerate(crop_tiles[k * bs:(k + 1) * bs])]
        read_tile, infer_tile = read_s / max(1, read_tiles), infer_s / max(1, measured)
        coarse = _coarse_answers(options, plan, [t for t, _ in answers])
        objects_tile = _objects_seconds(options, plan, answers, coarse) / max(1, len(answers))
        per_tile = read_tile + infer_tile
        # phrases served coarser (.gsd) or in tiles of another side run in passes of their
        # own, each tile costing a read and one forward per phrase of the pass, by its area
        passes = [(len(tiles), n_expr, 1.0)] + [
            (p.tiles_total, len(p.predictor.expressions), (p.predictor.input_size / size) ** 2)
            for p in plan.others]
        seconds = prepare_s + len(tiles) * objects_tile + sum(
            n * area * (read_tile + infer_tile * k / n_expr) for n, k, area in passes) * 1.05
        #                                                               blending, writing
        buffers_mb = 4.0 * (n_expr + 1) * size * max(grid.width, size) * 3 / 2**20
        # the GDAL block cache keeps filling during a long run, bounded by GDAL_CACHE_MB
        peak = peak_rss_mb() + buffers_mb + GDAL_CACHE_MB * 0.5
        gpu = torch.cuda.max_memory_allocated(plan.device) / 2**20 if cuda else None
    return EstimateResult(
        tiles=plan.tiles_total, seconds=round(seconds, 2), peak_memory_mb=round(peak, 1),
        gsd_m=grid.gsd_m, device=str(plan.device), model=model_name(plan.model, options.model),
        width_px=grid.width, height_px=grid.height, expressions=n_expr,
        phrases=sum(k for _, k, _ in passes),
        seconds_per_tile=round(per_tile, 4), objects_seconds_per_tile=round(objects_tile, 4),
        peak_gpu_memory_mb=round(gpu, 1) if gpu is not None else None,
        calibration_tiles=measured, runtime=plan.runtime)


def _coarse_answers(options: SegmentOptions, plan: _Plan, calibration: List[Tile]
                    ) -> Dict[Tuple[int, int], Dict[str, np.ndarray]]:
    """The logits (less each phrase's operating point) of the phrases served coarser (roads,
    water, bare land) on each calibration tile, keyed by its (row, col): inferred on the
    tiles of their own grid that cover those tiles and resampled onto them, as the run serves
    them on the output grid. Their objects are the anchors "anything near the road" is
    selected against. Their read and inference are counted with their pass's tiles."""
    out: Dict[Tuple[int, int], Dict[str, np.ndarray]] = {(t.row, t.col): {} for t in calibration}
    if not calibration:
        return out
    grid = plan.grid
    r0, c0 = min(t.row for t in calibration), min(t.col for t in calibration)
    r1, c1 = max(t.row_end for t in calibration), max(t.col_end for t in calibration)
    corners = [grid.transform @ (c, r) for c in (c0, c1) for r in (r0, r1)]
    for one in plan.others:
        inverse = ~one.grid.transform
        cs, rs = zip(*(inverse @ xy for xy in corners))
        tiles = [t for row in one.rows for t in row if t.row < max(rs) and t.row_end > min(rs)
                 and t.col < max(cs) and t.col_end > min(cs)]
        if not tiles:
            continue
        size, phrases = one.predictor.input_size, one.predictor.expressions
        tr0, tc0 = min(t.row for t in tiles), min(t.col for t in tiles)
        mosaic = np.zeros((len(phrases), max(t.row_end for t in tiles) - tr0,
                           max(t.col_end for t in tiles) - tc0), np.float32)
        with WindowReader(plan.info, one.grid, plan.bands, stretch=one.stretch) as reader:
            crops = [reader.read(t.row, t.col, size, size)[0] for t in tiles]
        bs = max(1, options.batch_size)
        for k in range(0, len(crops), bs):
            diff = logit_difference(one.predictor, np.stack(crops[k:k + bs]), options.flip_average)
            for j, t in enumerate(tiles[k:k + bs]):
                d = diff[:, j] - (one.offsets[:, None, None] if one.offsets is not None else 0)
                mosaic[:, t.row - tr0:t.row_end - tr0, t.col - tc0:t.col_end - tc0] = d
        source = one.grid.transform @ Affine.translation(tc0, tr0)
        for t in calibration:
            target = grid.transform @ Affine.translation(t.col, t.row)
            for i, phrase in enumerate(phrases):
                dst = np.zeros((t.size, t.size), np.float32)
                reproject(mosaic[i], dst, src_transform=source, src_crs=warp_crs(one.grid),
                          dst_transform=target, dst_crs=warp_crs(grid),
                          resampling=Resampling.bilinear)
                out[t.row, t.col][phrase] = dst
    return out


def _objects_seconds(options: SegmentOptions, plan: _Plan,
                     answers: List[Tuple[Tile, np.ndarray]],
                     coarse: Optional[Dict[Tuple[int, int], Dict[str, np.ndarray]]] = None
                     ) -> float:
    """Seconds to make objects of the calibration tiles' answers and select them, as the run
    does (its vectoriser, each phrase's core rule and operating point, then the grounding's
    selection with its colour reads): the part of a run that grows with the objects found,
    several times the inference for "anything red". ``coarse``: the answers of the phrases
    served coarser on the same tiles (:func:`_coarse_answers`), anchors of the selection."""
    grid, phrases, offsets = plan.grid, plan.predictor.expressions, plan.main.offsets
    coarser = plan.coarser_gsd()
    gsd_of = {p: coarser.get(p, grid.gsd_m) for p in plan.phrases}
    t0 = time.perf_counter()
    objects: Dict[str, List[Any]] = {p: [] for p in plan.phrases}
    scores: Dict[str, List[float]] = {p: [] for p in plan.phrases}
    for tile, diff in answers:
        transform = grid.transform @ Affine.translation(tile.col, tile.row)
        logits = {phrase: diff[i] - offsets[i] if offsets is not None else diff[i]
                  for i, phrase in enumerate(phrases)}
        logits.update((coarse or {}).get((tile.row, tile.col), {}))
        for phrase, d in logits.items():
            vec = _vectorizer(options, plan, phrase)
            vec.add(0, sigmoid(d), np.ones(d.shape, bool))
            for obj in vec.objects(transform, grid.metres_per_unit,
                                   _min_area_m2(options, gsd_of[phrase]), options.simplify_m,
                                   regularize=options.regularize):
                objects[phrase].append(obj.geometry)
                scores[phrase].append(obj.score)
    plan.grounding.select(objects, grid.transform, grid.metres_per_unit, grid.bounds,
                          plan.colour_reader, scores)
    return time.perf_counter() - t0
