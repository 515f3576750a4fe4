"""Checkpoint I/O that never executes code.

Own format: one ``.safetensors`` file holding every weight of the model
(``segmentation.*`` and ``text_encoder.*``) and, in its header metadata under
``rrsis_card``, the JSON model card: architecture and full config, input
normalisation, native GSD, token count, training data, metrics, licence and the
sha256 of the weights. Written under a temporary name and renamed.

Public LAVT/LGCE format: a ``torch.save`` dict with ``model``, ``bert_model``,
``optimizer``, ``epoch``, ``args`` and ``lr_scheduler``. It is read with
``torch.load(weights_only=True)`` and one allow-listed global, ``argparse.Namespace``
(the ``args``); any other global in the pickle is refused.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import pickle
import re
from pathlib import Path
from typing import Any, Dict, Mapping, MutableMapping, Optional, Union

import torch
from torch import Tensor, nn

from ..errors import CheckpointError
from ..paths import replacing
from .build import create_model
from .card import CARD_KEY, check_checkpoint_path, read_card
from .card_check import check_weights_fit
from .lavt import ReferringSegmenter
from .registry import ModelConfig, get_config

__all__ = ["save_checkpoint", "load_checkpoint", "read_card", "load_public_checkpoint",
           "public_to_model", "weights_sha256", "check_state_dict", "CARD_KEY"]

FORMAT_VERSION = 1
PathLike = Union[str, "os.PathLike[str]"]


def weights_sha256(state: Mapping[str, Tensor]) -> str:
    """Hash of the weights themselves (names, dtypes, shapes and bytes, in sorted key order)."""
    h = hashlib.sha256()
    for key in sorted(state):
        t = state[key].detach().cpu().contiguous()
        h.update(f"{key}|{t.dtype}|{tuple(t.shape)}\n".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def check_state_dict(module: nn.Module, state: Mapping[str, Tensor], what: str) -> None:
    """Raise :class:`CheckpointError` naming missing/unexpected keys and shape mismatches."""
    own = module.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    wrong = [f"{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
             for k in own if k in state and tuple(state[k].shape) != tuple(own[k].shape)]
    if not (missing or unexpected or wrong):
        return
    parts = []
    for label, items in (("missing keys", missing), ("unexpected keys", unexpected),
                         ("shape mismatches", wrong)):
        if items:
            more = f" (+{len(items) - 8} more)" if len(items) > 8 else ""
            parts.append(f"{len(items)} {label}: {', '.join(items[:8])}{more}")
    raise CheckpointError(f"{what} does not fit the model: " + "; ".join(parts))


def save_checkpoint(model: ReferringSegmenter, path: PathLike, card: Optional[Dict[str, Any]] = None,
                    dtype: Optional[torch.dtype] = None) -> Dict[str, Any]:
    """Write ``model`` and its card to ``path`` (.safetensors); return the card written.

    ``dtype`` (e.g. ``torch.float16``) casts floating-point weights for storage; loading
    casts them back to float32.
    """
    from safetensors.torch import save_file

    path = Path(path)
    state: Dict[str, Tensor] = {}
    for k, v in model.state_dict().items():
        v = v.detach().cpu()
        if dtype is not None and v.is_floating_point():
            v = v.to(dtype)
        state[k] = v.contiguous().clone()
    cfg = model.config
    full: Dict[str, Any] = {
        "format": "rrsis-checkpoint", "format_version": FORMAT_VERSION,
        "architecture": cfg.name, "config": cfg.to_dict(),
        "input": {"size": cfg.input_size, "mean": list(cfg.mean), "std": list(cfg.std),
                  "value_range": [0.0, 1.0], "channels": "RGB"},
        "gsd_m": cfg.gsd_m, "gsd_range_m": list(cfg.gsd_range_m) if cfg.gsd_range_m else None,
        "token_count": cfg.text.max_tokens,
        "training_data": None, "metrics": None, "licence": None,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    full.update(card or {})
    full["weights_dtype"] = str(dtype or torch.float32).replace("torch.", "")
    full["weights_sha256"] = weights_sha256(state)
    with replacing(path) as tmp:
        save_file(state, str(tmp), metadata={CARD_KEY: json.dumps(full)})
    return full


def load_checkpoint(path: PathLike, device: Union[str, torch.device] = "cpu",
                    verify: bool = True) -> ReferringSegmenter:
    """Own-format checkpoint -> model in eval mode, float32, on ``device``; ``model.card`` set."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = Path(path)
    card = read_card(path)
    cfg = ModelConfig.from_dict(card["config"])
    check_weights_fit(cfg, path)  # shapes from the header vs a meta-device model: no memory
    try:
        state = load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"{path.name} could not be read (truncated or corrupt?): {exc}") from exc
    if verify and card.get("weights_sha256") and weights_sha256(state) != card["weights_sha256"]:
        raise CheckpointError(f"{path.name}: weights do not match the sha256 in its card (corrupt)")
    model = create_model(cfg)
    check_state_dict(model, state, path.name)
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    model.load_state_dict(state, strict=True)
    model.card = card  # type: ignore[assignment]
    return model.to(device).eval()


def _refused_globals(exc: BaseException) -> str:
    """What torch's weights-only unpickler refused, without its advice to load unsafely."""
    text = str(exc)
    found = re.findall(r"(?:unsupported GLOBAL|Unsupported global: GLOBAL)\s+([\w.]+)", text,
                       re.IGNORECASE)
    if found:
        return "it asks for " + ", ".join(dict.fromkeys(found))
    return "it asks for code beyond tensors and argparse.Namespace"


def _torch_load_public(path: Path) -> MutableMapping[str, Any]:
    check_checkpoint_path(path)
    try:
        with torch.serialization.safe_globals([argparse.Namespace]):
            ckpt = torch.load(str(path), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        # torch's message suggests weights_only=False; never relay that: it would run the code
        raise CheckpointError(
            f"{path.name} was refused: its pickle would run code ({_refused_globals(exc)}); "
            "only tensors and argparse.Namespace are loaded. Get the checkpoint from a source "
            "you trust as plain weights") from None
    except (RuntimeError, EOFError, OSError, ValueError, AttributeError) as exc:
        first = str(exc).split("weights_only", 1)[0].strip().splitlines()[:1] or [type(exc).__name__]
        raise CheckpointError(f"{path.name} could not be read (truncated or corrupt?): "
                              f"{first[0]}") from None
    if not isinstance(ckpt, dict) or "model" not in ckpt:
        raise CheckpointError(f"{path.name} is not a LAVT/LGCE checkpoint (no 'model' entry)")
    return ckpt


def _strip_module(state: Mapping[str, Tensor]) -> Dict[str, Tensor]:
    return {k[7:] if k.startswith("module.") else k: v for k, v in state.items()}


def public_to_model(ckpt: Mapping[str, Any], arch: Union[str, ModelConfig]) -> ReferringSegmenter:
    """A loaded public checkpoint dict -> model (strict on both parts)."""
    cfg = get_config(arch) if isinstance(arch, str) else arch
    model = create_model(cfg)
    seg = _strip_module(ckpt["model"])
    check_state_dict(model.segmentation, seg, f"checkpoint['model'] for {cfg.name}")
    model.segmentation.load_state_dict(seg, strict=True)
    if "bert_model" in ckpt:
        bert = _strip_module(ckpt["bert_model"])
        check_state_dict(model.text_encoder, bert, "checkpoint['bert_model']")
        model.text_encoder.load_state_dict(bert, strict=True)
    else:
        raise CheckpointError("checkpoint has no 'bert_model' entry: the text encoder is missing")
    return model.eval()


def load_public_checkpoint(path: PathLike, arch: Union[str, ModelConfig] = "lgce-swin-b"
                           ) -> ReferringSegmenter:
    """LAVT/LGCE ``torch.save`` checkpoint -> model, without executing code."""
    return public_to_model(_torch_load_public(Path(path)), arch)
