"""rrsis.models.catalog: where checkpoints are found and how a name becomes a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from rrsis.errors import CheckpointError, ModelNotFoundError
from rrsis.models import create_model, save_checkpoint
from rrsis.models.catalog import (DEFAULT_MODEL, available_models, find_model, load_model,
                                  model_dirs, user_model_dir)

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Two model folders in RRSIS_MODEL_DIR and an empty user folder."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    monkeypatch.setenv("RRSIS_MODEL_DIR", os.pathsep.join([str(first), str(second)]))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    torch.manual_seed(0)
    model = create_model("test-lgce-tiny")
    save_checkpoint(model, first / "a.safetensors", card={"name": "tiny"})
    save_checkpoint(model, second / "b.safetensors", card={"name": "tiny"})  # shadowed
    save_checkpoint(model, second / "unnamed.safetensors")
    (second / "junk.safetensors").write_bytes(b"not a checkpoint")
    return {"first": first, "second": second, "xdg": tmp_path / "xdg"}


def test_search_order_is_env_then_user_then_bundled(dirs: dict) -> None:
    found = model_dirs()
    assert found[:3] == [dirs["first"], dirs["second"], user_model_dir()]
    assert user_model_dir() == dirs["xdg"] / "rrsis" / "models"
    assert found[-1] == REPO / "resources" / "models"  # the checkout's bundled folder


def test_first_name_wins_and_unreadable_files_are_skipped(dirs: dict) -> None:
    models = {m["name"]: m for m in available_models()}
    assert models["tiny"]["path"] == str(dirs["first"] / "a.safetensors")
    assert "unnamed" in models and "junk" not in models  # the file stem names a card without one
    assert "config" not in models["tiny"]["card"]
    assert DEFAULT_MODEL in models  # the bundled default model
    assert find_model("tiny") == dirs["first"] / "a.safetensors"
    assert find_model(str(dirs["second"] / "b.safetensors")) == dirs["second"] / "b.safetensors"
    assert find_model(None) == Path(models[DEFAULT_MODEL]["path"])


def test_a_part_file_being_written_is_not_a_model(dirs: dict) -> None:
    """An export killed half-way leaves a readable header under the part name; it must not
    shadow the model it was replacing (the hidden name sorts first)."""
    model = create_model("test-lgce-tiny")
    save_checkpoint(model, dirs["first"] / ".a.rrsis-1-00ff00ff.part.safetensors",
                    card={"name": "tiny"})
    models = {m["name"]: m for m in available_models()}
    assert models["tiny"]["path"] == str(dirs["first"] / "a.safetensors")


def test_unknown_names_and_bad_paths_are_clear_errors(dirs: dict) -> None:
    with pytest.raises(ModelNotFoundError, match="no checkpoint named 'nope'.*available: .*tiny"):
        find_model("nope")
    with pytest.raises(CheckpointError):
        find_model(str(dirs["first"] / "missing.safetensors"))


def test_load_model_by_name(dirs: dict) -> None:
    model = load_model("tiny")
    assert model.card["name"] == "tiny" and model.config.name == "test-lgce-tiny"
