"""Training library: datasets, the paper's recipe, the trainer and metrics (see ../../training/).

Import the parts you need (``from rrsis.training.trainer import train``); this package
imports nothing heavy by itself.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Recipe", "load_recipe", "train", "Trainer"]


def __getattr__(name: str) -> Any:  # lazy: importing rrsis.training stays cheap
    if name in ("Recipe", "load_recipe"):
        from . import recipe

        return getattr(recipe, name)
    if name in ("train", "Trainer"):
        from . import trainer

        return getattr(trainer, name)
    raise AttributeError(name)
