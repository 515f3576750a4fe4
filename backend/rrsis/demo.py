"""``make demo``: the default model on the real georeferenced sample shipped in ``resources/``.

    rrsis demo [--out out/demo] [--model lgce-lite] [--raster resources/samples/...]

Segments the Kampala sample (OpenAerialMap, CC BY 4.0) for "buildings", "buildings
next to the road" (a noun and a relational expression, grounded: see docs/grounding.md) and
"the road" (the relation's anchor, looked for at the scales the model learnt roads at, so
the overlay shows what "next to" was measured from) through the engine (the same call as the CLI, server and plugin),
writes one GeoPackage per expression and a PNG of the image with the polygons under
``out/demo/``, and prints the engine's timings. On the bundled sample "buildings" is also
scored against the sample's OSM footprints (polygon IoU, footprints found with IoU >= 0.5).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Dict, Optional, Sequence

from .errors import InputError
from .package_data import bundled_resource

__all__ = ["DEMO_EXPRESSIONS", "sample_raster", "sample_labels", "footprint_score", "run_demo"]

DEMO_EXPRESSIONS = ("buildings", "buildings next to the road", "the road")
COLOURS = ("#ffd400", "#00e5ff", "#ff3df2", "#7CFC00")


def sample_raster() -> Path:
    """``resources/samples/kampala_oam.tif`` of the source tree this package runs from."""
    path = bundled_resource("samples", "kampala_oam.tif")
    if path is None or not path.is_file():
        raise InputError("the demo sample resources/samples/kampala_oam.tif was not found")
    return path


def sample_labels(raster: Path) -> Optional[Path]:
    """The footprints shipped with the bundled sample (``kampala_buildings.geojson`` beside
    ``kampala_oam.tif``); None for any other raster."""
    labels = raster.with_name("kampala_buildings.geojson")
    return labels if raster.name == "kampala_oam.tif" and labels.is_file() else None


def footprint_score(raster: Path, labels: Path, polygons: list) -> Dict[str, float]:
    """Polygon IoU of ``polygons`` (the raster's CRS) against the GeoJSON footprints within
    the raster, and how many footprints a polygon finds with IoU >= 0.5."""
    import json

    import rasterio
    import shapely
    from rasterio.warp import transform_geom

    from .scores import object_matches

    with rasterio.open(raster) as src:
        crs, frame = src.crs, shapely.box(*src.bounds)
    truth = [shapely.geometry.shape(transform_geom("EPSG:4326", crs, f["geometry"]))
             for f in json.loads(labels.read_text())["features"]]
    truth = [g.intersection(frame) for g in truth if g.intersects(frame)]
    truth = [g for g in truth if not g.is_empty]
    mine, theirs = shapely.union_all(polygons), shapely.union_all(truth)
    union = mine.union(theirs).area
    return {"iou": round(mine.intersection(theirs).area / union, 3) if union else 0.0,
            "footprints": len(truth),
            "found": object_matches(truth, polygons)["objects_found_iou50"]}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "expression"


def read_polygons(gpkg: Path) -> list:
    """Shapely geometries of the first layer of ``gpkg``."""
    import pyogrio.raw
    from shapely import wkb

    meta, _, geoms, _ = pyogrio.raw.read(str(gpkg))[:4]
    return [wkb.loads(bytes(g)) for g in geoms if g is not None]


def draw_overlay(raster: Path, layers: Dict[str, list], png: Path, title: str = "") -> Path:
    """Image + polygon outlines (one colour per expression, the colours repeating after
    four) -> PNG, written atomically."""
    import itertools
    import os

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import rasterio
    from matplotlib.lines import Line2D

    with rasterio.open(raster) as src:
        img = np.moveaxis(src.read([1, 2, 3]), 0, -1)
        b = src.bounds
    h, w = img.shape[:2]
    fig, ax = plt.subplots(figsize=(6, 6 * h / w + 0.6), dpi=130)
    ax.imshow(img, extent=(b.left, b.right, b.bottom, b.top))
    handles = []
    for (expr, geoms), colour in zip(layers.items(), itertools.cycle(COLOURS)):
        for g in geoms:
            for poly in getattr(g, "geoms", [g]):
                x, y = poly.exterior.xy
                ax.plot(x, y, color=colour, linewidth=1.2)
        handles.append(Line2D([0], [0], color=colour, label=f"{expr} ({len(geoms)})"))
    ax.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.8)
    ax.set_axis_off()
    ax.set_title(title, fontsize=8)
    png.parent.mkdir(parents=True, exist_ok=True)
    tmp = png.with_name(f".{png.stem}.part.png")
    fig.savefig(tmp, bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, png)
    return png


def run_demo(out: Path, model: Optional[str] = None, raster: Optional[Path] = None,
             expressions: Sequence[str] = DEMO_EXPRESSIONS, device: str = "cpu",
             threads: Optional[int] = None) -> Dict[str, object]:
    """Segment the sample once per expression; return paths, counts and timings."""
    from .engine.run import ModelCache, SegmentOptions, segment

    raster = Path(raster) if raster else sample_raster()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cache = ModelCache()
    layers: Dict[str, list] = {}
    report: Dict[str, object] = {"raster": str(raster), "runs": []}
    for expr in expressions:
        gpkg = out / f"{_slug(expr)}.gpkg"
        t0 = time.perf_counter()
        res = segment(SegmentOptions(raster=str(raster), expressions=[expr], output=str(gpkg),
                                     model=model, device=device, threads=threads,
                                     overwrite=True),  # the demo's own files: re-runs replace
                      models=cache)
        wall = time.perf_counter() - t0
        layers[expr] = read_polygons(gpkg)
        report["runs"].append({"expression": expr, "output": str(gpkg),  # type: ignore[union-attr]
                               "objects": len(layers[expr]), "wall_s": round(wall, 2),
                               "timings": {k: round(v, 2) for k, v in res.timings.items()},
                               "tiles": res.tiles, "gsd_m": res.gsd_m, "model": res.model,
                               "plan": res.plans.get(expr, {})})
    labels = sample_labels(raster)
    if labels is not None and "buildings" in layers:
        report["footprints"] = footprint_score(raster, labels, layers["buildings"])
    png = draw_overlay(raster, layers, out / "overlay.png",
                       f"{report['runs'][0]['model']} on {raster.name}")  # type: ignore[index]
    report["overlay"] = str(png)
    return report
