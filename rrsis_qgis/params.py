"""The plugin's faces of the segment parameters, read from the protocol's table.

Why: ``_protocol.SEGMENT_PARAMS`` (the byte-identical copy of ``rrsis.protocol``) is the one
definition of each parameter's default, range and step. The dock's spin boxes, the
Processing parameters and the settings defaults take them from here, so a form never
offers a value the backend refuses, and the expression box, the raster and the minimum
area become request params in one way for the dock and Processing alike.

Minimum area on the wire: null = the backend's default (16 working pixels, at least 1 m²),
0 = keep every object, else square metres. The dock shows null as the step below 0
("default"), where it starts, as Processing starts with an empty field: every face answers
like the CLI unless the user sets a value.
"""

from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from qgis.core import (QgsProcessingParameterBoolean, QgsProcessingParameterDefinition,
                       QgsProcessingParameterNumber)

from . import _protocol, render
from .backend_error import BackendError
from .provenance import describe_source

__all__ = ["FIELDS", "form_range", "split_expressions", "raster_params", "has_no_crs",
           "pixel_params", "QGIS_PIXEL_FRAME",
           "MIN_AREA_DEFAULT", "min_area_to_wire", "min_area_from_wire", "configure_spin_box",
           "number_parameter", "Option", "OPTIONS", "option_parameter", "OVERLAP_HELP"]

FIELDS = _protocol.SEGMENT_PARAMS

#: the dock's (and the settings') value for "the backend's default minimum area": one step
#: below 0, where the spin box shows its special text
MIN_AREA_DEFAULT = -float(FIELDS["min_area_m2"].step or 0.01)


class Option(NamedTuple):
    """What a user reads about an on/off option: the label and the longer help (the dock's
    tooltip, Processing's help)."""

    label: str
    help: str


#: what the tile overlap does, for the dock's tooltip and Processing's help alike
OVERLAP_HELP = (
    "The share of a tile its neighbours overlap; where tiles overlap their answers are "
    "blended, so a wider overlap averages more answers per pixel. With flips, half a tile "
    "(0.5) found vehicles a little better on the held-out scenes (oIoU 53.5 -> 56.0) for "
    "about 5x the time (docs: README, \"Average over flips\").")

#: the on/off options of a segmentation, worded once for the dock and Processing alike
#: (keys are the settings' names)
OPTIONS: Dict[str, Option] = {
    "regularize": Option(
        "Right-angle outlines (buildings)",
        "An object that nearly fills its smallest rotated rectangle becomes that rectangle; "
        "others get edges along their main direction and right-angled corners. Kept only "
        "where the new outline overlaps the traced one closely: round tanks and tree crowns "
        "stay as traced."),
    "flip_average": Option(
        "Average over flips (about 4x slower)",
        "Average the model over each tile and its three flips: a little better, about 4x "
        "the time."),
    "rivals": Option(
        "Leave out what another category claims (e.g. cars taken for buildings)",
        "Also look for the categories that cannot share ground with the one asked for "
        "(buildings: vehicles and road; vehicles: buildings) and leave out an object the "
        "model is surer is one of those. Costs the rivals' passes of the model."),
    "nir": Option(
        "Trees and vegetation: keep what is green in near infrared",
        "Where the raster has a near-infrared band (tagged or described as such, or band 4 "
        "of a 4-band raster such as NAIP), trees and vegetation are kept only where the "
        "ground is green in it (NDVI >= 0.25): dark roofs and shadows are left out."),
    "stretch": Option(
        "Stretch of a raster that is not 8-bit (auto: as the model was tuned, if it records "
        "it; area: over the area)",
        "A model fine-tuned on a raster that is not 8-bit records how its training values "
        "were stretched and is served with it. For a raster of another sensor, stretch over "
        "the area: its values are then stretched 2-98 % over the area segmented."),
}


def option_parameter(name: str, key: str, default: bool,
                     advanced: bool = True) -> QgsProcessingParameterBoolean:
    """A Processing check box for the option ``name`` of :data:`OPTIONS`."""
    param = QgsProcessingParameterBoolean(key, OPTIONS[name].label, defaultValue=default,
                                          optional=True)
    param.setHelp(OPTIONS[name].help)
    return as_advanced(param) if advanced else param


def form_range(name: str, largest: float = 1e9) -> Tuple[float, float]:
    """The closed range a form offers for ``name``: the engine's, open ends moved in a step."""
    return FIELDS[name].form_range(largest)


def split_expressions(text: str) -> List[str]:
    """One expression per non-empty line, stripped: the dock's box and Processing's field."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def raster_params(layer: Any, pixel_size_m: Optional[float] = None) -> Dict[str, Any]:
    """``raster`` (None: a layer QGIS renders to a file first) and the ``_source`` provenance;
    for a file without a CRS (a drone photo), the pixel frame QGIS shows it in and the ground
    size of its pixels (``pixel_size_m``; None: the model's native GSD is taken)."""
    request = {"raster": render.file_path(layer),
               "_source": describe_source(layer.name(), layer.source(), layer.providerType())}
    if request["raster"] is not None:
        request.update(pixel_params(layer, pixel_size_m))
        request.update(drawn_bands(layer))
    return request


def drawn_bands(layer: Any) -> Dict[str, Any]:
    """``bands``: the bands the layer is drawn with as red, green and blue, where the user
    chose them in its symbology (a blue-green-red file drawn 3, 2, 1 is segmented in those
    colours); nothing for QGIS's own choice, which ignores a file's colour tags, so that the
    engine's reading of them stands, and nothing for a false-colour view that draws the near
    infrared (4, 3, 2: the model knows true colours, and the engine reads that band for
    vegetation itself). A rendered layer is drawn colours already."""
    from qgis.core import QgsMultiBandColorRenderer, QgsSettings

    from .bands import near_infrared_band

    renderer = layer.renderer()
    if not isinstance(renderer, QgsMultiBandColorRenderer):
        return {}
    drawn = [renderer.redBand(), renderer.greenBand(), renderer.blueBand()]
    settings = QgsSettings()
    qgis_default = [int(settings.value(f"/Raster/default{colour}Band", band) or band)
                    for colour, band in (("Red", 1), ("Green", 2), ("Blue", 3))]
    if min(drawn) < 1 or max(drawn) > layer.bandCount() or len(set(drawn)) < 3 \
            or drawn == qgis_default or near_infrared_band(layer) in drawn:
        return {}
    return {"bands": drawn}


def pixel_params(layer: Any, pixel_size_m: Optional[float] = None) -> Dict[str, Any]:
    """For a raster file without a CRS: its pixel frame as QGIS shows it and the ground size
    of its pixels (None: unknown); nothing for a raster with a CRS (its own GSD)."""
    if not has_no_crs(layer):
        return {}
    return {**pixel_frame(layer), "pixel_size_m": pixel_size_m or None,
            "_pixel_crs": layer.crs()}   # the results are drawn as the layer is


def has_no_crs(layer: Any) -> bool:
    """Whether the raster layer is a file without a CRS: the layer has none (QGIS shows a
    photo in its pixel units), or QGIS gave it one on loading ("use the project's CRS" in its
    settings) while the file has none (a drone photo, or a world file without a .prj, which
    :func:`pixel_frame` refuses with what to do: the backend reads the file, not that CRS)."""
    if not layer.crs().isValid():
        return True
    path = render.file_path(layer)
    if path is None:
        return False
    from osgeo import gdal

    dataset = gdal.OpenEx(path, gdal.OF_RASTER)
    return dataset is not None and not dataset.GetProjectionRef()


#: how QGIS draws a raster without a CRS, in the request's words: one unit a pixel, y minus
#: the row (its extent 0, -height, width, 0)
QGIS_PIXEL_FRAME: Dict[str, Any] = {"pixel_coordinates": True, "pixel_y": "up"}


def pixel_frame(layer: Any) -> Dict[str, Any]:
    """The request fields of a raster without a CRS as QGIS shows it (:data:`QGIS_PIXEL_FRAME`),
    so the extent sent and the polygons returned lie where the layer is drawn. A raster with a geotransform but no CRS is drawn
    in units the backend cannot know: refused with what to do."""
    e, w, h = layer.extent(), layer.width(), layer.height()
    corners = (e.xMinimum(), e.yMinimum(), e.xMaximum(), e.yMaximum())
    if any(abs(a - b) > 1e-6 * max(w, h, 1) for a, b in zip(corners, (0.0, -h, w, 0.0))):
        raise BackendError("bad_crs", f"The raster {layer.name()!r} has a geotransform but no "
                           "CRS: give it one (Raster › Projections › Assign Projection) and "
                           "load it again.")
    return {**QGIS_PIXEL_FRAME, "extent_crs": None}


def min_area_to_wire(value: Optional[float]) -> Optional[float]:
    """A form's minimum area -> the wire: below 0 or None is null (the default), 0 is 0."""
    if value is None or value < 0:
        return None
    return float(value)


def min_area_from_wire(value: Optional[float]) -> float:
    """The wire's (or a setting's) minimum area -> the dock's spin box value."""
    return MIN_AREA_DEFAULT if value is None or value < 0 else float(value)


def configure_spin_box(box: Any, name: str, null_text: str = "",
                       largest: float = 1e9) -> None:
    """Range and decimals of a QDoubleSpinBox from the table; ``null_text`` names the value
    one step below the range (null on the wire) when the parameter is nullable."""
    fld = FIELDS[name]
    lo, hi = fld.form_range(largest)
    step = fld.step or 0.01
    decimals = max(0, len(f"{step:f}".rstrip("0").split(".")[1]))
    box.setDecimals(decimals)
    if null_text and fld.nullable:
        box.setRange(lo - step, hi)
        box.setSpecialValueText(null_text)
    else:
        box.setRange(lo, hi)
    if fld.unit:
        box.setSuffix(" " + fld.unit.replace("m2", "m²"))


def as_advanced(param: QgsProcessingParameterDefinition) -> QgsProcessingParameterDefinition:
    """``param`` shown under Processing's "Advanced parameters" (returned, to be added)."""
    param.setFlags(param.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    return param


def number_parameter(name: str, key: str, description: str, *, default: Any = None,
                     minimum: Optional[float] = None, optional: bool = True,
                     advanced: bool = True) -> QgsProcessingParameterNumber:
    """A Processing number parameter whose type, range and default come from the table;
    ``minimum`` overrides the lower end (e.g. 0 for "0: auto" of a nullable parameter)."""
    fld = FIELDS[name]
    kind = QgsProcessingParameterNumber.Integer if fld.kind == "int" \
        else QgsProcessingParameterNumber.Double
    lo, hi = fld.form_range()
    param = QgsProcessingParameterNumber(
        key, description, kind, defaultValue=fld.default if default is None else default,
        optional=optional, minValue=lo if minimum is None else minimum, maxValue=hi)
    return as_advanced(param) if advanced else param
