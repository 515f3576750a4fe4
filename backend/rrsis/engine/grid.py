"""The working grid: the requested area at the model's GSD, in a projected CRS in metres.

The grid is the raster's own CRS when it is projected, else the UTM zone of the area's
centre (geographic rasters); ground metres are measured locally in the UTM zone, so feet,
degrees and Web Mercator's scale distortion are all accounted for. ``extent`` is clipped
to the raster. Without a CRS (pixel coordinates, asked for explicitly) the grid is in the
raster's own pixel units (y the row, or minus the row: ``pixel_y``), its pixels of the
working GSD where the ground size of the raster's pixels is known (given, or taken as the
model's native GSD). Which GSD to use is :mod:`.gsd`'s policy; reading the grid is
:class:`.raster_io.WindowReader`'s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence, Tuple

import rasterio
import rasterio.warp
from rasterio.crs import CRS
from rasterio.transform import Affine
from rasterio.warp import transform_bounds

from ..errors import CRSError, InputError

if TYPE_CHECKING:
    from .raster_io import RasterInfo

__all__ = ["Bounds", "WorkGrid", "MAX_GRID_SIDE", "warp_crs", "bounds_of", "utm_crs",
           "ground_scale", "is_local", "source_gsd_m", "plan_grid", "metres_per_unit"]

Bounds = Tuple[float, float, float, float]
MAX_GRID_SIDE = 1_000_000  # working-grid pixels a side; beyond this a GSD is a typo


def bounds_of(transform: Affine, width: int, height: int) -> Bounds:
    """(xmin, ymin, xmax, ymax) of a ``width`` x ``height`` pixel grid under ``transform``."""
    xs, ys = zip(*(transform @ (c, r) for c, r in ((0, 0), (width, 0), (0, height),
                                                  (width, height))))
    return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class WorkGrid:
    """The grid the model sees: ``crs`` (None = pixel coordinates), north-up ``transform``."""

    crs: Optional[CRS]
    transform: Affine
    width: int
    height: int
    gsd_m: float
    metres_per_unit: float

    @property
    def pixel_area_m2(self) -> float:
        return self.gsd_m * self.gsd_m

    @property
    def bounds(self) -> Bounds:
        return bounds_of(self.transform, self.width, self.height)


#: GDAL resamples only between grids with a CRS: grids in a raster's pixel units all get this
#: one (never written), so resampling one onto another is their affine map alone
_PIXEL_FRAME = CRS.from_epsg(32631)


def warp_crs(grid: WorkGrid) -> CRS:
    """The CRS to resample ``grid`` with: its own, or the stand-in of pixel-unit grids."""
    return grid.crs if grid.crs is not None else _PIXEL_FRAME


def utm_crs(lon: float, lat: float) -> CRS:
    """The WGS 84 / UTM zone containing (lon, lat)."""
    zone = min(60, max(1, int(math.floor((lon + 180.0) / 6.0)) + 1))
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def ground_scale(crs: CRS, x: float, y: float, dx: float, dy: float) -> Tuple[float, float]:
    """Ground length in metres of the steps ``dx`` and ``dy`` (CRS units) at (x, y).

    Measured in the local UTM zone, so it covers the CRS's unit (feet, degrees) and its
    scale distortion (Web Mercator's 1/cos(latitude): 1.5 at 48° N) alike.
    """
    lon, lat = rasterio.warp.transform(crs, "EPSG:4326", [x], [y])
    utm = utm_crs(lon[0], lat[0])
    xs, ys = rasterio.warp.transform(crs, utm, [x, x + dx, x], [y, y, y + dy])
    return math.hypot(xs[1] - xs[0], ys[1] - ys[0]), math.hypot(xs[2] - xs[0], ys[2] - ys[0])


def is_local(crs: CRS) -> bool:
    """A local (engineering) CRS: coordinates in a unit of length on a site's own axes, with no
    place on the Earth (a drone survey's LOCAL_CS): measured by its unit, never transformed."""
    return not (crs.is_projected or crs.is_geographic)


def metres_per_unit(crs: CRS, bounds: Bounds) -> float:
    """Ground metres per CRS unit at the centre of ``bounds`` (geometric mean of x and y).

    A projected CRS whose local scale is within 0.1 % of its nominal unit (UTM, national
    grids) keeps the nominal unit exactly, so grids in metres stay round numbers.
    """
    if is_local(crs):
        try:
            unit, factor = crs.units_factor
        except Exception:  # noqa: BLE001 - rasterio's CRSError: a CRS without a unit
            unit, factor = "none", 0.0
        if not factor or unit.lower().startswith(("degree", "radian", "grad")):
            raise CRSError(f"the local CRS {crs.to_string()[:80]!r} has no unit of length "
                           f"(it says {unit!r}): give the raster a projected CRS")
        return float(factor)
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    step = max(abs(bounds[2] - bounds[0]), abs(bounds[3] - bounds[1])) / 100 or 1.0
    gx, gy = ground_scale(crs, cx, cy, step, step)
    scale = math.sqrt(gx * gy) / step
    if crs.is_projected:
        try:
            nominal = float(crs.linear_units_factor[1])
        except Exception:  # noqa: BLE001 - rasterio raises CRSError for odd units
            return scale
        if abs(scale / nominal - 1.0) < 1e-3:
            return nominal
    return scale


def source_gsd_m(info: "RasterInfo") -> Optional[float]:
    """The raster's own pixel size in metres on the ground (geometric mean of x and y).

    The ground metres of a CRS unit at the raster's centre (:func:`metres_per_unit`: a
    geographic CRS and the scale distortion of Web Mercator accounted for, a national grid's
    nominal unit kept) times the side of a pixel's area, which a rotated geotransform keeps.
    Without a CRS: the pixel size the run was given or took (``RasterInfo.pixel_size_m``),
    else None.
    """
    if info.crs is None:
        return info.pixel_size_m
    return metres_per_unit(info.crs, info.bounds) * math.sqrt(abs(info.transform.determinant))


def plan_grid(info: "RasterInfo", extent: Optional[Sequence[float]], extent_crs: Optional[str],
              gsd_m: float) -> WorkGrid:
    """The working grid over ``extent`` (default: the whole raster) at ``gsd_m`` metres."""
    if not gsd_m or gsd_m <= 0 or not math.isfinite(gsd_m):
        raise InputError(f"GSD must be a positive number of metres, got {gsd_m!r}")
    raster_bounds = info.bounds
    if extent is None:
        bounds = raster_bounds
    else:
        bounds = _extent_in_raster_crs(info, extent, extent_crs)
        bounds = (max(bounds[0], raster_bounds[0]), max(bounds[1], raster_bounds[1]),
                  min(bounds[2], raster_bounds[2]), min(bounds[3], raster_bounds[3]))
        if bounds[0] >= bounds[2] or bounds[1] >= bounds[3]:
            raise InputError(f"extent {tuple(extent)} does not overlap the raster "
                             f"(raster bounds {tuple(round(v, 6) for v in raster_bounds)}"
                             f"{'' if info.crs is None else ' in ' + info.crs.to_string()})")
    if info.crs is None:  # pixel coordinates: the raster's own pixels, in its pixel frame
        return _pixel_grid(info, bounds, gsd_m)
    crs = info.crs
    if crs.is_geographic:
        cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
        lon, lat = rasterio.warp.transform(crs, "EPSG:4326", [cx], [cy])
        work_crs = utm_crs(lon[0], lat[0])
        bounds = transform_bounds(crs, work_crs, *bounds, densify_pts=21)
    else:
        work_crs = crs
    unit = metres_per_unit(work_crs, bounds)  # ground metres per CRS unit, locally
    res = gsd_m / unit
    t = info.transform
    if work_crs == crs and t.b == t.d == 0 and math.isclose(abs(t.a), abs(t.e), rel_tol=1e-6) \
            and math.isclose(gsd_m, source_gsd_m(info) or 0.0, rel_tol=1e-6):
        res = abs(t.a)  # the raster's own grid: read it without resampling noise
    width, height = _grid_size(gsd_m, (bounds[2] - bounds[0]) / res, (bounds[3] - bounds[1]) / res)
    transform = Affine(res, 0.0, bounds[0], 0.0, -res, bounds[3])
    return WorkGrid(work_crs, transform, width, height, float(gsd_m), unit)


def _pixel_grid(info: "RasterInfo", bounds: Bounds, gsd_m: float) -> WorkGrid:
    """The working grid over ``bounds`` of a raster without a CRS: whole raster pixels, rows
    downwards in the raster, in the coordinates of its pixel frame (``info.transform``: y
    the row, or minus the row), its pixels of the working GSD where the ground size of the
    raster's pixels is known."""
    cols, rows = zip(*(~info.transform @ (x, y) for x in bounds[0::2] for y in bounds[1::2]))
    c0, r0 = int(math.floor(min(cols) + 1e-9)), int(math.floor(min(rows) + 1e-9))
    c1, r1 = int(math.ceil(max(cols) - 1e-9)), int(math.ceil(max(rows) - 1e-9))
    size = info.pixel_size_m
    if not size:   # no ground size known: a pixel is a nominal metre
        return WorkGrid(None, info.transform @ Affine.translation(c0, r0), c1 - c0, r1 - r0,
                        1.0, 1.0)
    res = gsd_m / size   # raster pixels per working pixel
    if math.isclose(res, 1.0, rel_tol=1e-6):
        res = 1.0
    width, height = _grid_size(gsd_m, (c1 - c0) / res, (r1 - r0) / res)
    return WorkGrid(None, info.transform @ Affine(res, 0.0, c0, 0.0, res, r0), width, height,
                    float(gsd_m), float(size))


def _grid_size(gsd_m: float, cols: float, rows: float) -> Tuple[int, int]:
    """Whole pixels covering ``cols`` x ``rows`` (at least one), refused past MAX_GRID_SIDE."""
    if not (math.isfinite(cols) and math.isfinite(rows)) or max(cols, rows) > MAX_GRID_SIDE:
        raise InputError(f"a working GSD of {gsd_m:g} m makes a grid of {cols:.3g} x {rows:.3g} "
                         f"px (at most {MAX_GRID_SIDE} px a side): use a larger GSD or a "
                         "smaller extent")
    return max(1, int(math.ceil(cols - 1e-6))), max(1, int(math.ceil(rows - 1e-6)))


def _extent_in_raster_crs(info: "RasterInfo", extent: Sequence[float],
                          extent_crs: Optional[str]) -> Bounds:
    if len(extent) != 4:
        raise InputError("extent must be xmin, ymin, xmax, ymax")
    xmin, ymin, xmax, ymax = (float(v) for v in extent)
    if not (xmin < xmax and ymin < ymax):
        raise InputError(f"extent {tuple(extent)} is empty: need xmin < xmax and ymin < ymax")
    if extent_crs is None or info.crs is None:
        return xmin, ymin, xmax, ymax
    try:
        src_crs = CRS.from_user_input(extent_crs)
    except Exception as exc:  # noqa: BLE001 - rasterio's CRSError
        raise CRSError(f"unknown extent CRS {extent_crs!r}: {exc}") from exc
    if src_crs == info.crs:
        return xmin, ymin, xmax, ymax
    # clip to the raster in the extent's CRS first: a world extent in EPSG:4326 has no
    # meaning in a UTM zone (its corners transform to infinities), the raster's bounds do
    try:
        rb = transform_bounds(info.crs, src_crs, *info.bounds, densify_pts=21)
    except Exception:  # noqa: BLE001 - the raster's bounds have no image in that CRS
        rb = None
    if rb is not None and all(math.isfinite(v) for v in rb):
        xmin, ymin = max(xmin, rb[0]), max(ymin, rb[1])
        xmax, ymax = min(xmax, rb[2]), min(ymax, rb[3])
        if xmin >= xmax or ymin >= ymax:
            raise InputError(f"extent {tuple(extent)} in {extent_crs} does not overlap the "
                             f"raster (raster bounds {tuple(round(v, 6) for v in rb)} in that "
                             "CRS)")
    try:
        out = tuple(transform_bounds(src_crs, info.crs, xmin, ymin, xmax, ymax, densify_pts=21))
    except Exception as exc:  # noqa: BLE001 - rasterio's CRSError: no operation between them
        raise CRSError(f"the extent's CRS {extent_crs} cannot be transformed to the raster's "
                       f"{info.crs.to_string()[:80]!r}: give the extent in the raster's CRS"
                       ) from exc
    if not all(math.isfinite(v) for v in out):
        raise InputError(f"extent {tuple(extent)} cannot be expressed in the raster's CRS "
                         f"{info.crs.to_string()}")
    return out  # type: ignore[return-value]
