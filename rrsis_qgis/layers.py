"""A backend result becomes styled map layers with provenance; nothing the user has is modified.

The GeoPackage the backend writes holds one layer for all expressions of a run; the plugin
shows one layer per expression, filtered with a subset string on the ``expression`` field,
so each can be styled, hidden or exported on its own. Every run adds new layers on top of
the group "RRSIS results".
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Sequence

from qgis.core import (QgsCoordinateReferenceSystem, QgsLayerMetadata, QgsLayerTreeGroup,
                       QgsMapLayer, QgsProject, QgsRasterLayer, QgsVectorLayer)

from . import log, styling
from .plans import plan_of, plan_text, unknown_words
from .provenance import history_lines, round_gsd

GROUP_NAME = "RRSIS results"


def layer_name(expression: str, model: str) -> str:
    """``vehicles along the road (lgce-lite)``."""
    return f"{expression} ({model})"


def subset_for(expression: str) -> str:
    return "\"expression\" = '{}'".format(expression.replace("'", "''"))


def results_group(project: QgsProject) -> QgsLayerTreeGroup:
    root = project.layerTreeRoot()
    group = root.findGroup(GROUP_NAME)
    if group is None:
        group = root.insertGroup(0, GROUP_NAME)
    return group


def provenance(result: Dict[str, Any], request: Dict[str, Any]) -> Dict[str, Any]:
    """What produced a layer: enough to reproduce it.

    ``request["_source"]`` (set by the dock and Processing) names the layer the analyst chose
    and its source without credentials; a rendered web layer's temporary file is not its source.
    """
    source = request.get("_source") or {}
    return {
        "expressions": request.get("expressions"),
        "layer": source.get("layer"),
        "source": source.get("source") or request.get("raster"),
        "provider": source.get("provider"),
        "model": result.get("model"),
        "model_sha256": result.get("model_sha256"),
        "gsd_m": round_gsd(result.get("gsd_m")),
        "device": result.get("device"),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "plans": plan_text(result) or None,
        "unknown_words": unknown_words(result) or None,
        "threshold": request.get("threshold"),
        "min_area_m2": request.get("min_area_m2"),
        "extent": request.get("extent"),
        "extent_crs": request.get("extent_crs"),
        "crs": result.get("crs"),
        "timings": result.get("timings"),
    }


def result_metadata(expression: str, prov: Dict[str, Any], plan: str = "") -> QgsLayerMetadata:
    meta = QgsLayerMetadata()
    meta.setIdentifier(f"rrsis:{prov.get('model_sha256') or ''}:{expression}")
    meta.setTitle(expression)
    meta.setType("dataset")
    origin = prov.get("source")
    if prov.get("layer"):
        origin = f"layer “{prov['layer']}” ({origin})"
    meta.setAbstract(
        f'Objects matching "{expression}", segmented by the RRSIS referring segmentation '
        f"backend (model {prov.get('model')} sha256 {prov.get('model_sha256')}, "
        f"GSD {prov.get('gsd_m')} m, device {prov.get('device')}, {prov.get('date')}) "
        f"from {origin}." + (f" Plan: {plan}." if plan else ""))
    meta.setKeywords({"rrsis": ["referring segmentation", str(prov.get("model"))]})
    meta.setHistory(history_lines(prov))
    return meta


def found_expressions(result: Dict[str, Any], expressions: Sequence[str]) -> List[str]:
    """The expressions that found at least one object (all of them when counts are unknown)."""
    counts = result.get("feature_counts")
    if not isinstance(counts, dict):
        return list(expressions)
    return [e for e in expressions if counts.get(e, 0) > 0]


def style_geopackage(gpkg: str, table: str, expressions: Sequence[str],
                     prov: Dict[str, Any]) -> List[str]:
    """Save the run's colours and provenance inside the GeoPackage; the problems met."""
    whole = QgsVectorLayer(f"{gpkg}|layername={table}", table, "ogr")
    if not whole.isValid():
        return [f"could not reopen {gpkg} to save its style"]
    whole.setRenderer(styling.renderer_for(expressions))
    title = "; ".join(expressions)
    problems = styling.save_into_geopackage(whole, result_metadata(title, prov))
    for problem in problems:
        log.warning(problem)
    return problems


#: the request fields :func:`keep_pixel_frame` reads
PIXEL_FRAME_FIELDS = ("pixel_coordinates", "_pixel_crs")


def pixel_frame_of(request: Dict[str, Any]) -> Dict[str, Any]:
    """What :func:`keep_pixel_frame` needs of ``request``, to keep until its layers load."""
    return {k: request[k] for k in PIXEL_FRAME_FIELDS if k in request}


def keep_pixel_frame(layer: QgsMapLayer, request: Dict[str, Any]) -> None:
    """A result in the pixel units of a raster without a CRS gets the CRS QGIS shows that
    raster with: none, or the one QGIS gave it on loading (``_pixel_crs``); the GeoPackage's
    "undefined" SRS would read as a CRS of its own."""
    if request.get("pixel_coordinates"):
        crs = request.get("_pixel_crs")
        layer.setCrs(crs if crs is not None else QgsCoordinateReferenceSystem())


def add_result_layers(result: Dict[str, Any], request: Dict[str, Any],
                      project: Optional[QgsProject] = None,
                      model_label: Optional[str] = None) -> List[QgsMapLayer]:
    """Add one vector layer per expression (and the probability raster, if any) to ``project``.

    Returns the layers added, vector layers first, in the order of ``request["expressions"]``;
    an expression that found nothing gets no (empty) layer. The GeoPackage keeps the colours
    as its default style and the provenance as its metadata.
    """
    project = project or QgsProject.instance()
    gpkg, table = result["output"], result.get("layer") or request.get("layer") or "rrsis"
    model = model_label or str(result.get("model") or request.get("model") or "model")
    prov = provenance(result, request)
    expressions: Sequence[str] = request["expressions"]
    style_geopackage(gpkg, table, expressions, prov)
    group = results_group(project)
    added: List[QgsMapLayer] = []
    for expression in found_expressions(result, expressions):
        # the subset goes in the URI: setSubsetString on several layers of one fresh GeoPackage
        # makes QGIS 3.22's OGR provider fail to count ("unable to open database file")
        layer = QgsVectorLayer(f"{gpkg}|layername={table}|subset={subset_for(expression)}",
                               layer_name(expression, model), "ogr")
        if not layer.isValid():
            raise RuntimeError(f"The backend's GeoPackage could not be opened: {gpkg}")
        keep_pixel_frame(layer, request)
        layer.setRenderer(styling.renderer_for([expression]))  # its own legend entry only
        layer.setMetadata(result_metadata(expression, prov, plan_of(result, expression)))
        layer.setCustomProperty("rrsis/provenance", repr(prov))
        added.append(layer)
    probability = result.get("probability")
    if probability:
        label = expressions[0] if len(expressions) == 1 else "; ".join(expressions)
        raster = QgsRasterLayer(probability, f"{label} probability ({model})")
        if raster.isValid():
            keep_pixel_frame(raster, request)
            raster.setMetadata(result_metadata(label, prov))
            added.append(raster)
    for layer in reversed(added):
        project.addMapLayer(layer, False)
        group.insertLayer(0, layer)
    return added


def __getattr__(name: str) -> Any:
    """``RESULT_FIELDS`` moved to ``_protocol.FEATURE_FIELDS`` (kept one release)."""
    if name == "RESULT_FIELDS":
        import warnings

        from ._protocol import FEATURE_FIELDS

        warnings.warn("rrsis_qgis.layers.RESULT_FIELDS is deprecated: use "
                      "rrsis_qgis._protocol.FEATURE_FIELDS", DeprecationWarning, stacklevel=2)
        return tuple(FEATURE_FIELDS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
