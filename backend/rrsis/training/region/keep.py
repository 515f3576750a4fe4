"""Inputs a dataset keeps a copy of: a raster or labels that exist only for one build (a web
layer QGIS rendered, a layer QGIS exported), which the held-out score reads later."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Tuple

from .labels import is_class_raster

__all__ = ["keep_raster", "keep_labels"]


def _geotiff_copy(src: Path, dst: Path) -> None:
    """``src`` (any GDAL raster: a VRT's sources or a world file come along) as one GeoTIFF."""
    import rasterio.shutil

    rasterio.shutil.copy(str(src), str(dst), driver="GTiff", COMPRESS="DEFLATE", TILED="YES",
                         BIGTIFF="IF_SAFER")


def keep_raster(raster: Path, tmp: Path, output: Path) -> str:
    """Copy the raster into the dataset being written (``source.tif``); its final path."""
    _geotiff_copy(raster, tmp / "source.tif")
    return str(output.resolve() / "source.tif")


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
