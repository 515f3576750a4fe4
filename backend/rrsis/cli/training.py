"""``rrsis build-dataset | train | finetune | evaluate``: argument parsing over the library.

``train`` is also what ``training/train.py`` runs under ``torchrun --nproc_per_node=N``.
"""

from __future__ import annotations

import argparse
import inspect
import json
import logging
import math
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ..cli_params import add_param_options
from ..errors import InputError

__all__ = ["add_arguments_build_dataset", "run_build_dataset", "add_arguments_train", "run_train",
           "add_arguments_finetune", "run_finetune", "add_arguments_evaluate", "run_evaluate"]

log = logging.getLogger(__name__)


# --- build-dataset ------------------------------------------------------------------------------
def add_arguments_build_dataset(p: argparse.ArgumentParser) -> None:
    from ..training.region.build import build_region_dataset

    library = {name: param.default for name, param in
               inspect.signature(build_region_dataset).parameters.items()}  # one set of defaults
    split = ",".join(f"{share:g}" for share in library["split_shares"])
    p.add_argument("raster", help="georeferenced raster (GeoTIFF or any GDAL raster; one "
                   "without a CRS with --pixel-coordinates)")
    p.add_argument("labels", help="labels: polygons, lines or points (GeoPackage, GeoJSON ...), "
                   "or a class raster (a land-cover map, a mask)")
    cls = p.add_mutually_exclusive_group(required=True)
    cls.add_argument("--class-field", help="attribute holding each feature's class (a class "
                     "raster: value, its pixel values)")
    cls.add_argument("--class", dest="fixed_class",
                     help="one class for the whole layer, e.g. --class building")
    p.add_argument("-o", "--output", required=True,
                   help="dataset folder to write (RefSegRS layout + valid/ + dataset.json)")
    p.add_argument("--gsd", type=float, default=None,
                   help="tile GSD in metres (default: the raster's, within the range the "
                        "default model serves, from its card)")
    p.add_argument("--tile-size", type=int, default=library["tile_size"],
                   help=f"tile side in pixels (default {library['tile_size']}: lgce-lite's "
                        "input)")
    p.add_argument("--words", default=None,
                   help="class value -> words, a YAML/JSON file or the mapping itself (first = "
                        "category word, others = synonyms; null leaves a class out), e.g. "
                        "'{1: building, 2: [road, street]}'; needed when the classes are codes")
    p.add_argument("--split", default=split,
                   help=f"train,val,test shares of the area that holds data, as strips "
                        f"(default {split})")
    p.add_argument("--extent", default=None, help="xmin,ymin,xmax,ymax: the area the labels "
                   "cover completely (default: their extent and an eighth of a tile around it)")
    p.add_argument("--test-extent", default=None,
                   help="xmin,ymin,xmax,ymax: the held-out area (the rest is split train,val)")
    p.add_argument("--extent-crs", default=None, help="CRS of the extents (default: the raster's)")
    p.add_argument("--line-width", action="append", default=[], metavar="METRES_OR_FIELD",
                   help="width of line labels (roads, rivers): metres, or the field holding "
                        "each line's; both (given twice): the field, else the number")
    p.add_argument("--point-radius", action="append", default=[], metavar="METRES_OR_FIELD",
                   help="radius of point labels (trees): metres, or the field holding each "
                        "point's; both (given twice): the field, else the number")
    p.add_argument("--layer", default=None, help="layer name inside the labels file")
    p.add_argument("--bands", default=None, help="three 1-based band numbers for R,G,B, e.g. 1,2,3")
    p.add_argument("--seed", type=int, default=library["seed"])
    p.add_argument("--no-negative-tiles", dest="negative_tiles", action="store_false",
                   help="leave out tiles where no labelled object lies (by default they teach "
                        "the class word with an empty mask)")
    p.add_argument("--copy-sources", action="store_true",
                   help="keep a copy of the raster (the part the dataset covers) and the "
                        "labels in the dataset (for inputs that will not stay where they are)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing dataset folder")
    from ..protocol import BUILD_DATASET_PARAMS

    add_param_options(p, ("pixel_coordinates", "pixel_size_m", "pixel_y"), BUILD_DATASET_PARAMS)


def _size_option(values: List[str], option: str) -> Tuple[float, Optional[str]]:
    """``--point-radius 3``, ``--point-radius crown_r`` or both: (metres, field)."""
    metres, field = 0.0, None
    for value in values:
        try:
            metres = float(value)
        except ValueError:
            if field is not None:
                raise InputError(f"{option}: one field at most ({field!r}, {value!r})") from None
            field = value
        else:
            if not (math.isfinite(metres) and metres > 0):
                raise InputError(f"{option} must be above 0 metres, got {value}")
    return metres, field


def run_build_dataset(args: argparse.Namespace) -> int:
    from ..training.region import build_region_dataset
    from ..training.region.build import dataset_report
    from ..training.region.serve import parse_floats  # the server's parser too

    shares = parse_floats(args.split, 3, "--split")
    line_width, line_field = _size_option(args.line_width, "--line-width")
    radius, radius_field = _size_option(args.point_radius, "--point-radius")
    bands = tuple(int(b) for b in args.bands.split(",")) if args.bands else None
    summary = build_region_dataset(
        args.raster, args.labels, args.output, class_field=args.class_field,
        fixed_class=args.fixed_class, gsd_m=args.gsd, tile_size=args.tile_size, words=args.words,
        split_shares=shares, layer=args.layer, bands=bands, seed=args.seed,
        overwrite=args.overwrite, line_width_m=line_width, point_radius_m=radius,
        line_width_field=line_field, point_radius_field=radius_field,
        extent=parse_floats(args.extent, 4, "--extent") if args.extent else None,
        test_extent=parse_floats(args.test_extent, 4, "--test-extent") if args.test_extent else None,
        extent_crs=args.extent_crs, negative_tiles=args.negative_tiles,
        copy_raster=args.copy_sources, copy_labels=args.copy_sources,
        pixel_coordinates=args.pixel_coordinates, pixel_size_m=args.pixel_size_m,
        pixel_y=args.pixel_y)
    print(json.dumps(summary, indent=2))
    for line in dataset_report(summary):   # in words, beside the JSON (as finetune does)
        print(line, file=sys.stderr)
    return 0


# --- train ---------------------------------------------------------------------------------------
def _common_train_args(p: argparse.ArgumentParser, budget_minutes: bool = False) -> None:
    p.add_argument("--data", nargs="+", required=True,
                   help="one or more RefSegRS-format dataset folders (read as one)")
    p.add_argument("--out", default=None, help="run folder: logs, state.pt, best.safetensors")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda")
    p.add_argument("--resume", default=None, help="state.pt (or run folder) to continue from")
    p.add_argument("--export", default=None, help="also write the final model here (.safetensors)")
    p.add_argument("--name", default=None, help="model name in its card (the plugin lists it)")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=None, help="total over all processes")
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--max-iters", type=int, default=None,
                   help="stop after N iterations (resumable)")
    if budget_minutes:
        p.add_argument("--time-budget", type=float, default=None,
                       help="minutes of training (default 15 for a build-dataset region: the "
                            "number of iterations follows from the measured step time)")
    else:
        p.add_argument("--time-budget", type=float, default=None,
                       help="stop after N seconds (resumable)")
    p.add_argument("--num-workers", type=int, default=None)
    p.add_argument("--threads", type=int, default=None, help="CPU threads per process")


def add_arguments_train(p: argparse.ArgumentParser) -> None:
    p.add_argument("--recipe", required=True,
                   help="recipe YAML, or the name of a shipped one (refsegrs_lgce, "
                   "refsegrs_lavt, lgce_lite, finetune_cpu)")
    p.add_argument("--arch", default=None, help="override the recipe's architecture")
    p.add_argument("--init", default=None, help="start from an rrsis checkpoint (path or name)")
    p.add_argument("--swin-pretrained", default=None,
                   help="swin_base_patch4_window12_384_22k.pth (ImageNet-22K Swin-B)")
    p.add_argument("--bert-pretrained", default=None, help="local bert-base-uncased folder")
    _common_train_args(p)


def _overrides(args: argparse.Namespace) -> Dict[str, Any]:
    return {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
            "max_iters": args.max_iters, "time_budget_s": args.time_budget,
            "num_workers": args.num_workers}


def run_train(args: argparse.Namespace) -> int:
    from ..device import set_threads
    from ..training.recipe import resolve_recipe
    from ..training.trainer import train

    set_threads(args.threads)
    recipe = resolve_recipe(args.recipe, arch=args.arch, init_checkpoint=args.init,
                            swin_pretrained=args.swin_pretrained,
                            bert_pretrained=args.bert_pretrained, **_overrides(args))
    out = Path(args.out or Path("runs") / recipe.name)
    result = train(recipe, args.data, out, device=args.device, resume=args.resume,
                   export_path=args.export, name=args.name)
    _print_result(result)
    return 0


def _print_result(result: Any) -> None:
    import os

    if int(os.environ.get("RANK", "0")) == 0:
        print(json.dumps({"out_dir": str(result.out_dir), "best": str(result.best_path),
                          "export": str(result.export_path) if result.export_path else None,
                          "iterations": result.global_step, "completed": result.completed,
                          "metrics": {s: r["overall"] for s, r in result.metrics.items()}},
                         indent=2))


# --- finetune ------------------------------------------------------------------------------------
def add_arguments_finetune(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default=None,
                   help="checkpoint to start from: path or name (default: the default model)")
    p.add_argument("--recipe", default=None,
                   help="recipe YAML or name (default: finetune_region for a dataset built by "
                        "build-dataset, finetune_cpu for other RefSegRS folders)")
    p.add_argument("--licence", default=None, help="licence of the exported weights (card)")
    p.add_argument("--attribution", default=None,
                   help="attribution of the imagery and labels (card), e.g. 'SpaceNet, CC BY-SA'")
    p.add_argument("--overwrite", action="store_true", help="replace an existing exported model")
    p.add_argument("--base-where-better", action=argparse.BooleanOptionalAction, default=True,
                   help="leave a class to the base model where it segments it better on the "
                        "validation part (default); --no-base-where-better: the new model "
                        "answers every class")
    p.add_argument("--keep-validations", action="store_true",
                   help="keep the weights of every validation in RUN/validations (a "
                        "build-dataset region; fp16, about 57 MB each for lgce-lite, up to 20 "
                        "a run), to score the whole run afterwards: python -m "
                        "rrsis.training.region.holdout DATASET RUN/validations/*.safetensors")
    _common_train_args(p, budget_minutes=True)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "model"


def run_finetune(args: argparse.Namespace) -> int:
    """Evaluate the starting model on the held-out split, fine-tune, evaluate again, export."""
    from ..device import resolve_device, set_threads
    from ..models.catalog import DEFAULT_MODEL, find_model, user_model_dir
    from ..models.checkpoint import load_checkpoint
    from ..training.evaluate import evaluate_splits, write_results
    from ..training.recipe import resolve_recipe
    from ..training.trainer import train

    set_threads(args.threads)
    if len(args.data) == 1 and (Path(args.data[0]) / "dataset.json").is_file() and \
            "parts" in json.loads((Path(args.data[0]) / "dataset.json").read_text()):
        return _run_finetune_region(args)
    if args.keep_validations:
        raise InputError("--keep-validations is for a dataset built by rrsis build-dataset")
    start = str(find_model(args.model or DEFAULT_MODEL))
    if args.time_budget:
        args.time_budget = args.time_budget * 60.0  # minutes on this command
    from ..models.checkpoint import read_card

    recipe = resolve_recipe(args.recipe or "finetune_cpu", init_checkpoint=start,
                            arch=read_card(start).get("architecture"), **_overrides(args))
    region = Path(args.data[0]).resolve().name
    name = args.name or _slug(f"{Path(start).stem}-{region}")
    out = Path(args.out or Path("runs") / f"finetune-{name}")
    export = Path(args.export) if args.export else user_model_dir() / f"{name}.safetensors"
    device = resolve_device(args.device)
    held_out = [s for s in (recipe.test_split, recipe.val_split) if s and all(
        (Path(d) / f"output_phrase_{s}.txt").is_file() for d in args.data)]
    before: Dict[str, Any] = {}
    if held_out:
        model = load_checkpoint(start, device)
        before = evaluate_splits(model, args.data, held_out[:1], device, recipe.batch_size,
                                 size=recipe.input_size)
        del model
    result = train(recipe, args.data, out, device=args.device, resume=args.resume,
                   export_path=export, name=name,
                   extra_card={"finetuned_from": Path(start).name})
    after = {s: r for s, r in result.metrics.items() if s in held_out[:1]}
    if before:
        comparison = {f"before/{s}": r for s, r in before.items()}
        comparison.update({f"after/{s}": r for s, r in after.items()})
        js, md = write_results(comparison, out / "before_after", f"{name}: before and after")
        log.info("before/after metrics: %s", md)
    summary = {"model": name, "export": str(export), "run": str(out),
               "before": {s: r["overall"] for s, r in before.items()},
               "after": {s: r["overall"] for s, r in after.items()}}
    print(json.dumps(summary, indent=2))
    return 0


def _run_finetune_region(args: argparse.Namespace) -> int:
    from ..training.region.finetune import finetune_region

    region = Path(args.data[0]).resolve().name
    base = args.model or "lgce-lite"
    name = args.name or _slug(f"{Path(base).stem}-{region}")
    budget = args.time_budget or 15.0
    summary = finetune_region(args.data[0], name, base_model=args.model, minutes=budget,
                              out=args.out, export=args.export, recipe=args.recipe, lr=args.lr,
                              licence=args.licence, attribution=args.attribution,
                              device=args.device, threads=args.threads,
                              overwrite=args.overwrite, max_iters=args.max_iters,
                              base_where_better=args.base_where_better,
                              keep_validations=args.keep_validations)
    print(json.dumps(summary, indent=2))
    for line in summary.get("report", []):   # the before/after in words, beside the JSON
        print(line, file=sys.stderr)
    for line in summary.get("warnings", []):
        print(f"warning: {line}", file=sys.stderr)
    return 0


# --- evaluate ------------------------------------------------------------------------------------
def add_arguments_evaluate(p: argparse.ArgumentParser) -> None:
    p.add_argument("checkpoint", help="rrsis checkpoint (.safetensors) or model name")
    p.add_argument("--data", nargs="+", required=True, help="RefSegRS-format dataset folder(s)")
    p.add_argument("--split", nargs="+", default=["test"], help="splits to evaluate (default test)")
    p.add_argument("--out", default=None,
                   help="write <out>.json and <out>.md (default: print the table only)")
    p.add_argument("--device", default="auto")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--size", type=int, default=None, help="input size (default: the model's)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--flip-average", action="store_true",
                   help="average each prediction over the image and its three flips, as "
                        "segment --flip-average")


def run_evaluate(args: argparse.Namespace) -> int:
    from ..device import resolve_device, set_threads
    from ..models.catalog import find_model
    from ..models.checkpoint import load_checkpoint
    from ..training.evaluate import evaluate_splits, results_markdown, write_results

    set_threads(args.threads)
    device = resolve_device(args.device)
    path = find_model(args.checkpoint)
    model = load_checkpoint(path, device)
    results = evaluate_splits(model, args.data, args.split, device, args.batch_size,
                              size=args.size, flip_average=args.flip_average)
    title = f"{path.name} on {', '.join(Path(d).name for d in args.data)}"
    if args.out:
        js, md = write_results(results, args.out, title)
        log.info("wrote %s and %s", js, md)
    print(results_markdown(results, title))
    return 0


