"""Swin parts against independent, naive formulations (explicit loops over windows)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from rrsis.models.swin import PatchMerging, SwinBlock, relative_position_index


def _naive_rel_index(ws: int) -> torch.Tensor:
    idx = torch.empty(ws * ws, ws * ws, dtype=torch.long)
    for a in range(ws * ws):
        for b in range(ws * ws):
            dy = a // ws - b // ws + ws - 1
            dx = a % ws - b % ws + ws - 1
            idx[a, b] = dy * (2 * ws - 1) + dx
    return idx


def _region(coord: int, size: int, ws: int, shift: int) -> int:
    if coord < size - ws:
        return 0
    return 1 if coord < size - shift else 2


def _naive_block(blk: SwinBlock, x: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """Reference Swin block: pad after norm1, roll, attend window by window, unroll, crop."""
    b, _, c = x.shape
    ws, shift, heads = blk.window, blk.shift, blk.attn.num_heads
    hd = c // heads
    hp, wp = math.ceil(h / ws) * ws, math.ceil(w / ws) * ws
    y = blk.norm1(x).view(b, h, w, c)
    y = F.pad(y, (0, 0, 0, wp - w, 0, hp - h))
    if shift:
        y = torch.roll(y, (-shift, -shift), (1, 2))
    out = torch.zeros_like(y)
    table = blk.attn.relative_position_bias_table
    rel = _naive_rel_index(ws)
    qkv_w, qkv_b = blk.attn.qkv.weight, blk.attn.qkv.bias
    for bi in range(b):
        for wy in range(0, hp, ws):
            for wx in range(0, wp, ws):
                tokens = y[bi, wy:wy + ws, wx:wx + ws].reshape(ws * ws, c)
                coords = [(wy + i // ws, wx + i % ws) for i in range(ws * ws)]
                labels = [_region(r, hp, ws, shift) * 3 + _region(q, wp, ws, shift) for r, q in coords]
                qkv = tokens @ qkv_w.T + qkv_b
                q, k, v = qkv[:, :c], qkv[:, c:2 * c], qkv[:, 2 * c:]
                heads_out = []
                for hi in range(heads):
                    sl = slice(hi * hd, (hi + 1) * hd)
                    att = (q[:, sl] * hd ** -0.5) @ k[:, sl].T + table[rel, hi]
                    if shift:
                        same = torch.tensor([[la == lb for lb in labels] for la in labels])
                        att = att + torch.where(same, 0.0, -100.0)
                    heads_out.append(att.softmax(-1) @ v[:, sl])
                o = blk.attn.proj(torch.cat(heads_out, -1))
                out[bi, wy:wy + ws, wx:wx + ws] = o.view(ws, ws, c)
    if shift:
        out = torch.roll(out, (shift, shift), (1, 2))
    x = x + out[:, :h, :w].reshape(b, h * w, c)
    return x + blk.mlp(blk.norm2(x))


def test_relative_position_index_matches_definition() -> None:
    assert torch.equal(relative_position_index(5), _naive_rel_index(5))


@pytest.mark.parametrize("shift", [0, 2])
@pytest.mark.parametrize("hw", [(8, 8), (7, 11)])  # 7×11: padding on both axes
def test_block_equals_naive_window_loop(shift: int, hw: tuple[int, int]) -> None:
    torch.manual_seed(0)
    h, w = hw
    blk = SwinBlock(dim=16, num_heads=2, window=4, shift=shift, mlp_ratio=2.0).eval()
    torch.nn.init.normal_(blk.attn.relative_position_bias_table, std=0.5)
    x = torch.randn(2, h * w, 16)
    from rrsis.models.swin import shift_attention_mask

    hp, wp = math.ceil(h / 4) * 4, math.ceil(w / 4) * 4
    mask = shift_attention_mask(hp, wp, 4, 2) if shift else None
    with torch.no_grad():
        got = blk(x, (h, w), mask)
        want = _naive_block(blk, x, h, w)
    assert torch.allclose(got, want, atol=1e-5), (got - want).abs().max()


def test_patch_merging_pads_odd_maps_and_orders_neighbours() -> None:
    torch.manual_seed(0)
    pm = PatchMerging(3)
    x = torch.randn(1, 5 * 3, 3)
    with torch.no_grad():
        got = pm(x, (5, 3))
        grid = F.pad(x.view(1, 5, 3, 3), (0, 0, 0, 1, 0, 1))
        rows = []
        for i in range(0, 6, 2):
            for j in range(0, 4, 2):
                rows.append(torch.cat([grid[0, i, j], grid[0, i + 1, j], grid[0, i, j + 1],
                                       grid[0, i + 1, j + 1]]))
        want = pm.reduction(pm.norm(torch.stack(rows)))[None]
    assert got.shape == (1, 6, 6)
    assert torch.allclose(got, want, atol=1e-6)
