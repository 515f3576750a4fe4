"""Rival categories on or off, measured on every val triplet they could change.

    python -m rrsis.training.sources.rivals_eval \
        --model resources/models/lgce-lite.safetensors --datasets runs/data --out rivals.json

A triplet counts when its expression is grounded (as ``grounding=auto`` serves it, with the
model card's policy) and one of its plan's categories has rivals
(:data:`rrsis.grounding.rivals.RIVALS`). Each is answered twice by the engine's own code on
the same crop (:class:`~.relations_eval.CropSegmenter`: crop at its recorded GSD,
operating points, vectoriser, :meth:`~rrsis.grounding.engine.GroundedRun.select`), with
``rivals`` off and on, and scored against its mask (oIoU and mIoU, as the paper). Then
"buildings" on the demo sample (resources/samples) through the engine, both ways, as polygon
IoU against its OSM footprints. The report gives both per source, per target group and
overall; docs/grounding.md quotes it.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ...errors import run_tool
from ..tool_args import markdown_table, measuring_parser
from ...grounding.engine import GroundedRun
from ...grounding.lexicon import group_of
from ...grounding.parser import parse
from ...grounding.policy import end_to_end_reason, policy_of
from ...grounding.rivals import rivals_of
from ..metrics import MetricAccumulator
from .relations_eval import (CropSegmenter, RelationalSample, _batches, _write_json,
                             split_samples)

__all__ = ["rival_samples", "measure", "main"]

log = logging.getLogger(__name__)
WAYS = ("without", "with")


def _contested(expression: str, policy: Any) -> Optional[str]:
    """The first target category's group when ``expression`` is grounded under ``auto`` and
    its plan has a category with rivals; else None."""
    plan = parse(expression)
    if plan.mode != "grounded" or end_to_end_reason(plan, policy):
        return None
    if not rivals_of(plan.categories()):
        return None
    return group_of(plan.targets[0].categories[0])


def rival_samples(datasets: Path, policy: Any, split: str = "val",
                  limit: Optional[int] = None) -> List[Tuple[RelationalSample, str]]:
    """(sample, target group) for each triplet of ``split`` rivals could change."""
    return split_samples(datasets, lambda e: _contested(e, policy), split, limit=limit)[0]


def measure(model: Any, samples: Sequence[Tuple[RelationalSample, str]],
            batch_size: int = 8) -> Dict[str, Any]:
    """oIoU/mIoU without and with rivals: overall, per source, per target group."""
    policy = policy_of(getattr(model, "card", None))
    acc: Dict[Tuple[str, str], MetricAccumulator] = {}
    by_expression: Dict[str, List[Tuple[RelationalSample, str]]] = {}
    for s, g in samples:
        by_expression.setdefault(s.expression, []).append((s, g))
    dropped = 0
    for expr, items in by_expression.items():
        runs = {"without": GroundedRun([expr], "auto", policy=policy, rivals=False),
                "with": GroundedRun([expr], "auto", policy=policy, rivals=True)}
        segmenter = CropSegmenter.for_runs(model, list(runs.values()))
        group_of = {s.id: g for s, g in items}
        for batch in _batches([s for s, _ in items], batch_size):
            for s, crop in segmenter.crops(batch):
                for way, run in runs.items():
                    inter, union, report = crop.score(run)
                    if way == "with":
                        dropped += sum(1 for m in report["messages"] if "left out" in m)
                    for key in ("overall", f"source {s.source}", f"group {group_of[s.id]}"):
                        acc.setdefault((key, way), MetricAccumulator()).add_counts(inter, union)
        log.info("rivals: %r done (%d samples)", expr, len(items))
    rows: Dict[str, Dict[str, Any]] = {}
    for key in dict.fromkeys(k for k, _ in acc):
        rows[key] = {"count": len(acc[(key, "with")].inters)}
        for way in WAYS:
            r = acc[(key, way)].result()
            rows[key][way] = {"oIoU": round(r["oIoU"], 4), "mIoU": round(r["mIoU"], 4)}
    return {"rows": rows, "samples_with_objects_left_out": dropped,
            "protocol": "val crops at their recorded GSD; engine vectoriser and "
                        "GroundedRun.select (grounding auto, the card's policy), rivals off "
                        "and on; selected polygons burnt back and scored against the mask"}


def demo_building_iou(model: str, rivals: bool, threads: int = 2) -> Dict[str, Any]:
    """"buildings" on the demo sample through the engine (``segment``, its defaults but
    ``rivals``): polygon IoU, precision and recall against the sample's OSM footprints."""
    import tempfile

    import numpy as np
    import rasterio
    from rasterio import features
    from rasterio.warp import transform_geom

    from ...demo import read_polygons, sample_raster
    from ...engine.run import SegmentOptions, segment

    raster = sample_raster()
    labels = json.loads(raster.with_name("kampala_buildings.geojson").read_text())
    with rasterio.open(raster) as src:
        shape, transform, crs = (src.height, src.width), src.transform, src.crs
    gt = features.rasterize([transform_geom("EPSG:4326", crs, f["geometry"])
                             for f in labels["features"]], out_shape=shape,
                            transform=transform) > 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "buildings.gpkg"
        segment(SegmentOptions(raster=str(raster), expressions=["buildings"], output=str(out),
                               model=model, device="cpu", threads=threads, rivals=rivals))
        geoms = read_polygons(out)
    pred = features.rasterize(geoms, out_shape=shape, transform=transform) > 0 if geoms \
        else np.zeros(shape, bool)
    inter = float((pred & gt).sum())
    return {"polygons": len(geoms), "iou": round(inter / max(1.0, float((pred | gt).sum())), 4),
            "precision": round(inter / max(1.0, float(pred.sum())), 4),
            "recall": round(inter / max(1.0, float(gt.sum())), 4)}


def markdown(report: Dict[str, Any]) -> str:
    lines = markdown_table(
        ["triplets", "n", "without rivals oIoU / mIoU", "with rivals"],
        ([key, r["count"], f"{r['without']['oIoU']:.4f} / {r['without']['mIoU']:.4f}",
          f"{r['with']['oIoU']:.4f} / {r['with']['mIoU']:.4f}"]
         for key, r in report["rows"].items()))
    demo = report.get("demo_buildings")
    if demo:
        lines += [""] + markdown_table(
            ['demo sample, "buildings" against the OSM footprints', "polygons", "IoU",
             "precision", "recall"],
            ([f"{way} rivals", demo[way]["polygons"], f"{demo[way]['iou']:.3f}",
              f"{demo[way]['precision']:.3f}", f"{demo[way]['recall']:.3f}"] for way in WAYS))
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    p = measuring_parser(__doc__)
    p.add_argument("--split", default="val")
    p.add_argument("--limit", type=int, default=None,
                   help="at most this many samples per expression (a quicker, partial measure)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    def body() -> int:
        import torch

        from ...models.catalog import find_model
        from ...models.checkpoint import load_checkpoint

        torch.set_num_threads(args.threads)
        model = load_checkpoint(find_model(args.model), "cpu")
        samples = rival_samples(Path(args.datasets), policy_of(model.card), args.split,
                                args.limit)
        report = measure(model, samples)
        report["demo_buildings"] = {way: demo_building_iou(args.model, way == "with",
                                                           args.threads) for way in WAYS}
        report.update({"model": args.model, "split": args.split, "limit": args.limit,
                       "weights_sha256": (model.card or {}).get("weights_sha256")})
        _write_json(Path(args.out), report)
        print(markdown(report))
        return 0

    return run_tool(body, "rivals_eval")


if __name__ == "__main__":
    sys.exit(main())
