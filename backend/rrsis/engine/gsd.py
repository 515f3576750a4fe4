"""The GSD policy: at which ground sample distance a model runs, and the default speck size.

The working GSD is the raster's own GSD when it lies within the model card's
``gsd_range_m`` (the scales it was trained to serve), else the nearest end of that range;
a card without a range means its native ``gsd_m`` always. ``SegmentOptions.gsd_m``
overrides this policy (see :mod:`.run`); :func:`.raster_io.plan_grid` then lays the grid.
"""

from __future__ import annotations

from typing import Any, Optional

from ..errors import InputError

__all__ = ["MIN_AREA_PIXELS", "working_gsd", "default_min_area_m2"]

#: ``min_area_m2=None`` removes objects smaller than this many working pixels (a 4 x 4 speck)
MIN_AREA_PIXELS = 16


def working_gsd(model: Any, source_gsd: Optional[float]) -> float:
    """The raster's GSD clamped to the range the model serves (its native GSD if no range)."""
    card = getattr(model, "card", {}) or {}
    native = card.get("gsd_m") or model.config.gsd_m
    if not native:
        raise InputError("the model card states no GSD; pass gsd_m explicitly")
    lo, hi = card.get("gsd_range_m") or model.config.gsd_range_m or (native, native)
    if source_gsd is None:
        return float(native)
    return float(min(max(source_gsd, lo), hi))


def default_min_area_m2(gsd_m: float) -> float:
    """The area of :data:`MIN_AREA_PIXELS` working pixels, e.g. 0.36 m2 at 0.15 m."""
    return MIN_AREA_PIXELS * gsd_m * gsd_m
