"""NAIP 2020 (0.6 m, R G B NIR) crops of Californian cities with one point per tree -> trees.

**Derived masks:** a point is not a crown. Each tree's mask is the set of pixels nearer to
it than to any other tree (a Voronoi split of touching crowns), within ``CROWN_RADIUS_M``
of it, that are about as green in the near infrared as the tree's own point (NDVI above
``NDVI_MIN`` and above ``NDVI_RELATIVE`` x the point's, which keeps lawns out of crowns),
plus a small core around the point so that no labelled tree is lost. The source says every visible tree is
annotated, so unlabelled pixels are negatives.

Only R, G, B go to the model (it is an RGB model); NIR is used for the masks only. Split by
city, never by crop: Claremont and Eureka are validation, the five others train. The crops
are served at 0.45-0.6 m, the coarse end of the model's range.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Dict, List

import numpy as np

from .common import Crop, DatasetWriter, resize_mask, resize_rgb

__all__ = ["VAL_CITIES", "LICENCE", "crown_mask", "build_urban_trees"]

VAL_CITIES = ("claremont", "eureka")
SOURCE_GSD_M = 0.6
CROWN_RADIUS_M = 5.0
CORE_RADIUS_M = 1.2
NDVI_MIN = 0.15
NDVI_RELATIVE = 0.7
CROPS_PER_IMAGE = 3
TREE_WORDS = ("trees", "tree", "street trees", "the trees")
CATEGORIES = ("tree", "vegetation", "building", "road", "car")
LICENCE = ("Tree points: CC BY 4.0, Ventura et al. 2024, urban-tree-detection-data "
           "(jonathanventura/urban-tree-detection-data); NAIP 2020 imagery: public domain (USDA)")


def crown_mask(rgbn: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(H, W, 4) uint8 image + (N, 2) pixel (x, y) tree points -> boolean crown mask."""
    h, w = rgbn.shape[:2]
    if len(points) == 0:
        return np.zeros((h, w), bool)
    red, nir = rgbn[..., 0].astype(np.float32), rgbn[..., 3].astype(np.float32)
    ndvi = (nir - red) / np.maximum(nir + red, 1.0)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d2 = (xx[..., None] - points[:, 0]) ** 2 + (yy[..., None] - points[:, 1]) ** 2
    owner = d2.argmin(-1)  # the Voronoi cell each pixel falls in
    nearest = np.sqrt(np.take_along_axis(d2, owner[..., None], -1)[..., 0]) * SOURCE_GSD_M
    px = np.clip(np.round(points).astype(int), 0, [w - 1, h - 1])
    own_ndvi = ndvi[px[:, 1], px[:, 0]][owner]
    green = (ndvi > NDVI_MIN) & (ndvi > NDVI_RELATIVE * own_ndvi)
    return (nearest <= CORE_RADIUS_M) | ((nearest <= CROWN_RADIUS_M) & green)


def _points(csv_path: Path) -> np.ndarray:
    if not csv_path.is_file():  # the source: no label file = no trees
        return np.zeros((0, 2), np.float32)
    with csv_path.open() as f:
        rows = [(float(r["x"]), float(r["y"])) for r in csv.DictReader(f)]
    return np.asarray(rows, np.float32).reshape(-1, 2)


def crops_of_image(tif: Path, csv_path: Path, size: int, n: int, rng: random.Random
                   ) -> List[Crop]:
    import rasterio

    with rasterio.open(tif) as src:
        rgbn = np.ascontiguousarray(src.read([1, 2, 3, 4]).transpose(1, 2, 0))
    trees = crown_mask(rgbn, _points(csv_path))
    h, w = trees.shape
    crops = []
    for _ in range(n):
        gsd = rng.uniform(0.45, SOURCE_GSD_M)
        side = min(int(round(size * gsd / SOURCE_GSD_M)), h, w)
        y, x = rng.randint(0, h - side), rng.randint(0, w - side)
        img = resize_rgb(np.ascontiguousarray(rgbn[y:y + side, x:x + side, :3]), size)
        mask = resize_mask(trees[y:y + side, x:x + side], size)
        crops.append(Crop(img, side * SOURCE_GSD_M / size, {rng.choice(TREE_WORDS): mask}))
    return crops


def build_urban_trees(src: Path, out: Path, size: int = 192, seed: int = 0) -> Dict[str, object]:
    """``urban-trees/`` -> RefSegRS-format folder (split by city)."""
    rng = random.Random(seed)
    src = Path(src)
    writer = DatasetWriter(out, size, {
        "name": "urban-trees", "source": "jonathanventura/urban-tree-detection-data (NAIP 2020)",
        "licence": LICENCE, "gsd_m": 0.5, "source_gsd_m": SOURCE_GSD_M,
        "derived_masks": f"Voronoi cells of tree points within {CROWN_RADIUS_M} m with NDVI > "
                         f"{NDVI_MIN}, plus a {CORE_RADIUS_M} m core",
        "split_rule": f"by city: val = {', '.join(VAL_CITIES)}; the others train"}, CATEGORIES)
    for tif in sorted((src / "images").glob("*.tif")):
        city = tif.stem.split("_2020_")[0]
        split = "val" if city in VAL_CITIES else "train"
        for crop in crops_of_image(tif, src / "csv" / f"{tif.stem}.csv", size, CROPS_PER_IMAGE,
                                   rng):
            writer.add(crop, split, f"naip-{city}")
    return writer.close()
