"""rrsis_qgis.bands on real GeoTIFFs read by QGIS: which sample a band tagged alpha is judged
on, as the engine takes it (rrsis.engine.raster_io._band_sample)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qgis.core import QgsRasterLayer

from rrsis_qgis import bands

SIDE = 1200       # larger than 4 x the sample: judged on windows unless it has pyramids
WINDOW = bands._SAMPLE // 3


def _tagged_alpha(path: Path, overviews: bool = False, corner_only: bool = False) -> Path:
    """A 4-band GeoTIFF whose fourth band, tagged alpha, is opaque (255) but for the nine
    windows the plugin samples, which hold a ramp of values (data, as NAIP's near infrared);
    ``corner_only``: transparent (0) everywhere but a data corner the windows miss."""
    from osgeo import gdal, osr

    fourth = np.full((SIDE, SIDE), 255, np.uint8)
    ramp = (np.arange(WINDOW * WINDOW) % 250 + 1).reshape(WINDOW, WINDOW).astype(np.uint8)
    for fy in (0.1, 0.5, 0.9):
        for fx in (0.1, 0.5, 0.9):
            y, x = int((SIDE - WINDOW) * fy), int((SIDE - WINDOW) * fx)
            fourth[y:y + WINDOW, x:x + WINDOW] = ramp
    if corner_only:
        fourth[:] = 0
        fourth[:40, :40] = np.arange(1600).reshape(40, 40) % 250 + 1
    ds = gdal.GetDriverByName("GTiff").Create(str(path), SIDE, SIDE, 4, gdal.GDT_Byte,
                                              ["TILED=YES"])
    ds.SetGeoTransform((500000.0, 0.5, 0.0, 4649776.0, 0.0, -0.5))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32633)
    ds.SetProjection(srs.ExportToWkt())
    for b in range(1, 4):
        ds.GetRasterBand(b).Fill(90)
    ds.GetRasterBand(4).WriteArray(fourth)
    ds.GetRasterBand(4).SetColorInterpretation(gdal.GCI_AlphaBand)
    if overviews:
        ds.BuildOverviews("NEAREST", [4, 16])
    ds = None
    return path


@pytest.mark.usefixtures("qgis_app")
def test_a_large_file_without_pyramids_is_judged_on_nine_windows(tmp_path: Path) -> None:
    """Without pyramids a resampled block of the whole file would decode all of it; the nine
    full-resolution windows see the data there (a resampled block would see the opaque
    value almost everywhere)."""
    layer = QgsRasterLayer(str(_tagged_alpha(tmp_path / "large.tif")), "large")
    assert layer.isValid() and not layer.dataProvider().hasPyramids()
    assert not bands.holds_a_mask(layer, 4)
    assert bands.may_have_near_infrared(layer)


@pytest.mark.usefixtures("qgis_app")
def test_with_pyramids_or_where_the_windows_see_nothing_the_resampled_block_decides(
        tmp_path: Path) -> None:
    pyramids = QgsRasterLayer(str(_tagged_alpha(tmp_path / "ovr.tif", overviews=True)), "ovr")
    assert pyramids.isValid() and pyramids.dataProvider().hasPyramids()
    assert bands.holds_a_mask(pyramids, 4)          # the overview: opaque almost everywhere
    corner = QgsRasterLayer(str(_tagged_alpha(tmp_path / "corner.tif", corner_only=True)),
                            "corner")
    # the windows fall where it is transparent: the resampled block sees the corner's data
    assert corner.isValid() and not bands.holds_a_mask(corner, 4)
