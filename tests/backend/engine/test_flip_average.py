"""flip_average: the model averaged over each tile and its three flips, in the engine (any
runtime: numpy flips around the predictor) and in evaluation (torch). Real tiny model, real
rasters; the property checked is the one averaging over the flips buys: the answer for a
flipped image is the flipped answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch

from helpers.engine import write_tif
from rrsis.engine.run import SegmentOptions, segment
from rrsis.engine.runtime import FLIPS, logit_difference
from rrsis.models import create_model
from rrsis.models.checkpoint import save_checkpoint
from rrsis.models.predictor import Predictor


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    torch.manual_seed(0)
    return Predictor(create_model("test-lgce-tiny"), "cpu", ["cars", "roads"], threads=1)


def test_flip_averaged_logits_commute_with_every_flip(predictor: Predictor) -> None:
    rgb = np.random.default_rng(0).random((2, 3, 64, 64), dtype=np.float32)
    plain = logit_difference(predictor, rgb)
    averaged = logit_difference(predictor, rgb, flip_average=True)
    assert averaged.shape == plain.shape == (2, 2, 64, 64)
    assert not np.allclose(plain, np.flip(logit_difference(predictor, np.flip(rgb, 3).copy()),
                                          3), atol=1e-4)  # the model alone is not symmetric
    for axes in FLIPS[1:]:
        flipped = logit_difference(predictor, np.flip(rgb, axes).copy(), flip_average=True)
        assert np.allclose(np.flip(flipped, axes), averaged, atol=1e-4), axes


def test_evaluation_averages_the_same_way(predictor: Predictor) -> None:
    rgb = np.random.default_rng(1).random((2, 3, 64, 64), dtype=np.float32)
    images = predictor.model.normalize(torch.from_numpy(rgb))
    ids, mask = predictor.model.tokenizer(["cars", "cars"])  # as a training batch
    paired = predictor.paired_logit_difference(images, ids, mask, flip_average=True).numpy()
    engine = logit_difference(predictor, rgb, flip_average=True)[0]  # expression "cars"
    assert np.allclose(paired, engine, atol=1e-3)
    plain = predictor.paired_logit_difference(images, ids, mask).numpy()
    assert np.allclose(plain, logit_difference(predictor, rgb)[0], atol=1e-3)


def test_segment_with_flip_average_is_mirror_true(tmp_path: Path) -> None:
    """One tile (the raster is the tiny model's 64 px input): the probability of the
    mirrored raster is the mirrored probability, with flips; not without."""
    torch.manual_seed(0)
    model = tmp_path / "tiny.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), model, card={"name": "tiny", "gsd_m": 0.5})
    data = np.random.default_rng(2).integers(0, 255, (3, 64, 64), dtype=np.uint8)
    probs = {}
    for flips in (False, True):
        for name, arr in (("as_is", data), ("mirrored", data[:, :, ::-1].copy())):
            raster = write_tif(tmp_path / f"{name}.tif", arr)
            prob = tmp_path / f"{name}-{flips}.tif"
            segment(SegmentOptions(raster=str(raster), expressions=["cars"],
                                   output=str(tmp_path / f"{name}-{flips}.gpkg"),
                                   probability=str(prob), probability_dtype="float32",
                                   model=str(model), device="cpu", threads=1,
                                   runtime="torch", flip_average=flips, min_area_m2=0))
            with rasterio.open(prob) as src:
                probs[name, flips] = src.read(1)
    assert np.allclose(probs["mirrored", True][:, ::-1], probs["as_is", True], atol=1e-4)
    assert not np.allclose(probs["mirrored", False][:, ::-1], probs["as_is", False], atol=1e-4)
