"""rrsis.training.sources.dubai against the real tiles: split by tile, masks from the
PROVENANCE.md colours (not ``classes.json``), absent targets, "building next to the road".

Run on real data in ``../shared/data`` (skipped cleanly when it is absent) while the crop
windows the adapter draws are recorded, so that every written RefSegRS triplet can be
checked against the *raw* labels, recomputed here independently of the adapter (see
:mod:`helpers.sources`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers.data import shared_data
from helpers.sources import (SIZE, RecordingRng, disk_dilate, label4, nearest_resize_index,
                             read_dataset)
from rrsis.training.sources import dubai


DUBAI_WORDS = {w: cls for cls, words in {
    "building": ("building", "buildings", "houses"),
    "road": ("road", "roads", "the road"),
    "water": ("water", "the water", "sea"),
    "vegetation": ("vegetation", "green vegetation", "trees and vegetation"),
    "land": ("bare land", "unpaved land", "sand"),
}.items() for w in words}
NEXT_TO_ROAD = "building next to the road"
DUBAI_SUBSET = {"tile-1": 3, "tile-2": 3, "tile-3": 2, "tile-6": 2}


def provenance_colours(src: Path) -> dict[str, tuple[int, int, int]]:
    """The class colour table of dubai-landcover/PROVENANCE.md (the real mask colours)."""
    out = {}
    for line in (src / "PROVENANCE.md").read_text().splitlines():
        m = re.match(r"\|\s*([A-Za-z][^|(]*?)\s*(?:\([^|]*\))?\s*\|\s*\((\d+),\s*(\d+),\s*(\d+)\)",
                     line)
        if m:
            out[m.group(1).split()[0].lower()] = tuple(int(v) for v in m.group(2, 3, 4))
    assert set(out) == {"building", "land", "road", "vegetation", "water", "unlabeled"}
    return out


def decode_with(colours: dict[str, tuple[int, int, int]], rgb: np.ndarray) -> dict[str, np.ndarray]:
    names = list(colours)
    best = np.full(rgb.shape[:2], np.iinfo(np.int64).max)
    idx = np.zeros(rgb.shape[:2], np.int8)
    rgb = rgb.astype(np.int64)
    for i, n in enumerate(names):
        d = ((rgb - np.array(colours[n])) ** 2).sum(-1)
        better = d < best
        idx[better], best[better] = i, d[better]
    return {n: idx == i for i, n in enumerate(names)}


_DECODED: dict[Path, dict[str, np.ndarray]] = {}


def decoded(data: Path, mask: Path) -> dict[str, np.ndarray]:
    """Class maps of one Dubai mask PNG, decoded with the PROVENANCE.md colours (cached)."""
    if mask not in _DECODED:
        _DECODED[mask] = decode_with(provenance_colours(data),
                                     np.asarray(Image.open(mask).convert("RGB")))
    return _DECODED[mask]


@pytest.fixture(scope="module")
def dubai_build(tmp_path_factory):
    data = shared_data("dubai-landcover")
    src = tmp_path_factory.mktemp("dubai-src")
    for tile, k in DUBAI_SUBSET.items():
        for sub in ("images", "masks"):
            (src / tile / sub).mkdir(parents=True)
        for img in sorted((data / tile / "images").glob("*.jpg"))[:k]:
            (src / tile / "images" / img.name).symlink_to(img)
            m = data / tile / "masks" / f"{img.stem}.png"
            (src / tile / "masks" / m.name).symlink_to(m)
    out = tmp_path_factory.mktemp("dubai") / "dubai"
    mp = pytest.MonkeyPatch()
    log: list[dict[str, object]] = []
    orig = dubai.crops_of_pair

    def rec_crops(image, mask, size, rng, per_crop=4):  # type: ignore[no-untyped-def]
        r = RecordingRng(rng)
        crops = orig(image, mask, size, r, per_crop)
        with Image.open(image) as im:
            w, h = im.size
        assert len(r.calls) == 2 * len(crops)
        for i in range(len(crops)):
            (_, by, y), (_, bx, x) = r.calls[2 * i:2 * i + 2]
            assert h - by == w - bx
            log.append({"image": Path(image), "mask": Path(mask), "y": y, "x": x,
                        "side": h - by, "tile": Path(image).parent.parent.name})
        return crops

    mp.setattr(dubai, "crops_of_pair", rec_crops)
    try:
        meta = dubai.build_dubai(src, out, size=SIZE, seed=2)
    finally:
        mp.undo()
    return data, out, meta, log, read_dataset(out)


def test_dubai_split_by_tile(dubai_build):
    _data, _out, _meta, log, ds = dubai_build
    assert len(ds) == len(log)
    tiles_by_split: dict[str, set] = {}
    for n, rec in ds.items():
        tiles_by_split.setdefault(rec["split"], set()).add(log[n]["tile"])
    # the documented validation tiles, and nothing else, are validation
    assert tiles_by_split["val"] == {"tile-2", "tile-6"}
    assert tiles_by_split["train"] == {"tile-1", "tile-3"}


def test_dubai_masks_are_the_provenance_colours(dubai_build):
    data, _out, _meta, log, ds = dubai_build
    n_absent = n_present = 0
    for n, rec in ds.items():
        w = log[n]
        classes = decoded(data, w["mask"])
        y, x, side = w["y"], w["x"], w["side"]
        ii = nearest_resize_index(side, SIZE)
        local = {k: v[y:y + side, x:x + side][np.ix_(ii, ii)] for k, v in classes.items()}
        full = {k: v[y:y + side, x:x + side] for k, v in classes.items()}
        assert 1 <= len(rec["exprs"]) <= 4
        for expr, mask in rec["exprs"].items():
            if expr == NEXT_TO_ROAD:
                continue
            cls = DUBAI_WORDS[expr]
            if mask.any():
                n_present += 1
                diff = (mask != local[cls]).mean()
                assert diff < 0.01, f"{expr!r} differs from the {cls} colour pixels on {diff:.1%}"
            else:
                n_absent += 1
                # an empty-mask expression names a class that is absent from the crop
                assert full[cls].mean() < 0.003, f"{expr!r} empty but {cls} covers " \
                                                 f"{full[cls].mean():.2%} of the crop"
    assert n_present > 20 and n_absent > 0


def test_dubai_absent_targets_name_no_object_in_the_crop(dubai_build):
    """Empty-mask expressions: the class has no object in the crop (at most a few stray
    polygon-edge pixels, which the PROVENANCE notes: ~0.6 % of pixels are off-table colours)."""
    data, _out, _meta, log, ds = dubai_build
    n_absent = 0
    for n, rec in ds.items():
        w = log[n]
        y, x, side = w["y"], w["x"], w["side"]
        for expr, mask in rec["exprs"].items():
            if expr == NEXT_TO_ROAD or mask.any():
                continue
            n_absent += 1
            window = decoded(data, w["mask"])[DUBAI_WORDS[expr]][y:y + side, x:x + side]
            if window.any():
                lab, _k = label4(window)
                largest = np.bincount(lab[lab > 0]).max()
                assert largest < 20, f"{expr!r} is empty in image {n} but a {largest} m2 " \
                                     f"{DUBAI_WORDS[expr]} object is in the crop"
    assert n_absent > 0


def _next_to_road_components(data, log, ds):  # type: ignore[no-untyped-def]
    """For every "building next to the road" crop: (n, building, road, relation mask, m/px)."""
    for n, rec in ds.items():
        if NEXT_TO_ROAD not in rec["exprs"]:
            continue
        w = log[n]
        classes = decoded(data, w["mask"])
        y, x, side = w["y"], w["x"], w["side"]
        ii = nearest_resize_index(side, SIZE)
        building = classes["building"][y:y + side, x:x + side][np.ix_(ii, ii)]
        road = classes["road"][y:y + side, x:x + side][np.ix_(ii, ii)]
        yield n, building, road, rec["exprs"][NEXT_TO_ROAD], side * dubai.SOURCE_GSD_M / SIZE


def test_dubai_building_next_to_the_road_selects_buildings_near_roads(dubai_build):
    data, _out, _meta, log, ds = dubai_build
    n_rel = n_comp = 0
    for n, building, road, rel, m_per_px in _next_to_road_components(data, log, ds):
        n_rel += 1
        assert (rel & ~building).mean() < 0.005, "relation mask outside buildings"
        # as implemented (square dilation of round(3 m / GSD) px): at most 3 m along each axis,
        # so at most 3 m * sqrt(2) plus half a pixel of rounding per axis, in Euclidean terms
        reach = disk_dilate(road, (3.0 / m_per_px + 0.5) * math.sqrt(2))
        lab, k = label4(rel & building)
        for i in range(1, k + 1):
            comp = lab == i
            if comp.sum() < 4:
                continue
            n_comp += 1
            assert (comp & reach).any(), f"building in image {n} is far from every road"
        # and no building within 1.5 m of a road is left out
        close = disk_dilate(road, 1.5 / m_per_px)
        blab, bk = label4(building)
        for i in range(1, bk + 1):
            comp = blab == i
            if comp.sum() >= 8 and (comp & close).any():
                assert rel[comp].mean() > 0.9, f"building next to a road missed in image {n}"
        # a building far from every road (> 10 m) is never selected
        far = ~disk_dilate(road, 10.0 / m_per_px)
        for i in range(1, bk + 1):
            comp = blab == i
            if comp.sum() >= 8 and not (comp & ~far).any():
                assert not rel[comp].any(), f"building > 10 m from roads selected in image {n}"
    assert n_rel > 0 and n_comp > 0


def square_dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Pixels within ``radius`` pixels of a ``mask`` pixel along x and y (Chebyshev distance)."""
    h, w = mask.shape
    pad = np.pad(mask, radius)
    out = np.zeros_like(mask)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            out |= pad[radius + dy:radius + dy + h, radius + dx:radius + dx + w]
    return out


def test_dubai_building_next_to_the_road_is_within_3_m_along_each_axis(dubai_build):
    """The documented rule: 3 m along x and y (a square neighbourhood), not straight-line."""
    data, _out, _meta, log, ds = dubai_build
    too_far = []
    for n, building, road, rel, m_per_px in _next_to_road_components(data, log, ds):
        near3 = square_dilate(road, math.ceil(3.0 / m_per_px + 0.5))  # plus rounding
        lab, k = label4(rel & building)
        for i in range(1, k + 1):
            comp = lab == i
            if comp.sum() >= 4 and not (comp & near3).any():
                too_far.append(n)
    assert not too_far, f"buildings more than 3 m (per axis) from a road selected in {too_far}"
