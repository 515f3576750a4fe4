"""The options of a segment (or estimate) run, defined by the protocol's parameter table.

Why a module of its own: :data:`rrsis.protocol.SEGMENT_PARAMS` is the one definition of
every parameter (default, range, choices); here it becomes the engine's typed
:class:`SegmentOptions`, the wire params -> options mapping, and the range checks, so that
the engine, the server, the CLI and the plugin cannot disagree.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from ..errors import InputError
from ..protocol import SEGMENT_PARAMS
from .checks import check_option_values

__all__ = ["SegmentOptions", "check_options", "options_from_params", "PARAM_DEFAULTS"]

#: name -> default of every parameter that has one (the protocol table's ``default``)
PARAM_DEFAULTS: Dict[str, Any] = {name: f.default for name, f in SEGMENT_PARAMS.items()}


def _default(name: str) -> Any:
    return PARAM_DEFAULTS[name]


@dataclass
class SegmentOptions:
    """One run: the fields of :data:`~rrsis.protocol.SEGMENT_PARAMS`, same names, same order,
    same defaults (a test holds them equal); ``min_area_m2=None`` is the default (16 pixels,
    >= 1 m2), ``0`` keeps every object."""

    raster: str
    expressions: List[str]
    output: Optional[str] = _default("output")
    layer: str = _default("layer")
    extent: Optional[Tuple[float, float, float, float]] = _default("extent")
    extent_crs: Optional[str] = _default("extent_crs")
    model: Optional[str] = _default("model")
    device: str = _default("device")
    threads: Optional[int] = _default("threads")
    precision: str = _default("precision")
    threshold: float = _default("threshold")
    min_area_m2: Optional[float] = _default("min_area_m2")
    simplify_m: float = _default("simplify_m")
    bands: Optional[Tuple[int, int, int]] = _default("bands")
    nir_band: Optional[int] = _default("nir_band")  # see rrsis.engine.nir
    gsd_m: Optional[float] = _default("gsd_m")
    probability: Optional[str] = _default("probability")
    probability_dtype: str = _default("probability_dtype")
    mask: Optional[str] = _default("mask")
    batch_size: int = _default("batch_size")
    overlap: float = _default("overlap")
    pixel_coordinates: bool = _default("pixel_coordinates")
    pixel_size_m: Optional[float] = _default("pixel_size_m")  # see rrsis.engine.grid
    pixel_y: str = _default("pixel_y")   # see rrsis.engine.raster_io.open_info
    overwrite: bool = _default("overwrite")
    grounding: str = _default("grounding")  # see rrsis.grounding.engine
    stretch: str = _default("stretch")  # see rrsis.engine.raster_io.Stretch.from_card
    rivals: bool = _default("rivals")  # see rrsis.grounding.rivals
    regularize: bool = _default("regularize")
    flip_average: bool = _default("flip_average")  # see rrsis.engine.runtime.logit_difference
    runtime: str = _default("runtime")  # see rrsis.engine.runtime
    presence_check: bool = _default("presence_check")  # see rrsis.engine.presence


#: checked with their own wording elsewhere (check_option_values, device.resolve_device)
_CHECKED_ELSEWHERE = ("threads", "gsd_m", "precision")


def check_options(options: SegmentOptions) -> List[str]:
    """Refuse values outside the table's ranges and choices; the stripped expressions."""
    exprs = [options.expressions] if isinstance(options.expressions, str) \
        else list(options.expressions or [])
    if not exprs:
        raise InputError("no expression given")
    for e in exprs:
        if not isinstance(e, str) or not e.strip():
            raise InputError("the expression is empty")
    check_option_values(exprs, options.layer, options.threads, options.gsd_m)
    for name, fld in SEGMENT_PARAMS.items():
        if name in _CHECKED_ELSEWHERE:
            continue
        value = getattr(options, name)
        if fld.kind in ("number", "int") and value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float))):
            raise InputError(f"{name} must be a number, got {value!r}")
        problem = fld.out_of_range(value)
        if problem:
            raise InputError(f"{name} {problem}")
    return [e.strip() for e in exprs]


def options_from_params(params: Dict[str, Any]) -> SegmentOptions:
    """Wire params -> ``SegmentOptions`` (extent and bands as tuples; an absent parameter
    takes the table's default; null is the engine's default where the table allows it)."""
    known = {f.name for f in dataclasses.fields(SegmentOptions)}
    kwargs: Dict[str, Any] = {}
    for name, value in params.items():
        if name not in known:
            if value is None:
                continue
            raise InputError(f"this backend does not support the option {name!r}")
        if name == "extent" and value is not None:
            value = tuple(float(v) for v in value)
        if name == "bands" and value is not None:
            value = tuple(value)
        kwargs[name] = value
    return SegmentOptions(**kwargs)
