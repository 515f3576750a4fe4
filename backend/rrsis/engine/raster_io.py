"""Open and check a raster, and read the working grid (see :mod:`.grid`) by windows.

Reads go through a GDAL warped VRT over the working grid, so only the source blocks under
a window are read and resampling (``average`` when shrinking, ``bilinear`` when enlarging),
reprojection, nodata and alpha are handled by GDAL with correct pixel-area geometry.

A raster without CRS/transform is refused (:class:`~rrsis.errors.CRSError`) unless the
caller asks for pixel coordinates explicitly; then the grid is the raster's own pixel
grid, y growing down the rows or up (GDAL's frame or QGIS's: :data:`PIXEL_FRAMES`), its
pixels of the given ground size (else the model's native GSD).

Bands: RGB as is; 4+ bands use a band mapping (default: the bands the raster tags red, green
and blue, else 1, 2, 3); 1-2 bands: band 1
replicated, but an 8-bit band with a colour table (a paletted image) is read through its
table as RGB (resampled by nearest index or the most frequent one, never averaged; a
transparent entry is no data). Values: uint8 is divided by 255; any other type gets one robust 2-98
percentile stretch per band, computed once over the requested area (not per tile, so
tiles agree), unless the caller gives the stretch (a fine-tuned model's own:
:meth:`Stretch.from_card`).
"""

from __future__ import annotations

import math
import os
import re
import warnings
from dataclasses import dataclass, replace
from typing import Any, Optional, Sequence, Tuple
from xml.sax.saxutils import escape as xml_escape

import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.dtypes import dtype_rev, typename_fwd
from rasterio.enums import ColorInterp, MaskFlags, Resampling
from rasterio.errors import NotGeoreferencedWarning, RasterioIOError
from rasterio.transform import Affine
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from ..errors import CRSError, InputError, RasterReadError
from ..paths import check_local_source, is_gdal_name
# the working grid lives in .grid; its names stay importable from here
from .grid import (MAX_GRID_SIDE, Bounds, WorkGrid, bounds_of, ground_scale,  # noqa: F401
                   plan_grid, source_gsd_m, utm_crs)

__all__ = ["RasterInfo", "WorkGrid", "open_info", "open_raster", "resolve_bands", "plan_grid",
           "utm_crs", "WindowReader", "Stretch", "is_stretched", "MASK_MIDDLE_SHARE"]

STRETCH_PERCENTILES = (2.0, 98.0)


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
    palette: bool = False   # one 8-bit band whose values index a colour table
    colour_bands: Optional[Tuple[int, int, int]] = None   # bands tagged red, green, blue
    nir_tagged: Optional[int] = None   # a band tagged or described as near infrared
    data_tagged_alpha: Optional[int] = None   # a band tagged alpha that holds data (NAIP NIR)
    # a raster without a CRS (pixel coordinates): the ground size of one of its pixels, given
    # or taken as the model's native GSD (rrsis.engine.grid.plan_grid)
    pixel_size_m: Optional[float] = None

    @property
    def bounds(self) -> Bounds:
        return bounds_of(self.transform, self.width, self.height)


#: pixel coordinates of a raster without a CRS, by the way y grows: GDAL's pixel/line (y is the
#: row), or QGIS's view of such a raster (y is minus the row, so north is up on its canvas)
PIXEL_FRAMES = {"down": Affine.identity(), "up": Affine(1.0, 0.0, 0.0, 0.0, -1.0, 0.0)}


def open_raster(path: Any, *args: Any, **kwargs: Any) -> Any:
    """``rasterio.open`` without its warning for a raster in pixel units (no geotransform: a
    drone photo, a car frame, a mask drawn on one), which the callers handle and explain."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        return rasterio.open(path, *args, **kwargs)


def open_info(path: str, pixel_coordinates: bool = False,
              pixel_size_m: Optional[float] = None, pixel_y: str = "down") -> RasterInfo:
    """Open ``path`` (a file or any GDAL source) and check it can be segmented.
    ``pixel_size_m``: the ground size of a pixel of a raster without a CRS (refused for one
    with a CRS: its GSD is measured); ``pixel_y``: which way y grows in its pixel
    coordinates (:data:`PIXEL_FRAMES`)."""
    check_local_source(path)
    if "://" not in path and not os.path.exists(path) and not is_gdal_name(path):
        if os.path.islink(path):
            raise InputError(f"raster {path} is a broken symbolic link or a link loop")
        raise InputError(f"raster not found: {path}")
    try:
        with open_raster(path) as src:
            if src.count == 0 and src.subdatasets:
                raise InputError(_several_rasters(path, src.subdatasets))
            alpha = next((i + 1 for i, ci in enumerate(src.colorinterp)
                          if ci == ColorInterp.alpha), None)
            data_alpha = None
            if alpha is not None and not _holds_a_mask(src, alpha):
                alpha, data_alpha = None, alpha   # NAIP's near infrared, as many ship it
            info = RasterInfo(path=path, width=src.width, height=src.height, count=src.count,
                              dtype=src.dtypes[0], crs=src.crs, transform=src.transform,
                              nodata=src.nodata, alpha_band=alpha,
                              data_tagged_alpha=data_alpha,
                              palette=src.count == 1 and src.dtypes[0] == "uint8" and
                              src.colorinterp[0] == ColorInterp.palette,
                              colour_bands=_tagged_rgb(src.colorinterp),
                              nir_tagged=_tagged_nir(src.colorinterp, src.descriptions))
            has_gcps = bool(src.gcps[0])
    except RasterioIOError as exc:
        raise RasterReadError(f"cannot read raster {path}: {exc}") from exc
    if info.count < 1 or info.width < 1 or info.height < 1:
        raise InputError(f"{path} has no pixels or no bands")
    if info.crs is None or (info.transform.is_identity and not pixel_coordinates):
        if pixel_coordinates:
            if pixel_y not in PIXEL_FRAMES:
                raise InputError(f"pixel_y must be one of {', '.join(PIXEL_FRAMES)}, "
                                 f"got {pixel_y!r}")
            return replace(info, crs=None, transform=PIXEL_FRAMES[pixel_y],
                           pixel_size_m=pixel_size_m)
        hint = " (it has GCPs only: warp it first, e.g. gdalwarp)" if has_gcps else ""
        raise CRSError(f"{path} has no coordinate reference system or geotransform{hint}; "
                       "georeference it, or work in its pixel units (--pixel-coordinates, "
                       "with --pixel-size for the ground size of its pixels)")
    if pixel_size_m is not None:
        raise InputError(f"pixel_size_m is for a raster without a CRS: {path} is in "
                         f"{info.crs.to_string()}, which gives its GSD (gsd_m serves it at "
                         "another)")
    return info


def _several_rasters(path: str, subdatasets: Sequence[str], shown: int = 5) -> str:
    """What to do with a file that holds several rasters (GeoPackage tables, NetCDF
    variables): name one, in GDAL's words."""
    names = ", ".join(subdatasets[:shown]) + (f" and {len(subdatasets) - shown} more"
                                               if len(subdatasets) > shown else "")
    return (f"{path} holds {len(subdatasets)} rasters: name one as GDAL does, e.g. "
            f"{subdatasets[0]!r} (they are {names})")


#: the share of the sampled pixels it does not hide that an alpha band may hold below its
#: opaque value (anti-aliased edges) and still be a validity mask
MASK_MIDDLE_SHARE = 0.05   # rrsis_qgis.bands says the same to the dock
_MASK_SAMPLE = 256   # pixels a side of the sample an alpha band is judged on
SAMPLE_FRACTIONS = (0.1, 0.5, 0.9)   # where its windows lie across and down a large file


def _holds_a_mask(src: "rasterio.DatasetReader", band: int) -> bool:
    """Whether the band tagged alpha is a validity mask (0 and one opaque value, but for a
    few edge pixels) rather than data: NAIP tiles and ``gdalbuildvrt`` mosaics of them tag
    their near-infrared band alpha. Judged on a decimated read of an overview when the file
    has one, else on a 3 x 3 grid of small windows (a decimated read of a large file without
    overviews decodes every block); a band that cannot be read keeps its tag."""
    try:
        sample = _band_sample(src, band)
    except RasterioIOError:
        return True
    shown = sample[sample > 0]   # a mosaic with gaps is mostly transparent: judge the rest
    return shown.size == 0 or float((shown < shown.max()).mean()) <= MASK_MIDDLE_SHARE


def _without_alpha_tag(info: RasterInfo) -> str:
    """A VRT of ``info``'s raster, band for band, with the band tagged alpha that holds data
    (:func:`_holds_a_mask`) tagged undefined: else GDAL reads it as the validity mask (a pixel
    whose near infrared is 0 is "no data") and the warper weights every pixel by it."""
    with rasterio.open(info.path) as src:
        interps, nodata, dtypes = src.colorinterp, src.nodatavals, src.dtypes
        crs_wkt = src.crs.to_wkt() if src.crs else ""
        width, height, t = src.width, src.height, src.transform
    bands = []
    for b in range(1, info.count + 1):
        interp = "Undefined" if b == info.data_tagged_alpha else \
            interps[b - 1].name.capitalize()
        nd = "" if nodata[b - 1] is None else f"<NoDataValue>{nodata[b - 1]!r}</NoDataValue>"
        bands.append(
            f'<VRTRasterBand dataType="{typename_fwd[dtype_rev[dtypes[b - 1]]]}" band="{b}">'
            f"<ColorInterp>{interp}</ColorInterp>{nd}<SimpleSource>"
            f'<SourceFilename relativeToVRT="0">{xml_escape(info.path)}</SourceFilename>'
            f"<SourceBand>{b}</SourceBand></SimpleSource></VRTRasterBand>")
    return (f'<VRTDataset rasterXSize="{width}" rasterYSize="{height}">'
            f"<SRS>{xml_escape(crs_wkt)}</SRS>"
            f"<GeoTransform>{', '.join(repr(v) for v in t.to_gdal())}</GeoTransform>"
            + "".join(bands) + "</VRTDataset>")


def _band_sample(src: "rasterio.DatasetReader", band: int) -> np.ndarray:
    """About :data:`_MASK_SAMPLE` ² pixels of ``band`` spread over the raster, cheaply where
    the windows show something."""
    height, width = src.height, src.width
    if src.overviews(band) or max(height, width) <= 4 * _MASK_SAMPLE:
        shape = (min(height, _MASK_SAMPLE), min(width, _MASK_SAMPLE))
        return src.read(band, out_shape=shape, resampling=Resampling.nearest)
    side = _MASK_SAMPLE // 3
    windows = [Window(int((width - side) * fx), int((height - side) * fy), side, side)
               for fy in SAMPLE_FRACTIONS for fx in SAMPLE_FRACTIONS]
    sample = np.concatenate([src.read(band, window=w).ravel() for w in windows])
    if np.count_nonzero(sample) >= _MASK_SAMPLE:
        return sample
    # the windows fell in the gaps of a mosaic: the decimated read, whatever it costs
    return src.read(band, out_shape=(_MASK_SAMPLE, _MASK_SAMPLE), resampling=Resampling.nearest)


def _gdal_reason(exc: BaseException) -> str:
    """GDAL's own words for a failed read: rasterio's outer error only says "Read failed. See
    previous exception for details", the chained one says which block and why."""
    reason = exc
    while (reason.__cause__ or reason.__context__) is not None:
        reason = reason.__cause__ or reason.__context__
    return str(reason) or str(exc)


#: a band description that names near infrared ("NIR", "Near Infrared", "near-infrared")
_NIR_WORDS = re.compile(r"\b(nir|near[ _-]?infra[ _-]?red)\b", re.IGNORECASE)


def _tagged_nir(colorinterp: Sequence[ColorInterp], descriptions: Sequence[Optional[str]]
                ) -> Optional[int]:
    """The first band (1-based) tagged near infrared (GDAL >= 3.10) or described so."""
    for i, (ci, text) in enumerate(zip(colorinterp, descriptions)):
        if ci.name == "nir" or (text and _NIR_WORDS.search(text)):
            return i + 1
    return None


def _tagged_rgb(colorinterp: Sequence[ColorInterp]) -> Optional[Tuple[int, int, int]]:
    """The bands a raster tags red, green and blue (1-based), if it tags all three: a product
    stored blue, green, red, near-infrared says so, and is read in that order."""
    where = {ci: i + 1 for i, ci in reversed(list(enumerate(colorinterp)))}
    tags = (ColorInterp.red, ColorInterp.green, ColorInterp.blue)
    return tuple(where[t] for t in tags) if all(t in where for t in tags) else None  # type: ignore


def resolve_bands(info: RasterInfo, bands: Optional[Sequence[int]]) -> Tuple[int, int, int]:
    """The three source bands read as R, G, B (1-based): the ones asked for, else the bands
    tagged red, green and blue, else the first three (one band: grey)."""
    if bands is None:
        if info.colour_bands is not None:
            return info.colour_bands
        colour = info.count - (1 if info.alpha_band else 0)
        return (1, 2, 3) if colour >= 3 else (1, 1, 1)
    if len(bands) != 3:
        raise InputError(f"band mapping needs three bands (R,G,B), got {list(bands)}")
    bad = [b for b in bands if not 1 <= int(b) <= info.count]
    if bad:
        raise InputError(f"band(s) {bad} do not exist: {info.path} has {info.count} band(s)")
    return int(bands[0]), int(bands[1]), int(bands[2])


def is_stretched(dtype: str) -> bool:
    """8-bit values reach a model as they are (divided by 255); any other type is stretched."""
    return str(dtype) != "uint8"


@dataclass(frozen=True)
class Stretch:
    """Per-band linear map of raw values to [0, 1]: ``(v - low) / (high - low)``, clipped."""

    low: Tuple[float, float, float]
    high: Tuple[float, float, float]

    def apply(self, raw: np.ndarray) -> np.ndarray:
        lo = np.asarray(self.low, np.float32).reshape(3, 1, 1)
        hi = np.asarray(self.high, np.float32).reshape(3, 1, 1)
        return np.clip((raw.astype(np.float32) - lo) / (hi - lo), 0.0, 1.0)

    def to_card(self, dtype: str) -> dict:
        """The card's ``input_stretch``: what a model trained on such values saw."""
        return {"dtype": str(dtype), "low": [float(v) for v in self.low],
                "high": [float(v) for v in self.high]}

    @classmethod
    def from_card(cls, card: Optional[dict], dtype: str) -> Optional["Stretch"]:
        """The stretch a model's card records for rasters of ``dtype`` (``input_stretch``,
        written by ``rrsis finetune`` from its training data), else None: the requested
        area's own. A model fine-tuned on a 16-bit raster learnt those values mapped one way;
        served with the stretch of whatever extent is viewed, the same roof would reach it
        brighter or darker from one view to the next. Malformed entries count as absent."""
        entry = (card or {}).get("input_stretch")
        if not (isinstance(entry, dict) and entry.get("dtype") == str(dtype)
                and is_stretched(dtype)):
            return None
        try:
            low = tuple(float(v) for v in entry["low"])
            high = tuple(float(v) for v in entry["high"])
        except (KeyError, TypeError, ValueError):
            return None
        if len(low) != 3 or len(high) != 3 or not all(
                math.isfinite(a) and math.isfinite(b) and b > a for a, b in zip(low, high)):
            return None
        return cls(low, high)  # type: ignore[arg-type]


def _colour_table(src: "rasterio.io.DatasetReader") -> Optional[np.ndarray]:
    """The (256, 4) RGBA lookup table of band 1, or None where GDAL has none after all."""
    try:
        table = src.colormap(1)
    except ValueError:
        return None
    lut = np.zeros((256, 4), np.uint8)
    for index, colour in table.items():
        if 0 <= index < 256:
            lut[index] = colour
    return lut


class WindowReader:
    """Reads windows of the working grid as RGB in [0, 1] plus a validity mask.

    Use as a context manager; one open source and one warped VRT for the whole run.
    """

    def __init__(self, info: RasterInfo, grid: WorkGrid, bands: Tuple[int, int, int],
                 fill: Sequence[float] = (0.0, 0.0, 0.0),
                 stretch: Optional[Stretch] = None) -> None:
        """``fill``: the RGB given to pixels without data; a model's input mean for what a
        model sees (training pads with it), black for anything else. ``stretch``: the map
        of a raster that is not 8-bit (default: 2-98 % over ``grid``)."""
        self.info, self.grid, self.bands = info, grid, bands
        self.fill = np.asarray(fill, np.float32).reshape(3, 1)
        try:
            self._src = open_raster(info.path if info.data_tagged_alpha is None
                                    else _without_alpha_tag(info))
        except RasterioIOError as exc:
            raise RasterReadError(f"cannot read raster {info.path}: {exc}") from exc
        self._vrt: Optional[WarpedVRT] = None
        flags = self._src.mask_flag_enums
        has_mask = info.alpha_band is not None or any(MaskFlags.all_valid not in f for f in flags)
        # where validity comes from, read in the same call as the data when possible
        self._alpha: Optional[int] = info.alpha_band
        self._nodata: Optional[float] = info.nodata
        self._mask_call = has_mask and info.alpha_band is None and info.nodata is None
        self._lut = _colour_table(self._src) if info.palette else None
        src_res = source_gsd_m(info) or math.sqrt(abs(info.transform.determinant))
        shrinking = src_res < grid.gsd_m
        if self._lut is not None:   # indices: the most frequent one, or the nearest
            self._resampling = Resampling.mode if shrinking else Resampling.nearest
        else:
            self._resampling = Resampling.average if shrinking else Resampling.bilinear
        if grid.crs is not None:
            self._vrt = WarpedVRT(
                self._src, crs=grid.crs, transform=grid.transform, width=grid.width,
                height=grid.height, add_alpha=not has_mask, resampling=self._resampling)
            if not has_mask:
                self._alpha = self._vrt.count
        self.stretch: Optional[Stretch] = \
            stretch or self._fit_stretch() if is_stretched(info.dtype) else None

    def __enter__(self) -> "WindowReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._vrt is not None:
            self._vrt.close()
        self._src.close()

    def _pixel_window(self, r0: int, c0: int, r1: int, c1: int
                      ) -> Tuple[Window, Optional[Tuple[int, int]]]:
        """The raster's window under working rows r0-r1 and columns c0-c1 of a grid in pixel
        coordinates, and the shape to resample it to (None: the raster's own pixels)."""
        t = ~self.info.transform @ self.grid.transform   # working pixel -> raster pixel
        if t.a == 1.0 and t.e == 1.0:
            return Window(c0 + int(t.c), r0 + int(t.f), c1 - c0, r1 - r0), None
        x0, y0 = t.c + c0 * t.a, t.f + r0 * t.e
        # the last working pixel may reach past the raster by less than one of its pixels
        x1, y1 = min(t.c + c1 * t.a, self._src.width), min(t.f + r1 * t.e, self._src.height)
        return Window(x0, y0, x1 - x0, y1 - y0), (r1 - r0, c1 - c0)

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
        shape: Optional[Tuple[int, int]] = None   # resampled to it, where not None
        if self._vrt is None:  # pixel coordinates: the grid's window of the raster
            win, shape = self._pixel_window(r0, c0, r1, c1)
        unique = sorted(set(self.bands) | ({self._alpha} if self._alpha else set()))
        resampled = {} if shape is None else {"out_shape": (len(unique), *shape),
                                               "resampling": self._resampling}
        try:
            data = ds.read(unique, window=win, **resampled)
        except RasterioIOError as exc:
            raise RasterReadError(f"cannot read {self.info.path}: {_gdal_reason(exc)} (a truncated "
                                  "or corrupt file, or a VRT whose source is missing)") from exc
        lookup = {b: data[i] for i, b in enumerate(unique)}
        sl = (slice(r0 - row, r1 - row), slice(c0 - col, c1 - col))
        opaque: Optional[np.ndarray] = None
        if self._lut is not None:   # a paletted band: its colours, not its indices
            rgba = self._lut[lookup[1]]
            opaque = rgba[..., 3] > 0
            raw[(slice(None),) + sl] = np.moveaxis(rgba[..., :3], -1, 0)
        else:
            for i, b in enumerate(self.bands):
                raw[(i,) + sl] = lookup[b]
        if self._alpha:
            valid[sl] = lookup[self._alpha] > 0
        elif self._nodata is not None:
            colour = np.stack([lookup[b] for b in self.bands])
            nd = np.isnan(colour) if math.isnan(self._nodata) else colour == self._nodata
            valid[sl] = ~nd.all(axis=0)
        elif self._mask_call:
            valid[sl] = ds.dataset_mask(window=win, **({} if shape is None
                                                        else {"out_shape": shape})) > 0
        else:
            valid[sl] = True
        if raw.dtype.kind == "f":  # NaN/inf are no data, declared or not: NaN spreads in a model
            valid &= np.isfinite(raw).all(axis=0)
        if opaque is not None:   # a transparent colour-table entry is no data
            valid[sl] &= opaque
        return raw, valid

    def read(self, row: int, col: int, height: int, width: int
             ) -> Tuple[np.ndarray, np.ndarray]:
        """RGB float32 (3, h, w) in [0, 1] (invalid pixels ``fill``) and validity (h, w) bool."""
        raw, valid = self.read_raw(row, col, height, width)
        if self.stretch is None:
            rgb = raw.astype(np.float32) / 255.0
        else:
            rgb = self.stretch.apply(raw)
        rgb[:, ~valid] = self.fill
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
