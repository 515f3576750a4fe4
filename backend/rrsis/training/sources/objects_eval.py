"""Objects, not pixels: how many labelled objects the engine's polygons find one by one.

    python -m rrsis.training.sources.objects_eval \
        --model resources/models/lgce-lite.safetensors --datasets runs/data --out objects.json \
        [--group vehicle]

Pixel IoU does not see two touching houses vectorised as one blob; counting, ranking ("the
largest building") and relations work on objects, so this measures them. Every triplet of
the group's plain nouns in the validation split of its sources (buildings: "buildings",
"houses", "roofs", ... of the OpenAerialMap places; vehicles: "vehicles" of the street
scenes, whose ellipse masks rarely touch) is segmented as the engine serves it (the model at
the crop's recorded GSD, the group's operating point, the engine's vectoriser at probability
0.5 with its default minimum area), once as whole connected objects and once with touching
objects split among their cores under each rule tried (:mod:`rrsis.engine.split`). A
labelled object is a 4-connected component of the label mask of the group's least area
(touching footprints count as one); it is *found* by a polygon with IoU >= 0.5. Reported per
rule: polygons, found, labelled, precision (found / polygons), recall (found / labelled), F1.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

import numpy as np

from ...engine.gsd import default_min_area_m2
from ...engine.split import CORE_RULES, CoreRule
from ...errors import run_tool
from ...paths import write_text_atomic
from ...scores import object_matches
from ..tool_args import markdown_table, measuring_parser

__all__ = ["measure", "main"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupData:
    """Where a lexicon group's objects are labelled one by one, how it is asked, and the
    core rules tried beside the engine's ((core probability, least core area in m2), ...)."""

    sources: Tuple[str, ...]
    phrase: str
    words: FrozenSet[str]
    min_label_m2: float
    tried: Tuple[Tuple[float, float], ...]


GROUPS: Dict[str, GroupData] = {
    "building": GroupData(("kampala", "more_buildings"), "buildings", frozenset({
        "building", "buildings", "house", "houses", "roof", "roofs", "the buildings",
        "all buildings"}), 4.0,
        ((0.8, 10.0), (0.85, 10.0), (0.9, 10.0), (0.9, 20.0), (0.95, 4.0), (0.95, 10.0))),
    # ellipses drawn in the boxes of every vehicle: neighbours rarely touch, so a component
    # is one vehicle; a car is 7-10 m2 from above, so cores of a square metre or two
    "vehicle": GroupData(("cars",), "vehicles", frozenset({"vehicle", "vehicles",
                                                           "all vehicles"}), 1.0,
                         ((0.7, 1.0), (0.8, 0.5), (0.8, 1.0), (0.8, 2.0), (0.9, 1.0),
                          (0.95, 1.0))),
}


def _labelled(mask: np.ndarray, transform: Any, min_m2: float) -> List[Any]:
    import shapely
    from rasterio.features import shapes

    polys = [shapely.geometry.shape(g) for g, _ in
             shapes(mask.astype(np.uint8), mask=mask, connectivity=4, transform=transform)]
    return [g for g in polys if g.area >= min_m2]


def measure(model: Any, datasets: Path, rules: Dict[str, Optional[CoreRule]],
            split: str = "val", limit: Optional[int] = None, group: str = "building"
            ) -> Dict[str, Dict[str, float]]:
    """name -> {polygons, found, labelled, precision, recall, F1} for each rule (None: whole
    connected objects); ``limit``: the first crops only (a quick check)."""
    from ...engine.tiling import sigmoid
    from ...engine.vectorize import StripVectorizer
    from .relations_eval import CropSegmenter, split_samples

    data = GROUPS[group]
    samples = [s for s, _ in split_samples(datasets, lambda e: e in data.words, split,
                                           data.sources)[0]]
    samples = samples[:limit] if limit is not None else samples
    segmenter = CropSegmenter(model, [data.phrase], {data.phrase: [group]})
    counts = {name: [0, 0, 0] for name in rules}     # polygons, found, labelled
    for k, s in enumerate(samples):
        view = next(segmenter.views([s]))
        diff, gsd = view.logits[data.phrase]
        prob = sigmoid(diff)
        truth = _labelled(view.gt, view.transform, data.min_label_m2)
        for name, rule in rules.items():
            vec = StripVectorizer(0.5, rule)
            vec.add(0, prob, np.ones(prob.shape, bool))
            pred = [o.geometry for o in vec.objects(view.transform, 1.0,
                                                    default_min_area_m2(gsd))]
            c = counts[name]
            c[0] += len(pred)
            c[1] += object_matches(truth, pred)["objects_found_iou50"]
            c[2] += len(truth)
        if (k + 1) % 50 == 0:
            log.info("objects: %d/%d crops", k + 1, len(samples))
    out: Dict[str, Dict[str, float]] = {}
    for name, (polygons, found, labelled) in counts.items():
        p, r = found / max(polygons, 1), found / max(labelled, 1)
        out[name] = {"polygons": polygons, "found": found, "labelled": labelled,
                     "precision": round(p, 4), "recall": round(r, 4),
                     "F1": round(2 * p * r / (p + r), 4) if p + r else 0.0}
    return out


def main(argv: Optional[List[str]] = None) -> int:
    p = measuring_parser(__doc__)
    p.add_argument("--split", default="val")
    p.add_argument("--group", default="building", choices=sorted(GROUPS),
                   help="whose objects: buildings (OpenAerialMap) or vehicles (street scenes)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    import torch

    torch.set_num_threads(args.threads)

    def body() -> int:
        from ...models.catalog import find_model
        from ...models.checkpoint import load_checkpoint

        model = load_checkpoint(find_model(str(args.model)), "cpu")
        shipped = CORE_RULES.get(args.group)
        rules: Dict[str, Optional[CoreRule]] = {"whole objects": None}
        tried = tuple(CoreRule(*t) for t in GROUPS[args.group].tried)
        for rule in ((shipped,) if shipped else ()) + tried:
            name = f"cores >= {rule.probability:g}, >= {rule.min_core_m2:g} m2"
            rules.setdefault(name + (" (the engine's)" if rule == shipped else ""), rule)
        report = measure(model, Path(args.datasets), rules, args.split, group=args.group)
        write_text_atomic(Path(args.out), json.dumps(report, indent=2) + "\n")
        print("\n".join(markdown_table(
            ["objects", "polygons", "found (IoU >= 0.5)", "labelled", "precision", "recall",
             "F1"],
            ([name, r["polygons"], r["found"], r["labelled"], f"{r['precision']:.3f}",
              f"{r['recall']:.3f}", f"{r['F1']:.3f}"] for name, r in report.items()))))
        print(f"wrote {args.out}", file=sys.stderr)
        return 0

    return run_tool(body, "objects_eval")


if __name__ == "__main__":
    raise SystemExit(main())
