"""A backend result becomes styled map layers with provenance; nothing the user has is modified.

The GeoPackage the backend writes holds one layer for all expressions of a run; the plugin
shows one layer per expression, filtered with a subset string on the ``expression`` field,
so each can be styled, hidden or exported on its own. Every run adds new layers on top of
the group "RRSIS results".
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from qgis.core import (QgsLayerMetadata, QgsLayerTreeGroup, QgsMapLayer, QgsProject,
                       QgsRasterLayer, QgsVectorLayer)

from .resources import style_path

GROUP_NAME = "RRSIS results"
RESULT_FIELDS = ("expression", "score", "area_m2", "model", "model_sha256", "gsd_m", "created")


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
    """What produced a layer: enough to reproduce it."""
    return {
        "raster": request.get("raster"),
        "expressions": request.get("expressions"),
        "model": result.get("model"),
        "model_sha256": result.get("model_sha256"),
        "gsd_m": result.get("gsd_m"),
        "device": result.get("device"),
        "threshold": request.get("threshold"),
        "min_area_m2": request.get("min_area_m2"),
        "extent": request.get("extent"),
        "extent_crs": request.get("extent_crs"),
        "crs": result.get("crs"),
        "timings": result.get("timings"),
    }


def _metadata(expression: str, prov: Dict[str, Any], plan: str = "") -> QgsLayerMetadata:
    meta = QgsLayerMetadata()
    meta.setIdentifier(f"rrsis:{prov.get('model_sha256') or ''}:{expression}")
    meta.setTitle(expression)
    meta.setType("dataset")
    meta.setAbstract(
        f'Objects matching "{expression}", segmented by the RRSIS referring segmentation '
        f"backend (model {prov.get('model')}, GSD {prov.get('gsd_m')} m, "
        f"device {prov.get('device')}) "
        f"from {prov.get('raster')}." + (f" Plan: {plan}." if plan else ""))
    meta.setKeywords({"rrsis": ["referring segmentation", str(prov.get("model"))]})
    meta.setHistory([f"{key}: {value}" for key, value in prov.items() if value is not None])
    return meta


def add_result_layers(result: Dict[str, Any], request: Dict[str, Any],
                      project: Optional[QgsProject] = None,
                      model_label: Optional[str] = None) -> List[QgsMapLayer]:
    """Add one vector layer per expression (and the probability raster, if any) to ``project``.

    Returns the layers added, vector layers first, in the order of ``request["expressions"]``.
    """
    project = project or QgsProject.instance()
    gpkg, table = result["output"], result.get("layer") or request.get("layer") or "rrsis"
    model = model_label or str(result.get("model") or request.get("model") or "model")
    prov = provenance(result, request)
    expressions: Sequence[str] = request["expressions"]
    group = results_group(project)
    added: List[QgsMapLayer] = []
    for expression in expressions:
        # the subset goes in the URI: setSubsetString on several layers of one fresh GeoPackage
        # makes QGIS 3.22's OGR provider fail to count ("unable to open database file")
        layer = QgsVectorLayer(f"{gpkg}|layername={table}|subset={subset_for(expression)}",
                               layer_name(expression, model), "ogr")
        if not layer.isValid():
            raise RuntimeError(f"The backend's GeoPackage could not be opened: {gpkg}")
        layer.loadNamedStyle(style_path())
        plan = ((result.get("plans") or {}).get(expression) or {}).get("plan") or ""
        layer.setMetadata(_metadata(expression, prov, plan))
        layer.setCustomProperty("rrsis/provenance", repr(prov))
        added.append(layer)
    probability = result.get("probability")
    if probability:
        label = expressions[0] if len(expressions) == 1 else "; ".join(expressions)
        raster = QgsRasterLayer(probability, f"{label} probability ({model})")
        if raster.isValid():
            raster.setMetadata(_metadata(label, prov))
            added.append(raster)
    for layer in reversed(added):
        project.addMapLayer(layer, False)
        group.insertLayer(0, layer)
    return added
