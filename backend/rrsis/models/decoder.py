"""LAVT's top-down segmentation decoder, with LGCE on the two deepest stages when configured.

Coarse to fine: upsample (bilinear, ``align_corners=True``), concatenate with the next
finer map, two conv3×3-BN-ReLU; finally a 1×1 conv to 2 class logits at 1/4 resolution.
Attribute names are those of the public ``classifier`` so that checkpoints load strictly;
submodules are registered in the public order so ``state_dict()`` keys come in that order.
"""

from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .lgce import InertCrossScaleBlock, enhance, guide_vector
from .registry import LGCEConfig

__all__ = ["SegmentationDecoder"]


def _upsample_to(x: Tensor, ref: Tensor) -> Tensor:
    """Bilinear, align_corners=True, only when ``x`` is smaller than ``ref`` (as the reference)."""
    if x.shape[-2] < ref.shape[-2] or x.shape[-1] < ref.shape[-1]:
        return F.interpolate(x, size=ref.shape[-2:], mode="bilinear", align_corners=True)
    return x


class SegmentationDecoder(nn.Module):
    """Four language-aware maps (fine to coarse) -> (B, 2, H/4, W/4) logits."""

    def __init__(self, stage_dims: Sequence[int], width: int, text_dim: int,
                 lgce: Optional[LGCEConfig] = None) -> None:
        super().__init__()
        c0, c1, c2, c3 = stage_dims
        self.conv1_4 = nn.Conv2d(c3 + c2, width, 3, padding=1, bias=False)
        self.bn1_4 = nn.BatchNorm2d(width)
        self.relu1_4 = nn.ReLU()
        self.conv2_4 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn2_4 = nn.BatchNorm2d(width)
        self.relu2_4 = nn.ReLU()
        self.lgce = lgce
        if lgce is not None:
            args = (lgce.depths, lgce.num_heads, lgce.mlp_ratio, lgce.inert_modules)
            self.msb1 = InertCrossScaleBlock((c2, c3), *args)  # the one that runs
            if lgce.inert_modules:
                self.msb2 = InertCrossScaleBlock((c1, c2), *args)
                self.msb3 = InertCrossScaleBlock((c0, c1), *args)
        self.conv1_3 = nn.Conv2d(width + c1, width, 3, padding=1, bias=False)
        self.bn1_3 = nn.BatchNorm2d(width)
        self.relu1_3 = nn.ReLU()
        self.conv2_3 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn2_3 = nn.BatchNorm2d(width)
        self.relu2_3 = nn.ReLU()
        self.conv1_2 = nn.Conv2d(width + c0, width, 3, padding=1, bias=False)
        self.bn1_2 = nn.BatchNorm2d(width)
        self.relu1_2 = nn.ReLU()
        self.conv2_2 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn2_2 = nn.BatchNorm2d(width)
        self.relu2_2 = nn.ReLU()
        self.conv1_1 = nn.Conv2d(width, 2, 1)
        if lgce is not None:
            if lgce.inert_modules:  # lg_layer1/2 are never used (inert)
                self.lg_layer1 = nn.Linear(text_dim, c0)
                self.lg_layer2 = nn.Linear(text_dim, c1)
            self.lg_layer3 = nn.Linear(text_dim, c2)
            self.lg_layer4 = nn.Linear(text_dim, c3)

    def forward(self, feats: Sequence[Tensor], l_feats: Optional[Tensor] = None) -> Tensor:
        """feats: 4 maps (B, C_i, H_i, W_i) fine to coarse; l_feats (B, Ct, T) for LGCE."""
        x_c1, x_c2, x_c3, x_c4 = feats
        if self.lgce is not None:
            if l_feats is None:
                raise ValueError("an LGCE decoder needs the word features")
            g = guide_vector(l_feats)
            x_c3, x_c4 = enhance([x_c3, x_c4], [self.lg_layer3(g), self.lg_layer4(g)],
                                 self.msb1.msb.blocks)
        x = torch.cat([_upsample_to(x_c4, x_c3), x_c3], dim=1)
        x = self.relu1_4(self.bn1_4(self.conv1_4(x)))
        x = self.relu2_4(self.bn2_4(self.conv2_4(x)))
        x = torch.cat([_upsample_to(x, x_c2), x_c2], dim=1)
        x = self.relu1_3(self.bn1_3(self.conv1_3(x)))
        x = self.relu2_3(self.bn2_3(self.conv2_3(x)))
        x = torch.cat([_upsample_to(x, x_c1), x_c1], dim=1)
        x = self.relu1_2(self.bn1_2(self.conv1_2(x)))
        x = self.relu2_2(self.bn2_2(self.conv2_2(x)))
        return self.conv1_1(x)
