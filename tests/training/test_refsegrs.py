"""The RefSegRS reader on a dataset written here: ids, masks > 50, phrase lines, splits, tokens."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Tuple

import numpy as np
import pytest
import torch
from PIL import Image

from helpers.refsegrs import write_refsegrs
from rrsis.errors import InputError
from rrsis.models import Tokenizer
from rrsis.training.datasets.refsegrs import (RefSegRSDataset, category_of, read_split,
                                              read_splits)

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def _write(root: Path, sid: str, image: np.ndarray, mask: np.ndarray) -> None:
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "masks").mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(root / "images" / f"{sid}.tif")
    Image.fromarray(mask).save(root / "masks" / f"{sid}.tif")


def test_reads_ids_expressions_and_splits(tmp_path: Path) -> None:
    img = np.zeros((8, 8, 3), np.uint8)
    _write(tmp_path, "17", img, np.zeros((8, 8), np.uint8))
    _write(tmp_path, "0042", img, np.zeros((8, 8), np.uint8))
    (tmp_path / "output_phrase_train.txt").write_text(
        "17 vehicle along the road\n\n0042   low vegetation surrounded by building \n")
    (tmp_path / "output_phrase_test.txt").write_text("17 car\n")
    train = read_split(tmp_path, "train")
    assert [(s.id, s.expression) for s in train] == [
        ("17", "vehicle along the road"), ("0042", "low vegetation surrounded by building")]
    assert [s.category for s in train] == ["vehicle", "low vegetation"]
    assert train[1].image == tmp_path / "images" / "0042.tif"
    assert [s.id for s in read_split(tmp_path, "test")] == ["17"]
    with pytest.raises(InputError, match="no split 'val'"):
        read_split(tmp_path, "val")


def test_bad_lines_and_missing_files_are_input_errors(tmp_path: Path) -> None:
    _write(tmp_path, "1", np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8), np.uint8))
    (tmp_path / "output_phrase_train.txt").write_text("1\n")
    with pytest.raises(InputError, match="expected '<id> <expression>'"):
        read_split(tmp_path, "train")
    (tmp_path / "output_phrase_train.txt").write_text("2 car\n")
    with pytest.raises(InputError, match="no file for id '2'"):
        read_split(tmp_path, "train")


def test_category_words() -> None:
    assert category_of("car on the road") == "car"
    assert category_of("the long truck") == "truck"
    assert category_of("road marking next to the car") == "road marking"
    assert category_of("buildings along the road") == "building"
    assert category_of("something else") is None


def test_mask_threshold_resize_and_normalisation(tmp_path: Path) -> None:
    mask = np.zeros((8, 8), np.uint8)
    mask[:4, :4] = 51          # foreground (> 50)
    mask[4:, 4:] = 50          # background (not > 50)
    image = np.full((8, 8, 3), 255, np.uint8)
    _write(tmp_path, "a", image, mask)
    (tmp_path / "output_phrase_train.txt").write_text("a car\n")
    tok = Tokenizer(20)
    ds = RefSegRSDataset(read_split(tmp_path, "train"), 16, tok, MEAN, STD)
    item = ds[0]
    expected = np.zeros((16, 16), np.int64)
    expected[:8, :8] = 1       # nearest resize of the thresholded mask
    assert np.array_equal(item["mask"].numpy(), expected)
    assert item["image"].shape == (3, 16, 16)
    white = (torch.ones(3) - torch.tensor(MEAN)) / torch.tensor(STD)
    assert torch.allclose(item["image"][:, 5, 5], white, atol=1e-6)
    ids, att = tok("car")
    assert torch.equal(item["input_ids"], ids[0]) and torch.equal(item["attention_mask"], att[0])


def test_tokenization_is_the_papers() -> None:
    tok = Tokenizer(20)
    ids, mask = tok(["car"])
    assert ids.shape == (1, 20) and mask.shape == (1, 20)
    assert ids[0, :3].tolist() == [101, 2482, 102] and ids[0, 3:].eq(0).all()
    assert mask[0].tolist() == [1, 1, 1] + [0] * 17
    long_ids, long_mask = tok(["car " * 30])
    assert long_mask[0].eq(1).all()                    # truncated by slicing to 20 ids ...
    assert 102 not in long_ids[0].tolist()             # ... so the [SEP] is lost


def test_several_folders_and_absent_targets(tmp_path: Path) -> None:
    write_refsegrs(tmp_path / "a", {"train": 3}, size=16, empty_every=3)
    write_refsegrs(tmp_path / "b", {"train": 2}, size=16, seed=1)
    samples = read_splits([tmp_path / "a", tmp_path / "b"], "train")
    assert len(samples) == 5 and samples[3].root == tmp_path / "b"
    ds = RefSegRSDataset(samples, 16, Tokenizer(20), MEAN, STD)
    assert ds[2]["mask"].sum() == 0                    # an absent target is a valid sample
    assert ds[0]["mask"].sum() > 0


def test_augmentation_is_a_function_of_seed_epoch_and_index(tmp_path: Path) -> None:
    write_refsegrs(tmp_path, {"train": 2}, size=32)
    samples = read_split(tmp_path, "train")
    kw = dict(scale_range=(0.5, 1.5), random_crop=True, hflip=True, seed=3)
    a = RefSegRSDataset(samples, 32, Tokenizer(20), MEAN, STD, **kw)
    b = RefSegRSDataset(samples, 32, Tokenizer(20), MEAN, STD, **kw)
    assert torch.equal(a[1]["image"], b[1]["image"]) and torch.equal(a[1]["mask"], b[1]["mask"])
    shapes = set()
    for epoch in range(6):
        a.set_epoch(epoch)
        item = a[1]
        assert item["image"].shape == (3, 32, 32) and item["mask"].shape == (32, 32)
        shapes.add(int(item["mask"].sum()))
    assert len(shapes) > 1                              # the epochs really differ


def test_grey_samples_are_grey_and_leave_the_other_draws_alone(tmp_path: Path) -> None:
    write_refsegrs(tmp_path, {"train": 8}, size=32)
    samples = read_split(tmp_path, "train")
    kw = dict(scale_range=(1.0, 1.5), random_crop=True, hflip=True, seed=3)  # no padding
    plain = RefSegRSDataset(samples, 32, Tokenizer(20), MEAN, STD, **kw)
    grey = RefSegRSDataset(samples, 32, Tokenizer(20), MEAN, STD, grayscale_p=1.0, **kw)
    half = RefSegRSDataset(samples, 32, Tokenizer(20), MEAN, STD, grayscale_p=0.5, **kw)
    mean, std = torch.tensor(MEAN).view(3, 1, 1), torch.tensor(STD).view(3, 1, 1)
    n_grey = 0
    for i in range(len(samples)):
        g = grey[i]["image"] * std + mean
        assert torch.allclose(g[0], g[1], atol=1e-5) and torch.allclose(g[1], g[2], atol=1e-5)
        assert torch.equal(grey[i]["mask"], plain[i]["mask"])   # same crop, flip and scale
        h = half[i]["image"] * std + mean
        n_grey += int(torch.allclose(h[0], h[2], atol=1e-5))
    assert 0 < n_grey < len(samples)


def _plain_and(tmp_path: Path, **jitter: float) -> Tuple[RefSegRSDataset, ...]:
    """The same 8 samples, cropped, flipped and scaled alike: plain, with ``jitter``, and with
    it again (each draw is its own stream, so only the jittered one differs)."""
    write_refsegrs(tmp_path, {"train": 8}, size=32)
    samples = read_split(tmp_path, "train")
    kw = dict(scale_range=(1.0, 1.5), random_crop=True, hflip=True, seed=3)
    return (RefSegRSDataset(samples, 32, Tokenizer(20), MEAN, STD, **kw),
            RefSegRSDataset(samples, 32, Tokenizer(20), MEAN, STD, **jitter, **kw),
            RefSegRSDataset(samples, 32, Tokenizer(20), MEAN, STD, **jitter, **kw))


def test_stretch_jitter_restretches_each_sample_and_leaves_the_other_draws_alone(
        tmp_path: Path) -> None:
    plain, jittered, again = _plain_and(tmp_path, stretch_jitter=0.2)
    samples = plain.samples
    mean, std = torch.tensor(MEAN).view(3, 1, 1), torch.tensor(STD).view(3, 1, 1)
    for i in range(len(samples)):
        p, j = plain[i]["image"] * std + mean, jittered[i]["image"] * std + mean
        assert torch.equal(jittered[i]["mask"], plain[i]["mask"])   # same crop, flip, scale
        assert torch.equal(jittered[i]["image"], again[i]["image"])  # deterministic
        low, high = jittered._stretch(i)
        assert abs(low) <= 0.2 and abs(high - 1) <= 0.2
        expected = ((p - low) / (high - low)).clamp(0, 1)
        assert torch.allclose(j, expected, atol=1e-5)                # one affine re-stretch
        assert not torch.allclose(j, p, atol=1e-3)
    assert plain._stretch(0) is None


def test_gamma_jitter_bends_the_tones_of_each_sample_and_leaves_the_other_draws_alone(
        tmp_path: Path) -> None:
    plain, bent, again = _plain_and(tmp_path, gamma_jitter=0.4)
    mean, std = torch.tensor(MEAN).view(3, 1, 1), torch.tensor(STD).view(3, 1, 1)
    gammas = []
    for i in range(len(plain)):
        p, b = plain[i]["image"] * std + mean, bent[i]["image"] * std + mean
        assert torch.equal(bent[i]["mask"], plain[i]["mask"])       # same crop, flip, scale
        assert torch.equal(bent[i]["image"], again[i]["image"])      # deterministic
        gamma = bent._gamma(i)
        assert math.exp(-0.4) <= gamma <= math.exp(0.4)
        inside = (p > 0.01) & (p < 0.99)
        assert torch.allclose(b[inside], p[inside].pow(gamma), atol=1e-4)
        gammas.append(gamma)
    assert len(set(gammas)) == len(gammas) and plain._gamma(0) is None
