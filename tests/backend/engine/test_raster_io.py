"""Raster checks, working-grid planning and windowed reads on real GeoTIFFs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasterio.transform import from_origin

from helpers.engine import scene, write_tif
from rrsis.engine.raster_io import (Stretch, WindowReader, open_info, plan_grid, resolve_bands,
                                    utm_crs)
from rrsis.errors import CRSError, InputError


@pytest.mark.parametrize("lon,lat,epsg", [(15.2, 45.0, 32633), (-84.4, 33.7, 32616),
                                           (151.2, -33.9, 32756), (-180.0, 0.0, 32601),
                                           (180.0, 10.0, 32660)])
def test_utm_zone_of_a_point(lon: float, lat: float, epsg: int) -> None:
    assert utm_crs(lon, lat).to_epsg() == epsg


def test_working_grid_snaps_to_the_extent_at_the_gsd(tmp_path: Path) -> None:
    info = open_info(str(write_tif(tmp_path / "a.tif", scene(size=100))))  # 50 m at 0.5 m
    grid = plan_grid(info, (500010.0, 5000060.0, 500030.1, 5000090.0), None, 0.2)
    assert (grid.width, grid.height) == (101, 150)  # 20.1 m -> 101 px (ceil), 30 m -> 150 px
    assert (grid.transform.c, grid.transform.f, grid.transform.a) == (500010.0, 5000090.0, 0.2)
    whole = plan_grid(info, None, None, 0.5)
    assert (whole.width, whole.height, whole.transform) == (100, 100, info.transform)
    clipped = plan_grid(info, (499990.0, 5000000.0, 500010.0, 5000200.0), None, 0.5)
    assert clipped.bounds == (500000.0, 5000050.0, 500010.0, 5000100.0)


def test_geographic_raster_gets_a_utm_grid_in_metres(tmp_path: Path) -> None:
    t = from_origin(15.0, 45.0, 1e-5, 1e-5)
    info = open_info(str(write_tif(tmp_path / "a.tif", scene(size=100), crs="EPSG:4326",
                                   transform=t)))
    grid = plan_grid(info, None, None, 0.5)
    assert grid.crs.to_epsg() == 32633 and grid.transform.a == 0.5
    # 1e-3 degrees: ~79 m east-west and ~111 m north-south at 45 degrees north
    assert 150 < grid.width < 175 and 215 < grid.height < 235


def test_refusals(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        open_info(str(tmp_path / "nope.tif"))
    (tmp_path / "junk.tif").write_bytes(b"not a raster")
    with pytest.raises(InputError, match="cannot read"):
        open_info(str(tmp_path / "junk.tif"))
    bare = write_tif(tmp_path / "bare.tif", scene(size=20), crs=None)
    with pytest.raises(CRSError):
        open_info(str(bare))
    assert open_info(str(bare), pixel_coordinates=True).crs is None
    info = open_info(str(write_tif(tmp_path / "a.tif", scene(size=20))))
    with pytest.raises(InputError, match="GSD"):
        plan_grid(info, None, None, 0.0)
    with pytest.raises(CRSError, match="unknown extent CRS"):
        plan_grid(info, (0, 0, 1, 1), "EPSG:999999", 0.5)


def test_band_mapping_defaults() -> None:
    from rrsis.engine.raster_io import RasterInfo
    from rasterio.transform import Affine

    def info(count: int, alpha=None) -> RasterInfo:
        return RasterInfo("x", 10, 10, count, "uint8", None, Affine.identity(), None, alpha)

    assert resolve_bands(info(1), None) == (1, 1, 1)
    assert resolve_bands(info(2, alpha=2), None) == (1, 1, 1)
    assert resolve_bands(info(3), None) == (1, 2, 3)
    assert resolve_bands(info(4, alpha=4), None) == (1, 2, 3)
    assert resolve_bands(info(8), (5, 3, 2)) == (5, 3, 2)
    with pytest.raises(InputError):
        resolve_bands(info(3), (1, 2))


def test_bands_tagged_red_green_blue_are_read_as_such(tmp_path: Path) -> None:
    """A product stored blue, green, red, near-infrared (as many satellite products are) and
    tagged so: read in that order without a band mapping; a mapping still wins."""
    import rasterio
    from rasterio.enums import ColorInterp

    data = np.stack([np.full((20, 20), v, np.uint8) for v in (10, 20, 30, 40)])
    path = write_tif(tmp_path / "bgrn.tif", data)
    with rasterio.open(path, "r+") as dst:
        dst.colorinterp = [ColorInterp.blue, ColorInterp.green, ColorInterp.red,
                           ColorInterp.undefined]
    info = open_info(str(path))
    assert resolve_bands(info, None) == (3, 2, 1) and resolve_bands(info, (4, 3, 2)) == (4, 3, 2)
    with WindowReader(info, plan_grid(info, None, None, 0.5), resolve_bands(info, None)) as r:
        raw, _ = r.read_raw(0, 0, 4, 4)
    assert raw[:, 0, 0].tolist() == [30, 20, 10]
    plain = open_info(str(write_tif(tmp_path / "plain.tif", data)))   # untagged: 1, 2, 3
    assert resolve_bands(plain, None) == (1, 2, 3)


def test_reads_are_windowed_exact_and_padded_outside_the_grid(tmp_path: Path) -> None:
    data = np.arange(3 * 50 * 60, dtype=np.uint16).reshape(3, 50, 60)
    info = open_info(str(write_tif(tmp_path / "a.tif", data)))
    grid = plan_grid(info, None, None, 0.5)
    with WindowReader(info, grid, (3, 2, 1)) as reader:
        raw, valid = reader.read_raw(40, 50, 16, 16)
        np.testing.assert_array_equal(raw[:, :10, :10], data[::-1, 40:50, 50:60])
        assert valid[:10, :10].all() and not valid[10:].any() and not valid[:, 10:].any()
        rgb, _ = reader.read(0, 0, 50, 60)
        lo, hi = reader.stretch.low[0], reader.stretch.high[0]
        assert lo == pytest.approx(np.percentile(data[2], 2)) and hi > lo
        assert rgb.min() == 0.0 and rgb.max() == 1.0 and rgb.dtype == np.float32


def test_a_cards_stretch_is_used_only_for_its_data_type_and_when_sane(tmp_path: Path) -> None:
    good = {"dtype": "uint16", "low": [100, 100, 100], "high": [1100, 1100, 1100]}
    assert Stretch.from_card({"input_stretch": good}, "uint16") == Stretch((100.0,) * 3,
                                                                           (1100.0,) * 3)
    assert Stretch.from_card({"input_stretch": good}, "int16") is None   # another sensor's values
    assert Stretch.from_card({"input_stretch": dict(good, dtype="uint8")}, "uint8") is None
    for bad in ({**good, "low": [1, 2]}, {**good, "high": [50, 50, 50]}, {**good, "low": "x"},
                {**good, "high": [float("nan")] * 3}, {"dtype": "uint16"}, "uint16"):
        assert Stretch.from_card({"input_stretch": bad}, "uint16") is None
    assert Stretch.from_card(None, "uint16") is None and Stretch.from_card({}, "uint16") is None
    # given to the reader, it replaces the area's 2-98 % fit
    data = scene(size=64, box=(10, 30, 10, 30), dark=300, bright=900, dtype="uint16")
    raster = write_tif(tmp_path / "in.tif", data)
    info = open_info(str(raster))
    grid = plan_grid(info, None, None, 0.5)
    with WindowReader(info, grid, (1, 2, 3), stretch=Stretch.from_card(
            {"input_stretch": good}, "uint16")) as reader:
        rgb, _ = reader.read(0, 0, 64, 64)
    assert rgb[0, 0, 0] == pytest.approx(0.2) and rgb.max() == pytest.approx(0.8)


def test_a_paletted_band_is_read_through_its_colour_table(tmp_path: Path) -> None:
    """A one-band 8-bit image with a colour table (PNG8-style exports, some archives) reaches
    the model in its colours, not as grey indices; never averaged between indices; the
    nodata index is no data (GeoTIFF tables carry no transparency)."""
    import rasterio

    colours = {0: (0, 0, 0, 0), 1: (200, 40, 30, 255), 2: (20, 160, 60, 255),
               3: (240, 240, 240, 255)}
    index = np.tile(np.array([[1, 2], [3, 0]], np.uint8).repeat(4, 0).repeat(4, 1), (4, 4))
    path = tmp_path / "pal.tif"
    with rasterio.open(path, "w", driver="GTiff", width=32, height=32, count=1, dtype="uint8",
                       crs="EPSG:32633", transform=from_origin(500000, 5000000, 0.5, 0.5),
                       photometric="palette", nodata=0) as dst:
        dst.write(index[None])
        dst.write_colormap(1, colours)
    info = open_info(str(path))
    assert info.palette and resolve_bands(info, None) == (1, 1, 1)
    with WindowReader(info, plan_grid(info, None, None, 0.5), (1, 1, 1)) as reader:
        rgb, valid = reader.read(0, 0, 32, 32)
    expected = np.array([colours[i][:3] for i in range(4)], np.float32)[index] / 255.0
    assert np.allclose(np.moveaxis(rgb, 0, -1)[valid], expected[valid])
    assert (valid == (index != 0)).all()
    # coarser than the source: each pixel takes one of the table's colours, none invented
    info2 = open_info(str(path))
    with WindowReader(info2, plan_grid(info2, None, None, 1.0), (1, 1, 1)) as reader:
        rgb, valid = reader.read(0, 0, 16, 16)
    seen = {tuple(np.round(c * 255).astype(int)) for c in np.moveaxis(rgb, 0, -1)[valid]}
    assert seen and seen <= {c[:3] for c in colours.values()}
