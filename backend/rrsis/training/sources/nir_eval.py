"""Trees on the urban-trees NAIP crops through the engine, with and without near infrared.

    python -m rrsis.training.sources.nir_eval --data-root ../shared/data [--split val]
        [--model lgce-lite] [--threshold 0.25 0.3 ...]

Each 4-band crop (R, G, B, NIR at 0.6 m) is segmented whole with "trees" by
:func:`rrsis.engine.run.segment` twice: with the NIR band gating the vegetation phrases
(:mod:`rrsis.engine.nir`, band 4 found by itself) and with ``nir_band 0``. The polygons are
rasterised on the crop's grid against the crowns the training source derives from the tree
points (:func:`.urban_trees.crown_mask`); oIoU sums intersections and unions over the crops.
``--threshold`` also scores other NDVI gates (``NDVI_VEGETATION`` patched for the run): how
it was chosen, on the training cities (``--split train``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from ...errors import InputError, run_tool
from ...paths import scratch_folder

__all__ = ["trees_oiou", "main"]


def trees_oiou(root: Path, cities: Sequence[str], model: Optional[str] = None,
               thresholds: Sequence[float] = ()) -> Dict[str, float]:
    """{"rgb": oIoU with nir_band 0, "nir": with the gate, "nir>T": at each threshold T}."""
    import pyogrio.raw
    import rasterio
    import shapely
    from rasterio.features import rasterize

    from ...engine import nir
    from ...engine.model_cache import ModelCache
    from ...engine.run import SegmentOptions, segment
    from .urban_trees import _points, crown_mask

    tifs = sorted(p for c in cities for p in (root / "images").glob(f"{c}_2020_*.tif"))
    if not tifs:
        raise InputError(f"no crop of {', '.join(cities)} in {root / 'images'}")
    runs = {"rgb": (0, nir.NDVI_VEGETATION), "nir": (None, nir.NDVI_VEGETATION),
            **{f"nir>{t:g}": (None, t) for t in thresholds}}
    sums = {k: np.zeros(2) for k in runs}
    cache, default = ModelCache(), nir.NDVI_VEGETATION
    with scratch_folder("nir-eval") as tmp:
        out = str(Path(tmp) / "trees.gpkg")
        for tif in tifs:
            with rasterio.open(tif) as src:
                rgbn = src.read([1, 2, 3, 4]).transpose(1, 2, 0)
                transform, shape = src.transform, (src.height, src.width)
            truth = crown_mask(rgbn, _points(root / "csv" / f"{tif.stem}.csv"))
            for key, (band, threshold) in runs.items():
                nir.NDVI_VEGETATION = threshold
                try:
                    r = segment(SegmentOptions(raster=str(tif), expressions=["trees"],
                                               output=out, overwrite=True, model=model,
                                               device="cpu", nir_band=band), models=cache)
                finally:
                    nir.NDVI_VEGETATION = default
                pred = np.zeros(shape, bool)
                if sum(r.feature_counts.values()):
                    _, _, wkb, _ = pyogrio.raw.read(out, layer=r.layer)
                    pred = rasterize([(g, 1) for g in shapely.from_wkb(wkb)], out_shape=shape,
                                     transform=transform).astype(bool)
                sums[key] += ((pred & truth).sum(), (pred | truth).sum())
    return {k: round(float(i / u), 4) if u else 0.0 for k, (i, u) in sums.items()}


def main(argv: Optional[List[str]] = None) -> int:
    from .urban_trees import VAL_CITIES

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data-root", required=True, help="the shared data folder")
    p.add_argument("--split", choices=("train", "val"), default="val")
    p.add_argument("--model", default=None, help="model name or path (default: lgce-lite)")
    p.add_argument("--threshold", type=float, nargs="*", default=[],
                   help="other NDVI gates to score")
    args = p.parse_args(argv)

    def body() -> int:
        root = Path(args.data_root) / "urban-trees"
        every = {t.stem.split("_2020_")[0] for t in (root / "images").glob("*_2020_*.tif")}
        cities = sorted(VAL_CITIES if args.split == "val" else every - set(VAL_CITIES))
        scores = trees_oiou(root, cities, args.model, args.threshold)
        print(json.dumps({"split": args.split, "cities": list(cities), "oIoU": scores},
                         indent=2))
        return 0

    return run_tool(body)


if __name__ == "__main__":
    sys.exit(main())
