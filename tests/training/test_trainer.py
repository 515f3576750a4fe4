"""The trainer on the tiny config: the paper's parameter groups, poly LR, frozen BERT parts,
loss going down, resume == uninterrupted, and the exported checkpoint's card."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest
import torch

from helpers.refsegrs import write_refsegrs
from rrsis.errors import InputError
from rrsis.models import create_model, load_checkpoint, read_card
from rrsis.training.optim import param_groups, configure_trainable
from rrsis.training.recipe import Recipe
from rrsis.training.trainer import Trainer, train

# the tiny text encoder has 2 layers: training layer 0 only mirrors the paper's 10 of 12
TINY = Recipe(arch="test-lgce-tiny", epochs=2, batch_size=2, lr=1e-3, text_trainable_layers=1,
              num_workers=0, log_every=1000)


def test_parameter_groups_are_the_papers() -> None:
    model = create_model("test-lgce-tiny")
    configure_trainable(model, TINY)
    groups = param_groups(model, TINY)
    assert [g["name"] for g in groups] == ["backbone_no_decay", "backbone_decay", "classifier",
                                           "text_encoder"]
    assert [g["weight_decay"] for g in groups] == [0.0, 0.01, 0.01, 0.01]
    names = {id(p): n for n, p in model.named_parameters()}
    no_decay = {names[id(p)] for p in groups[0]["params"]}
    backbone = {n for n in names.values() if n.startswith("segmentation.backbone.")}
    expected = {n for n in backbone if "norm" in n or "relative_position_bias_table" in n}
    assert no_decay == expected and expected
    assert {names[id(p)] for p in groups[1]["params"]} == backbone - expected
    assert {names[id(p)] for p in groups[2]["params"]} == {
        n for n in names.values() if n.startswith("segmentation.classifier.")}
    assert {names[id(p)] for p in groups[3]["params"]} == {
        n for n in names.values() if n.startswith("text_encoder.encoder.layer.0.")}


def test_one_iteration_poly_lr_and_frozen_bert(tiny_dataset: Path, tmp_path: Path) -> None:
    trainer = Trainer(TINY, [tiny_dataset], tmp_path / "run", device="cpu")
    model = trainer.model
    frozen = {n: p.detach().clone() for n, p in model.text_encoder.named_parameters()
              if n.startswith("embeddings.") or n.startswith("encoder.layer.1.")}
    trained = {n: p.detach().clone() for n, p in model.text_encoder.named_parameters()
               if n.startswith("encoder.layer.0.")}
    assert trainer.total_iters == 2 * (8 // 2)
    lrs = []
    from rrsis.training.optim import set_train_mode
    set_train_mode(trainer.net)
    loader = trainer._epoch_loader(0, 0)
    for k, batch in enumerate(loader):
        lrs.append([g["lr"] for g in trainer.optimizer.param_groups])
        trainer.train_step(batch)
        assert model.segmentation.training and not model.text_encoder.training
        if k == 2:
            break
    for k, row in enumerate(lrs):
        assert row == pytest.approx([1e-3 * (1 - k / 8) ** 0.9] * 4)
    for n, p in model.text_encoder.named_parameters():
        if n in frozen:
            assert torch.equal(p, frozen[n]), n
    assert any(not torch.equal(p, trained[n]) for n, p in model.text_encoder.named_parameters()
               if n in trained)


def test_a_few_iterations_reduce_the_loss_on_a_fixed_batch(tiny_dataset: Path,
                                                           tmp_path: Path) -> None:
    trainer = Trainer(TINY.replace(epochs=100), [tiny_dataset], tmp_path / "run", device="cpu")
    from rrsis.training.optim import set_train_mode
    set_train_mode(trainer.net)
    batch = next(iter(trainer._epoch_loader(0, 0)))
    losses = [trainer.train_step(batch) for _ in range(12)]
    assert losses[-1] < 0.7 * losses[0], losses


def test_resume_equals_uninterrupted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_refsegrs(data, {"train": 8, "val": 2}, size=40, empty_every=4)
    recipe = TINY.replace(scale_range=(0.7, 1.3), random_crop=True, hflip=True)
    full = train(recipe, [data], tmp_path / "full", device="cpu")
    first = train(recipe.replace(max_iters=3), [data], tmp_path / "split", device="cpu")
    assert not first.completed and first.global_step == 3
    second = train(recipe, [data], tmp_path / "split", device="cpu",
                   resume=tmp_path / "split" / "state.pt")
    assert second.completed and second.global_step == full.global_step == 8
    a = torch.load(tmp_path / "full" / "state.pt", weights_only=True)
    b = torch.load(tmp_path / "split" / "state.pt", weights_only=True)
    for key, value in a["model"].items():
        assert torch.allclose(value.float(), b["model"][key].float(), atol=1e-6), key
    assert a["scheduler"]["last_epoch"] == b["scheduler"]["last_epoch"] == 8
    rows = (tmp_path / "split" / "iterations.csv").read_text().splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == [str(i) for i in range(1, 9)]


def test_a_run_stopped_mid_epoch_writes_its_last_validation(tmp_path: Path) -> None:
    """A budget or max_iters stop validates where it stopped (often the lowest learning rate
    of the run): that row is in epochs.csv, and a resumed run keeps it and adds its own."""
    import csv

    data = tmp_path / "data"
    write_refsegrs(data, {"train": 8, "val": 2}, size=40, empty_every=4)
    train(TINY.replace(max_iters=3), [data], tmp_path / "run", device="cpu")

    def rows() -> list:
        with (tmp_path / "run" / "epochs.csv").open(newline="") as f:
            return [(r["epoch"], r["iter"], r["val_oIoU"] != "") for r in csv.DictReader(f)]

    assert rows() == [("0", "3", True)]
    train(TINY, [data], tmp_path / "run", device="cpu", resume=tmp_path / "run" / "state.pt")
    assert rows() == [("0", "3", True), ("0", "4", True), ("1", "8", True)]


def test_export_has_a_filled_card(tiny_dataset: Path, tmp_path: Path) -> None:
    (tiny_dataset / "dataset.json").write_text('{"gsd_m": 0.3, "source": "test"}')
    result = train(TINY.replace(epochs=1), [tiny_dataset], tmp_path / "run", device="cpu",
                   export_path=tmp_path / "out.safetensors", name="tiny-region")
    card = read_card(tmp_path / "out.safetensors")
    assert card["name"] == "tiny-region" and card["gsd_m"] == 0.3
    assert card["training_data"]["train_samples"] == 8
    assert set(card["metrics"]) == {"val", "test"}
    assert card["metrics"]["test"]["count"] == 4
    assert load_checkpoint(tmp_path / "out.safetensors").config.gsd_m == 0.3
    for name in ("iterations.csv", "epochs.csv", "curves.png", "metrics.json", "metrics.md"):
        assert (tmp_path / "run" / name).is_file(), name
    assert result.metrics["test"]["overall"] == card["metrics"]["test"]


def test_more_draws_join_the_training_split_only(tiny_dataset: Path, tmp_path: Path) -> None:
    """Other crops of the same training places (``more_train``) add training samples; the
    validation and test splits stay those of ``data``, so runs with and without compare."""
    draw = tmp_path / "draw1"
    write_refsegrs(draw, {"train": 6, "val": 3, "test": 3})
    plain = Trainer(TINY, [tiny_dataset], tmp_path / "a", device="cpu")
    more = Trainer(TINY, [tiny_dataset], tmp_path / "b", device="cpu", more_train=[draw])
    assert (len(plain.train_set), len(more.train_set)) == (8, 14)
    assert len(more.val_set) == len(plain.val_set) == 4
    assert len(more.test_set) == 4
    assert more.iters_per_epoch == 7 and len(more.meta) == 2
    with pytest.raises(InputError, match="dataset folder not found"):
        Trainer(TINY, [tiny_dataset], tmp_path / "c", device="cpu", more_train=[tmp_path / "no"])


def test_validation_cadence_follows_its_cost(tiny_dataset: Path, tmp_path: Path) -> None:
    """A long run with a small validation split validates often (up to 20 times), so a best
    checkpoint reached early is not skipped; a short run still validates at least 4 times."""
    trainer = Trainer(TINY, [tiny_dataset], tmp_path / "run", device="cpu")
    assert trainer.val_set is not None
    trainer.plan_iterations(4000)            # 1000 epochs of 4 iterations
    assert trainer.recipe.eval_every_epochs == 1000 // 20
    trainer.plan_iterations(8)               # 2 epochs: every epoch
    assert trainer.recipe.eval_every_epochs == 1
    big = len(trainer.val_set) / (3.0 * trainer.batch_size)   # cost of one validation, in steps
    assert trainer._validations(int(4 * big / 0.05)) == 4
    assert trainer._validations(round(10.5 * big / 0.05)) == 10
    trainer.close()


def test_weight_average_is_what_is_validated_and_exported(tiny_dataset: Path,
                                                          tmp_path: Path) -> None:
    """With ``ema_decay`` the model validated and exported is the moving average of the
    weights (timm's ModelEmaV3), not the last trained ones."""
    trainer = Trainer(TINY.replace(ema_decay=0.9), [tiny_dataset], tmp_path / "run",
                      device="cpu")
    start = {k: v.detach().clone() for k, v in trainer.model.state_dict().items()}
    trainer.fit()
    trainer.close()
    assert trainer.selected_model is trainer.ema.module
    trained, average = trainer.model.state_dict(), trainer.ema.module.state_dict()
    moved = [k for k, v in trained.items() if v.is_floating_point()
             and not torch.equal(v, start[k])]
    assert moved and any(not torch.allclose(average[k], trained[k]) for k in moved)
    trainer._export(tmp_path / "average.safetensors", {})
    exported = load_checkpoint(tmp_path / "average.safetensors").state_dict()
    for k in moved:
        assert torch.allclose(exported[k].float(), average[k].float(), atol=1e-6), k
    plain = Trainer(TINY, [tiny_dataset], tmp_path / "plain", device="cpu")
    assert plain.ema is None and plain.selected_model is plain.model
    plain.close()


def test_init_decay_pulls_the_trained_weights_back_to_their_start(tiny_dataset: Path,
                                                                    tmp_path: Path) -> None:
    """``init_decay``: after each step a weight moves ``lr x init_decay`` of its way back to
    where training started; at a rate of 1 it is back there after every step, and a small
    rate keeps it nearer than plain training does (same seed, same batches)."""
    def trained(recipe: Recipe, name: str) -> Dict[str, torch.Tensor]:
        trainer = Trainer(recipe, [tiny_dataset], tmp_path / name, device="cpu")
        start = {n: p.detach().clone() for n, p in trainer.model.named_parameters()
                 if p.requires_grad}
        trainer.fit()
        trainer.close()
        now = dict(trainer.model.named_parameters())
        return {n: now[n].detach() - s for n, s in start.items()}

    plain = trained(TINY, "plain")
    pinned = trained(TINY.replace(init_decay=1e9), "pinned")   # a rate of 1 at any lr
    assert all(torch.equal(d, torch.zeros_like(d)) for d in pinned.values())
    pulled = trained(TINY.replace(init_decay=0.2 / TINY.lr), "pulled")
    drift = {k: sum(float(d.norm()) ** 2 for d in run.values())
             for k, run in (("plain", plain), ("pulled", pulled))}
    assert 0 < drift["pulled"] < drift["plain"]
    with pytest.raises(InputError, match="init_decay"):
        Trainer(TINY.replace(init_decay=-1.0), [tiny_dataset], tmp_path / "bad", device="cpu")


def test_weight_average_resumes_with_the_run(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_refsegrs(data, {"train": 8, "val": 2}, size=40)
    recipe = TINY.replace(ema_decay=0.9)
    full = train(recipe, [data], tmp_path / "full", device="cpu")
    train(recipe.replace(max_iters=3), [data], tmp_path / "split", device="cpu")
    second = train(recipe, [data], tmp_path / "split", device="cpu",
                   resume=tmp_path / "split" / "state.pt")
    assert second.global_step == full.global_step == 8
    a = torch.load(tmp_path / "full" / "state.pt", weights_only=True)["ema"]
    b = torch.load(tmp_path / "split" / "state.pt", weights_only=True)["ema"]
    for key, value in a.items():
        assert torch.allclose(value.float(), b[key].float(), atol=1e-6), key


def test_a_weight_average_decay_out_of_range_is_refused(tiny_dataset: Path,
                                                        tmp_path: Path) -> None:
    from rrsis.errors import InputError
    with pytest.raises(InputError, match="ema_decay"):
        Trainer(TINY.replace(ema_decay=1.5), [tiny_dataset], tmp_path / "run", device="cpu")


def test_patience_stops_a_run_that_stopped_improving(tiny_dataset: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``patience`` N the run ends once N validations in a row have not beaten the best,
    the best checkpoint is the one exported, and result.json says the run stopped early.
    The validation scores are scripted (1 improvement, then none) to pin the rule."""
    import json

    import rrsis.training.trainer as trainer_module

    scores = iter([0.5, 0.6, 0.55, 0.6, 0.4, 0.3, 0.2, 0.1])
    real = trainer_module.evaluate_dataset

    def scripted(*args, **kwargs):  # type: ignore[no-untyped-def]
        res = real(*args, **kwargs)
        res["overall"]["oIoU"] = next(scores)
        return res

    monkeypatch.setattr(trainer_module, "evaluate_dataset", scripted)
    trainer = Trainer(TINY.replace(epochs=8, patience=3), [tiny_dataset], tmp_path / "run",
                      device="cpu")
    result = trainer.fit()
    trainer.close()
    assert trainer.stopped_early and not result.completed
    assert trainer.epoch == 5                  # validations 0.5, 0.6 (best), then 3 not better
    assert trainer.best_epoch == 1 and trainer.best_score == 0.6
    saved = json.loads((tmp_path / "run" / "result.json").read_text())
    assert saved["stopped_early"] and saved["best_epoch"] == 1
    state = torch.load(tmp_path / "run" / "state.pt", weights_only=True)
    assert state["stale_validations"] == 3


def test_without_patience_a_run_goes_to_its_end(tiny_dataset: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import rrsis.training.trainer as trainer_module

    real = trainer_module.evaluate_dataset

    def falling(*args, **kwargs):  # type: ignore[no-untyped-def]
        res = real(*args, **kwargs)
        res["overall"]["oIoU"] = -float(trainer.epoch)
        return res

    monkeypatch.setattr(trainer_module, "evaluate_dataset", falling)
    trainer = Trainer(TINY.replace(epochs=4), [tiny_dataset], tmp_path / "run", device="cpu")
    result = trainer.fit()
    trainer.close()
    assert result.completed and not trainer.stopped_early and trainer.epoch == 4
    assert trainer.stale_validations == 3


def test_soft_dice_loss_leaves_ignored_pixels_out() -> None:
    from rrsis.training.trainer import soft_dice_loss

    target = torch.tensor([[[1, 0], [-100, 1]]])
    logits = torch.zeros(1, 2, 2, 2)
    logits[:, 1] = torch.tensor([[20.0, -20.0], [20.0, 20.0]])   # right where it counts
    assert soft_dice_loss(logits, target) < 1e-3
    logits[:, 1, 1, 0] = -20.0                     # the ignored pixel changes nothing
    assert soft_dice_loss(logits, target) < 1e-3
    logits[:, 1] = -logits[:, 1]                    # wrong everywhere
    assert soft_dice_loss(logits, target) > 0.6


def test_a_dice_weight_adds_to_the_loss(tiny_dataset: Path, tmp_path: Path) -> None:
    torch.manual_seed(0)
    plain = Trainer(TINY, [tiny_dataset], tmp_path / "a", device="cpu")
    torch.manual_seed(0)
    dice = Trainer(TINY.replace(dice_weight=1.0), [tiny_dataset], tmp_path / "b", device="cpu")
    dice.model.load_state_dict(plain.model.state_dict())
    from rrsis.training.optim import set_train_mode
    for t in (plain, dice):
        set_train_mode(t.net)
    batch = next(iter(plain._epoch_loader(0, 0)))
    assert dice.train_step(batch) > plain.train_step(batch)
    plain.close()
    dice.close()


def test_a_time_budget_keeps_room_for_the_validation_its_stop_runs(tiny_dataset: Path,
                                                                    tmp_path: Path) -> None:
    """A run stopped by its budget validates where it stopped: it stops as long before the
    budget as its last validation took, so that validation ends inside the budget."""
    import time

    trainer = Trainer(TINY.replace(time_budget_s=60.0), [tiny_dataset], tmp_path / "run",
                      device="cpu")
    started = time.monotonic() - 50.0            # 50 s of the 60 s budget gone
    assert not trainer._should_stop(started)
    trainer._select([0.5])                       # a validation: its time is measured
    assert trainer.validation_s > 0
    trainer.validation_s = 15.0                  # ... as one of 15 s would be
    assert trainer._should_stop(started)
