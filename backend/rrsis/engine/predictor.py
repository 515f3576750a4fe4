"""Batched tile inference with each expression encoded once per run.

The model returns two logits per pixel (background, foreground); the engine blends
their difference ``l_fg - l_bg`` across overlapping tiles, and the foreground
probability is ``sigmoid(difference)``, which is exactly ``softmax(logits)[1]``.
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np
import torch

from ..device import autocast
from ..models.lavt import ReferringSegmenter
from ..models.text import TextFeatures
from .tiling import sigmoid

__all__ = ["Predictor", "sigmoid"]


class Predictor:
    """A loaded model + precomputed word features for every expression of the run."""

    def __init__(self, model: ReferringSegmenter, device: torch.device, expressions: Sequence[str],
                 precision: str = "auto") -> None:
        self.model = model
        self.device = device
        self.precision = precision
        self.expressions = list(expressions)
        with torch.inference_mode():
            self.texts: List[TextFeatures] = [model.encode_expressions([e])
                                              for e in self.expressions]

    @property
    def input_size(self) -> int:
        return int(self.model.config.input_size)

    def logit_difference(self, rgb: np.ndarray) -> np.ndarray:
        """rgb (B, 3, S, S) float32 in [0, 1] -> (E, B, S, S) float32 ``l_fg - l_bg``."""
        out = np.empty((len(self.texts),) + (rgb.shape[0],) + rgb.shape[2:], dtype=np.float32)
        with torch.inference_mode(), autocast(self.device, self.precision):
            image = self.model.normalize(torch.from_numpy(rgb).to(self.device))
            for i, text in enumerate(self.texts):
                logits = self.model.segment(image, text).float()
                out[i] = (logits[:, 1] - logits[:, 0]).cpu().numpy()
        return out
