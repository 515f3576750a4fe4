"""Atomic writers: the objects as a GeoPackage (or GeoJSON, FlatGeobuf), and strip-by-strip
GeoTIFFs.

Everything is written under a hidden temporary name in the target folder and renamed
over the target only when complete (``os.replace``), so a failed or cancelled run
leaves nothing behind and never a half-written file. Whether an existing target may be
replaced is decided before the run (:func:`rrsis.paths.check_outputs`).
"""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any, Dict, Optional, Sequence

import numpy as np
from rasterio.crs import CRS
from rasterio.windows import Window

from .. import paths
from ..errors import InputError
from ..protocol import FEATURE_FIELDS
from .raster_io import WorkGrid, open_raster

__all__ = ["FIELDS", "temporary_path", "write_geopackage", "write_polygons", "StripRasterWriter"]

# GeoPackage 1.2: read without warnings by the GDAL of older QGIS LTRs (3.22 and later)
GPKG_VERSION = "1.2"
logging.getLogger("pyogrio").setLevel(logging.WARNING)  # no per-write INFO lines on the CLI
#: driver -> (dataset options, layer options)
_DRIVER_OPTIONS = {"GPKG": ({"VERSION": GPKG_VERSION}, {}),
                   "GeoJSON": ({}, {"RFC7946": "YES", "WRITE_NAME": "NO"})}

# field name -> OGR-compatible numpy dtype, from the protocol's FEATURE_FIELDS (the definition)
FIELDS: Dict[str, Any] = {name: np.float64 if f.kind == "number" else object
                          for name, f in FEATURE_FIELDS.items()}


def temporary_path(target: str) -> str:
    """A fresh part-file path beside ``target`` with the same suffix (drivers go by suffix).

    Named ``.NAME.rrsis-PID-XXXX.part.SUF`` and registered as live (see :mod:`rrsis.paths`),
    so every exit path can remove it and the next run removes it if this process dies.
    """
    return paths.part_path(target)


def _remove(path: str) -> None:
    paths.release_part(path)


def _raise_write_failure(exc: BaseException, path: str) -> None:
    """Re-raise a failed write as the specific error it means (disk full, read-only)."""
    specific = paths.write_failure(exc, path)
    if specific is not None:
        raise specific from exc


def write_geopackage(path: str, layer: str, records: Sequence[Dict[str, Any]],
                     crs: Optional[CRS]) -> None:
    """Write ``records`` (``geometry`` shapely Polygon + :data:`FIELDS`) as one layer
    (:func:`write_polygons`: a GeoPackage, or GeoJSON or FlatGeobuf by the suffix)."""
    write_polygons(path, layer, [r["geometry"] for r in records],
                   {name: np.array([r[name] for r in records], dtype=dtype)
                    for name, dtype in FIELDS.items()}, crs)


def write_polygons(path: str, layer: str, geometries: Sequence[Any],
                   columns: Dict[str, np.ndarray], crs: Optional[CRS]) -> None:
    """Polygons and their attribute columns as one layer of a GeoPackage, GeoJSON or
    FlatGeobuf file (by ``path``'s suffix: :func:`rrsis.paths.vector_driver`), atomically; a
    failed write is raised as what it means (disk full, read-only) and leaves nothing behind.

    GeoJSON is written as RFC 7946 says, in WGS 84 longitude and latitude (GDAL reprojects;
    a run without a CRS refuses it before it starts); the others keep the CRS."""
    import pyogrio.raw

    driver = paths.vector_driver(path)
    options = _DRIVER_OPTIONS.get(driver, ({}, {}))
    geometry = np.array([g.wkb for g in geometries], dtype=object)
    tmp = temporary_path(path)
    try:
        with warnings.catch_warnings():   # no CRS is pixel coordinates, asked for: not news
            warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
            pyogrio.raw.write(tmp, geometry=geometry, field_data=list(columns.values()),
                              fields=list(columns), layer=layer, driver=driver,
                              geometry_type="Polygon",
                              crs=crs.to_wkt() if crs is not None else None, encoding="UTF-8",
                              dataset_options=options[0], layer_options=options[1])
        os.replace(tmp, path)
    except Exception as exc:
        _raise_write_failure(exc, path)
        raise
    finally:
        _remove(tmp)


class StripRasterWriter:
    """A tiled, compressed GeoTIFF on the working grid, written strip by strip.

    ``kind``: ``"uint8"`` probability 0-255, ``"float32"`` probability 0-1 (NaN = no
    data), or ``"mask"`` (uint8 1 = object, 0 = not). One band per expression. For the
    uint8 kinds, pixels without data are 0 and flagged in an internal GDAL mask (so
    ``band > 0`` is exactly the objects, and QGIS shows no-data areas transparent).
    """

    def __init__(self, path: str, grid: WorkGrid, kind: str, descriptions: Sequence[str]) -> None:
        if kind not in ("uint8", "float32", "mask"):
            raise InputError(f"probability dtype must be uint8 or float32, got {kind!r}")
        self.path, self.kind = path, kind
        self.tmp = temporary_path(path)
        try:
            self._open(grid, kind, descriptions)
        except Exception as exc:
            _remove(self.tmp)
            _raise_write_failure(exc, path)
            raise

    def _open(self, grid: WorkGrid, kind: str, descriptions: Sequence[str]) -> None:
        nodata = float("nan") if kind == "float32" else None
        profile = dict(driver="GTiff", width=grid.width, height=grid.height,
                       count=len(descriptions), dtype="float32" if kind == "float32" else "uint8",
                       crs=grid.crs, transform=grid.transform, nodata=nodata, tiled=True,
                       blockxsize=256, blockysize=256, compress="deflate",
                       predictor=3 if kind == "float32" else 2, BIGTIFF="IF_SAFER")
        self._ds = open_raster(self.tmp, "w", **profile)   # a pixel frame: GeoTIFF keeps it
        for i, text in enumerate(descriptions, start=1):
            self._ds.set_band_description(i, text[:200])

    def write(self, row0: int, prob: np.ndarray, valid: np.ndarray, threshold: float) -> None:
        """prob (E, h, W) float32 in [0, 1] for rows ``row0 .. row0 + h``; valid (h, W)."""
        window = Window(0, row0, prob.shape[2], prob.shape[1])
        if self.kind == "float32":
            data = np.where(valid, prob, np.nan).astype(np.float32)
        elif self.kind == "uint8":
            data = np.where(valid, np.round(prob * 255.0), 0).astype(np.uint8)
        else:
            data = ((prob >= threshold) & valid).astype(np.uint8)
        try:
            self._ds.write(data, window=window)
            if self.kind != "float32":
                self._ds.write_mask(np.where(valid, 255, 0).astype(np.uint8), window=window)
        except Exception as exc:
            _raise_write_failure(exc, self.path)
            raise

    def commit(self) -> None:
        try:
            self._ds.close()
            os.replace(self.tmp, self.path)
        except Exception as exc:
            _raise_write_failure(exc, self.path)
            raise
        paths.release_part(self.tmp, remove=False)

    def abort(self) -> None:
        try:
            self._ds.close()
        finally:
            _remove(self.tmp)
