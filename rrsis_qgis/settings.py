"""Every plugin setting in one table of keys and defaults over ``QgsSettings`` (prefix ``rrsis/``).

Settings follow the QGIS profile. Nothing here is stored inside the plugin folder, which
plugin upgrades wipe.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from qgis.core import QgsSettings

from ._protocol import SEGMENT_PARAMS
from .params import MIN_AREA_DEFAULT

PREFIX = "rrsis/"

#: The minimum area the dock starts with: the backend's default (16 working pixels, at least
#: 1 m²), which a negative setting means (null on the wire); 0 keeps every object.
DEFAULT_MIN_AREA_M2 = MIN_AREA_DEFAULT
#: Probability threshold offered by the dock and Processing: the engine's open (0, 1)
#: moved in by one form step, from the protocol table.
THRESHOLD_RANGE = SEGMENT_PARAMS["threshold"].form_range()

# key -> default; the type of the default is the type read back
DEFAULTS: Dict[str, Any] = {
    # interpreter of the backend venv; empty: env RRSIS_BACKEND_PYTHON, then the installer's venv
    "backend_python": "",
    "model_dir": "",           # extra model folder (passed to the backend as RRSIS_MODEL_DIR)
    "default_model": "",       # empty: the backend's default model
    "device": SEGMENT_PARAMS["device"].default,    # auto | cpu | cuda
    "runtime": SEGMENT_PARAMS["runtime"].default,  # sent to the backend only when not auto
    "threads": 0,              # 0: let the backend decide
    "log_level": "INFO",       # DEBUG | INFO | WARNING
    "threshold": float(SEGMENT_PARAMS["threshold"].default),
    "min_area_m2": DEFAULT_MIN_AREA_M2,  # 0: keep every object; below 0: the default
    "gsd_m": 0.0,              # working GSD; 0: the engine's policy
    "overlap": float(SEGMENT_PARAMS["overlap"].default),  # tile overlap, share of a tile
    "pixel_size_m": 0.0,       # ground size of the pixels of a raster without a CRS; 0: unknown
    "regularize": bool(SEGMENT_PARAMS["regularize"].default),  # right-angle outlines
    "flip_average": bool(SEGMENT_PARAMS["flip_average"].default),  # test-time flips
    "rivals": bool(SEGMENT_PARAMS["rivals"].default),  # rival categories settle objects
    "stretch": SEGMENT_PARAMS["stretch"].default,  # auto: a tuned model's own stretch
    "nir": True,               # trees/vegetation kept to what is green in near infrared
    "probability": False,      # also add the probability raster
    "output_dir": "",          # empty: <profile>/rrsis/results
    "history": "[]",           # JSON list of recent expressions, newest first
    "dock_visible": True,      # the dock as the user left it (open at the first start)
}

DEVICES = ("auto", "cpu", "cuda")
RUNTIMES = SEGMENT_PARAMS["runtime"].choices
LOG_LEVELS = ("DEBUG", "INFO", "WARNING")
HISTORY_SIZE = 20


def get(key: str) -> Any:
    """The stored value of ``key`` with the type of its default."""
    default = DEFAULTS[key]
    value = QgsSettings().value(PREFIX + key, default)
    if isinstance(default, bool):
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
    if isinstance(default, int):
        try:
            return int(value)
        except (TypeError, ValueError):
            return default
    if isinstance(default, float):
        try:
            return float(value)
        except (TypeError, ValueError):
            return default
    return "" if value is None else str(value)


def set(key: str, value: Any) -> None:  # noqa: A001 (module-level API: settings.set)
    if key not in DEFAULTS:
        raise KeyError(key)
    QgsSettings().setValue(PREFIX + key, value)


def history() -> List[str]:
    """Recent expressions, newest first."""
    try:
        items = json.loads(get("history"))
    except ValueError:
        return []
    return [str(i) for i in items if isinstance(i, str) and i.strip()][:HISTORY_SIZE]


def remember_expression(expression: str) -> List[str]:
    """Put ``expression`` first in the history (no duplicates) and persist it."""
    expression = expression.strip()
    items = [e for e in history() if e != expression]
    if expression:
        items.insert(0, expression)
    items = items[:HISTORY_SIZE]
    set("history", json.dumps(items))
    return items
