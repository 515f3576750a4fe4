"""Copy-paste: objects of one training sample pasted into another of the same category.

Why: a region fine-tuned from a few dozen labelled buildings sees each of them in one place
only, next to the same trees and shadows; pasted at random places, turned and flipped, the
same objects are seen in new surroundings (Ghiasi et al., "Simple Copy-Paste is a Strong Data
Augmentation Method for Instance Segmentation", CVPR 2021). Only samples whose expression is a
plain category ("building", "houses": its mask is every object of the category) take part,
as the grounding parser reads them: pasting a building into "the largest building" or "the
building next to the road" would make its mask wrong. Where the samples' ground sampling
distances are known (``gsd_m.txt``: the default model's sources mix 0.05 m drone crops with
0.6 m NAIP ones), an object is resized to the ground scale of the sample it is pasted into, so
a car stays car-sized in metres.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from PIL import Image

__all__ = ["plain_category", "sample_gsds", "ObjectBank", "MIN_OBJECT_PX", "MAX_PASTES"]

MIN_OBJECT_PX = 16   # smaller components are label specks, not objects
MAX_PASTES = 3       # objects pasted into one sample: 1 to this many

Patch = Tuple[np.ndarray, np.ndarray]   # (h, w, 3) uint8 pixels, (h, w) bool object mask


def plain_category(expression: str) -> Optional[Tuple[str, ...]]:
    """The categories of an expression that names only them ("building", "houses"), else
    None (a relation, an attribute, a rank or a region: its mask is not every object)."""
    from ...grounding.parser import parse

    plan = parse(expression)
    if plan.mode != "grounded" or len(plan.targets) != 1:
        return None
    t = plan.targets[0]
    if t.attributes or t.relations or t.region is not None or t.rank is not None:
        return None
    return tuple(sorted(t.categories))


def sample_gsds(samples: Sequence["object"]) -> List[Optional[float]]:
    """Each sample's metres per pixel: its line of its folder's ``gsd_m.txt``, else the
    folder's nominal ``gsd_m`` (dataset.json), else None."""
    from ..sources.common import read_gsd_table

    tables: Dict[object, Tuple[Dict[str, float], Optional[float]]] = {}
    out: List[Optional[float]] = []
    for s in samples:
        root = s.root  # type: ignore[attr-defined]
        if root is None:
            out.append(None)
            continue
        if root not in tables:
            tables[root] = read_gsd_table(root)
        per, nominal = tables[root]
        out.append(per.get(s.id, nominal))  # type: ignore[attr-defined]
    return out


class ObjectBank:
    """The objects (4-connected components of the masks) of the plain-category samples,
    read on first use, by category."""

    def __init__(self, samples: Sequence["object"], load_image: "object",
                 load_mask: "object", gsd_m: Optional[Sequence[Optional[float]]] = None
                 ) -> None:
        self._load_image, self._load_mask = load_image, load_mask
        self.gsd_m = list(gsd_m) if gsd_m is not None else [None] * len(samples)
        self.keys: List[Optional[Tuple[str, ...]]] = []
        self.sources: Dict[Tuple[str, ...], List[int]] = {}
        for i, s in enumerate(samples):
            key = plain_category(s.expression)   # type: ignore[attr-defined]
            self.keys.append(key)
            if key is not None:
                self.sources.setdefault(key, []).append(i)
        self.samples = list(samples)
        self._objects: Dict[int, List[Patch]] = {}
        self._pools: Dict[Tuple[str, ...], List[int]] = {}

    def objects(self, index: int) -> List[Patch]:
        if index not in self._objects:
            from ..sources.common import components

            s = self.samples[index]
            mask = np.asarray(self._load_mask(s.mask), bool)   # type: ignore[attr-defined]
            found: List[Patch] = []
            rgb = np.asarray(self._load_image(s.image)) if mask.any() else None  # type: ignore
            if rgb is not None and rgb.shape[:2] == mask.shape:
                labels, n = components(mask)
                for k in range(1, n + 1):
                    rows, cols = np.nonzero(labels == k)
                    if rows.size < MIN_OBJECT_PX:
                        continue
                    box = slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1)
                    found.append((rgb[box].copy(), labels[box] == k))
            self._objects[index] = found
        return self._objects[index]

    def _pool(self, key: Tuple[str, ...]) -> List[int]:
        """The samples of ``key`` that hold an object (their masks read once)."""
        if key not in self._pools:
            self._pools[key] = [i for i in self.sources.get(key, []) if self.objects(i)]
        return self._pools[key]

    def paste(self, index: int, rgb: np.ndarray, mask: np.ndarray,
              g: torch.Generator) -> Tuple[np.ndarray, np.ndarray]:
        """``rgb`` (h, w, 3) and ``mask`` (h, w) of sample ``index`` with 1 to
        :data:`MAX_PASTES` objects of its category pasted in, each turned, flipped and put
        at a random place that holds it whole; unchanged for a sample not in the bank."""
        key = self.keys[index]
        pool = self._pool(key) if key is not None else []
        if not pool:
            return rgb, mask
        rgb, mask = rgb.copy(), mask.copy()
        h, w = mask.shape
        for _ in range(int(torch.randint(1, MAX_PASTES + 1, (1,), generator=g))):
            source = pool[int(torch.randint(0, len(pool), (1,), generator=g))]
            found = self.objects(source)
            pixels, part = found[int(torch.randint(0, len(found), (1,), generator=g))]
            pixels, part = self._to_scale(pixels, part, source, index)
            if int(part.sum()) < MIN_OBJECT_PX:
                continue
            turns = int(torch.randint(0, 4, (1,), generator=g))
            pixels, part = np.rot90(pixels, turns), np.rot90(part, turns)
            if torch.rand(1, generator=g).item() < 0.5:
                pixels, part = pixels[:, ::-1], part[:, ::-1]
            ph, pw = part.shape
            if ph > h or pw > w:
                continue
            y = int(torch.randint(0, h - ph + 1, (1,), generator=g))
            x = int(torch.randint(0, w - pw + 1, (1,), generator=g))
            rgb[y:y + ph, x:x + pw][part] = pixels[part]
            mask[y:y + ph, x:x + pw] |= part
        return rgb, mask

    def _to_scale(self, pixels: np.ndarray, part: np.ndarray, source: int, target: int
                  ) -> Patch:
        """The object resized from its sample's ground scale to the target sample's (as it
        is when either GSD is unknown, or within 2 %)."""
        a, b = self.gsd_m[source], self.gsd_m[target]
        if not a or not b or abs(a / b - 1) < 0.02:
            return pixels, part
        h, w = part.shape
        size = (max(1, round(w * a / b)), max(1, round(h * a / b)))
        pixels = np.asarray(Image.fromarray(np.ascontiguousarray(pixels)).resize(
            size, Image.BILINEAR))
        part = np.asarray(Image.fromarray(np.ascontiguousarray(part).astype(np.uint8) * 255)
                          .resize(size, Image.NEAREST)) > 0
        return pixels, part
