"""Adapters from the raw labelled sources in ``shared/data`` to RefSegRS-format folders.

Each adapter documents its labels (weak or exact), its GSD and its split rule (by
sequence, tile, site, city or area, never by frame). :func:`build_all` writes the folders
that the ``lgce-lite`` recipe trains on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Sequence

__all__ = ["SOURCES", "SOURCE_DIRS", "build_all", "dataset_folders"]

SOURCES = ("cars", "kampala", "dubai", "more_buildings", "neon_trees", "urban_trees")
# source -> folder under shared/data
SOURCE_DIRS = {"cars": "aerial-cars", "kampala": "kampala-buildings", "dubai": "dubai-landcover",
               "more_buildings": "more-buildings", "neon_trees": "neon-trees",
               "urban_trees": "urban-trees"}


def build_all(data_root: Path, out_root: Path, size: int = 192, seed: int = 0,
              only: Sequence[str] = SOURCES) -> Dict[str, Dict[str, object]]:
    """``shared/data`` -> ``out_root/<source>`` for each source; returns each dataset.json."""
    from .cars import build_cars
    from .dubai import build_dubai
    from .kampala import build_kampala
    from .more_buildings import build_more_buildings
    from .neon_trees import build_neon_trees
    from .urban_trees import build_urban_trees

    builders = {"cars": build_cars, "kampala": build_kampala, "dubai": build_dubai,
                "more_buildings": build_more_buildings, "neon_trees": build_neon_trees,
                "urban_trees": build_urban_trees}
    data_root, out_root = Path(data_root), Path(out_root)
    return {name: builders[name](data_root / SOURCE_DIRS[name], out_root / name, size,
                                 seed=seed) for name in only}


def dataset_folders(out_root: Path) -> List[Path]:
    return [Path(out_root) / s for s in SOURCES]
