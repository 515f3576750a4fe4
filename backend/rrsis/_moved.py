"""Old import paths kept for one release: a module ``__getattr__`` that warns and forwards."""

from __future__ import annotations

import importlib
import warnings
from typing import Any, Callable, Collection, Optional

__all__ = ["moved_to"]


def moved_to(old: str, new: str, names: Optional[Collection[str]] = None
             ) -> Callable[[str], Any]:
    """``__getattr__ = moved_to(__name__, "rrsis.cli.segment")`` in the module left behind;
    ``names``: only these moved (the module keeps the rest). ``new`` is imported by name
    when first asked, so the old module does not import the new one's package."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__") or (names is not None and name not in names):
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(new), name)  # AttributeError when absent
        warnings.warn(f"{old} moved to {new}: import {name} from there", DeprecationWarning,
                      stacklevel=2)
        return value

    return __getattr__
