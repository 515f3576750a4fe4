"""Evaluate against a reference layer; Build referring dataset (through the backend protocol)."""

from __future__ import annotations

import json

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsFeature, QgsGeometry, QgsVectorLayer

from conftest import LogFeedback, write_geotiff, write_photo


def _polygons(crs: str, rects, field: str = "", kind: str = "string") -> QgsVectorLayer:
    uri = f"Polygon?crs={crs}" + (f"&field={field}:{kind}" if field else "")
    layer = QgsVectorLayer(uri, "p", "memory")
    for rect, value in rects:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromWkt(rect))
        if field:
            feature.setAttributes([value])
        layer.dataProvider().addFeature(feature)
    layer.updateExtents()
    return layer


def test_evaluate_area_iou_precision_recall_across_crs(provider, project):
    import processing

    # segmented: 10 m x 10 m; reference: the same square shifted 5 m east, stored in WGS 84
    result = _polygons("EPSG:32633", [("POLYGON((500000 4649700,500010 4649700,500010 4649710,"
                                       "500000 4649710,500000 4649700))", None)])
    ref_utm = _polygons("EPSG:32633", [("POLYGON((500005 4649700,500015 4649700,500015 4649710,"
                                        "500005 4649710,500005 4649700))", None)])
    reference = processing.run("native:reprojectlayer", {
        "INPUT": ref_utm, "TARGET_CRS": "EPSG:4326", "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"]
    out = processing.run("rrsis:evaluate", {"INPUT": result, "REFERENCE": reference})
    assert out["RESULT_AREA_M2"] == pytest.approx(100, rel=1e-3)
    assert out["REFERENCE_AREA_M2"] == pytest.approx(100, rel=1e-3)
    assert out["IOU"] == pytest.approx(50 / 150, rel=1e-3)
    assert out["PRECISION"] == pytest.approx(0.5, rel=1e-3)
    assert out["RECALL"] == pytest.approx(0.5, rel=1e-3)
    clipped = processing.run("rrsis:evaluate", {
        "INPUT": result, "REFERENCE": reference,
        "EXTENT": "500005,500010,4649700,4649710 [EPSG:32633]"})
    assert clipped["IOU"] == pytest.approx(1.0, rel=1e-3)


def test_evaluate_refuses_a_reference_without_crs(provider, project):
    import processing
    from qgis.core import QgsProcessingException

    square = "POLYGON((500000 4649700,500010 4649700,500010 4649710,500000 4649710,500000 4649700))"
    result = _polygons("EPSG:32633", [(square, None)])
    reference = _polygons("EPSG:32633", [(square, None)])
    reference.setCrs(QgsCoordinateReferenceSystem())   # as a shapefile without its .prj
    assert not reference.crs().isValid()
    with pytest.raises(QgsProcessingException, match="reference layer has no CRS"):
        processing.run("rrsis:evaluate", {"INPUT": result, "REFERENCE": reference})


def test_evaluate_measures_geographic_and_feet_layers_in_square_metres(provider, project):
    import processing

    # in Manhattan, where New York's State Plane (US feet) is valid
    square = ("POLYGON((585000 4511000,585010 4511000,585010 4511010,585000 4511010,"
              "585000 4511000))")
    shifted = ("POLYGON((585005 4511000,585015 4511000,585015 4511010,585005 4511010,"
               "585005 4511000))")
    result_utm = _polygons("EPSG:32618", [(square, None)])
    reference = _polygons("EPSG:32618", [(shifted, None)])
    for target in ("EPSG:4326", "EPSG:2263"):   # WGS 84 (a merged batch result); US feet
        moved = processing.run("native:reprojectlayer", {
            "INPUT": result_utm, "TARGET_CRS": target, "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"]
        log = LogFeedback()
        out = processing.run("rrsis:evaluate", {"INPUT": moved, "REFERENCE": reference},
                             feedback=log)
        # 10 m x 10 m whatever the layer's unit; the 5 m overlap gives IoU 1/3
        assert out["RESULT_AREA_M2"] == pytest.approx(100, rel=0.01), target
        assert out["REFERENCE_AREA_M2"] == pytest.approx(100, rel=0.01), target
        assert out["IOU"] == pytest.approx(50 / 150, rel=0.02), target
        said = " ".join(log.info)
        assert ("EPSG:32618" in said) == (target == "EPSG:4326"), said


def test_build_dataset_through_the_protocol(provider, project, backend_settings, tmp_path):
    import processing

    raster = write_geotiff(tmp_path / "scene.tif", size=(256, 256))
    labels = _polygons("EPSG:32633", [
        ("POLYGON((500030 4649740,500050 4649740,500050 4649720,500030 4649720,500030 4649740))",
         "building"),
        ("POLYGON((500070 4649700,500090 4649700,500090 4649680,500070 4649680,500070 4649700))",
         "road")], field="cls")
    log = LogFeedback()
    out = processing.run("rrsis:build_dataset", {
        "INPUT": str(raster), "LABELS": labels, "CLASS_FIELD": "cls", "TILE_SIZE": 64,
        "OUTPUT": str(tmp_path / "dataset")}, feedback=log)["OUTPUT"]
    summary = json.loads((tmp_path / "dataset" / "dataset.json").read_text())
    assert out == str(tmp_path / "dataset")
    # a file raster stays where it is; the memory layer QGIS exported is kept in the dataset
    assert summary["source_raster"] == str(raster)
    assert summary["source_labels"] == str(tmp_path / "dataset" / "labels.gpkg")
    # the area is the labels' (60 m a side) and 4 m around them, not the 128 m raster
    assert summary["extent"] == pytest.approx([500026, 4649676, 500094, 4649744])
    assert any("the labels' extent" in line for line in log.info), log.info
    processing.run("rrsis:build_dataset", {
        "INPUT": str(raster), "LABELS": labels, "CLASS_FIELD": "cls", "TILE_SIZE": 64,
        "AREA": "500000,500128,4649648,4649776 [EPSG:32633]",
        "OUTPUT": str(tmp_path / "whole")})
    whole = json.loads((tmp_path / "whole" / "dataset.json").read_text())
    assert whole["area"] == {"from": "extent"}
    assert whole["extent"] == pytest.approx([500000, 4649648, 500128, 4649776])
    assert list((tmp_path / "dataset" / "images").glob("*.png"))
    assert {p["split"] for p in summary["parts"]} == {"train", "val", "test"}
    assert "building" in json.dumps(summary) and "road" in json.dumps(summary)
    assert summary["negative_tiles"] is True                      # the default
    processing.run("rrsis:build_dataset", {
        "INPUT": str(raster), "LABELS": labels, "CLASS_FIELD": "cls", "TILE_SIZE": 64,
        "NEGATIVE_TILES": False, "OUTPUT": str(tmp_path / "positives")})
    only = json.loads((tmp_path / "positives" / "dataset.json").read_text())
    assert only["negative_tiles"] is False
    assert sum(only["samples"].values()) < sum(summary["samples"].values())


def test_a_dataset_from_a_photo_without_a_crs(provider, project, backend_settings, tmp_path):
    """Labels drawn on a drone photo without a CRS are in the pixel units QGIS draws it in
    (y minus the row), whatever CRS their layer names; the dataset is built in them, at the
    pixel size given, which is needed."""
    import processing
    from qgis.core import QgsProcessingException

    photo = write_photo(tmp_path / "photo.png", size=(256, 256))   # bright at 64-128 px
    labels = _polygons("EPSG:4326", [   # a new layer takes the project's CRS
        ("POLYGON((64 -64,128 -64,128 -128,64 -128,64 -64))", "building")], field="cls")
    params = {"INPUT": str(photo), "LABELS": labels, "CLASS_FIELD": "cls", "TILE_SIZE": 64,
              "OUTPUT": str(tmp_path / "dataset")}
    with pytest.raises(QgsProcessingException, match="has no CRS: give the ground size"):
        processing.run("rrsis:build_dataset", params)
    processing.run("rrsis:build_dataset", {**params, "PIXEL_SIZE": 0.25})
    summary = json.loads((tmp_path / "dataset" / "dataset.json").read_text())
    assert summary["crs"] is None
    assert summary["pixel_frame"] == {"pixel_y": "up", "pixel_size_m": 0.25}
    assert summary["gsd_m"] == pytest.approx(0.25)
    assert sum(p["objects"] for p in summary["parts"]) == 1
    left, bottom, right, top = summary["extent"]   # the labels' extent and 8 px around it
    assert (left, top) == (pytest.approx(56), pytest.approx(-56))


def test_coded_classes_are_named_in_class_words(provider, project, backend_settings, tmp_path):
    """A land-cover layer's classes are often codes: the model learns words, so the
    algorithm refuses codes with what to do, and 'Class words' names them."""
    import processing
    from qgis.core import QgsProcessingException

    raster = write_geotiff(tmp_path / "scene.tif", size=(256, 256))
    labels = _polygons("EPSG:32633", [
        ("POLYGON((500030 4649740,500050 4649740,500050 4649720,500030 4649720,500030 4649740))",
         1),
        ("POLYGON((500070 4649700,500090 4649700,500090 4649680,500070 4649680,500070 4649700))",
         2)], field="code", kind="integer")
    params = {"INPUT": str(raster), "LABELS": labels, "CLASS_FIELD": "code", "TILE_SIZE": 64,
              "OUTPUT": str(tmp_path / "dataset")}
    with pytest.raises(QgsProcessingException, match=r"codes, not words \(1, 2\).*Class words"):
        processing.run("rrsis:build_dataset", params)
    assert not (tmp_path / "dataset").exists()
    processing.run("rrsis:build_dataset", {
        **params, "WORDS": "{1: [building, house], 2: road}"})
    summary = json.loads((tmp_path / "dataset" / "dataset.json").read_text())
    assert summary["classes"] == {"1": ["building", "house"], "2": ["road"]}


def test_points_take_their_radius_from_a_field(provider, project, backend_settings, tmp_path):
    """A tree inventory with a crown radius per tree: the radius field is the disc's size;
    a tree without one takes the radius beside it."""
    import processing
    from qgis.core import QgsPointXY

    raster = write_geotiff(tmp_path / "scene.tif", size=(256, 256))
    layer = QgsVectorLayer("Point?crs=EPSG:32633&field=crown_r:double", "trees", "memory")
    for k, radius in enumerate((1.5, 4.0, None)):
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(500030 + 25 * k, 4649740)))
        feature.setAttributes([radius])
        layer.dataProvider().addFeature(feature)
    layer.updateExtents()
    processing.run("rrsis:build_dataset", {
        "INPUT": str(raster), "LABELS": layer, "FIXED_CLASS": "tree", "POINT_RADIUS": 2.5,
        "POINT_RADIUS_FIELD": "crown_r", "TILE_SIZE": 64, "OUTPUT": str(tmp_path / "ds")})
    summary = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert summary["point_radius_field"] == "crown_r" and summary["point_radius_m"] == 2.5
    # the area follows the discs (and 4 m around them): 1.5 m for the first tree, 2.5 m (the
    # radius beside the field) for the last one
    assert summary["extent"][0] == pytest.approx(500030 - 1.5 - 4.0)
    assert summary["extent"][2] == pytest.approx(500080 + 2.5 + 4.0)


def test_a_class_raster_as_labels(provider, project, backend_settings, tmp_path):
    """A land-cover map as the labels (a raster layer, not a vector one): its codes named in
    Class words; with the class of the whole layer typed, a mask; labels are one or the
    other, and needed."""
    import numpy as np
    import processing
    from osgeo import gdal
    from qgis.core import QgsProcessingException, QgsRasterLayer

    raster = write_geotiff(tmp_path / "scene.tif", size=(128, 128))
    codes = np.zeros((128, 128), np.uint8)
    codes[32:96, 32:96] = 1                      # the bright square: buildings
    codes[100:124, 8:120] = 2                    # a strip of water
    ds = gdal.GetDriverByName("GTiff").CreateCopy(str(tmp_path / "map.tif"),
                                                  gdal.Open(str(raster)))
    ds.GetRasterBand(1).WriteArray(codes)
    ds = None
    gdal.Translate(str(tmp_path / "landcover.tif"), str(tmp_path / "map.tif"), bandList=[1])
    landcover = QgsRasterLayer(str(tmp_path / "landcover.tif"), "land cover")
    processing.run("rrsis:build_dataset", {
        "INPUT": str(raster), "LABEL_RASTER": landcover, "TILE_SIZE": 64,
        "WORDS": "{1: building, 2: water, 0: null}", "OUTPUT": str(tmp_path / "coded")})
    summary = json.loads((tmp_path / "coded" / "dataset.json").read_text())
    assert summary["class_field"] == "value" and summary["source_labels"].endswith("landcover.tif")
    assert summary["classes"] == {"0": None, "1": ["building"], "2": ["water"]}
    processing.run("rrsis:build_dataset", {
        "INPUT": str(raster), "LABEL_RASTER": landcover, "FIXED_CLASS": "building",
        "TILE_SIZE": 64, "OUTPUT": str(tmp_path / "mask")})
    mask = json.loads((tmp_path / "mask" / "dataset.json").read_text())
    assert mask["fixed_class"] == "building" and mask["class_field"] is None
    with pytest.raises(QgsProcessingException, match="Choose the labels"):
        processing.run("rrsis:build_dataset", {"INPUT": str(raster), "FIXED_CLASS": "building",
                                               "OUTPUT": str(tmp_path / "none")})
    with pytest.raises(QgsProcessingException, match="not both"):
        processing.run("rrsis:build_dataset", {
            "INPUT": str(raster), "LABEL_RASTER": landcover, "FIXED_CLASS": "building",
            "LABELS": _polygons("EPSG:32633", [("POLYGON((500020 4649700,500040 4649700,"
                                                "500040 4649720,500020 4649700))", "")]),
            "OUTPUT": str(tmp_path / "both")})
