"""OpenAerialMap drone tiles of four more places + OSM buildings -> referring triplets.

Same tile layout and georeference as Kampala (``OAM-{x}-{y}-{z}.png``, Web-Mercator), so
the mosaic, burn and crop code of :mod:`.kampala` is reused. What differs is the split and
the effective resolution:

* **Split by area inside each place**, never by tile: the westmost fifth of each place's z21
  columns is validation, the next column a gap, the rest training. A coarser tile is kept
  only when it lies wholly on one side (the same ground exists at z19, z20 and z21).
* **Effective GSD** (the source's PROVENANCE.md): Kathmandu is sharp at ~0.07 m, Zanzibar and
  the Philippines soft at ~0.11 m, Nairobi upsampled to ~0.3 m. Crops are never drawn finer
  than a place's effective GSD; Nairobi uses only its z19 tiles.

Only buildings are labelled (roads, cars and trees are visible but not), so no expression
about anything else is generated, and no "absent" negative either: Zanzibar is coastal.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Dict, Tuple

from .common import DatasetWriter
from .kampala import (CATEGORIES, burn_buildings, crops_of_mosaic, gsd_of_zoom, mosaic,
                      read_tiles, split_by_columns)

__all__ = ["PLACES", "LICENCE", "split_columns", "build_more_buildings"]

# place -> (effective GSD in metres, zooms used, centre latitude for the Mercator scale)
PLACES: Dict[str, Tuple[float, Tuple[int, ...], float]] = {
    "zanzibar": (0.11, (19, 20, 21), -6.05),
    "kathmandu": (0.07, (19, 20, 21), 27.62),
    "philippines": (0.11, (19, 20, 21), 13.97),
    "nairobi": (0.30, (19,), -1.31),
}
VAL_FRACTION = 0.2
CROPS_PER_Z21_TILE = {"train": 0.35, "val": 0.12}
LICENCE = ("Imagery: OpenAerialMap contributors (CC BY 4.0); building footprints: "
           "(c) OpenStreetMap contributors (ODbL 1.0); via hotosm/fAIr-utilities ramp training "
           "data (areas 1, 3, 4, 5)")


def split_columns(z21_columns: Tuple[int, int]) -> Tuple[int, int]:
    """(last val column, first train column) at z21 for a place spanning ``z21_columns``."""
    lo, hi = z21_columns
    last_val = lo + max(1, int(round((hi - lo + 1) * VAL_FRACTION))) - 1
    return last_val, last_val + 2  # one z21 column of gap


def _z21_span(tiles: Dict[int, Dict[Tuple[int, int], Path]]) -> Tuple[int, int]:
    z, by_xy = max(tiles.items())
    f = 2 ** (21 - z)
    xs = [x for x, _ in by_xy]
    return min(xs) * f, (max(xs) + 1) * f - 1


def build_more_buildings(src: Path, out: Path, size: int = 192, seed: int = 0
                         ) -> Dict[str, object]:
    """``more-buildings/`` -> one RefSegRS-format folder over the four places."""
    rng = random.Random(seed)
    src = Path(src)
    rules = {}
    writer = DatasetWriter(out, size, {
        "name": "more-buildings", "source": "hotosm/fAIr-utilities ramp TRAIN/HOTOSM/2 areas "
                                            "1, 3, 4, 5", "licence": LICENCE, "gsd_m": 0.15,
        "effective_gsd_m": {p: v[0] for p, v in PLACES.items()}}, CATEGORIES)
    for place, (eff_gsd, zooms, lat) in PLACES.items():
        folder = src / place
        if not (folder / "tiles").is_dir():
            continue
        tiles = read_tiles(folder / "tiles")
        last_val, first_train = split_columns(_z21_span(tiles))
        rules[place] = f"val: z21 columns <= {last_val}; train: >= {first_train}"
        n21 = len(tiles.get(21, {})) or len(tiles.get(max(tiles), {})) * 4 ** (21 - max(tiles))
        for z in zooms:
            if z not in tiles:
                continue
            # finer zooms hold the same ground: crops are shared out by pixel area
            share = {21: 0.7, 20: 0.22, 19: 0.08}[z] if len(zooms) == 3 else 1.0
            for split in ("train", "val"):
                part = {k: p for k, p in tiles[z].items()
                        if split_by_columns(k[0], z, last_val, first_train) == split}
                n = int(round(n21 * CROPS_PER_Z21_TILE[split] * share))
                if not part or n == 0:
                    continue
                rgb, valid, tr = mosaic(part, z)
                ids = burn_buildings(folder / "labels.geojson", valid.shape, tr)
                zgsd = gsd_of_zoom(z, lat)
                for crop in crops_of_mosaic(rgb, valid, ids, zgsd, size, n, rng,
                                            finest_gsd=max(eff_gsd, zgsd)):
                    writer.add(crop, split, f"{place}-z{z}")
    writer.meta["split_rule"] = rules
    return writer.close()
