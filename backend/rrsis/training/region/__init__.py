"""An analyst's own region -> a training dataset prepared exactly like the engine serves it.

:mod:`.labels` reads polygons, lines (with a width) and points (with a radius);
:mod:`.build` cuts the area into spatial parts and tiles through the engine's raster code;
:mod:`.holdout` measures a model on the held-out part through ``rrsis.engine.run.segment``.
"""

from .build import build_region_dataset
from .labels import read_region_labels

__all__ = ["build_region_dataset", "read_region_labels"]
