"""Labels as analysts have them, made from a Dubai land-cover mask (RGB colours), for the worked
examples docs/finetune-roads.md and docs/finetune-landcover.md.

``lines``: the mask's roads as centre lines with a width field: its skeleton (Zhang-Suen
thinning) cut at the junctions, spurs under 8 m dropped; each line's width (field ``width``,
m) is the road area within 15 m of it over its length, in 2-30 m. ``codes``: the mask as a
class raster of codes (1 building, 2 land, 3 road, 4 vegetation, 5 water, 0 unlabelled), a
land-cover map. Both in the image's pixels (y down): it has no georeference (about 1 m
pixels). ``score``: polygons ``rrsis`` found on the image (pixel coordinates, y down) against
one class of the mask, right of a column. Usage (PYTHONPATH=backend):

    python docs/examples/dubai_labels.py lines MASK.png LINES.geojson
    python docs/examples/dubai_labels.py codes MASK.png CODES.png
    python docs/examples/dubai_labels.py score MASK.png POLYGONS.gpkg --from-column 340
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image
from rasterio import features
from shapely.geometry import LineString, mapping, shape
from shapely.ops import linemerge, unary_union

from rrsis.training.sources.dubai import decode_mask


def thin(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a boolean mask."""
    img = np.pad(mask.astype(np.uint8), 1)
    while True:
        changed = False
        for step in (0, 1):
            p = [np.roll(np.roll(img, -dy, 0), -dx, 1) for dy, dx in
                 ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))]
            n = sum(p)
            a = sum((p[i] == 0) & (p[(i + 1) % 8] == 1) for i in range(8))
            if step == 0:
                c = (p[0] * p[2] * p[4] == 0) & (p[2] * p[4] * p[6] == 0)
            else:
                c = (p[0] * p[2] * p[6] == 0) & (p[0] * p[4] * p[6] == 0)
            kill = (img == 1) & (n >= 2) & (n <= 6) & (a == 1) & c
            if kill.any():
                img[kill] = 0
                changed = True
        if not changed:
            return img[1:-1, 1:-1].astype(bool)


CODES = ("building", "land", "road", "vegetation", "water")   # 1..5; 0: unlabelled


def class_masks(mask: str) -> dict:
    return decode_mask(np.asarray(Image.open(mask).convert("RGB")))


def make_codes(mask: str, out: str) -> None:
    classes = class_masks(mask)
    codes = np.zeros(classes["road"].shape, np.uint8)
    for code, name in enumerate(CODES, start=1):
        codes[classes[name]] = code
    Image.fromarray(codes).save(out)
    print(", ".join(f"{name} {classes[name].mean():.2f}" for name in CODES) + " of the image")


def make_lines(mask: str, out: str) -> None:
    road = class_masks(mask)["road"]
    areas = [shape(g) for g, v in features.shapes(road.astype(np.uint8), mask=road) if v]
    skel = thin(road)
    ys, xs = np.nonzero(skel)
    on = set(zip(ys.tolist(), xs.tolist()))
    segs = [LineString([(x + 0.5, y + 0.5), (x + dx + 0.5, y + dy + 0.5)])
            for y, x in on for dy, dx in ((0, 1), (1, -1), (1, 0), (1, 1))
            if (y + dy, x + dx) in on
            and not (dx and dy and ((y, x + dx) in on or (y + dy, x) in on))]
    merged = linemerge(unary_union(segs))
    pieces = list(getattr(merged, "geoms", [merged]))
    ends = Counter(p for g in pieces for p in (g.coords[0], g.coords[-1]))
    lines = [g for g in pieces if g.length >= 8
             or (ends[g.coords[0]] > 1 and ends[g.coords[-1]] > 1)]  # short spurs dropped
    roads = unary_union(areas)
    feats = []
    for line in lines:  # the road area within 15 m of the line, over its length
        near = roads.intersection(line.buffer(15, cap_style="flat"))
        width = round(min(30.0, max(2.0, near.area / line.length)), 1)
        feats.append({"type": "Feature", "properties": {"width": width},
                      "geometry": mapping(line.simplify(0.7))})
    Path(out).write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    widths = sorted(f["properties"]["width"] for f in feats)
    strips = features.rasterize([shape(f["geometry"]).buffer(f["properties"]["width"] / 2,
                                                             cap_style="flat") for f in feats],
                                out_shape=road.shape).astype(bool)
    print(f"{len(feats)} lines, {sum(line.length for line in lines):.0f} m; road "
          f"{road.mean():.2f} of the image; widths {widths[0]}-{widths[-1]} m, median "
          f"{widths[len(widths) // 2]} m; the lines' strips against the mask's roads: IoU "
          f"{(strips & road).sum() / (strips | road).sum():.3f}")


def score(mask: str, polygons: str, from_column: int, name: str = "road") -> None:
    import pyogrio.raw
    import shapely

    road = class_masks(mask)[name]
    _, _, wkb, _ = pyogrio.raw.read(polygons)
    found = list(shapely.from_wkb(wkb))
    marked = features.rasterize(found, out_shape=road.shape).astype(bool) if found else \
        np.zeros_like(road)
    t, p = road[:, from_column:], marked[:, from_column:]
    inter, union = int((t & p).sum()), int((t | p).sum())
    print(f"{polygons}: against the mask's {name} right of column {from_column}: IoU "
          f"{inter / union:.3f}, precision {inter / max(int(p.sum()), 1):.2f}, recall "
          f"{inter / max(int(t.sum()), 1):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    lines_cmd = sub.add_parser("lines")
    lines_cmd.add_argument("mask")
    lines_cmd.add_argument("out")
    codes_cmd = sub.add_parser("codes")
    codes_cmd.add_argument("mask")
    codes_cmd.add_argument("out")
    score_cmd = sub.add_parser("score")
    score_cmd.add_argument("mask")
    score_cmd.add_argument("polygons")
    score_cmd.add_argument("--from-column", type=int, default=0)
    score_cmd.add_argument("--class", dest="name", default="road", choices=CODES)
    args = parser.parse_args()
    if args.command == "lines":
        make_lines(args.mask, args.out)
    elif args.command == "codes":
        make_codes(args.mask, args.out)
    else:
        score(args.mask, args.polygons, args.from_column, args.name)
