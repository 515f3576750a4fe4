"""Plugin rows of the hostile-input catalogue (issue 15; the backend rows are in
``tests/backend/test_hostile_inputs.py``): real QGIS, real GeoPackages.

The review found the layer filter resisted every injection tried; these rows keep it so.
Each hostile expression is stored in a result GeoPackage beside a decoy feature; the layer
the plugin adds for it must show exactly its own feature, and the file must be unchanged.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

INJECTIONS = [
    "x' OR '1'='1",
    "cars'); DROP TABLE rrsis; --",
    "a|layername=gpkg_contents",
    "b|subset=\"expression\" LIKE '%'",
    "\" OR 1=1 OR \"",
    "c' || (SELECT name FROM sqlite_master) || '",
]


def _gpkg(path: Path, expressions) -> Path:
    from osgeo import ogr, osr

    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32633)
    layer = ds.CreateLayer("rrsis", srs, ogr.wkbMultiPolygon)
    layer.CreateField(ogr.FieldDefn("expression", ogr.OFTString))
    for i, expression in enumerate(expressions):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("expression", expression)
        x = 500000 + 10 * i
        feature.SetGeometry(ogr.CreateGeometryFromWkt(
            f"MULTIPOLYGON((({x} 0,{x + 4} 0,{x + 4} 4,{x} 4,{x} 0)))"))
        layer.CreateFeature(feature)
    ds = None
    return path


@pytest.mark.parametrize("expression", INJECTIONS)
def test_pass_layer_filter_resists_injection(project, tmp_path: Path, expression: str) -> None:
    from rrsis_qgis import layers

    gpkg = _gpkg(tmp_path / "run.gpkg", [expression, "decoy"])
    before = _table_digest(gpkg)
    result = {"output": str(gpkg), "layer": "rrsis", "probability": None, "model": "tiny"}
    added = layers.add_result_layers(result, {"expressions": [expression]}, project)
    assert len(added) == 1 and added[0].isValid()
    assert [f["expression"] for f in added[0].getFeatures()] == [expression]
    for layer in added:
        project.removeMapLayer(layer.id())
    assert _table_digest(gpkg) == before  # the style and metadata tables may be added


def _table_digest(gpkg: Path) -> str:
    """sha256 of every row of the results table and of the list of tables: what an injection
    would change (loading the layers adds only ``layer_styles`` and ``gpkg_metadata``)."""
    import sqlite3

    with sqlite3.connect(gpkg) as db:
        rows = db.execute("SELECT * FROM rrsis ORDER BY fid").fetchall()
        tables = sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE "
                                                 "type = 'table'")
                        if r[0] not in ("layer_styles", "gpkg_metadata",
                                        "gpkg_metadata_reference", "sqlite_sequence",
                                        "gpkg_extensions"))
    return hashlib.sha256(repr((rows, tables)).encode()).hexdigest()


@pytest.mark.usefixtures("backend_settings")
def test_3_processing_replaces_an_existing_probability_raster(provider, project, tmp_path):
    """3: the backend refuses existing outputs unless told; Processing's destinations were
    accepted in QGIS's own overwrite prompt, so the algorithm passes ``overwrite``."""
    import processing
    from qgis.core import QgsRasterLayer

    from conftest import write_geotiff

    raster = write_geotiff(tmp_path / "scene.tif")
    probability = tmp_path / "probability.tif"
    probability.write_bytes(b"an earlier run's raster")
    result = processing.run("rrsis:segment", {
        "INPUT": str(raster), "EXPRESSION": "cars", "MODEL": "everywhere", "DEVICE": 1,
        "OUTPUT": str(tmp_path / "objects.gpkg"), "OUTPUT_PROBABILITY": str(probability)})
    assert result["FEATURE_COUNT"] == 1
    assert QgsRasterLayer(str(probability), "p").isValid()
    assert not [p for p in tmp_path.iterdir() if ".part." in p.name]
