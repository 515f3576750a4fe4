"""The ``rrsis`` command as a user runs it: a real subprocess of the installed entry point."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import torch

import rrsis
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
    assert report["backend"] == rrsis.__version__  # the key the protocol's hello uses
    assert report["forward"]["runtime"] == "torch"  # a checkpoint without a graph


def test_user_errors_are_one_clear_line(tmp_path: Path) -> None:
    out = _run("convert", str(tmp_path / "missing.pth"), "-o", str(tmp_path / "x.safetensors"))
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1].startswith("rrsis convert: error: checkpoint not found")
    assert not (tmp_path / "x.safetensors").exists()


def test_an_unreadable_raster_is_one_line_with_gdals_reason(tmp_path: Path) -> None:
    """GDAL's complaints were logged beside the error (three "INFO rasterio._err" lines) and
    the error itself said "Read failed. See previous exception for details"."""
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    path = tmp_path / "cut.tif"
    with rasterio.open(path, "w", driver="GTiff", width=256, height=256, count=3, dtype="uint8",
                       crs="EPSG:32617", transform=from_origin(500_000, 4_000_000, 0.5, 0.5),
                       tiled=True, blockxsize=64, blockysize=64) as ds:
        ds.write(np.random.default_rng(3).integers(0, 256, (3, 256, 256), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:20_000])
    out = _run("segment", str(path), "buildings", "-o", str(tmp_path / "out.gpkg"))
    lines = [ln for ln in out.stderr.strip().splitlines() if "tile/s" not in ln]  # progress
    assert out.returncode == 1 and len(lines) == 1, lines
    assert lines[0].startswith("rrsis segment: error: cannot read") and "cut.tif" in lines[0]
    assert "previous exception" not in lines[0]
    assert not (tmp_path / "out.gpkg").exists()


def test_every_command_lives_in_one_module_of_the_cli_package() -> None:
    """COMMANDS names each command's module; that module defines its two functions."""
    import importlib

    for name, (module, help_text) in COMMANDS.items():
        mod = importlib.import_module(f"rrsis.cli.{module}")
        ident = name.replace("-", "_")
        assert callable(getattr(mod, f"add_arguments_{ident}")), name
        assert callable(getattr(mod, f"run_{ident}")), name
        assert help_text.strip()
    folder = Path(importlib.import_module("rrsis.cli").__file__).parent
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__", "__main__", "main"}
    assert modules == {m for m, _ in COMMANDS.values()}  # no command module left unlisted


def test_old_command_paths_warn_and_forward() -> None:
    import importlib

    import pytest

    old_to_new = {"rrsis.engine.commands": ("rrsis.cli.segment", "run_segment"),
                  "rrsis.grounding.commands": ("rrsis.cli.explain", "run_explain"),
                  "rrsis.batch.commands": ("rrsis.cli.batch", "run_batch"),
                  "rrsis.model_commands": ("rrsis.cli.models", "run_selftest"),
                  "rrsis.training.commands": ("rrsis.cli.training", "run_train"),
                  "rrsis.onnx_export": ("rrsis.cli.models", "run_export_onnx"),
                  "rrsis.server": ("rrsis.cli.serve", "run_serve")}
    for old, (new, name) in old_to_new.items():
        with pytest.warns(DeprecationWarning, match=new):
            got = getattr(importlib.import_module(old), name)
        assert got is getattr(importlib.import_module(new), name)


def test_a_reader_that_goes_away_is_not_a_traceback() -> None:
    """`rrsis explain ... | head -1`: the pipe closes before the output is written (about
    420 kB of plans: far more than a pipe holds, so the writer is still writing)."""
    proc = subprocess.Popen([sys.executable, "-m", "rrsis", "explain"]
                            + [f"cars along road {i}" for i in range(2000)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()  # what `head` does once it has its lines
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err
