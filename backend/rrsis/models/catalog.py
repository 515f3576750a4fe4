"""Where checkpoints live and how a name or a path becomes a loaded model.

Search order for model files (``*.safetensors`` with an rrsis card):

1. every folder in ``RRSIS_MODEL_DIR`` (``os.pathsep``-separated), e.g. the plugin's
   model directory setting;
2. the user's folder ``$XDG_DATA_HOME/rrsis/models`` (``~/.local/share/rrsis/models``),
   where fine-tuned models are exported;
3. ``resources/models`` of the source tree or plugin this package runs from
   (:func:`rrsis.package_data.bundled_resource`).

A model's name is ``card["name"]`` when set, else the file stem. Nothing is downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from ..errors import CheckpointError, ModelNotFoundError
from ..package_data import bundled_resource
from .card import check_checkpoint_path, read_card

__all__ = ["DEFAULT_MODEL", "model_dirs", "user_model_dir", "available_models", "find_model",
           "served_gsd_range", "load_model"]

DEFAULT_MODEL = "lgce-lite"


def user_model_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rrsis" / "models"


def _bundled_dir() -> Optional[Path]:
    found = bundled_resource("models")
    return found if found is not None and found.is_dir() else None


def model_dirs() -> List[Path]:
    dirs = [Path(p).expanduser() for p in os.environ.get("RRSIS_MODEL_DIR", "").split(os.pathsep)
            if p]
    dirs.append(user_model_dir())
    bundled = _bundled_dir()
    if bundled is not None:
        dirs.append(bundled)
    seen, out = set(), []
    for d in dirs:
        key = str(d.resolve()) if d.exists() else str(d)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def available_models() -> List[Dict[str, Any]]:
    """Every loadable checkpoint found, first occurrence of a name wins, with its card."""
    found: Dict[str, Dict[str, Any]] = {}
    for d in model_dirs():
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.safetensors")):
            if path.name.startswith("."):   # a part file being written, or left by a kill
                continue
            try:
                card = read_card(path)
            except CheckpointError:
                continue
            name = card.get("name") or path.stem
            if name not in found:
                card = {k: v for k, v in card.items() if k != "config"}
                found[name] = {"name": name, "path": str(path), "card": card}
    return list(found.values())


def find_model(name_or_path: Optional[str] = None) -> Path:
    """A model name or a checkpoint path -> the checkpoint file; None -> the default model."""
    name = name_or_path or DEFAULT_MODEL
    path = Path(name).expanduser()
    if path.suffix == ".safetensors" or path.exists() or os.path.islink(path):
        check_checkpoint_path(path)
        return path
    for entry in available_models():
        if entry["name"] == name:
            return Path(entry["path"])
    known = ", ".join(e["name"] for e in available_models()) or "none"
    raise ModelNotFoundError(
        f"no checkpoint named {name!r} in {', '.join(str(d) for d in model_dirs())} "
        f"(available: {known}); pass a .safetensors path or set RRSIS_MODEL_DIR")


def served_gsd_range(name_or_path: Optional[str] = None) -> Tuple[float, float]:
    """The GSDs a model serves (its card's ``gsd_range_m``, else its configuration's), read
    from the header only; for the default model not installed, its registered range."""
    from .registry import get_config

    try:
        card = read_card(find_model(name_or_path))
    except ModelNotFoundError:
        if name_or_path not in (None, DEFAULT_MODEL):
            raise
        cfg = get_config(DEFAULT_MODEL)
        return cfg.gsd_range_m or (cfg.gsd_m, cfg.gsd_m)
    config = card.get("config") or {}
    pair = card.get("gsd_range_m") or config.get("gsd_range_m")
    if pair:
        return float(pair[0]), float(pair[1])
    native = float(card.get("gsd_m") or config["gsd_m"])
    return native, native


def load_model(name_or_path: Optional[str] = None,
               device: Union[str, "torch.device"] = "cpu") -> "ReferringSegmenter":  # noqa: F821
    """Load a checkpoint by name or path (default: :data:`DEFAULT_MODEL`); needs torch."""
    from .checkpoint import load_checkpoint

    return load_checkpoint(find_model(name_or_path), device=device)
