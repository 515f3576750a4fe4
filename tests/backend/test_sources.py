"""The source adapters (``rrsis.training.sources``) against the real labelled data.

Each adapter is run on real data in ``../shared/data`` (skipped cleanly when it is absent)
while the crop windows it draws are recorded, so that every written RefSegRS triplet can be
checked against the *raw* labels, recomputed here independently of the adapter:

* splits are by sequence / area / tile, as the module docstrings document;
* masks (foreground = value > 50) match the labels: YOLO boxes, OSM footprints, Dubai colours
  from PROVENANCE.md (not ``classes.json``);
* absent-target expressions have empty masks and name classes that are really absent;
* "building next to the road" objects really are near road pixels.
"""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import numpy as np
import pytest
from helpers.data import shared_data
from PIL import Image
from rrsis.training.sources import cars, common, dubai, kampala

# kampala.py calls the deprecated shapely.ops.transform once per footprint: not this file's concern
pytestmark = pytest.mark.filterwarnings("ignore:The 'shapely.ops.transform:DeprecationWarning")

SIZE = 96  # small output tiles keep the file fast; the adapters take ``size`` as a parameter


# ---------------------------------------------------------------------------- helpers


class RecordingRng:
    """Delegates to a ``random.Random`` (same stream) and records every ``randint`` call."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.calls: list[tuple[int, int, int]] = []

    def randint(self, a: int, b: int) -> int:
        v = self._rng.randint(a, b)
        self.calls.append((a, b, v))
        return v

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._rng, name)


def read_dataset(root: Path) -> dict[int, dict[str, object]]:
    """RefSegRS folder -> {image index n: {split, prefix, image, exprs: {expr: bool mask}}}."""
    out: dict[int, dict[str, object]] = {}
    for split in ("train", "val", "test"):
        f = root / f"output_phrase_{split}.txt"
        if not f.is_file():
            continue
        for line in f.read_text().splitlines():
            if not line.strip():
                continue
            sid, expr = line.split(" ", 1)
            prefix, n, _k = sid.rsplit("_", 2)
            rec = out.setdefault(int(n), {"split": split, "prefix": prefix, "exprs": {},
                                          "sid": sid})
            assert rec["split"] == split, f"image {n} appears in two splits"
            mask = np.asarray(Image.open(root / "masks" / f"{sid}.png").convert("L")) > 50
            assert expr not in rec["exprs"], f"duplicate expression {expr!r} for image {n}"
            rec["exprs"][expr] = mask
            assert (root / "images" / f"{sid}.jpg").is_file()
    for rec in out.values():
        rec["image"] = np.asarray(Image.open(root / "images" / f"{rec['sid']}.jpg").convert("RGB"))
    return out


def label4(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """4-connected component labelling by min-label propagation (independent of the adapter)."""
    h, w = mask.shape
    big = h * w + 1
    lab = np.where(mask, np.arange(1, h * w + 1).reshape(h, w), big)
    while True:
        new = lab.copy()
        new[1:] = np.minimum(new[1:], lab[:-1])
        new[:-1] = np.minimum(new[:-1], lab[1:])
        new[:, 1:] = np.minimum(new[:, 1:], lab[:, :-1])
        new[:, :-1] = np.minimum(new[:, :-1], lab[:, 1:])
        new[~mask] = big
        if np.array_equal(new, lab):
            break
        lab = new
    lab = np.where(mask, lab, 0)
    ids = np.unique(lab[lab > 0])
    remap = np.zeros(big + 1, np.int64)
    remap[ids] = np.arange(1, len(ids) + 1)
    return remap[lab], len(ids)


def disk_dilate(mask: np.ndarray, radius: float) -> np.ndarray:
    """Pixels within Euclidean distance ``radius`` (in pixels) of a ``mask`` pixel."""
    r = math.floor(radius)
    h, w = mask.shape
    pad = np.pad(mask, r)
    out = np.zeros_like(mask)
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            if dy * dy + dx * dx <= radius * radius:
                out |= pad[r + dy:r + dy + h, r + dx:r + dx + w]
    return out


def nearest_resize_index(side: int, size: int) -> np.ndarray:
    return np.minimum(((np.arange(size) + 0.5) * side / size).astype(int), side - 1)


# ---------------------------------------------------------------------------- cars

CAR_EXPRS = set(cars.CAR_WORDS)
VEHICLE_EXPRS = set(cars.VEHICLE_WORDS)
OTHER_CLASS = {"bus": {2}, "truck": {1}, "van": {3}}  # aerial.names: 1 truck, 2 bus, 3 minibus


def yolo_boxes(txt: Path, w: int, h: int) -> list[tuple[int, float, float, float, float]]:
    boxes = []
    for line in txt.read_text().splitlines():
        p = line.split()
        if len(p) == 5:
            c, cx, cy, bw, bh = int(p[0]), *map(float, p[1:])
            boxes.append((c, (cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w,
                          (cy + bh / 2) * h))
    return boxes


def box_raster(boxes, classes, y: int, x: int, side: int, size: int, grow: float = 0.0
               ) -> np.ndarray:
    """Output pixels that overlap a box of ``classes`` (optionally grown by ``grow`` px)."""
    s = size / side
    out = np.zeros((size, size), bool)
    for c, x0, y0, x1, y1 in boxes:
        if c not in classes:
            continue
        c0 = max(0, math.floor((x0 - x) * s - grow))
        c1 = min(size, math.ceil((x1 - x) * s + grow))
        r0 = max(0, math.floor((y0 - y) * s - grow))
        r1 = min(size, math.ceil((y1 - y) * s + grow))
        if c1 > c0 and r1 > r0:
            out[r0:r1, c0:c1] = True
    return out


def independent_sequence(name: str) -> str:
    """Minsk: the frame-set prefix before the last dash; KIT: a run of consecutive MOS numbers
    with one frame size (computed from the folder listing, not from the adapter)."""
    if name.startswith("DJI"):
        return name.rsplit("-", 1)[0]
    return name  # resolved to a run below


def kit_runs(folder: Path) -> dict[str, str]:
    frames = []
    for p in folder.glob("MOS*.png"):
        with Image.open(p) as im:
            frames.append((int(re.match(r"MOS(\d+)", p.name).group(1)), im.size, p.name))
    frames.sort()
    runs: dict[str, str] = {}
    run_id, prev = None, None
    for num, size, name in frames:
        if prev is None or num != prev[0] + 1 or size != prev[1]:
            run_id = f"kit-run-from-{num}"
        runs[name] = run_id
        prev = (num, size)
    return runs


@pytest.fixture(scope="module")
def cars_build(tmp_path_factory):
    src = shared_data("aerial-cars")
    out = tmp_path_factory.mktemp("cars") / "cars"
    mp = pytest.MonkeyPatch()
    log: list[dict[str, object]] = []
    current: dict[str, object] = {}
    orig_crop_array, orig_crops_of_image = cars.crop_array, cars.crops_of_image

    def rec_crop_array(arr, y, x, side, fill=0):  # type: ignore[no-untyped-def]
        log.append({"path": current["path"], "y": y, "x": x, "side": side})
        return orig_crop_array(arr, y, x, side, fill)

    def rec_crops_of_image(path, src_gsd, size, n, rng):  # type: ignore[no-untyped-def]
        current["path"] = Path(path)
        crops = orig_crops_of_image(path, src_gsd, size, n, rng)
        assert len(crops) == n
        return crops

    mp.setattr(cars, "crop_array", rec_crop_array)
    mp.setattr(cars, "crops_of_image", rec_crops_of_image)
    try:
        meta = cars.build_cars(src, out, size=SIZE, crops_per_mpx=1.0, seed=3)
    finally:
        mp.undo()
    return src, out, meta, log, read_dataset(out)


def test_cars_split_by_sequence_never_by_frame(cars_build):
    src, _out, meta, log, ds = cars_build
    assert len(ds) == len(log)
    runs = kit_runs(src)
    split_of_group: dict[str, set] = {}
    files_seen = set()
    for n, rec in ds.items():
        name = log[n]["path"].name
        files_seen.add(name)
        group = runs.get(name) or independent_sequence(name)
        split_of_group.setdefault(group, set()).add(rec["split"])
    # every labelled image is used
    labelled = {p.name for p in src.iterdir() if p.suffix in (".png", ".jpg")
                and p.with_suffix(".txt").is_file()}
    assert files_seen == labelled
    # no KIT sequence or Minsk frame set in both splits
    for group, splits in split_of_group.items():
        assert len(splits) == 1, f"{group} is in {sorted(splits)}"
    val = {g for g, s in split_of_group.items() if s == {"val"}}
    train = {g for g, s in split_of_group.items() if s == {"train"}}
    # the documented rule: MOS74-93 and DJI_0762 validation, the rest training
    assert val == {"kit-run-from-74", "DJI_0762"}
    assert train == {"kit-run-from-155", "DJI_0005", "DJI_0013"}
    assert set(meta["splits"]) == {"train", "val"}


def test_cars_masks_are_ellipses_inside_the_yolo_boxes(cars_build):
    _src, _out, _meta, log, ds = cars_build
    boxes_cache: dict[Path, tuple[list, np.ndarray]] = {}
    n_checked_boxes = 0
    fill_ratios = []
    for n, rec in ds.items():
        w = log[n]
        path = w["path"]
        if path not in boxes_cache:
            with Image.open(path) as im:
                arr = np.asarray(im.convert("RGB"))
            boxes_cache[path] = (yolo_boxes(path.with_suffix(".txt"), arr.shape[1], arr.shape[0]),
                                 arr)
        boxes, arr = boxes_cache[path]
        y, x, side = w["y"], w["x"], w["side"]
        exprs = rec["exprs"]
        assert len(exprs) == 3
        car_expr = [e for e in exprs if e in CAR_EXPRS]
        veh_expr = [e for e in exprs if e in VEHICLE_EXPRS]
        other_expr = [e for e in exprs if e in OTHER_CLASS]
        assert len(car_expr) == len(veh_expr) == len(other_expr) == 1, sorted(exprs)
        car, veh, other = exprs[car_expr[0]], exprs[veh_expr[0]], exprs[other_expr[0]]
        car_boxes = box_raster(boxes, {0}, y, x, side, SIZE)
        veh_boxes = box_raster(boxes, {0, 1, 2, 3}, y, x, side, SIZE)
        oth_classes = OTHER_CLASS[other_expr[0]]
        oth_boxes = box_raster(boxes, oth_classes, y, x, side, SIZE)
        # weak masks lie inside the boxes of their class
        assert not (car & ~car_boxes).any(), f"car mask outside car boxes in image {n}"
        assert not (veh & ~veh_boxes).any(), f"vehicle mask outside vehicle boxes in image {n}"
        assert not (other & ~oth_boxes).any()
        assert not (car & ~veh).any(), "a car is a vehicle"
        # an absent-target expression names a class with no box touching the crop
        if not other.any():
            touching = box_raster(boxes, oth_classes, y, x, side, SIZE, grow=0.0)
            assert not touching.any(), f"{other_expr[0]!r} empty but its box is in image {n}"
        # every car box wholly in the crop and big enough carries its inscribed ellipse
        s = SIZE / side
        for c, x0, y0, x1, y1 in boxes:
            if c != 0:
                continue
            bx0, by0, bx1, by1 = (x0 - x) * s, (y0 - y) * s, (x1 - x) * s, (y1 - y) * s
            if bx0 < 0 or by0 < 0 or bx1 > SIZE or by1 > SIZE or min(bx1 - bx0, by1 - by0) < 6:
                continue
            inner = car[math.ceil(by0):int(by1), math.ceil(bx0):int(bx1)]
            area = (bx1 - bx0) * (by1 - by0)
            fill_ratios.append(car[max(0, int(by0)):math.ceil(by1),
                                   max(0, int(bx0)):math.ceil(bx1)].sum() / area)
            assert inner.any(), f"car box without mask in image {n}"
            n_checked_boxes += 1
        # the image is the same window of the source (mask and image are aligned)
        win = np.full((side, side, 3), common.MEAN_RGB, np.uint8)
        h, wd = arr.shape[:2]
        ys, xs = max(y, 0), max(x, 0)
        ye, xe = min(y + side, h), min(x + side, wd)
        win[ys - y:ye - y, xs - x:xe - x] = arr[ys:ye, xs:xe]
        ref = np.asarray(Image.fromarray(win).resize((SIZE, SIZE), Image.BILINEAR), np.float32)
        assert np.abs(ref - rec["image"].astype(np.float32)).mean() < 6
    assert n_checked_boxes > 50
    # inscribed ellipse: about pi/4 of its box
    assert 0.6 < float(np.median(fill_ratios)) < 0.9


def test_cars_dataset_has_cars_and_absent_targets(cars_build):
    _, out, _meta, _log, ds = cars_build
    n_car = sum(any(e in CAR_EXPRS and m.any() for e, m in r["exprs"].items())
                for r in ds.values())
    n_empty = sum(not m.any() for r in ds.values() for m in r["exprs"].values())
    assert n_car > 0.4 * len(ds)
    assert n_empty > 0
    assert (out / "categories.txt").is_file() and (out / "dataset.json").is_file()
    assert json.loads((out / "dataset.json").read_text())["tile_size"] == SIZE


# ---------------------------------------------------------------------------- kampala

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


# ---------------------------------------------------------------------------- dubai

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


# ---------------------------------------------------------------------------- common


def test_near_selects_whole_components_within_the_distance():
    objects = np.zeros((40, 40), bool)
    objects[5:10, 5:11] = True     # 4 px from the road column (x = 14)
    objects[20:25, 30:35] = True   # 16 px away
    other = np.zeros_like(objects)
    other[:, 14] = True
    sel = common.near(objects, other, 4)
    assert sel[5:10, 5:11].all() and not sel[20:25, 30:35].any()
    assert not common.near(objects, np.zeros_like(other), 4).any()
