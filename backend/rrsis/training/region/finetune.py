"""Fine-tune a model on a region dataset within a time budget; export it ready to serve.

Starting from a checkpoint (default: the default model), the recipe ``finetune_region``
trains with random crops, flips, quarter turns and scale jitter, pixels outside the data
ignored, for as many iterations as fit the budget (measured step time). Each validation
segments the validation part through the engine with the weights and the card they would be
exported with, and scores it as the held-out part is scored: the trainer's score on 192 px
crops picked worse checkpoints (docs/finetune-atlanta.md). The best of those is exported in
fp16 with a card that records the training GSD
and the served range below it (:data:`SERVED_SPREAD`), so ``segment --model NAME`` runs
a coarser raster at that scale by default, and, for a raster that is not 8-bit, the stretch
of its training tiles (``input_stretch``), which the engine then applies instead of the
viewed area's.
Before and after are measured on the held-out part through the engine (:mod:`.holdout`);
a class the base model segments better on the validation part stays the base's (the card's
``base_classes``: the engine asks the base for it).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple, Union

import numpy as np
import torch

from ...errors import InputError, OutputExistsError
from ..recipe import recipe_from_dict, resolve_recipe

__all__ = ["FINETUNE_REGION", "SERVED_SPREAD", "finetune_region", "model_export_path"]

log = logging.getLogger(__name__)
PathLike = Union[str, Path]

#: the served range of a fine-tuned model: from its training GSD / this to the training GSD
#: itself. A raster outside the range is served at the nearer end: a coarser one at the
#: training GSD, which scored higher than 1.1 x it for all five models measured on the
#: unseen halves of the Atlanta training area (docs/finetune-atlanta.md, "Served at the
#: training GSD"); a finer one within 10 % keeps its own grid
SERVED_SPREAD = 1.1

#: the laptop recipe: chosen on the validation part of the Atlanta training area
#: (docs/finetune-atlanta.md); the schedule is sized to the time budget at run time.
FINETUNE_REGION: Dict[str, Any] = {
    "name": "finetune-region", "lr": 3e-4, "weight_decay": 0.01, "text_trainable_layers": 0,
    "frozen_stages": 2,
    "epochs": 1000, "batch_size": 8, "poly_power": 0.9, "warmup_iters": 5,
    "scale_range": [0.8, 1.25], "random_crop": True, "hflip": True, "rot90": True,
    "stretch_jitter": 0.15,
    "copy_paste": 0.5,   # half the samples get 1-3 labelled objects pasted in (two folds)
    "num_workers": 0, "loss_weights": [0.7, 1.3], "precision": "fp32", "grad_clip": 5.0,
    "log_every": 10, "val_split": "val", "test_split": None, "select_metric": "oIoU",
    "patience": 10,   # half the most validations a budget plans: stop once it stopped learning
    "budget_schedule": True, "time_budget_s": 900,
}


def model_export_path(name: str, export: Optional[PathLike] = None) -> Path:
    """``export``, else the first model folder searched (RRSIS_MODEL_DIR: the plugin's setting;
    else the user's model folder), so the models list shows the new model at once."""
    from ...models.catalog import model_dirs

    if export:
        return Path(export)
    if "/" in name or "\\" in name or name.startswith("."):
        raise InputError(f"a model name is a plain name, not a path: {name!r}")
    return model_dirs()[0] / f"{name}.safetensors"


def _training_stretch(summary: Dict[str, Any], dataset: Path) -> Optional[Dict[str, Any]]:
    """The stretch ``build-dataset`` recorded for a raster that is not 8-bit, checked the way
    the engine will read it from the card (:meth:`~rrsis.engine.raster_io.Stretch.from_card`),
    so a hand-edited or damaged entry stops the run before training, not silently at serving."""
    from ...engine.raster_io import Stretch

    entry = summary.get("stretch")
    if not (isinstance(entry, dict) and entry.get("dtype")):
        return None  # 8-bit data, or a dataset built before the stretch was recorded
    if Stretch.from_card({"input_stretch": entry}, str(entry["dtype"])) is None:
        raise InputError(f"{dataset / 'dataset.json'}: its 'stretch' entry is not a valid "
                         "stretch of a raster that is not 8-bit (dtype, and low < high for 3 "
                         f"bands): {json.dumps(entry)[:200]}; rebuild it with rrsis build-dataset")
    return dict(entry)


def finetune_region(dataset: PathLike, name: str, *, base_model: Optional[str] = None,
                    minutes: float = 15.0, out: Optional[PathLike] = None,
                    export: Optional[PathLike] = None, recipe: Optional[str] = None,
                    lr: Optional[float] = None, licence: Optional[str] = None,
                    attribution: Optional[str] = None, device: str = "auto",
                    threads: Optional[int] = None, overwrite: bool = False,
                    compare: bool = True, base_where_better: bool = True,
                    max_iters: Optional[int] = None, keep_validations: bool = False,
                    progress: Optional[Callable[[Dict[str, Any]], None]] = None,
                    cancelled: Optional[Callable[[], bool]] = None) -> Dict[str, Any]:
    """Train, export (fp16, 0644), and compare base and new model on the held-out part.

    With ``base_where_better`` (and ``compare``) a class the base segments better than the new
    weights on the validation part is left to the base (:func:`_leave_to_base`).
    ``keep_validations``: the weights of every validation are kept in ``RUN/validations``
    (``itNNNNN.safetensors``, fp16 with the card the export gets), so the whole run can be
    scored afterwards on any part (``python -m rrsis.training.region.holdout DATASET
    RUN/validations/*.safetensors --part test``), not only the checkpoint it chose."""
    from ...device import set_threads
    from ...models.catalog import DEFAULT_MODEL, find_model
    from ...models.checkpoint import load_checkpoint, read_card, save_checkpoint
    from ..trainer import Trainer
    from .holdout import before_after_report, held_out_part, heldout_iou

    dataset = Path(dataset)
    meta_path = dataset / "dataset.json"
    if not meta_path.is_file():
        raise InputError(f"{dataset} is not a dataset built by rrsis build-dataset "
                         "(no dataset.json)")
    summary = json.loads(meta_path.read_text())
    stretch = _training_stretch(summary, dataset)
    if minutes <= 0:
        raise InputError("the time budget must be a positive number of minutes")
    target = model_export_path(name, export)
    if target.exists() and not overwrite:
        raise OutputExistsError(f"{target} exists: choose another name or pass --overwrite")
    set_threads(threads)
    start = str(find_model(base_model or DEFAULT_MODEL))
    arch = str(read_card(start).get("architecture"))
    base = recipe_from_dict(FINETUNE_REGION) if recipe is None else resolve_recipe(recipe)
    gsd = float(summary["gsd_m"])
    base = base.replace(arch=arch, init_checkpoint=start, time_budget_s=minutes * 60.0,
                        input_size=int(summary.get("tile_size") or 0) or None,
                        **({"lr": lr} if lr else {}), **({"max_iters": max_iters}
                                                         if max_iters else {}),
                        **({"licence": licence} if licence else {}))
    n_train = int(summary.get("samples", {}).get("train") or 0)
    if 0 < n_train < base.batch_size:            # a small region: smaller batches, not a refusal
        base = base.replace(batch_size=n_train)
    run_dir = Path(out) if out else Path("runs") / f"finetune-{name}"
    def stage(name: str, fraction: float) -> None:
        if progress is not None:
            progress({"fraction": fraction, "stage": name})

    def report(p: Dict[str, Any]) -> None:    # training is 5-95 % of the whole request
        if progress is not None:
            progress({**p, "fraction": 0.05 + 0.9 * p["fraction"]})

    stage("before: base model on the held-out part", 0.0)
    run_dir.mkdir(parents=True, exist_ok=True)   # the held-out polygons are kept there
    before = heldout_iou(dataset, start, device=device, threads=threads, cancel=cancelled,
                         keep=run_dir / "heldout-before") if compare else {}
    hi = (base.scale_range or (1.0, 1.0))[1]  # never finer than what the jitter showed
    served = (round(gsd / min(hi, SERVED_SPREAD), 4), round(gsd, 4))

    def served_card(model: Any) -> Dict[str, Any]:
        return _served_card(dict(getattr(model, "card", {}) or {}), summary, stretch,
                            name=name, gsd=gsd, served=served, licence=licence,
                            attribution=attribution)

    validating = run_dir / ".validating.safetensors"

    def engine_score(model: Any) -> float:
        """The engine's IoU on the validation part, mean over classes: what ``finetune``
        reports on the held-out part, measured as a user gets it (whole tiles at the served
        GSD, the stretch, polygons), not on the 192 px training crops."""
        save_checkpoint(model, validating, card=served_card(model))
        found = heldout_iou(dataset, str(validating), device=device, threads=threads,
                            cancel=cancelled, split="val")
        ious = [c["iou"] for c in (found.get("classes") or {}).values()]
        return float(np.mean(ious)) if ious else 0.0

    kept_dir = run_dir / "validations"
    if keep_validations:   # a run folder used again: only this run's validations in it
        for old in kept_dir.glob("it*.safetensors"):
            old.unlink()

    def keep(model: Any, row: Dict[str, Any]) -> None:
        kept_dir.mkdir(exist_ok=True)
        path = kept_dir / f"it{int(row['iter']):05d}.safetensors"
        save_checkpoint(model, path, card={**served_card(model), "validation": row},
                        dtype=torch.float16)
        os.chmod(path, 0o644)

    engine_val = held_out_part(summary, "val") is not None   # labelled objects to score on
    trainer = Trainer(base, [dataset], run_dir, device=device, name=name, gsd_m=gsd,
                      extra_card={"finetuned_from": Path(start).stem}, progress=report,
                      cancelled=cancelled, validate=engine_score if engine_val else None,
                      on_validation=keep if keep_validations else None)
    try:
        result = trainer.fit()
    finally:
        trainer.close()
        validating.unlink(missing_ok=True)
    stage("export", 0.95)
    model = load_checkpoint(result.best_path, "cpu")
    model.config = model.config.replace(gsd_m=gsd, gsd_range_m=served)
    target.parent.mkdir(parents=True, exist_ok=True)
    save_checkpoint(model, target, card=served_card(model), dtype=torch.float16)
    os.chmod(target, 0o644)
    kept: Dict[str, Any] = {}
    val: Dict[str, Any] = {}
    if compare and base_where_better:   # before the graphs: they are bound to the card
        stage("choosing: base and new model on the validation part", 0.955)
        kept, val = _leave_to_base(dataset, start, target, device=device, threads=threads,
                                   cancelled=cancelled)
    graph = _export_graph(target)  # so the runtime flavour (ONNX Runtime) serves it too
    for path in graph:
        os.chmod(path, 0o644)
    stage("after: new model on the held-out part", 0.96)
    after = heldout_iou(dataset, str(target), device=device, threads=threads,
                        cancel=cancelled, keep=run_dir / "heldout-after") if compare else {}
    words = before_after_report(before, after, Path(start).stem, name, kept)
    out_summary = {"model": name, "base": Path(start).stem, "export": str(target),
                   "run": str(run_dir),
                   "iterations": result.global_step, "stopped_early": trainer.stopped_early,
                   "gsd_m": gsd, "gsd_range_m": list(served),
                   "onnx": [str(p) for p in graph], "base_classes": kept, "validation": val,
                   "before": before, "after": after,
                   "report": words["lines"], "warnings": words["warnings"]}
    (run_dir / "before_after.json").write_text(json.dumps(out_summary, indent=2))
    stage("done", 1.0)
    return out_summary


def _served_card(card: Dict[str, Any], summary: Dict[str, Any],
                 stretch: Optional[Dict[str, Any]], *, name: str, gsd: float,
                 served: Tuple[float, float], licence: Optional[str],
                 attribution: Optional[str]) -> Dict[str, Any]:
    """A fine-tuned model's card from the one its weights carry: the base's measured choices
    dropped, the region's GSD, served range, stretch, classes and provenance in."""
    for k in ("format", "format_version", "architecture", "config", "input", "token_count",
              "weights_dtype", "weights_sha256", "created", "gsd_range_m",
              "onnx",  # the base's graphs: this model's are exported with it, if at all
              "operating_points", "presence", "grounding_policy",  # measured on other weights
              "group_gsd_range_m",  # the base's data; this model learnt at the region's GSD
              "phrase_gsd_ceilings", "phrase_gsd_floors",  # measured on the base's weights
              "group_tile_px",
              "input_stretch",  # the base's training values, if any; this one's follow
              "categories"):  # the base's own classes, if fine-tuned before
        card.pop(k, None)
    if stretch is not None:  # a raster that is not 8-bit: served as trained, whatever extent
        card["input_stretch"] = stretch               # is viewed
    # its classes in the words it was trained on: the grounding asks for them by those words
    # (lexicon.vocabulary_of), so "solar panels" is not an unknown word to this model
    card["categories"] = {ws[0]: list(ws) for ws in summary["classes"].values() if ws}
    card.update({"name": name, "gsd_m": gsd, "gsd_range_m": list(served),
                 "licence": licence or card.get("licence"), "attribution": attribution,
                 "training_region": {"dataset": summary.get("name"), "parts": summary["parts"],
                                     "source_raster": summary["source_raster"]}})
    return card


def _leave_to_base(dataset: Path, start: str, target: Path, *, device: str,
                   threads: Optional[int], cancelled: Optional[Callable[[], bool]]
                   ) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Score the base and the exported model on the validation part through the engine; the
    classes the base segments better (:func:`.holdout.base_better_classes`) go into the
    card's ``base_classes``, so the engine asks the base for them as for a class the new
    model was not taught. Nothing when the validation part holds no labelled object, or when
    the base cannot be found by the name the card records (``finetuned_from``).
    Returns (the classes left to the base, {"base": scores, "new": scores})."""
    from ...errors import RrsisError
    from ...models.card import read_card, write_card
    from ...models.catalog import find_model
    from .holdout import base_better_classes, heldout_iou

    name = Path(start).stem
    try:
        found = find_model(name).resolve() == Path(start).resolve()
    except RrsisError:
        found = False
    if not found:
        log.info("the base %s is not installed under that name: the new model answers every "
                 "class", start)
        return {}, {}
    val = {k: heldout_iou(dataset, m, device=device, threads=threads, cancel=cancelled,
                          split="val") for k, m in (("base", start), ("new", str(target)))}
    if not val["base"]:
        return {}, {}   # no validation part with labelled objects: nothing to choose on
    kept = base_better_classes(val["base"], val["new"])
    if kept:
        card = read_card(target)
        card["base_classes"] = kept
        write_card(target, card)
    return kept, val


def _export_graph(checkpoint: Path) -> tuple:
    """The ONNX graphs of the exported model beside it (``rrsis export-onnx``), or () when the
    architecture cannot be exported; the model is then served by torch (``runtime auto``)."""
    from ...onnx_export import export_onnx, text_graph_path

    graph = checkpoint.with_suffix(".onnx")
    try:
        export_onnx(checkpoint, graph)
    except Exception as exc:  # noqa: BLE001 - any exporter failure leaves a torch-only model
        log.warning("no ONNX graph for %s (%s: %s): it is served by torch", checkpoint.name,
                    type(exc).__name__, (str(exc).splitlines() or [""])[0][:200])
        return ()
    return (graph, text_graph_path(graph))
