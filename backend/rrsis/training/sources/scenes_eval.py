"""Held-out scenes through the engine, as an analyst segments them: oIoU per category.

    python -m rrsis.training.sources.scenes_eval --data-root ../shared/data \
        --out runs/scenes.json [--model lgce-lite] [--source cars --source dubai ...] \
        [--max-scenes N] [--overlays runs/scenes-png]

The card's metrics score 192 px crops at their recorded GSD in the trainer. An analyst gets
something else: the whole scene, cut into the engine's tiles at the GSD the engine picks, with
the operating points, the presence decision, near infrared where the raster has it, and
polygons. Issue 12's figures were measured that way, on whole scenes. This segments every
held-out scene of every source (the validation part of each adapter's split, never a training
scene) with :func:`rrsis.engine.run.segment`, burns the polygons it returns into the scene's
own grid and scores them against the scene's labels: oIoU per category (intersections summed
over the scenes, over unions summed: the paper's metric), per source and per expression, and
the share of scenes where gibberish and a category absent from the source return no polygon
(issue 12, "nothing matches").

Scenes: the car frames of KIT ``MOS74-93`` and Minsk ``DJI_0762`` (no CRS: served in pixel
coordinates with the source's pixel size; ellipses in the boxes, weak masks); the validation
columns of Kampala and of the four ``more-buildings`` places, one mosaic per place and zoom
(EPSG:3857, tile gaps masked); the Dubai tiles 2 and 6 (no CRS, about 1 m); the NEON OSBS plots
(ellipses in the tree boxes, which are not exhaustive); the NAIP crops of Claremont and Eureka
(four bands: the engine's near-infrared gate applies; crowns grown from the inventory's points,
so trees off the inventory count against the model).

``--overlays DIR`` writes one PNG per scene and expression to look at where the pixels are
lost: the scene darkened, found-and-labelled green, found-not-labelled red, labelled-not-found
blue, outside the scene's valid area black.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from ...errors import InputError, run_tool
from ..tool_args import markdown_table, write_report

__all__ = ["Scene", "SOURCES", "CATEGORY_OF", "ABSENT", "place_of", "scenes", "measure", "pool",
           "error_overlay", "markdown", "main"]

#: expression asked -> the issue's category it is scored under
CATEGORY_OF: Dict[str, str] = {
    "vehicles": "vehicles", "cars": "vehicles", "buildings": "buildings", "roads": "roads",
    "trees": "trees/vegetation", "vegetation": "trees/vegetation", "water": "water",
    "bare land": "bare land"}
#: asked on every scene whose source cannot hold them: the answer should be no polygon
GIBBERISH = "xqzv blorf wugga"
ABSENT: Dict[str, str] = {"cars": "ships", "kampala": "ships", "more_buildings": "ships",
                          "dubai": "snow", "neon_trees": "ships", "urban_trees": "ships"}


@dataclass
class Scene:
    """One held-out scene: a raster the engine can open, and boolean label masks on its grid."""

    source: str
    name: str
    raster: Path
    truths: Dict[str, np.ndarray]            # expression -> labelled pixels
    pixel_size_m: Optional[float] = None     # a raster without a CRS: its ground pixel size
    valid: Optional[np.ndarray] = None       # pixels that count (None: all)
    transform: Any = None                    # rasterio Affine of the grid (None: pixel units)
    notes: List[str] = field(default_factory=list)


def _frame_ellipses(boxes: Sequence[Tuple[float, float, float, float]], h: int, w: int
                    ) -> np.ndarray:
    from .common import inscribed_ellipses

    side = max(h, w)
    return inscribed_ellipses(boxes, 0, 0, side, side)[:h, :w]


def _cars(root: Path, tmp: Path) -> Iterator[Scene]:
    from PIL import Image

    from .cars import CAR, VEHICLES, labelled_frames, read_boxes

    if not (root / "aerial-cars").is_dir():
        return
    for path, _, split, gsd in labelled_frames(root / "aerial-cars"):
        if split != "val":
            continue
        with Image.open(path) as im:
            w, h = im.size
        boxes = read_boxes(path.with_suffix(".txt"), w, h)
        yield Scene("cars", path.stem, path, {
            "vehicles": _frame_ellipses([b[1:] for b in boxes if b[0] in VEHICLES], h, w),
            "cars": _frame_ellipses([b[1:] for b in boxes if b[0] == CAR], h, w)},
            pixel_size_m=gsd)


def _write_mosaic(path: Path, rgb: np.ndarray, valid: np.ndarray, transform: Any) -> None:
    import rasterio

    profile = dict(driver="GTiff", width=rgb.shape[1], height=rgb.shape[0], count=3,
                   dtype="uint8", crs="EPSG:3857", transform=transform)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(rgb.transpose(2, 0, 1))
        dst.write_mask(valid)


def _mosaics(source: str, places: Dict[str, Tuple[Path, Sequence[int], Callable[[int, int],
             bool]]], tmp: Path) -> Iterator[Scene]:
    from .kampala import burn_buildings, mosaic, read_tiles

    for place, (folder, zooms, is_val) in places.items():
        if not (folder / "tiles").is_dir():
            continue
        tiles = read_tiles(folder / "tiles")
        for z in zooms:
            part = {k: p for k, p in tiles.get(z, {}).items() if is_val(k[0], z)}
            if not part:
                continue
            rgb, valid, transform = mosaic(part, z)
            ids = burn_buildings(folder / "labels.geojson", valid.shape, transform)
            raster = tmp / f"{source}-{place}-z{z}.tif"
            _write_mosaic(raster, rgb, valid, transform)
            yield Scene(source, f"{place}-z{z}", raster, {"buildings": ids > 0}, valid=valid,
                        transform=transform)


def _kampala(root: Path, tmp: Path) -> Iterator[Scene]:
    from .kampala import split_of_tile

    folder = root / "kampala-buildings"
    yield from _mosaics("kampala", {"kampala": (folder, (21, 20, 19),
                                                lambda x, z: split_of_tile(x, z) == "val")}, tmp)


def _more_buildings(root: Path, tmp: Path) -> Iterator[Scene]:
    from .kampala import read_tiles, split_by_columns
    from .more_buildings import PLACES, _z21_span, split_columns

    places = {}
    for place, (_, zooms, _) in PLACES.items():
        folder = root / "more-buildings" / place
        if not (folder / "tiles").is_dir():
            continue
        last_val, first_train = split_columns(_z21_span(read_tiles(folder / "tiles")))
        places[place] = (folder, zooms, lambda x, z, lv=last_val, ft=first_train:
                         split_by_columns(x, z, lv, ft) == "val")
    yield from _mosaics("more_buildings", places, tmp)


def _dubai(root: Path, tmp: Path) -> Iterator[Scene]:
    from PIL import Image

    from .dubai import SOURCE_GSD_M, VAL_TILES, decode_mask

    words = {"buildings": "building", "roads": "road", "water": "water",
             "vegetation": "vegetation", "bare land": "land"}
    for tile in VAL_TILES:
        for image in sorted((root / "dubai-landcover" / tile / "images").glob("*.jpg")):
            mask = image.parent.parent / "masks" / f"{image.stem}.png"
            if not mask.is_file():
                continue
            with Image.open(mask) as im:
                classes = decode_mask(np.asarray(im.convert("RGB")))
            yield Scene("dubai", f"{tile}-{image.stem}", image,
                        {w: classes[c] for w, c in words.items()}, pixel_size_m=SOURCE_GSD_M,
                        valid=~classes["unlabeled"])


def _neon_trees(root: Path, tmp: Path) -> Iterator[Scene]:
    import rasterio

    from .neon_trees import SITES, read_boxes

    for site, split in SITES.items():
        if split != "val":
            continue
        for tif in sorted((root / "neon-trees" / site).glob("*.tif")):
            if not tif.with_suffix(".xml").is_file():
                continue
            with rasterio.open(tif) as src:
                h, w, transform = src.height, src.width, src.transform
            boxes = read_boxes(tif.with_suffix(".xml"), w, h)
            yield Scene("neon_trees", tif.stem, tif, {"trees": _frame_ellipses(boxes, h, w)},
                        transform=transform)


def _urban_trees(root: Path, tmp: Path) -> Iterator[Scene]:
    import rasterio

    from .urban_trees import VAL_CITIES, _points, crown_mask

    folder = root / "urban-trees"
    for tif in sorted((folder / "images").glob("*_2020_*.tif")):
        if tif.stem.split("_2020_")[0] not in VAL_CITIES:
            continue
        with rasterio.open(tif) as src:
            rgbn, transform = src.read([1, 2, 3, 4]).transpose(1, 2, 0), src.transform
        truth = crown_mask(rgbn, _points(folder / "csv" / f"{tif.stem}.csv"))
        yield Scene("urban_trees", tif.stem, tif, {"trees": truth}, transform=transform)


#: source name -> its held-out scenes (each writes what it must into the scratch folder)
SOURCES: Dict[str, Callable[[Path, Path], Iterator[Scene]]] = {
    "cars": _cars, "kampala": _kampala, "more_buildings": _more_buildings, "dubai": _dubai,
    "neon_trees": _neon_trees, "urban_trees": _urban_trees}


def place_of(source: str, scene: str) -> str:
    """The place a scene belongs to (a car sequence, an OpenAerialMap place, a Dubai tile, a
    NEON plot, a NAIP city): scenes of one place are not independent of each other."""
    if source == "cars":
        from .cars import sequence_of

        return sequence_of(scene)
    if source in ("kampala", "more_buildings"):
        return scene.rsplit("-z", 1)[0]
    if source == "dubai":
        return scene.split("-image", 1)[0]
    if source == "urban_trees":
        return scene.split("_2020_", 1)[0]
    return scene


def scenes(data_root: Path, tmp: Path, sources: Optional[Sequence[str]] = None,
           max_scenes: Optional[int] = None) -> Iterator[Scene]:
    """The held-out scenes of ``sources`` (all by default), at most ``max_scenes`` each; a
    source whose folder is missing gives none, and none at all is an error."""
    found = 0
    for name in sources or list(SOURCES):
        if name not in SOURCES:
            raise InputError(f"unknown source {name!r}: one of {', '.join(SOURCES)}")
        for i, scene in enumerate(SOURCES[name](data_root, tmp)):
            if max_scenes is not None and i >= max_scenes:
                break
            found += 1
            yield scene
    if not found:
        raise InputError(f"no held-out scene of {', '.join(sources or SOURCES)} in {data_root}")


def _predicted(gpkg: str, layer: str, expressions: Sequence[str], shape: Tuple[int, int],
               transform: Any) -> Dict[str, np.ndarray]:
    """The polygons of each expression burnt into the scene's grid."""
    import pyogrio.raw
    import shapely
    from affine import Affine
    from rasterio.features import rasterize

    out = {e: np.zeros(shape, bool) for e in expressions}
    _, _, wkb, fields = pyogrio.raw.read(gpkg, layer=layer, columns=["expression"])
    geoms = shapely.from_wkb(wkb)
    for e in expressions:
        mine = [(g, 1) for g, x in zip(geoms, fields[0]) if x == e and g is not None]
        if mine:
            out[e] = rasterize(mine, out_shape=shape,
                               transform=transform or Affine.identity()).astype(bool)
    return out


#: RGB of each pixel kind of :func:`error_overlay`
OVERLAY_COLOURS = {"found": (0, 200, 0), "not labelled": (230, 0, 0),
                   "missed": (0, 90, 255)}


def error_overlay(rgb: np.ndarray, predicted: np.ndarray, truth: np.ndarray,
                  valid: np.ndarray) -> np.ndarray:
    """``rgb`` (H x W x 3 uint8) darkened, with the scored pixels blended in the colours of
    :data:`OVERLAY_COLOURS` and the pixels outside ``valid`` black."""
    out = rgb.astype(np.float32) * 0.6
    p, t = predicted & valid, truth & valid
    for mask, kind in ((p & t, "found"), (p & ~t, "not labelled"), (~p & t, "missed")):
        out[mask] = out[mask] * 0.5 + np.array(OVERLAY_COLOURS[kind], np.float32) * 0.5
    out[~valid] = 0
    return out.clip(0, 255).astype(np.uint8)


def _write_overlays(folder: Path, scene: "Scene", pred: Dict[str, np.ndarray],
                    valid: np.ndarray) -> None:
    """One PNG per expression of ``scene`` into ``folder`` (each via a temporary name)."""
    import os

    from PIL import Image

    from ...engine.raster_io import open_raster

    with open_raster(scene.raster) as src:   # a car frame or Dubai tile has no georeference
        rgb = np.moveaxis(src.read([1, 2, 3]), 0, -1)
    if rgb.dtype != np.uint8:
        rgb = (255 * rgb.astype(np.float32) / max(float(rgb.max()), 1.0)).astype(np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    for e, truth in scene.truths.items():
        name = f"{scene.source}-{scene.name}-{e}".replace("/", "_").replace(" ", "_")
        tmp, png = folder / f".{name}.part.png", folder / f"{name}.png"
        Image.fromarray(error_overlay(rgb, pred[e], truth, valid)).save(tmp, format="PNG")
        os.replace(tmp, png)


def measure(data_root: Path, model: Optional[str] = None,
            sources: Optional[Sequence[str]] = None, max_scenes: Optional[int] = None,
            threads: int = 2, log: Callable[[str], None] = lambda s: None,
            floor_m: Optional[float] = None, ceiling_m: Optional[float] = None,
            threshold: Optional[float] = None, tile_px: Optional[int] = None,
            flip_average: bool = False, overlays: Optional[Path] = None,
            overlap: Optional[float] = None) -> Dict[str, Any]:
    """Every held-out scene through the engine: per scene, its counts; pooled, the oIoU of each
    category, source and expression, and how often the absent phrases answered nothing.
    ``floor_m``: a scene finer than this is served at it (every phrase; to choose a floor);
    ``ceiling_m``: a scene coarser than this is served at it (to compare with the ceilings);
    ``threshold``: the foreground probability of every phrase (to compare with the card's
    operating points, which make 0.5 each group's calibrated point); ``tile_px``: every
    phrase in tiles of this side (to choose the card's ``group_tile_px``); ``flip_average``:
    the engine's test-time flips and ``overlap``: another tile overlap (to weigh their cost
    against whole scenes); ``overlays``: a folder for :func:`error_overlay` PNGs of every
    scene."""
    from ...engine.grid import source_gsd_m
    from ...engine.model_cache import ModelCache
    from ...engine.raster_io import open_info
    from ...engine.run import SegmentOptions, segment
    from ...paths import scratch_folder

    cache, rows = ModelCache(), []
    if tile_px:
        _serve_in_tiles(cache, model, threads, tile_px)
    with scratch_folder("scenes-eval") as tmp:
        for scene in scenes(Path(data_root), tmp, sources, max_scenes):
            truths = scene.truths
            shape = next(iter(truths.values())).shape
            absent = [GIBBERISH, ABSENT[scene.source]]
            asked = list(truths) + absent
            out = str(tmp / "scene.gpkg")
            native = source_gsd_m(open_info(str(scene.raster), scene.pixel_size_m is not None,
                                            scene.pixel_size_m))
            served = floor_m if floor_m and native and native < floor_m else \
                ceiling_m if ceiling_m and native and native > ceiling_m else None
            started = time.perf_counter()
            result = segment(SegmentOptions(
                raster=str(scene.raster), expressions=asked, output=out, overwrite=True,
                model=model, device="cpu", threads=threads,
                pixel_coordinates=scene.pixel_size_m is not None,
                pixel_size_m=scene.pixel_size_m, gsd_m=served, flip_average=flip_average,
                **({} if threshold is None else {"threshold": threshold}),
                **({} if overlap is None else {"overlap": overlap})), models=cache)
            seconds = time.perf_counter() - started
            counts = result.feature_counts
            pred = _predicted(out, result.layer, list(truths), shape, scene.transform) \
                if any(counts.get(e) for e in truths) else \
                {e: np.zeros(shape, bool) for e in truths}
            valid = scene.valid if scene.valid is not None else np.ones(shape, bool)
            if overlays is not None:
                _write_overlays(Path(overlays), scene, pred, valid)
            row = {"source": scene.source, "scene": scene.name, "native_gsd_m": round(native, 4),
                   "gsd_m": round(result.gsd_m, 4),
                   "seconds": round(seconds, 1), "expressions": {}}
            for e, truth in truths.items():
                p, t = pred[e] & valid, truth & valid
                row["expressions"][e] = {"intersection": int((p & t).sum()),
                                         "union": int((p | t).sum()), "labelled": int(t.sum()),
                                         "polygons": int(counts.get(e, 0))}
            row["absent"] = {e: int(counts.get(e, 0)) for e in absent}
            rows.append(row)
            log(f"{scene.source} {scene.name}: " + ", ".join(
                f"{e} {_iou(v):.3f}" for e, v in row["expressions"].items())
                + f"; absent {row['absent']} ({seconds:.0f} s)")
    return {"scenes": rows, "pooled": pool(rows), "model": model or "lgce-lite",
            "floor_m": floor_m, "ceiling_m": ceiling_m, "threshold": threshold,
            "tile_px": tile_px, "flip_average": flip_average, "overlap": overlap,
            "measure": "rrsis.training.sources.scenes_eval: the held-out scenes of every source "
                       "through the engine, polygons against labels on the scene's grid"}


def _serve_in_tiles(cache: Any, model: Optional[str], threads: int, tile_px: int) -> None:
    """The warm model of ``cache`` segments every phrase in tiles of ``tile_px`` (its input
    size changed, its card's choices per group dropped): the runs ask the cache for it."""
    from ...engine.gsd import TILES_KEY
    from ...engine.options import PARAM_DEFAULTS

    runtime, device, path = cache.plan(model, PARAM_DEFAULTS["runtime"], "cpu")
    warm = cache.get(model, device, runtime, threads, path)
    fixed = getattr(warm, "fixed_size", None)
    if fixed and fixed != tile_px:
        raise InputError(f"the ONNX graph of {path.name if path else model} takes {fixed} px "
                         f"tiles only: export it again (rrsis export-onnx) to measure others")
    warm.config = warm.config.replace(input_size=int(tile_px))
    warm.card = {k: v for k, v in (warm.card or {}).items() if k != TILES_KEY}


def _iou(counts: Dict[str, int]) -> float:
    return counts["intersection"] / counts["union"] if counts["union"] else 0.0


def pool(rows: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """oIoU per category, source and expression (and mean per-scene IoU where labelled),
    and the share of scenes where each absent phrase gave no polygon."""
    keys: Dict[str, Dict[str, List[Dict[str, int]]]] = {"category": {}, "source": {},
                                                         "expression": {}}
    for row in rows:
        for e, c in row["expressions"].items():
            for kind, key in (("category", CATEGORY_OF[e]), ("source", row["source"]),
                              ("expression", f"{e} ({row['source']})")):
                keys[kind].setdefault(key, []).append(c)
    out: Dict[str, Any] = {}
    for kind, groups in keys.items():
        out[kind] = {}
        for key, cs in sorted(groups.items()):
            inter, union = sum(c["intersection"] for c in cs), sum(c["union"] for c in cs)
            labelled = [_iou(c) for c in cs if c["labelled"]]
            out[kind][key] = {"n": len(cs), "oIoU": round(inter / union, 4) if union else 0.0,
                              "mIoU": round(float(np.mean(labelled)), 4) if labelled else None}
    absent: Dict[str, List[int]] = {}
    for row in rows:
        for e, n in row["absent"].items():
            absent.setdefault("gibberish" if e == GIBBERISH else "absent category", []).append(n)
    out["no_polygon"] = {k: {"scenes": len(v), "share": round(sum(n == 0 for n in v) / len(v), 4)}
                         for k, v in absent.items()}
    return out


def markdown(block: Dict[str, Any]) -> str:
    """The pooled figures as Markdown tables."""
    p = block["pooled"]
    lines = []
    for kind in ("category", "source", "expression"):
        lines += markdown_table(
            [kind, "scenes", "oIoU", "mean IoU of labelled scenes"],
            ([k, v["n"], f"{100 * v['oIoU']:.1f}",
              "-" if v["mIoU"] is None else f"{100 * v['mIoU']:.1f}"]
             for k, v in p[kind].items()))
        lines.append("")
    lines += markdown_table(["asked", "scenes", "no polygon"],
                            ([k, v["scenes"], f"{100 * v['share']:.0f} %"]
                             for k, v in p["no_polygon"].items()))
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data-root", default="../shared/data", help="the shared data folder")
    p.add_argument("--out", required=True, help="JSON report (written via a temporary name)")
    p.add_argument("--model", default=None, help="model name or checkpoint (default lgce-lite)")
    p.add_argument("--source", action="append", choices=list(SOURCES),
                   help="only these sources (repeatable; default all)")
    p.add_argument("--max-scenes", type=int, default=None, help="at most this many per source")
    p.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    p.add_argument("--floor", type=float, default=None,
                   help="serve a scene finer than this GSD (m) at it, every phrase alike")
    p.add_argument("--ceiling", type=float, default=None,
                   help="serve a scene coarser than this GSD (m) at it, every phrase alike")
    p.add_argument("--threshold", type=float, default=None,
                   help="foreground probability of every phrase (default the engine's)")
    p.add_argument("--tile-px", type=int, default=None,
                   help="every phrase in tiles of this side in pixels (default: the card's)")
    p.add_argument("--flip-average", action="store_true",
                   help="average each tile over its flips (the engine's flip_average)")
    p.add_argument("--overlap", type=float, default=None,
                   help="tile overlap as a fraction of the tile (default the engine's)")
    p.add_argument("--overlays", type=Path, default=None, metavar="DIR",
                   help="write a PNG per scene and expression: found green, found but not "
                        "labelled red, missed blue")
    args = p.parse_args(argv)
    return run_tool(lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    block = measure(Path(args.data_root), args.model, args.source, args.max_scenes,
                    args.threads, log=lambda s: print(s, file=sys.stderr, flush=True),
                    floor_m=args.floor, ceiling_m=args.ceiling, threshold=args.threshold,
                    tile_px=args.tile_px, flip_average=args.flip_average,
                    overlays=args.overlays, overlap=args.overlap)
    write_report(args.out, "scenes", block, Path(args.model or "lgce-lite"), started)
    print(markdown(block), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
