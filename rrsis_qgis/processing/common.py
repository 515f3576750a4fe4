"""Parameters and request building shared by the RRSIS algorithms (segment, estimate)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional, Tuple

from qgis.core import (QgsFeature, QgsFeatureSink, QgsFields, QgsProcessingAlgorithm,
                       QgsProcessingContext, QgsProcessingException,
                       QgsProcessingFeedback, QgsProcessingParameterEnum,
                       QgsProcessingParameterExtent, QgsProcessingParameterRasterLayer,
                       QgsProcessingParameterString, QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from .. import backend, extents, params, render, settings
from .._protocol import SEGMENT_PARAMS
from ..client import BackendError
from ..resources import icon_path


def chosen_extent(alg: QgsProcessingAlgorithm, parameters: Dict[str, Any], name: str,
                  context: QgsProcessingContext, crs: Any) -> Optional[QgsRectangle]:
    """The extent parameter ``name`` in ``crs``; None when it is not set or empty."""
    if parameters.get(name) in (None, ""):
        return None
    rect = alg.parameterAsExtent(parameters, name, context, crs)
    return None if rect.isNull() or rect.isEmpty() else rect


@contextmanager
def processing_errors() -> Iterator[None]:
    """A :class:`BackendError` the plugin raises before a request is sent (a layer it cannot
    send as it is) becomes a Processing error, in its own words."""
    try:
        yield
    except BackendError as exc:
        raise QgsProcessingException(exc.message) from None


def render_source(layer: Any, rect: Optional[QgsRectangle], label: str) -> render.RenderSource:
    """What QGIS will render of a layer the backend cannot read (a web or virtual layer);
    a rectangle off the layer is a Processing error."""
    with processing_errors():
        return render.RenderSource.from_layer(layer, rect, label)


class AlgorithmBase(QgsProcessingAlgorithm):
    """What every RRSIS algorithm shares: translation, instances, the provider's icon."""

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("RrsisProcessing", text)

    def createInstance(self) -> "AlgorithmBase":  # noqa: N802
        return type(self)()

    def group(self) -> str:
        return ""

    def groupId(self) -> str:  # noqa: N802
        return ""

    def icon(self) -> QIcon:
        return QIcon(icon_path())

    _read: Any = None

    def prepareAlgorithm(self, parameters: Dict[str, Any],  # noqa: N802
                         context: QgsProcessingContext, feedback: QgsProcessingFeedback) -> bool:
        """Reads the layers here, on the thread that owns them: QGIS prepares a background
        run on the main thread, and its layers are not thread-safe (two batch runs loading
        their rasters at once on their worker threads crashed QGIS). A problem found here is
        raised again by :meth:`layers_read`, so ``processing.run`` and ``qgis_process`` report
        it in its own words, not as "There were errors executing the algorithm"."""
        try:
            self._read = self.read_layers(parameters, context, feedback)
        except QgsProcessingException as exc:
            self._read = exc
        return True

    def read_layers(self, parameters: Dict[str, Any], context: QgsProcessingContext,
                    feedback: QgsProcessingFeedback) -> Any:
        """What the run needs from its layers, read before it (none by default)."""
        return None

    def layers_read(self) -> Any:
        """What :meth:`read_layers` returned for this run; the error it raised, raised."""
        if isinstance(self._read, QgsProcessingException):
            raise self._read
        return self._read


class RrsisAlgorithm(AlgorithmBase):
    """Base of segment and estimate: the common parameters, the request, a cancellable call."""

    INPUT = "INPUT"
    EXPRESSION = "EXPRESSION"
    EXTENT = "EXTENT"
    MODEL = "MODEL"
    DEVICE = "DEVICE"
    RUNTIME = "RUNTIME"
    THRESHOLD = "THRESHOLD"
    MIN_AREA = "MIN_AREA"
    GSD = "GSD"
    REGULARIZE = "REGULARIZE"
    FLIP_AVERAGE = "FLIP_AVERAGE"
    OVERLAP = "OVERLAP"
    RIVALS = "RIVALS"
    STRETCH = "STRETCH"
    NIR = "NIR"
    PIXEL_SIZE = "PIXEL_SIZE"

    def add_common_parameters(self) -> None:
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, self.tr("Input raster")))
        self.addParameter(QgsProcessingParameterString(
            self.EXPRESSION, self.tr("Expression(s), one per line"), multiLine=True))
        self.addParameter(QgsProcessingParameterExtent(
            self.EXTENT, self.tr("Extent (default: whole raster)"), optional=True))
        self.add_model_parameters()
        self.add_pixel_size_parameter()

    def add_pixel_size_parameter(self) -> None:
        """The ground size of the pixels of a raster without a CRS (``pixel_size_m``)."""
        self.addParameter(params.number_parameter(
            "pixel_size_m", self.PIXEL_SIZE, self.tr(
                "Pixel size of a raster without a CRS (m; 0: unknown, taken as the model's "
                "native GSD)"), default=0.0, minimum=0.0))

    def add_model_parameter(self) -> None:
        self.addParameter(QgsProcessingParameterString(
            self.MODEL, self.tr("Model (name or .safetensors path; empty: default)"),
            defaultValue=settings.get("default_model"), optional=True))

    def add_rivals_parameter(self, advanced: bool = True) -> None:
        """Whether rival categories are segmented and contested (the protocol's ``rivals``):
        one definition for the segmenting algorithms and "Explain expressions"."""
        self.addParameter(params.option_parameter(
            "rivals", self.RIVALS, bool(SEGMENT_PARAMS["rivals"].default), advanced))

    def add_model_parameters(self) -> None:
        """Model, device, threshold and minimum area: shared with "Segment many rasters"."""
        self.add_model_parameter()
        preferred = settings.get("device")
        self.addParameter(params.as_advanced(QgsProcessingParameterEnum(
            self.DEVICE, self.tr("Device"), options=list(settings.DEVICES),
            defaultValue=settings.DEVICES.index(preferred) if preferred in settings.DEVICES else 0,
            optional=True)))
        self.addParameter(params.as_advanced(QgsProcessingParameterEnum(
            self.RUNTIME, self.tr("Runtime (auto: ONNX Runtime on the CPU when the model has a "
                                  "graph, else torch)"), options=list(settings.RUNTIMES),
            defaultValue=settings.RUNTIMES.index(settings.get("runtime"))
            if settings.get("runtime") in settings.RUNTIMES else 0,
            optional=True)))
        self.addParameter(params.number_parameter(
            "threshold", self.THRESHOLD, self.tr("Probability threshold")))
        self.addParameter(params.number_parameter(
            "min_area_m2", self.MIN_AREA, self.tr("Minimum object area (m²; 0: keep every "
                                                  "object; empty: 16 working pixels, at "
                                                  "least 1 m²)")))
        self.addParameter(params.number_parameter(
            "gsd_m", self.GSD, self.tr("Working GSD (m; 0: auto, the raster's own GSD within "
                                       "the range the model serves, e.g. 0.05–0.6 m for "
                                       "lgce-lite)"), default=0.0, minimum=0.0))
        self.addParameter(params.option_parameter(
            "regularize", self.REGULARIZE, bool(SEGMENT_PARAMS["regularize"].default)))
        self.addParameter(params.option_parameter(
            "flip_average", self.FLIP_AVERAGE, bool(SEGMENT_PARAMS["flip_average"].default)))
        overlap = params.number_parameter("overlap", self.OVERLAP,
                                          self.tr("Tile overlap (share of a tile)"))
        overlap.setHelp(params.OVERLAP_HELP)
        self.addParameter(overlap)
        self.add_rivals_parameter()
        stretch = QgsProcessingParameterEnum(
            self.STRETCH, params.OPTIONS["stretch"].label,
            options=list(SEGMENT_PARAMS["stretch"].choices), defaultValue=0, optional=True)
        stretch.setHelp(params.OPTIONS["stretch"].help)
        self.addParameter(params.as_advanced(stretch))
        self.addParameter(params.option_parameter("nir", self.NIR, True))

    def read_layers(self, parameters: Dict[str, Any], context: QgsProcessingContext,
                    feedback: QgsProcessingFeedback) -> Optional[Dict[str, Any]]:
        """The request of an algorithm with an input raster; one without (Explain) reads
        nothing."""
        if self.parameterDefinition(self.INPUT) is None:
            return None
        return self.build_request(parameters, context)

    def build_request(self, parameters: Dict[str, Any],
                      context: QgsProcessingContext) -> Dict[str, Any]:
        """The request for the raster layer and extent chosen; read before the run."""
        layer = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        if layer is None:
            raise QgsProcessingException(self.invalidRasterError(parameters, self.INPUT))
        pixel_size = self.parameterAsDouble(parameters, self.PIXEL_SIZE, context) or None
        with processing_errors():   # raster None: a layer QGIS renders to a file first
            raster = params.raster_params(layer, pixel_size)
        request: Dict[str, Any] = {
            **raster,
            **self.model_request(parameters, context),
            "extent": None,
            "extent_crs": None,
        }
        rect = chosen_extent(self, parameters, self.EXTENT, context, layer.crs())
        if rect is not None:
            request["extent"] = extents.as_list(rect)
            request["extent_crs"] = extents.crs_id(layer.crs())
        if request["raster"] is None:  # a web, virtual or in-memory layer: QGIS renders it
            request["_render"] = render_source(layer, rect, self.tr("the extent"))
        return request

    def model_request(self, parameters: Dict[str, Any],
                      context: QgsProcessingContext) -> Dict[str, Any]:
        """Expressions and the parameters of :meth:`add_model_parameters` as request params."""
        request = self.reading_request(parameters, context)
        request.update({
            "device": settings.DEVICES[self.parameterAsEnum(parameters, self.DEVICE, context)],
            "threshold": self.parameterAsDouble(parameters, self.THRESHOLD, context),
            "min_area_m2": self._min_area(parameters, context),  # 0: no filter; None: default
            "gsd_m": self.parameterAsDouble(parameters, self.GSD, context) or None,  # 0: auto
        })
        threads = settings.get("threads")
        if threads:
            request["threads"] = threads
        request.update(backend.runtime_param(
            settings.RUNTIMES[self.parameterAsEnum(parameters, self.RUNTIME, context)]))
        if self.parameterAsBoolean(parameters, self.REGULARIZE, context):
            request["regularize"] = True  # sent only when asked: older backends lack it
        if self.parameterAsBoolean(parameters, self.FLIP_AVERAGE, context):
            request["flip_average"] = True
        if parameters.get(self.OVERLAP) not in (None, ""):   # empty: the engine's
            overlap = self.parameterAsDouble(parameters, self.OVERLAP, context)
            if overlap != SEGMENT_PARAMS["overlap"].default:
                request["overlap"] = overlap
        # sent only when not the default: older backends lack it
        stretch = SEGMENT_PARAMS["stretch"].choices[
            self.parameterAsEnum(parameters, self.STRETCH, context)]
        if stretch != SEGMENT_PARAMS["stretch"].default:
            request["stretch"] = stretch
        if not self.parameterAsBoolean(parameters, self.NIR, context):  # absent: on
            request["nir_band"] = 0
        return request

    def reading_request(self, parameters: Dict[str, Any],
                        context: QgsProcessingContext) -> Dict[str, Any]:
        """What decides how the expressions are read: the expressions, the model, and rivals
        (sent only when off: older backends lack it); "Explain expressions" sends just this."""
        expressions = params.split_expressions(
            self.parameterAsString(parameters, self.EXPRESSION, context))
        if not expressions:
            raise QgsProcessingException(self.tr("Give at least one expression."))
        request: Dict[str, Any] = {
            "expressions": expressions,
            "model": self.parameterAsString(parameters, self.MODEL, context).strip() or None}
        if not self.parameterAsBoolean(parameters, self.RIVALS, context):  # absent: default
            request["rivals"] = False
        return request

    def _min_area(self, parameters: Dict[str, Any],
                  context: QgsProcessingContext) -> Optional[float]:
        """Empty: None, the backend's default (16 working pixels, >= 1 m²); 0: keep all."""
        if parameters.get(self.MIN_AREA) in (None, ""):
            return None
        return params.min_area_to_wire(
            self.parameterAsDouble(parameters, self.MIN_AREA, context))

    def copy_to_sink(self, source_uri: str, parameters: Dict[str, Any], sink_name: str,
                     context: QgsProcessingContext, feedback: QgsProcessingFeedback
                     ) -> Tuple[str, int]:
        """Copy the features of the backend's GeoPackage layer into the sink ``sink_name``."""
        source = QgsVectorLayer(source_uri, "rrsis", "ogr")
        if not source.isValid():
            raise QgsProcessingException(self.tr("The backend's output could not be read: {}")
                                         .format(source_uri))
        fields = QgsFields()
        for field in source.fields():
            if field.name().lower() != "fid":
                fields.append(field)
        sink, dest_id = self.parameterAsSink(parameters, sink_name, context, fields,
                                             source.wkbType(), source.crs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, sink_name))
        count = 0
        total = source.featureCount() or 1
        for feature in source.getFeatures():
            if feedback.isCanceled():
                break
            out = QgsFeature(fields)
            out.setGeometry(feature.geometry())
            out.setAttributes([feature[f.name()] for f in fields])
            if not sink.addFeature(out, QgsFeatureSink.FastInsert):
                raise QgsProcessingException(self.writeFeatureError(sink, parameters, sink_name))
            count += 1
            feedback.setProgress(100.0 * count / total)
        return dest_id, count

    def call_backend(self, method: str, request: Dict[str, Any],
                     feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        """Run ``method`` in this (the algorithm's) thread, forwarding progress and cancel."""
        feedback.pushInfo(self.tr("Backend request: {}").format(method))

        def progress(event: Dict[str, Any]) -> None:
            fraction = event.get("fraction")
            if isinstance(fraction, (int, float)):
                feedback.setProgress(100.0 * fraction)
            if event.get("stage"):
                feedback.setProgressText(str(event["stage"]))

        try:
            client = backend.shared_client()
            return render.run_with_rendering(client, method, request, feedback.isCanceled,
                                             progress)
        except BackendError as exc:
            if exc.code == "cancelled":
                raise QgsProcessingException(self.tr("Cancelled.")) from None
            feedback.reportError(exc.detail or exc.message, fatalError=False)
            raise QgsProcessingException(f"{exc.code}: {exc.message}") from None
