""""Install backend…": the choice of flavour, its size, then every step live, then a real self-test.

What the analyst sees: the download and disk size before anything starts; "Step i of n"
with the step's name and elapsed time; pip's output streamed into a pane that follows the
last line (unless they scrolled up to read); and a final line that stays in view below
the pane. The install ends with :mod:`selftest` (a real segmentation of the bundled
sample) using the new venv; only then is the backend called installed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, List, Optional

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import Qt, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QFont
from qgis.PyQt.QtWidgets import (QButtonGroup, QDialog, QHBoxLayout, QLabel, QPlainTextEdit,
                                 QProgressBar, QPushButton, QRadioButton, QVBoxLayout, QWidget)

from . import backend, installer, selftest, settings

SELF_TEST_LABEL = "Test the backend: segment a crop of the bundled sample"
MAX_PANE_LINES = 20000


class InstallDialog(QDialog):
    """Installs a flavour into ``venv`` (default: ``<profile>/rrsis/venv``) and self-tests it."""

    installed = pyqtSignal(str)  # the new backend interpreter, once its self-test passed

    def __init__(self, parent: Optional[QWidget] = None, *, venv: Optional[Path] = None,
                 source: Optional[Path] = None, base_python: Optional[str] = None,
                 pip_args: Optional[List[str]] = None,
                 gpu_probe: Callable[[], Optional[str]] = installer.probe_gpu) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Install the RRSIS backend"))
        self.resize(760, 560)
        self.venv = venv or backend.data_dir() / "venv"
        self.source = source or installer.backend_source_dir()
        self.base_python = base_python or installer.default_base_python()
        self.pip_args = installer.pip_args_from_env() if pip_args is None else list(pip_args)
        self._gpu_probe = gpu_probe
        self._gpu: Optional[str] = None
        self._gpu_probed = False
        self.installer: Optional[installer.Installer] = None
        self.task: Optional[selftest.SelfTestTask] = None
        self.total = 0
        self.ok: Optional[bool] = None
        self._step_label = ""
        self._step_started = 0.0
        self._build()
        self._flavour_changed()

    # --- widgets -------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("The backend runs the segmentation in its own Python "
                               "environment: {}. Nothing else on this computer changes.")
                       .format(self.venv), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.flavours = QButtonGroup(self)
        self.runtime_choice = QRadioButton(self.tr(installer.FLAVOURS["runtime"].label), self)
        self.full_choice = QRadioButton(self.tr(installer.FLAVOURS["full"].label), self)
        self.runtime_choice.setChecked(True)
        for button in (self.runtime_choice, self.full_choice):
            self.flavours.addButton(button)
            layout.addWidget(button)
            button.toggled.connect(self._flavour_changed)
        self.gpu_label = QLabel(self)
        self.gpu_label.setWordWrap(True)
        layout.addWidget(self.gpu_label)
        self.size_label = QLabel(self)
        self.size_label.setWordWrap(True)
        layout.addWidget(self.size_label)

        self.step = QLabel(self.tr("Ready to install."), self)
        self.step.setWordWrap(True)
        layout.addWidget(self.step)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        layout.addWidget(self.progress)
        self.pane = QPlainTextEdit(self)
        self.pane.setReadOnly(True)
        self.pane.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        self.pane.setMaximumBlockCount(MAX_PANE_LINES)
        self.pane.setFont(QFont("monospace"))
        layout.addWidget(self.pane, 1)
        self.outcome = QLabel(self)  # the last word, always in view below the pane
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.outcome)

        row = QHBoxLayout()
        row.addStretch(1)
        self.install_button = QPushButton(self.tr("Install"), self)
        self.cancel_button = QPushButton(self.tr("Close"), self)
        row.addWidget(self.install_button)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self.install_button.clicked.connect(self.install)
        self.cancel_button.clicked.connect(self.cancel_or_close)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._show_step)

    def flavour(self) -> str:
        return "full" if self.full_choice.isChecked() else "runtime"

    def gpu(self) -> Optional[str]:
        """The NVIDIA GPU found by ``nvidia-smi`` (probed once, when "full" is first chosen)."""
        if not self._gpu_probed:
            self._gpu, self._gpu_probed = self._gpu_probe(), True
        return self._gpu

    def _flavour_changed(self) -> None:
        flavour = self.flavour()
        self.size_label.setText(self.tr(installer.size_text(flavour)))
        if flavour == "full":
            gpu = self.gpu()
            self.gpu_label.setText(
                self.tr("NVIDIA GPU found ({}): torch with CUDA.").format(gpu) if gpu else
                self.tr("No NVIDIA GPU found (nvidia-smi): torch's CPU build, from PyTorch's "
                        "CPU index ({}).").format(installer.TORCH_CPU_INDEX))
        else:
            self.gpu_label.setText(self.tr("Segmentation on the CPU with ONNX Runtime; choose "
                                           "“Full” for training or an NVIDIA GPU."))

    # --- run -----------------------------------------------------------------------------
    def install(self) -> None:
        if self.installer is not None or self.task is not None:
            return
        flavour = self.flavour()
        if self.source is None:
            return self._finish(False, self.tr("The backend source is not bundled with this "
                                               "plugin: reinstall the plugin."))
        problem = installer.free_space_problem(self.venv, flavour)
        if problem:
            return self._finish(False, problem)
        gpu = self.gpu() if flavour == "full" else None
        steps = installer.install_steps(self.base_python, self.venv, self.source,
                                        self.pip_args, flavour, gpu)
        self.total = len(steps) + 1  # + the self-test
        self.progress.setRange(0, self.total)
        self.progress.setValue(0)
        self.pane.clear()
        self.outcome.clear()
        self.ok = None
        for button in (self.install_button, self.runtime_choice, self.full_choice):
            button.setEnabled(False)
        self.cancel_button.setText(self.tr("Cancel"))
        log_path = backend.data_dir() / "logs" / "install.log"
        self.installer = installer.Installer(steps, log_path, self)
        self.installer.stepStarted.connect(self._step_started_at)
        self.installer.line.connect(self.append)
        self.installer.finished.connect(self._installed)
        self.timer.start()
        self.installer.start()

    def cancel_or_close(self) -> None:
        if self.installer is not None:
            self.installer.cancel()
        elif self.task is not None:
            self.task.cancel()
        else:
            self.close()

    def append(self, line: str) -> None:
        """Add a line to the pane; follow it unless the analyst scrolled up to read."""
        bar = self.pane.verticalScrollBar()
        following = bar.value() >= bar.maximum() - 2
        self.pane.appendPlainText(line)
        if following:
            bar.setValue(bar.maximum())

    def _scroll_to_end(self) -> None:
        bar = self.pane.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _step_started_at(self, index: int, total: int, label: str) -> None:
        self.progress.setValue(index)
        self._step_label = self.tr("Step {} of {}: {}").format(index + 1, self.total,
                                                               self.tr(label))
        self._step_started = time.monotonic()
        self._show_step()

    def _show_step(self) -> None:
        seconds = int(time.monotonic() - self._step_started)
        self.step.setText(f"{self._step_label} ({seconds // 60}:{seconds % 60:02d})")

    def _installed(self, ok: bool, message: str) -> None:
        self.installer = None
        if not ok:  # the installer already wrote the whole message and the log's tail
            return self._finish(False, message.splitlines()[0] if message else message,
                                to_pane=False)
        python = str(backend.venv_python(self.venv))
        settings.set("backend_python", python)
        backend.reset()  # the next run uses the new backend
        backend.status_hub().stateChanged.emit("stopped")  # the dock: installed now
        self._step_started_at(self.total - 1, self.total, SELF_TEST_LABEL)
        self.append(f"\n{self.tr(SELF_TEST_LABEL)} ({python})…")
        options = selftest.settings_options()
        if self.flavour() == "full":  # test what Full adds: with ONNX Runtime the test
            options["runtime"] = "torch"  # would pass over a torch that cannot run
        self.task = selftest.SelfTestTask(python, options)
        self.task.done.connect(self._tested)
        QgsApplication.taskManager().addTask(self.task)

    def _tested(self, ok: bool, text: str) -> None:
        self.task = None
        for line in text.splitlines()[1:]:  # the details; the first line ends the pane
            self.append(line)
        if ok:
            self.installed.emit(str(backend.venv_python(self.venv)))
        self._finish(ok, text.splitlines()[0] if text else text)

    def _finish(self, ok: bool, message: str, to_pane: bool = True) -> None:
        self.ok = ok
        self.timer.stop()
        if ok:
            self.progress.setValue(self.total)
            self.step.setText(self.tr("Done: the backend is installed and works."))
        self.outcome.setText(("✔ " if ok else "✘ ") + message)
        self.outcome.setStyleSheet("font-weight: bold; color: {};".format(
            "#1a7f37" if ok else "#c62828"))
        if to_pane:
            self.append(("OK: " if ok else "FAILED: ") + message)
        for button in (self.install_button, self.runtime_choice, self.full_choice):
            button.setEnabled(True)
        QTimer.singleShot(0, self._scroll_to_end)  # the outcome label took room from the pane
        self.install_button.setText(self.tr("Install again") if not ok else self.tr("Reinstall"))
        self.cancel_button.setText(self.tr("Close"))

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.installer is not None:
            self.installer.cancel()
        if self.task is not None:
            self.task.cancel()
        super().closeEvent(event)
