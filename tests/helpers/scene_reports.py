"""Shared by the tests of choices made on whole-scene reports (tests/training/sources:
choose_points, choose_tiles): a scenes_eval report written by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Tuple

Scenes = Dict[Tuple[str, str], str]   # (source, scene) -> its one expression


def scene_report(path: Path, scenes: Scenes, field: str, value: Any,
                 iou: Dict[str, Tuple[int, int]], gsd_m: float = 1.0) -> Path:
    """A scenes_eval report served with ``field`` = ``value`` (None: as the card serves):
    each scene's one expression with (intersection, union) from ``iou`` by scene name."""
    rows = [{"source": src, "scene": name, "native_gsd_m": gsd_m, "gsd_m": gsd_m,
             "expressions": {expr: {"intersection": iou[name][0], "union": iou[name][1],
                                    "labelled": 1, "polygons": 1}},
             "absent": {}} for (src, name), expr in scenes.items()]
    path.write_text(json.dumps({"scenes": {"scenes": rows, field: value}}))
    return path
