"""The paper's optimiser and schedule: four AdamW parameter groups and a per-iteration poly LR.

Groups (LAVT/RRSIS training script): backbone parameters whose name contains ``norm``,
``absolute_pos_embed`` or ``relative_position_bias_table`` (weight decay 0), the other
backbone parameters, the classifier (decoder + LGCE), and BERT ``encoder.layer[0..9]``.
BERT's embeddings and layers 10-11 never train and BERT always runs in eval mode.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import torch
from torch import nn

from ..errors import InputError
from .recipe import Recipe

__all__ = ["configure_trainable", "freeze_visual_stages", "param_groups", "build_optimizer",
           "poly_lambda", "build_scheduler", "set_train_mode", "text_layers", "NORM_EVAL"]


def text_layers(text_encoder: nn.Module) -> nn.ModuleList:
    try:
        return text_encoder.encoder.layer  # type: ignore[attr-defined, return-value]
    except AttributeError as exc:
        raise InputError("the text encoder has no encoder.layer list (not a BERT)") from exc


def configure_trainable(model: nn.Module, recipe: Recipe) -> None:
    """requires_grad as the recipe says: text layers [0, n) only; optionally a frozen backbone."""
    seg, text = model.segmentation, model.text_encoder  # type: ignore[attr-defined]
    for p in seg.parameters():
        p.requires_grad_(True)
    if recipe.freeze_backbone:
        for p in seg.backbone.parameters():
            p.requires_grad_(False)
    freeze_visual_stages(seg.backbone, recipe.frozen_stages)
    for p in text.parameters():
        p.requires_grad_(False)
    layers = text_layers(text)
    for layer in list(layers)[: max(0, recipe.text_trainable_layers)]:
        for p in layer.parameters():
            p.requires_grad_(True)


def freeze_visual_stages(backbone: nn.Module, stages: int) -> int:
    """requires_grad off for the visual stem and the first ``stages`` stages; the number frozen.

    Only the image path: an EfficientNet encoder's ``conv_stem``/``bn1``/``blocks[:n]``, or
    Swin's ``patch_embed`` and the transformer blocks of ``layers[:n]`` (their language fusion
    keeps training: it is what a new region's expressions change).
    """
    if stages <= 0:
        return 0
    encoder = getattr(backbone, "encoder", None)
    if encoder is not None and hasattr(encoder, "conv_stem"):
        mods = [encoder.conv_stem, encoder.bn1, *list(encoder.blocks)[:stages]]
    elif hasattr(backbone, "patch_embed") and hasattr(backbone, "layers"):
        mods = [backbone.patch_embed, *(layer.blocks for layer in list(backbone.layers)[:stages])]
    else:
        raise InputError(f"frozen_stages: {type(backbone).__name__} has no known visual stages")
    n = 0
    for mod in mods:
        for p in mod.parameters():
            p.requires_grad_(False)
            n += p.numel()
    return n


def param_groups(model: nn.Module, recipe: Recipe) -> List[Dict[str, Any]]:
    """The named AdamW groups; every trainable parameter is in exactly one group."""
    seg, text = model.segmentation, model.text_encoder  # type: ignore[attr-defined]
    no_decay, decay = [], []
    for name, p in seg.backbone.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if any(k in name for k in recipe.no_decay_keywords) else decay).append(p)
    classifier = [p for p in seg.classifier.parameters() if p.requires_grad]
    text_params = [p for layer in list(text_layers(text))[: max(0, recipe.text_trainable_layers)]
                   for p in layer.parameters() if p.requires_grad]
    groups = [
        {"name": "backbone_no_decay", "params": no_decay, "weight_decay": 0.0},
        {"name": "backbone_decay", "params": decay, "weight_decay": recipe.weight_decay},
        {"name": "classifier", "params": classifier, "weight_decay": recipe.weight_decay},
        {"name": "text_encoder", "params": text_params, "weight_decay": recipe.weight_decay},
    ]
    groups = [g for g in groups if g["params"]]
    grouped = {id(p) for g in groups for p in g["params"]}
    stray = [n for n, p in model.named_parameters() if p.requires_grad and id(p) not in grouped]
    if stray:
        raise InputError(f"trainable parameters outside the recipe's groups: {stray[:5]}")
    return groups


def build_optimizer(model: nn.Module, recipe: Recipe) -> torch.optim.Optimizer:
    return torch.optim.AdamW(param_groups(model, recipe), lr=recipe.lr, betas=recipe.betas,
                             eps=recipe.eps, weight_decay=recipe.weight_decay)


def poly_lambda(total_iters: int, power: float = 0.9, warmup_iters: int = 0
                ) -> Callable[[int], float]:
    """LR factor at iteration ``it``: linear warm-up, then ``(1 - it / total) ** power``."""
    total = max(1, int(total_iters))

    def factor(it: int) -> float:
        if warmup_iters and it < warmup_iters:
            return (it + 1) / warmup_iters
        return max(0.0, 1.0 - it / total) ** power

    return factor


def build_scheduler(optimizer: torch.optim.Optimizer, recipe: Recipe, total_iters: int
                    ) -> torch.optim.lr_scheduler.LambdaLR:
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, poly_lambda(total_iters, recipe.poly_power, recipe.warmup_iters))


#: which BatchNorms keep the running statistics they came with while the rest trains
NORM_EVAL = ("none", "frozen", "all")


def set_train_mode(model: nn.Module, norm_eval: str = "none") -> None:
    """Train mode for the segmentation network; the text encoder stays in eval mode (no dropout).

    ``norm_eval`` keeps BatchNorms in eval mode: "frozen", those whose weights are frozen (a
    frozen stage otherwise still drifts its statistics towards the last few batches), "all",
    every one (their affine weights still train): a few hundred small tiles estimate the
    statistics worse than the pre-training did."""
    if norm_eval not in NORM_EVAL:
        raise InputError(f"norm_eval: {norm_eval!r} is not one of {', '.join(NORM_EVAL)}")
    model.train()
    inner = getattr(model, "module", model)
    inner.text_encoder.eval()
    if norm_eval == "none":
        return
    for module in inner.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and (
                norm_eval == "all" or not any(p.requires_grad for p in module.parameters())):
            module.eval()
