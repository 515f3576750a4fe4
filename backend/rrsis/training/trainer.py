"""The training loop: one process on a CPU, or N ranks under ``torchrun`` (DDP).

Generic over the model registry. Per iteration: forward from token ids, weighted
cross-entropy, AdamW step, poly LR step. After each epoch: metrics on the validation
split (model selection, best exported in the backend's own format); at the end the best
model is evaluated on the test split and exported with its card filled.

Resume: ``state.pt`` (model, optimizer, scheduler, epoch, step within the epoch, every
rank's RNG, best score) is written at each epoch end and whenever the run stops early
(``max_iters``, ``time_budget_s``). Data order is a function of (seed, epoch) and
augmentation of (seed, epoch, index), so a resumed run follows the same trajectory as
an uninterrupted one.

Over 300 lines on purpose: one loop and the resume state it must write and read back
exactly; the optimiser, metrics, logs and evaluation are in sibling modules.

>>> from rrsis.training import Recipe, train
>>> result = train(Recipe(arch="test-lgce-tiny", epochs=1), ["data/region"], "runs/x")
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, DistributedSampler

from ..device import autocast, resolve_device
from ..errors import CheckpointError, InputError
from ..models import ReferringSegmenter, create_model, save_checkpoint
from ..paths import replacing
from .datasets.refsegrs import IGNORE_INDEX, read_splits
from .distributed import DistInfo, all_gather_objects, barrier, cleanup, init_distributed
from .evaluate import evaluate_dataset, make_dataset, write_results
from .init import load_bert_pretrained, load_swin_pretrained
from .logs import TrainLogger
from .optim import (build_optimizer, build_scheduler, configure_trainable, poly_lambda,
                    set_train_mode)
from .progress import BudgetPlanner, ProgressReporter
from .recipe import Recipe

__all__ = ["TrainResult", "Trainer", "train", "build_model", "dataset_metadata"]

log = logging.getLogger(__name__)
PathLike = Union[str, Path]
STATE_FILE = "state.pt"
BEST_FILE = "best.safetensors"


@dataclass
class TrainResult:
    out_dir: Path
    best_path: Optional[Path]
    export_path: Optional[Path]
    global_step: int
    epoch: int
    completed: bool
    metrics: Dict[str, Any] = field(default_factory=dict)


def build_model(recipe: Recipe) -> ReferringSegmenter:
    """The recipe's starting point: an own checkpoint, or the architecture + pretrained parts."""
    if recipe.init_checkpoint:
        from ..models.catalog import find_model
        from ..models.checkpoint import load_checkpoint

        model = load_checkpoint(find_model(recipe.init_checkpoint), "cpu")
        return model
    model = create_model(recipe.arch)
    if recipe.swin_pretrained:
        load_swin_pretrained(model.segmentation.backbone, recipe.swin_pretrained)
    if recipe.bert_pretrained:
        load_bert_pretrained(model.text_encoder, recipe.bert_pretrained)
    return model


def soft_dice_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """1 - soft Dice of the foreground over the whole batch (pixels at ``IGNORE_INDEX``
    left out); over the batch, not per image, so a tile without the object adds its false
    positives without a Dice of its own."""
    valid = (target != IGNORE_INDEX).float()
    prob = torch.softmax(logits, dim=1)[:, 1] * valid
    truth = (target == 1).float() * valid
    overlap = (prob * truth).sum()
    return 1.0 - (2.0 * overlap + 1.0) / (prob.sum() + truth.sum() + 1.0)


def _make_ema(model: nn.Module, decay: float) -> Optional[nn.Module]:
    """timm's weight average (a copy of ``model``), or None when the recipe keeps none. With
    warm-up the decay grows as 1 - (1 + step) ** -2/3 up to ``decay``, so an early validation
    sees the trained weights rather than the starting ones."""
    if not decay:
        return None
    if not 0.0 < decay < 1.0:
        raise InputError(f"ema_decay must be in (0, 1) (0: off), not {decay}")
    from timm.utils import ModelEmaV3

    return ModelEmaV3(model, decay=decay, use_warmup=True)


def dataset_metadata(roots: Sequence[PathLike]) -> List[Dict[str, Any]]:
    """``dataset.json`` of each dataset folder (written by build-dataset), or its name only."""
    out = []
    for r in roots:
        meta_path = Path(r) / "dataset.json"
        meta: Dict[str, Any] = {"name": Path(r).resolve().name}
        if meta_path.is_file():
            try:
                meta.update({k: v for k, v in json.loads(meta_path.read_text()).items()
                             if k != "tile_list"})          # the card keeps the summary only
            except ValueError:
                pass
        out.append(meta)
    return out


def _rng_state() -> Dict[str, Any]:
    np_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), int(np_state[2]),
                  int(np_state[3]), float(np_state[4])],
        "python": random.getstate(),
    }


def _set_rng_state(state: Dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    if state.get("cuda") and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    n = state["numpy"]
    np.random.set_state((n[0], n[1].numpy().astype(np.uint32), n[2], n[3], n[4]))
    py = state["python"]
    random.setstate((py[0], tuple(py[1]), py[2]))


class Trainer:
    """Holds the model, data, optimiser and bookkeeping of one run; :meth:`fit` runs it."""

    def __init__(self, recipe: Recipe, data: Sequence[PathLike], out_dir: PathLike, *,
                 device: str = "auto", resume: Optional[PathLike] = None,
                 export_path: Optional[PathLike] = None, name: Optional[str] = None,
                 model: Optional[ReferringSegmenter] = None, gsd_m: Optional[float] = None,
                 extra_card: Optional[Dict[str, Any]] = None,
                 more_train: Sequence[PathLike] = (),
                 progress: Optional[Callable[[Dict[str, Any]], None]] = None,
                 cancelled: Optional[Callable[[], bool]] = None,
                 validate: Optional[Callable[[ReferringSegmenter], float]] = None,
                 on_validation: Optional[Callable[[ReferringSegmenter, Dict[str, Any]], None]]
                 = None) -> None:
        """``validate``: the score each validation selects on, given the model validated,
        instead of the recipe's ``select_metric`` on the validation crops (``finetune``: the
        engine's IoU on the validation part of a region); a single-process run only.
        ``on_validation``: called by the main process with the model and its row after each
        validation (``finetune --keep-validations`` keeps the weights of every one)."""
        if not data:
            raise InputError("no dataset folder given")
        self.recipe = recipe
        self.validate, self.on_validation = validate, on_validation
        self.roots = [Path(d) for d in data]
        # more draws of the same sources (other crops of the same training places): their
        # train split joins the training data; validation and test stay those of ``data``
        self.train_roots = self.roots + [Path(d) for d in more_train]
        for r in self.train_roots:
            if not r.is_dir():
                raise InputError(f"dataset folder not found: {r}")
        self.out_dir = Path(out_dir)
        self.device = resolve_device(device)
        self.info: DistInfo = init_distributed(self.device)
        if validate is not None and self.info.distributed:
            raise InputError("a validation measure of the caller's runs in one process only")
        if self.info.distributed and self.device.type == "cuda":
            self.device = torch.device("cuda", self.info.local_rank)
        self.export_path = Path(export_path) if export_path else None
        self.name = name or recipe.name
        self.extra_card = dict(extra_card or {})
        self.progress, self.cancelled = progress, cancelled
        torch.manual_seed(recipe.seed + self.info.rank)
        np.random.seed((recipe.seed + self.info.rank) % 2**32)
        random.seed(recipe.seed + self.info.rank)

        self.model: ReferringSegmenter = model if model is not None else build_model(recipe)
        self.meta = dataset_metadata(self.train_roots)
        self.gsd_m = gsd_m or next((m["gsd_m"] for m in self.meta if m.get("gsd_m")), None) \
            or self.model.config.gsd_m
        self.size = recipe.input_size or self.model.config.input_size
        configure_trainable(self.model, recipe)
        self.model.to(self.device)
        self.ema = _make_ema(self.model, recipe.ema_decay)
        if not (math.isfinite(recipe.init_decay) and recipe.init_decay >= 0):
            raise InputError(f"init_decay must be a number >= 0 (0: off), not "
                             f"{recipe.init_decay}")
        #: the trained weights as training started (recipe ``init_decay``), by parameter
        self.start_weights: Dict[int, torch.Tensor] = {
            id(p): p.detach().clone() for p in self.model.parameters()
            if p.requires_grad} if recipe.init_decay > 0 else {}

        aug = dict(scale_range=recipe.scale_range, random_crop=recipe.random_crop,
                   hflip=recipe.hflip, seed=recipe.seed, rot90=recipe.rot90, use_valid=True,
                   grayscale_p=recipe.grayscale_p, stretch_jitter=recipe.stretch_jitter,
                   gamma_jitter=recipe.gamma_jitter, copy_paste=recipe.copy_paste)
        self.train_set = make_dataset(self.model, self.train_roots, recipe.train_split,
                                      self.size, **aug)
        self.val_set = self._optional_split(recipe.val_split)
        self.test_set = self._optional_split(recipe.test_split)
        self.sampler = DistributedSampler(self.train_set, num_replicas=self.info.world_size,
                                          rank=self.info.rank, shuffle=True, seed=recipe.seed,
                                          drop_last=True)
        if recipe.batch_size % self.info.world_size:
            raise InputError(f"batch_size {recipe.batch_size} (the total over all processes) is "
                             f"not divisible by {self.info.world_size} processes")
        self.batch_size = recipe.batch_size // self.info.world_size  # per process
        self.iters_per_epoch = len(self.sampler) // self.batch_size
        if self.iters_per_epoch < 1:
            raise InputError(f"the training split has {len(self.train_set)} samples: fewer than "
                             f"one batch of {recipe.batch_size}")
        self.total_iters = recipe.epochs * self.iters_per_epoch

        self.optimizer = build_optimizer(self.model, recipe)
        self.scheduler = build_scheduler(self.optimizer, recipe, self.total_iters)
        self.loss_weight = torch.tensor(recipe.loss_weights, dtype=torch.float32,
                                        device=self.device)

        self.epoch, self.step_in_epoch, self.global_step = 0, 0, 0
        self.best_score: Optional[float] = None
        self.best_epoch: Optional[int] = None
        self.stale_validations = 0           # validations since the best one
        self.stopped_early = False
        self.validation_s = 0.0   # how long the last validation took: a budget keeps it for one
        self.history: List[Dict[str, Any]] = []
        if resume:
            self._load_state(Path(resume))

        self.net: nn.Module = self.model
        if self.info.distributed:
            if self.device.type == "cuda":
                self.model.segmentation = nn.SyncBatchNorm.convert_sync_batchnorm(
                    self.model.segmentation)
            self.net = nn.parallel.DistributedDataParallel(
                self.model, device_ids=[self.device.index] if self.device.type == "cuda" else None,
                find_unused_parameters=True)  # LGCE's inert modules never receive gradients
        self.logger = TrainLogger(self.out_dir, enabled=self.info.is_main)
        if self.info.is_main:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            (self.out_dir / "recipe.json").write_text(json.dumps(recipe.to_dict(), indent=2))
            self.logger.resume_at(self.global_step)

    # --- data -----------------------------------------------------------------------------
    def _optional_split(self, split: Optional[str]):  # type: ignore[no-untyped-def]
        if not split:
            return None
        if not all((r / f"output_phrase_{split}.txt").is_file() for r in self.roots):
            return None
        if not read_splits(self.roots, split):
            return None
        return make_dataset(self.model, self.roots, split, self.size)

    def _epoch_loader(self, epoch: int, skip_batches: int) -> DataLoader:
        self.sampler.set_epoch(epoch)
        self.train_set.set_epoch(epoch)
        bs = self.batch_size
        order = list(self.sampler)[: self.iters_per_epoch * bs][skip_batches * bs:]
        return DataLoader(self.train_set, batch_size=bs, sampler=order, drop_last=True,
                          num_workers=self.recipe.num_workers, generator=torch.Generator(),
                          pin_memory=self.device.type == "cuda",
                          persistent_workers=False)

    # --- state ----------------------------------------------------------------------------
    def _state(self) -> Dict[str, Any]:
        return {
            "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(), "epoch": self.epoch,
            "step_in_epoch": self.step_in_epoch, "global_step": self.global_step,
            "best_score": self.best_score, "best_epoch": self.best_epoch,
            "stale_validations": self.stale_validations,
            "world_size": self.info.world_size, "architecture": self.model.config.name,
            "recipe": json.dumps(self.recipe.to_dict()), "history": json.dumps(self.history),
            **({"ema": self.ema.module.state_dict()} if self.ema is not None else {}),
        }

    def save_state(self) -> Path:
        """All ranks call this (the RNG states are gathered); rank 0 writes ``state.pt``."""
        rngs = all_gather_objects(self.info, _rng_state())
        path = self.out_dir / STATE_FILE
        if self.info.is_main:
            state = self._state()
            state["rng"] = rngs
            with replacing(path) as tmp:
                torch.save(state, tmp)
        barrier(self.info)
        return path

    def _load_state(self, path: Path) -> None:
        if path.is_dir():
            path = path / STATE_FILE
        if not path.is_file():
            raise CheckpointError(f"no training state to resume from: {path}")
        try:
            state = torch.load(str(path), map_location="cpu", weights_only=True)
        except Exception as exc:
            raise CheckpointError(f"{path} is not a readable training state: {exc}") from exc
        if state.get("architecture") != self.model.config.name:
            raise CheckpointError(f"{path} is a {state.get('architecture')} run, not "
                                  f"{self.model.config.name}")
        if state.get("world_size") != self.info.world_size:
            log.warning("resuming a %s-process run on %s processes: the data order differs",
                        state.get("world_size"), self.info.world_size)
        self.model.load_state_dict(state["model"], strict=True)
        if self.ema is not None:     # a state from a run without the average starts it afresh
            self.ema.module.load_state_dict(state.get("ema") or state["model"], strict=True)
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.epoch, self.step_in_epoch = int(state["epoch"]), int(state["step_in_epoch"])
        self.global_step = int(state["global_step"])
        self.best_score, self.best_epoch = state.get("best_score"), state.get("best_epoch")
        self.stale_validations = int(state.get("stale_validations") or 0)
        self.history = json.loads(state.get("history") or "[]")
        rngs = state.get("rng") or []
        if len(rngs) == self.info.world_size:
            _set_rng_state(rngs[self.info.rank])
        log.info("resumed from %s at epoch %d, iteration %d", path, self.epoch, self.global_step)

    # --- loop -----------------------------------------------------------------------------
    def _should_stop(self, started: float) -> bool:
        r = self.recipe
        if r.max_iters and self.global_step >= r.max_iters:
            return True                      # the same on every rank
        if self.cancelled is not None and self.cancelled():
            from ..errors import Cancelled
            raise Cancelled("training cancelled (the run folder keeps the last saved state)")
        if not r.time_budget_s:
            return False
        # the validation a stop runs is inside the budget (as long as the last one took)
        late = time.monotonic() - started + self.validation_s >= r.time_budget_s
        if not self.info.distributed:
            return late
        flag = torch.tensor([1.0 if late else 0.0], device=self.device)
        torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)  # ranks must agree
        return bool(flag.item())

    def train_step(self, batch: Dict[str, torch.Tensor]) -> float:
        image = batch["image"].to(self.device, non_blocking=True)
        target = batch["mask"].to(self.device, non_blocking=True)
        ids = batch["input_ids"].to(self.device)
        mask = batch["attention_mask"].to(self.device)
        with autocast(self.device, self.recipe.precision):
            logits = self.net(image, ids, mask)
        loss = F.cross_entropy(logits.float(), target, weight=self.loss_weight)
        if self.recipe.dice_weight:
            loss = loss + self.recipe.dice_weight * soft_dice_loss(logits.float(), target)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.recipe.grad_clip:
            torch.nn.utils.clip_grad_norm_(
                [p for p in self.model.parameters() if p.requires_grad], self.recipe.grad_clip)
        self.optimizer.step()
        if self.start_weights:
            self._decay_to_start()
        self.scheduler.step()
        if self.ema is not None:
            self.ema.update(self.model, step=self.global_step)
        value = loss.detach()
        if self.info.distributed:            # log the mean over all ranks' batches
            torch.distributed.all_reduce(value)
            value = value / self.info.world_size
        return float(value)

    @torch.no_grad()
    def _decay_to_start(self) -> None:
        """Each trained weight moves ``lr x init_decay`` of its way back to its start."""
        for group in self.optimizer.param_groups:
            rate = min(1.0, group["lr"] * self.recipe.init_decay)
            for p in group["params"]:
                start = self.start_weights.get(id(p))
                if start is not None:
                    p.lerp_(start, rate)

    def fit(self) -> TrainResult:
        started = time.monotonic()
        completed = True
        set_train_mode(self.net, self.recipe.norm_eval)
        stopped = False
        planner = BudgetPlanner(self.recipe.time_budget_s, started) \
            if self.recipe.budget_schedule and self.recipe.time_budget_s else None
        reporter = ProgressReporter(self.total_iters, self.global_step, self.progress,
                                    enabled=self.info.is_main,
                                    budget_s=self.recipe.time_budget_s if planner else None)
        while self.epoch < self.recipe.epochs:
            losses: List[float] = []
            for batch in self._epoch_loader(self.epoch, self.step_in_epoch):
                lr = self.optimizer.param_groups[0]["lr"]
                loss = self.train_step(batch)
                losses.append(loss)
                self.global_step += 1
                self.step_in_epoch += 1
                self.logger.iteration({"iter": self.global_step, "epoch": self.epoch, "loss": loss,
                                       "lr": lr, "seconds": round(time.monotonic() - started, 3)})
                if planner is not None:
                    planned = planner.step(self.global_step)
                    if planned is not None:
                        self._replan(planned)
                        reporter.planned(self.total_iters)
                reporter.step(self.global_step, loss)
                if self.info.is_main and self.global_step % max(1, self.recipe.log_every) == 0:
                    log.info("epoch %d iter %d/%d loss %.4f lr %.3g", self.epoch, self.global_step,
                             self.total_iters, loss, lr)
                if self._should_stop(started):
                    stopped = True
                    break
            if stopped and self.step_in_epoch < self.iters_per_epoch:
                completed = False
                self._select(losses, partial=True)
                self.save_state()
                break
            self._select(losses)
            self.epoch += 1
            self.step_in_epoch = 0
            self.save_state()
            if stopped:
                completed = self.epoch >= self.recipe.epochs
                break
            if self.recipe.patience and self.stale_validations >= self.recipe.patience:
                self.stopped_early = True
                completed = self.epoch >= self.recipe.epochs
                if self.info.is_main:
                    log.info("no better %s in the last %d validations (best %.4f "
                             "after epoch %s): stopping at iteration %d",
                             self.selection_metric, self.stale_validations,
                             self.best_score or 0.0, self.best_epoch, self.global_step)
                break
        result = self._finish(completed)
        self.logger.close()
        return result

    def plan_iterations(self, total_iters: int) -> None:
        """Size the run to ``total_iters`` (LR decay over them, then stop): a run sized by
        iterations rather than time. ``max_iters`` alone only stops early (an interruption)."""
        self._replan(total_iters)

    def _replan(self, total_iters: int) -> None:
        """Size the schedule to ``total_iters`` (from the time budget): epochs, LR decay, evals."""
        total_iters = max(self.global_step + 1, int(total_iters))
        epochs = max(self.epoch + 1, -(-total_iters // self.iters_per_epoch))
        total_iters = min(total_iters, epochs * self.iters_per_epoch)
        evals = max(1, epochs // self._validations(total_iters))
        self.recipe = self.recipe.replace(epochs=epochs, max_iters=total_iters,
                                          eval_every_epochs=evals)
        self.total_iters = total_iters
        r = self.recipe
        self.scheduler.lr_lambdas = [poly_lambda(total_iters, r.poly_power, r.warmup_iters)
                                     for _ in self.scheduler.lr_lambdas]
        log.info("time budget %.0f s: %d iterations (%d epochs of %d), validation every %d "
                 "epoch(s)", r.time_budget_s or 0, total_iters, epochs, self.iters_per_epoch,
                 evals)

    def _validations(self, total_iters: int) -> int:
        """How many validations a run of ``total_iters`` affords: at least 4, at most 20, and
        no more than about 5 % of the run's time (a validation sample costs about a third of
        a training sample: forward only). A small region's few validation tiles are checked
        often, so the best checkpoint is not missed when it overfits early."""
        if self.val_set is None:
            return 4
        cost = len(self.val_set) / (3.0 * max(1, self.batch_size))  # in training steps
        return int(min(20, max(4, 0.05 * total_iters / max(cost, 1e-9))))

    def _select(self, losses: List[float], partial: bool = False) -> None:
        """Validation metrics after an epoch (or at an early stop); export the best model."""
        row: Dict[str, Any] = {"epoch": self.epoch, "iter": self.global_step,
                               "train_loss": float(np.mean(losses)) if losses else ""}
        score: Optional[float] = None
        if self.val_set is not None and (partial or (self.epoch + 1) % max(
                1, self.recipe.eval_every_epochs) == 0 or self.epoch + 1 == self.recipe.epochs):
            t = time.monotonic()
            if self.validate is not None:   # the caller's measure of what a user gets
                score = row["val_score"] = float(self.validate(self.selected_model))
            else:
                res = evaluate_dataset(self.selected_model, self.val_set, self.device,
                                       self.batch_size, self.recipe.precision, self.info)
                row.update({f"val_{k}": v for k, v in res["overall"].items() if k != "count"})
                score = res["overall"].get(self.recipe.select_metric)
            self.validation_s = time.monotonic() - t
            if self.on_validation is not None and self.info.is_main:
                self.on_validation(self.selected_model, row)   # the row is complete here
        elif self.val_set is None:
            score = -float(np.mean(losses)) if losses else None  # no val split: lowest loss
        set_train_mode(self.net, self.recipe.norm_eval)
        self.logger.epoch(row)   # a run stopped mid-epoch (budget, max_iters) too: its last
        self.history.append(row)  # validation is often the one at the lowest learning rate
        improved = score is not None and (self.best_score is None or score > self.best_score)
        if score is not None and self.val_set is not None:
            self.stale_validations = 0 if improved else self.stale_validations + 1
        if improved:
            self.best_score, self.best_epoch = score, self.epoch
            if self.info.is_main:
                self._export(self.out_dir / BEST_FILE, {"selection": {
                    "metric": self.selection_metric, "score": score, "epoch": self.epoch,
                    "iteration": self.global_step}})
        barrier(self.info)

    def _card(self, extra: Dict[str, Any]) -> Dict[str, Any]:
        card = {
            "name": self.name,
            "training_data": {"datasets": self.meta, "train_split": self.recipe.train_split,
                              "train_samples": len(self.train_set),
                              "val_samples": len(self.val_set) if self.val_set else 0,
                              "test_samples": len(self.test_set) if self.test_set else 0},
            "gsd_m": self.gsd_m,
            "licence": self.recipe.licence,
            "training": {"recipe": self.recipe.name, "iterations": self.global_step,
                         "epochs": self.epoch, "input_size": self.size,
                         "world_size": self.info.world_size},
        }
        card.update(self.extra_card)
        card.update(extra)
        return card

    @property
    def selection_metric(self) -> str:
        """What the best checkpoint is chosen on: the caller's score (``val_score``), the
        recipe's metric on the validation crops, or the training loss without validation."""
        if self.val_set is None:
            return "-train_loss"
        return "val_score" if self.validate is not None else self.recipe.select_metric

    @property
    def selected_model(self) -> ReferringSegmenter:
        """What is validated and exported: the weights' moving average where the recipe
        keeps one, else the trained weights."""
        return self.ema.module if self.ema is not None else self.model

    def _export(self, path: Path, extra: Dict[str, Any]) -> Dict[str, Any]:
        model = self.selected_model
        if self.gsd_m and model.config.gsd_m != self.gsd_m:
            model.config = model.config.replace(gsd_m=self.gsd_m)
        return save_checkpoint(model, path, card=self._card(extra))

    def _finish(self, completed: bool) -> TrainResult:
        """Best model (or the last, with no selection) -> test metrics -> exported with its card."""
        best = self.out_dir / BEST_FILE
        metrics: Dict[str, Any] = {}
        if self.info.is_main and not best.is_file():
            self._export(best, {})
        barrier(self.info)
        from ..models.checkpoint import load_checkpoint

        chosen = load_checkpoint(best, self.device)
        for split, ds in (("val", self.val_set), ("test", self.test_set)):
            if ds is not None:
                metrics[split] = evaluate_dataset(chosen, ds, self.device, self.batch_size,
                                                  self.recipe.precision, self.info)
        export = None
        if self.info.is_main:
            if metrics:
                write_results(metrics, self.out_dir / "metrics", f"{self.name}: best model")
            card_metrics = {s: r["overall"] for s, r in metrics.items()}
            card = dict(getattr(chosen, "card", {}))
            card.update({"metrics": card_metrics or None, "completed": completed})
            for k in ("format", "format_version", "architecture", "config", "input",
                      "token_count", "weights_dtype", "weights_sha256", "created"):
                card.pop(k, None)
            save_checkpoint(chosen, best, card=card)
            if self.export_path is not None:
                save_checkpoint(chosen, self.export_path, card=card)
                export = self.export_path
            (self.out_dir / "result.json").write_text(json.dumps(
                {"completed": completed, "iterations": self.global_step, "epoch": self.epoch,
                 "stopped_early": self.stopped_early, "best_epoch": self.best_epoch,
                 "best_score": self.best_score,
                 "metrics": card_metrics, "best": str(best),
                 "export": str(export) if export else None}, indent=2))
        barrier(self.info)
        return TrainResult(self.out_dir, best, export, self.global_step, self.epoch, completed,
                           metrics)

    def close(self) -> None:
        cleanup(self.info)


def train(recipe: Recipe, data: Sequence[PathLike], out_dir: PathLike, **kwargs: Any
          ) -> TrainResult:
    """Build a :class:`Trainer`, run it, leave the process group."""
    trainer = Trainer(recipe, data, out_dir, **kwargs)
    try:
        return trainer.fit()
    finally:
        trainer.close()
