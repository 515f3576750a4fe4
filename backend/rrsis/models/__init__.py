"""Model parts, the registry of configurations and checkpoint I/O.

Public API (what an equivalence check against the public code needs)::

    from rrsis.models import create_model, load_public_checkpoint
    model = create_model("lgce-swin-b")                       # ReferringSegmenter, eval mode
    model.segmentation.load_state_dict(ckpt["model"])         # strict, public key layout
    model.text_encoder.load_state_dict(ckpt["bert_model"])
    logits = model.segmentation(image, l_feats, l_mask)       # (B,2,H,W), as LAVT's forward
    logits = model(image, input_ids, attention_mask)          # the same from token ids
"""

from .build import create_model
from .checkpoint import (load_checkpoint, load_public_checkpoint, read_card, save_checkpoint)
from .lavt import LAVT, ReferringSegmenter
from .registry import MODELS, ModelConfig, get_config, list_models, register_model
from .text import TextFeatures, Tokenizer

__all__ = [
    "create_model", "load_checkpoint", "load_public_checkpoint", "read_card", "save_checkpoint",
    "LAVT", "ReferringSegmenter", "MODELS", "ModelConfig", "get_config", "list_models",
    "register_model", "TextFeatures", "Tokenizer",
]
