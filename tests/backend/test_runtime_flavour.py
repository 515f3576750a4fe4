"""The torch-free install (``rrsis[runtime]``, ``make setup-runtime``) as a user meets it.

Runs the interpreter of ``.venv-runtime`` (``RRSIS_RUNTIME_PYTHON``, set by ``make test``)
as a real subprocess: torch is absent there, the bundled sample is segmented for real
with ONNX Runtime, and the buildings match the torch path of this (full) interpreter.
Skipped when no runtime venv exists (a fresh clone before ``make setup-runtime``).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import List

import pyogrio.raw
import pytest
from shapely import union_all, wkb

from rrsis.engine.run import SegmentOptions, segment
from rrsis.protocol import PROTOCOL_VERSION, Hello, Request, decode, encode

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "kampala_oam.tif"


def runtime_python() -> str:
    path = os.environ.get("RRSIS_RUNTIME_PYTHON") or str(REPO / ".venv-runtime" / "bin" / "python")
    if not os.access(path, os.X_OK):
        pytest.skip(f"no runtime venv at {path} (make setup-runtime)")
    return path


def _run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([runtime_python(), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def _union(path: Path):  # type: ignore[no-untyped-def]
    _, _, geometry, _ = pyogrio.raw.read(str(path), layer="rrsis")
    return union_all([wkb.loads(bytes(g)) for g in geometry])


def test_torch_is_not_importable_and_inference_modules_are() -> None:
    probe = _run("-c", "import torch")
    assert probe.returncode != 0 and "No module named 'torch'" in probe.stderr
    probe = _run("-c", "import sys, rrsis.engine.run, rrsis.server, rrsis.engine.onnx_predictor;"
                 "print(sorted(m for m in ('torch', 'transformers', 'timm') if m in sys.modules))")
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "[]"


def test_segment_writes_the_same_buildings_as_torch(tmp_path: Path) -> None:
    ours = tmp_path / "onnx.gpkg"
    out = _run("-m", "rrsis", "segment", str(SAMPLE), "-e", "buildings", "-o", str(ours), "-q",
               "--json")
    assert out.returncode == 0, out.stderr
    assert '"runtime": "onnx"' in out.stdout
    ref = tmp_path / "torch.gpkg"
    result = segment(SegmentOptions(str(SAMPLE), ["buildings"], output=str(ref), runtime="torch"))
    assert result.runtime == "torch" and result.feature_counts["buildings"] > 10
    a, b = _union(ours), _union(ref)
    assert a.intersection(b).area / a.union(b).area >= 0.99


def test_commands_needing_torch_fail_in_one_clear_line(tmp_path: Path) -> None:
    for args in (["export-onnx", "lgce-lite"],
                 ["segment", str(SAMPLE), "-e", "x", "-o", str(tmp_path / "x.gpkg"),
                  "--runtime", "torch"]):
        out = _run("-m", "rrsis", *args)
        lines: List[str] = out.stderr.strip().splitlines()
        assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
        assert "needs the full backend" in lines[-1] and "rrsis[full]" in lines[-1]
    assert not (tmp_path / "x.gpkg").exists()


def test_serve_says_hello_with_its_runtime_and_device() -> None:
    proc = subprocess.Popen([runtime_python(), "-m", "rrsis", "serve"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO)
    try:
        hello = decode(proc.stdout.readline())  # type: ignore[union-attr]
        assert isinstance(hello, Hello) and hello.protocol == PROTOCOL_VERSION
        assert (hello.runtime, hello.device, hello.torch) == ("onnx", "cpu", None)
        assert any(m["name"] == "lgce-lite" for m in hello.models)
        # training needs the full flavour: a specific code, and the server keeps serving
        proc.stdin.write(encode(Request("finetune", "ft", {"dataset": "d", "name": "n"}))
                         + "\n")  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
        answer = decode(proc.stdout.readline())  # type: ignore[union-attr]
        assert (answer.id, getattr(answer, "code", None)) == ("ft", "needs_full_backend"), answer
        proc.stdin.write(encode(Request("shutdown", "bye")) + "\n")  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_selftest_runs_a_forward_pass_without_torch() -> None:
    out = _run("-m", "rrsis", "selftest", "--json")
    assert out.returncode == 0, out.stderr
    assert '"torch_version": null' in out.stdout and '"runtime": "onnx"' in out.stdout
