"""LAVT-style language fusion inside a timm EfficientNet-Lite (the ``lgce-lite`` backbone).

The convolutional stages of ``tf_efficientnet_lite0`` replace Swin's; after each stage
that ends a scale (strides 4, 8, 16, 32, ``EfficientNetConfig.out_blocks``) the same
PWAM + tanh gate as the paper's backbone run, and the gated sum feeds the next stage.
As in :class:`~rrsis.models.swin.MultiModalSwin`, the map handed to the decoder is a
LayerNorm of the PWAM output. The stem, blocks and BatchNorms keep timm's names so
ImageNet weights load into ``encoder`` unchanged (see :mod:`rrsis.models.pretrained`).
"""

from __future__ import annotations

from typing import List

import timm
from torch import Tensor, nn

from .pwam import PWAM, LanguageGate
from .registry import EfficientNetConfig, ModelConfig

__all__ = ["LanguageFusion", "MultiModalEfficientNet", "build_lite_backbone"]


class LanguageFusion(nn.Module):
    """PWAM + gate on a conv map -> (normalised PWAM output, gated input of the next stage)."""

    def __init__(self, dim: int, text_dim: int, heads: int) -> None:
        super().__init__()
        self.fusion = PWAM(dim, text_dim, num_heads=heads)
        self.res_gate = LanguageGate(dim)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x: Tensor, l_feats: Tensor, l_mask: Tensor) -> tuple:
        b, c, h, w = x.shape
        tokens = x.flatten(2).transpose(1, 2)  # B, HW, C
        x_res = self.fusion(tokens, l_feats, l_mask)
        gated = tokens + self.res_gate(x_res) * x_res
        out = self.norm(x_res).transpose(1, 2).reshape(b, c, h, w)
        return out, gated.transpose(1, 2).reshape(b, c, h, w)


class MultiModalEfficientNet(nn.Module):
    """EfficientNet blocks, language fusion after each output stage -> 4 maps, fine to coarse."""

    def __init__(self, cfg: EfficientNetConfig, text_dim: int) -> None:
        super().__init__()
        # timm's model without head; weights come from pretrained.py, never from a hub
        self.encoder = timm.create_model(cfg.timm_name, pretrained=False, num_classes=0,
                                         drop_path_rate=cfg.drop_path_rate)
        for name in ("conv_head", "bn2", "global_pool", "classifier"):
            if hasattr(self.encoder, name):
                setattr(self.encoder, name, nn.Identity())  # the 1280-wide head is not used
        self.out_blocks = tuple(cfg.out_blocks)
        dims = [self.encoder.blocks[i][-1].conv_pwl.out_channels
                if hasattr(self.encoder.blocks[i][-1], "conv_pwl")
                else self.encoder.blocks[i][-1].conv_pw.out_channels for i in self.out_blocks]
        if tuple(dims) != tuple(cfg.stage_dims):
            raise ValueError(f"stage_dims {cfg.stage_dims} do not match {cfg.timm_name}: {dims}")
        self.fusions = nn.ModuleList(LanguageFusion(d, text_dim, h)
                                     for d, h in zip(dims, cfg.fusion_heads))

    def forward(self, image: Tensor, l_feats: Tensor, l_mask: Tensor) -> List[Tensor]:
        """image (B, 3, H, W), l_feats (B, Ct, T), l_mask (B, T, 1) -> 4 maps (strides 4..32)."""
        enc = self.encoder
        x = enc.bn1(enc.conv_stem(image))
        outs: List[Tensor] = []
        k = 0
        for i, stage in enumerate(enc.blocks):
            x = stage(x)
            if k < len(self.out_blocks) and i == self.out_blocks[k]:
                y, x = self.fusions[k](x, l_feats, l_mask)
                outs.append(y)
                k += 1
            if k == len(self.out_blocks):
                break
        return outs


def build_lite_backbone(cfg: ModelConfig) -> MultiModalEfficientNet:
    if not isinstance(cfg.backbone, EfficientNetConfig):
        raise TypeError("build_lite_backbone needs an EfficientNetConfig")
    return MultiModalEfficientNet(cfg.backbone, cfg.text.hidden_size)
