"""`rrsis evaluate`, `rrsis finetune` and `torchrun training/train.py` as real subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from helpers.refsegrs import write_refsegrs
from rrsis.models import create_model, save_checkpoint

REPO = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", XDG_DATA_HOME=str(tmp_path / "xdg"),
               RRSIS_MODEL_DIR="")
    return env


def _rrsis(args: list, tmp_path: Path, timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rrsis", *args], capture_output=True, text=True,
                          env=_env(tmp_path), timeout=timeout, cwd=tmp_path)


def _constant_model(path: Path, foreground: bool) -> None:
    """A tiny model whose prediction is all foreground (or all background), by its weights."""
    m = create_model("test-lgce-tiny")
    with torch.no_grad():
        m.segmentation.classifier.conv1_1.weight.zero_()
        m.segmentation.classifier.conv1_1.bias.copy_(torch.tensor([0.0, 1.0] if foreground
                                                                  else [1.0, 0.0]))
    save_checkpoint(m, path, card={"name": path.stem})


def test_evaluate_command_by_hand(tmp_path: Path) -> None:
    data = tmp_path / "data"
    rows = write_refsegrs(data, {"test": 4}, size=40, empty_every=4)
    _constant_model(tmp_path / "fg.safetensors", foreground=True)
    proc = _rrsis(["evaluate", str(tmp_path / "fg.safetensors"), "--data", str(data),
                   "--split", "test", "--out", str(tmp_path / "res"), "--device", "cpu"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    res = json.loads((tmp_path / "res.json").read_text())["test"]["overall"]
    # all-foreground prediction at 64x64: I = |gt| (nearest-resized), U = 64*64, IoU 0 if I = 0
    sizes = []
    for sid, _ in rows["test"]:
        m = Image.open(data / "masks" / f"{sid}.tif").resize((64, 64), Image.NEAREST)
        sizes.append(int((np.asarray(m) > 50).sum()))
    assert res["oIoU"] == pytest.approx(sum(sizes) / (4 * 64 * 64))
    assert res["mIoU"] == pytest.approx(np.mean([s / 4096 for s in sizes]))
    assert "| test | 4 |" in (tmp_path / "res.md").read_text()
    _constant_model(tmp_path / "bg.safetensors", foreground=False)
    proc = _rrsis(["evaluate", str(tmp_path / "bg.safetensors"), "--data", str(data),
                   "--split", "test", "--out", str(tmp_path / "bg"), "--device", "cpu"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "bg.json").read_text())["test"]["overall"]["oIoU"] == 0.0


def test_evaluate_reports_a_missing_split_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_refsegrs(data, {"test": 1}, size=16)
    _constant_model(tmp_path / "m.safetensors", foreground=True)
    proc = _rrsis(["evaluate", str(tmp_path / "m.safetensors"), "--data", str(data),
                   "--split", "val"], tmp_path)
    assert proc.returncode == 1 and "no split 'val'" in proc.stderr


def test_finetune_exports_a_model_the_catalog_lists(tmp_path: Path) -> None:
    data = tmp_path / "region"
    write_refsegrs(data, {"train": 4, "val": 2, "test": 2}, size=40)
    start = tmp_path / "start.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), start, card={"name": "start"})
    proc = _rrsis(["finetune", "--model", str(start), "--data", str(data), "--epochs", "1",
                   "--batch-size", "2", "--device", "cpu", "--out", str(tmp_path / "run")],
                  tmp_path)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout[proc.stdout.index("{\n"):])
    assert summary["model"] == "start-region"
    assert set(summary["before"]) == set(summary["after"]) == {"test"}
    assert (tmp_path / "run" / "before_after.md").is_file()
    recipe = json.loads((tmp_path / "run" / "recipe.json").read_text())
    assert recipe["arch"] == "test-lgce-tiny"              # the checkpoint's, not lgce-swin-b
    listed = subprocess.run(
        [sys.executable, "-c", "import json; from rrsis.models.catalog import available_models;"
         "print(json.dumps([m['name'] for m in available_models()]))"],
        capture_output=True, text=True, env=_env(tmp_path), check=True)
    assert "start-region" in json.loads(listed.stdout)
    exported = tmp_path / "xdg" / "rrsis" / "models" / "start-region.safetensors"
    from rrsis.models import read_card
    card = read_card(exported)
    assert card["finetuned_from"] == "start.safetensors" and card["metrics"]["test"]["count"] == 2


def test_torchrun_two_processes_on_cpu(tmp_path: Path) -> None:
    torchrun = shutil.which("torchrun") or str(Path(sys.executable).parent / "torchrun")
    if not Path(torchrun).exists():
        pytest.skip("torchrun is not available")
    data = tmp_path / "data"
    write_refsegrs(data, {"train": 8, "val": 2}, size=40)
    (tmp_path / "r.yaml").write_text("arch: test-lgce-tiny\nepochs: 1\nbatch_size: 4\n"
                                     "num_workers: 0\nlr: 0.001\n")
    proc = subprocess.Popen(
        [torchrun, "--standalone", "--nproc_per_node=2", str(REPO / "training" / "train.py"),
         "--recipe", str(tmp_path / "r.yaml"), "--data", str(data), "--out",
         str(tmp_path / "run"), "--device", "cpu", "--threads", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path),
        cwd=tmp_path, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)        # torchrun and both ranks, nothing left behind
        proc.communicate()
        pytest.fail("torchrun did not finish in 180 s")
    assert proc.returncode == 0, err[-3000:]
    rows = (tmp_path / "run" / "iterations.csv").read_text().splitlines()
    assert len(rows) == 1 + 2                       # 8 samples / (2 ranks x 2 per rank): 2 steps
    state = torch.load(tmp_path / "run" / "state.pt", weights_only=True)
    assert state["world_size"] == 2 and len(state["rng"]) == 2 and state["global_step"] == 2
