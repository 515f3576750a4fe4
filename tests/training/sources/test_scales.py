"""The card's per-group GSD ranges, measured from written training folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rrsis.training.sources.common import Crop, DatasetWriter
from rrsis.training.sources.scales import group_gsd_ranges

SIZE = 32


def _crop(gsd: float, **phrases: bool) -> Crop:
    """A crop whose phrases (underscores for spaces) have a full or an empty mask."""
    img = np.full((SIZE, SIZE, 3), 100, np.uint8)
    return Crop(img, gsd, {k.replace("_", " "): np.full((SIZE, SIZE), v) for k, v in
                           phrases.items()})


def _folder(root: Path, crops, split: str = "train") -> None:
    writer = DatasetWriter(root, SIZE, {"name": root.name, "gsd_m": 0.15}, ["car", "road"])
    for crop in crops:
        writer.add(crop, split, root.name)
    writer.close()


def test_ranges_span_the_positive_triplets_of_each_group(tmp_path: Path) -> None:
    _folder(tmp_path / "land", [_crop(0.4123, roads=True, cars=False),  # absent cars: no
                                _crop(0.55, the_road=True, water=True),
                                _crop(0.9, water=True)])                # beyond the model
    _folder(tmp_path / "drone", [_crop(0.1, cars=True, buildings=True),
                                 _crop(0.2, vehicles=True, cars_and_trees=True)])
    _folder(tmp_path / "held", [_crop(0.03, roads=True)], split="val")  # not training
    ranges = group_gsd_ranges(tmp_path, sources=("land", "drone", "held", "missing"))
    assert ranges == {"road": [0.41, 0.55], "water": [0.55, 0.6], "vehicle": [0.1, 0.2],
                      "building": [0.1, 0.1]}
    # a GSD finer than the model serves is kept at its finest end
    assert group_gsd_ranges(tmp_path, split="val", sources=("held",)) == {"road": [0.05, 0.05]}


def test_a_folder_without_any_source_is_an_error(tmp_path: Path) -> None:
    from rrsis.errors import InputError

    with pytest.raises(InputError, match="no dataset folder"):
        group_gsd_ranges(tmp_path / "missing")
