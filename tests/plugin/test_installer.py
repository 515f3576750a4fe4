"""installer.py: the real steps (venv, pip, check) run by QProcess, offline, with a log;
the flavours' commands, the GPU probe and pip's output cut into lines."""

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
    assert "rrsis 0.1" in text and "OK: The backend's packages are installed." in text
    assert f"{backend_wheel}[runtime]" in text  # the default flavour's extra was asked for


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


def test_runtime_is_the_default_flavour_and_has_no_torch(tmp_path):
    from rrsis_qgis import installer

    steps = installer.install_steps("python3", tmp_path / "venv", tmp_path / "src",
                                    ["--no-index", "--find-links", "/wheels"])
    commands = [" ".join(argv) for _, argv in steps]
    assert [label.split(",")[0] for label, _ in steps] == [
        "Create the virtual environment", "Install the backend", "Check the backend"]
    assert commands[1].endswith(f"--no-index --find-links /wheels {tmp_path / 'src'}[runtime]")
    assert "torch" not in " ".join(commands) and "--progress-bar off" in commands[1]
    assert "about 190 MB to download" in steps[1][0]


def test_full_flavour_picks_cpu_wheels_without_a_gpu_and_cuda_with_one(tmp_path):
    from rrsis_qgis import installer

    cpu = installer.install_steps("python3", tmp_path / "venv", tmp_path / "src", flavour="full")
    torch_label, torch_argv = cpu[1]
    assert "CPU build" in torch_label and installer.TORCH_CPU_INDEX in torch_argv
    assert torch_argv[-2:] == ["torch", "torchvision"]
    assert cpu[2][1][-2:] == installer.FULL_COMPANIONS and "--no-deps" in cpu[2][1]
    assert cpu[3][1][-1] == f"{tmp_path / 'src'}[full]"
    gpu = installer.install_steps("python3", tmp_path / "venv", tmp_path / "src",
                                  ["--no-index"], flavour="full", gpu="NVIDIA H200")
    label, argv = gpu[1]
    assert "CUDA" in label and "NVIDIA H200" in label
    assert installer.TORCH_CPU_INDEX not in argv and argv[-3:] == ["--no-index", "torch",
                                                                  "torchvision"]
    with pytest.raises(ValueError, match="unknown flavour"):
        installer.install_steps("python3", tmp_path, tmp_path, flavour="gpu")


def test_gpu_probe_reads_nvidia_smi_and_is_none_without_it(tmp_path, monkeypatch):
    from rrsis_qgis import installer

    monkeypatch.setenv("PATH", str(tmp_path))  # no nvidia-smi at all
    assert installer.probe_gpu() is None
    tool = tmp_path / "nvidia-smi"  # an executable answering like the real one
    tool.write_text("#!/bin/sh\necho 'NVIDIA H200'\necho 'NVIDIA H200'\n")
    tool.chmod(0o755)
    assert installer.probe_gpu() == "NVIDIA H200"
    tool.write_text("#!/bin/sh\necho 'NVIDIA-SMI has failed: no driver' >&2\nexit 9\n")
    assert installer.probe_gpu() is None


def test_output_is_cut_into_lines_at_newlines_and_carriage_returns():
    from rrsis_qgis.installer import LineSplitter

    splitter = LineSplitter()
    assert splitter.feed("Collecting numpy\n  Downloading numpy (16") == ["Collecting numpy"]
    assert splitter.feed(" MB)\r\n 10%\r 50%\rdone\n") == ["  Downloading numpy (16 MB)",
                                                            " 10%", " 50%", "done"]
    assert splitter.feed("last words") == [] and splitter.flush() == ["last words"]


def test_too_little_free_space_is_refused_before_anything_starts(tmp_path, monkeypatch):
    import dataclasses

    from rrsis_qgis import installer

    free_mb = shutil.disk_usage(tmp_path).free // (1 << 20)
    huge = dataclasses.replace(installer.FLAVOURS["runtime"], disk_mb=free_mb + 10_000)
    monkeypatch.setitem(installer.FLAVOURS, "runtime", huge)
    problem = installer.free_space_problem(tmp_path / "not" / "yet" / "venv", "runtime")
    assert problem and f"needs about {free_mb + 10_000} MB" in problem and str(tmp_path) in problem
    monkeypatch.setitem(installer.FLAVOURS, "runtime", dataclasses.replace(huge, disk_mb=1))
    assert installer.free_space_problem(tmp_path / "venv", "runtime") is None
