"""Shared parts of the source adapters: GSD sampling, crops, relations and the RefSegRS writer.

Every adapter turns one labelled source into (image crop, {expression: mask}) samples
at a ground sampling distance drawn from the model's range, and writes them as a
RefSegRS-format folder (``images/``, ``masks/``, ``output_phrase_<split>.txt``) plus
``categories.txt``, ``dataset.json`` (source, licence, GSDs, split rule) and
``gsd_m.txt`` (``<id> <metres per pixel>`` of every triplet: relations in metres can be
measured on the crops, see :mod:`.relations_eval`).
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

from ...errors import InputError

__all__ = ["GSD_RANGE_M", "MEAN_RGB", "GSD_FILE", "read_gsd_table", "Crop", "DatasetWriter",
           "sample_gsd", "crop_array", "inscribed_ellipses", "components", "dilate", "near", "pick"]

GSD_RANGE_M: Tuple[float, float] = (0.05, 0.6)  # NAIP 0.6 m is what many analysts have
MEAN_RGB = (124, 116, 104)  # ImageNet mean: zero after normalisation, used to pad crops
GSD_FILE = "gsd_m.txt"  # per triplet: "<id> <metres per pixel of the written image>"


@dataclass
class Crop:
    """One square image crop (H, W, 3 uint8) with its expressions and boolean masks."""

    image: np.ndarray
    gsd_m: float
    expressions: Dict[str, np.ndarray] = field(default_factory=dict)
    scene: str = ""


def sample_gsd(rng: random.Random, lo: float, hi: float, centre: float = 0.15) -> float:
    """Log-uniform in [lo, hi], half of the draws pulled towards ``centre`` (the serving GSD)."""
    lo, hi = max(lo, GSD_RANGE_M[0]), min(hi, GSD_RANGE_M[1])
    if hi <= lo:
        return lo
    if rng.random() < 0.5 and lo <= centre <= hi:
        lo, hi = max(lo, centre / 1.6), min(hi, centre * 1.6)
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def crop_array(arr: np.ndarray, y: int, x: int, side: int, fill: object = 0) -> np.ndarray:
    """``arr[y:y+side, x:x+side]``, padded with ``fill`` where the window leaves the array."""
    h, w = arr.shape[:2]
    out = np.empty((side, side) + arr.shape[2:], dtype=arr.dtype)
    out[...] = fill
    y0, x0, y1, x1 = max(y, 0), max(x, 0), min(y + side, h), min(x + side, w)
    if y1 > y0 and x1 > x0:
        out[y0 - y:y1 - y, x0 - x:x1 - x] = arr[y0:y1, x0:x1]
    return out


def inscribed_ellipses(boxes: Iterable[Sequence[float]], y: int, x: int, side: int, out: int
                       ) -> np.ndarray:
    """Boolean ``out``-px mask of the ellipses inscribed in pixel ``boxes`` (x0, y0, x1, y1)
    seen through the window (y, x, side): the weak mask of an object known by its box."""
    from PIL import ImageDraw

    s = out / side
    im = Image.new("L", (out, out), 0)
    draw = ImageDraw.Draw(im)
    for x0, y0, x1, y1 in boxes:
        draw.ellipse([(x0 - x) * s, (y0 - y) * s, (x1 - x) * s - 1, (y1 - y) * s - 1], fill=255)
    return np.asarray(im) > 127


def resize_rgb(arr: np.ndarray, size: int) -> np.ndarray:
    return np.asarray(Image.fromarray(arr).resize((size, size), Image.BILINEAR))


def resize_mask(mask: np.ndarray, size: int) -> np.ndarray:
    """Area-weighted: a pixel is foreground when at least half of it was."""
    im = Image.fromarray(mask.astype(np.uint8) * 255).resize((size, size), Image.BILINEAR)
    return np.asarray(im) >= 128


def components(mask: np.ndarray) -> Tuple[np.ndarray, int]:
    """4-connected labelling of a boolean mask (rasterio's polygoniser: no scipy needed)."""
    from rasterio import features
    from affine import Affine

    mask = np.ascontiguousarray(mask, dtype=np.uint8)
    if not mask.any():
        return np.zeros(mask.shape, np.int32), 0
    shapes = [(geom, i + 1) for i, (geom, v) in enumerate(
        features.shapes(mask, mask=mask.astype(bool), connectivity=4, transform=Affine.identity()))]
    lab = features.rasterize(shapes, out_shape=mask.shape, transform=Affine.identity(),
                             dtype="int32", all_touched=False)
    lab[~mask.astype(bool)] = 0
    return lab, len(shapes)


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    import torch
    import torch.nn.functional as F

    t = torch.from_numpy(mask.astype(np.float32))[None, None]
    k = 2 * radius + 1
    return F.max_pool2d(t, k, stride=1, padding=radius)[0, 0].numpy() > 0


def near(objects: np.ndarray, other: np.ndarray, distance_px: int) -> np.ndarray:
    """Connected components of ``objects`` within ``distance_px`` of ``other`` along x and y.

    The neighbourhood is a square (Chebyshev distance): diagonally it reaches
    ``distance_px * sqrt(2)``. The shipped ``lgce-lite`` was trained with this rule.
    """
    if not other.any() or not objects.any():
        return np.zeros_like(objects, dtype=bool)
    grown = dilate(other, max(1, distance_px))
    lab, n = components(objects)
    keep = np.unique(lab[grown & (lab > 0)])
    return np.isin(lab, keep[keep > 0])


class DatasetWriter:
    """Writes crops of one source into a RefSegRS-format folder, atomically (temp dir + rename)."""

    def __init__(self, root: Path, size: int, meta: Dict[str, object],
                 categories: Sequence[str]) -> None:
        self.root = Path(root)
        self.size = size
        self.meta = dict(meta)
        self.categories = list(categories)
        self.tmp = self.root.with_name(f".{self.root.name}.part")
        if self.tmp.exists():
            shutil.rmtree(self.tmp)
        (self.tmp / "images").mkdir(parents=True)
        (self.tmp / "masks").mkdir()
        self.lines: Dict[str, List[str]] = {}
        self.counts: Dict[str, Dict[str, int]] = {}
        self.gsd_lines: List[str] = []
        self.n = 0

    def add(self, crop: Crop, split: str, prefix: str) -> None:
        image = crop.image
        if image.shape[0] != self.size:
            image = resize_rgb(image, self.size)
        img_id = f"{prefix}_{self.n:05d}"
        Image.fromarray(image).save(self.tmp / "images" / f"{img_id}.jpg", quality=92)
        for k, (expr, mask) in enumerate(crop.expressions.items()):
            m = mask if mask.shape[0] == self.size else resize_mask(mask, self.size)
            sid = f"{img_id}_{k}"
            Image.fromarray(m.astype(np.uint8) * 255).save(self.tmp / "masks" / f"{sid}.png")
            os.link(self.tmp / "images" / f"{img_id}.jpg", self.tmp / "images" / f"{sid}.jpg")
            self.lines.setdefault(split, []).append(f"{sid} {expr}")
            self.gsd_lines.append(f"{sid} {crop.gsd_m * crop.image.shape[0] / self.size:.6g}")
            c = self.counts.setdefault(split, {})
            c["triplets"] = c.get("triplets", 0) + 1
            c["empty"] = c.get("empty", 0) + int(not m.any())
        (self.tmp / "images" / f"{img_id}.jpg").unlink()
        self.n += 1

    def close(self) -> Dict[str, object]:
        for split, lines in self.lines.items():
            (self.tmp / f"output_phrase_{split}.txt").write_text("\n".join(lines) + "\n")
        (self.tmp / "categories.txt").write_text("\n".join(self.categories) + "\n")
        (self.tmp / GSD_FILE).write_text("".join(f"{line}\n" for line in self.gsd_lines))
        self.meta.update({"tile_size": self.size, "splits": self.counts})
        (self.tmp / "dataset.json").write_text(json.dumps(self.meta, indent=2))
        if self.root.exists():
            shutil.rmtree(self.root)
        self.tmp.rename(self.root)
        return self.meta


def pick(rng: random.Random, items: Iterable[str], k: int) -> List[str]:
    items = list(items)
    return rng.sample(items, min(k, len(items)))


def read_gsd_table(root: Path) -> Tuple[Dict[str, float], Optional[float]]:
    """Per-triplet GSDs (``gsd_m.txt``) and the folder's nominal ``gsd_m`` (dataset.json)."""
    per: Dict[str, float] = {}
    path = root / GSD_FILE
    if path.is_file():
        for n, line in enumerate(path.read_text().splitlines(), 1):
            parts = line.split()
            try:
                per[parts[0]] = float(parts[1])
            except (IndexError, ValueError):
                if parts:
                    raise InputError(f"{path}:{n}: expected '<id> <metres>', got {line!r}") \
                        from None
    nominal = None
    meta = root / "dataset.json"
    if meta.is_file():
        value = json.loads(meta.read_text()).get("gsd_m")
        nominal = float(value) if isinstance(value, (int, float)) else None
    return per, nominal
