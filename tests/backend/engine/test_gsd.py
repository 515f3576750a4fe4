"""Which GSD the engine works at: the raster's own inside the model's range, else the nearest end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from rrsis.engine.raster_io import open_info, source_gsd_m
from rrsis.engine.gsd import working_gsd
from rrsis.models import create_model


def _tif(path: Path, crs: str, res: float, x0: float, y0: float) -> str:
    with rasterio.open(path, "w", driver="GTiff", width=20, height=10, count=3, dtype="uint8",
                       crs=crs, transform=from_origin(x0, y0, res, res)) as dst:
        dst.write(np.zeros((3, 10, 20), np.uint8))
    return str(path)


def test_source_gsd_projected_and_geographic(tmp_path: Path) -> None:
    assert source_gsd_m(open_info(_tif(tmp_path / "p.tif", "EPSG:32633", 0.2, 5e5, 5.5e6))) \
        == pytest.approx(0.2)
    # 1e-6 degree at 47° N: about 0.111 m north-south and 0.076 m east-west
    geo = source_gsd_m(open_info(_tif(tmp_path / "g.tif", "EPSG:4326", 1e-6, 11.0, 47.0)))
    assert geo == pytest.approx(np.sqrt(0.1112 * 0.0759), rel=0.02)


@pytest.mark.parametrize("source,want", [(0.2, 0.2), (0.05, 0.05), (1.0, 0.5), (0.02, 0.05),
                                         (None, 0.15)])
def test_working_gsd_is_clamped_to_the_served_range(source: float, want: float) -> None:
    model = create_model("test-lgce-tiny")
    model.card = {"gsd_m": 0.15, "gsd_range_m": [0.05, 0.5]}
    assert working_gsd(model, source) == pytest.approx(want)


def test_a_card_without_range_always_works_at_its_native_gsd() -> None:
    model = create_model("test-lgce-tiny")
    model.card = {"gsd_m": 0.13}
    assert working_gsd(model, 0.3) == pytest.approx(0.13)


def test_web_mercator_scale_is_taken_into_account(tmp_path: Path) -> None:
    """At 60° N a Web-Mercator metre is half a metre on the ground: GSD, grid and areas follow."""
    from rrsis.engine.grid import plan_grid

    y60 = 8399737.89  # northing of 60° N in EPSG:3857
    info = open_info(_tif(tmp_path / "m.tif", "EPSG:3857", 0.4, 1.0e6, y60))
    assert source_gsd_m(info) == pytest.approx(0.2, rel=0.01)
    grid = plan_grid(info, None, None, 0.2)
    assert grid.transform.a == pytest.approx(0.4, rel=0.01)  # 0.2 m on the ground
    assert grid.metres_per_unit == pytest.approx(0.5, rel=0.01)  # areas scale by 0.25
    assert abs(grid.width - 20) <= 1 and abs(grid.height - 10) <= 1  # not 40 x 20


def test_a_rotated_grid_has_the_ground_size_of_its_pixels(tmp_path: Path) -> None:
    """A raster whose geotransform turns its pixels (30° here) keeps their ground size (0.2 m),
    not the shorter step along the CRS's x axis (0.2 x cos 30°); the run reads it north-up at
    that size, each pixel where it lies on the ground, and no data outside its footprint."""
    import math

    from rasterio.transform import Affine

    from rrsis.engine.grid import plan_grid
    from rrsis.engine.raster_io import WindowReader

    path = tmp_path / "r.tif"
    turn = from_origin(5e5, 5.5e6, 0.2, 0.2) @ Affine.rotation(30)
    image = np.full((3, 10, 20), 40, np.uint8)
    image[:, 4:6, 14:16] = 250                    # a bright 2 x 2 px patch
    with rasterio.open(path, "w", driver="GTiff", width=20, height=10, count=3, dtype="uint8",
                       crs="EPSG:32633", transform=turn) as dst:
        dst.write(image)
    info = open_info(str(path))
    assert source_gsd_m(info) == pytest.approx(0.2, rel=1e-6)
    grid = plan_grid(info, None, None, source_gsd_m(info))
    assert grid.transform.a == pytest.approx(0.2) and grid.transform.b == 0.0
    x0, y0, x1, y1 = info.bounds            # the turned raster's bounding box, north-up
    assert (grid.width, grid.height) == (math.ceil((x1 - x0) / 0.2), math.ceil((y1 - y0) / 0.2))
    with WindowReader(info, grid, (1, 2, 3)) as reader:
        rgb, valid = reader.read(0, 0, grid.height, grid.width)
    rows, cols = np.nonzero(rgb[0] > 0.8)
    found = grid.transform @ (cols.mean() + 0.5, rows.mean() + 0.5)
    assert np.allclose(found, turn @ (15, 5), atol=0.2)     # the patch's centre on the ground
    assert not valid[0, 0] and not valid[-1, -1] and valid[grid.height // 2, grid.width // 2]


def test_a_grid_in_feet_is_read_on_its_own_pixels(tmp_path: Path) -> None:
    """A state plane in US survey feet: its pixel is its nominal size in metres (not the
    few 1e-5 the projection's scale moves it by), so the engine reads its own grid instead of
    resampling it by 1.00003, which blurs every pixel."""
    from rrsis.engine.grid import plan_grid

    info = open_info(_tif(tmp_path / "ft.tif", "EPSG:2236", 0.5, 341_800.0, 1_949_500.0))
    assert source_gsd_m(info) == pytest.approx(0.5 * 0.3048006096, rel=1e-9)
    grid = plan_grid(info, None, None, source_gsd_m(info))
    assert grid.transform.a == 0.5 and (grid.width, grid.height) == (20, 10)
