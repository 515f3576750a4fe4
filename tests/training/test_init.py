"""Pretrained initialisation from local files: Swin non-strict with table resize, BERT folder."""

from __future__ import annotations

from pathlib import Path

import torch

from rrsis.models import create_model
from rrsis.models.registry import get_config
from rrsis.training.init import (load_bert_pretrained, load_swin_pretrained,
                                 resize_relative_position_table)


def test_resize_table_keeps_a_constant_and_changes_shape() -> None:
    table = torch.full((25, 3), 0.5)
    out = resize_relative_position_table(table, 49)
    assert out.shape == (49, 3) and torch.allclose(out, torch.full((49, 3), 0.5), atol=1e-6)


def test_swin_classification_checkpoint_loads_non_strictly(tmp_path: Path) -> None:
    cfg = get_config("test-lgce-tiny")
    other = create_model(cfg.replace(backbone=cfg.backbone.__class__(
        **{**cfg.backbone.__dict__, "window_size": 3})))        # tables of (2*3-1)^2 rows
    state = {k: v for k, v in other.segmentation.backbone.state_dict().items()
             if k.startswith(("patch_embed.", "layers."))
             and ".fusion" not in k and "pwam" not in k and "res_gate" not in k}
    state["head.weight"] = torch.zeros(10, 128)
    state["norm.weight"] = torch.zeros(128)
    path = tmp_path / "swin_22k.pth"
    torch.save({"model": state}, path)
    model = create_model("test-lgce-tiny")
    before = {k: v.clone() for k, v in model.segmentation.backbone.state_dict().items()}
    report = load_swin_pretrained(model.segmentation.backbone, path)
    now = model.segmentation.backbone.state_dict()
    key = "layers.0.blocks.0.attn.qkv.weight"
    assert torch.equal(now[key], state[key])
    table = "layers.0.blocks.0.attn.relative_position_bias_table"
    assert table in report["resized"] and now[table].shape == (49, 1)
    assert not torch.equal(now[table], before[table])
    assert "head.weight" in report["skipped"]
    assert "norm0.weight" in report["missing"]                  # fresh, as in the paper
    assert torch.equal(now["norm0.weight"], before["norm0.weight"])


def test_bert_from_a_local_folder(tmp_path: Path) -> None:
    donor = create_model("test-lgce-tiny").text_encoder
    with torch.no_grad():
        for p in donor.parameters():
            p.add_(0.01)
    donor.save_pretrained(tmp_path / "bert")
    model = create_model("test-lgce-tiny")
    load_bert_pretrained(model.text_encoder, tmp_path / "bert")
    for (n, a), (_, b) in zip(model.text_encoder.state_dict().items(),
                              donor.state_dict().items()):
        assert torch.equal(a, b), n
