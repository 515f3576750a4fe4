"""The first region builder (whole tiles, its own reader); ``rrsis build-dataset`` now uses
:mod:`rrsis.training.region` (the engine's raster code). Kept for :func:`read_words` and the
helpers below, which that module shares.

A georeferenced raster + labelled polygons -> a RefSegRS-format dataset.

The raster is cut into ``tile_size``² tiles at the chosen GSD (north-up, whole tiles only).
Tiles are grouped into square blocks of ``block_tiles``² tiles and whole blocks go to
train / val / test, so the splits are separate areas and neighbouring tiles of one split
do not leak into another. For each tile, expressions come from the classes present
(see :mod:`rrsis.training.expressions`), and each mask is the rasterised union of
exactly the instances its expression describes. The dataset is written to a temporary
folder and renamed into place.

Over 300 lines: the legacy builder, kept whole until it is retired.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
from PIL import Image

from ...errors import CRSError, InputError
from ..expressions import DEFAULT_SYNONYMS, Instance, generate_expressions

__all__ = ["build_dataset", "read_labels", "read_words", "TileSpec", "plan_tiles",
           "assign_splits"]

PathLike = Union[str, Path]
MIN_PIXELS = 16          # a clipped object smaller than this many pixels is not described


@dataclass(frozen=True)
class TileSpec:
    row: int
    col: int
    bounds: Tuple[float, float, float, float]    # left, bottom, right, top in the raster CRS
    split: str = ""

    @property
    def name(self) -> str:
        return f"r{self.row:03d}c{self.col:03d}"


def read_words(path: Optional[PathLike]) -> Dict[str, Optional[List[str]]]:
    """Class-to-words file (YAML or JSON): ``{class: [category, synonym, ...] | word | null}``."""
    if path is None:
        return {}
    import yaml

    p = Path(path)
    if not p.is_file():
        raise InputError(f"words file not found: {p}")
    try:
        # BaseLoader keeps every scalar a string: a class named "yes" or "1" stays that text
        data = yaml.load(p.read_text(), Loader=yaml.BaseLoader) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{p.name} is not valid YAML/JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{p.name}: expected a mapping of class value -> words")
    out: Dict[str, Optional[List[str]]] = {}
    for k, v in data.items():
        if v is None or v == [] or v in ("", "null", "~", "none"):
            out[str(k)] = None
        elif isinstance(v, str):
            out[str(k)] = [v.strip().lower()]
        elif isinstance(v, list) and all(isinstance(w, str) and w.strip() for w in v):
            out[str(k)] = [w.strip().lower() for w in v]
        else:
            raise InputError(f"{p.name}: words for {k!r} must be a word, a list of words or null")
    return out


def read_labels(path: PathLike, class_field: str, layer: Optional[str] = None
                ) -> Tuple[List[Any], List[str], Any]:
    """Polygons, their class values (as text) and the layer's CRS (pyogrio, or plain GeoJSON)."""
    import shapely

    path = Path(path)
    if not path.exists():
        raise InputError(f"labels not found: {path}")
    try:
        import pyogrio.raw
    except ImportError:  # pragma: no cover - pyogrio is installed with the backend
        pyogrio = None
    if pyogrio is not None:
        try:
            info = pyogrio.read_info(str(path), layer=layer)
        except Exception as exc:
            raise InputError(f"cannot read labels {path}: {exc}") from exc
        fields = list(info["fields"])
        if class_field not in fields:
            raise InputError(
                f"{path.name} has no field {class_field!r}; fields: {', '.join(fields)}")
        meta, _, wkb, values = pyogrio.raw.read(str(path), layer=layer, columns=[class_field])
        geoms = list(shapely.from_wkb(wkb))
        classes = [None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                   for v in values[0]]
        crs = meta.get("crs")
    else:  # pragma: no cover
        data = json.loads(path.read_text())
        feats = data.get("features", [])
        geoms = [shapely.geometry.shape(f["geometry"]) if f.get("geometry") else None
                 for f in feats]
        classes = [f.get("properties", {}).get(class_field) for f in feats]
        classes = [None if c is None else str(c) for c in classes]
        crs = "EPSG:4326"
    keep = [(g, c) for g, c in zip(geoms, classes)
            if g is not None and not g.is_empty and c is not None and g.geom_type in
            ("Polygon", "MultiPolygon")]
    if not keep:
        raise InputError(f"{path.name}: no polygon with a value in {class_field!r}")
    return [shapely.make_valid(g) for g, _ in keep], [c for _, c in keep], crs


def _to_raster_crs(geoms: List[Any], src_crs: Any, dst_crs: Any) -> List[Any]:
    import shapely
    from rasterio.crs import CRS
    from rasterio.warp import transform_geom

    if src_crs is None:
        raise CRSError("the labels have no coordinate reference system")
    src, dst = CRS.from_user_input(src_crs), CRS.from_user_input(dst_crs)
    if src == dst:
        return geoms
    return [shapely.make_valid(shapely.geometry.shape(
        transform_geom(src, dst, shapely.geometry.mapping(g)))) for g in geoms]


def plan_tiles(bounds: Tuple[float, float, float, float], tile_m: float) -> List[TileSpec]:
    """Whole tiles of ``tile_m`` metres over the raster, row-major from the top-left corner."""
    left, bottom, right, top = bounds
    cols, rows = int((right - left) // tile_m), int((top - bottom) // tile_m)
    if cols < 1 or rows < 1:
        raise InputError(f"the raster ({right - left:.0f} x {top - bottom:.0f} m) is smaller than "
                         f"one tile ({tile_m:.0f} m): lower --tile-size or --gsd")
    return [TileSpec(r, c, (left + c * tile_m, top - (r + 1) * tile_m,
                            left + (c + 1) * tile_m, top - r * tile_m))
            for r in range(rows) for c in range(cols)]


def assign_splits(tiles: Sequence[TileSpec], shares: Sequence[float], block_tiles: int,
                  seed: int = 0, names: Sequence[str] = ("train", "val", "test")
                  ) -> List[TileSpec]:
    """Whole blocks of tiles to splits, greedily towards the requested shares of tiles."""
    if len(shares) != len(names) or any(s < 0 for s in shares) or sum(shares) <= 0:
        raise InputError(f"split shares must be {len(names)} non-negative numbers")
    total = float(sum(shares))
    shares = [s / total for s in shares]
    block_tiles = max(1, int(block_tiles))
    blocks: Dict[Tuple[int, int], List[TileSpec]] = {}
    for t in tiles:
        blocks.setdefault((t.row // block_tiles, t.col // block_tiles), []).append(t)
    keys = sorted(blocks)
    random.Random(seed).shuffle(keys)
    counts = [0] * len(names)
    wanted = [i for i, s in enumerate(shares) if s > 0]
    order: Dict[Tuple[int, int], int] = {}
    # first make every wanted split non-empty (smallest share first), then fill by deficit
    for i, key in zip(sorted(wanted, key=lambda i: shares[i]), list(keys)):
        if len(keys) > len(order) and len(order) < len(wanted) and len(keys) >= len(wanted):
            order[key] = i
            counts[i] += len(blocks[key])
    assigned = sum(counts)
    for key in keys:
        if key in order:
            continue
        n = len(blocks[key])
        deficit = [shares[i] * (assigned + n) - counts[i] if i in wanted else -math.inf
                   for i in range(len(names))]
        i = int(np.argmax(deficit))
        order[key] = i
        counts[i] += n
        assigned += n
    return [TileSpec(t.row, t.col, t.bounds, names[order[(t.row // block_tiles,
                                                          t.col // block_tiles)]]) for t in tiles]


def _stretch_params(src: Any, bands: Sequence[int]) -> Optional[List[Tuple[float, float]]]:
    """Per-band 2-98 % range from a decimated read (None for 8-bit data: kept as is)."""
    if all(src.dtypes[b - 1] == "uint8" for b in bands):
        return None
    step = max(1, max(src.width, src.height) // 1024)
    arr = src.read(list(bands), out_shape=(len(bands), max(1, src.height // step),
                                           max(1, src.width // step)), masked=True)
    out = []
    for band in arr:
        vals = band.compressed() if np.ma.isMaskedArray(band) else band.ravel()
        vals = vals[np.isfinite(vals)]
        lo, hi = (np.percentile(vals, [2, 98]) if vals.size else (0.0, 1.0))
        out.append((float(lo), float(hi) if hi > lo else float(lo) + 1.0))
    return out


def _read_tile(src: Any, bands: Sequence[int], bounds: Tuple[float, float, float, float],
               size: int, stretch: Optional[List[Tuple[float, float]]]) -> np.ndarray:
    from rasterio.enums import Resampling
    from rasterio.windows import from_bounds

    window = from_bounds(*bounds, transform=src.transform)
    arr = src.read(list(bands), window=window, out_shape=(len(bands), size, size),
                   resampling=Resampling.bilinear, masked=True)
    data = arr.filled(0).astype(np.float32)
    if stretch is not None:
        for k, (lo, hi) in enumerate(stretch):
            data[k] = (data[k] - lo) / (hi - lo) * 255.0
    rgb = np.clip(data, 0, 255).round().astype(np.uint8)
    if rgb.shape[0] == 1:
        rgb = np.repeat(rgb, 3, axis=0)
    return rgb.transpose(1, 2, 0)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def build_dataset(raster: PathLike, labels: PathLike, class_field: str, output: PathLike, *,
                  gsd_m: Optional[float] = None, tile_size: int = 480,
                  words: Union[None, PathLike, Mapping[str, Any]] = None,
                  split_shares: Sequence[float] = (0.7, 0.15, 0.15), block_tiles: int = 4,
                  layer: Optional[str] = None, bands: Optional[Sequence[int]] = None,
                  seed: int = 0, near_m: Optional[float] = None, overwrite: bool = False,
                  max_expressions_per_tile: Optional[int] = 16) -> Dict[str, Any]:
    """Write the dataset; return a summary (tiles and samples per split, classes, words)."""
    import rasterio
    import shapely
    from rasterio.features import rasterize
    from rasterio.transform import from_origin

    output = Path(output)
    if output.exists() and not overwrite:
        raise InputError(f"{output} exists: choose another folder or pass --overwrite")
    if tile_size < 16:
        raise InputError("tile size must be at least 16 pixels")
    mapping = dict(words) if isinstance(words, Mapping) else read_words(words)
    try:
        src = rasterio.open(str(raster))
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"cannot open raster {raster}: {exc}") from exc
    with src:
        if src.crs is None or src.transform.is_identity:
            raise CRSError(f"{Path(raster).name} has no georeference (CRS and transform)")
        if not src.crs.is_projected:
            raise CRSError(f"{Path(raster).name} is in a geographic CRS ({src.crs}); reproject it "
                           "to a projected CRS in metres first (e.g. its UTM zone)")
        if src.transform.b != 0 or src.transform.d != 0:
            raise CRSError(f"{Path(raster).name} is rotated; warp it to a north-up grid first")
        native = abs(src.transform.a)
        gsd = float(gsd_m or native)
        use_bands = tuple(bands) if bands else ((1, 2, 3) if src.count >= 3 else (1,))
        if any(b < 1 or b > src.count for b in use_bands):
            raise InputError(f"bands {use_bands} out of range: the raster has {src.count}")
        geoms, classes, label_crs = read_labels(labels, class_field, layer)
        geoms = _to_raster_crs(geoms, label_crs, src.crs)
        # class value -> [category word, synonyms...]; None = not described
        cat_words: Dict[str, Optional[List[str]]] = {}
        for c in sorted(set(classes)):
            if c in mapping:
                cat_words[c] = mapping[c]
            else:
                cat_words[c] = [c.strip().lower().replace("_", " ")]
        synonyms: Dict[str, Tuple[str, ...]] = {}
        for ws in cat_words.values():
            if ws:
                extra = tuple(ws[1:]) if len(ws) > 1 else DEFAULT_SYNONYMS.get(ws[0], ())
                synonyms[ws[0]] = tuple(dict.fromkeys(synonyms.get(ws[0], ()) + extra))
        tile_m = tile_size * gsd
        tiles = assign_splits(plan_tiles(tuple(src.bounds), tile_m), split_shares, block_tiles,
                              seed)
        stretch = _stretch_params(src, use_bands)
        tree = shapely.STRtree(geoms)
        near = near_m if near_m is not None else max(2.0, 8 * gsd)
        min_area = MIN_PIXELS * gsd * gsd

        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".partial",
                                    dir=output.parent))
        try:
            for sub in ("images", "masks", "tiles"):
                (tmp / sub).mkdir()
            lines: Dict[str, List[str]] = {"train": [], "val": [], "test": []}
            tile_records = []
            for tile in tiles:
                box = shapely.box(*tile.bounds)
                instances: List[Instance] = []
                for gi in tree.query(box, predicate="intersects"):
                    ws = cat_words[classes[int(gi)]]
                    if not ws:
                        continue
                    part = shapely.make_valid(geoms[int(gi)].intersection(box))
                    part = _polygonal(part)
                    if part is not None and part.area >= min_area:
                        instances.append(Instance(ws[0], part))
                exprs = generate_expressions(instances, synonyms, near,
                                             max_expressions=max_expressions_per_tile,
                                             seed=seed * 1_000_003 + tile.row * 1009 + tile.col)
                tile_records.append({"name": tile.name, "split": tile.split,
                                     "bounds": list(tile.bounds), "objects": len(instances),
                                     "expressions": len(exprs)})
                if not exprs:
                    continue
                rgb = _read_tile(src, use_bands, tile.bounds, tile_size, stretch)
                tile_img = tmp / "tiles" / f"{tile.name}.tif"
                Image.fromarray(rgb).save(tile_img)
                transform = from_origin(tile.bounds[0], tile.bounds[3], gsd, gsd)
                for k, ex in enumerate(exprs):
                    sid = f"{tile.name}e{k:02d}"
                    mask = rasterize([(instances[i].geometry, 255) for i in ex.targets],
                                     out_shape=(tile_size, tile_size), transform=transform,
                                     fill=0, dtype="uint8")
                    Image.fromarray(mask).save(tmp / "masks" / f"{sid}.tif")
                    _link_or_copy(tile_img, tmp / "images" / f"{sid}.tif")
                    lines[tile.split].append(f"{sid} {ex.text}")
            for split, rows in lines.items():
                (tmp / f"output_phrase_{split}.txt").write_text(
                    "".join(r + "\n" for r in rows), encoding="utf-8")
            categories = sorted({ws[0] for ws in cat_words.values() if ws})
            (tmp / "categories.txt").write_text("".join(c + "\n" for c in categories))
            summary = {
                "name": output.name, "source_raster": str(Path(raster).resolve()),
                "source_labels": str(Path(labels).resolve()), "class_field": class_field,
                "crs": src.crs.to_string(), "gsd_m": gsd, "native_gsd_m": native,
                "tile_size": tile_size, "block_tiles": block_tiles, "near_m": near,
                "bands": list(use_bands), "classes": cat_words, "categories": categories,
                "samples": {s: len(v) for s, v in lines.items()},
                "tiles": {s: sum(1 for t in tiles if t.split == s) for s in lines},
                "seed": seed,
            }
            (tmp / "dataset.json").write_text(json.dumps({**summary, "tile_list": tile_records},
                                                         indent=2))
            if output.exists():
                shutil.rmtree(output)
            os.replace(tmp, output)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    if not any(summary["samples"].values()):
        raise InputError("no tile contains a labelled object: check the class field, the words "
                         "file and that the labels overlap the raster")
    return summary


def _polygonal(geom: Any) -> Any:
    """Only the polygon parts of a clipped geometry (lines/points from touching edges dropped)."""
    from shapely.geometry import MultiPolygon

    if geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    polys = []
    for p in parts:
        polys.extend(p.geoms if p.geom_type == "MultiPolygon" else [p])
    return MultiPolygon(polys) if polys else None
