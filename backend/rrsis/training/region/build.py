"""``rrsis build-dataset``: one raster + labels -> a RefSegRS-format dataset, served-tile exact.

Tiles come from the engine's own raster code (:mod:`rrsis.engine.raster_io`): the same
working grid (ground-metre GSD, a geographic raster in its local UTM zone), the same
band mapping, the same warped windowed reads and the same 2-98 % stretch over the
requested area. A training tile is therefore the serving tile of the same window,
stored as 8-bit PNG (``round(rgb * 255)``).

The area is cut into spatial *parts* first (strips across its longer side: train, val,
test; or an explicit ``test_extent``), so the parts never share ground and none is empty;
the shares are of the ground that holds data (a mosaic with gaps, a no-data collar), read
once on a coarse grid.
Each part is tiled on its own, edge tiles padded; ``valid/<id>.png`` marks the pixels
that are inside the part and hold data, and training ignores the rest (no-data, padding
and the neighbouring part never teach "background"). A tile where no object of a class
lies is a sample too: the class word with an empty mask (``negative_tiles``); the area a
model serves is mostly such ground, and one that never saw it there marks it. A class the
lexicon says may name the same object as one in the tile ("building" where a "house" is,
"vehicle" where a "car" is) is not taught absent there. The dataset
is written under a temporary name and renamed at the end: a failed build leaves nothing
behind.

Over 300 lines on purpose: one build from parts to tiles to the renamed folder; the labels
are :mod:`.labels`', the area and the checks that labels and raster meet :mod:`.area`'s,
the copies a dataset keeps :mod:`.keep`'s and the held-out measure :mod:`.holdout`'s.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import (Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple,
                    Union)

import numpy as np
from PIL import Image

from ...engine.raster_io import (WindowReader, WorkGrid, open_info, plan_grid, resolve_bands,
                                 source_gsd_m)
from ...errors import Cancelled, InputError
from ...paths import absolute_source
from ...grounding.lexicon import BASE_VOCABULARY
from ...models.registry import IMAGENET_MEAN
from ..expressions import DEFAULT_SYNONYMS, Expression, Instance, generate_expressions
from .area import (FEW_OBJECTS, box_in_grid, check_labels_crs, check_labels_outside,
                   check_overlap, labelled_area, window_bounds)
from .keep import keep_labels, keep_raster
from .labels import (as_areas, check_class_words, pixel_frame_of, read_region_labels,
                     read_words, to_crs)

__all__ = ["Part", "Coverage", "plan_parts", "read_coverage", "tile_starts",
           "build_region_dataset", "dataset_report", "read_tile", "MIN_TRAIN_OBJECTS",
           "MIN_ABSENT_TILES"]

log = logging.getLogger(__name__)
PathLike = Union[str, Path]
MIN_PIXELS = 16              # a clipped object smaller than this is not described
MIN_TRAIN_OBJECTS = 40       # fewer labelled objects in train: warn that it is too little
MIN_ABSENT_TILES = 4         # a class present in few training tiles is still taught absent
SPLITS = ("train", "val", "test")
Progress = Callable[[Dict[str, Any]], None]   # fields of the server's progress event


@dataclass(frozen=True)
class Part:
    """A rectangle of the working grid (pixel rows/cols, end exclusive) given to one split."""

    split: str
    row0: int
    col0: int
    row1: int
    col1: int

    @property
    def shape(self) -> Tuple[int, int]:
        return self.row1 - self.row0, self.col1 - self.col0


def plan_parts(height: int, width: int, shares: Sequence[float],
               test_box: Optional[Tuple[int, int, int, int]] = None,
               coverage: Optional["Coverage"] = None,
               along_cols: Optional[bool] = None) -> List[Part]:
    """Spatial parts: strips across the longer side in the order train | val | test
    (``along_cols``: cut along the columns, True, or the rows, False, instead).

    Each requested share gets at least one pixel strip (never empty); with ``test_box``
    (row0, col0, row1, col1) the test part is that box and the rest of the grid beside it
    is cut into train | val along its longer side. With ``coverage`` the shares are of the
    ground that holds data, not of the rectangle: a mosaic with gaps or a scene with a
    no-data collar is cut where its data is, so no part is left with none.
    """
    if len(shares) != 3 or any(s < 0 for s in shares) or shares[0] <= 0:
        raise InputError("split shares must be three non-negative numbers, train > 0")
    parts: List[Part] = []
    r0, c0, r1, c1 = 0, 0, height, width
    names = list(SPLITS)
    wanted = list(shares)
    if test_box is not None:
        tr0, tc0, tr1, tc1 = test_box
        parts.append(Part("test", tr0, tc0, tr1, tc1))
        # the largest grid rectangle beside the test box
        options = [(0, 0, height, tc0), (0, tc1, height, width), (0, 0, tr0, width),
                   (tr1, 0, height, width)]
        r0, c0, r1, c1 = max(options, key=lambda b: max(0, b[2] - b[0]) * max(0, b[3] - b[1]))
        if (r1 - r0) * (c1 - c0) <= 0:
            raise InputError("the test extent covers the whole area: nothing left to train on")
        names, wanted = names[:2], wanted[:2]
    total = sum(wanted)
    if along_cols is None:
        along_cols = (c1 - c0) >= (r1 - r0)
    length = (c1 - c0) if along_cols else (r1 - r0)
    active = [(n, s) for n, s in zip(names, wanted) if s > 0]
    if length < len(active):
        raise InputError(f"the area is {length} px long: too small to split")
    profile = coverage.profile(r0, c0, r1, c1, along_cols) if coverage is not None else None
    cuts, acc = [0], 0.0
    for n, s in active[:-1]:
        acc += s / total
        at = round(acc * length) if profile is None else _quantile(profile, acc)
        cuts.append(max(cuts[-1] + 1, min(length - (len(active) - len(cuts)), at)))
    cuts.append(length)
    for (n, _), a, b in zip(active, cuts[:-1], cuts[1:]):
        parts.append(Part(n, r0, c0 + a, r1, c0 + b) if along_cols
                     else Part(n, r0 + a, c0, r0 + b, c1))
    return sorted(parts, key=lambda p: SPLITS.index(p.split))


def parts_keeping_classes(grid: Any, shares: Sequence[float],
                          test_box: Optional[Tuple[int, int, int, int]],
                          coverage: Optional["Coverage"], geoms: Sequence[Any],
                          words: Sequence[Optional[str]]) -> List[Part]:
    """:func:`plan_parts` across the longer side, or across the other where more classes then
    lie in every part: strips across the rows of a scene with its buildings in the top half
    and its water in the bottom leave a part without buildings (measured on a Dubai tile),
    strips across its columns hold both."""
    import shapely

    tree, min_area = shapely.STRtree(geoms), MIN_PIXELS * grid.transform.a ** 2

    def classes_everywhere(parts: List[Part]) -> int:
        present = []
        for p in parts:
            box = shapely.box(*window_bounds(grid, p.row0, p.col0, p.row1, p.col1))
            present.append({words[i] for i in tree.query(box, predicate="intersects")
                            if words[i] and geoms[i].intersection(box).area >= min_area})
        return len(set.intersection(*present)) if present else 0

    longer = plan_parts(grid.height, grid.width, shares, test_box, coverage)
    if len({w for w in words if w}) < 2:
        return longer
    best, kept = longer, classes_everywhere(longer)
    for along_cols in (True, False):
        try:
            parts = plan_parts(grid.height, grid.width, shares, test_box, coverage, along_cols)
        except InputError:   # too narrow that way
            continue
        if parts == longer:   # the longer side's own cut, already counted
            continue
        held = classes_everywhere(parts)
        if held > kept:
            best, kept = parts, held
    if best is not longer:
        log.info("parts cut the other way: %d classes lie in every part", kept)
    return best


def _quantile(profile: np.ndarray, share: float) -> int:
    """The position (in ``profile``'s pixels) before which ``share`` of its total lies."""
    cum = np.concatenate([[0.0], np.cumsum(profile, dtype=np.float64)])
    if cum[-1] <= 0:
        return round(share * len(profile))
    return int(np.searchsorted(cum, share * cum[-1], side="left"))


@dataclass(frozen=True)
class Coverage:
    """Which ground holds data, on a grid ``step`` times coarser than the working grid:
    ``share[i, j]`` is 1 where coarse cell (i, j) holds data (GDAL's warp decides a cell
    from the source pixels under it), else 0."""

    share: np.ndarray
    step: int

    def _cells(self, r0: int, c0: int, r1: int, c1: int) -> np.ndarray:
        k = self.step
        return self.share[r0 // k: -(-r1 // k), c0 // k: -(-c1 // k)]

    def profile(self, r0: int, c0: int, r1: int, c1: int, along_cols: bool) -> np.ndarray:
        """Valid ground per working column (or row) of the rectangle, in working pixels."""
        cells = self._cells(r0, c0, r1, c1)
        per_cell = cells.sum(axis=0 if along_cols else 1) * self.step
        lo = c0 if along_cols else r0
        hi = c1 if along_cols else r1
        index = np.arange(lo, hi) // self.step - lo // self.step
        return per_cell[np.clip(index, 0, len(per_cell) - 1)] if len(per_cell) else \
            np.zeros(hi - lo)

    def valid_fraction(self, part: Part) -> float:
        """The share of ``part``'s rectangle that holds data (to the coarse grid's cells)."""
        cells = self._cells(part.row0, part.col0, part.row1, part.col1)
        return float(cells.mean()) if cells.size else 0.0


#: the coarse coverage grid is at most this many cells on its longer side
COVERAGE_CELLS = 1024


def read_coverage(info: Any, grid: WorkGrid, bands: Tuple[int, int, int],
                  cancelled: Optional[Callable[[], bool]] = None) -> Optional[Coverage]:
    """Where ``grid`` holds data, read once through the engine's reader on a coarse grid
    (GDAL's warp decides each cell's validity from the source under it); None for pixel
    coordinates, where the grid is the raster's own and every pixel is data or declared
    no-data alike."""
    from rasterio.transform import Affine

    if grid.crs is None:
        return None
    step = max(1, math.ceil(max(grid.width, grid.height) / COVERAGE_CELLS))
    coarse = WorkGrid(grid.crs, grid.transform @ Affine.scale(step), -(-grid.width // step),
                      -(-grid.height // step), grid.gsd_m * step, grid.metres_per_unit)
    share = np.zeros((coarse.height, coarse.width), np.float32)
    with WindowReader(info, coarse, bands) as reader:
        for row in range(0, coarse.height, 256):
            if cancelled is not None and cancelled():
                raise Cancelled("build-dataset cancelled")
            _, valid = reader.read_raw(row, 0, min(256, coarse.height - row), coarse.width)
            share[row:row + valid.shape[0]] = valid
    return Coverage(share, step)


def tile_starts(length: int, size: int, dense: bool) -> List[int]:
    """Tile starts along one axis of a part; the last tile is padded beyond the part's edge.

    Whole area: ``ceil(length / size)`` tiles. ``dense`` (a small area) adds half-step tiles
    so a few hundred metres still give enough distinct crops.
    """
    step = max(1, size // 2) if dense else size
    n = max(1, math.ceil((length - (size - step)) / step)) if length > size else 1
    return [i * step for i in range(n)]


def read_tile(reader: WindowReader, row: int, col: int, size: int
              ) -> Tuple[np.ndarray, np.ndarray]:
    """The serving tile at (row, col) as stored for training: uint8 (h, w, 3) and validity."""
    rgb, valid = reader.read(row, col, size, size)
    return np.round(rgb * 255.0).astype(np.uint8).transpose(1, 2, 0), valid


def _category_words(classes: Sequence[str], mapping: Mapping[str, Any]
                    ) -> Tuple[Dict[str, Optional[List[str]]], Dict[str, Tuple[str, ...]]]:
    cat_words: Dict[str, Optional[List[str]]] = {}
    for c in sorted(set(classes)):
        cat_words[c] = mapping[c] if c in mapping else [c.strip().lower().replace("_", " ")]
    synonyms: Dict[str, Tuple[str, ...]] = {}
    for ws in cat_words.values():
        if ws:
            extra = tuple(ws[1:]) if len(ws) > 1 else DEFAULT_SYNONYMS.get(ws[0], ())
            synonyms[ws[0]] = tuple(dict.fromkeys(synonyms.get(ws[0], ()) + extra))
    return cat_words, synonyms


def _default_gsd(info: Any, model_range: Tuple[float, float]) -> float:
    src = source_gsd_m(info)
    if src is None:
        raise InputError("the raster has no georeference: give --gsd")
    # to the micrometre: a GSD measured through the local UTM zone carries float noise
    return round(float(min(max(src, model_range[0]), model_range[1])), 6)


def build_region_dataset(raster: PathLike, labels: PathLike, output: PathLike, *,
                         class_field: Optional[str] = None, fixed_class: Optional[str] = None,
                         gsd_m: Optional[float] = None, tile_size: int = 192,
                         words: Union[None, PathLike, Mapping[str, Any]] = None,
                         split_shares: Sequence[float] = (0.7, 0.15, 0.15),
                         extent: Optional[Sequence[float]] = None,
                         extent_crs: Optional[str] = None,
                         test_extent: Optional[Sequence[float]] = None,
                         layer: Optional[str] = None, bands: Optional[Sequence[int]] = None,
                         line_width_m: float = 0.0, point_radius_m: float = 0.0,
                         line_width_field: Optional[str] = None,
                         point_radius_field: Optional[str] = None,
                         seed: int = 0, overwrite: bool = False,
                         model_gsd_range: Optional[Tuple[float, float]] = None,
                         max_expressions_per_tile: Optional[int] = 8,
                         negative_tiles: bool = True, copy_raster: bool = False,
                         copy_labels: bool = False, pixel_coordinates: bool = False,
                         pixel_size_m: Optional[float] = None, pixel_y: str = "down",
                         progress: Optional[Progress] = None,
                         cancelled: Optional[Callable[[], bool]] = None) -> Dict[str, Any]:
    """Write the dataset folder; return its summary (parts with areas, samples, warnings).

    Without ``gsd_m`` the tiles are at the raster's GSD clamped into ``model_gsd_range``
    (default: the range the default model serves, from its card). ``copy_raster`` and
    ``copy_labels`` keep the raster or the labels inside the dataset (the held-out score reads
    them later), for inputs made only for this build (a web layer rendered by QGIS, a layer
    QGIS exported). ``pixel_coordinates``: a raster without a CRS (a drone photo) is built in
    its pixel units (``pixel_y``: GDAL's frame or QGIS's), its pixels ``pixel_size_m`` on the
    ground; its labels are read in the same units, whatever CRS their file names (QGIS draws
    both so)."""
    import shapely
    from rasterio.features import rasterize

    output = Path(output)
    if output.exists() and not overwrite:
        raise InputError(f"{output} exists: choose another folder or pass --overwrite")
    if tile_size < 32:
        raise InputError("tile size must be at least 32 pixels")
    mapping = read_words(words)
    info = open_info(str(raster), pixel_coordinates, pixel_size_m, pixel_y)
    if info.crs is None and not info.pixel_size_m:
        raise InputError(f"{Path(raster).name} has no CRS: give the ground size of its pixels "
                         "(--pixel-size; QGIS: Pixel size), which the new model is trained and "
                         "served at")
    if not gsd_m and model_gsd_range is None:
        from ...models.catalog import served_gsd_range
        model_gsd_range = served_gsd_range()
    gsd = float(gsd_m) if gsd_m else _default_gsd(info, model_gsd_range)
    grid = plan_grid(info, extent, extent_crs, gsd)
    rgb_bands = resolve_bands(info, tuple(bands) if bands else None)
    size_fields = [f for f in (line_width_field, point_radius_field) if f]
    lab = read_region_labels(labels, class_field, fixed_class, layer, size_fields,
                             None if grid.crs else pixel_frame_of(info))
    if grid.crs is not None:   # else in the raster's pixel units, as QGIS draws them
        check_labels_crs(lab, info, Path(labels).name)
        lab = to_crs(lab, grid.crs)
    geoms, classes = as_areas(lab, line_width_m, point_radius_m, grid.metres_per_unit,
                              line_width_field, point_radius_field)
    zero_unnamed = lab.covered is not None and mapping and "0" in classes and "0" not in mapping
    if zero_unnamed:   # a land-cover map's 0 is its unlabelled ground, unless named
        mapping = {**mapping, "0": None}
    check_class_words(classes, mapping, class_field)
    check_overlap(geoms, grid, Path(labels).name)
    cat_words, synonyms = _category_words(classes, mapping)
    # each label's category word (None: a class the mapping leaves out)
    word_of = [cat_words[c][0] if cat_words[c] else None for c in classes]
    test_box = None
    if test_extent is not None:
        from ...engine.grid import _extent_in_raster_crs

        tb = _extent_in_raster_crs(info, test_extent, extent_crs)
        if grid.crs != info.crs:
            from rasterio.warp import transform_bounds
            tb = transform_bounds(info.crs, grid.crs, *tb, densify_pts=21)
        test_box = box_in_grid(grid, tb)
    if test_box is not None:
        check_labels_outside(geoms, grid, test_box)
    built_area: Dict[str, Any] = {"from": "extent"}
    if extent is None:
        covered = [] if lab.covered is None else [lab.covered]   # a class raster: all of it
        grid, test_box, built_area = labelled_area(grid, [*geoms, *covered], test_box,
                                                   tile_size)
    coverage = read_coverage(info, grid, rgb_bands, cancelled)
    parts = parts_keeping_classes(grid, split_shares, test_box, coverage, geoms, word_of)
    categories = sorted({ws[0] for ws in cat_words.values() if ws})
    # the class words that may name the objects of each one ("house": building, house)
    same_objects = {w: {h for h in categories if BASE_VOCABULARY.overlapping(w, h)}
                    for w in categories}
    res = grid.transform.a
    tree = shapely.STRtree(geoms)
    near = max(2.0, 8 * gsd)
    min_area = MIN_PIXELS * res * res

    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".partial", dir=output.parent))
    try:
        for sub in ("images", "masks", "valid", "tiles"):
            (tmp / sub).mkdir()
        lines: Dict[str, List[str]] = {s: [] for s in SPLITS}
        part_rows: List[Dict[str, Any]] = []
        tile_rows: List[Dict[str, Any]] = []
        with WindowReader(info, grid, rgb_bands, IMAGENET_MEAN) as reader:  # as served
            plan = []
            for p in parts:
                h, w = p.shape
                dense = math.ceil(h / tile_size) * math.ceil(w / tile_size) < 6
                plan += [(p, p.row0 + r, p.col0 + c) for r in tile_starts(h, tile_size, dense)
                         for c in tile_starts(w, tile_size, dense)]
            objects = {s: 0 for s in SPLITS}
            # the tile as seen: inside its part only (padding and other parts are ignored)
            boxes = [shapely.box(*_seen_bounds(grid, p, row, col, tile_size))
                     for p, row, col in plan]
            hits = [[int(gi) for gi in tree.query(b, predicate="intersects")
                     if word_of[int(gi)]] for b in boxes]   # labelled, with words
            touching_all = [{word_of[gi] for gi in tile} for tile in hits]
            absent = _absent_kept([p.split for p, _, _ in plan], touching_all, same_objects,
                                  seed) if negative_tiles else set()
            for k, (p, row, col) in enumerate(plan):
                if cancelled is not None and cancelled():
                    raise Cancelled("build-dataset cancelled")
                if progress is not None:
                    progress({"fraction": k / len(plan), "stage": "build-dataset",
                              "tiles_done": k, "tiles_total": len(plan)})
                name = f"{p.split[:2]}r{row:05d}c{col:05d}"
                left, top = grid.transform @ (col, row)
                box = boxes[k]
                instances: List[Instance] = []
                for gi in hits[k]:
                    part_geom = _polygonal(shapely.make_valid(geoms[gi].intersection(box)))
                    if part_geom is not None and part_geom.area >= min_area:
                        instances.append(Instance(word_of[gi], part_geom))
                exprs = generate_expressions(instances, synonyms, near,
                                             max_expressions=max_expressions_per_tile,
                                             seed=seed * 1_000_003 + row * 1009 + col)
                # "building" where no building is: an empty mask (balanced: _absent_kept)
                exprs += [Expression(word, (), "absent") for word in categories
                          if (k, word) in absent]
                tile_rows.append({"name": name, "split": p.split, "row": row, "col": col,
                                  "objects": len(instances), "expressions": len(exprs)})
                if not exprs:
                    continue
                rgb, valid = read_tile(reader, row, col, tile_size)
                inside = np.zeros_like(valid)
                inside[max(0, p.row0 - row):p.row1 - row, max(0, p.col0 - col):p.col1 - col] = True
                valid &= inside
                if not valid.any():
                    continue
                Image.fromarray(rgb).save(tmp / "tiles" / f"{name}.png")
                Image.fromarray((valid * 255).astype(np.uint8)).save(
                    tmp / "tiles" / f"{name}.valid.png")
                from rasterio.transform import Affine
                transform = grid.transform @ Affine.translation(col, row)   # the tile's
                for e, ex in enumerate(exprs):
                    sid = f"{name}e{e:02d}"
                    mask = rasterize([(instances[i].geometry, 255) for i in ex.targets],
                                     out_shape=(tile_size, tile_size), transform=transform,
                                     fill=0, dtype="uint8") if ex.targets else \
                        np.zeros((tile_size, tile_size), np.uint8)
                    mask[~valid] = 0
                    Image.fromarray(mask).save(tmp / "masks" / f"{sid}.png")
                    _link_or_copy(tmp / "tiles" / f"{name}.png", tmp / "images" / f"{sid}.png")
                    _link_or_copy(tmp / "tiles" / f"{name}.valid.png",
                                  tmp / "valid" / f"{sid}.png")
                    lines[p.split].append(f"{sid} {ex.text}")
            stretch = reader.stretch
        for p in parts:
            b = window_bounds(grid, p.row0, p.col0, p.row1, p.col1)
            pbox = shapely.box(*b)
            by_class: Dict[str, int] = {}
            present = set()
            for gi in tree.query(pbox, predicate="intersects"):
                word = word_of[int(gi)]
                if not word:
                    continue
                present.add(word)
                if geoms[int(gi)].representative_point().within(pbox):
                    by_class[word] = by_class.get(word, 0) + 1
            objects[p.split] = sum(by_class.values())
            area = p.shape[0] * p.shape[1] * grid.pixel_area_m2
            data = area * (coverage.valid_fraction(p) if coverage is not None else 1.0)
            part_rows.append({"split": p.split, "rows": [p.row0, p.row1],
                              "cols": [p.col0, p.col1], "bounds": b, "area_m2": round(area, 1),
                              "data_area_m2": round(data, 1),
                              "objects": objects[p.split],
                              "objects_by_class": {c: by_class.get(c, 0) for c in categories},
                              "classes_present": [c for c in categories if c in present],
                              "samples": len(lines[p.split])})
        for split, rows in lines.items():
            (tmp / f"output_phrase_{split}.txt").write_text("".join(r + "\n" for r in rows),
                                                            encoding="utf-8")
        (tmp / "categories.txt").write_text("".join(c + "\n" for c in categories))
        warnings = _warnings(part_rows, lines, gsd)
        if lab.without_class:
            warnings.append(f"{lab.without_class} labelled features have no value in "
                            f"{class_field!r} and were left out")
        if zero_unnamed:
            warnings.append("the class raster's 0, which the words do not name, is read as "
                            "unlabelled ground (no class); name it (e.g. 0: water) to teach it")
        kept_raster = keep_raster(Path(raster), tmp, output,   # pixel units: the whole file
                                  grid.bounds if grid.crs else None, grid.crs) \
            if copy_raster else absolute_source(raster)
        kept_labels, kept_layer = keep_labels(Path(labels), layer, tmp, output) \
            if copy_labels else (str(Path(labels).resolve()), layer)
        summary = {
            "name": output.name, "format": "rrsis-region/2",
            "source_raster": kept_raster, "source_labels": kept_labels, "source_layer": kept_layer,
            "class_field": class_field,
            "fixed_class": fixed_class, "label_kinds": lab.kinds(),
            "line_width_m": line_width_m or None, "point_radius_m": point_radius_m or None,
            "line_width_field": line_width_field, "point_radius_field": point_radius_field,
            "crs": grid.crs.to_string() if grid.crs else None,
            "pixel_frame": None if grid.crs else {"pixel_y": pixel_y,
                                                  "pixel_size_m": info.pixel_size_m},
            "extent": list(grid.bounds), "area": built_area, "gsd_m": gsd,
            "native_gsd_m": source_gsd_m(info),
            "tile_size": tile_size, "bands": list(rgb_bands), "near_m": near,
            "stretch": None if stretch is None else stretch.to_card(info.dtype),
            "classes": cat_words, "categories": categories, "parts": part_rows,
            "samples": {s: len(v) for s, v in lines.items()},
            "tiles": {s: sum(1 for t in tile_rows if t["split"] == s) for s in SPLITS},
            "warnings": warnings, "seed": seed, "negative_tiles": negative_tiles,
        }
        if not any(t["objects"] for t in tile_rows if t["split"] == "train"):
            raise InputError("no training tile contains a labelled object: check the class "
                             "field, the words file and that the labels overlap the raster")
        (tmp / "dataset.json").write_text(json.dumps({**summary, "tile_list": tile_rows},
                                                     indent=2))
        if output.exists():
            shutil.rmtree(output) if output.is_dir() else output.unlink()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)   # mkdtemp's 0700 would hide the dataset from others
        os.replace(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if built_area.get("note"):
        log.info("%s", built_area["note"])
    for w in warnings:
        log.warning("%s", w)
    if progress is not None:
        progress({"fraction": 1.0, "stage": "build-dataset", "tiles_done": len(plan),
                  "tiles_total": len(plan)})
    return summary


def _seen_bounds(grid: Any, part: Part, row: int, col: int, tile_size: int
                 ) -> Tuple[float, float, float, float]:
    """The ground of a tile inside its part (padding and the neighbouring part left out)."""
    return tuple(window_bounds(grid, max(row, part.row0), max(col, part.col0),
                               min(row + tile_size, part.row1), min(col + tile_size, part.col1)))


def _absent_kept(splits: Sequence[str], touching: Sequence[Set[str]],
                 same_objects: Dict[str, Set[str]], seed: int) -> Set[Tuple[int, str]]:
    """(tile index, class word) of the tiles that teach or test a class as absent.

    In the training part, as many as the tiles where the class is present (at least
    :data:`MIN_ABSENT_TILES`), drawn with the seed: a rare class (2 water bodies in 200 tiles
    of a land-cover scene) was otherwise taught "absent" 30 times for each time it was shown
    (the model fine-tuned on it lost water there: IoU 0.41 -> 0.00; with the balance 0.01, on
    a tile its base had been trained on); a common one (buildings) keeps all its empty
    tiles. The other parts keep every one: they measure, as the empty ground of a real scene
    does.
    """
    rng = np.random.default_rng(seed)
    kept: Set[Tuple[int, str]] = set()
    train = [k for k, s in enumerate(splits) if s == "train"]
    for word, same in sorted(same_objects.items()):
        kept.update((k, word) for k, s in enumerate(splits)
                    if s != "train" and not same & touching[k])
        empty = [k for k in train if not same & touching[k]]
        cap = max(len(train) - len(empty), MIN_ABSENT_TILES)
        if len(empty) > cap:
            empty = sorted(rng.choice(empty, cap, replace=False).tolist())
        kept.update((k, word) for k in empty)
    return kept


def dataset_report(summary: Dict[str, Any]) -> List[str]:
    """The dataset in words, as ``build-dataset`` says it beside its JSON: classes and scale,
    then each part's ground with data, objects and samples (warnings are logged apart)."""
    native = summary.get("native_gsd_m")
    scale = f"{summary['gsd_m']:g} m" + (f" (the raster: {native:.3g} m)" if native and
                                         abs(native - summary["gsd_m"]) > 1e-6 else "")
    lines = [f"{summary['name']}: {', '.join(summary.get('categories') or [])} at {scale}, "
             f"tiles of {summary['tile_size']} px"]
    for part in summary.get("parts", []):
        area = float(part.get("data_area_m2", part["area_m2"]))
        ground = f"{area / 1e6:.2f} km2" if area >= 1e6 else f"{area:.0f} m2"
        counts = part.get("objects_by_class") or {}
        each = f" ({', '.join(f'{c} {n}' for c, n in counts.items())})" if len(counts) > 1 else ""
        lines.append(f"  {part['split']}: {ground} with data, {part['objects']} objects{each}, "
                     f"{part.get('samples', 0)} samples")
    return lines


def _warnings(parts: List[Dict[str, Any]], lines: Dict[str, List[str]], gsd: float) -> List[str]:
    out = []
    train = next(p for p in parts if p["split"] == "train")
    if train["objects"] < MIN_TRAIN_OBJECTS:
        out.append(f"only {train['objects']} labelled objects in the training part "
                   f"({train['data_area_m2']:.0f} m2 with data): too few to learn a region "
                   "reliably; label "
                   f"at least {MIN_TRAIN_OBJECTS} objects, or add a larger area or another "
                   "raster of the same kind")
    for p in parts:
        if p["split"] != "train" and p["objects"] == 0:
            out.append(f"the {p['split']} part ({p['data_area_m2']:.0f} m2 with data) holds "
                       "no labelled object: its numbers will say nothing; label objects there "
                       "too")
        elif p["split"] == "val" and p["objects"] < FEW_OBJECTS:
            out.append(f"the val part holds only {p['objects']} labelled objects: the "
                       "checkpoint finetune keeps, and any class it leaves to the base model, "
                       f"are chosen on them (under {FEW_OBJECTS}, a rough measure); label more "
                       "there, or give it a larger share (--split)")
        elif p["split"] != "train" and "classes_present" in p:
            missing = [c for c, n in train.get("objects_by_class", {}).items()
                       if n and c not in p["classes_present"]]
            if missing:
                names = ", ".join(repr(c) for c in missing)
                out.append(f"the {p['split']} part holds no {names}: its numbers will not say "
                           "how well that is learnt; label some there, or place the parts "
                           "(--split, --extent, --test-extent) where every class is")
    return out


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _polygonal(geom: Any) -> Any:
    """Only the polygon parts of a clipped geometry (lines/points from touching edges dropped)."""
    from shapely.geometry import MultiPolygon

    if geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = []
    for g in getattr(geom, "geoms", []):
        if g.geom_type == "Polygon":
            polys.append(g)
        elif g.geom_type == "MultiPolygon":
            polys.extend(g.geoms)
    return MultiPolygon(polys) if polys else None
