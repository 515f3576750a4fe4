"""A tiny RefSegRS-format dataset written by the tests themselves (real files, real reader)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
from PIL import Image

__all__ = ["EXPRESSIONS", "write_refsegrs"]

EXPRESSIONS = ("car", "building along the road", "low vegetation", "the road")


def write_refsegrs(root: Path, splits: Dict[str, int], size: int = 48, seed: int = 0,
                   empty_every: int = 0) -> Dict[str, List[Tuple[str, str]]]:
    """RefSegRS layout with bright squares as targets; returns {split: [(id, expression)]}."""
    rng = np.random.default_rng(seed)
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "masks").mkdir(parents=True, exist_ok=True)
    out: Dict[str, List[Tuple[str, str]]] = {}
    n = 0
    for split, count in splits.items():
        rows = []
        for k in range(count):
            sid = f"{n:05d}"
            img = (rng.random((size, size, 3)) * 80).astype(np.uint8)
            mask = np.zeros((size, size), np.uint8)
            if not (empty_every and k % empty_every == empty_every - 1):
                y, x = rng.integers(0, size // 2, 2)
                h, w = rng.integers(size // 6, size // 2, 2)
                mask[y:y + h, x:x + w] = 255
                img[mask > 0] = 230
            Image.fromarray(img).save(root / "images" / f"{sid}.tif")
            Image.fromarray(mask).save(root / "masks" / f"{sid}.tif")
            rows.append((sid, EXPRESSIONS[k % len(EXPRESSIONS)]))
            n += 1
        (root / f"output_phrase_{split}.txt").write_text(
            "".join(f"{sid} {e}\n" for sid, e in rows))
        out[split] = rows
    return out
