"""Adapters from the raw labelled sources in ``shared/data`` to RefSegRS-format folders.

Each adapter documents its labels (weak or exact), its GSD and its split rule (by
sequence, tile or area, never by frame). :func:`build_all` writes the three folders
that the ``lgce-lite`` recipe trains on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

__all__ = ["SOURCES", "build_all"]

SOURCES = ("cars", "kampala", "dubai")


def build_all(data_root: Path, out_root: Path, size: int = 192, seed: int = 0
              ) -> Dict[str, Dict[str, object]]:
    """``shared/data`` -> ``out_root/{cars,kampala,dubai}``; returns each folder's dataset.json."""
    from .cars import build_cars
    from .dubai import build_dubai
    from .kampala import build_kampala

    data_root, out_root = Path(data_root), Path(out_root)
    return {
        "cars": build_cars(data_root / "aerial-cars", out_root / "cars", size, seed=seed),
        "kampala": build_kampala(data_root / "kampala-buildings", out_root / "kampala", size,
                                 seed=seed),
        "dubai": build_dubai(data_root / "dubai-landcover", out_root / "dubai", size, seed=seed),
    }


def dataset_folders(out_root: Path) -> List[Path]:
    return [Path(out_root) / s for s in SOURCES]
