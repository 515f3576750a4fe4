"""rrsis.training.optim: the paper's AdamW groups, trainable layers and the poly schedule."""

from __future__ import annotations

import pytest
import torch

from rrsis.errors import InputError
from rrsis.models import create_model
from rrsis.training.optim import (build_optimizer, build_scheduler, configure_trainable,
                                  param_groups, poly_lambda, set_train_mode, text_layers)
from rrsis.training.recipe import Recipe


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    torch.manual_seed(0)
    return create_model("test-lgce-tiny")


def test_trainable_text_layers_and_frozen_backbone(model: torch.nn.Module) -> None:
    layers = text_layers(model.text_encoder)
    configure_trainable(model, Recipe(text_trainable_layers=1))
    assert all(p.requires_grad for p in layers[0].parameters())
    assert not any(p.requires_grad for layer in list(layers)[1:] for p in layer.parameters())
    assert not any(p.requires_grad for p in model.text_encoder.embeddings.parameters())
    assert all(p.requires_grad for p in model.segmentation.parameters())
    configure_trainable(model, Recipe(text_trainable_layers=0, freeze_backbone=True))
    assert not any(p.requires_grad for p in model.text_encoder.parameters())
    assert not any(p.requires_grad for p in model.segmentation.backbone.parameters())
    assert all(p.requires_grad for p in model.segmentation.classifier.parameters())


def test_every_trainable_parameter_is_in_exactly_one_group(model: torch.nn.Module) -> None:
    recipe = Recipe(text_trainable_layers=1, weight_decay=0.05)
    configure_trainable(model, recipe)
    groups = {g["name"]: g for g in param_groups(model, recipe)}
    assert set(groups) == {"backbone_no_decay", "backbone_decay", "classifier", "text_encoder"}
    assert groups["backbone_no_decay"]["weight_decay"] == 0.0
    assert groups["classifier"]["weight_decay"] == 0.05
    ids = [id(p) for g in groups.values() for p in g["params"]]
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert len(ids) == len(set(ids)) == len(trainable)
    norms = {n for n, p in model.segmentation.backbone.named_parameters()
             if any(k in n for k in recipe.no_decay_keywords)}
    assert norms and len(groups["backbone_no_decay"]["params"]) == len(norms)
    opt = build_optimizer(model, recipe)
    assert isinstance(opt, torch.optim.AdamW) and opt.defaults["lr"] == recipe.lr


def test_a_parameter_outside_the_groups_is_an_error(model: torch.nn.Module) -> None:
    recipe = Recipe(text_trainable_layers=0)
    configure_trainable(model, recipe)
    model.text_encoder.embeddings.word_embeddings.weight.requires_grad_(True)
    try:
        with pytest.raises(InputError, match="outside the recipe's groups"):
            param_groups(model, recipe)
    finally:
        model.text_encoder.embeddings.word_embeddings.weight.requires_grad_(False)


def test_poly_schedule_with_warmup() -> None:
    f = poly_lambda(100, power=0.9, warmup_iters=4)
    assert [f(i) for i in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert f(50) == pytest.approx(0.5 ** 0.9) and f(100) == 0.0 and f(150) == 0.0
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = build_scheduler(opt, Recipe(poly_power=1.0), total_iters=10)
    lrs = []
    for _ in range(5):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs == pytest.approx([1.0, 0.9, 0.8, 0.7, 0.6])


def test_train_mode_keeps_the_text_encoder_in_eval(model: torch.nn.Module) -> None:
    model.eval()
    set_train_mode(model)
    assert model.segmentation.training and not model.text_encoder.training
    assert not any(m.training for m in model.text_encoder.modules())


@pytest.mark.parametrize("arch", ["test-lgce-tiny", "lgce-lite"])
def test_frozen_stages_freeze_the_visual_stem_and_early_stages_only(arch: str) -> None:
    torch.manual_seed(0)
    model = create_model(arch)
    backbone = model.segmentation.backbone
    configure_trainable(model, Recipe(text_trainable_layers=0, frozen_stages=2))
    if hasattr(backbone, "encoder"):        # EfficientNet: stem, bn1, blocks[0..1]
        frozen = [backbone.encoder.conv_stem, backbone.encoder.bn1, *backbone.encoder.blocks[:2]]
        trained = [backbone.encoder.blocks[2], backbone.fusions]
    else:                                    # Swin: patch_embed and the blocks of layers[0..1]
        frozen = [backbone.patch_embed, backbone.layers[0].blocks, backbone.layers[1].blocks]
        trained = [backbone.layers[2], backbone.layers[0].fusion]
    assert not any(p.requires_grad for m in frozen for p in m.parameters())
    assert all(p.requires_grad for m in trained for p in m.parameters())
    assert all(p.requires_grad for p in model.segmentation.classifier.parameters())
    grouped = {id(p) for g in param_groups(model, Recipe(text_trainable_layers=0,
                                                         frozen_stages=2)) for p in g["params"]}
    assert not any(id(p) in grouped for m in frozen for p in m.parameters())
    configure_trainable(model, Recipe(text_trainable_layers=0))   # 0: everything visual trains
    assert all(p.requires_grad for p in model.segmentation.parameters())


def _norms(module: torch.nn.Module) -> list:
    return [m for m in module.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]


def test_norm_eval_keeps_the_statistics_of_frozen_or_all_batchnorms() -> None:
    """A frozen stage's BatchNorms would still move their running statistics in train mode;
    "frozen" keeps those, "all" keeps every one, and a training step leaves them as they were."""
    torch.manual_seed(0)
    model = create_model("lgce-lite")
    encoder = model.segmentation.backbone.encoder
    frozen, trained = _norms(torch.nn.ModuleList([encoder.bn1, *encoder.blocks[:2]])), \
        _norms(torch.nn.ModuleList(list(encoder.blocks[2:])))
    assert frozen and trained
    configure_trainable(model, Recipe(text_trainable_layers=0, frozen_stages=2))
    set_train_mode(model, "frozen")
    assert not any(m.training for m in frozen) and all(m.training for m in trained)
    assert model.segmentation.classifier.training
    before = [m.running_mean.clone() for m in frozen + trained]
    with torch.no_grad():
        model(torch.rand(2, 3, 64, 64), torch.randint(1, 100, (2, 6)), torch.ones(2, 6))
    after = [m.running_mean for m in frozen + trained]
    assert all(torch.equal(b, a) for b, a in zip(before[:len(frozen)], after[:len(frozen)]))
    assert not all(torch.equal(b, a) for b, a in zip(before[len(frozen):], after[len(frozen):]))
    set_train_mode(model, "all")
    assert not any(m.training for m in _norms(model)) and encoder.blocks[3].training
    set_train_mode(model)   # "none": every BatchNorm learns its statistics, as before
    assert all(m.training for m in _norms(model.segmentation))
    with pytest.raises(InputError, match="norm_eval"):
        set_train_mode(model, "some")
