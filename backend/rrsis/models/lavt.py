"""Composition only: a language-aware backbone + decoder, and the text encoder beside them.

:class:`LAVT` is the segmentation network of the public code (``checkpoint['model']``:
keys ``backbone.*`` and ``classifier.*``), with its signature
``(image, l_feats, l_mask) -> logits``. :class:`ReferringSegmenter` adds the text
encoder (``checkpoint['bert_model']``) and the tokenizer's token count, so the whole
model runs from token ids: ``(image, input_ids, attention_mask) -> logits``.
"""

from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..device import decoder_autocast
from .registry import ModelConfig
from .text import TextFeatures, Tokenizer, encode_text

__all__ = ["LAVT", "ReferringSegmenter"]


class LAVT(nn.Module):
    """Backbone (fusing words at every stage) + decoder; logits at the input resolution."""

    def __init__(self, backbone: nn.Module, classifier: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone
        self.classifier = classifier

    def forward(self, image: Tensor, l_feats: Tensor, l_mask: Tensor) -> Tensor:
        """image (B, 3, H, W) normalised; l_feats (B, Ct, T); l_mask (B, T, 1) -> (B, 2, H, W)."""
        feats = self.backbone(image, l_feats, l_mask)
        with decoder_autocast(image.device):  # bfloat16 decoder in a ``fast`` CPU run
            logits = self.classifier(feats, l_feats).float()
        return F.interpolate(logits, size=image.shape[-2:], mode="bilinear", align_corners=True)


class ReferringSegmenter(nn.Module):
    """The whole model: text encoder + segmentation network, built from one :class:`ModelConfig`.

    ``segmentation.state_dict()`` equals the public ``checkpoint['model']`` layout and
    ``text_encoder.state_dict()`` the public ``checkpoint['bert_model']`` layout.
    Pixel normalisation travels with the model as non-persistent buffers.
    """

    def __init__(self, config: ModelConfig, segmentation: LAVT, text_encoder: nn.Module) -> None:
        super().__init__()
        self.config = config
        self.segmentation = segmentation
        self.text_encoder = text_encoder
        self.register_buffer("pixel_mean", torch.tensor(config.mean).view(1, 3, 1, 1), False)
        self.register_buffer("pixel_std", torch.tensor(config.std).view(1, 3, 1, 1), False)
        self._tokenizer: Optional[Tokenizer] = None

    @property
    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:
            self._tokenizer = Tokenizer(self.config.text.max_tokens)
        return self._tokenizer

    def normalize(self, rgb: Tensor) -> Tensor:
        """(B, 3, H, W) RGB in [0, 1] -> the normalised input of :meth:`forward`."""
        return (rgb - self.pixel_mean) / self.pixel_std

    def encode_text(self, input_ids: Tensor, attention_mask: Tensor) -> TextFeatures:
        return encode_text(self.text_encoder, input_ids, attention_mask)

    def encode_expressions(self, texts: Sequence[str] | str) -> TextFeatures:
        """Tokenize and encode expressions on the model's device (once per run, not per tile)."""
        device = self.pixel_mean.device
        ids, mask = self.tokenizer(texts)
        return self.encode_text(ids.to(device), mask.to(device))

    def segment(self, image: Tensor, text: TextFeatures) -> Tensor:
        """image (B, 3, H, W) normalised + precomputed word features -> (B, 2, H, W) logits.

        ``text`` of batch 1 is broadcast over the image batch.
        """
        b = image.shape[0]
        if text.l_feats.shape[0] == 1 and b > 1:
            text = text.select(0, b)
        return self.segmentation(image, text.l_feats.to(image.dtype), text.l_mask.to(image.dtype))

    def forward(self, image: Tensor, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        """image (B, 3, H, W) normalised; input_ids, attention_mask (B, T) -> (B, 2, H, W)."""
        return self.segment(image, self.encode_text(input_ids, attention_mask))
