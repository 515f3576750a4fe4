"""The one constructor: a registered name (or a config) -> a :class:`ReferringSegmenter`."""

from __future__ import annotations

from typing import Any, Union

from torch import nn

from .decoder import SegmentationDecoder
from .lavt import LAVT, ReferringSegmenter
from .registry import ModelConfig, SwinConfig, get_config
from .swin import MultiModalSwin
from .text import build_text_encoder

__all__ = ["create_model", "build_backbone"]


def build_backbone(cfg: ModelConfig) -> nn.Module:
    bb = cfg.backbone
    text_dim = cfg.text.hidden_size
    if isinstance(bb, SwinConfig):
        return MultiModalSwin(bb.embed_dim, bb.depths, bb.num_heads, bb.window_size, bb.mlp_ratio,
                              bb.patch_size, bb.drop_path_rate, text_dim, bb.fusion_heads)
    from .lite import build_lite_backbone  # timm EfficientNet; imported only when used

    return build_lite_backbone(cfg)


def create_model(name_or_config: Union[str, ModelConfig], **overrides: Any) -> ReferringSegmenter:
    """Build a model with random weights (in eval mode).

    >>> m = create_model("test-lgce-tiny")
    >>> m = create_model("lgce-swin-b")                     # the paper's configuration
    >>> m.segmentation.load_state_dict(ckpt["model"])      # public checkpoint, strict
    """
    cfg = get_config(name_or_config) if isinstance(name_or_config, str) else name_or_config
    if overrides:
        cfg = cfg.replace(**overrides)
    decoder = SegmentationDecoder(cfg.stage_dims, cfg.decoder_width, cfg.text.hidden_size, cfg.lgce)
    model = ReferringSegmenter(cfg, LAVT(build_backbone(cfg), decoder),
                               build_text_encoder(cfg.text))
    return model.eval()
