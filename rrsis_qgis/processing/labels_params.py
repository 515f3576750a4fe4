"""The label parameters shared by "Build referring dataset" and "Fine-tune model".

Labels as analysts have them: a polygon, line or point layer, or a class raster (a
land-cover map, a mask); a class field, or one class for the whole layer; the words of coded
classes (``{1: building, 2: road}``: the model learns the words an analyst will type, so
codes must be named); a width for lines and a radius for points, in metres, or a field
holding each one's; whether tiles without a labelled object teach the class as absent
(default: yes); the area to train on (default: the labels' extent, since ground nobody
labelled must not be taught as empty).
"""

from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (QgsProcessing, QgsProcessingException, QgsProcessingParameterBoolean,
                       QgsProcessingParameterExtent, QgsProcessingParameterField,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterLayer,
                       QgsProcessingParameterString, QgsProcessingParameterVectorLayer,
                       QgsProcessingUtils)

from .. import _protocol, extents, params, render
from .common import RrsisAlgorithm, chosen_extent, processing_errors, render_source

INPUT, LABELS, CLASS_FIELD, FIXED_CLASS = "INPUT", "LABELS", "CLASS_FIELD", "FIXED_CLASS"
LABEL_RASTER = "LABEL_RASTER"
LINE_WIDTH, POINT_RADIUS, GSD, PIXEL_SIZE = "LINE_WIDTH", "POINT_RADIUS", "GSD", "PIXEL_SIZE"
LINE_WIDTH_FIELD, POINT_RADIUS_FIELD = "LINE_WIDTH_FIELD", "POINT_RADIUS_FIELD"
NEGATIVE_TILES, WORDS, AREA = "NEGATIVE_TILES", "WORDS", "AREA"


def add_label_parameters(alg: Any) -> None:
    tr = alg.tr
    alg.addParameter(QgsProcessingParameterRasterLayer(INPUT, tr("Raster")))
    alg.addParameter(QgsProcessingParameterVectorLayer(
        LABELS, tr("Labels (polygons, lines or points)"), [QgsProcessing.TypeVectorAnyGeometry],
        optional=True))
    alg.addParameter(QgsProcessingParameterRasterLayer(
        LABEL_RASTER, tr("Or labels as a class raster (land-cover map: codes in Class words; "
                         "mask: one class)"), optional=True))
    alg.addParameter(QgsProcessingParameterField(
        CLASS_FIELD, tr("Class field (empty: one class for the whole layer)"),
        parentLayerParameterName=LABELS, optional=True))
    alg.addParameter(QgsProcessingParameterString(
        FIXED_CLASS, tr("Class of the whole layer (when no class field), e.g. building"),
        optional=True))
    alg.addParameter(QgsProcessingParameterString(
        WORDS, tr("Class words, when the classes are codes, e.g. "
                  "{1: building, 2: [road, street], 9: null}"), optional=True))
    alg.addParameter(QgsProcessingParameterNumber(
        LINE_WIDTH, tr("Width of line labels in metres (roads, rivers)"),
        QgsProcessingParameterNumber.Double, defaultValue=6.0, minValue=0.0))
    alg.addParameter(QgsProcessingParameterNumber(
        POINT_RADIUS, tr("Radius of point labels in metres (trees)"),
        QgsProcessingParameterNumber.Double, defaultValue=3.0, minValue=0.0))
    for name, text in ((LINE_WIDTH_FIELD, tr("Field with each line's width in metres (empty "
                                             "values: the width above)")),
                       (POINT_RADIUS_FIELD, tr("Field with each point's radius in metres "
                                               "(empty values: the radius above)"))):
        alg.addParameter(QgsProcessingParameterField(
            name, text, parentLayerParameterName=LABELS,
            type=QgsProcessingParameterField.Numeric, optional=True))
    alg.addParameter(QgsProcessingParameterNumber(
        GSD, tr("Training GSD in metres (0: the raster's, within the model's range)"),
        QgsProcessingParameterNumber.Double, defaultValue=0.0, minValue=0.0))
    alg.addParameter(params.number_parameter(
        "pixel_size_m", PIXEL_SIZE, tr("Pixel size of a raster without a CRS (m; needed for "
                                       "one: a drone photo)"), default=0.0, minimum=0.0,
        advanced=False))
    alg.addParameter(QgsProcessingParameterBoolean(
        NEGATIVE_TILES, tr("Teach ground without labelled objects as “not this class”"),
        defaultValue=True))
    alg.addParameter(QgsProcessingParameterExtent(
        AREA, tr("Area the labels cover completely (empty: the labels' extent)"),
        optional=True))


#: Ground rendered around the labels of a web layer, in metres: more than the backend's
#: margin around them (an eighth of a 192 px tile at the coarsest GSD it trains at, 0.6 m).
RENDER_MARGIN_M = 20.0


def label_request(alg: Any, parameters: Dict[str, Any], context: Any, feedback: Any
                  ) -> Dict[str, Any]:
    """The ``build_dataset`` params for the raster and labels chosen (no output yet).

    A web or virtual raster layer is rendered by QGIS over the area (the labels' extent and
    a margin, or the area given) and the dataset keeps that render, as it keeps labels that
    QGIS had to export (a memory layer): the held-out score reads them after this run."""
    raster = alg.parameterAsRasterLayer(parameters, INPUT, context)
    if raster is None:
        raise QgsProcessingException(alg.invalidRasterError(parameters, INPUT))
    field = alg.parameterAsString(parameters, CLASS_FIELD, context).strip()
    fixed = alg.parameterAsString(parameters, FIXED_CLASS, context).strip()
    class_raster = alg.parameterAsRasterLayer(parameters, LABEL_RASTER, context)
    if (class_raster is None) == (alg.parameterAsVectorLayer(parameters, LABELS, context) is None):
        raise QgsProcessingException(alg.tr(
            "Choose the labels: a layer of polygons, lines or points, or a class raster (not "
            "both)."))
    if class_raster is not None:   # its pixel values are its classes, unless one is typed
        labels = render.file_path(class_raster)
        if labels is None:
            raise QgsProcessingException(alg.tr(
                "The class raster {name} is not a file on this computer: save it as a GeoTIFF "
                "first.").format(name=class_raster.name()))
        field = "" if fixed else _protocol.RASTER_CLASS_FIELD
    else:
        labels = alg.parameterAsCompatibleSourceLayerPath(
            parameters, LABELS, context, ["gpkg", "geojson", "shp"], "gpkg", feedback)
    if not field and not fixed:
        raise QgsProcessingException(alg.tr(
            "Choose a class field, or type the class of the whole layer (e.g. building)."))
    with processing_errors():   # a photo without a CRS: its pixel units, as QGIS draws it
        pixels = params.pixel_params(raster, alg.parameterAsDouble(parameters, PIXEL_SIZE,
                                                                    context))
    request: Dict[str, Any] = {
        **pixels, "raster": render.file_path(raster), "labels": labels,
        "class_field": field or None, "fixed_class": None if field else fixed,
        "line_width_m": alg.parameterAsDouble(parameters, LINE_WIDTH, context),
        "point_radius_m": alg.parameterAsDouble(parameters, POINT_RADIUS, context),
        "negative_tiles": alg.parameterAsBool(parameters, NEGATIVE_TILES, context)}
    for name, key in ((LINE_WIDTH_FIELD, "line_width_field"),
                      (POINT_RADIUS_FIELD, "point_radius_field")):
        size_field = alg.parameterAsString(parameters, name, context).strip()
        if size_field:
            request[key] = size_field
    words = alg.parameterAsString(parameters, WORDS, context).strip()
    if words:
        request["words"] = words
    gsd = alg.parameterAsDouble(parameters, GSD, context)
    if gsd > 0:
        request["gsd_m"] = gsd
    area = chosen_extent(alg, parameters, AREA, context, raster.crs())
    if area is not None:
        request["extent"] = extents.as_list(area)
        request["extent_crs"] = extents.crs_id(raster.crs())
    request["copy_labels"] = os.path.abspath(labels).startswith(   # QGIS exported them
        os.path.abspath(QgsProcessingUtils.tempFolder()) + os.sep)
    if request["raster"] is not None:   # a file: the bands it is drawn with, if chosen
        request.update(params.drawn_bands(raster))
    request["copy_raster"] = request["raster"] is None
    if request["raster"] is None:   # a web, virtual or in-memory layer: QGIS renders it
        request["_render"] = _render_source(alg, raster, parameters, area, context)
        request["_render_extent"] = area is not None   # the render is the area given
    return request


class LabelsAlgorithm(RrsisAlgorithm):
    """Base of the algorithms that train from labels: the raster and labels are read before
    the run, as :func:`label_request`."""

    def read_layers(self, parameters: Dict[str, Any], context: Any,
                    feedback: Any) -> Dict[str, Any]:
        return label_request(self, parameters, context, feedback)


def _render_source(alg: Any, raster: Any, parameters: Dict[str, Any], area: Any,
                   context: Any) -> Any:
    """What to render of ``raster``: the area given, else the labels' extent and a margin."""
    label = alg.tr("the area")
    if area is None:
        layer = alg.parameterAsVectorLayer(parameters, LABELS, context) or \
            alg.parameterAsRasterLayer(parameters, LABEL_RASTER, context)
        if layer is None or layer.extent().isNull():   # one point: empty, not null
            raise QgsProcessingException(alg.tr("The labels layer cannot be read."))
        area = extents.to_layer_crs(layer.extent(), layer.crs(), raster, context.project())
        area.grow(RENDER_MARGIN_M / render.metres_per_unit(raster.crs(), area))
        label = alg.tr("the labels' extent")
    source = render_source(raster, area, label)
    source.too_large_advice = alg.tr("set a coarser training GSD, or label a smaller area")
    return source


def report_dataset(alg: Any, summary: Dict[str, Any], feedback: Any) -> None:
    """The area used, the dataset's parts (the ground that holds data, objects, samples) and
    its warnings."""
    note = (summary.get("area") or {}).get("note")
    if note:
        feedback.pushInfo(note)
    for part in summary.get("parts", []):
        area = part.get("data_area_m2", part["area_m2"])   # older backends: the rectangle
        counts = part.get("objects_by_class") or {}
        each = " ({})".format(", ".join(f"{c} {n}" for c, n in counts.items())) \
            if len(counts) > 1 else ""
        feedback.pushInfo(alg.tr("{split}: {area:.0f} m² with data, {objects} objects{each}, "
                                 "{samples} samples").format(
            split=part["split"], area=area, objects=part["objects"], each=each,
            samples=part.get("samples", 0)))
    for warning in summary.get("warnings", []):
        feedback.reportError(warning, fatalError=False)
