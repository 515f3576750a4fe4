"""Raster engine: windowed reads, GSD matching, tiling, batched inference, vectorisation.

The public call is :func:`rrsis.engine.run.segment` (and ``estimate``), re-exported
here lazily so that ``import rrsis.engine`` stays cheap (torch loads on first use).

>>> from rrsis.engine import SegmentOptions, segment      # doctest: +SKIP
>>> segment(SegmentOptions("ortho.tif", ["vehicles along the road"], output="cars.gpkg"))
"""

from __future__ import annotations

from typing import Any

__all__ = ["SegmentOptions", "Progress", "SegmentResult", "EstimateResult", "ModelCache",
           "segment", "estimate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
