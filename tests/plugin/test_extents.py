"""extents.py: the visible extent reaches the backend in the raster's CRS."""

from __future__ import annotations

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsRectangle


def test_extent_in_another_crs_is_transformed_to_the_layer_crs(project, raster_layer):
    from rrsis_qgis import extents

    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    to_wgs = QgsCoordinateTransform(raster_layer.crs(), wgs84, project)
    inner = raster_layer.extent().buffered(-10)
    rect_wgs = to_wgs.transformBoundingBox(inner)
    back = extents.to_layer_crs(rect_wgs, wgs84, raster_layer, project)
    # the box of the transformed box contains the original and is only slightly larger
    assert back.contains(inner)
    assert back.width() == pytest.approx(inner.width(), rel=0.05)
    assert back.center().distance(inner.center()) < 1.0
    assert 400000 < back.xMinimum() < 600000  # metres in UTM, not degrees


def test_same_crs_is_left_alone(project, raster_layer):
    from rrsis_qgis import extents

    rect = QgsRectangle(500001, 4649740, 500020, 4649770)
    assert extents.to_layer_crs(rect, raster_layer.crs(), raster_layer, project) == rect
    assert extents.as_list(rect) == [500001, 4649740, 500020, 4649770]
    assert extents.crs_id(raster_layer.crs()) == "EPSG:32633"
