"""The one torch predictor: encode each expression once, segment many tiles in batches.

Used by the raster engine (through :func:`rrsis.engine.runtime.make_predictor`), hence
by the CLI, the server, the demo and the benchmarks, and by training evaluation
(:func:`rrsis.training.evaluate.predict_rows`, through :meth:`Predictor.paired_logit_difference`).
Numpy in, numpy out as SAM's ``SamPredictor``, with ``*_torch`` twins.

The model returns two logits per pixel (background, foreground); tiles are blended on
their difference ``l_fg - l_bg``, and the foreground probability is
``sigmoid(difference)``, which is exactly ``softmax(logits)[1]``; ``difference > 0`` is
``argmax(logits) == 1``. Expressions are encoded under the same autocast context as the
image (see :func:`rrsis.device.autocast`), as a forward pass from token ids is.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Union

import numpy as np
import torch

from ..device import autocast, resolve_device, set_threads
from ..errors import InputError
from .lavt import ReferringSegmenter
from .text import TextFeatures

__all__ = ["Predictor"]


class Predictor:
    """A loaded model and the word features of every expression of a run.

    ``Predictor(model, "cpu", ["cars", "roads"]).logit_difference(tiles)`` -> (E, B, S, S);
    ``set_expression("cars")`` then ``predict(rgb)`` -> foreground probability (H, W).
    """

    def __init__(self, model: ReferringSegmenter, device: Union[str, torch.device] = "auto",
                 expressions: Sequence[str] = (), precision: str = "auto",
                 threads: Optional[int] = None, tile_px: Optional[int] = None) -> None:
        set_threads(threads)
        self.tile_px = tile_px
        self.device = resolve_device(device) if not isinstance(device, torch.device) else device
        self.model = model.to(self.device).eval()
        self.precision = precision
        self.expressions: List[str] = []
        self.texts: List[TextFeatures] = []
        if expressions:
            self.set_expressions(expressions)

    @property
    def input_size(self) -> int:
        """The tile side in pixels (S): ``tile_px``, else the model's input size."""
        return int(self.tile_px or self.model.config.input_size)

    @torch.inference_mode()
    def set_expressions(self, expressions: Sequence[str]) -> None:
        """Encode each expression once (tokenizer + text encoder), reused on every tile."""
        self.expressions = list(expressions)
        with autocast(self.device, self.precision):
            self.texts = [self.model.encode_expressions([e]) for e in self.expressions]

    def set_expression(self, expression: str) -> None:
        """One expression: what :meth:`predict` segments."""
        self.set_expressions([expression])

    @torch.inference_mode()
    def logit_difference_torch(self, images: torch.Tensor) -> torch.Tensor:
        """images (B, 3, S, S) normalised, on the device -> (E, B, S, S) float32 ``l_fg - l_bg``."""
        if not self.texts:
            raise InputError("an expression must be set with .set_expression(...) before predict")
        out = []
        with autocast(self.device, self.precision):
            for text in self.texts:
                logits = self.model.segment(images, text).float()
                out.append(logits[:, 1] - logits[:, 0])
        return torch.stack(out)

    def logit_difference(self, rgb: np.ndarray) -> np.ndarray:
        """rgb (B, 3, S, S) float32 in [0, 1] -> (E, B, S, S) float32 ``l_fg - l_bg``."""
        with torch.inference_mode():
            image = self.model.normalize(torch.from_numpy(rgb).to(self.device))
        return self.logit_difference_torch(image).cpu().numpy()

    @torch.inference_mode()
    def paired_logit_difference(self, images: torch.Tensor, input_ids: torch.Tensor,
                                attention_mask: torch.Tensor, flip_average: bool = False
                                ) -> torch.Tensor:
        """Each image with its own expression (a training batch): images (B, 3, H, W)
        normalised, token ids and mask (B, T) -> (B, H, W) float32 ``l_fg - l_bg``; with
        ``flip_average`` the mean over the images and their three flips, as the engine's
        ``flip_average`` (:func:`rrsis.engine.runtime.logit_difference`)."""
        images, ids, mask = (t.to(self.device) for t in (images, input_ids, attention_mask))
        total = None
        for axes in (((), (3,), (2,), (2, 3)) if flip_average else ((),)):
            with autocast(self.device, self.precision):
                logits = self.model(images.flip(axes) if axes else images, ids, mask).float()
            diff = logits[:, 1] - logits[:, 0]              # (B, H, W): image axis k is k - 1
            diff = diff.flip([a - 1 for a in axes]) if axes else diff
            total = diff if total is None else total + diff
        return total / (4 if flip_average else 1)

    def predict_torch(self, images: torch.Tensor) -> torch.Tensor:
        """images (B, 3, H, W) normalised, on the device -> probabilities (B, H, W) float32
        of the first expression."""
        return torch.sigmoid(self.logit_difference_torch(images)[0])

    def predict(self, rgb: np.ndarray) -> np.ndarray:
        """rgb (H, W, 3) uint8 (0–255) or float (0–1) -> probability (H, W) float32."""
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise InputError(f"expected an (H, W, 3) RGB array, got shape {rgb.shape}")
        scale = 255.0 if rgb.dtype == np.uint8 else 1.0
        x = torch.from_numpy(np.ascontiguousarray(rgb, dtype=np.float32) / scale)
        x = x.permute(2, 0, 1)[None].to(self.device)
        with torch.inference_mode():
            image = self.model.normalize(x)
        return self.predict_torch(image)[0].cpu().numpy()
