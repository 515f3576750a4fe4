"""Algorithm ``rrsis:evaluate`` — "Evaluate against a reference layer".

Area-based agreement of a result layer with reference polygons, computed in QGIS (no
backend): IoU = |R ∩ G| / |R ∪ G|, precision = |R ∩ G| / |R|, recall = |R ∩ G| / |G|, in the
result layer's CRS when it is projected (areas converted from its unit, feet included, to m²),
else in the UTM zone of the result's centre (a merged batch result in EPSG:4326). An optional
extent limits both layers, e.g. to the part of the reference that was actually segmented.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsFeatureRequest,
                       QgsGeometry, QgsProcessing, QgsProcessingException,
                       QgsProcessingOutputNumber, QgsProcessingParameterExtent,
                       QgsProcessingParameterFeatureSource, QgsRectangle, QgsUnitTypes)

from .common import AlgorithmBase


class EvaluateAlgorithm(AlgorithmBase):
    INPUT = "INPUT"
    REFERENCE = "REFERENCE"
    EXTENT = "EXTENT"
    IOU = "IOU"
    PRECISION = "PRECISION"
    RECALL = "RECALL"
    F1 = "F1"
    RESULT_AREA_M2 = "RESULT_AREA_M2"
    REFERENCE_AREA_M2 = "REFERENCE_AREA_M2"

    def name(self) -> str:
        return "evaluate"

    def displayName(self) -> str:  # noqa: N802
        return self.tr("Evaluate against a reference layer")

    def shortHelpString(self) -> str:  # noqa: N802
        return self.tr(
            "Compares segmented polygons (e.g. the output of “Segment raster by expression”) "
            "with reference polygons drawn by hand: IoU, precision, recall and F1 of the covered "
            "areas, computed in the result layer's CRS when it is projected, else in the UTM "
            "zone of its centre; areas in m². Use the extent to compare only where the "
            "segmentation ran.")

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Segmented polygons"), [QgsProcessing.TypeVectorPolygon]))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.REFERENCE, self.tr("Reference polygons"), [QgsProcessing.TypeVectorPolygon]))
        self.addParameter(QgsProcessingParameterExtent(
            self.EXTENT, self.tr("Compare within this extent only"), optional=True))
        for name, label in ((self.IOU, "IoU"), (self.PRECISION, "Precision"),
                            (self.RECALL, "Recall"), (self.F1, "F1"),
                            (self.RESULT_AREA_M2, "Segmented area (m²)"),
                            (self.REFERENCE_AREA_M2, "Reference area (m²)")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def _union(self, source: Any, transform: Optional[QgsCoordinateTransform],
               clip: Optional[QgsRectangle], feedback: Any) -> QgsGeometry:
        parts = []
        for feature in source.getFeatures(QgsFeatureRequest()):
            if feedback.isCanceled():
                raise QgsProcessingException(self.tr("Cancelled."))
            geometry = QgsGeometry(feature.geometry())
            if geometry.isEmpty():
                continue
            if transform is not None:
                geometry.transform(transform)
            if not geometry.isGeosValid():
                geometry = geometry.makeValid()
            if clip is not None:
                geometry = geometry.clipped(clip)
            parts.append(geometry)
        return QgsGeometry.unaryUnion(parts) if parts else QgsGeometry()

    def read_layers(self, parameters: Dict[str, Any], context: Any,
                    feedback: Any) -> Tuple[Any, Any, QgsCoordinateReferenceSystem,
                                            Optional[QgsRectangle]]:
        """Both layers as feature sources (which the worker thread may iterate), the CRS the
        areas are measured in and the extent in it: read where QGIS prepares the run."""
        result = self.parameterAsSource(parameters, self.INPUT, context)
        reference = self.parameterAsSource(parameters, self.REFERENCE, context)
        if result is None or reference is None:
            raise QgsProcessingException(self.invalidSourceError(
                parameters, self.INPUT if result is None else self.REFERENCE))
        crs = _measuring_crs(result, context)
        if not crs.isValid():
            raise QgsProcessingException(self.tr(
                "The segmented layer has no usable CRS ({}): set its CRS, then compare "
                "again.").format(result.sourceCrs().authid() or "none"))
        if not reference.sourceCrs().isValid():   # its coordinates could be in any unit
            raise QgsProcessingException(self.tr(
                "The reference layer has no CRS: set it (Layer Properties, Source), then "
                "compare again."))
        clip = None
        if parameters.get(self.EXTENT) not in (None, ""):
            clip = self.parameterAsExtent(parameters, self.EXTENT, context, crs)
        return result, reference, crs, clip

    def processAlgorithm(self, parameters: Dict[str, Any], context: Any,  # noqa: N802
                         feedback: Any) -> Dict[str, Any]:
        result, reference, crs, clip = self.layers_read()
        if crs != result.sourceCrs():
            feedback.pushInfo(self.tr("Areas measured in {} (the segmented layer is in {})")
                              .format(crs.authid(), result.sourceCrs().authid()))
        segmented = self._union(result, _transform(result, crs, context), clip, feedback)
        truth = self._union(reference, _transform(reference, crs, context), clip, feedback)
        to_m2 = QgsUnitTypes.fromUnitToUnitFactor(crs.mapUnits(),
                                                  QgsUnitTypes.DistanceMeters) ** 2
        area_r = segmented.area() * to_m2 if not segmented.isEmpty() else 0.0
        area_g = truth.area() * to_m2 if not truth.isEmpty() else 0.0
        inter = 0.0
        if area_r and area_g:
            inter = segmented.intersection(truth).area() * to_m2
        union = area_r + area_g - inter
        iou = inter / union if union > 0 else 0.0
        precision = inter / area_r if area_r > 0 else 0.0
        recall = inter / area_g if area_g > 0 else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        feedback.pushInfo(self.tr("IoU {:.3f}, precision {:.3f}, recall {:.3f}, F1 {:.3f}")
                          .format(iou, precision, recall, f1))
        return {self.IOU: iou, self.PRECISION: precision, self.RECALL: recall, self.F1: f1,
                self.RESULT_AREA_M2: area_r, self.REFERENCE_AREA_M2: area_g}


def _measuring_crs(source: Any, context: Any) -> QgsCoordinateReferenceSystem:
    """``source``'s CRS when it is projected, else the WGS 84 UTM zone of its extent's centre
    (where a geographic layer's areas are measured, as the backend measures ground metres)."""
    crs = source.sourceCrs()
    if not crs.isValid() or not crs.isGeographic():
        return crs
    centre = source.sourceExtent().center()
    to_wgs84 = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:4326"),
                                      context.transformContext())
    lonlat = to_wgs84.transform(centre)
    zone = min(60, max(1, int((lonlat.x() + 180) // 6) + 1))
    return QgsCoordinateReferenceSystem(f"EPSG:{(32600 if lonlat.y() >= 0 else 32700) + zone}")


def _transform(source: Any, crs: QgsCoordinateReferenceSystem,
               context: Any) -> Optional[QgsCoordinateTransform]:
    """From ``source``'s CRS to ``crs``, or None where they are the same."""
    if source.sourceCrs() == crs:
        return None
    return QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
