"""Dubai land-cover tiles (Humans in the Loop / MBRSC) -> referring triplets about land cover.

Masks are RGB colour codes; ``classes.json`` of the source has the wrong colours, so
the table below comes from the source's PROVENANCE.md and each pixel takes the nearest
colour. The imagery is about 1 m GSD, coarser than the model's 0.05-0.5 m range: crops
are upsampled to 0.35-0.6 m, which teaches the large classes (buildings, roads, water,
vegetation, bare land) but says nothing about fine detail.

Split by tile (each tile is a separate area): ``tile-2`` and ``tile-6`` are validation.
Relations are computed from the labels: "building next to the road" = building
components within 3 m of a road pixel along x and y (a square neighbourhood, so up to
about 4.2 m diagonally; see ``common.near``).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
from PIL import Image

from .common import Crop, DatasetWriter, near

__all__ = ["COLOURS", "decode_mask", "build_dubai", "VAL_TILES"]

COLOURS: Dict[str, Tuple[int, int, int]] = {
    "building": (60, 16, 152), "land": (132, 41, 246), "road": (110, 193, 228),
    "vegetation": (254, 221, 58), "water": (226, 169, 41), "unlabeled": (155, 155, 155)}
VAL_TILES = ("tile-2", "tile-6")
SOURCE_GSD_M = 1.0
WORDS: Dict[str, Tuple[str, ...]] = {
    "building": ("building", "buildings", "houses"),
    "road": ("road", "roads", "the road"),
    "water": ("water", "the water", "sea"),
    "vegetation": ("vegetation", "green vegetation", "trees and vegetation"),
    "land": ("bare land", "unpaved land", "sand"),
}
CATEGORIES = ("building", "house", "road", "water", "sea", "vegetation", "land", "sand", "vehicle",
              "car")
LICENCE = ("CC0 1.0: \"Semantic segmentation of aerial imagery\", Humans in the Loop, in "
           "collaboration with the Mohammed Bin Rashid Space Centre (MBRSC), Dubai")


def decode_mask(rgb: np.ndarray) -> Dict[str, np.ndarray]:
    """RGB mask -> one boolean mask per class (nearest table colour)."""
    names = list(COLOURS)
    table = np.array([COLOURS[n] for n in names], np.int32)
    d = ((rgb[..., None, :].astype(np.int32) - table) ** 2).sum(-1)
    idx = d.argmin(-1)
    return {n: idx == i for i, n in enumerate(names)}


def crops_of_pair(image: Path, mask: Path, size: int, rng: random.Random, per_crop: int = 4
                  ) -> List[Crop]:
    with Image.open(image) as im:
        arr = np.asarray(im.convert("RGB"))
    with Image.open(mask) as im:
        classes = decode_mask(np.asarray(im.convert("RGB")))
    h, w = arr.shape[:2]
    out = []
    n = max(1, int(h * w / (size * 0.45 / SOURCE_GSD_M) ** 2 / 20))
    for _ in range(n):
        gsd = rng.uniform(0.35, 0.6)
        side = min(int(round(size * gsd / SOURCE_GSD_M)), h, w)
        y, x = rng.randint(0, h - side), rng.randint(0, w - side)
        img = np.asarray(Image.fromarray(arr[y:y + side, x:x + side]).resize((size, size),
                                                                            Image.BILINEAR))
        local = {k: np.asarray(Image.fromarray(v[y:y + side, x:x + side].astype(np.uint8) * 255)
                               .resize((size, size), Image.NEAREST)) > 127
                 for k, v in classes.items()}
        candidates: Dict[str, np.ndarray] = {}
        for cls, words in WORDS.items():
            present = local[cls].mean() > 0.002
            if present or rng.random() < 0.3:  # absent class: an empty-mask expression
                candidates[rng.choice(words)] = local[cls] if present else np.zeros_like(local[cls])
        if local["building"].any() and local["road"].any():
            px = max(1, int(round(3.0 / (side * SOURCE_GSD_M / size))))  # 3 m in output pixels
            candidates["building next to the road"] = near(local["building"], local["road"], px)
        keys = rng.sample(sorted(candidates), min(per_crop, len(candidates)))
        out.append(Crop(img, side * SOURCE_GSD_M / size, {k: candidates[k] for k in keys}))
    return out


def build_dubai(src: Path, out: Path, size: int = 192, seed: int = 0) -> Dict[str, object]:
    """``dubai-landcover/`` -> RefSegRS-format folder (split by tile)."""
    rng = random.Random(seed)
    writer = DatasetWriter(out, size, {
        "name": "dubai-landcover",
        "source": "Humans in the Loop / MBRSC via Kaarti22/satellite-imagery",
        "licence": LICENCE, "gsd_m": 0.45, "source_gsd_m": SOURCE_GSD_M,
        "split_rule": f"val tiles: {', '.join(VAL_TILES)}; the others train"}, CATEGORIES)
    for tile in sorted(p for p in Path(src).iterdir() if p.is_dir()):
        split = "val" if tile.name in VAL_TILES else "train"
        for image in sorted((tile / "images").glob("*.jpg")):
            mask = tile / "masks" / f"{image.stem}.png"
            if not mask.is_file():
                continue
            for crop in crops_of_pair(image, mask, size, rng):
                writer.add(crop, split, f"dubai-{tile.name}")
    return writer.close()
