"""installer.py: the real steps (venv, pip, check) run by QProcess, offline, with a log."""

from __future__ import annotations

import shutil
import subprocess  # nosec B404
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from conftest import REPO, wait_until


def _run(installer) -> Tuple[bool, str, List[str]]:
    steps: List[str] = []
    outcome: List[Tuple[bool, str]] = []
    installer.stepStarted.connect(lambda i, n, label: steps.append(label))
    installer.finished.connect(lambda ok, message: outcome.append((ok, message)))
    installer.start()
    assert wait_until(lambda: bool(outcome), 240), "the installer did not finish"
    return outcome[0][0], outcome[0][1], steps


@pytest.fixture(scope="module")
def backend_wheel(tmp_path_factory) -> Path:
    """The backend as a wheel, built offline from a copy of the source (the tree stays clean)."""
    if not (REPO / ".venv" / "bin" / "python").exists():
        pytest.skip("the backend venv (make setup) is needed to build the wheel offline")
    work = tmp_path_factory.mktemp("wheel")
    shutil.copy(REPO / "backend" / "pyproject.toml", work)
    shutil.copytree(REPO / "backend" / "rrsis", work / "rrsis",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-m", "pip", "wheel", "-q",  # nosec B603
                    "--no-deps", "--no-build-isolation", "--no-index", str(work), "-w",
                    str(work / "dist")], check=True, capture_output=True, timeout=180)
    (wheel,) = (work / "dist").glob("rrsis-*.whl")
    return wheel


def test_install_creates_a_venv_installs_and_checks_the_backend(qgis_app, backend_wheel, tmp_path):
    from rrsis_qgis import backend, installer

    venv = tmp_path / "venv"
    log = tmp_path / "logs" / "install.log"
    steps = installer.install_steps(sys.executable, venv, backend_wheel,
                                    ["--no-deps", "--no-index"])  # offline: the wheel only
    ok, message, seen = _run(installer.Installer(steps, log))
    assert ok, message
    assert seen == [label for label, _ in steps]
    assert backend.venv_python(venv).is_file()
    text = log.read_text()
    assert "rrsis 0.1" in text and "OK: The backend is installed." in text


def test_a_failing_step_is_explained_with_the_log(qgis_app, tmp_path):
    from rrsis_qgis import installer

    log = tmp_path / "install.log"
    steps = [("Create the virtual environment", [sys.executable, "-c", "print('creating')"]),
             ("Install the backend", [sys.executable, "-c", "import sys; print('ERROR: "
                                      "no-such-backend not found'); sys.exit(3)"]),
             ("Check the backend", [sys.executable, "-c", "print('never runs')"])]
    ok, message, seen = _run(installer.Installer(steps, log))
    assert not ok and len(seen) == 2  # stops at the failing step
    assert message.startswith("Install the backend failed (exit code 3)")
    assert str(log) in message and "no-such-backend" in message  # the log's tail is quoted
    assert "creating" in log.read_text() and "never runs" not in log.read_text()


def test_a_missing_interpreter_is_explained(qgis_app, tmp_path):
    from rrsis_qgis import installer

    steps = installer.install_steps(str(tmp_path / "no-python"), tmp_path / "venv", tmp_path)
    ok, message, _ = _run(installer.Installer(steps, tmp_path / "install.log"))
    assert not ok and "could not start" in message and "no-python" in message


def test_the_bundled_backend_source_is_found():
    from rrsis_qgis import installer

    source = installer.backend_source_dir()
    assert source is not None and (source / "pyproject.toml").is_file()
