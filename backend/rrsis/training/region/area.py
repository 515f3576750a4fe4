"""Where a dataset is cut: the area the labels cover, the held-out box in it, and the checks
that the labels and the raster meet.

By default the area is the labels' own (:func:`labelled_area`): ground nobody labelled is not
taught as "no object here". Labels that miss the raster, lack a CRS or all lie in the held-out
box are refused with what to do, before anything is written.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ...engine.raster_io import WorkGrid
from ...errors import CRSError, InputError

__all__ = ["FEW_OBJECTS", "labelled_area", "pixel_span", "box_in_grid", "window_bounds",
           "check_overlap", "check_labels_crs", "check_labels_outside"]


#: fewer labelled objects than this in a part make its IoU a rough measure (the held-out
#: part's before/after, the validation part the checkpoint is chosen on)
FEW_OBJECTS = 10


def labelled_area(grid: WorkGrid, geoms: Sequence[Any], test_box: Optional[Tuple[int, ...]],
                  tile_size: int) -> Tuple[WorkGrid, Optional[Tuple[int, ...]], Dict[str, Any]]:
    """The part of ``grid`` an analyst labelled: the labels' bounding box and an eighth of a
    tile around it (and the held-out box), at least a tile a side, on the grid's own pixels.

    Ground beyond the labels was not looked at: its tiles would teach "no building here"
    where there may be buildings nobody drew (a few houses digitised in one corner of a large
    orthomosaic), and its parts would hold no object to measure. Returns the cropped grid,
    the held-out box in it, and the ``area`` record of the dataset summary."""
    import shapely
    from rasterio.windows import Window, transform as window_transform

    inside = [g for g in geoms if g.intersects(shapely.box(*grid.bounds))]
    margin_px = tile_size // 8
    r0, c0, r1, c1 = pixel_span(grid.transform, shapely.GeometryCollection(inside).bounds,
                                margin_px)
    if test_box is not None:
        r0, c0 = min(r0, test_box[0]), min(c0, test_box[1])
        r1, c1 = max(r1, test_box[2]), max(c1, test_box[3])
    r0, r1 = _at_least(r0, r1, tile_size, grid.height)   # a tile's context, not its padding
    c0, c1 = _at_least(c0, c1, tile_size, grid.width)
    margin_m = round(margin_px * grid.gsd_m, 3)
    if (r0, c0, r1, c1) == (0, 0, grid.height, grid.width):
        return grid, test_box, {"from": "labels", "margin_m": margin_m}
    cropped = WorkGrid(grid.crs, window_transform(Window(c0, r0, c1 - c0, r1 - r0),
                                                  grid.transform),
                       c1 - c0, r1 - r0, grid.gsd_m, grid.metres_per_unit)
    if test_box is not None:
        test_box = (test_box[0] - r0, test_box[1] - c0, test_box[2] - r0, test_box[3] - c0)
    m = grid.gsd_m
    note = (f"the area is the labels' extent and {margin_m:g} m around it "
            f"({cropped.width * m:.0f} x {cropped.height * m:.0f} m of the raster's "
            f"{grid.width * m:.0f} x {grid.height * m:.0f} m): ground beyond it was not "
            "labelled, so it is left out rather than taught as empty; to use more ground, "
            "give the area the labels cover completely (--extent; QGIS: 'Area the labels "
            "cover completely')")
    return cropped, test_box, {"from": "labels", "margin_m": margin_m, "note": note}


def pixel_span(transform: Any, bounds: Sequence[float], margin_px: int = 0
               ) -> Tuple[int, int, int, int]:
    """(row0, col0, row1, col1) of the pixels of ``transform`` that cover ``bounds`` and
    ``margin_px`` around them; not clipped to any raster (the caller knows its limits)."""
    inv = ~transform
    cols, rows = zip(*(inv @ (x, y) for x in (bounds[0], bounds[2])
                       for y in (bounds[1], bounds[3])))
    return (math.floor(min(rows)) - margin_px, math.floor(min(cols)) - margin_px,
            math.ceil(max(rows)) + margin_px, math.ceil(max(cols)) + margin_px)


def _at_least(start: int, stop: int, size: int, limit: int) -> Tuple[int, int]:
    """[start, stop) grown evenly to ``size`` if shorter, then clipped to [0, limit)."""
    grow = max(0, size - (stop - start))
    start, stop = start - grow // 2, stop + grow - grow // 2
    if start < 0:
        start, stop = 0, stop - start
    if stop > limit:
        start, stop = max(0, start - (stop - limit)), limit
    return start, stop


def box_in_grid(grid: WorkGrid, bounds: Sequence[float]) -> Tuple[int, int, int, int]:
    inv = ~grid.transform
    c0, r0 = inv @ (bounds[0], bounds[3])
    c1, r1 = inv @ (bounds[2], bounds[1])
    r0, r1 = sorted((int(round(r0)), int(round(r1))))
    c0, c1 = sorted((int(round(c0)), int(round(c1))))
    r0, c0 = max(0, r0), max(0, c0)
    r1, c1 = min(grid.height, r1), min(grid.width, c1)
    if r1 <= r0 or c1 <= c0:
        raise InputError("the test extent does not overlap the area")
    return r0, c0, r1, c1


def check_overlap(geoms: Sequence[Any], grid: WorkGrid, name: str) -> None:
    """Labels that all lie off the raster's area are a wrong file, place or CRS: say so, not
    "no training tile contains a labelled object"."""
    import shapely

    area = shapely.box(*grid.bounds)
    if not any(g.intersects(area) for g in geoms):
        lb = shapely.GeometryCollection(list(geoms)).bounds
        raise InputError(f"none of the {len(geoms)} labels of {name} lies on the raster's area "
                         f"(labels {_fmt_box(lb)}, raster area {_fmt_box(grid.bounds)}, both in "
                         f"{grid.crs}): check that they belong to this raster and carry the "
                         "right coordinate reference system")


def check_labels_crs(labels: Any, info: Any, name: str) -> None:
    """Labels without a CRS (a shapefile whose .prj was lost) are refused with the way to give
    them one, and the CRS they are probably in when their coordinates lie on the raster."""
    if labels.crs is not None:
        return
    import shapely

    lb = shapely.GeometryCollection(list(labels.geometries)).bounds
    raster_box = shapely.box(*info.bounds)
    if shapely.box(*lb).intersects(raster_box):
        crs = info.crs.to_string()
        hint = (f"; their coordinates lie on the raster's area, so they are probably in the "
                f"raster's {crs}")
    elif -180 <= lb[0] <= lb[2] <= 180 and -90 <= lb[1] <= lb[3] <= 90:
        crs, hint = "EPSG:4326", "; their coordinates look like longitude and latitude"
    else:
        crs, hint = "EPSG:<code>", ""
    raise CRSError(f"{name} has no coordinate reference system (a shapefile without its .prj?)"
                   f"{hint}: assign the one they were drawn in (QGIS: Layer > Set CRS of Layer, "
                   f"then save a copy; GDAL: ogr2ogr -a_srs {crs} labels.gpkg {name})")


def check_labels_outside(geoms: Sequence[Any], grid: WorkGrid, test_box: Sequence[int]) -> None:
    """Labels that all lie in the held-out area leave nothing to train on: say that, not "no
    training tile contains a labelled object"."""
    import shapely

    rest = shapely.box(*grid.bounds).difference(shapely.box(*window_bounds(grid, *test_box)))
    if not any(g.intersection(rest).area > 0 for g in geoms):
        raise InputError("every label lies in the held-out area (the test extent): nothing is "
                         "left to train on; label objects outside it too")


def window_bounds(grid: WorkGrid, r0: int, c0: int, r1: int, c1: int) -> List[float]:
    """[xmin, ymin, xmax, ymax] of the rows r0:r1 and columns c0:c1 of ``grid`` (whose y
    grows up the rows, or down them: pixel coordinates in GDAL's frame)."""
    xa, ya = grid.transform @ (c0, r0)
    xb, yb = grid.transform @ (c1, r1)
    return [min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)]


def _fmt_box(b: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.1f}" for v in b) + ")"
