"""The ``rrsis`` command as a user runs it: a real subprocess of the installed entry point."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import torch

from rrsis.cli import COMMANDS
from rrsis.models import create_model, load_checkpoint

RRSIS = [sys.executable, "-m", "rrsis"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*RRSIS, *args], capture_output=True, text=True, timeout=120)


def test_help_lists_every_command_without_importing_torch() -> None:
    out = _run("--help")
    assert out.returncode == 0
    for name in COMMANDS:
        assert name in out.stdout
    probe = subprocess.run([sys.executable, "-c", "import sys, rrsis.cli; rrsis.cli.build_parser();"
                            "print('torch' in sys.modules)"], capture_output=True, text=True)
    assert probe.stdout.strip() == "False"


def test_convert_public_checkpoint_then_selftest(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = create_model("test-lgce-tiny")
    torch.save({"model": model.segmentation.state_dict(),
                "bert_model": model.text_encoder.state_dict(), "epoch": 3,
                "args": argparse.Namespace(window12=True)}, tmp_path / "public.pth")
    out = _run("convert", str(tmp_path / "public.pth"), "--arch", "test-lgce-tiny", "--gsd", "0.13",
               "--name", "tiny", "-o", str(tmp_path / "tiny.safetensors"))
    assert out.returncode == 0, out.stderr
    converted = load_checkpoint(tmp_path / "tiny.safetensors")
    assert converted.card["gsd_m"] == 0.13 and converted.card["name"] == "tiny"
    for a, b in zip(model.state_dict().values(), converted.state_dict().values()):
        assert torch.equal(a, b)
    test = _run("selftest", "--model", str(tmp_path / "tiny.safetensors"), "--device", "cpu", "--json")
    assert test.returncode == 0, test.stderr
    report = json.loads(test.stdout)
    assert report["ok"] and report["forward"]["shape"] == [1, 1, 64, 64]
    assert report["forward"]["runtime"] == "torch"  # a checkpoint without a graph


def test_user_errors_are_one_clear_line(tmp_path: Path) -> None:
    out = _run("convert", str(tmp_path / "missing.pth"), "-o", str(tmp_path / "x.safetensors"))
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1].startswith("rrsis convert: error: checkpoint not found")
    assert not (tmp_path / "x.safetensors").exists()
