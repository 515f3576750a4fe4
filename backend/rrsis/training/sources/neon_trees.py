"""NEON airborne RGB plots (0.1 m) with hand-drawn tree boxes -> referring triplets about trees.

**Weak, incomplete masks:** each box becomes its inscribed ellipse (a crown seen from above
is roughly round), and the boxes are not exhaustive (many crowns, most of all in the closed
Harvard Forest, are unboxed). Metrics against these masks understate a model that finds
every crown.

Crops are centred near a boxed crown, so that fewer unboxed crowns are in view.

Split by site, never by plot: OSBS (open pine, Florida) is validation, SJER (oak savanna,
California) trains; HARV (closed mixed forest) is not used (see ``SITES``). The plots hold no buildings or
cars, so those are the absent-target negatives.
"""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np

from .common import (MEAN_RGB, Crop, DatasetWriter, crop_array, inscribed_ellipses,
                     resize_rgb, sample_gsd)

__all__ = ["SITES", "LICENCE", "read_boxes", "build_neon_trees"]

# HARV (closed forest) is left out: there most crowns are unboxed, so its masks would teach
# the model that trees are background.
SITES: Dict[str, str] = {"SJER": "train", "OSBS": "val"}
SOURCE_GSD_M = 0.1
CROPS_PER_PLOT = 6
TREE_WORDS = ("trees", "tree", "the trees", "tree crowns")
NEGATIVES = ("buildings", "cars")
CATEGORIES = ("tree", "vegetation", "building", "car")
LICENCE = ("NEON AOP camera imagery: CC0 / CC BY 4.0, attribute the National Ecological "
           "Observatory Network (NEON); tree box annotations: Weinstein et al., DeepForest "
           "(weecology/DeepForest, 2019)")


def read_boxes(xml: Path, width: int, height: int) -> List[Tuple[float, float, float, float]]:
    """Pascal-VOC boxes (xmin, ymin, xmax, ymax), clipped to the image (the XML can be wrong)."""
    boxes = []
    for obj in ET.parse(xml).getroot().iter("object"):
        b = obj.find("bndbox")
        if b is None:
            continue
        x0, y0, x1, y1 = (float(b.findtext(k) or 0) for k in ("xmin", "ymin", "xmax", "ymax"))
        x0, x1 = max(0.0, x0), min(float(width), x1)
        y0, y1 = max(0.0, y0), min(float(height), y1)
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            boxes.append((x0, y0, x1, y1))
    return boxes


def crops_of_plot(tif: Path, size: int, n: int, rng: random.Random) -> List[Crop]:
    import rasterio

    with rasterio.open(tif) as src:
        arr = np.ascontiguousarray(src.read([1, 2, 3]).transpose(1, 2, 0))
    h, w = arr.shape[:2]
    boxes = read_boxes(tif.with_suffix(".xml"), w, h)
    crops = []
    for _ in range(n):
        gsd = sample_gsd(rng, SOURCE_GSD_M * 0.8, 0.2)
        side = max(16, int(round(size * gsd / SOURCE_GSD_M)))
        if boxes:  # centred near a boxed crown: fewer unboxed crowns in view
            x0, y0, x1, y1 = rng.choice(boxes)
            cy = int((y0 + y1) / 2 + rng.uniform(-0.25, 0.25) * side)
            cx = int((x0 + x1) / 2 + rng.uniform(-0.25, 0.25) * side)
            y = min(max(cy - side // 2, 0), h - side) if side <= h else (h - side) // 2
            x = min(max(cx - side // 2, 0), w - side) if side <= w else (w - side) // 2
        else:
            y = rng.randint(0, h - side) if side <= h else -rng.randint(0, side - h)
            x = rng.randint(0, w - side) if side <= w else -rng.randint(0, side - w)
        img = resize_rgb(crop_array(arr, y, x, side, MEAN_RGB), size)
        trees = inscribed_ellipses(boxes, y, x, side, size)
        exprs = {rng.choice(TREE_WORDS): trees}
        if rng.random() < 0.3:
            exprs[rng.choice(NEGATIVES)] = np.zeros_like(trees)
        crops.append(Crop(img, side * SOURCE_GSD_M / size, exprs))
    return crops


def build_neon_trees(src: Path, out: Path, size: int = 192, seed: int = 0) -> Dict[str, object]:
    """``neon-trees/`` -> RefSegRS-format folder (split by site)."""
    rng = random.Random(seed)
    writer = DatasetWriter(out, size, {
        "name": "neon-trees", "source": "weecology/DeepForest 2019 training plots",
        "licence": LICENCE, "gsd_m": 0.15, "source_gsd_m": SOURCE_GSD_M,
        "weak_masks": "inscribed ellipses of tree boxes; boxes not exhaustive",
        "split_rule": SITES}, CATEGORIES)
    for site, split in SITES.items():
        for tif in sorted((Path(src) / site).glob("*.tif")):
            if tif.with_suffix(".xml").is_file():
                for crop in crops_of_plot(tif, size, CROPS_PER_PLOT, rng):
                    writer.add(crop, split, f"neon-{site}")
    return writer.close()
