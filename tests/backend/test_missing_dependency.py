"""A package missing from the backend's venv is ``missing_dependency``, never ``bad_input``.

The package is hidden for real: ``sys.modules[name] = None`` is Python's own way to make an
import fail, in this process (unit) or in a real ``rrsis serve`` child (wire).
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404
import sys
from importlib import import_module
from pathlib import Path
from typing import List

from rrsis.errors import InputError
from rrsis.protocol import Error, Message
from rrsis.server import Server
from helpers.server import write_foreground_model, write_raster

HIDDEN = "tokenizers"  # the Rust tokenizer every text encoder runs on (imported lazily)


def test_an_error_caused_by_a_failed_import_is_a_missing_dependency() -> None:
    """``InputError(...) from ImportError`` (e.g. the vocabulary package) is not bad_input."""
    sent: List[Message] = []
    try:
        try:
            import_module("no_such_package_rrsis")
        except ImportError as exc:
            raise InputError("the PyPI package 'no-such-package' is not installed") from exc
    except InputError as exc:
        Server(sent.append)._report("r1", exc)
    (error,) = sent
    assert isinstance(error, Error) and error.code == "missing_dependency", error
    assert "no-such-package" in error.message


def test_the_server_reports_missing_dependency_on_the_wire(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    write_foreground_model(models / "everything.safetensors")
    raster = write_raster(tmp_path / "r.tif", 32)
    serve = (f"import sys; sys.modules[{HIDDEN!r}] = None; from rrsis.cli import main; "
             f"sys.exit(main(['serve']))")
    env = {**os.environ, "RRSIS_MODEL_DIR": str(models), "OMP_NUM_THREADS": "1"}
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
    assert HIDDEN in error["message"]
    assert not (tmp_path / "out.gpkg").exists()
