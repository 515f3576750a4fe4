"""Result colours that read on imagery, and the style and provenance kept inside the GeoPackage.

Each expression gets its own colour from :data:`PALETTE`, the same colour for the same
expression for the whole QGIS session (so "buildings" keeps its colour from run to run),
different colours for different expressions until the palette is used up. The polygons are
drawn with a translucent fill, a dark casing and a saturated outline: readable on bright roofs
and on dark vegetation alike.

The GeoPackage the backend writes holds one table for all expressions of a run; its default
style (``layer_styles``) is a categorized renderer on the ``expression`` field and its
metadata (``gpkg_metadata``) the run's provenance, so opening the file anywhere restores both.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from qgis.core import (QgsCategorizedSymbolRenderer, QgsDataProvider, QgsFillSymbol,
                       QgsLayerMetadata,
                       QgsProviderRegistry, QgsRendererCategory, QgsSimpleFillSymbolLayer,
                       QgsVectorLayer)
from qgis.PyQt.QtGui import QColor

#: Saturated colours that stand out on aerial imagery (none of them a vegetation green or a
#: roof grey/brown), in the order they are handed out.
PALETTE: Tuple[str, ...] = (
    "#ff2d95",  # magenta
    "#00e5ff",  # cyan
    "#ffd600",  # yellow
    "#ff6d00",  # orange
    "#7c4dff",  # violet
    "#76ff03",  # lime
    "#2979ff",  # blue
    "#ff1744",  # red
)
CASING = "#1a1a1a"        # dark outline under the coloured one
FILL_ALPHA = 70           # of 255: the imagery stays visible under the objects
STYLE_NAME = "rrsis"

_session_colours: Dict[str, str] = {}


def colour_for(expression: str) -> str:
    """This session's colour of ``expression`` (assigned on first use, then stable)."""
    key = expression.strip().lower()
    if key not in _session_colours:
        used = list(_session_colours.values())
        free = [c for c in PALETTE if c not in used]
        _session_colours[key] = free[0] if free else PALETTE[len(used) % len(PALETTE)]
    return _session_colours[key]


def colours_for(expressions: Iterable[str]) -> List[str]:
    """Colours of a run's expressions; distinct within the run whenever the palette allows."""
    return [colour_for(e) for e in expressions]


def fill_symbol(colour: str) -> QgsFillSymbol:
    """Translucent fill with a dark casing and a saturated outline."""
    fill = QColor(colour)
    symbol = QgsFillSymbol.createSimple({
        "color": f"{fill.red()},{fill.green()},{fill.blue()},{FILL_ALPHA}",
        "outline_color": CASING, "outline_width": "0.9", "outline_width_unit": "MM",
        "style": "solid", "outline_style": "solid"})
    symbol.appendSymbolLayer(QgsSimpleFillSymbolLayer.create({
        "style": "no", "outline_color": colour, "outline_width": "0.45",
        "outline_width_unit": "MM", "outline_style": "solid"}))
    return symbol


def renderer_for(expressions: Sequence[str]) -> QgsCategorizedSymbolRenderer:
    """A categorized renderer on ``expression``: one colour per expression of the run."""
    categories = [QgsRendererCategory(e, fill_symbol(c), e)
                  for e, c in zip(expressions, colours_for(expressions))]
    return QgsCategorizedSymbolRenderer("expression", categories)


def table_uri(layer: QgsVectorLayer) -> str:
    """``layer``'s source naming its table (a one-table file opened by path names none)."""
    registry = QgsProviderRegistry.instance()
    parts = registry.decodeUri(layer.providerType(), layer.source())
    if not parts.get("layerName"):
        for sub in layer.dataProvider().subLayers():
            fields = sub.split(QgsDataProvider.sublayerSeparator())
            if len(fields) > 1 and fields[1]:
                parts["layerName"] = fields[1]
                break
    parts.pop("subset", None)
    return registry.encodeUri(layer.providerType(), parts)


def save_into_geopackage(layer: QgsVectorLayer, metadata: Optional[QgsLayerMetadata]) -> List[str]:
    """Store ``layer``'s renderer as the table's default style, and ``metadata``, in its file.

    Returns the problems met (empty when both were saved); never raises, because the
    polygons themselves are already safe on disk.
    """
    problems: List[str] = []
    error = layer.saveStyleToDatabase(STYLE_NAME, "RRSIS result colours", True, "")
    if error:
        problems.append(f"style not saved in the GeoPackage: {error}")
    if metadata is not None:
        ok, message = QgsProviderRegistry.instance().saveLayerMetadata(
            layer.providerType(), table_uri(layer), metadata)
        if not ok:
            problems.append(f"metadata not saved in the GeoPackage: {message}")
    return problems


__all__ = ["PALETTE", "colour_for", "colours_for", "fill_symbol", "renderer_for",
           "save_into_geopackage"]
