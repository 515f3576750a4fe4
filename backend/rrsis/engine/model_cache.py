"""Warm models per process: the server and ``rrsis batch`` workers load them once.

A model is reloaded only when its file (path, modification time), device, runtime or the
ONNX thread count changes; in-memory models (tests, notebooks) are added by name.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from ..errors import InputError
from ..models.catalog import DEFAULT_MODEL, find_model
from .runtime import choose_runtime, load_model

__all__ = ["ModelCache", "model_name", "MAX_WARM"]

MAX_WARM = 2   # a fine-tuned model and its base (engine.run: categories it was not taught)

ReferringSegmenter = Any  # a torch ReferringSegmenter or an OnnxModel: .card, .config


class ModelCache:
    """Keeps the warm models of the last run (a fine-tuned model and the base it asks for
    the categories it was not taught: :data:`MAX_WARM`); get() reloads only when name/path
    or device changes."""

    def __init__(self) -> None:
        self._warm: "OrderedDict[Tuple[Any, ...], ReferringSegmenter]" = OrderedDict()
        self._named: Dict[str, ReferringSegmenter] = {}

    def add(self, name: str, model: ReferringSegmenter) -> None:
        """Serve an already-built model under ``name`` (tests, notebooks); it needs a ``card``."""
        if not hasattr(model, "card"):
            raise InputError("a model added to the cache needs a card (dict)")
        self._named[name] = model

    def get(self, model: Optional[str], device: str, runtime: str = "torch",
            threads: Optional[int] = None, path: Optional[Path] = None) -> ReferringSegmenter:
        """The warm model; ``path``: ``model`` already resolved (see :meth:`plan`)."""
        if model in self._named:
            return self._named[model].to(device).eval()  # type: ignore[index]
        path = path or find_model(model)
        key = (str(path.resolve()), str(device), path.stat().st_mtime, runtime,
               threads if runtime == "onnx" else None)
        if key in self._warm:
            self._warm.move_to_end(key)
            return self._warm[key]
        while len(self._warm) >= MAX_WARM:
            self._warm.popitem(last=False)  # free the oldest before loading
        self._warm[key] = load_model(runtime, path, device, threads)
        return self._warm[key]

    def plan(self, model: Optional[str], runtime: str,
             device: str) -> Tuple[str, str, Optional[Path]]:
        """(runtime, device, model file) of a run: in-memory models (no file) are torch,
        files follow their card."""
        path = None if model in self._named else find_model(model)
        return (*choose_runtime(runtime, device, path), path)


def model_name(model: ReferringSegmenter, requested: Optional[str]) -> str:
    """The name a run reports: the card's, else the requested file's stem, else the default."""
    card = getattr(model, "card", {}) or {}
    return str(card.get("name") or (Path(requested).stem if requested else DEFAULT_MODEL))
