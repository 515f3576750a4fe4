"""Average the weights of two checkpoints of one architecture (a two-model "soup").

Two fine-tunings of one starting point can trade categories against each other: version 2 of
``lgce-lite`` (192 px crops) found buildings and the demo's road, its continuation on 320 px
crops found trees, roads and vehicles. Their plain average kept most of both on whole held-out
scenes (docs/lgce-lite.md), so the export can ship it: ``export_lite --average-with``.
"""

from __future__ import annotations

from typing import Any, Dict

import torch
from torch import nn

from ..errors import InputError
from ..models.checkpoint import check_state_dict, weights_sha256

__all__ = ["average_into"]


def average_into(model: nn.Module, other: nn.Module, share: float = 0.5) -> Dict[str, Any]:
    """``model <- (1 - share) * model + share * other``, in place, on floating-point tensors
    (integer buffers keep ``model``'s). Returns the record a card keeps: the share and the
    sha256 of both inputs' weights as loaded (float32, so not the fp16 hash in a file's card:
    ``weights_sha256(load_checkpoint(path).state_dict())`` gives it again)."""
    if not 0.0 < share < 1.0:
        raise InputError(f"the share of the averaged model must lie strictly between 0 and 1, "
                         f"not {share}")
    mine, theirs = model.state_dict(), other.state_dict()
    check_state_dict(model, theirs, "the model to average with")   # same keys and shapes
    record = {"share": share, "weights_sha256": weights_sha256(mine),
              "with_weights_sha256": weights_sha256(theirs)}
    with torch.no_grad():
        for key, tensor in mine.items():
            if tensor.is_floating_point():
                tensor.mul_(1.0 - share).add_(theirs[key].to(tensor), alpha=share)
    return record
