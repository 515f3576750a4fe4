"""Open and check a raster, plan the working grid at the model's GSD, read it by windows.

The *working grid* is the requested area resampled to the model's ground sample
distance (GSD), in a projected CRS in metres: the raster's own CRS when it is
projected, else the UTM zone of the area's centre (geographic rasters). Reads go
through a GDAL warped VRT over that grid, so only the source blocks under a window are
read and resampling (``average`` when shrinking, ``bilinear`` when enlarging),
reprojection, nodata and alpha are handled by GDAL with correct pixel-area geometry.

A raster without CRS/transform is refused (:class:`~rrsis.errors.CRSError`) unless the
caller asks for pixel coordinates explicitly; then the grid is the raster's own pixel
grid (no resampling, one "metre" = one pixel, y grows downwards).

Bands: RGB as is; 4+ bands use a band mapping (default 1, 2, 3); 1-2 bands: band 1
replicated. Values: uint8 is divided by 255; any other type gets one robust 2-98
percentile stretch per band, computed once over the requested area (not per tile, so
tiles agree).
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.enums import ColorInterp, MaskFlags, Resampling
from rasterio.errors import NotGeoreferencedWarning, RasterioIOError
from rasterio.transform import Affine
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from ..errors import CRSError, InputError, RasterReadError
from ..paths import check_local_source

__all__ = ["RasterInfo", "WorkGrid", "open_info", "resolve_bands", "plan_grid", "utm_crs",
           "WindowReader", "Stretch"]

Bounds = Tuple[float, float, float, float]
STRETCH_PERCENTILES = (2.0, 98.0)
MAX_GRID_SIDE = 1_000_000  # working-grid pixels a side; beyond this a GSD is a typo


@dataclass(frozen=True)
class RasterInfo:
    """What the engine needs to know about a source raster."""

    path: str
    width: int
    height: int
    count: int
    dtype: str
    crs: Optional[CRS]
    transform: Affine
    nodata: Optional[float]
    alpha_band: Optional[int]

    @property
    def georeferenced(self) -> bool:
        return self.crs is not None

    @property
    def bounds(self) -> Bounds:
        return _bounds_of(self.transform, self.width, self.height)


def _bounds_of(transform: Affine, width: int, height: int) -> Bounds:
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
        return _bounds_of(self.transform, self.width, self.height)


def open_info(path: str, pixel_coordinates: bool = False) -> RasterInfo:
    """Open ``path`` (a file or any GDAL source) and check it can be segmented."""
    check_local_source(path)
    if "://" not in path and not path.startswith("/vsi") and not os.path.exists(path):
        if os.path.islink(path):
            raise InputError(f"raster {path} is a broken symbolic link or a link loop")
        raise InputError(f"raster not found: {path}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(path) as src:
                alpha = next((i + 1 for i, ci in enumerate(src.colorinterp)
                              if ci == ColorInterp.alpha), None)
                info = RasterInfo(path=path, width=src.width, height=src.height, count=src.count,
                                  dtype=src.dtypes[0], crs=src.crs, transform=src.transform,
                                  nodata=src.nodata, alpha_band=alpha)
                has_gcps = bool(src.gcps[0])
    except RasterioIOError as exc:
        raise RasterReadError(f"cannot read raster {path}: {exc}") from exc
    if info.count < 1 or info.width < 1 or info.height < 1:
        raise InputError(f"{path} has no pixels or no bands")
    if info.crs is None or (info.transform.is_identity and not pixel_coordinates):
        if pixel_coordinates:
            return RasterInfo(**{**info.__dict__, "crs": None, "transform": Affine.identity()})
        hint = " (it has GCPs only: warp it first, e.g. gdalwarp)" if has_gcps else ""
        raise CRSError(f"{path} has no coordinate reference system or geotransform{hint}; "
                       "georeference it, or ask for pixel coordinates explicitly")
    return info


def resolve_bands(info: RasterInfo, bands: Optional[Sequence[int]]) -> Tuple[int, int, int]:
    """The three source bands read as R, G, B (1-based)."""
    if bands is None:
        colour = info.count - (1 if info.alpha_band else 0)
        return (1, 2, 3) if colour >= 3 else (1, 1, 1)
    if len(bands) != 3:
        raise InputError(f"band mapping needs three bands (R,G,B), got {list(bands)}")
    bad = [b for b in bands if not 1 <= int(b) <= info.count]
    if bad:
        raise InputError(f"band(s) {bad} do not exist: {info.path} has {info.count} band(s)")
    return int(bands[0]), int(bands[1]), int(bands[2])


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


def _metres_per_unit(crs: CRS, bounds: Bounds) -> float:
    """Ground metres per CRS unit at the centre of ``bounds`` (geometric mean of x and y).

    A projected CRS whose local scale is within 0.1 % of its nominal unit (UTM, national
    grids) keeps the nominal unit exactly, so grids in metres stay round numbers.
    """
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


def source_gsd_m(info: RasterInfo) -> Optional[float]:
    """The raster's own pixel size in metres on the ground (geometric mean of x and y).

    Measured at the raster's centre in the local UTM zone, so a geographic CRS and the
    scale distortion of Web Mercator are accounted for; None without a CRS.
    """
    if info.crs is None:
        return None
    t = info.transform
    cx, cy = t * (info.width / 2, info.height / 2)
    gx, gy = ground_scale(info.crs, cx, cy, t.a, t.e)
    return math.sqrt(gx * gy)


def plan_grid(info: RasterInfo, extent: Optional[Sequence[float]], extent_crs: Optional[str],
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
    if info.crs is None:  # pixel coordinates: the raster's own grid, rows downwards
        c0, r0 = int(math.floor(bounds[0])), int(math.floor(bounds[1]))
        c1, r1 = int(math.ceil(bounds[2])), int(math.ceil(bounds[3]))
        return WorkGrid(None, Affine.translation(c0, r0), c1 - c0, r1 - r0, 1.0, 1.0)
    crs = info.crs
    if crs.is_geographic:
        cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
        lon, lat = rasterio.warp.transform(crs, "EPSG:4326", [cx], [cy])
        work_crs = utm_crs(lon[0], lat[0])
        bounds = transform_bounds(crs, work_crs, *bounds, densify_pts=21)
    else:
        work_crs = crs
    unit = _metres_per_unit(work_crs, bounds)  # ground metres per CRS unit, locally
    res = gsd_m / unit
    if work_crs == crs and math.isclose(res, abs(info.transform.a), rel_tol=1e-6):
        res = abs(info.transform.a)  # the raster's own grid: read it without resampling noise
    cols, rows = (bounds[2] - bounds[0]) / res, (bounds[3] - bounds[1]) / res
    if not (math.isfinite(cols) and math.isfinite(rows)) or max(cols, rows) > MAX_GRID_SIDE:
        raise InputError(f"a working GSD of {gsd_m:g} m makes a grid of {cols:.3g} x {rows:.3g} "
                         f"px (at most {MAX_GRID_SIDE} px a side): use a larger GSD or a "
                         "smaller extent")
    width = max(1, int(math.ceil(cols - 1e-6)))
    height = max(1, int(math.ceil(rows - 1e-6)))
    transform = Affine(res, 0.0, bounds[0], 0.0, -res, bounds[3])
    return WorkGrid(work_crs, transform, width, height, float(gsd_m), unit)


def _extent_in_raster_crs(info: RasterInfo, extent: Sequence[float],
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
    out = tuple(transform_bounds(src_crs, info.crs, xmin, ymin, xmax, ymax, densify_pts=21))
    if not all(math.isfinite(v) for v in out):
        raise InputError(f"extent {tuple(extent)} cannot be expressed in the raster's CRS "
                         f"{info.crs.to_string()}")
    return out  # type: ignore[return-value]


@dataclass(frozen=True)
class Stretch:
    """Per-band linear map of raw values to [0, 1]: ``(v - low) / (high - low)``, clipped."""

    low: Tuple[float, float, float]
    high: Tuple[float, float, float]

    def apply(self, raw: np.ndarray) -> np.ndarray:
        lo = np.asarray(self.low, np.float32).reshape(3, 1, 1)
        hi = np.asarray(self.high, np.float32).reshape(3, 1, 1)
        return np.clip((raw.astype(np.float32) - lo) / (hi - lo), 0.0, 1.0)


class WindowReader:
    """Reads windows of the working grid as RGB in [0, 1] plus a validity mask.

    Use as a context manager; one open source and one warped VRT for the whole run.
    """

    def __init__(self, info: RasterInfo, grid: WorkGrid, bands: Tuple[int, int, int]) -> None:
        self.info, self.grid, self.bands = info, grid, bands
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NotGeoreferencedWarning)
                self._src = rasterio.open(info.path)
        except RasterioIOError as exc:
            raise RasterReadError(f"cannot read raster {info.path}: {exc}") from exc
        self._vrt: Optional[WarpedVRT] = None
        flags = self._src.mask_flag_enums
        has_mask = info.alpha_band is not None or any(MaskFlags.all_valid not in f for f in flags)
        # where validity comes from, read in the same call as the data when possible
        self._alpha: Optional[int] = info.alpha_band
        self._nodata: Optional[float] = info.nodata
        self._mask_call = has_mask and info.alpha_band is None and info.nodata is None
        if grid.crs is not None:
            src_res = source_gsd_m(info) or math.sqrt(abs(info.transform.determinant))
            shrinking = src_res < grid.gsd_m
            self._vrt = WarpedVRT(
                self._src, crs=grid.crs, transform=grid.transform, width=grid.width,
                height=grid.height, add_alpha=not has_mask,
                resampling=Resampling.average if shrinking else Resampling.bilinear)
            if not has_mask:
                self._alpha = self._vrt.count
        self.stretch: Optional[Stretch] = None if info.dtype == "uint8" else self._fit_stretch()

    def __enter__(self) -> "WindowReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._vrt is not None:
            self._vrt.close()
        self._src.close()

    def read_raw(self, row: int, col: int, height: int, width: int
                 ) -> Tuple[np.ndarray, np.ndarray]:
        """Raw values (3, h, w) and validity (h, w) bool; outside the grid is invalid."""
        raw = np.zeros((3, height, width), dtype=self.info.dtype)
        valid = np.zeros((height, width), dtype=bool)
        r0, c0 = max(row, 0), max(col, 0)
        r1, c1 = min(row + height, self.grid.height), min(col + width, self.grid.width)
        if r1 <= r0 or c1 <= c0:
            return raw, valid
        win = Window(c0, r0, c1 - c0, r1 - r0)
        ds = self._vrt if self._vrt is not None else self._src
        if self._vrt is None:  # pixel coordinates: offset of the grid in the raster
            win = Window(c0 + int(self.grid.transform.c), r0 + int(self.grid.transform.f),
                         c1 - c0, r1 - r0)
        unique = sorted(set(self.bands) | ({self._alpha} if self._alpha else set()))
        try:
            data = ds.read(unique, window=win)
        except RasterioIOError as exc:
            raise RasterReadError(f"cannot read {self.info.path}: {exc} (a truncated or corrupt "
                                  "file, or a VRT whose source is missing)") from exc
        lookup = {b: data[i] for i, b in enumerate(unique)}
        sl = (slice(r0 - row, r1 - row), slice(c0 - col, c1 - col))
        for i, b in enumerate(self.bands):
            raw[(i,) + sl] = lookup[b]
        if self._alpha:
            valid[sl] = lookup[self._alpha] > 0
        elif self._nodata is not None:
            colour = np.stack([lookup[b] for b in self.bands])
            nd = np.isnan(colour) if math.isnan(self._nodata) else colour == self._nodata
            valid[sl] = ~nd.all(axis=0)
        elif self._mask_call:
            valid[sl] = ds.dataset_mask(window=win) > 0
        else:
            valid[sl] = True
        if raw.dtype.kind == "f":  # NaN/inf are no data, declared or not: NaN spreads in a model
            valid &= np.isfinite(raw).all(axis=0)
        return raw, valid

    def read(self, row: int, col: int, height: int, width: int
             ) -> Tuple[np.ndarray, np.ndarray]:
        """RGB float32 (3, h, w) in [0, 1] (invalid pixels 0) and validity (h, w) bool."""
        raw, valid = self.read_raw(row, col, height, width)
        if self.stretch is None:
            rgb = raw.astype(np.float32) / 255.0
        else:
            rgb = self.stretch.apply(raw)
        rgb[:, ~valid] = 0.0
        return rgb, valid

    def _fit_stretch(self) -> Stretch:
        """2-98 percentiles per band over the valid pixels of the area, sampled boundedly."""
        g = self.grid
        if g.width * g.height <= 2048 * 2048:
            windows = [(0, 0, g.height, g.width)]
        else:  # a regular 16 x 16 sample of 128 px windows: bounded cost at any size
            n, s = 16, 128
            rows = np.linspace(0, max(0, g.height - s), n).astype(int)
            cols = np.linspace(0, max(0, g.width - s), n).astype(int)
            windows = [(int(r), int(c), s, s) for r in rows for c in cols]
        samples: list = [[], [], []]
        for r, c, h, w in windows:
            raw, valid = self.read_raw(r, c, h, w)
            for i in range(3):
                v = raw[i][valid].astype(np.float64)
                v = v[np.isfinite(v)]
                samples[i].append(v)
        low, high = [], []
        for i in range(3):
            v = np.concatenate(samples[i]) if samples[i] else np.empty(0)
            if v.size == 0:
                lo, hi = 0.0, 1.0
            else:
                lo, hi = (float(x) for x in np.percentile(v, STRETCH_PERCENTILES))
                if hi <= lo:
                    hi = lo + 1.0
            low.append(lo)
            high.append(hi)
        return Stretch(tuple(low), tuple(high))  # type: ignore[arg-type]
