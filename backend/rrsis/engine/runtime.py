"""Which inference runtime a run uses, in one place: ``auto`` | ``onnx`` | ``torch``.

``auto``: ONNX Runtime on the CPU when the model's card lists ONNX graphs and
``onnxruntime`` is importable (2.4x faster than torch per tile on a 2-core AVX2 CPU, and
the only runtime of the torch-free install); torch for CUDA (``device`` cuda, or ``auto``
with a visible GPU), for models without a graph and for in-memory models. ``onnx`` and
``torch`` force one and fail with a clear error when it cannot run.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional, Sequence, Tuple

from ..device import torch_available
from ..errors import CheckpointError, DeviceError, FullBackendRequired, InputError
from ..protocol import SEGMENT_PARAMS

__all__ = ["RUNTIMES", "FULL_HINT", "require_torch", "choose_runtime", "load_model",
           "make_predictor", "describe_runtime", "logit_difference"]

log = logging.getLogger(__name__)

RUNTIMES = SEGMENT_PARAMS["runtime"].choices  # the protocol table is the definition
FULL_HINT = "pip install 'rrsis[full]'"


def require_torch(what: str) -> None:
    """Raise :class:`FullBackendRequired` naming ``what`` when torch is not installed."""
    if not torch_available():
        raise FullBackendRequired(f"{what} needs the full backend (torch): {FULL_HINT}")


def _graph_state(path: Path) -> Tuple[Optional[str], bool]:
    """(why the model's ONNX graphs cannot be used, None when they can; whether graphs are
    listed but stale: exported for the file as it was before a rename or a card rewrite)."""
    from ..models.card import data_start, read_card

    entry = read_card(path).get("onnx") or {}
    if not {"image", "text"} <= set(entry.get("graphs") or {}):
        return f"{path.name} has no ONNX graph", False
    if entry.get("external_weights") != path.name or entry.get("data_start") != data_start(path):
        return (f"the ONNX graphs of {path.name} were exported for "
                f"{entry.get('external_weights')} as it was then (renamed or card rewritten)",
                True)
    return None, False


def _cuda_visible() -> bool:
    if not torch_available():
        return False
    import torch

    return bool(torch.cuda.is_available())


def choose_runtime(runtime: Optional[str], device: Optional[str],
                   model_path: Optional[Path]) -> Tuple[str, str]:
    """(runtime, device) a run will use; ``model_path`` None means an in-memory torch model."""
    from ..engine.onnx_predictor import onnxruntime_available

    runtime = (runtime or "auto").strip().lower()
    if runtime not in RUNTIMES:
        raise InputError(f"unknown runtime {runtime!r}: use {', '.join(RUNTIMES)}")
    dev = (device or "auto").strip().lower()
    if dev not in ("auto", "cpu") and not dev.startswith("cuda"):
        raise DeviceError(f"unknown device {dev!r}: use auto, cpu, cuda or cuda:N")
    wants_cuda = dev.startswith("cuda") or (dev == "auto" and runtime != "onnx"
                                            and _cuda_visible())
    if runtime == "torch" or wants_cuda or model_path is None:
        if runtime == "onnx" and model_path is None:
            raise InputError("runtime onnx needs a model file whose card lists ONNX graphs")
        if runtime == "onnx":
            raise InputError("runtime onnx runs on the CPU only: use device cpu (or auto), "
                             "or runtime torch for CUDA")
        require_torch("CUDA" if dev.startswith("cuda") else "runtime torch"
                      if runtime == "torch" else "this model")
        from ..device import resolve_device

        return "torch", str(resolve_device(dev))
    why_not, stale = _graph_state(model_path)
    if runtime == "onnx" or (why_not is None and onnxruntime_available()):
        if not onnxruntime_available():
            raise FullBackendRequired("runtime onnx needs onnxruntime: "
                                      "pip install 'rrsis[runtime]'")
        if why_not is not None:
            raise CheckpointError(f"{why_not}: export them with 'rrsis export-onnx "
                                  f"{model_path}', or use runtime torch")
        return "onnx", "cpu"
    if why_not is not None and not stale:
        require_torch(f"{why_not}, so it")
    elif stale and not torch_available():
        raise CheckpointError(f"{why_not}, and this backend has no torch to run it: export "
                              f"the graphs with the full backend ('rrsis export-onnx "
                              f"{model_path}', {FULL_HINT})")
    if stale:
        log.warning("%s: running torch; re-export with 'rrsis export-onnx %s'", why_not,
                    model_path)
    return "torch", "cpu"


def load_model(runtime: str, path: Path, device: str, threads: Optional[int]) -> Any:
    """The loaded model of ``runtime``: an :class:`OnnxModel` or a torch ``ReferringSegmenter``."""
    if runtime == "onnx":
        from .onnx_predictor import OnnxModel

        return OnnxModel(path, threads=threads)
    from ..models.checkpoint import load_checkpoint

    return load_checkpoint(path, device=device)


def make_predictor(runtime: str, model: Any, device: str, expressions: Sequence[str],
                   precision: str, threads: Optional[int], tile_px: Optional[int] = None) -> Any:
    """A predictor with ``expressions``, ``input_size`` (``tile_px``, else the model's) and
    ``logit_difference(rgb)``."""
    if runtime == "onnx":
        from .onnx_predictor import OnnxPredictor

        if precision not in ("auto", "fp32"):
            log.info("runtime onnx computes in float32 (precision %s applies to runtime torch)",
                     precision)
        return OnnxPredictor(model, expressions, tile_px)
    from ..models.predictor import Predictor

    return Predictor(model, device, expressions, precision, threads, tile_px)


#: the tile as it is, mirrored left-right, top-bottom, and both (axes of (B, 3, S, S))
FLIPS: Tuple[Tuple[int, ...], ...] = ((), (3,), (2,), (2, 3))


def logit_difference(predictor: Any, rgb: Any, flip_average: bool = False) -> Any:
    """``predictor.logit_difference(rgb)``: (E, B, S, S) for rgb (B, 3, S, S); with
    ``flip_average`` the mean over the tiles and their three flips, each flipped back
    (test-time augmentation, for any runtime: the flips are numpy's)."""
    if not flip_average:
        return predictor.logit_difference(rgb)
    import numpy as np

    total = None
    for axes in FLIPS:   # the logits (E, B, S, S) share the image axes 2 and 3
        diff = predictor.logit_difference(np.ascontiguousarray(np.flip(rgb, axes)))
        diff = np.flip(diff, axes) if axes else diff
        total = diff.astype(np.float32) if total is None else total + diff
    return total / len(FLIPS)


def describe_runtime(model: Optional[str] = None) -> Tuple[str, str]:
    """(runtime, device) that ``auto`` picks for ``model`` (default model) — for ``hello``."""
    from ..models.catalog import find_model

    try:
        path: Optional[Path] = find_model(model)
    except Exception:  # no model installed: say what a graph-less run would use
        path = None
    try:
        return choose_runtime("auto", "auto", path)
    except Exception:
        from .onnx_predictor import onnxruntime_available

        return ("onnx" if onnxruntime_available() else "none"), "cpu"
