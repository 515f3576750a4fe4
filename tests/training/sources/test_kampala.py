"""rrsis.training.sources.kampala against the real tiles: slippy-map bounds, split by area
with a gap, building masks matching the OSM footprints.

Run on real data in ``../shared/data`` (skipped cleanly when it is absent) while the crop
windows the adapter draws are recorded, so that every written RefSegRS triplet can be
checked against the *raw* labels, recomputed here independently of the adapter (see
:mod:`helpers.sources`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers.data import shared_data
from helpers.sources import (SIZE, RecordingRng, read_dataset)
from rrsis.training.sources import kampala

# kampala.py calls the deprecated shapely.ops.transform once per footprint: not this file's concern
pytestmark = pytest.mark.filterwarnings("ignore:The 'shapely.ops.transform:DeprecationWarning")


ORIGIN = 20037508.342789244


def lonlat_to_world_px(lon: np.ndarray, lat: np.ndarray, z: int) -> tuple[np.ndarray, np.ndarray]:
    """Standard slippy-map formula: lon/lat -> global pixel coordinates at zoom z."""
    n = 256 * 2 ** z
    lat_r = np.radians(lat)
    px = (np.asarray(lon) + 180.0) / 360.0 * n
    py = (1.0 - np.log(np.tan(lat_r) + 1.0 / np.cos(lat_r)) / math.pi) / 2.0 * n
    return px, py


def footprints_world_px(labels: Path, z: int):  # type: ignore[no-untyped-def]
    import shapely
    from shapely.geometry import shape

    polys = []
    for feat in json.loads(labels.read_text())["features"]:
        g = shape(feat["geometry"])
        polys.append(shapely.transform(g, lambda c: np.stack(
            lonlat_to_world_px(c[:, 0], c[:, 1], z), axis=1)))
    return polys


def test_kampala_tile_bounds_match_the_slippy_map_formula():
    # independent formula: x, y -> lon/lat of the NW corner, projected to EPSG:3857
    for x, y, z in [(1238448, 1046528, 21), (619224, 1046528 // 2, 20), (309606, 261632, 19)]:
        n = 2 ** z
        lon = x / n * 360 - 180
        lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
        mx = lon * ORIGIN / 180
        my = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * 6378137.0
        left, bottom, right, top = kampala.tile_bounds_3857(x, y, z)
        assert left == pytest.approx(mx, abs=1e-3) and top == pytest.approx(my, abs=1e-3)
        assert right - left == pytest.approx(2 * ORIGIN / n) == pytest.approx(top - bottom)


KAMPALA_CROPS = {(21, "train"): 12, (21, "val"): 12, (20, "train"): 4, (20, "val"): 3,
                 (19, "train"): 2, (19, "val"): 2}


@pytest.fixture(scope="module")
def kampala_build(tmp_path_factory):
    src = shared_data("kampala-buildings")
    out = tmp_path_factory.mktemp("kampala") / "kampala"
    mp = pytest.MonkeyPatch()
    log: list[dict[str, object]] = []
    current: dict[str, object] = {}
    orig_mosaic, orig_crops, real_crop = kampala.mosaic, kampala.crops_of_mosaic, kampala.Crop

    def rec_mosaic(tiles, z):  # type: ignore[no-untyped-def]
        current["tiles"], current["z"] = dict(tiles), z
        return orig_mosaic(tiles, z)

    def rec_crops(rgb, valid, ids, zgsd, size, n, rng):  # type: ignore[no-untyped-def]
        current["rng"] = RecordingRng(rng)
        current["hw"] = valid.shape
        return orig_crops(rgb, valid, ids, zgsd, size, n, current["rng"])

    def rec_crop(*a, **k):  # type: ignore[no-untyped-def]
        c = real_crop(*a, **k)
        (_, by, y), (_, bx, x) = current["rng"].calls[-2:]
        h, w = current["hw"]
        assert h - by == w - bx
        log.append({"z": current["z"], "tiles": current["tiles"], "y": y, "x": x,
                    "side": h - by})
        return c

    mp.setattr(kampala, "mosaic", rec_mosaic)
    mp.setattr(kampala, "crops_of_mosaic", rec_crops)
    mp.setattr(kampala, "Crop", rec_crop)
    try:
        meta = kampala.build_kampala(src, out, size=SIZE, seed=1, crops=KAMPALA_CROPS)
    finally:
        mp.undo()
    return src, out, meta, log, read_dataset(out)


def _world_window(w: dict[str, object]) -> tuple[float, float, int]:
    x0 = min(k[0] for k in w["tiles"])
    y0 = min(k[1] for k in w["tiles"])
    return x0 * 256 + w["x"], y0 * 256 + w["y"], w["side"]


def test_kampala_split_by_area_with_a_gap(kampala_build):
    _src, _out, _meta, log, ds = kampala_build
    assert len(ds) == len(log)
    east_val, west_train = -math.inf, math.inf
    for n, rec in ds.items():
        w = log[n]
        z = w["z"]
        # every tile that fed this crop's mosaic, and the crop window itself, in z21 columns
        f = 2 ** (21 - z)
        tile_cols = [(k[0] * f, (k[0] + 1) * f) for k in w["tiles"]]
        gx, _gy, side = _world_window(w)
        win = (gx / 256 * f, (gx + side) / 256 * f)
        if rec["split"] == "val":
            east_val = max(east_val, win[1], *(e for _, e in tile_cols))
        else:
            assert rec["split"] == "train"
            west_train = min(west_train, win[0], *(wst for wst, _ in tile_cols))
    # val wholly west of z21 column 1238451, train from column 1238452: one column (~19 m) gap
    assert east_val <= 1238451
    assert west_train >= 1238452
    assert west_train - east_val >= 1
    splits = {r["split"] for r in ds.values()}
    assert splits == {"train", "val"}
    # z19 tile 309612 straddles the gap: it must never feed a mosaic
    for w in log:
        for (tx, _ty) in w["tiles"]:
            f = 2 ** (21 - w["z"])
            assert (tx + 1) * f <= kampala.VAL_WEST_OF_X21 or tx * f >= kampala.TRAIN_EAST_OF_X21


def test_kampala_building_masks_match_osm_footprints(kampala_build):
    import shapely

    src, _out, _meta, log, ds = kampala_build
    polys_by_z = {}
    tile_cache: dict[Path, np.ndarray] = {}
    ious, n_largest = [], 0
    building_words = set(kampala.BUILDING_WORDS)
    for n, rec in ds.items():
        w = log[n]
        z = w["z"]
        if z not in polys_by_z:
            polys_by_z[z] = footprints_world_px(src / "labels.geojson", z)
        polys = polys_by_z[z]
        gx, gy, side = _world_window(w)
        c = (np.arange(SIZE) + 0.5) * side / SIZE
        X, Y = np.meshgrid(gx + c, gy + c)
        inside = np.zeros((SIZE, SIZE), bool)
        ids = np.zeros((SIZE, SIZE), np.int32)
        for i, p in enumerate(polys):
            hit = shapely.contains_xy(p, X, Y)
            inside |= hit
            ids[hit] = i + 1
        exprs = rec["exprs"]
        bexpr = [e for e in exprs if e in building_words]
        assert len(bexpr) == 1, sorted(exprs)
        mask = exprs[bexpr[0]]
        agree = (mask == inside).mean()
        assert agree > 0.95, f"building mask disagrees with OSM footprints on {1 - agree:.1%}"
        if inside.sum() > 200:
            ious.append((mask & inside).sum() / (mask | inside).sum())
        if "the largest building" in exprs:
            big = exprs["the largest building"]
            n_largest += 1
            assert big.any() and not (big & ~mask).any()
            assert not (big[0].any() or big[-1].any() or big[:, 0].any() or big[:, -1].any())
            # one footprint, the largest of those wholly inside the crop
            fid = np.bincount(ids[big]).argmax()
            assert fid > 0 and (ids[big] == fid).mean() > 0.9
            border = set(np.unique(np.concatenate([ids[0], ids[-1], ids[:, 0], ids[:, -1]])))
            areas = {i: (ids == i).sum() for i in np.unique(ids) if i > 0 and i not in border}
            assert areas[fid] >= max(areas.values()) * 0.95
        for e, m in exprs.items():
            if e not in building_words and e != "the largest building":
                assert e == "water" and not m.any()  # only buildings are labelled
        # the image is the same window of the tiles (mask and imagery aligned)
        img = np.zeros((SIZE, SIZE, 3), np.float32)
        tx, ty = (X // 256).astype(int), (Y // 256).astype(int)
        for key in set(zip(tx.ravel(), ty.ravel())):
            p = src / "tiles" / f"OAM-{key[0]}-{key[1]}-{z}.png"
            if p not in tile_cache:
                tile_cache[p] = np.asarray(Image.open(p).convert("RGB")).astype(np.float32)
            sel = (tx == key[0]) & (ty == key[1])
            img[sel] = tile_cache[p][(Y[sel] % 256).astype(int), (X[sel] % 256).astype(int)]
        assert np.abs(img - rec["image"]).mean() < 25
    assert ious and float(np.median(ious)) > 0.9
    assert n_largest > 0
