"""A thin, stateful predictor: encode the expression once, segment many RGB arrays.

Numpy in, numpy out (as SAM's ``SamPredictor``); the raster engine batches tiles itself
but relies on the same two calls (``encode_expressions`` once, ``segment`` per batch).
"""

from __future__ import annotations

from typing import Optional, Union

import numpy as np
import torch

from ..device import autocast, resolve_device, set_threads
from ..errors import InputError
from .lavt import ReferringSegmenter
from .text import TextFeatures

__all__ = ["Predictor"]


class Predictor:
    """``set_expression("cars")`` then ``predict(rgb)`` -> foreground probability (H, W)."""

    def __init__(self, model: ReferringSegmenter, device: Union[str, torch.device] = "auto",
                 precision: str = "auto", threads: Optional[int] = None) -> None:
        set_threads(threads)
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()
        self.precision = precision
        self._text: Optional[TextFeatures] = None

    @torch.inference_mode()
    def set_expression(self, expression: str) -> None:
        with autocast(self.device, self.precision):
            self._text = self.model.encode_expressions([expression])

    @torch.inference_mode()
    def predict_torch(self, images: torch.Tensor) -> torch.Tensor:
        """images (B, 3, H, W) normalised, on the device -> probabilities (B, H, W) float32."""
        if self._text is None:
            raise InputError("an expression must be set with .set_expression(...) before predict")
        with autocast(self.device, self.precision):
            logits = self.model.segment(images, self._text)
        return logits.float().softmax(1)[:, 1]

    def predict(self, rgb: np.ndarray) -> np.ndarray:
        """rgb (H, W, 3) uint8 (0–255) or float (0–1) -> probability (H, W) float32."""
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise InputError(f"expected an (H, W, 3) RGB array, got shape {rgb.shape}")
        scale = 255.0 if rgb.dtype == np.uint8 else 1.0
        x = torch.from_numpy(np.ascontiguousarray(rgb, dtype=np.float32) / scale)
        x = x.permute(2, 0, 1)[None].to(self.device)
        return self.predict_torch(self.model.normalize(x))[0].cpu().numpy()
