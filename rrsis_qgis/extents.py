"""Extents handed to the backend, always in the raster layer's own CRS.

The canvas shows the project CRS; a raster in another CRS needs the visible extent
transformed (as a bounding box of the transformed outline, so nothing visible is left out).
"""

from __future__ import annotations

from typing import List, Optional

from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject,
                       QgsRasterLayer, QgsRectangle, QgsVectorLayer)

VISIBLE, WHOLE_LAYER, FEATURES = "visible", "layer", "features"


def to_layer_crs(rect: QgsRectangle, source_crs: QgsCoordinateReferenceSystem,
                 layer: QgsRasterLayer, project: Optional[QgsProject] = None) -> QgsRectangle:
    """``rect`` (in ``source_crs``) as a bounding box in ``layer.crs()``; as it is where
    either has no CRS (QGIS draws such a layer in its own units, untransformed)."""
    if not source_crs.isValid() or not layer.crs().isValid() or source_crs == layer.crs():
        return QgsRectangle(rect)
    project = project or QgsProject.instance()
    transform = QgsCoordinateTransform(source_crs, layer.crs(), project.transformContext())
    return transform.transformBoundingBox(rect)


def features_extent(vector: QgsVectorLayer, selected_only: bool) -> QgsRectangle:
    """Extent of the selected features (or of all of them) in the vector layer's CRS."""
    if selected_only and vector.selectedFeatureCount():
        return vector.boundingBoxOfSelected()
    return vector.extent()


def as_list(rect: QgsRectangle) -> List[float]:
    return [rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()]


def crs_id(crs: QgsCoordinateReferenceSystem) -> Optional[str]:
    """An identifier the backend (pyproj) understands: the authority id, else WKT; None for
    no CRS (a raster shown in its pixel units: an extent in them needs none)."""
    if not crs.isValid():
        return None
    return crs.authid() or crs.toWkt()
