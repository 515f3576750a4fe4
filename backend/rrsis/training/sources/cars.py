"""KIT AIS (Munich) and Minsk drone frames with YOLO boxes -> referring triplets about vehicles.

**Weak masks:** the source labels are axis-aligned boxes, not outlines. Each box becomes
the ellipse inscribed in it (area pi/4 of the box): from nadir a car fills most of its box
when aligned with the axes and much less when diagonal, so the ellipse is the better
guess on average. Metrics against these masks are therefore approximate.

Split by sequence, never by frame (neighbouring frames overlap): KIT ``MOS74-93`` and Minsk
``DJI_0762-*`` are validation, KIT ``MOS155-179``, Minsk ``DJI_0005-*`` and ``DJI_0013-*``
training. Every vehicle in these street scenes is on a road, so "vehicles along the road"
selects all vehicles here (there are no road labels to decide otherwise).
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
from PIL import Image

from .common import MEAN_RGB, Crop, DatasetWriter, crop_array, inscribed_ellipses, sample_gsd

__all__ = ["SEQUENCES", "sequence_of", "labelled_frames", "read_boxes", "build_cars"]

CAR, TRUCK, BUS, MINIBUS = 0, 1, 2, 3
VEHICLES = (CAR, TRUCK, BUS, MINIBUS)
# sequence -> (split, source GSD in metres)
SEQUENCES: Dict[str, Tuple[str, float]] = {
    "kit-mos74": ("val", 0.13), "kit-mos155": ("train", 0.13),
    "minsk-dji0762": ("val", 0.06), "minsk-dji0005": ("train", 0.06),
    "minsk-dji0013": ("train", 0.06),
}
#: how this source labels its relational expressions (read by relations_eval): every vehicle
#: is "on"/"along the road", whatever the road does, so these labels cannot tell whether a
#: relation was computed right; they still measure how many cars are found
RELATION_LABELS = "every object"

CAR_WORDS = ("car", "cars", "car on the road", "cars on the road", "the cars")
VEHICLE_WORDS = ("vehicle", "vehicles", "vehicles along the road", "vehicle on the road",
                 "all vehicles")
OTHER = {"bus": (BUS,), "truck": (TRUCK,), "van": (MINIBUS,)}
CATEGORIES = ("vehicle", "car", "van", "truck", "bus", "building", "road", "water")
LICENCE = ("KIT AIS images: CC BY 3.0, \"KIT AIS Data Set\", Institute of Photogrammetry and "
           "Remote Sensing (IPF), Karlsruhe Institute of Technology; Minsk drone images and all "
           "box labels: CC BY-SA, (c) Yauhen Kharuzhy and Minsk OSM community "
           "(jekhor/aerial-cars-dataset)")


def sequence_of(name: str) -> str:
    m = re.match(r"MOS(\d+)", name)
    if m:
        return "kit-mos74" if int(m.group(1)) < 120 else "kit-mos155"
    m = re.match(r"DJI[_-]0*(\d+)-", name)
    if m:
        return f"minsk-dji{int(m.group(1)):04d}"
    return "unknown"


def labelled_frames(src: Path) -> List[Tuple[Path, str, str, float]]:
    """(image, sequence, split, source GSD) of every frame of a known sequence with its boxes,
    in name order."""
    out = []
    for path in sorted(src.iterdir()):
        seq = sequence_of(path.name)
        if path.suffix.lower() in (".png", ".jpg") and path.with_suffix(".txt").is_file() \
                and seq in SEQUENCES:
            out.append((path, seq, *SEQUENCES[seq]))
    return out


def read_boxes(txt: Path, w: int, h: int) -> List[Tuple[int, float, float, float, float]]:
    """YOLO lines -> (class, x0, y0, x1, y1) in pixels."""
    out = []
    for line in txt.read_text().split("\n"):
        parts = line.split()
        if len(parts) != 5:
            continue
        c, cx, cy, bw, bh = int(parts[0]), *map(float, parts[1:])
        out.append((c, (cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h))
    return out


def _ellipses(boxes, classes, y: int, x: int, side: int, out: int) -> np.ndarray:
    """Inscribed ellipses of the ``classes`` boxes in window (y, x, side), drawn at ``out`` px."""
    return inscribed_ellipses((b[1:] for b in boxes if b[0] in classes), y, x, side, out)


def crops_of_image(path: Path, src_gsd: float, size: int, n: int, rng: random.Random
                   ) -> List[Crop]:
    with Image.open(path) as im:
        arr = np.asarray(im.convert("RGB"))
    h, w = arr.shape[:2]
    boxes = read_boxes(path.with_suffix(".txt"), w, h)
    crops = []
    for _ in range(n):
        gsd = sample_gsd(rng, src_gsd * 0.8, 0.5)
        side = max(16, int(round(size * gsd / src_gsd)))
        y = rng.randint(0, h - side) if side <= h else -rng.randint(0, side - h)
        x = rng.randint(0, w - side) if side <= w else -rng.randint(0, side - w)
        img = crop_array(arr, y, x, side, MEAN_RGB)
        img = np.asarray(Image.fromarray(img).resize((size, size), Image.BILINEAR))
        cars = _ellipses(boxes, (CAR,), y, x, side, size)
        vehicles = _ellipses(boxes, VEHICLES, y, x, side, size)
        exprs = {rng.choice(CAR_WORDS): cars, rng.choice(VEHICLE_WORDS): vehicles}
        word = rng.choice(sorted(OTHER))
        exprs[word] = _ellipses(boxes, OTHER[word], y, x, side, size)
        crops.append(Crop(img, side * src_gsd / size, exprs))
    return crops


def build_cars(src: Path, out: Path, size: int = 192, crops_per_mpx: float = 5.0,
               seed: int = 0) -> Dict[str, object]:
    """``aerial-cars/`` -> RefSegRS-format folder ``out`` (train and val splits by sequence)."""
    rng = random.Random(seed)
    writer = DatasetWriter(out, size, {
        "name": "aerial-cars", "source": "jekhor/aerial-cars-dataset (KIT AIS Munich + Minsk)",
        "licence": LICENCE, "gsd_m": 0.15, "source_gsd_m": {"kit": 0.13, "minsk": 0.06},
        "weak_masks": "inscribed ellipses of YOLO boxes",
        "split_rule": {k: v[0] for k, v in SEQUENCES.items()}}, CATEGORIES)
    for path, seq, split, gsd in labelled_frames(Path(src)):
        with Image.open(path) as im:
            mpx = im.size[0] * im.size[1] / 1e6
        n = max(3, int(round(crops_per_mpx * mpx * (0.06 / gsd) ** 0.5)))
        for crop in crops_of_image(path, gsd, size, n, rng):
            writer.add(crop, split, seq)
    return writer.close()
