"""Registry and key manifests: the paper configs match the public checkpoints exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from rrsis.models import MODELS, create_model, get_config, list_models
from rrsis.models.registry import ModelConfig
from rrsis.errors import ModelNotFoundError

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference"


def _manifest(name: str) -> list[tuple[str, str, str]]:
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip(f"reference key list not available: {path}")
    rows = [line.rstrip("\n").split("\t") for line in path.read_text().splitlines()[1:]]
    return [(k, s, d) for k, s, d in rows]


@pytest.mark.parametrize("arch,tsv", [("lgce-swin-b", "lgce_state_dict_keys.tsv"),
                                      ("lavt-swin-b", "lavt_state_dict_keys.tsv")])
def test_paper_state_dict_equals_public_manifest(arch: str, tsv: str) -> None:
    expected = _manifest(tsv)
    with torch.device("meta"):
        model = create_model(arch)
    got = [(k, str(tuple(v.shape)), str(v.dtype)) for k, v in model.segmentation.state_dict().items()]
    assert got == expected  # keys, shapes, dtypes, and the public order
    bert = model.text_encoder.state_dict()
    assert len(bert) == 197 and not any("pooler" in k or "position_ids" in k for k in bert)


def test_lgce_counts() -> None:
    with torch.device("meta"):
        model = create_model("lgce-swin-b")
    keys = list(model.segmentation.state_dict())
    assert sum(k.startswith("backbone.") for k in keys) == 413
    assert sum(k.startswith("classifier.") for k in keys) == 280


@pytest.mark.parametrize("name", list_models(include_test=True))
def test_every_registered_config_round_trips_as_data(name: str) -> None:
    cfg = get_config(name)
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg


@pytest.mark.parametrize("name", [n for n in list_models(include_test=True) if "test" in n])
def test_tiny_configs_forward_any_size(name: str) -> None:
    torch.manual_seed(0)
    model = create_model(name)
    ids, mask = model.tokenizer(["red car", "the largest building next to the road"])
    image = torch.randn(2, 3, 45, 71)  # neither square nor a multiple of 32
    with torch.inference_mode():
        logits = model(image, ids, mask)
    assert logits.shape == (2, 2, 45, 71)
    assert torch.isfinite(logits).all()


def test_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(ModelNotFoundError, match="unknown model 'nope'.*lgce-swin-b"):
        get_config("nope")
    assert "lgce-swin-b" in MODELS


def test_sizes_are_config_values() -> None:
    cfg = get_config("test-lgce-tiny").replace(decoder_width=24)
    model = create_model(cfg)
    assert model.segmentation.classifier.conv1_1.in_channels == 24
