"""A local XYZ tile set (``{z}/{x}/{y}.png``) cut from a GeoTIFF, to test web layers offline.

Uses GDAL's own ``gdal2tiles`` (``osgeo_utils``, shipped with QGIS's GDAL bindings) in XYZ
mode; the bundled sample is a mosaic of zoom-21 tiles, so its zoom-21 tiles are exact copies
of its pixels and zooms 19-20 are GDAL's averages of them.
"""

from __future__ import annotations

from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "kampala_oam.tif"
ZOOMS = (19, 21)


def build_xyz_tiles(folder: Path, source: Path = SAMPLE, zooms=ZOOMS) -> Path:
    """Cut ``source`` into PNG tiles under ``folder``; idempotent."""
    from osgeo_utils import gdal2tiles

    if not (folder / str(zooms[1])).is_dir():
        gdal2tiles.main(["gdal2tiles", "--xyz", "-z", f"{zooms[0]}-{zooms[1]}", "-w", "none",
                         "-r", "average", "--processes", "1", "-q", str(source), str(folder)])
    return folder


def xyz_uri(folder: Path, zooms=ZOOMS) -> str:
    """The QGIS data-source URI of the tile set as an XYZ layer (``wms`` provider)."""
    url = folder.resolve().as_uri() + "/{z}/{x}/{y}.png"
    return f"type=xyz&url={url}&zmax={zooms[1]}&zmin={zooms[0]}"
