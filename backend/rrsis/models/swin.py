"""Multi-modal Swin Transformer (the LAVT backbone), ported for exact equivalence.

Swin: Liu et al., ICCV 2021; multi-modal variant with PWAM fusion: Yang et al., "LAVT",
CVPR 2022. This is not timm's classification Swin: the detection/segmentation variant
pads each feature map (after ``norm1``) to a multiple of the window, computes the
shift mask on the padded grid, never clamps the window to the feature size and pads
odd maps before patch merging. Those details decide the output, so they are kept.

Attention runs through :func:`torch.nn.functional.scaled_dot_product_attention` with
the relative-position bias and the shift mask as one additive mask; it computes the
same softmax(QK^T*scale + bias)V as the reference within float rounding.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from timm.layers import DropPath, Mlp, trunc_normal_
from torch import Tensor, nn

from .pwam import PWAM, LanguageGate

__all__ = [
    "window_partition", "window_reverse", "relative_position_index", "shift_attention_mask",
    "WindowAttention", "SwinBlock", "PatchMerging", "PatchEmbed", "MultiModalStage",
    "MultiModalSwin",
]


def window_partition(x: Tensor, window: int) -> Tensor:
    """(B, H, W, C) with H, W multiples of ``window`` -> (B * nW, window * window, C)."""
    b, h, w, c = x.shape
    x = x.view(b, h // window, window, w // window, window, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, window * window, c)


def window_reverse(windows: Tensor, window: int, h: int, w: int) -> Tensor:
    """Inverse of :func:`window_partition`: (B * nW, window * window, C) -> (B, H, W, C)."""
    c = windows.shape[-1]
    x = windows.view(-1, h // window, w // window, window, window, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, h, w, c)


def relative_position_index(window: int) -> Tensor:
    """(window², window²) index into the (2·window − 1)² relative-position bias table."""
    coords = torch.stack(torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij"))
    coords = coords.flatten(1)
    rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0) + (window - 1)
    return rel[..., 0] * (2 * window - 1) + rel[..., 1]


def shift_attention_mask(hp: int, wp: int, window: int, shift: int,
                         device: Optional[torch.device] = None) -> Tensor:
    """(nW, window², window²) additive mask (0 / −100) for shifted windows on a padded grid.

    The grid is split into three bands per axis, as in the reference implementation;
    tokens of different bands must not attend to each other after the cyclic shift.
    """
    img = torch.zeros((1, hp, wp, 1), device=device)
    bands = (slice(0, -window), slice(-window, -shift), slice(-shift, None))
    label = 0
    for hs in bands:
        for ws in bands:
            img[:, hs, ws, :] = label
            label += 1
    win = window_partition(img, window).squeeze(-1)  # nW, window²
    diff = win.unsqueeze(1) - win.unsqueeze(2)
    return diff.masked_fill(diff != 0, -100.0).masked_fill(diff == 0, 0.0)


class WindowAttention(nn.Module):
    """Multi-head self-attention inside windows, with a learned relative-position bias."""

    def __init__(self, dim: int, window: int, num_heads: int, qkv_bias: bool = True) -> None:
        super().__init__()
        self.window = window
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.relative_position_bias_table = nn.Parameter(
            torch.zeros((2 * window - 1) ** 2, num_heads))
        # persistent: the public checkpoints carry it, and strict loading expects it
        self.register_buffer("relative_position_index", relative_position_index(window))
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)
        trunc_normal_(self.relative_position_bias_table, std=0.02)

    def relative_bias(self) -> Tensor:
        """(num_heads, N, N) bias, N = window²."""
        n = self.window * self.window
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)]
        return bias.view(n, n, -1).permute(2, 0, 1)

    def forward(self, x: Tensor, mask: Optional[Tensor] = None) -> Tensor:
        """x: (B * nW, N, C); mask: (nW, N, N) additive or None -> (B * nW, N, C)."""
        bn, n, c = x.shape
        qkv = self.qkv(x).view(bn, n, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        bias = self.relative_bias().unsqueeze(0)  # 1, nH, N, N
        if mask is not None:
            nw = mask.shape[0]
            bias = (bias + mask.unsqueeze(1)).to(q.dtype)  # nW, nH, N, N
            bias = bias.repeat(bn // nw, 1, 1, 1) if bn != nw else bias
        else:
            bias = bias.to(q.dtype)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=self.scale)
        return self.proj(out.transpose(1, 2).reshape(bn, n, c))


class SwinBlock(nn.Module):
    """Pre-norm Swin block; odd blocks of a stage use windows shifted by half a window."""

    def __init__(self, dim: int, num_heads: int, window: int, shift: int, mlp_ratio: float,
                 drop_path: float = 0.0) -> None:
        super().__init__()
        if not 0 <= shift < window:
            raise ValueError("shift must be in [0, window)")
        self.window, self.shift = window, shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, window, num_heads)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), act_layer=nn.GELU)

    def forward(self, x: Tensor, hw: Tuple[int, int], shift_mask: Optional[Tensor]) -> Tensor:
        """x: (B, H*W, C) -> (B, H*W, C)."""
        h, w = hw
        b, _, c = x.shape
        ws = self.window
        y = self.norm1(x).view(b, h, w, c)
        pad_r, pad_b = (-w) % ws, (-h) % ws
        if pad_r or pad_b:
            y = F.pad(y, (0, 0, 0, pad_r, 0, pad_b))
        hp, wp = h + pad_b, w + pad_r
        if self.shift:
            y = torch.roll(y, shifts=(-self.shift, -self.shift), dims=(1, 2))
        y = self.attn(window_partition(y, ws), shift_mask if self.shift else None)
        y = window_reverse(y, ws, hp, wp)
        if self.shift:
            y = torch.roll(y, shifts=(self.shift, self.shift), dims=(1, 2))
        if pad_r or pad_b:
            y = y[:, :h, :w, :]
        x = x + self.drop_path(y.reshape(b, h * w, c))
        return x + self.drop_path(self.mlp(self.norm2(x)))


class PatchMerging(nn.Module):
    """2×2 neighbourhood -> one token: LayerNorm(4C) then Linear(4C -> 2C, no bias)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)
        self.norm = nn.LayerNorm(4 * dim)

    def forward(self, x: Tensor, hw: Tuple[int, int]) -> Tensor:
        h, w = hw
        b, _, c = x.shape
        x = x.view(b, h, w, c)
        if h % 2 or w % 2:
            x = F.pad(x, (0, 0, 0, w % 2, 0, h % 2))
        x = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1)
        return self.reduction(self.norm(x.view(b, -1, 4 * c)))


class PatchEmbed(nn.Module):
    """Non-overlapping patches -> tokens; the image is zero-padded to a multiple of the patch."""

    def __init__(self, patch: int, in_chans: int, dim: int) -> None:
        super().__init__()
        self.patch = patch
        self.proj = nn.Conv2d(in_chans, dim, kernel_size=patch, stride=patch)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tuple[int, int]]:
        """(B, 3, H, W) -> tokens (B, h*w, C) and (h, w)."""
        p = self.patch
        h, w = x.shape[-2:]
        if h % p or w % p:
            x = F.pad(x, (0, (-w) % p, 0, (-h) % p))
        x = self.proj(x)
        hw = (x.shape[2], x.shape[3])
        return self.norm(x.flatten(2).transpose(1, 2)), hw


class MultiModalStage(nn.Module):
    """Swin blocks, then PWAM with the words, then the gated residual, then patch merging."""

    def __init__(self, dim: int, depth: int, num_heads: int, window: int, mlp_ratio: float,
                 drop_path: Sequence[float], text_dim: int, fusion_heads: int,
                 downsample: bool) -> None:
        super().__init__()
        self.window = window
        self.blocks = nn.ModuleList(
            SwinBlock(dim, num_heads, window, 0 if i % 2 == 0 else window // 2, mlp_ratio,
                      drop_path[i])
            for i in range(depth))
        self.fusion = PWAM(dim, text_dim, num_heads=fusion_heads)
        self.res_gate = LanguageGate(dim)
        self.downsample = PatchMerging(dim) if downsample else None
        self._mask_cache: Dict[Tuple[int, int, str], Tensor] = {}

    def _shift_mask(self, hw: Tuple[int, int], device: torch.device) -> Optional[Tensor]:
        if len(self.blocks) < 2:
            return None
        ws = self.window
        hp, wp = -(-hw[0] // ws) * ws, -(-hw[1] // ws) * ws
        key = (hp, wp, str(device))
        mask = self._mask_cache.get(key)
        if mask is None:
            mask = shift_attention_mask(hp, wp, ws, ws // 2, device)
            if len(self._mask_cache) > 16:
                self._mask_cache.clear()
            self._mask_cache[key] = mask
        return mask

    def forward(self, x: Tensor, hw: Tuple[int, int], l_feats: Tensor, l_mask: Tensor
                ) -> Tuple[Tensor, Tensor, Tuple[int, int]]:
        """x: (B, H*W, C) -> (PWAM output for the decoder, input of the next stage, its hw)."""
        mask = self._shift_mask(hw, x.device)
        for blk in self.blocks:
            x = blk(x, hw, mask)
        x_res = self.fusion(x, l_feats, l_mask)
        x = x + self.res_gate(x_res) * x_res
        if self.downsample is None:
            return x_res, x, hw
        return x_res, self.downsample(x, hw), ((hw[0] + 1) // 2, (hw[1] + 1) // 2)


class MultiModalSwin(nn.Module):
    """Swin with language fusion at every stage -> four maps (B, C_i, H/4·2^-i, W/4·2^-i).

    Each output is ``norm_i`` applied to the PWAM output of stage i (not to the gated sum).
    """

    def __init__(self, embed_dim: int, depths: Sequence[int], num_heads: Sequence[int],
                 window_size: int, mlp_ratio: float, patch_size: int, drop_path_rate: float,
                 text_dim: int, fusion_heads: Sequence[int]) -> None:
        super().__init__()
        n = len(depths)
        self.num_features = [embed_dim * 2**i for i in range(n)]
        self.patch_embed = PatchEmbed(patch_size, 3, embed_dim)
        total = max(sum(depths) - 1, 1)
        dpr = [drop_path_rate * i / total for i in range(sum(depths))]  # linear, as torch.linspace
        self.layers = nn.ModuleList(
            MultiModalStage(self.num_features[i], depths[i], num_heads[i], window_size, mlp_ratio,
                            dpr[sum(depths[:i]):sum(depths[:i + 1])], text_dim, fusion_heads[i],
                            downsample=i < n - 1)
            for i in range(n))
        for i in range(n):
            self.add_module(f"norm{i}", nn.LayerNorm(self.num_features[i]))
        self.apply(_init_weights)
        for layer in self.layers:
            layer.res_gate.reset_parameters()

    def forward(self, image: Tensor, l_feats: Tensor, l_mask: Tensor) -> List[Tensor]:
        """image (B, 3, H, W), l_feats (B, Ct, T), l_mask (B, T, 1) -> 4 maps, fine to coarse."""
        x, hw = self.patch_embed(image)
        outs = []
        for i, layer in enumerate(self.layers):
            x_res, x, next_hw = layer(x, hw, l_feats, l_mask)
            y = getattr(self, f"norm{i}")(x_res)
            outs.append(y.transpose(1, 2).reshape(y.shape[0], -1, hw[0], hw[1]))
            hw = next_hw
        return outs


def _init_weights(m: nn.Module) -> None:
    if isinstance(m, nn.Linear):
        trunc_normal_(m.weight, std=0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)
