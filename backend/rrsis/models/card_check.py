"""Check a model card against sane bounds and against its weights' shapes, before building.

Why: the card is data from a file anyone can write. A 1 KB ``.safetensors`` whose card says
``vocab_size: 3e9`` would make ``create_model`` try to allocate terabytes. So the config
is held to bounds first, then the model is built on torch's ``meta`` device (shapes only,
no memory) and its state-dict shapes are compared with the shapes in the file's header;
only a card that fits its weights is ever built for real.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

from ..errors import CheckpointError
from .registry import ModelConfig

__all__ = ["INT_BOUNDS", "check_config_bounds", "check_weights_fit"]

#: largest value of an integer config field (field name -> bound); others: DEFAULT_INT_BOUND
INT_BOUNDS: Dict[str, int] = {
    "vocab_size": 1_000_000, "hidden_size": 8192, "num_layers": 96, "num_heads": 256,
    "intermediate_size": 65_536, "max_position_embeddings": 16_384, "max_tokens": 512,
    "embed_dim": 4096, "depths": 96, "window_size": 128, "patch_size": 64, "fusion_heads": 256,
    "decoder_width": 8192, "input_size": 4096, "out_blocks": 64, "stage_dims": 16_384,
}
DEFAULT_INT_BOUND = 100_000
FLOAT_BOUND = 1e6
MIN_INPUT_SIZE = 16


def _values(obj: Any, prefix: str = "") -> Iterator[Tuple[str, str, Any]]:
    """(dotted path, field name, value) of every leaf of a config dataclass."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        path = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            yield from _values(value, path + ".")
        elif isinstance(value, (tuple, list)):
            for i, v in enumerate(value):
                yield f"{path}[{i}]", f.name, v
        else:
            yield path, f.name, value


def check_config_bounds(cfg: ModelConfig, what: str) -> None:
    """Refuse a config with a size no real model has (before anything is built)."""
    for path, name, value in _values(cfg):
        if isinstance(value, bool) or value is None or isinstance(value, str):
            continue
        if isinstance(value, int):
            bound = INT_BOUNDS.get(name, DEFAULT_INT_BOUND)
            if not 0 <= value <= bound:
                raise CheckpointError(f"{what}: model card sets {path} = {value}, outside the "
                                      f"sane range 0..{bound}; refusing to build it")
        elif isinstance(value, float):
            if not math.isfinite(value) or abs(value) > FLOAT_BOUND:
                raise CheckpointError(f"{what}: model card sets {path} = {value!r}, not a "
                                      "sane number; refusing to build it")
        else:
            raise CheckpointError(f"{what}: model card sets {path} to {value!r}, "
                                  "not a number")
    if cfg.input_size < MIN_INPUT_SIZE:
        raise CheckpointError(f"{what}: model card sets input_size = {cfg.input_size}, below "
                              f"{MIN_INPUT_SIZE}")
    if cfg.text.max_tokens > cfg.text.max_position_embeddings:
        raise CheckpointError(f"{what}: model card sets max_tokens {cfg.text.max_tokens} above "
                              f"max_position_embeddings {cfg.text.max_position_embeddings}")


class _Shape:
    """Stands in for a tensor in :func:`~rrsis.models.checkpoint.check_state_dict`."""

    def __init__(self, shape: Tuple[int, ...]) -> None:
        self.shape = shape


def check_weights_fit(cfg: ModelConfig, path: Path) -> None:
    """Build ``cfg`` on the meta device and compare its shapes with the file's header."""
    import torch  # the torch flavour only: the runtime flavour never builds a torch model

    from safetensors import SafetensorError, safe_open

    from .build import create_model
    from .checkpoint import check_state_dict

    try:
        with safe_open(str(path), framework="pt") as f:
            shapes = {k: _Shape(tuple(f.get_slice(k).get_shape())) for k in f.keys()}
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{path.name} is not a readable safetensors file: {exc}") from exc
    try:
        with torch.device("meta"):
            model = create_model(cfg)
    except CheckpointError:
        raise
    except Exception as exc:  # noqa: BLE001 - an inconsistent card (heads vs width, ...)
        raise CheckpointError(f"{path.name}: its model card describes no buildable model "
                              f"({type(exc).__name__}: {exc})") from exc
    check_state_dict(model, shapes, path.name)  # type: ignore[arg-type]
