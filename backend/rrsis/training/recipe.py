"""A training recipe is data: one frozen dataclass, loaded from YAML, overridable per run.

The paper's recipe (``refsegrs_lgce.yaml``) is these defaults; the CPU fine-tuning recipe
(``finetune_cpu.yaml``) changes a handful of fields. The recipes are package data
(``rrsis/training/configs/``, read through :mod:`rrsis.package_data`), so an installed
backend has them too. Unknown keys in a YAML file are an error, so a typo never silently
falls back to a default.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional, Tuple, Union

from ..errors import InputError
from ..package_data import package_file

__all__ = ["Recipe", "load_recipe", "recipe_from_dict", "resolve_recipe", "recipe_dirs"]


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a training run except the data location and output folder."""

    name: str = "refsegrs-lgce"
    arch: str = "lgce-swin-b"                  # registry name (rrsis.models.MODELS)
    # --- initialisation (paths given by the user; nothing is downloaded) ---------------------
    init_checkpoint: Optional[str] = None      # rrsis .safetensors (or model name) to start from
    swin_pretrained: Optional[str] = None      # swin_base_patch4_window12_384_22k.pth
    bert_pretrained: Optional[str] = None      # local bert-base-uncased directory
    # --- optimisation (AdamW, the paper's four parameter groups) -----------------------------
    lr: float = 5e-5
    weight_decay: float = 0.01
    betas: Tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    no_decay_keywords: Tuple[str, ...] = ("norm", "absolute_pos_embed",
                                          "relative_position_bias_table")
    text_trainable_layers: int = 10            # BERT encoder.layer[0..n-1] trained; 0 = text frozen
    freeze_backbone: bool = False
    frozen_stages: int = 0                     # visual stem + first n stages frozen (low-level
    #                                            ImageNet filters: cheaper steps, less overfit)
    norm_eval: str = "none"                    # BatchNorms that keep their running statistics
    #                                            in training: none | frozen (those whose
    #                                            weights are frozen) | all
    # --- schedule -------------------------------------------------------------------------
    epochs: int = 40
    batch_size: int = 8                        # in total, split over the processes
    poly_power: float = 0.9                    # lr * (1 - it / total) ** power, every iteration
    warmup_iters: int = 0
    max_iters: Optional[int] = None            # stop early (state saved; resume continues)
    time_budget_s: Optional[float] = None      # stop after this wall time (state saved)
    budget_schedule: bool = False              # size the LR schedule to the time budget from
    #                                            the measured step time (finishes, not cut)
    # --- data ------------------------------------------------------------------------------
    input_size: Optional[int] = None           # None: the model's input size (480 for the paper)
    train_split: str = "train"
    val_split: Optional[str] = "val"           # model selection
    test_split: Optional[str] = "test"         # final numbers
    scale_range: Optional[Tuple[float, float]] = None  # random rescale, then random crop to size
    random_crop: bool = False
    hflip: bool = False
    rot90: bool = False                        # random quarter turns (nadir imagery has no "up")
    grayscale_p: float = 0.0                   # share of samples shown in grey (panchromatic)
    stretch_jitter: float = 0.0                # random re-stretch (low, high) by up to this
    #                                            share of the range: the engine's stretch
    #                                            follows the requested area
    gamma_jitter: float = 0.0                  # random gamma exp(U(-a, a)) per sample:
    #                                            dark roofs and shadows in other tones
    copy_paste: float = 0.0                    # share of plain-category samples that get
    #                                            1-3 objects of others pasted in
    #                                            (datasets/copy_paste.py)
    num_workers: int = 2
    # --- loss and numerics ------------------------------------------------------------------
    loss_weights: Tuple[float, float] = (0.9, 1.1)
    dice_weight: float = 0.0                   # > 0: plus this x the batch's soft Dice loss
    #                                            on the foreground (an overlap loss: small
    #                                            objects weigh as their share of the union)
    precision: str = "fp32"                    # fp32 | bf16 | fp16 (CUDA autocast)
    grad_clip: Optional[float] = None
    ema_decay: float = 0.0                     # > 0: validate and export a moving average of
    #                                            the weights (timm's ModelEmaV3 with warm-up:
    #                                            it spans (1 + step) ** 2/3 iterations, 100 at
    #                                            step 1,000, at most 1 / (1 - ema_decay))
    init_decay: float = 0.0                    # > 0: after each step, every trained weight
    #                                            moves lr x this of its way back to where
    #                                            training started (decoupled, as AdamW's decay
    #                                            is to 0: fine-tuning on a few objects drifts
    #                                            less from what the base knew)
    seed: int = 0
    # --- logging / selection ----------------------------------------------------------------
    log_every: int = 10
    eval_every_epochs: int = 1
    select_metric: str = "oIoU"
    patience: int = 0                          # > 0: stop once this many validations in a row
    #                                            have not beaten the best (a time budget is
    #                                            not spent on a model that stopped improving)
    licence: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)

    def replace(self, **changes: Any) -> "Recipe":
        return dataclasses.replace(self, **{k: _coerce(k, v) for k, v in changes.items()})

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


_FIELDS = {f.name: f for f in dataclasses.fields(Recipe)}


def _coerce(key: str, value: Any) -> Any:
    if key not in _FIELDS:
        raise InputError(f"unknown recipe key {key!r}; known: {', '.join(sorted(_FIELDS))}")
    return tuple(value) if isinstance(value, list) else value


def recipe_from_dict(data: Dict[str, Any]) -> Recipe:
    return Recipe(**{k: _coerce(k, v) for k, v in (data or {}).items()})


def load_recipe(path: Union[str, Path], **overrides: Any) -> Recipe:
    """YAML file -> :class:`Recipe`; ``overrides`` (not None) replace fields."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise InputError(f"recipe not found: {path}")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path.name} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path.name}: a recipe is a mapping of keys to values")
    recipe = recipe_from_dict(data)
    changes = {k: v for k, v in overrides.items() if v is not None}
    return recipe.replace(**changes) if changes else recipe


def recipe_dirs() -> list:
    """The folder of the recipes shipped with the package (``rrsis/training/configs``)."""
    configs = package_file("rrsis.training", "configs")
    return [configs] if isinstance(configs, Path) and configs.is_dir() else []


def __getattr__(name: str) -> Any:
    """``BUILTIN_RECIPES`` (a copy of ``finetune_cpu.yaml``) is deprecated: the YAML ships
    with the package now; use ``resolve_recipe("finetune_cpu")``."""
    if name == "BUILTIN_RECIPES":
        import warnings

        import yaml

        warnings.warn("rrsis.training.recipe.BUILTIN_RECIPES is deprecated: use "
                      "resolve_recipe('finetune_cpu')", DeprecationWarning, stacklevel=2)
        text = package_file("rrsis.training", "configs", "finetune_cpu.yaml").read_text()
        return {"finetune_cpu": yaml.safe_load(text)}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def resolve_recipe(name_or_path: Union[str, Path], **overrides: Any) -> Recipe:
    """A YAML path or the name of a shipped recipe (``finetune_cpu``, ``finetune_cpu.yaml``,
    ``training/configs/finetune_cpu.yaml``) -> :class:`Recipe`."""
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return load_recipe(path, **overrides)
    stem = path.name[:-5] if path.name.endswith(".yaml") else path.name
    for d in recipe_dirs():
        candidate = d / f"{stem}.yaml"
        if candidate.is_file():
            return load_recipe(candidate, **overrides)
    shipped = sorted(p.stem for d in recipe_dirs() for p in d.glob("*.yaml"))
    raise InputError(f"recipe not found: {name_or_path} (a YAML file, or one of "
                     f"{', '.join(shipped)})")
