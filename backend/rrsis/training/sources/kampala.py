"""OpenAerialMap drone tiles of Kampala + OSM building footprints -> referring triplets.

Tile names ``OAM-{x}-{y}-{z}.png`` are Web-Mercator (slippy-map) indices, so each tile's
bounds in EPSG:3857 are exact; the tiles of one zoom are mosaicked on that grid and the
footprints (EPSG:4326) are burnt into the same grid. Only buildings are labelled: cars,
trees and roads are visible but unlabelled, so no expression about them is generated
(an empty mask for "cars" here would teach the model to miss real cars).

Split by area, never by neighbouring tile: tiles wholly west of z21 column 1238451 are
validation, tiles wholly east of column 1238452 training; the column between them (and
any coarser tile that straddles it) is dropped as a gap.
"""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
from affine import Affine
from PIL import Image
from rasterio import features
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .common import GSD_RANGE_M, Crop, DatasetWriter, sample_gsd

__all__ = ["tile_bounds_3857", "lonlat_to_3857", "read_tiles", "mosaic", "build_kampala",
           "split_by_columns",
           "VAL_WEST_OF_X21", "TRAIN_EAST_OF_X21"]

R = 6378137.0
ORIGIN = math.pi * R  # 20037508.34 m
VAL_WEST_OF_X21 = 1238451
TRAIN_EAST_OF_X21 = 1238452
TILE = 256
BUILDING_WORDS = ("building", "buildings", "house", "houses", "roofs", "all buildings")
CATEGORIES = ("building", "house", "roof", "vehicle", "car", "road", "water", "vegetation")
LICENCE = ("Imagery: OpenAerialMap contributors (CC BY 4.0); building footprints: "
           "(c) OpenStreetMap contributors (ODbL 1.0); "
           "via hotosm/fAIr-utilities ramp-data/sample_2")
_NAME = re.compile(r"OAM-(\d+)-(\d+)-(\d+)\.png$")


def tile_bounds_3857(x: int, y: int, z: int) -> Tuple[float, float, float, float]:
    """(left, bottom, right, top) of slippy tile (x, y, z) in EPSG:3857 metres."""
    size = 2 * ORIGIN / 2**z
    left, top = -ORIGIN + x * size, ORIGIN - y * size
    return left, top - size, left + size, top


def lonlat_to_3857(lon, lat):  # type: ignore[no-untyped-def]
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return R * np.radians(lon), R * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def geometry_to_3857(geom: BaseGeometry) -> BaseGeometry:
    """A lon/lat geometry in Web Mercator metres (2D)."""
    return shapely.transform(geom, lambda xy: np.column_stack(lonlat_to_3857(xy[:, 0], xy[:, 1])))


def gsd_of_zoom(z: int, lat_deg: float = 0.35) -> float:
    """Ground metres per pixel at latitude ``lat_deg`` (Web-Mercator scale factor applied)."""
    return 2 * ORIGIN / 2**z / TILE * math.cos(math.radians(lat_deg))


def read_tiles(folder: Path) -> Dict[int, Dict[Tuple[int, int], Path]]:
    out: Dict[int, Dict[Tuple[int, int], Path]] = {}
    for p in sorted(Path(folder).glob("OAM-*.png")):
        m = _NAME.search(p.name)
        if m:
            x, y, z = map(int, m.groups())
            out.setdefault(z, {})[(x, y)] = p
    return out


def split_by_columns(x: int, z: int, last_val: int, first_train: int) -> Optional[str]:
    """'val', 'train' or None (gap) for tile column ``x`` of zoom ``z``: val when every z21
    column it covers is <= ``last_val``, train when every one is >= ``first_train``."""
    f = 2 ** (21 - z)  # z21 columns per tile of zoom z (z <= 21)
    west, east = x * f, (x + 1) * f - 1  # first and last z21 column covered
    if east <= last_val:
        return "val"
    if west >= first_train:
        return "train"
    return None


def split_of_tile(x: int, z: int) -> Optional[str]:
    """Kampala's split: val west of z21 column ``VAL_WEST_OF_X21``, train from
    ``TRAIN_EAST_OF_X21`` (the column between is the gap)."""
    return split_by_columns(x, z, VAL_WEST_OF_X21 - 1, TRAIN_EAST_OF_X21)


def mosaic(tiles: Dict[Tuple[int, int], Path], z: int
           ) -> Tuple[np.ndarray, np.ndarray, Affine]:
    """Tiles of one zoom -> (RGB uint8, valid bool, EPSG:3857 transform); gaps are invalid."""
    xs = [k[0] for k in tiles]
    ys = [k[1] for k in tiles]
    x0, y0 = min(xs), min(ys)
    w, h = (max(xs) - x0 + 1) * TILE, (max(ys) - y0 + 1) * TILE
    rgb = np.zeros((h, w, 3), np.uint8)
    valid = np.zeros((h, w), bool)
    for (x, y), path in tiles.items():
        with Image.open(path) as im:
            a = np.asarray(im.convert("RGBA"))
        r, c = (y - y0) * TILE, (x - x0) * TILE
        rgb[r:r + TILE, c:c + TILE] = a[..., :3]
        valid[r:r + TILE, c:c + TILE] = a[..., 3] > 0
    left, _, _, top = tile_bounds_3857(x0, y0, z)
    res = 2 * ORIGIN / 2**z / TILE
    return rgb, valid, Affine(res, 0, left, 0, -res, top)


def burn_buildings(labels: Path, shape_hw: Tuple[int, int], transform: Affine) -> np.ndarray:
    """Footprints -> int32 raster of building ids (0 = background)."""
    data = json.loads(Path(labels).read_text())
    geoms = []
    for i, feat in enumerate(data["features"]):
        g = geometry_to_3857(shape(feat["geometry"]))
        if not g.is_empty:
            geoms.append((g, i + 1))
    return features.rasterize(geoms, out_shape=shape_hw, transform=transform, dtype="int32")


def crops_of_mosaic(rgb: np.ndarray, valid: np.ndarray, ids: np.ndarray, zgsd: float, size: int,
                    n: int, rng: random.Random, finest_gsd: Optional[float] = None,
                    negatives: Tuple[str, ...] = ("water",)) -> List[Crop]:
    """``n`` crops at GSDs from ``finest_gsd`` (default 0.8 x the zoom's) to the model's coarsest.

    ``negatives`` are expressions surely absent from the place (empty masks, a quarter of
    the crops): they teach the model to answer "nothing" instead of specks.
    """
    h, w = valid.shape
    crops: List[Crop] = []
    tries = 0
    while len(crops) < n and tries < n * 20:
        tries += 1
        gsd = sample_gsd(rng, finest_gsd or zgsd * 0.8, GSD_RANGE_M[1])
        side = min(int(round(size * gsd / zgsd)), h, w)
        y, x = rng.randint(0, h - side), rng.randint(0, w - side)
        ok = valid[y:y + side, x:x + side]
        if ok.mean() < 0.9:
            continue
        img = np.asarray(Image.fromarray(rgb[y:y + side, x:x + side]).resize((size, size),
                                                                            Image.BILINEAR))
        lab = np.asarray(Image.fromarray(ids[y:y + side, x:x + side]).resize((size, size),
                                                                            Image.NEAREST))
        buildings = lab > 0
        exprs: Dict[str, np.ndarray] = {rng.choice(BUILDING_WORDS): buildings}
        big = _largest_whole_building(lab, ids[y:y + side, x:x + side])
        if big is not None and rng.random() < 0.6:
            exprs["the largest building"] = big
        if negatives and rng.random() < 0.25:
            exprs[rng.choice(negatives)] = np.zeros_like(buildings)  # surely absent here
        crops.append(Crop(img, side * zgsd / size, exprs))
    return crops


def _largest_whole_building(lab: np.ndarray, full: np.ndarray) -> Optional[np.ndarray]:
    """Mask of the clearly largest footprint that is not cut by the crop border, if any."""
    border = np.unique(np.concatenate([full[0], full[-1], full[:, 0], full[:, -1]]))
    ids, counts = np.unique(lab[lab > 0], return_counts=True)
    keep = [(c, i) for i, c in zip(ids, counts) if i not in border]
    if not keep:
        return None
    keep.sort(reverse=True)
    if len(keep) > 1 and keep[1][0] > 0.8 * keep[0][0]:
        return None
    if keep[0][0] < 0.005 * lab.size:
        return None
    return lab == keep[0][1]


def build_kampala(src: Path, out: Path, size: int = 192, seed: int = 0,
                  crops: Optional[Dict[Tuple[int, str], int]] = None) -> Dict[str, object]:
    """``kampala-buildings/`` -> RefSegRS-format folder (train/val split by area, with a gap)."""
    rng = random.Random(seed)
    crops = crops or {(21, "train"): 400, (21, "val"): 80, (20, "train"): 80, (20, "val"): 25,
                      (19, "train"): 20, (19, "val"): 6}
    writer = DatasetWriter(out, size, {
        "name": "kampala-buildings", "source": "hotosm/fAIr-utilities ramp-data/sample_2",
        "licence": LICENCE, "gsd_m": 0.15,
        "source_gsd_m": {str(z): round(gsd_of_zoom(z), 4) for z in (19, 20, 21)},
        "split_rule": f"val: tiles west of z21 column {VAL_WEST_OF_X21}; train: east of "
                      f"{TRAIN_EAST_OF_X21}; between: dropped"}, CATEGORIES)
    src = Path(src)
    for z, tiles in sorted(read_tiles(src / "tiles").items()):
        for split in ("train", "val"):
            part = {k: p for k, p in tiles.items() if split_of_tile(k[0], z) == split}
            if not part or (z, split) not in crops:
                continue
            rgb, valid, tr = mosaic(part, z)
            ids = burn_buildings(src / "labels.geojson", valid.shape, tr)
            for crop in crops_of_mosaic(rgb, valid, ids, gsd_of_zoom(z), size, crops[(z, split)],
                                        rng):
                writer.add(crop, split, f"kampala-z{z}")
    return writer.close()


def write_sample(src: Path, out_dir: Path, columns: Tuple[int, int] = (1238448, 1238450),
                 zoom: int = 21) -> Tuple[Path, Path]:
    """The demo sample: a GeoTIFF mosaic (EPSG:3857, JPEG) of validation-area tiles + footprints.

    Writes ``kampala_oam.tif`` and ``kampala_buildings.geojson`` (the footprints that touch
    it) under ``out_dir`` via temporary names.
    """
    import os

    import rasterio
    from shapely.geometry import box, mapping

    tiles = {k: p for k, p in read_tiles(Path(src) / "tiles")[zoom].items()
             if columns[0] <= k[0] <= columns[1]}
    rgb, valid, tr = mosaic(tiles, zoom)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tif = out_dir / "kampala_oam.tif"
    tmp = out_dir / ".kampala_oam.tif.part"
    profile = dict(driver="GTiff", width=rgb.shape[1], height=rgb.shape[0], count=3,
                   dtype="uint8", crs="EPSG:3857", transform=tr, tiled=True, blockxsize=256,
                   blockysize=256, compress="JPEG", jpeg_quality=88, photometric="YCBCR")
    with rasterio.open(tmp, "w", **profile) as dst:
        dst.write(rgb.transpose(2, 0, 1))
    os.replace(tmp, tif)
    h, w = valid.shape
    left, top = tr.c, tr.f
    extent = box(left, top + tr.e * h, left + tr.a * w, top)
    data = json.loads((Path(src) / "labels.geojson").read_text())
    feats = []
    for feat in data["features"]:
        g = geometry_to_3857(shape(feat["geometry"]))
        if g.intersects(extent):
            feats.append({"type": "Feature", "geometry": mapping(shape(feat["geometry"])),
                          "properties": {"osm_id": feat["properties"].get("osm_id"),
                                         "class": "building"}})
    gj = out_dir / "kampala_buildings.geojson"
    tmpj = out_dir / ".kampala_buildings.geojson.part"
    tmpj.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    os.replace(tmpj, gj)
    return tif, gj
