"""Tile grid and blend window."""

from __future__ import annotations

import numpy as np
import pytest

from rrsis.engine.tiling import axis_starts, blend_window, tile_grid, tile_rows


@pytest.mark.parametrize("length,size,overlap", [(200, 64, 16), (64, 64, 16), (65, 64, 16),
                                                  (1000, 480, 120), (30, 64, 16)])
def test_axis_starts_cover_the_axis_and_end_flush(length: int, size: int, overlap: int) -> None:
    starts = axis_starts(length, size, overlap)
    covered = np.zeros(max(length, size), bool)
    for s in starts:
        covered[s:s + size] = True
    assert covered[:length].all()
    assert starts[0] == 0
    assert starts[-1] == max(0, length - size)
    steps = np.diff(starts)
    assert (steps <= size - overlap).all() and (steps > 0).all()


def test_tile_rows_cover_every_pixel_and_rows_share_a_start() -> None:
    rows = tile_rows(150, 230, 64, 0.25)
    hits = np.zeros((150, 230), int)
    for row in rows:
        assert len({t.row for t in row}) == 1
        for t in row:
            hits[t.row:t.row_end, t.col:t.col_end] += 1
    assert hits.min() >= 1
    assert sum(len(r) for r in rows) == len(list(tile_grid(150, 230, 64, 0.25)))


def test_blend_window_is_smooth_positive_and_symmetric() -> None:
    w = blend_window(64, 0.25)
    assert w.shape == (64, 64) and w.dtype == np.float32
    assert w.min() > 0 and w.max() == pytest.approx(1.0)
    np.testing.assert_allclose(w, w.T)
    np.testing.assert_allclose(w, w[::-1, ::-1])
    assert w[0, 0] < 0.01 and w[32, 32] == pytest.approx(1.0)
    # complementary ramps: two tiles overlapping by 16 px sum to a constant weight profile
    ramp = w[32, :16]
    np.testing.assert_allclose(ramp + ramp[::-1], 1.0, atol=1e-3)


def test_strip_blender_returns_finished_rows_as_probabilities() -> None:
    """Two overlapping tiles of constant logit difference: every covered pixel comes back
    once, as sigmoid of that difference, and the buffer stays one tile high."""
    from rrsis.engine.tiling import StripBlender, Tile, sigmoid

    size, width, height = 8, 12, 12
    window = blend_window(size, 0.25)
    blender = StripBlender(1, width, size, window)
    assert blender.sum.shape == (1, size, width)
    blender.add(Tile(0, 0, size), np.full((1, size, size), 2.0, np.float32),
                np.ones((size, size), bool))
    blender.add(Tile(0, 4, size), np.full((1, size, size), 2.0, np.float32),
                np.ones((size, size), bool))
    row0, prob, valid = blender.advance(4, height)  # the next tile row starts at 4
    assert row0 == 0 and prob.shape == (1, 4, width) and valid.all()
    np.testing.assert_allclose(prob, sigmoid(np.float32(2.0)), rtol=1e-6)
    row0, prob, valid = blender.advance(height, height)
    assert row0 == 4 and prob.shape == (1, 8, width)  # rows 4..8 seen, 8..12 never covered
    assert valid[:4].all() and not valid[4:].any() and (prob[:, 4:] == 0).all()
    assert blender.advance(height, height) is None


def test_row_chunks_and_batches_keep_order_and_span() -> None:
    from rrsis.engine.tiling import batches, row_chunks

    row = tile_rows(64, 1000, 64, 0.25)[0]
    chunks = list(row_chunks(row, 300))
    assert [t for c in chunks for t in c] == row
    assert all(c[-1].col_end - c[0].col <= 300 for c in chunks)
    assert [len(b) for b in batches(row, 4)][:-1] == [4] * (len(row) // 4 - (len(row) % 4 == 0))
    assert [t for b in batches(row, 4) for t in b] == row


def test_a_raster_smaller_than_a_tile_is_mirrored_into_it() -> None:
    from rrsis.engine.tiling import mirror_beyond

    rgb = np.zeros((3, 8, 8), np.float32)
    rgb[:, :3, :5] = np.arange(15, dtype=np.float32).reshape(3, 5)
    inside = rgb[:, :3, :5].copy()
    mirror_beyond(rgb, 3, 5)
    np.testing.assert_array_equal(rgb[:, :3, :5], inside)           # the raster is untouched
    np.testing.assert_array_equal(rgb[:, 3:6, :5], inside[:, ::-1])  # then its mirror image
    np.testing.assert_array_equal(rgb[:, :3, 5:8], inside[:, :, ::-1][:, :, :3])
    assert (rgb != 0).sum() > inside.size * 3                        # no flat frame left
    whole = np.ones((3, 8, 8), np.float32)
    mirror_beyond(whole, 8, 8)                                       # a full tile: nothing
    mirror_beyond(whole, 0, 8)                                       # no raster: nothing
    assert (whole == 1).all()
