"""rrsis.training.sources.cars against the real labelled frames: split by sequence, masks
inside the YOLO boxes, absent targets really absent.

Run on real data in ``../shared/data`` (skipped cleanly when it is absent) while the crop
windows the adapter draws are recorded, so that every written RefSegRS triplet can be
checked against the *raw* labels, recomputed here independently of the adapter (see
:mod:`helpers.sources`).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers.data import shared_data
from helpers.sources import (SIZE, read_dataset)
from rrsis.training.sources import cars, common


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
