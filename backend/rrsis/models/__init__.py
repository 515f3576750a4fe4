"""Model parts, the registry of configurations and checkpoint I/O.

Public API (what an equivalence check against the public code needs)::

    from rrsis.models import create_model, load_public_checkpoint
    model = create_model("lgce-swin-b")                       # ReferringSegmenter, eval mode
    model.segmentation.load_state_dict(ckpt["model"])         # strict, public key layout
    model.text_encoder.load_state_dict(ckpt["bert_model"])
    logits = model.segmentation(image, l_feats, l_mask)       # (B,2,H,W), as LAVT's forward
    logits = model(image, input_ids, attention_mask)          # the same from token ids
"""

from __future__ import annotations

from typing import Any

# name -> submodule; imported on first use so that ``rrsis.models.card`` and
# ``rrsis.models.registry`` (no torch) stay usable in the runtime flavour
_LAZY = {
    "create_model": "build", "load_checkpoint": "checkpoint",
    "load_public_checkpoint": "checkpoint", "save_checkpoint": "checkpoint", "read_card": "card",
    "LAVT": "lavt", "ReferringSegmenter": "lavt", "MODELS": "registry", "ModelConfig": "registry",
    "get_config": "registry", "list_models": "registry", "register_model": "registry",
    "TextFeatures": "text", "Tokenizer": "text", "Predictor": "predictor",
}
__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
