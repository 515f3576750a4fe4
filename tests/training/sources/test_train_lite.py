"""The default model's trainer: crops built at one side are not silently trained at another."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rrsis.training.sources import dataset_folders
from rrsis.training.sources.train_lite import main


def _built(root: Path, side: int) -> None:
    for folder in dataset_folders(root):
        folder.mkdir(parents=True)
        (folder / "dataset.json").write_text(json.dumps({"tile_size": side}))


@pytest.mark.parametrize("size", ["320", None])
def test_crops_of_another_side_are_one_line_and_no_run(tmp_path: Path, capsys,
                                                      size: "str | None") -> None:
    _built(tmp_path / "data", 240)
    out = tmp_path / "run"
    argv = ["--datasets", str(tmp_path / "data"), "--out", str(out)]
    assert main(argv + (["--size", size] if size else [])) == 2
    err = capsys.readouterr().err.strip().splitlines()
    expected = size or "192"                    # the shipped recipe's input_size
    assert len(err) == 1 and f"holds 240 px crops, the run trains on {expected} px" in err[0]
    assert "--rebuild" in err[0] and not out.exists()


def test_a_recipe_without_an_input_size_trains_at_the_models(tmp_path: Path, capsys) -> None:
    """The trainer then reads the model's own side (480 for lgce-lite): the crops must be it."""
    _built(tmp_path / "data", 192)
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("name: bare\narch: lgce-lite\n")
    argv = ["--datasets", str(tmp_path / "data"), "--out", str(tmp_path / "run"),
            "--recipe", str(recipe)]
    assert main(argv) == 2
    assert "holds 192 px crops, the run trains on 480 px" in capsys.readouterr().err
