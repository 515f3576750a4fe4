"""Checkpoint I/O: strict round trips, public-format import, and hostile files refused."""

from __future__ import annotations

import argparse
import os
import pickle
from pathlib import Path

import pytest
import torch

from rrsis.errors import CheckpointError
from rrsis.models import (create_model, load_checkpoint, load_public_checkpoint, read_card,
                          save_checkpoint)

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference"


def _model(name: str = "test-lgce-tiny") -> torch.nn.Module:
    torch.manual_seed(0)
    model = create_model(name)
    for layer in model.segmentation.backbone.layers:
        torch.nn.init.normal_(layer.res_gate[0].weight, std=0.3)
        torch.nn.init.normal_(layer.res_gate[2].weight, std=0.3)
    for m in model.modules():  # non-trivial BatchNorm statistics
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.normal_()
            m.running_var.uniform_(0.5, 2.0)
    return model


def _logits(model: torch.nn.Module) -> torch.Tensor:
    torch.manual_seed(1)
    image = torch.randn(2, 3, 50, 37)
    ids, mask = model.tokenizer(["car on the road", "the largest building"])
    with torch.inference_mode():
        return model(image, ids, mask)


def _public_dict(model: torch.nn.Module) -> dict:
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5)
    return {"model": model.segmentation.state_dict(), "bert_model": model.text_encoder.state_dict(),
            "optimizer": opt.state_dict(), "epoch": 39,
            "args": argparse.Namespace(lr=5e-5, swin_type="base", window12=True, img_size=480),
            "lr_scheduler": {"last_epoch": 10840, "base_lrs": [5e-5]}}


def test_own_format_round_trip_is_exact(tmp_path: Path) -> None:
    model = _model()
    card = save_checkpoint(model, tmp_path / "m.safetensors", {"name": "tiny", "licence": "CC0"})
    loaded = load_checkpoint(tmp_path / "m.safetensors")
    assert torch.equal(_logits(model), _logits(loaded))
    assert loaded.card["name"] == "tiny" and loaded.card["weights_sha256"] == card["weights_sha256"]
    assert read_card(tmp_path / "m.safetensors")["token_count"] == 20
    assert not list(tmp_path.glob("*.part"))  # no temporary left behind


def test_fp16_storage_loads_as_fp32_and_agrees(tmp_path: Path) -> None:
    model = _model()
    save_checkpoint(model, tmp_path / "h.safetensors", dtype=torch.float16)
    loaded = load_checkpoint(tmp_path / "h.safetensors")
    assert all(p.dtype == torch.float32 for p in loaded.parameters())
    a, b = _logits(model), _logits(loaded)
    assert (a.argmax(1) == b.argmax(1)).float().mean() > 0.99
    assert torch.allclose(a, b, atol=5e-2)


def test_public_format_import_is_exact(tmp_path: Path) -> None:
    model = _model()
    torch.save(_public_dict(model), tmp_path / "public.pth")
    loaded = load_public_checkpoint(tmp_path / "public.pth", "test-lgce-tiny")
    assert torch.equal(_logits(model), _logits(loaded))


def test_public_checkpoint_built_from_the_key_lists_loads_strictly(tmp_path: Path) -> None:
    tsv = REFERENCE / "lgce_state_dict_keys.tsv"
    if not tsv.is_file():
        pytest.skip("reference key list not available")
    torch.manual_seed(0)
    state = {}
    for line in tsv.read_text().splitlines()[1:]:
        key, shape, dtype = line.split("\t")
        dims = tuple(int(s) for s in shape.strip("()").split(",") if s.strip())
        state[key] = (torch.randint(0, 5, dims) if dtype == "torch.int64"
                      else torch.randn(dims) * 0.02)
    from rrsis.models.text import build_text_encoder
    from rrsis.models import get_config

    bert = build_text_encoder(get_config("lgce-swin-b").text)
    torch.save({"model": state, "bert_model": bert.state_dict(), "epoch": 1,
                "args": argparse.Namespace(window12=True)}, tmp_path / "lgce.pth")
    del state, bert
    model = load_public_checkpoint(tmp_path / "lgce.pth", "lgce-swin-b")
    assert model.segmentation.classifier.msb2.msb.blocks[1][2].mlp.fc2.weight.shape == (512, 1024)


class _Payload:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


def test_pickle_that_would_run_code_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    bad = _public_dict(_model())
    bad["args"] = _Payload(str(marker))
    with open(tmp_path / "evil.pth", "wb") as f:  # a zip-less legacy pickle, too
        torch.save(bad, f)
    with pytest.raises(CheckpointError, match="refused"):
        load_public_checkpoint(tmp_path / "evil.pth", "test-lgce-tiny")
    (tmp_path / "evil2.pth").write_bytes(pickle.dumps(bad))
    with pytest.raises(CheckpointError):
        load_public_checkpoint(tmp_path / "evil2.pth", "test-lgce-tiny")
    assert not marker.exists()


def test_truncated_checkpoints_are_refused(tmp_path: Path) -> None:
    model = _model()
    save_checkpoint(model, tmp_path / "m.safetensors")
    data = (tmp_path / "m.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "cut.safetensors")
    torch.save(_public_dict(model), tmp_path / "p.pth")
    data = (tmp_path / "p.pth").read_bytes()
    (tmp_path / "cut.pth").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_public_checkpoint(tmp_path / "cut.pth", "test-lgce-tiny")


def test_corrupted_weights_fail_the_card_hash(tmp_path: Path) -> None:
    save_checkpoint(_model(), tmp_path / "m.safetensors")
    data = bytearray((tmp_path / "m.safetensors").read_bytes())
    data[-100] ^= 0xFF
    (tmp_path / "bad.safetensors").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="sha256"):
        load_checkpoint(tmp_path / "bad.safetensors")


def test_wrong_shapes_and_keys_are_named(tmp_path: Path) -> None:
    ckpt = _public_dict(_model())
    ckpt["model"]["classifier.conv1_1.weight"] = torch.zeros(2, 7, 1, 1)
    del ckpt["model"]["backbone.norm0.weight"]
    ckpt["model"]["backbone.extra"] = torch.zeros(1)
    torch.save(ckpt, tmp_path / "w.pth")
    with pytest.raises(CheckpointError) as err:
        load_public_checkpoint(tmp_path / "w.pth", "test-lgce-tiny")
    msg = str(err.value)
    assert "backbone.norm0.weight" in msg and "backbone.extra" in msg
    assert "classifier.conv1_1.weight: checkpoint (2, 7, 1, 1)" in msg
    with pytest.raises(CheckpointError, match="does not fit"):
        load_public_checkpoint(tmp_path / "w.pth", "test-lavt-tiny")


def test_not_a_checkpoint(tmp_path: Path) -> None:
    (tmp_path / "x.safetensors").write_bytes(b"hello")
    with pytest.raises(CheckpointError):
        read_card(tmp_path / "x.safetensors")
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "missing.safetensors")
