"""Four more OAM places -> building triplets, split by area (``sources.more_buildings``)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers.data import shared_data
from PIL import Image
from rrsis.training.sources import more_buildings
from rrsis.training.sources.kampala import read_tiles
from rrsis.training.sources.kampala import split_by_columns as _split
from rrsis.training.sources.more_buildings import split_columns

pytestmark = pytest.mark.filterwarnings("ignore:The 'shapely.ops.transform:DeprecationWarning")


def test_split_columns_leave_a_one_column_gap():
    last_val, first_train = split_columns((100, 199))
    assert (last_val, first_train) == (119, 121)


@pytest.mark.parametrize("z", [19, 20, 21])
def test_no_tile_of_any_zoom_is_on_both_sides_of_the_gap(z):
    last_val, first_train = 119, 121
    f = 2 ** (21 - z)
    for x in range(100 // f, 200 // f):
        side = _split(x, z, last_val, first_train)
        cols = set(range(x * f, (x + 1) * f))
        if side == "val":
            assert max(cols) <= last_val
        elif side == "train":
            assert min(cols) >= first_train
        else:
            assert cols & {120} or (min(cols) <= last_val and max(cols) >= first_train)


def test_build_uses_every_place_nairobi_coarse_only(tmp_path):
    src = shared_data("more-buildings")
    meta = more_buildings.build_more_buildings(src, tmp_path / "m", size=64)
    prefixes = {s: {line.split("_")[0] for line in
                    (tmp_path / "m" / f"output_phrase_{s}.txt").read_text().splitlines()}
                for s in ("train", "val")}
    for place in more_buildings.PLACES:
        assert any(p.startswith(place) for p in prefixes["train"]), place
        assert any(p.startswith(place) for p in prefixes["val"]), place
    assert {p for p in prefixes["train"] | prefixes["val"] if p.startswith("nairobi")} \
        == {"nairobi-z19"}
    assert set(meta["split_rule"]) == set(more_buildings.PLACES)
    # the masks hold buildings: most Zanzibar tiles are unbuilt, so over a third of crops has none
    masks = sorted((tmp_path / "m" / "masks").glob("*.png"))
    full = sum((np.asarray(Image.open(m)) > 50).any() for m in masks)
    assert full > 0.35 * len(masks)
    assert read_tiles(src / "kathmandu" / "tiles")[21]
