"""Copy-paste augmentation: which samples take part, what a paste writes, and that a sample's
paste is the same whenever it is drawn (seeded by seed, epoch and index)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from rrsis.models import Tokenizer
from rrsis.training.datasets.copy_paste import ObjectBank, plain_category, sample_gsds
from rrsis.training.datasets.refsegrs import (RefSegRSDataset, load_image, load_mask,
                                              read_split)

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


@pytest.mark.parametrize("expression,key", [
    ("building", ("building",)), ("houses", ("building",)), ("cars", ("car",)),
    ("the largest building", None), ("building next to the road", None), ("red roofs", None),
    ("buildings in the top left of the image", None), ("xqzv blorf", None)])
def test_only_plain_categories_take_part(expression: str, key) -> None:
    assert plain_category(expression) == key


def _dataset(root: Path) -> Path:
    """A 32 px tile with one bright 6 x 8 building, an empty 'building' tile and a relational
    sample of the same tile."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    full = np.full((32, 32, 3), 40, np.uint8)
    full[4:10, 20:28] = 220
    mask = np.zeros((32, 32), np.uint8)
    mask[4:10, 20:28] = 255
    for sid, img, m in (("a", full, mask), ("b", np.full((32, 32, 3), 40, np.uint8),
                                            np.zeros((32, 32), np.uint8)), ("c", full, mask)):
        Image.fromarray(img).save(root / "images" / f"{sid}.png")
        Image.fromarray(m).save(root / "masks" / f"{sid}.png")
    (root / "output_phrase_train.txt").write_text(
        "a building\nb building\nc building next to the road\n")
    return root


def test_a_paste_writes_the_objects_pixels_and_its_mask(tmp_path: Path) -> None:
    samples = read_split(_dataset(tmp_path), "train")
    bank = ObjectBank(samples, load_image, load_mask)
    assert bank.sources == {("building",): [0, 1]} and bank.keys[2] is None
    assert [p[1].sum() for p in bank.objects(0)] == [48] and bank.objects(1) == []
    empty = np.asarray(load_image(samples[1].image))
    rgb, mask = bank.paste(1, empty, load_mask(samples[1].mask), torch.Generator().manual_seed(0))
    assert mask.sum() % 48 == 0 and mask.sum() >= 48              # whole objects, 1 to 3
    assert (rgb[mask] == 220).all() and (rgb[~mask] == 40).all()
    same = bank.paste(2, empty, np.zeros((32, 32), bool), torch.Generator().manual_seed(0))
    assert not same[1].any()                                      # relational: unchanged


def test_the_dataset_pastes_the_same_way_whenever_a_sample_is_drawn(tmp_path: Path) -> None:
    samples = read_split(_dataset(tmp_path), "train")
    tokenizer = Tokenizer(20)
    ds = RefSegRSDataset(samples, 32, tokenizer, MEAN, STD, copy_paste=1.0, seed=3)
    first = ds[1]["mask"]
    assert first.sum() >= 48 and torch.equal(first, ds[1]["mask"])
    ds.set_epoch(1)
    assert ds[2]["mask"].sum() == 48                              # never pasted into
    off = RefSegRSDataset(samples, 32, tokenizer, MEAN, STD, seed=3)
    assert off.bank is None and off[1]["mask"].sum() == 0


def test_an_object_is_pasted_at_the_ground_scale_of_the_sample_it_goes_into(
        tmp_path: Path) -> None:
    root = _dataset(tmp_path)
    (root / "gsd_m.txt").write_text("a 0.1\nb 0.05\nc 0.1\n")     # b: twice as fine as a
    samples = read_split(root, "train")
    bank = ObjectBank(samples, load_image, load_mask, sample_gsds(samples))
    assert bank.gsd_m == [0.1, 0.05, 0.1]
    assert _smallest_box(bank, samples) == (12, 16)                # 6 x 8 doubled
    unknown = ObjectBank(samples, load_image, load_mask)           # no GSDs: as it was cut
    assert _smallest_box(unknown, samples) == (6, 8)


def _smallest_box(bank: ObjectBank, samples) -> tuple:
    """The sorted sides of the smallest bounding box of what ten pastes into the empty
    sample wrote (pastes may overlap, so one part can be several objects)."""
    from rrsis.training.sources.common import components

    boxes = []
    for seed in range(10):
        rgb, mask = bank.paste(1, np.asarray(load_image(samples[1].image)),
                               load_mask(samples[1].mask), torch.Generator().manual_seed(seed))
        assert (rgb[mask] == 220).all()
        labels, n = components(mask)
        for k in range(1, n + 1):
            rows, cols = np.nonzero(labels == k)
            boxes.append(tuple(sorted((int(np.ptp(rows)) + 1, int(np.ptp(cols)) + 1))))
    return min(boxes)
