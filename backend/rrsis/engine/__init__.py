"""Raster engine: windowed reads, GSD matching, tiling, batched inference, vectorisation.

The public call is :func:`rrsis.engine.run.segment` (and
:func:`rrsis.engine.estimation.estimate`), re-exported here lazily so that ``import
rrsis.engine`` stays cheap (torch loads on first use). One module per responsibility:
``run`` (the segment loop), ``estimation``, ``model_cache``, ``gsd`` (GSD policy),
``grid`` (the working grid), ``raster_io`` (open, check, windowed reads), ``tiling``
(tiles and the blender), ``vectorize``, ``regularize``, ``output``, ``runtime`` (torch
or ONNX Runtime), ``onnx_predictor``, ``checks`` and ``probes`` (memory of this process).

>>> from rrsis.engine import SegmentOptions, segment      # doctest: +SKIP
>>> segment(SegmentOptions("ortho.tif", ["vehicles along the road"], output="cars.gpkg"))
"""

from __future__ import annotations

from typing import Any

__all__ = ["SegmentOptions", "Progress", "SegmentResult", "EstimateResult", "ModelCache",
           "segment", "estimate"]


#: public name -> the module that defines it
_HOME = {"SegmentOptions": "run", "Progress": "run", "SegmentResult": "run",
         "EstimateResult": "run", "segment": "run", "ModelCache": "model_cache",
         "estimate": "estimation"}


def __getattr__(name: str) -> Any:
    if name in __all__:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
