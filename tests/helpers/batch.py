"""Batch test helpers: the bundled real orthophoto cut into adjacent tiles, a corrupt raster.

Test modules import the fixtures they use from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
import rasterio
from rasterio.windows import Window

from helpers.data import SAMPLE
from helpers.features import read_features  # noqa: F401 (re-exported for the batch tests)

ROWS, COLS = 2, 2  # 768 x 2048 px -> four 384 x 1024 px tiles of one grid


def cut_tiles(source: Path, folder: Path, rows: int = ROWS, cols: int = COLS) -> List[Path]:
    """Adjacent, non-overlapping tiles of ``source`` (same CRS, pixel size and grid)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    with rasterio.open(source) as src:
        h, w = src.height // rows, src.width // cols
        for r in range(rows):
            for c in range(cols):
                window = Window(c * w, r * h, w, h)
                profile = src.profile.copy()
                profile.update(width=w, height=h, transform=src.window_transform(window),
                               compress="deflate", photometric="rgb")
                path = folder / f"tile_{r}_{c}.tif"
                with rasterio.open(path, "w", **profile) as dst:
                    dst.write(src.read(window=window))
                paths.append(path)
    return paths


def write_corrupt(path: Path) -> Path:
    """A file named .tif that no driver can read: a TIFF header and then garbage."""
    path.write_bytes(b"II*\x00" + bytes(range(256)) * 8)
    return path


@pytest.fixture(scope="module")
def tiles(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, object]:
    root = tmp_path_factory.mktemp("batch")
    paths = cut_tiles(SAMPLE, root / "tiles")
    return {"root": root, "tiles": paths}
