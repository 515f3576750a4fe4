"""Pretrained initialisation from user-given local files (never downloaded).

* Swin: the ImageNet-22K classification checkpoint (``swin_base_patch4_window12_384_22k.pth``)
  into ``model.segmentation.backbone``, non-strict as in the paper (PWAM, gates and
  ``norm0..3`` start fresh); relative-position bias tables are resized bicubically when
  the window differs; ``attn_mask``, ``relative_position_index`` and the head are skipped.
* BERT: a local ``bert-base-uncased`` folder (``config.json`` + weights) into
  ``model.text_encoder``, strict on the encoder keys (the pooler is dropped).
* An own-format checkpoint (``.safetensors`` or model name) as a whole.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Dict, List, Mapping, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..errors import CheckpointError
from ..models.checkpoint import check_state_dict

__all__ = ["load_swin_pretrained", "load_bert_pretrained", "load_init_checkpoint",
           "resize_relative_position_table"]

log = logging.getLogger(__name__)
_SKIP = ("attn_mask", "relative_position_index", "head.")


def resize_relative_position_table(table: Tensor, target_rows: int) -> Tensor:
    """(L1, heads) bias table of a (2w1-1)² grid -> (L2, heads) for (2w2-1)², bicubic."""
    rows, heads = table.shape
    if rows == target_rows:
        return table
    s1, s2 = int(math.isqrt(rows)), int(math.isqrt(target_rows))
    if s1 * s1 != rows or s2 * s2 != target_rows:
        raise CheckpointError(f"relative position table of {rows} rows is not a square grid")
    grid = table.t().reshape(1, heads, s1, s1).float()
    grid = F.interpolate(grid, size=(s2, s2), mode="bicubic", align_corners=False)
    return grid.reshape(heads, s2 * s2).t().to(table.dtype).contiguous()


def _torch_load(path: Path) -> Mapping[str, object]:
    if not path.is_file():
        raise CheckpointError(f"pretrained weights not found: {path}")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    try:
        return torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # unpickling refusal, corrupt file
        raise CheckpointError(f"{path.name} could not be read safely: {exc}") from exc


def load_swin_pretrained(backbone: nn.Module, path: Union[str, Path]) -> Dict[str, List[str]]:
    """Load Swin classification weights non-strictly; return {loaded, resized, missing, skipped}."""
    ckpt = _torch_load(Path(path))
    state = ckpt.get("model", ckpt) if isinstance(ckpt, Mapping) else ckpt
    if not isinstance(state, Mapping):
        raise CheckpointError(f"{Path(path).name} holds no state dict")
    own = backbone.state_dict()
    new: Dict[str, Tensor] = {}
    report: Dict[str, List[str]] = {"loaded": [], "resized": [], "missing": [], "skipped": []}
    for key, value in state.items():
        key = key[7:] if key.startswith("module.") else key
        if any(s in key for s in _SKIP) or key not in own or not isinstance(value, Tensor):
            report["skipped"].append(key)
            continue
        target = own[key]
        if "relative_position_bias_table" in key and value.shape != target.shape:
            value = resize_relative_position_table(value, target.shape[0])
            report["resized"].append(key)
        if value.shape != target.shape:
            report["skipped"].append(key)
            continue
        new[key] = value.to(target.dtype)
        report["loaded"].append(key)
    if not new:
        raise CheckpointError(
            f"{Path(path).name}: no key fits the backbone (not a Swin checkpoint?)")
    backbone.load_state_dict(new, strict=False)
    report["missing"] = [k for k in own if k not in new]
    log.info("Swin init: %d tensors loaded (%d resized), %d fresh, %d skipped",
             len(report["loaded"]), len(report["resized"]), len(report["missing"]),
             len(report["skipped"]))
    return report


def load_bert_pretrained(text_encoder: nn.Module, directory: Union[str, Path]) -> None:
    """Copy a local Hugging Face BERT folder's weights into the text encoder (strict)."""
    from transformers import BertModel

    directory = Path(directory)
    if not (directory / "config.json").is_file():
        raise CheckpointError(f"{directory} is not a BERT folder (no config.json)")
    try:
        bert = BertModel.from_pretrained(str(directory), local_files_only=True,
                                         add_pooling_layer=False, use_safetensors=None)
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"cannot load BERT from {directory}: {exc}") from exc
    state = {k: v for k, v in bert.state_dict().items() if not k.startswith("pooler.")}
    own = text_encoder.state_dict()
    state = {k: v for k, v in state.items() if k in own or not k.endswith("position_ids")}
    for k in own:
        if k.endswith("position_ids") and k not in state:
            state[k] = own[k]
    check_state_dict(text_encoder, state, f"BERT weights in {directory}")
    text_encoder.load_state_dict(state, strict=True)


def load_init_checkpoint(model: nn.Module, name_or_path: str) -> Tuple[str, dict]:
    """Own-format checkpoint (path or catalog name) -> weights copied into ``model`` (strict)."""
    from ..models.catalog import find_model
    from ..models.checkpoint import load_checkpoint

    path = find_model(name_or_path)
    src = load_checkpoint(path, "cpu")
    if src.config.name != model.config.name:  # type: ignore[attr-defined]
        log.warning("init checkpoint architecture %s differs from %s", src.config.name,
                    model.config.name)  # type: ignore[attr-defined]
    check_state_dict(model, src.state_dict(), path.name)
    model.load_state_dict(src.state_dict(), strict=True)
    return str(path), dict(getattr(src, "card", {}) or {})
