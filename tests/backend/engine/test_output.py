"""rrsis.engine.output: the GeoPackage and strip GeoTIFF writers, atomic and read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.crs import CRS
from rasterio.transform import from_origin
from shapely.geometry import box

from helpers.features import layer_crs, read_features
from rrsis.engine.output import FIELDS, StripRasterWriter, write_geopackage
from rrsis.engine.grid import WorkGrid
from rrsis.errors import InputError

CRS_UTM = CRS.from_epsg(32633)


def _record(i: int) -> dict:
    return {"geometry": box(500_000 + i, 5_000_000, 500_002 + i, 5_000_003), "expression": "cars",
            "category": "car",
            "score": 0.5 + i / 10, "area_m2": 6.0, "model": "tiny", "model_sha256": "ab" * 32,
            "gsd_m": 0.5, "created": "2026-01-01T00:00:00+00:00", "plan": "segment cars"}


def _leftovers(folder: Path) -> list:
    return [p.name for p in folder.iterdir() if ".part" in p.name]


def test_geopackage_has_the_schema_fields_and_crs(tmp_path: Path) -> None:
    out = tmp_path / "objects.gpkg"
    write_geopackage(str(out), "rrsis", [_record(0), _record(5)], CRS_UTM)
    rows = read_features(out)
    assert len(rows) == 2 and set(FIELDS) <= set(rows[0])
    assert [r["score"] for r in rows] == pytest.approx([0.5, 1.0])
    assert rows[1]["geometry"].bounds == (500_005, 5_000_000, 500_007, 5_000_003)
    assert "32633" in layer_crs(out)
    assert _leftovers(tmp_path) == []


def test_an_empty_result_is_still_a_layer(tmp_path: Path) -> None:
    out = tmp_path / "none.gpkg"
    write_geopackage(str(out), "rrsis", [], None)  # pixel coordinates: no CRS
    assert read_features(out) == [] and layer_crs(out) is None


def _grid() -> WorkGrid:
    return WorkGrid(CRS_UTM, from_origin(500_000, 5_000_100, 0.5, 0.5), width=20, height=10,
                    gsd_m=0.5, metres_per_unit=1.0)


@pytest.mark.parametrize("kind", ["uint8", "float32", "mask"])
def test_strip_writer_writes_each_kind_strip_by_strip(tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.tif"
    writer = StripRasterWriter(str(out), _grid(), kind, ["cars", "roofs"])
    prob = np.linspace(0, 1, 2 * 5 * 20, dtype=np.float32).reshape(2, 5, 20)
    valid = np.ones((5, 20), bool)
    valid[:, :3] = False  # no data on the left edge
    writer.write(0, prob, valid, 0.5)
    writer.write(5, prob[:, ::-1], valid, 0.5)
    assert not out.exists()  # nothing at the target before commit
    writer.commit()
    assert _leftovers(tmp_path) == []
    with rasterio.open(out) as ds:
        data = ds.read()
        assert ds.count == 2 and ds.descriptions == ("cars", "roofs")
        assert ds.crs == CRS_UTM and ds.transform == _grid().transform
        mask = ds.read_masks(1)
    top = data[:, :5]
    if kind == "float32":
        assert np.isnan(top[:, :, :3]).all()
        np.testing.assert_allclose(top[:, :, 3:], prob[:, :, 3:], atol=1e-6)
    elif kind == "uint8":
        assert (top[:, :, 3:] == np.round(prob[:, :, 3:] * 255)).all()
        assert (mask[:, :3] == 0).all() and (mask[:, 3:] == 255).all()
    else:
        assert (top[:, :, 3:] == (prob[:, :, 3:] >= 0.5)).all() and (top[:, :, :3] == 0).all()


def test_an_aborted_strip_writer_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "p.tif"
    writer = StripRasterWriter(str(out), _grid(), "uint8", ["cars"])
    writer.write(0, np.zeros((1, 5, 20), np.float32), np.ones((5, 20), bool), 0.5)
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="uint8 or float32"):
        StripRasterWriter(str(tmp_path / "p.tif"), _grid(), "int16", ["cars"])
    assert list(tmp_path.iterdir()) == []


def test_geojson_is_written_in_wgs84_as_rfc_7946_says(tmp_path: Path) -> None:
    from rasterio.warp import transform

    out = tmp_path / "objects.geojson"
    write_geopackage(str(out), "rrsis", [_record(0), _record(5)], CRS_UTM)
    rows = read_features(out, layer=0)
    assert len(rows) == 2 and set(FIELDS) <= set(rows[0]) and layer_crs(out, 0) == "EPSG:4326"
    (lon,), (lat,) = transform(CRS_UTM, CRS.from_epsg(4326), [500_005], [5_000_000])
    assert rows[1]["geometry"].bounds[:2] == pytest.approx((lon, lat), abs=1e-6)
    assert _leftovers(tmp_path) == []


def test_flatgeobuf_keeps_the_crs(tmp_path: Path) -> None:
    out = tmp_path / "objects.fgb"
    write_geopackage(str(out), "rrsis", [_record(0)], CRS_UTM)
    assert "32633" in layer_crs(out, 0)
    assert read_features(out, 0)[0]["geometry"].bounds == (500_000, 5_000_000, 500_002, 5_000_003)
    assert _leftovers(tmp_path) == []
