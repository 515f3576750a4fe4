"""Tiles as values: an overlapped grid over the working raster, and the blend window.

The working grid is the requested area resampled to the model's GSD. Tiles have the
model's input size and overlap by ``overlap`` of it; the last tile of each row and
column is moved back to end on the grid edge (so no tile hangs out unless the grid is
smaller than a tile). Logits of overlapping tiles are averaged with a window that
falls smoothly to almost zero at each tile border, so no seams show; :class:`StripBlender`
keeps that weighted sum in a buffer one tile high, so memory is flat in raster height.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Tuple

import numpy as np

__all__ = ["Tile", "axis_starts", "tile_grid", "tile_rows", "blend_window", "sigmoid",
           "StripBlender", "mirror_beyond", "row_chunks", "batches"]


@dataclass(frozen=True)
class Tile:
    """One model input: the top-left pixel (row, col) in the working grid, and its size."""

    row: int
    col: int
    size: int

    @property
    def row_end(self) -> int:
        return self.row + self.size

    @property
    def col_end(self) -> int:
        return self.col + self.size


def axis_starts(length: int, size: int, overlap_px: int) -> List[int]:
    """Tile starts along one axis: step ``size - overlap_px``, last one flush with the end."""
    if length <= size:
        return [0]
    step = max(1, size - overlap_px)
    starts = list(range(0, length - size, step))
    starts.append(length - size)
    return starts


def overlap_pixels(size: int, overlap: float) -> int:
    if not 0.0 <= overlap < 1.0:
        raise ValueError("overlap must be in [0, 1)")
    return int(round(size * overlap))


def tile_rows(height: int, width: int, size: int, overlap: float) -> List[List[Tile]]:
    """The grid as rows of tiles, top to bottom (the engine streams it row by row)."""
    ov = overlap_pixels(size, overlap)
    cols = axis_starts(width, size, ov)
    return [[Tile(r, c, size) for c in cols] for r in axis_starts(height, size, ov)]


def tile_grid(height: int, width: int, size: int, overlap: float) -> Iterator[Tile]:
    for row in tile_rows(height, width, size, overlap):
        yield from row


def blend_window(size: int, overlap: float, floor: float = 1e-3) -> np.ndarray:
    """(size, size) float32 weights: 1 in the middle, a cosine ramp over the overlap.

    The floor keeps a tile's weight positive at its own border, where no other tile may
    cover the pixel (the raster edge).
    """
    ramp = max(1, overlap_pixels(size, overlap))
    x = np.ones(size, dtype=np.float64)
    t = (np.arange(ramp) + 0.5) / ramp
    edge = np.sin(0.5 * np.pi * t) ** 2
    x[:ramp] = np.minimum(x[:ramp], edge)
    x[size - ramp:] = np.minimum(x[size - ramp:], edge[::-1])
    x = np.maximum(x, floor)
    return np.outer(x, x).astype(np.float32)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically safe logistic function, float32 in and out (blended logits -> probability)."""
    return (0.5 * (1.0 + np.tanh(0.5 * x))).astype(np.float32)


class StripBlender:
    """Weighted sum of logit differences over a buffer one tile high and the grid wide."""

    def __init__(self, n_expr: int, width: int, size: int, window: np.ndarray,
                 offsets: Optional[np.ndarray] = None) -> None:
        """``offsets``: (E,) logit difference subtracted per expression before the sigmoid
        (the card's operating points, :mod:`rrsis.engine.operating`); None: none."""
        self.size, self.width, self.window = size, width, window
        self.offsets = None if offsets is None else \
            np.asarray(offsets, np.float32).reshape(n_expr, 1, 1)
        w = max(width, size)
        self.sum = np.zeros((n_expr, size, w), np.float32)
        self.weight = np.zeros((size, w), np.float32)
        self.top = 0

    def add(self, tile: Tile, diff: np.ndarray, valid: np.ndarray) -> None:
        """diff (E, S, S) for ``tile``; valid (S, S); the tile must start at ``self.top``."""
        r = tile.row - self.top
        w = self.window * valid
        self.sum[:, r:r + tile.size, tile.col:tile.col_end] += diff * w
        self.weight[r:r + tile.size, tile.col:tile.col_end] += w

    def advance(self, new_top: int, height: int) -> Optional[Tuple[int, np.ndarray, np.ndarray]]:
        """Finish rows ``top .. new_top`` (no later tile touches them) and shift the buffer."""
        n = min(new_top, height) - self.top
        if n <= 0:
            self.top = new_top
            return None
        out = self._finished(n)
        self.sum = np.roll(self.sum, -n, axis=1)
        self.weight = np.roll(self.weight, -n, axis=0)
        self.sum[:, -n:] = 0.0
        self.weight[-n:] = 0.0
        row0, self.top = self.top, new_top
        return row0, out[0], out[1]

    def _finished(self, n: int) -> Tuple[np.ndarray, np.ndarray]:
        wt = self.weight[:n, :self.width]
        valid = wt > 0
        mean = np.divide(self.sum[:, :n, :self.width], wt, out=np.zeros_like(
            self.sum[:, :n, :self.width]), where=valid)
        if self.offsets is not None:
            mean -= self.offsets
        prob = np.where(valid, sigmoid(mean), 0.0).astype(np.float32)
        return prob, valid


def mirror_beyond(rgb: np.ndarray, rows: int, cols: int) -> None:
    """Fill ``rgb`` (3, H, W) beyond its first ``rows`` x ``cols`` pixels (the raster, when
    it is smaller than a tile) with their mirror image, in place: the overlap-tile strategy
    of U-Net. The model then sees image-like context all round instead of a flat frame it
    never met in training; those pixels stay invalid, so nothing is read from them."""
    h, w = rgb.shape[1:]
    rows, cols = max(0, min(rows, h)), max(0, min(cols, w))
    if (rows, cols) == (h, w) or rows == 0 or cols == 0:
        return
    rgb[:] = np.pad(rgb[:, :rows, :cols], ((0, 0), (0, h - rows), (0, w - cols)),
                    mode="symmetric")


def row_chunks(row: Sequence[Tile], span: int) -> Iterator[List[Tile]]:
    """Consecutive tiles of one row whose columns fit in ``span`` pixels, read together."""
    chunk = [row[0]]
    for tile in row[1:]:
        if tile.col_end - chunk[0].col <= span:
            chunk.append(tile)
        else:
            yield chunk
            chunk = [tile]
    yield chunk


def batches(row: Sequence[Tile], size: int) -> Iterator[Sequence[Tile]]:
    """``row`` cut into runs of at most ``size`` tiles (one model call each)."""
    for i in range(0, len(row), size):
        yield row[i:i + size]
