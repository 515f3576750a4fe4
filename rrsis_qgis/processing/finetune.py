"""Algorithm ``rrsis:finetune`` — "Fine-tune model".

Two backend requests through the shared client, with progress and cancel: ``build_dataset``
(the raster and the analyst's labels -> train/val/held-out areas, in a temporary folder)
and ``finetune`` (within a time budget; the new model is exported where the backend looks
for models). The log gives the honest before/after: IoU of the base and of the new model
on the held-out area, with its number of objects, and both models' polygons there load
into the project to be looked at. The dock's model list reloads at once.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Dict, List, Optional

from qgis.core import (QgsFillSymbol, QgsProcessingContext, QgsProcessingException,
                       QgsProcessingLayerPostProcessorInterface,
                       QgsProcessingOutputMultipleLayers, QgsProcessingOutputNumber,
                       QgsProcessingOutputString, QgsProcessingParameterBoolean,
                       QgsProcessingParameterFolderDestination, QgsProcessingParameterNumber,
                       QgsProcessingParameterString, QgsProcessingUtils)
from qgis.PyQt import sip

from .. import backend, layers
from ..params import as_advanced
from .labels_params import LabelsAlgorithm, add_label_parameters, report_dataset


class FinetuneAlgorithm(LabelsAlgorithm):
    MINUTES = "MINUTES"
    NAME = "NAME"
    BASE = "BASE"
    LICENCE = "LICENCE"
    ATTRIBUTION = "ATTRIBUTION"
    OVERWRITE = "OVERWRITE"
    MAX_ITERS = "MAX_ITERS"
    BASE_WHERE_BETTER = "BASE_WHERE_BETTER"
    OUTPUT_MODEL = "MODEL_NAME"
    BEFORE = "IOU_BEFORE"
    AFTER = "IOU_AFTER"
    OBJECTS = "HELD_OUT_OBJECTS"
    HELD_OUT_LAYERS = "HELD_OUT_LAYERS"
    RUN = "RUN"

    def name(self) -> str:
        return "finetune"

    def displayName(self) -> str:  # noqa: N802
        return self.tr("Fine-tune model")

    def shortHelpString(self) -> str:  # noqa: N802
        return self.tr(
            "Teaches a model your region from your own labels: polygons, lines (with a width) "
            "or points (with a radius), with a class field (“Class words” names coded "
            "classes: {1: building, 2: road}) or one class for the layer, or a class raster "
            "(a land-cover map, a mask). The "
            "area is split into training, validation and held-out parts; training runs for "
            "the time budget; the log reports the IoU of the base and of the new model on "
            "the held-out part. The new model appears in the model list and segments at the "
            "scale it was trained at. The raster may be a web layer (XYZ, WMS): QGIS renders "
            "the labels' area, or the area given, and the dataset keeps that render.")

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802
        add_label_parameters(self)
        self.addParameter(QgsProcessingParameterNumber(
            self.MINUTES, self.tr("Time budget (minutes)"), QgsProcessingParameterNumber.Double,
            defaultValue=15.0, minValue=0.1))
        self.addParameter(QgsProcessingParameterString(self.NAME, self.tr("New model name")))
        self.addParameter(QgsProcessingParameterString(
            self.BASE, self.tr("Start from model (empty: the default model)"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.LICENCE, self.tr("Licence of the new weights"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.ATTRIBUTION, self.tr("Attribution (imagery and labels)"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.OVERWRITE, self.tr("Replace a model of the same name"), defaultValue=False))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.RUN, self.tr("Run folder: curves, logs, the before/after and the held-out "
                              "polygons"), optional=True, createByDefault=True))
        self.addParameter(as_advanced(QgsProcessingParameterNumber(
            self.MAX_ITERS, self.tr("Iteration cap (0: none)"),
            QgsProcessingParameterNumber.Integer, defaultValue=0, minValue=0)))
        self.addParameter(as_advanced(QgsProcessingParameterBoolean(
            self.BASE_WHERE_BETTER, self.tr("Leave a class to the base model where it segments "
                                            "it better on the validation part"),
            defaultValue=True)))
        self.addOutput(QgsProcessingOutputString(self.OUTPUT_MODEL, self.tr("Model name")))
        self.addOutput(QgsProcessingOutputNumber(self.BEFORE, self.tr("Held-out IoU before")))
        self.addOutput(QgsProcessingOutputNumber(self.AFTER, self.tr("Held-out IoU after")))
        self.addOutput(QgsProcessingOutputNumber(self.OBJECTS, self.tr("Held-out objects")))
        self.addOutput(QgsProcessingOutputMultipleLayers(
            self.HELD_OUT_LAYERS, self.tr("What each model found on the held-out part")))

    def model_name(self, parameters: Dict[str, Any], context: QgsProcessingContext) -> str:
        name = self.parameterAsString(parameters, self.NAME, context).strip()
        if not name or os.sep in name or name.startswith("."):
            raise QgsProcessingException(self.tr("Give the new model a plain name."))
        return name

    def read_layers(self, parameters: Dict[str, Any], context: Any,
                    feedback: Any) -> Dict[str, Any]:
        self.model_name(parameters, context)   # a refused name exports no labels first
        return super().read_layers(parameters, context, feedback)

    def processAlgorithm(self, parameters: Dict[str, Any], context: Any,  # noqa: N802
                         feedback: Any) -> Dict[str, Any]:
        request = dict(self.layers_read())
        name = self.model_name(parameters, context)
        folder = tempfile.mkdtemp(prefix=f"rrsis-{name}-", dir=QgsProcessingUtils.tempFolder())
        dataset = os.path.join(folder, "dataset")
        request["output"] = dataset
        summary = self.call_backend("build_dataset", request, feedback)
        report_dataset(self, summary, feedback)
        tune: Dict[str, Any] = {
            "dataset": dataset, "name": name,
            "minutes": self.parameterAsDouble(parameters, self.MINUTES, context),
            "model": self.parameterAsString(parameters, self.BASE, context).strip() or None,
            "licence": self.parameterAsString(parameters, self.LICENCE, context).strip() or None,
            "attribution": self.parameterAsString(parameters, self.ATTRIBUTION,
                                                  context).strip() or None,
            "overwrite": self.parameterAsBool(parameters, self.OVERWRITE, context),
            "base_where_better": self.parameterAsBool(parameters, self.BASE_WHERE_BETTER,
                                                      context),
            "out": self.parameterAsString(parameters, self.RUN, context).strip()
            or os.path.join(folder, "run")}
        cap = self.parameterAsInt(parameters, self.MAX_ITERS, context)
        if cap > 0:
            tune["max_iters"] = cap
        result = self.call_backend("finetune", tune, feedback)
        backend.status_hub().modelsChanged.emit()
        out: Dict[str, Any] = {self.OUTPUT_MODEL: result["model"], self.RUN: result["run"]}
        before = (result.get("before") or {}).get("classes", {})
        after = (result.get("after") or {}).get("classes", {})
        for line in result.get("report", []):   # the backend's wording, as the CLI prints it
            feedback.pushInfo(line)
        for warning in result.get("warnings", []):
            feedback.reportError(warning, fatalError=False)
        for cls, row in after.items():
            out.setdefault(self.BEFORE, before.get(cls, {}).get("iou"))
            out.setdefault(self.AFTER, row["iou"])
            out.setdefault(self.OBJECTS, row["objects"])
        if result.get("stopped_early"):
            feedback.pushInfo(self.tr(
                "Training stopped after {n} iterations: the validation score had stopped "
                "improving, so the rest of the time budget was not spent.").format(
                    n=result.get("iterations")))
        feedback.pushInfo(self.tr("Model {name} written to {path}").format(
            name=result["model"], path=result["export"]))
        out[self.HELD_OUT_LAYERS] = self._held_out_layers(result, context,
                                                          layers.pixel_frame_of(request))
        return out

    def _held_out_layers(self, result: Dict[str, Any], context: Any,
                         frame: Optional[Dict[str, Any]] = None) -> list:
        """The base's and the new model's polygons on the held-out part, loaded into the
        project when the algorithm finishes: the before/after to look at, not only to read.
        ``frame``: the pixel frame of a raster without a CRS (drawn as the raster is)."""
        uris = []
        for when, model in (("before", result.get("base") or self.tr("base model")),
                            ("after", result["model"])):
            for row in ((result.get(when) or {}).get("classes") or {}).values():
                path = row.get("polygons")
                if not path or not os.path.isfile(path):
                    continue
                uri = f"{path}|layername={row.get('layer') or 'rrsis'}"
                name = self.tr("held-out {what}: {model} ({when})").format(
                    what=row["expression"], model=model, when=when)
                details = QgsProcessingContext.LayerDetails(name, context.project(),
                                                            self.HELD_OUT_LAYERS)
                details.setPostProcessor(_Outlines.new(HELD_OUT_COLOURS[when], frame or {}))
                context.addLayerToLoadOnCompletion(uri, details)
                uris.append(uri)
        return uris


#: outline colours of the held-out layers: the base's muted, the new model's bright
HELD_OUT_COLOURS = {"before": "#9e9e9e", "after": "#00e5ff"}


class _Outlines(QgsProcessingLayerPostProcessorInterface):
    """Draws a loaded polygon layer as outlines of one colour, so that the before and after
    layers can be compared over the imagery. QGIS deletes a post-processor once it has run (or
    with its context); until then a reference here keeps Python from collecting it first."""

    _pending: List["_Outlines"] = []

    def __init__(self, colour: str, frame: Dict[str, Any]) -> None:
        super().__init__()
        self.colour, self.frame = colour, frame

    @classmethod
    def new(cls, colour: str, frame: Dict[str, Any]) -> "_Outlines":
        made = cls(colour, frame)
        cls._pending[:] = [p for p in cls._pending if not sip.isdeleted(p)] + [made]
        return made

    def postProcessLayer(self, layer: Any, context: Any, feedback: Any) -> None:  # noqa: N802
        layers.keep_pixel_frame(layer, self.frame)
        renderer = layer.renderer()
        if renderer is not None and hasattr(renderer, "setSymbol"):
            renderer.setSymbol(QgsFillSymbol.createSimple({
                "color": "0,0,0,0", "outline_color": self.colour, "outline_width": "0.6"}))
            layer.emitStyleChanged()
            layer.legendChanged.emit()   # the swatch in the layers panel too
            layer.triggerRepaint()
