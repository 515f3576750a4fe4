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
