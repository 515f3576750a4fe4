"""The default model's two commands end to end, on the real sources cut small: the datasets
built as ``train_lite`` builds them (``build_all``) and cut to a few lines per split,
``train_lite`` trains on them, ``export_lite`` measures and writes the shipped file with its
card and ONNX graphs, and the engine serves what it wrote. Every block of the card the export
measures must be there; the choices made on whole scenes come from the shipped card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.data import REPO, SAMPLE, shared_data
from helpers.sources import run_tool
from rrsis.engine.gsd import CEILINGS_KEY, FLOORS_KEY, TILES_KEY
from rrsis.engine.operating import CARD_KEY as POINTS_KEY
from rrsis.models.card import read_card
from rrsis.training.sources import build_all, dataset_folders

SHIPPED = REPO / "resources" / "models" / "lgce-lite.safetensors"
TRAIN_LINES = 12   # per source: 72 triplets for two iterations of 8
VAL_LINES = 24     # per source: every distinct expression first (relations, absent targets)


def _cut(split_file: Path, keep: int, distinct_first: bool) -> None:
    """Keep ``keep`` lines of a RefSegRS split file (its images stay; unread ones cost nothing)."""
    lines = split_file.read_text().splitlines()
    if distinct_first:
        seen, first, rest = set(), [], []
        for line in lines:
            expression = line.split(" ", 1)[1]
            (rest if expression in seen else first).append(line)
            seen.add(expression)
        lines = first + rest
    split_file.write_text("".join(f"{line}\n" for line in lines[:keep]))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict:
    data_root = shared_data("aerial-cars").parent
    for source in ("dubai-landcover", "kampala-buildings", "more-buildings", "neon-trees",
                   "urban-trees"):
        shared_data(source)
    tmp = tmp_path_factory.mktemp("export-lite")
    datasets, run, out = tmp / "data", tmp / "run", tmp / "models" / "lgce-lite.safetensors"
    build_all(data_root, datasets)
    for folder in dataset_folders(datasets):
        _cut(folder / "output_phrase_train.txt", TRAIN_LINES, distinct_first=False)
        _cut(folder / "output_phrase_val.txt", VAL_LINES, distinct_first=True)
    train = run_tool("rrsis.training.sources.train_lite", "--data-root", str(data_root),
                     "--datasets", str(datasets), "--out", str(run), "--max-iters", "2",
                     "--time-budget", "0", "--threads", "2", timeout=900)
    assert train.returncode == 0, train.stderr[-3000:]
    export = run_tool("rrsis.training.sources.export_lite", "--run", str(run),
                      "--datasets", str(datasets), "--out", str(out), "--docs", str(tmp / "docs"),
                      "--presence-images", "2", "--scene-choices-from", str(SHIPPED),
                      timeout=1200)
    assert export.returncode == 0, export.stderr[-3000:]
    assert "Traceback" not in export.stderr
    return {"tmp": tmp, "run": run, "out": out, "card": read_card(out), "stdout": export.stdout}


def test_the_card_holds_every_block_the_export_measures(exported: dict) -> None:
    card = exported["card"]
    assert card["name"] == "lgce-lite" and card["weights_dtype"] == "float16"
    assert card["metrics"]["val"]["overall"]["count"] > 0
    assert 0.0 <= card["metrics"]["sample_buildings_iou"] <= 1.0
    assert card[POINTS_KEY]["input_size"] == 192
    assert CEILINGS_KEY in card and card["metrics"]["relations"] and card["grounding_policy"]
    assert card["presence"]["max_images_per_folder"] == 2
    training = card["training"]
    assert training["iterations"] == 2 and training["seed"] == 0
    assert training["commands"][-1].startswith("python -m rrsis.training.sources.train_lite ")
    assert "--scene-choices-from" in training["export_command"]
    # the scene choices are the shipped card's, marked as measured with its weights
    shipped = read_card(SHIPPED)
    for key in (FLOORS_KEY, TILES_KEY):
        carried = dict(card[key])
        assert carried.pop("carried_from")["weights_sha256"] == shipped["weights_sha256"]
        assert carried == {k: v for k, v in shipped[key].items() if k != "carried_from"}


def test_its_graphs_docs_and_run_are_written(exported: dict) -> None:
    out, tmp, card = exported["out"], exported["tmp"], exported["card"]
    for graph in card["onnx"]["graphs"].values():   # beside the weights, as the card names them
        assert (out.parent / graph["file"]).is_file(), graph
    assert card["onnx"]["external_weights"] == out.name
    assert "oIoU" in (tmp / "docs" / "lgce-lite-metrics.md").read_text()
    assert json.loads((exported["run"] / "train_lite.json").read_text())["iterations"] == 2
    assert f"wrote {out}" in exported["stdout"]


def test_the_engine_serves_the_exported_file(exported: dict, tmp_path: Path) -> None:
    done = run_tool("rrsis", "segment", str(SAMPLE), "buildings", "--model", str(exported["out"]),
                    "-o", str(tmp_path / "x.gpkg"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    # two iterations find little or nothing; either way the run answers and says what it did
    assert "lgce-lite" in done.stdout + done.stderr
