"""Deprecated: the torch predictor moved to :mod:`rrsis.models.predictor` (one predictor).

``from rrsis.engine.predictor import Predictor`` keeps working for one release, with a
:class:`DeprecationWarning`; the signature ``Predictor(model, device, expressions,
precision)`` is unchanged.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["Predictor", "sigmoid"]  # noqa: F822 (lazy, deprecated)

_MOVED = {"Predictor": "rrsis.models.predictor", "sigmoid": "rrsis.engine.tiling"}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        import importlib

        warnings.warn(f"rrsis.engine.predictor.{name} moved to {_MOVED[name]}.{name}",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
