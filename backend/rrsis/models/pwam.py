"""Pixel-word attention (PWAM) and the language gate of LAVT (Yang et al., CVPR 2022).

Every visual token attends over the words of the expression; the attended language
feature multiplies a projection of the visual token. The gate decides, per channel,
how much of that multimodal residual enters the backbone's next stage.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["PixelWordAttention", "PWAM", "LanguageGate"]


class PixelWordAttention(nn.Module):
    """Visual queries over word keys/values; padded words get −1e4 before the softmax.

    Submodule names (``f_query``, ``f_key``, ``f_value``, ``W``) are those of the public
    checkpoints, where this module is called ``image_lang_att``.
    """

    def __init__(self, dim: int, text_dim: int, num_heads: int = 1) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError("dim must be divisible by num_heads")
        self.dim, self.num_heads = dim, num_heads
        self.f_key = nn.Sequential(nn.Conv1d(text_dim, dim, 1))
        self.f_query = nn.Sequential(nn.Conv1d(dim, dim, 1), nn.InstanceNorm1d(dim))
        self.f_value = nn.Sequential(nn.Conv1d(text_dim, dim, 1))
        self.W = nn.Sequential(nn.Conv1d(dim, dim, 1), nn.InstanceNorm1d(dim))

    def forward(self, x: Tensor, l_feats: Tensor, l_mask: Tensor) -> Tensor:
        """x (B, HW, C), l_feats (B, Ct, T), l_mask (B, T, 1) -> (B, HW, C)."""
        b, hw, c = x.shape
        nh, hd = self.num_heads, c // self.num_heads
        mask = l_mask.transpose(1, 2)  # B, 1, T
        query = self.f_query(x.transpose(1, 2))  # B, C, HW (InstanceNorm over the HW tokens)
        key = self.f_key(l_feats) * mask  # B, C, T
        value = self.f_value(l_feats) * mask
        t = key.shape[-1]
        query = query.view(b, nh, hd, hw).transpose(2, 3)  # B, nH, HW, hd
        key = key.view(b, nh, hd, t)
        value = value.view(b, nh, hd, t).transpose(2, 3)  # B, nH, T, hd
        sim = torch.matmul(query, key) * (c ** -0.5)  # the reference scales by C, not hd
        sim = sim + (1e4 * mask.unsqueeze(1) - 1e4)
        out = torch.matmul(F.softmax(sim, dim=-1), value)  # B, nH, HW, hd
        out = out.permute(0, 1, 3, 2).reshape(b, c, hw)
        return self.W(out).transpose(1, 2)


class PWAM(nn.Module):
    """``project_mm(vis_project(x) * image_lang_att(x, words))`` as (B, HW, C)."""

    def __init__(self, dim: int, text_dim: int, num_heads: int = 1) -> None:
        super().__init__()
        self.vis_project = nn.Sequential(nn.Conv1d(dim, dim, 1), nn.GELU(), nn.Dropout(0.0))
        self.image_lang_att = PixelWordAttention(dim, text_dim, num_heads)
        self.project_mm = nn.Sequential(nn.Conv1d(dim, dim, 1), nn.GELU(), nn.Dropout(0.0))

    def forward(self, x: Tensor, l_feats: Tensor, l_mask: Tensor) -> Tensor:
        vis = self.vis_project(x.transpose(1, 2))  # B, C, HW
        lang = self.image_lang_att(x, l_feats, l_mask).transpose(1, 2)
        return self.project_mm(vis * lang).transpose(1, 2)


class LanguageGate(nn.Sequential):
    """Linear -> ReLU -> Linear -> Tanh, both linears without bias, zero-initialised."""

    def __init__(self, dim: int) -> None:
        super().__init__(nn.Linear(dim, dim, bias=False), nn.ReLU(), nn.Linear(dim, dim, bias=False),
                         nn.Tanh())
        self.reset_parameters()

    def reset_parameters(self) -> None:
        nn.init.zeros_(self[0].weight)
        nn.init.zeros_(self[2].weight)
