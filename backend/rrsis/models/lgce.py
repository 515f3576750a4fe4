"""Language-guided cross-scale enhancement (LGCE; Yuan et al., "RRSIS", TGRS 2024).

One guide token derived from the words is prepended to the tokens of each of the two
deepest stages; a few pre-norm ViT blocks (timm's ``Block``) mix it with the visual
tokens; the guide token is then dropped and the enhanced maps replace those stages.

The public code holds these blocks inside a CrossViT ``MultiScaleBlock`` whose
cross-attention between the two guide tokens is computed and then discarded with the
tokens, and it registers further modules that are never called (``msb2``, ``msb3``,
every ``patch_embed``, ``lg_layer1``/``lg_layer2``). :class:`InertCrossScaleBlock`
registers those parameters under their public names, so that public checkpoints load
with ``strict=True``; they have no effect on the output and are never run.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

import torch
from timm.models.vision_transformer import Block
from torch import Tensor, nn

__all__ = ["InertCrossScaleBlock", "guide_vector", "enhance"]


class _PatchEmbed(nn.Module):
    def __init__(self, dim: int, patch: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)


class _CrossAttention(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.wq = nn.Linear(dim, dim, bias=False)
        self.wk = nn.Linear(dim, dim, bias=False)
        self.wv = nn.Linear(dim, dim, bias=False)
        self.proj = nn.Linear(dim, dim)


class _CrossAttentionBlock(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = _CrossAttention(dim)


def _token_projection(src: int, dst: int) -> nn.Sequential:
    return nn.Sequential(nn.LayerNorm(src), nn.GELU(), nn.Linear(src, dst))


class _MultiScaleBlock(nn.Module):
    """Two branches of ViT blocks (the part that runs) plus CrossViT's token exchange."""

    def __init__(self, dims: Tuple[int, int], depths: Sequence[int], heads: Sequence[int],
                 mlp_ratio: float, with_exchange: bool) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            nn.Sequential(*[Block(dims[b], heads[b], mlp_ratio=mlp_ratio, qkv_bias=False)
                            for _ in range(depths[b])])
            for b in range(2))
        if with_exchange:  # inert: its output token is dropped
            self.projs = nn.ModuleList(_token_projection(dims[b], dims[1 - b]) for b in range(2))
            self.fusion = nn.ModuleList(nn.Sequential(_CrossAttentionBlock(dims[1 - b]))
                                        for b in range(2))
            self.revert_projs = nn.ModuleList(_token_projection(dims[1 - b], dims[b])
                                              for b in range(2))


class InertCrossScaleBlock(nn.Module):
    """``MSB`` of the public code: patch embeddings that are never called + a multi-scale block.

    In ``msb1`` only ``msb.blocks`` runs; ``msb2`` and ``msb3`` never run at all.
    """

    def __init__(self, dims: Tuple[int, int], depths: Sequence[int], heads: Sequence[int],
                 mlp_ratio: float, register_inert: bool = True) -> None:
        super().__init__()
        if register_inert:
            self.patch_embed = nn.ModuleList([_PatchEmbed(dims[0], 8), _PatchEmbed(dims[1], 16)])
        self.msb = _MultiScaleBlock(dims, depths, heads, mlp_ratio, with_exchange=register_inert)

    def forward(self, *_: object) -> None:  # pragma: no cover - guard
        raise RuntimeError("InertCrossScaleBlock holds weights only; use lgce.enhance()")


def guide_vector(l_feats: Tensor) -> Tensor:
    """(B, Ct, T) -> (B, Ct): the unmasked mean over all T positions (padding included)."""
    return l_feats.mean(-1)


def enhance(maps: Sequence[Tensor], guides: Sequence[Tensor], branches: nn.ModuleList
            ) -> List[Tensor]:
    """Prepend guide token i to the tokens of map i, run branch i, drop the token.

    maps[i] (B, C_i, H_i, W_i), guides[i] (B, C_i) -> enhanced maps of the same shapes.
    """
    out = []
    for x, g, blocks in zip(maps, guides, branches):
        b, c, h, w = x.shape
        tokens = torch.cat([g.unsqueeze(1), x.flatten(2).transpose(1, 2)], dim=1)
        tokens = blocks(tokens)[:, 1:]
        out.append(tokens.transpose(1, 2).reshape(b, c, h, w))
    return out
