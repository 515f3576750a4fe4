"""VRTs are followed to their sources before GDAL opens them (rrsis.paths.check_local_source).

Why: a VRT over a VRT names its source once per band (``gdal_translate -of VRT`` writes four
references to the same mosaic); that is not a cycle and must open, while a VRT that reaches
itself again must be refused in one line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers.engine import write_tif
from rrsis.engine.raster_io import open_info
from rrsis.errors import RasterReadError
from rrsis.paths import check_local_source


def vrt(path: Path, source: str, bands: int = 3) -> Path:
    path.write_text(
        '<VRTDataset rasterXSize="64" rasterYSize="64">\n'
        '  <SRS>EPSG:32633</SRS><GeoTransform>500000, 0.5, 0, 5000100, 0, -0.5</GeoTransform>\n'
        + "".join(f'  <VRTRasterBand dataType="Byte" band="{b}"><SimpleSource>\n'
                  f'    <SourceFilename relativeToVRT="1">{source}</SourceFilename>\n'
                  f'    <SourceBand>{b}</SourceBand></SimpleSource></VRTRasterBand>\n'
                  for b in range(1, bands + 1))
        + "</VRTDataset>\n")
    return path


def test_a_vrt_of_a_vrt_naming_it_once_per_band_opens(tmp_path: Path) -> None:
    write_tif(tmp_path / "tile.tif", np.full((4, 64, 64), 90, np.uint8))
    vrt(tmp_path / "mosaic.vrt", "tile.tif", bands=4)
    outer = vrt(tmp_path / "rgbn.vrt", "mosaic.vrt", bands=4)
    check_local_source(str(outer))
    assert open_info(str(outer)).count == 4


def test_a_vrt_that_reaches_itself_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RasterReadError, match="in a cycle"):
        check_local_source(str(vrt(tmp_path / "self.vrt", "self.vrt")))
    vrt(tmp_path / "a.vrt", "b.vrt")
    vrt(tmp_path / "b.vrt", "a.vrt")
    with pytest.raises(RasterReadError, match="in a cycle"):
        check_local_source(str(tmp_path / "a.vrt"))
