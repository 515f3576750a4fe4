"""What counts as the anchor of "on" and "next to", measured on real labels (no model).

    python -m rrsis.training.sources.anchors_eval --data-root ../shared/data

The Dubai land-cover masks (about 1 m) label roads and buildings as polygons; a block ringed
by roads is a hole in the road's polygon. For "buildings on the road" and "buildings next to
the road" the tool counts the buildings selected, with the grounding's own tests and
distances, under three anchors: the road with every hole filled (the rule before
2026-12-02), the road as labelled, and the road with the buildings that hide part of it
(:func:`rrsis.grounding.relations.occluders`, the rule now). docs/grounding.md ("Relations,
in ground metres") quotes it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np

from ...errors import run_tool
from ...grounding import relations as rel
from ...grounding.lexicon import next_to_distance_m

MIN_AREA_PX = 4   # specks of the colour-coded masks' edges


def _polygons(mask: np.ndarray) -> List:
    from rasterio import features
    from shapely.geometry import shape

    shapes = features.shapes(mask.astype(np.uint8), mask=mask)
    return [g for g in (shape(s) for s, _ in shapes) if g.area >= MIN_AREA_PX]


def _every_hole_filled(anchors: List) -> List:
    from shapely.geometry import Polygon

    return [Polygon(p.exterior) for a in anchors for p in getattr(a, "geoms", [a])]


def count(data_root: Path) -> Dict[str, int]:
    """Buildings on / next to the road on every Dubai mask, under both rules."""
    from PIL import Image
    from shapely.ops import unary_union

    from .dubai import decode_mask

    d = next_to_distance_m("building", "road")
    out = {"masks": 0, "buildings": 0}
    for path in sorted((data_root / "dubai-landcover").glob("tile-*/masks/*.png")):
        classes = decode_mask(np.asarray(Image.open(path).convert("RGB")))
        roads, buildings = _polygons(classes["road"]), _polygons(classes["building"])
        out["masks"] += 1
        out["buildings"] += len(buildings)
        if not roads:
            continue
        for rule, anchor in (("every_hole", _every_hole_filled(roads)),
                             ("as_labelled", roads),
                             ("occluders", roads + rel.occluders(roads, buildings))):
            road = unary_union(anchor)
            for kind in ("on", "next_to"):
                key = f"{kind}_{rule}"
                out[key] = out.get(key, 0) + sum(rel.TESTS[kind](b, road, d) for b in buildings)
    return out


def main(argv: List[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data-root", default="../shared/data", help="the shared data folder")
    args = p.parse_args(argv)

    def body() -> int:
        c = count(Path(args.data_root))
        print(f"{c['masks']} Dubai masks, {c['buildings']} buildings (label polygons)")
        for rule, words in (("every_hole", "the road with every hole filled (before)"),
                            ("as_labelled", "the road as labelled"),
                            ("occluders", "the road and the buildings hiding it (now)")):
            print(f"  {words}: on the road {c.get('on_' + rule, 0)}, "
                  f"next to the road {c.get('next_to_' + rule, 0)}")
        return 0

    return run_tool(body, "anchors_eval")


if __name__ == "__main__":
    sys.exit(main())
