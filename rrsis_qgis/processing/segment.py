"""Algorithm ``rrsis:segment`` — "Segment raster by expression".

Runs in its own Processing thread (no ``FlagNoThreading``): the backend does the work in
its subprocess; this thread waits, forwards progress and cancel, then copies the polygons
from the backend's GeoPackage into any QGIS-writable sink.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from qgis.core import (QgsProcessing, QgsProcessingOutputNumber,
                       QgsProcessingParameterFeatureSink, QgsProcessingParameterRasterDestination,
                       QgsProcessingUtils, QgsVectorLayer)

from .. import layers, styling
from .._protocol import FEATURE_FIELDS
from ..provenance import round_gsd
from .common import RrsisAlgorithm


class SegmentAlgorithm(RrsisAlgorithm):
    OUTPUT = "OUTPUT"
    OUTPUT_PROBABILITY = "OUTPUT_PROBABILITY"
    FEATURE_COUNT = "FEATURE_COUNT"

    def name(self) -> str:
        return "segment"

    def displayName(self) -> str:  # noqa: N802
        return self.tr("Segment raster by expression")

    def shortHelpString(self) -> str:  # noqa: N802
        return self.tr(
            "Finds the objects a natural-language expression refers to (e.g. “vehicles along the "
            "road”) in a georeferenced RGB raster and returns them as polygons with the fields "
            "{fields}. Several "
            "expressions, one per line, share one output. The model runs in the local RRSIS "
            "backend process; nothing leaves the machine. The extent is taken in the raster's "
            "CRS; empty means the whole raster. Any raster layer works: web (XYZ, WMS, WMTS, "
            "ArcGIS) and virtual layers are rendered by QGIS at the working GSD first. A "
            "GeoPackage output keeps one colour per expression as its default style and the "
            "run's provenance as its metadata.").format(fields=", ".join(FEATURE_FIELDS))

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802
        self.add_common_parameters()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Segmented objects"), QgsProcessing.TypeVectorPolygon))
        probability = QgsProcessingParameterRasterDestination(
            self.OUTPUT_PROBABILITY, self.tr("Probability raster"), optional=True,
            createByDefault=False)
        self.addParameter(probability)
        self.addOutput(QgsProcessingOutputNumber(self.FEATURE_COUNT, self.tr("Number of objects")))

    def processAlgorithm(self, parameters: Dict[str, Any], context: Any,  # noqa: N802
                         feedback: Any) -> Dict[str, Any]:
        request = dict(self.layers_read())
        request["output"] = QgsProcessingUtils.generateTempFilename("rrsis.gpkg")
        request["layer"] = "rrsis"
        probability = None
        if parameters.get(self.OUTPUT_PROBABILITY) not in (None, ""):
            probability = self.parameterAsOutputLayer(parameters, self.OUTPUT_PROBABILITY, context)
        probability_tmp = None
        if probability:
            if probability.lower().endswith((".tif", ".tiff")):
                request["probability"] = probability
                request["overwrite"] = True  # the user accepted QGIS's overwrite prompt
            else:
                probability_tmp = QgsProcessingUtils.generateTempFilename("probability.tif")
                request["probability"] = probability_tmp
        result = self.call_backend("segment", request, feedback)

        dest_id, count = self.copy_to_sink(
            f"{result['output']}|layername={result.get('layer') or 'rrsis'}", parameters,
            self.OUTPUT, context, feedback)
        if probability_tmp:
            from osgeo import gdal

            gdal.Translate(probability, probability_tmp)
        from ..plans import objects_text, plan_text, unknown_words

        counts = result.get("feature_counts") or {}
        for expression, n in counts.items():
            feedback.pushInfo(self.tr("{}: {}").format(expression, objects_text(int(n))))

        for line in plan_text(result).splitlines():  # how each expression was read
            feedback.pushInfo(line)
        unknown = unknown_words(result)
        if unknown:
            feedback.pushWarning(self.tr("Words the model does not know: {}").format(
                ", ".join(unknown)))
        feedback.pushInfo(self.tr("Model {} on {}, GSD {} m").format(
            result.get("model"), result.get("device"), round_gsd(result.get("gsd_m"))))
        self._styling = (dest_id, list(request["expressions"]), layers.provenance(result, request),
                         layers.pixel_frame_of(request))
        outputs: Dict[str, Any] = {self.OUTPUT: dest_id, self.FEATURE_COUNT: count}
        if probability:
            outputs[self.OUTPUT_PROBABILITY] = probability
        return outputs

    _styling: Optional[Tuple[str, list, Dict[str, Any], Dict[str, Any]]] = None

    def postProcessAlgorithm(self, context: Any, feedback: Any) -> Dict[str, Any]:  # noqa: N802
        """Colours per expression on the output; inside it too when it is a GeoPackage.

        Runs after the sink is closed, so the GeoPackage can take its style and metadata.
        """
        if self._styling is None:
            return {}
        dest_id, expressions, prov, frame = self._styling
        layer = QgsProcessingUtils.mapLayerFromString(dest_id, context)
        if isinstance(layer, QgsVectorLayer) and layer.isValid():
            layers.keep_pixel_frame(layer, frame)   # drawn as its raster is
            layer.setRenderer(styling.renderer_for(expressions))
            if layer.providerType() == "ogr" and ".gpkg" in layer.source().lower():
                for problem in styling.save_into_geopackage(
                        layer, layers.result_metadata("; ".join(expressions), prov)):
                    feedback.reportError(problem, fatalError=False)
        return {}
