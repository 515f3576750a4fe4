"""Old import paths kept for one release: a module ``__getattr__`` that warns and forwards."""

from __future__ import annotations

import importlib
import warnings
from typing import Any, Callable

__all__ = ["moved_to"]


def moved_to(old: str, new: str) -> Callable[[str], Any]:
    """``__getattr__ = moved_to(__name__, "rrsis.cli.segment")`` in the module left behind."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(new), name)  # AttributeError when absent
        warnings.warn(f"{old} moved to {new}: import {name} from there", DeprecationWarning,
                      stacklevel=2)
        return value

    return __getattr__
