"""The shipped ONNX graphs of lgce-lite against torch, the card that lists them, runtime choice.

Real parts only: the shipped checkpoint and graphs, a real tile of the bundled Kampala
sample, ONNX Runtime and torch side by side in this process.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch

from rrsis.engine.onnx_predictor import OnnxModel, OnnxPredictor
from rrsis.models.predictor import Predictor
from rrsis.engine.runtime import choose_runtime
from rrsis.errors import CheckpointError, InputError
from rrsis.models import create_model, load_checkpoint, save_checkpoint
from rrsis.models.card import (data_start, file_sha256, read_card, weights_sha256_of_file,
                               write_card)
from rrsis.models.checkpoint import weights_sha256

REPO = Path(__file__).resolve().parents[3]
MODEL = REPO / "resources" / "models" / "lgce-lite.safetensors"
SAMPLE = REPO / "resources" / "samples" / "kampala_oam.tif"
EXPRESSIONS = ["buildings", "vehicles along the road"]


@pytest.fixture(scope="module")
def models() -> tuple:
    return OnnxModel(MODEL), load_checkpoint(MODEL)


def _sample_tile(size: int) -> np.ndarray:
    """The sample's bottom-left size x size window at its own GSD, RGB in [0, 1]."""
    with rasterio.open(SAMPLE) as ds:
        rgb = ds.read([1, 2, 3], window=rasterio.windows.Window(0, ds.height - size, size, size))
    return (rgb.astype(np.float32) / 255.0)[None]


def test_onnx_runtime_matches_torch_on_a_real_tile(models: tuple) -> None:
    onnx_model, torch_model = models
    tile = _sample_tile(onnx_model.config.input_size)
    assert tile.std() > 0.05  # real imagery, not padding
    for expression in EXPRESSIONS:
        ours = OnnxPredictor(onnx_model, [expression]).logit_difference(tile)
        ref = Predictor(torch_model, torch.device("cpu"), [expression]).logit_difference(tile)
        assert ours.shape == ref.shape == (1, 1) + tile.shape[2:]
        assert np.abs(ours - ref).max() <= 1e-3
        assert ((ours > 0) == (ref > 0)).mean() >= 0.999
        assert 0.001 < (ref > 0).mean() < 0.999  # the check would see a wrong mask


def test_the_graph_takes_tiles_of_any_side(models: tuple) -> None:
    """A card may segment a category in tiles of another side (``group_tile_px``): the image
    graph is exported with free height and width, and equals torch there too."""
    onnx_model, torch_model = models
    assert onnx_model.fixed_size is None
    tile = _sample_tile(192)
    ours = OnnxPredictor(onnx_model, ["vehicles"], tile_px=192)
    ref = Predictor(torch_model, torch.device("cpu"), ["vehicles"], tile_px=192)
    assert ours.input_size == ref.input_size == 192
    diff = ours.logit_difference(tile)
    assert diff.shape == (1, 1, 192, 192)
    assert np.abs(diff - ref.logit_difference(tile)).max() <= 1e-3
    onnx_model.fixed_size = 480   # a graph exported for one side takes only that one
    try:
        assert OnnxPredictor(onnx_model, ["vehicles"], tile_px=192).input_size == 480
    finally:
        onnx_model.fixed_size = None


def test_batched_onnx_equals_one_by_one(models: tuple) -> None:
    onnx_model, _ = models
    tile = _sample_tile(onnx_model.config.input_size)
    batch = np.concatenate([tile, tile[:, :, ::-1, ::-1]])
    predictor = OnnxPredictor(onnx_model, EXPRESSIONS)
    both = predictor.logit_difference(batch)
    assert both.shape == (2, 2) + tile.shape[2:]
    np.testing.assert_allclose(both[:, 1:], predictor.logit_difference(batch[1:]), atol=1e-4)


def test_card_lists_the_graphs_and_torch_free_hash_agrees() -> None:
    card = read_card(MODEL)
    graphs = card["onnx"]["graphs"]
    for part in ("image", "text"):
        path = MODEL.parent / graphs[part]["file"]
        assert file_sha256(path) == graphs[part]["sha256"]
        assert path.stat().st_size < 2 << 20  # structure only: weights come from the checkpoint
    assert card["onnx"]["data_start"] == data_start(MODEL)
    assert weights_sha256_of_file(MODEL) == card["weights_sha256"]
    state = {k: v for k, v in load_checkpoint(MODEL).state_dict().items()}
    assert weights_sha256({k: v.half() if v.is_floating_point() else v for k, v in
                           state.items()}) == card["weights_sha256"]


def _copy_model(folder: Path) -> Path:
    for name in ("lgce-lite.safetensors", "lgce-lite.onnx", "lgce-lite.text.onnx"):
        shutil.copy2(MODEL.parent / name, folder / name)
    return folder / MODEL.name


def test_a_damaged_graph_or_a_rewritten_card_is_refused(tmp_path: Path) -> None:
    copy = _copy_model(tmp_path)
    graph = tmp_path / "lgce-lite.onnx"
    data = bytearray(graph.read_bytes())
    data[len(data) // 2] ^= 0xFF
    graph.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="sha256"):
        OnnxModel(copy)
    shutil.copy2(MODEL.parent / "lgce-lite.onnx", graph)
    card = read_card(copy)
    write_card(copy, dict(card, note="x" * 100))  # the tensors move: the graphs are stale
    with pytest.raises(CheckpointError, match="export them again"):
        OnnxModel(copy)
    (tmp_path / "lgce-lite.text.onnx").unlink()
    with pytest.raises(CheckpointError, match="missing"):
        OnnxModel(copy)


def test_export_reproduces_the_shipped_graphs(tmp_path: Path) -> None:
    from rrsis.onnx_export import export_onnx

    copy = _copy_model(tmp_path)
    shipped = read_card(MODEL)["onnx"]
    done = export_onnx(copy, tmp_path / "lgce-lite.onnx")
    assert read_card(copy) == read_card(MODEL)  # same card, same layout
    assert weights_sha256_of_file(copy) == read_card(MODEL)["weights_sha256"]
    if shipped["torch"] == torch.__version__:  # the exporter's output is version-specific
        for part in ("image", "text"):
            assert done["card"]["graphs"][part]["sha256"] == shipped["graphs"][part]["sha256"]
    tile = _sample_tile(480)
    np.testing.assert_allclose(OnnxPredictor(OnnxModel(copy), ["buildings"]).logit_difference(tile),
                               OnnxPredictor(OnnxModel(MODEL), ["buildings"]).logit_difference(tile),
                               atol=1e-5)


def test_export_refuses_a_graph_away_from_its_weights(tmp_path: Path) -> None:
    from rrsis.onnx_export import export_onnx

    with pytest.raises(InputError, match="beside its weights"):
        export_onnx(MODEL, tmp_path / "elsewhere.onnx")


def test_runtime_choice(tmp_path: Path) -> None:
    assert choose_runtime("auto", "cpu", MODEL) == ("onnx", "cpu")
    assert choose_runtime("torch", "cpu", MODEL) == ("torch", "cpu")
    assert choose_runtime("auto", "cpu", None) == ("torch", "cpu")  # an in-memory model
    plain = tmp_path / "plain.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), plain, {"gsd_m": 0.5})
    assert choose_runtime("auto", "cpu", plain) == ("torch", "cpu")
    with pytest.raises(CheckpointError, match="no ONNX graph"):
        choose_runtime("onnx", "cpu", plain)
    with pytest.raises(InputError, match="CPU only"):
        choose_runtime("onnx", "cuda", MODEL)
    with pytest.raises(InputError, match="unknown runtime"):
        choose_runtime("tensorrt", "cpu", MODEL)
    if not torch.cuda.is_available():
        assert choose_runtime("auto", "auto", MODEL) == ("onnx", "cpu")
    renamed = tmp_path / "renamed.safetensors"  # its graphs still name lgce-lite.safetensors
    shutil.copy2(MODEL, renamed)
    assert choose_runtime("auto", "cpu", renamed) == ("torch", "cpu")
    with pytest.raises(CheckpointError, match="renamed or card rewritten"):
        choose_runtime("onnx", "cpu", renamed)


def test_estimate_and_segment_report_the_runtime_they_used(tmp_path: Path) -> None:
    from rrsis.engine.run import ModelCache, SegmentOptions, estimate, segment

    cache = ModelCache()
    opts = SegmentOptions(str(SAMPLE), ["buildings"], output=str(tmp_path / "b.gpkg"),
                          extent=None, device="cpu", gsd_m=0.3)
    est = estimate(opts, models=cache, calibration_batches=1)
    assert (est.runtime, est.device) == ("onnx", "cpu") and est.seconds_per_tile > 0
    result = segment(opts, models=cache)
    assert result.runtime == "onnx" and result.feature_counts["buildings"] > 0
    assert result.model_sha256 == read_card(MODEL)["weights_sha256"]
