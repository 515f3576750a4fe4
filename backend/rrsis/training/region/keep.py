"""Inputs a dataset keeps a copy of: a raster or labels that exist only for one build (a web
layer QGIS rendered, a layer QGIS exported), which the held-out score reads later."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Tuple

from rasterio.windows import Window

from ...engine.grid import Bounds
from .area import pixel_span
from .labels import is_class_raster

__all__ = ["keep_raster", "keep_labels"]


def _geotiff_copy(src: Path, dst: Path) -> None:
    """``src`` (any GDAL raster: a VRT's sources or a world file come along) as one GeoTIFF."""
    import rasterio.shutil

    rasterio.shutil.copy(str(src), str(dst), driver="GTiff", COMPRESS="DEFLATE", TILED="YES",
                         BIGTIFF="IF_SAFER")


#: pixels kept around the dataset's area (resampling at its edge reads a few beyond it)
MARGIN_PX = 8
_BLOCK_ROWS = 1024


def keep_raster(raster: Path, tmp: Path, output: Path, bounds: Optional[Bounds] = None,
                crs: Optional[Any] = None) -> str:
    """Copy the raster into the dataset being written (``source.tif``); its final path. With
    ``bounds`` (in ``crs``: the build's area), only the part of the raster that covers them
    and :data:`MARGIN_PX` pixels around it: 40 houses labelled in one corner of a 5 GB
    orthomosaic keep that corner, on the raster's own pixels."""
    import rasterio

    with rasterio.open(str(raster)) as src:
        window = None if bounds is None else _covering_window(src, bounds, crs)
        if window is not None:
            _write_window(src, window, tmp / "source.tif")
    if window is None:
        _geotiff_copy(raster, tmp / "source.tif")
    return str(output.resolve() / "source.tif")


def _covering_window(src: Any, bounds: Bounds, crs: Optional[Any]) -> Optional[Window]:
    """The raster's pixels that cover ``bounds`` and a margin; None when that is all of it."""
    from rasterio.crs import CRS
    from rasterio.warp import transform_bounds

    if crs is not None and src.crs is not None and CRS.from_user_input(crs) != src.crs:
        bounds = transform_bounds(crs, src.crs, *bounds, densify_pts=21)
    r0, c0, r1, c1 = pixel_span(src.transform, bounds, MARGIN_PX)
    r0, c0, r1, c1 = max(0, r0), max(0, c0), min(src.height, r1), min(src.width, c1)
    if c1 <= c0 or r1 <= r0 or (c0, r0, c1, r1) == (0, 0, src.width, src.height):
        return None
    return Window(c0, r0, c1 - c0, r1 - r0)


def _write_window(src: Any, window: Window, dst_path: Path) -> None:
    """``window`` of ``src`` as a tiled, compressed GeoTIFF: its bands, data type, no-data,
    mask, colour interpretation (R, G, B tags choose the bands), descriptions and tags."""
    import rasterio
    from rasterio.enums import MaskFlags

    width, height = int(window.width), int(window.height)
    profile = {"driver": "GTiff", "width": width, "height": height, "count": src.count,
               "dtype": src.dtypes[0], "crs": src.crs, "nodata": src.nodata,
               "transform": src.window_transform(window), "tiled": True, "blockxsize": 256,
               "blockysize": 256, "compress": "deflate", "BIGTIFF": "IF_SAFER"}
    own_mask = all(MaskFlags.per_dataset in flags and MaskFlags.alpha not in flags
                   for flags in src.mask_flag_enums)
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True), rasterio.open(dst_path, "w",
                                                                   **profile) as dst:
        dst.colorinterp = src.colorinterp
        dst.descriptions = src.descriptions
        dst.update_tags(**src.tags())
        for band in range(1, src.count + 1):
            dst.update_tags(band, **src.tags(band))
        for row in range(0, height, _BLOCK_ROWS):
            rows = min(_BLOCK_ROWS, height - row)
            read = Window(window.col_off, window.row_off + row, width, rows)
            into = Window(0, row, width, rows)
            dst.write(src.read(window=read), window=into)
            if own_mask:
                dst.write_mask(src.read_masks(1, window=read), window=into)


def keep_labels(labels: Path, layer: Optional[str], tmp: Path, output: Path
                ) -> Tuple[str, Optional[str]]:
    """Copy the labels into the dataset being written: a class raster as ``labels.tif``, the
    layer of a vector file as ``labels.gpkg``; their final path and layer (None: the only one)."""
    import pyogrio.raw

    if is_class_raster(labels):
        _geotiff_copy(labels, tmp / "labels.tif")
        return str(output.resolve() / "labels.tif"), None
    meta, _, geometry, fields = pyogrio.raw.read(str(labels), layer=layer)
    pyogrio.raw.write(str(tmp / "labels.gpkg"), geometry, fields, meta["fields"], layer="labels",
                      driver="GPKG", crs=meta["crs"], geometry_type=meta["geometry_type"],
                      encoding="UTF-8")
    return str(output.resolve() / "labels.gpkg"), None
