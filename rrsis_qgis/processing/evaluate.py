"""Algorithm ``rrsis:evaluate`` — "Evaluate against a reference layer".

Area-based agreement of a result layer with reference polygons, computed in QGIS (no
backend): IoU = |R ∩ G| / |R ∪ G|, precision = |R ∩ G| / |R|, recall = |R ∩ G| / |G|, in the
result layer's CRS (which must be projected, so areas are in m²). An optional extent limits
both layers, e.g. to the part of the reference that was actually segmented.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from qgis.core import (QgsCoordinateTransform, QgsFeatureRequest, QgsGeometry, QgsProcessing,
                       QgsProcessingException,
                       QgsProcessingOutputNumber, QgsProcessingParameterExtent,
                       QgsProcessingParameterFeatureSource, QgsRectangle)

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
            "areas, computed in the result layer's projected CRS. Use the extent to compare only "
            "where the segmentation ran.")

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

    def processAlgorithm(self, parameters: Dict[str, Any], context: Any,  # noqa: N802
                         feedback: Any) -> Dict[str, Any]:
        result = self.parameterAsSource(parameters, self.INPUT, context)
        reference = self.parameterAsSource(parameters, self.REFERENCE, context)
        if result is None or reference is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        crs = result.sourceCrs()
        if crs.isGeographic():
            raise QgsProcessingException(self.tr(
                "The segmented layer is in a geographic CRS ({}); areas need a projected one "
                "(the backend writes the raster's CRS).").format(crs.authid()))
        clip = None
        if parameters.get(self.EXTENT) not in (None, ""):
            clip = self.parameterAsExtent(parameters, self.EXTENT, context, crs)
        to_result = None
        if reference.sourceCrs() != crs:
            to_result = QgsCoordinateTransform(reference.sourceCrs(), crs,
                                               context.transformContext())
        segmented = self._union(result, None, clip, feedback)
        truth = self._union(reference, to_result, clip, feedback)
        area_r = segmented.area() if not segmented.isEmpty() else 0.0
        area_g = truth.area() if not truth.isEmpty() else 0.0
        inter = 0.0
        if area_r and area_g:
            inter = segmented.intersection(truth).area()
        union = area_r + area_g - inter
        iou = inter / union if union > 0 else 0.0
        precision = inter / area_r if area_r > 0 else 0.0
        recall = inter / area_g if area_g > 0 else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        feedback.pushInfo(self.tr("IoU {:.3f}, precision {:.3f}, recall {:.3f}, F1 {:.3f}")
                          .format(iou, precision, recall, f1))
        return {self.IOU: iou, self.PRECISION: precision, self.RECALL: recall, self.F1: f1,
                self.RESULT_AREA_M2: area_r, self.REFERENCE_AREA_M2: area_g}
