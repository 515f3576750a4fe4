"""Option values that would give silently wrong results or absurd resources: refused early.

Why a module of its own: the same bounds hold for the CLI, the server and the library
call, and each refusal names the limit, so the user sees what to change.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Optional, Sequence

from ..errors import InputError
from ..protocol import MAX_EXPRESSIONS, SEGMENT_PARAMS

__all__ = ["MAX_THREADS", "GSD_RANGE_M", "MAX_UPSAMPLING", "check_option_values",
           "check_upsampling", "check_text", "check_expressions"]

MAX_THREADS = int(SEGMENT_PARAMS["threads"].maximum or 0)
#: working GSDs outside this range (1 mm .. 10 km) are typos, not imagery
GSD_RANGE_M = (float(SEGMENT_PARAMS["gsd_m"].minimum or 0),
               float(SEGMENT_PARAMS["gsd_m"].maximum or 0))
#: the model card's GSD may enlarge the raster at most this much unless gsd_m is explicit
MAX_UPSAMPLING = 8.0


def check_text(what: str, text: str) -> None:
    """Refuse control characters: GDAL and SQLite cut a string at NUL, the result would lie."""
    bad = sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cc"})
    if bad:
        raise InputError(f"{what} {text!r} contains control characters ({', '.join(bad)}); "
                         "use plain text")


def check_expressions(expressions: Sequence[str]) -> None:
    """At most :data:`~rrsis.protocol.MAX_EXPRESSIONS`, none with control characters: what a
    segment and an explain request refuse alike, from any face."""
    if len(expressions) > MAX_EXPRESSIONS:
        raise InputError(f"{len(expressions)} expressions: at most {MAX_EXPRESSIONS} in one "
                         "run (each is read and segmented apart); split them into runs")
    for expression in expressions:
        check_text("the expression", expression)


def check_option_values(expressions: Sequence[str], layer: str, threads: Optional[int],
                        gsd_m: Optional[float]) -> None:
    check_expressions(expressions)
    if not isinstance(layer, str) or not layer.strip():
        raise InputError("the layer name is empty")
    check_text("the layer name", layer)
    if threads is not None and not (isinstance(threads, int) and 0 <= threads <= MAX_THREADS):
        raise InputError(f"threads must be between 1 and {MAX_THREADS} (0 or null: torch's "
                         f"default), got {threads}")
    if gsd_m is not None:
        lo, hi = GSD_RANGE_M
        try:
            value = float(gsd_m)
        except (TypeError, ValueError, OverflowError):
            raise InputError(f"the GSD must be a number of metres, got {gsd_m!r}") from None
        if not math.isfinite(value) or value <= 0:
            raise InputError(f"the GSD must be a positive number of metres, got {gsd_m!r} "
                             "(leave it out for the model's default)")
        if not lo <= value <= hi:
            raise InputError(f"the GSD must be between {lo:g} and {hi:g} m, got {gsd_m!r}")


def check_upsampling(source_gsd: Optional[float], working_gsd: float) -> None:
    """Refuse a default working GSD far finer than the raster's: the model would see blur."""
    if not source_gsd or source_gsd / working_gsd <= MAX_UPSAMPLING:
        return
    factor = source_gsd / working_gsd
    raise InputError(
        f"the raster's GSD is {source_gsd:.3g} m but the model works at {working_gsd:.3g} m: "
        f"{factor:.0f}x upsampling (more than {MAX_UPSAMPLING:g}x), objects would not be "
        f"recognisable. Pass the GSD explicitly (--gsd {working_gsd:.3g} / gsd_m) to run anyway")
