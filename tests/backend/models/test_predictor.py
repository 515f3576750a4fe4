"""The one predictor (rrsis.models.predictor): expressions encoded once, tiles in batches."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from rrsis.errors import InputError
from rrsis.models import create_model
from rrsis.models.predictor import Predictor


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    torch.manual_seed(0)
    return create_model("test-lgce-tiny")


def _tiles(model: torch.nn.Module, n: int, seed: int = 0) -> np.ndarray:
    size = model.config.input_size
    return np.random.default_rng(seed).random((n, 3, size, size), dtype=np.float32)


def test_predictor_takes_rgb_arrays_and_strings(model: torch.nn.Module) -> None:
    predictor = Predictor(model, device="cpu")
    rgb = np.random.default_rng(0).integers(0, 255, (40, 52, 3), dtype=np.uint8)
    with pytest.raises(InputError, match="set_expression"):
        predictor.predict(rgb)
    predictor.set_expression("cars")
    prob = predictor.predict(rgb)
    assert prob.shape == (40, 52) and prob.dtype == np.float32
    assert ((prob >= 0) & (prob <= 1)).all()
    # the same as the tensor-level forward
    ids, mask = model.tokenizer("cars")
    x = model.normalize(torch.from_numpy(rgb.astype(np.float32) / 255).permute(2, 0, 1)[None])
    with torch.inference_mode():
        want = model(x, ids, mask).softmax(1)[0, 1].numpy()
    assert np.allclose(prob, want, atol=1e-6)


def test_logit_difference_is_per_expression_and_per_tile(model: torch.nn.Module) -> None:
    """(E, B, S, S): each expression's row equals a run with that expression alone, and a
    batch equals its tiles one by one (batching changes nothing)."""
    tiles = _tiles(model, 3)
    both = Predictor(model, "cpu", ["cars", "the red roof"])
    diff = both.logit_difference(tiles)
    assert diff.shape == (2, 3) + tiles.shape[2:] and diff.dtype == np.float32
    alone = Predictor(model, "cpu", ["the red roof"]).logit_difference(tiles)
    np.testing.assert_allclose(diff[1:], alone, atol=1e-5)
    one_by_one = np.concatenate([both.logit_difference(tiles[i:i + 1]) for i in range(3)], 1)
    np.testing.assert_allclose(diff, one_by_one, atol=1e-4)
    assert not np.allclose(diff[0], diff[1])  # the expressions do reach the output
    # logit difference -> probability: sigmoid(l_fg - l_bg) == softmax(logits)[1]
    with torch.inference_mode():
        x = model.normalize(torch.from_numpy(tiles[:1]))
        ids, mask = model.tokenizer("cars")
        want = model(x, ids, mask).softmax(1)[0, 1].numpy()
    np.testing.assert_allclose(1 / (1 + np.exp(-diff[0, 0])), want, atol=1e-5)


def test_paired_logit_difference_matches_one_expression_per_image(
        model: torch.nn.Module) -> None:
    """What training evaluation calls: image i with expression i."""
    tiles = _tiles(model, 2, seed=1)
    texts = ["cars", "buildings along the road"]
    ids, mask = model.tokenizer(texts)
    predictor = Predictor(model, "cpu")
    paired = predictor.paired_logit_difference(model.normalize(torch.from_numpy(tiles)), ids, mask)
    assert paired.shape == (2,) + tiles.shape[2:]
    for i, text in enumerate(texts):
        ref = Predictor(model, "cpu", [text]).logit_difference(tiles[i:i + 1])[0, 0]
        np.testing.assert_allclose(paired[i].numpy(), ref, atol=1e-4)


def test_the_engine_path_is_deprecated_but_works(model: torch.nn.Module) -> None:
    from rrsis.engine import predictor as old

    with pytest.warns(DeprecationWarning, match="rrsis.models.predictor"):
        cls = old.Predictor
    assert cls is Predictor
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from rrsis.engine.runtime import make_predictor

        made = make_predictor("torch", model, "cpu", ["cars"], "auto", None)
    assert isinstance(made, Predictor) and made.expressions == ["cars"]
