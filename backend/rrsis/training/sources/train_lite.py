"""Train ``lgce-lite`` with the generic trainer: data from ``shared/data``, pretrained parts.

    python -m rrsis.training.sources.train_lite --data-root ../shared/data --out runs/lgce-lite

Builds the three dataset folders (if absent) with :func:`rrsis.training.sources.build_all`,
initialises the model with :func:`rrsis.models.pretrained.init_pretrained`, keeps the
stem and the first block stages of the visual encoder frozen (the recipe's ``frozen_stages``,
or ``--frozen-stages``), then runs
:class:`rrsis.training.trainer.Trainer` with the shipped recipe ``lgce_lite``.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import List, Optional

from ...device import set_threads
from ...errors import InputError, run_tool
from ...models import create_model
from ...models.pretrained import init_pretrained
from ...models.registry import get_config
from ..recipe import resolve_recipe
from ..trainer import Trainer
from . import build_all, dataset_folders

__all__ = ["main"]


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data-root", default="../shared/data")
    p.add_argument("--datasets", default="runs/data", help="where the built folders go")
    p.add_argument("--out", default="runs/lgce-lite")
    p.add_argument("--recipe", default="lgce_lite")
    p.add_argument("--arch", default=None, help="model architecture instead of the recipe's "
                                                "(lgce-lite2: the EfficientNet-Lite2 variant)")
    p.add_argument("--frozen-stages", type=int, default=None,
                   help="visual stem + this many stages frozen (default: the recipe's)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rebuild", action="store_true")
    p.add_argument("--draws", type=int, default=0,
                   help="this many more draws of training crops from the same training places "
                        "(seeds 1..N, built under DATASETS/draw<k>); validation stays seed 0's")
    p.add_argument("--size", type=int, default=None,
                   help="side of the built crops and of the training input in pixels (default: "
                        "the recipe's input_size); DATASETS must hold crops of that side")
    p.add_argument("--resume", default=None)
    p.add_argument("--export", default=None)
    p.add_argument("--time-budget", type=float, default=None)
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--max-iters", type=int, default=None,
                   help="stop after this many iterations (the LR decays over them); with "
                        "--time-budget 0 the run is sized by iterations, not time")
    p.add_argument("--init", default=None,
                   help="continue from an rrsis checkpoint (e.g. the best model of a first run) "
                        "instead of the ImageNet/MiniLM initialisation")
    args = p.parse_args(argv)
    return run_tool(lambda: _train(args, argv))


def _train(args: argparse.Namespace, argv: Optional[List[str]]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    set_threads(args.threads)
    started = time.time()
    recipe = resolve_recipe(args.recipe, time_budget_s=args.time_budget, epochs=args.epochs,
                            lr=args.lr, arch=args.arch, frozen_stages=args.frozen_stages,
                            input_size=args.size)
    side = recipe.input_size or get_config(recipe.arch).input_size   # as the trainer reads it
    draws = []   # seed 0 in DATASETS itself (its val and test are the run's), seed k in drawk
    for seed in range(args.draws + 1):
        root = Path(args.datasets) / (f"draw{seed}" if seed else "")
        draw = dataset_folders(root)
        if args.rebuild or not all((f / "dataset.json").is_file() for f in draw):
            build_all(Path(args.data_root), root, size=side, seed=seed)
        draws.append(draw)
    check_crop_side(draws, side)
    folders, more_train = draws[0], [f for draw in draws[1:] for f in draw]
    import torch

    torch.manual_seed(recipe.seed)
    if args.init:
        from ...models.catalog import find_model
        from ...models.checkpoint import load_checkpoint

        model = load_checkpoint(find_model(args.init), "cpu")
    else:
        model = create_model(recipe.arch)
        init_pretrained(model)
    trainer = Trainer(recipe, folders, args.out, device="cpu", resume=args.resume,
                      export_path=args.export, name="lgce-lite", model=model, gsd_m=0.15,
                      more_train=more_train)
    if args.max_iters:
        trainer.plan_iterations(args.max_iters)
    frozen = sum(p.numel() for p in trainer.model.segmentation.parameters()
                 if not p.requires_grad)
    logging.info("frozen encoder parameters: %d; train iterations: %d", frozen, trainer.total_iters)
    try:
        result = trainer.fit()
    finally:
        trainer.close()
    import sys

    summary = {"command": "python -m rrsis.training.sources.train_lite "
                          + " ".join(sys.argv[1:] if argv is None else argv),
               "init": args.init, "completed": result.completed,
               "iterations": result.global_step,
               "wall_time_s": round(time.time() - started, 1), "best": str(result.best_path),
               "metrics": {k: v.get("overall") for k, v in result.metrics.items()}}
    (Path(args.out) / "train_lite.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


def check_crop_side(draws: List[List[Path]], size: int) -> None:
    """Crops of another side than the input would be rescaled by the scale jitter's random
    crop without a word: say so instead (rebuild, or point --datasets elsewhere)."""
    for folder in (f for draw in draws for f in draw):
        built = json.loads((folder / "dataset.json").read_text()).get("tile_size")
        if built and built != size:
            raise InputError(f"{folder} holds {built} px crops, the run trains on {size} px: "
                             "pass --rebuild or another --datasets folder")


if __name__ == "__main__":
    raise SystemExit(main())
