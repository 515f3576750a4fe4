"""What the backend will make of a raster layer's bands, as far as QGIS tells it.

The engine reads a band as near infrared when one is described so, else the fourth of four
bands unless that band is a validity mask (``rrsis.engine.nir.nir_band``); a band tagged alpha
whose values run across the range is data (NAIP's near infrared, as many files ship it:
``rrsis.engine.raster_io``). The dock's preview says what such a band keeps; the run's own
report is what counts.
"""

from __future__ import annotations

import re

from typing import List, Optional

from qgis.core import QgsRaster, QgsRasterBlock, QgsRasterLayer, QgsRectangle

__all__ = ["may_have_near_infrared", "near_infrared_band", "holds_a_mask", "MASK_MIDDLE_SHARE"]

#: the share of the sampled pixels it does not hide that an alpha band may hold below its
#: opaque value and still be a validity mask: the engine's ``raster_io.MASK_MIDDLE_SHARE``
MASK_MIDDLE_SHARE = 0.05
_SAMPLE = 64   # pixels a side of the sample a band tagged alpha is judged on
SAMPLE_FRACTIONS = (0.1, 0.5, 0.9)   # where its windows lie across and down (as the engine)
_NIR_WORDS = re.compile(r"\b(nir|near[ _-]?infra[ _-]?red)\b", re.IGNORECASE)


def may_have_near_infrared(layer: QgsRasterLayer) -> bool:
    """Whether the engine will find a near-infrared band in ``layer`` by itself."""
    return near_infrared_band(layer) is not None


def near_infrared_band(layer: QgsRasterLayer) -> Optional[int]:
    """The band the engine will take as near infrared in ``layer`` by itself, else None."""
    provider, count = layer.dataProvider(), layer.bandCount()
    named = [b for b in range(1, count + 1) if _NIR_WORDS.search(provider.displayBandName(b))]
    if named:
        return named[0]
    if count != 4:
        return None
    if provider.colorInterpretation(4) != QgsRaster.AlphaBand or not holds_a_mask(layer, 4):
        return 4
    return None


def holds_a_mask(layer: QgsRasterLayer, band: int) -> bool:
    """Whether ``band`` holds a validity mask (0 and one opaque value, but for a few edge
    pixels), judged on a sample of the layer (:func:`_sample`), among the pixels it does
    not hide (a mosaic with gaps is mostly transparent)."""
    shown = [v for v in _sample(layer, band) if v > 0]   # what it does not hide
    if not shown:
        return True
    top = max(shown)
    return sum(1 for v in shown if v < top) <= MASK_MIDDLE_SHARE * len(shown)


def _sample(layer: QgsRasterLayer, band: int) -> List[float]:
    """About :data:`_SAMPLE` ² values of ``band`` spread over the layer, as the engine takes
    them: a resampled block where the file has pyramids or is small, else a 3 x 3 grid of
    small windows at full resolution (a resampled block of a large file without pyramids
    decodes all of it), the resampled block after all where the windows show nothing."""
    provider, extent = layer.dataProvider(), layer.extent()
    width, height = layer.width(), layer.height()
    whole = (extent, min(width, _SAMPLE), min(height, _SAMPLE))
    if provider.hasPyramids() or max(width, height) <= 4 * _SAMPLE:
        return _values(provider.block(band, *whole))
    side = _SAMPLE // 3
    dx, dy = layer.rasterUnitsPerPixelX(), layer.rasterUnitsPerPixelY()
    values: List[float] = []
    for fy in SAMPLE_FRACTIONS:
        for fx in SAMPLE_FRACTIONS:
            x = extent.xMinimum() + int((width - side) * fx) * dx
            y = extent.yMaximum() - int((height - side) * fy) * dy
            window = QgsRectangle(x, y - side * dy, x + side * dx, y)
            values.extend(_values(provider.block(band, window, side, side)))
    if sum(1 for v in values if v > 0) >= _SAMPLE:
        return values
    return _values(provider.block(band, *whole))


def _values(block: QgsRasterBlock) -> List[float]:
    """A block's values, row by row; none for a block that could not be read."""
    if not block.isValid():
        return []
    return [block.value(r, c) for r in range(block.height()) for c in range(block.width())]
