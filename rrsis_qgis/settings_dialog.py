"""Settings dialog: backend interpreter, model folder, default model, device, threads, log level,
plus "Test backend" (runs ``hello``) and "Install backend…"."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

from qgis.core import QgsApplication, QgsTask
from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                                 QLineEdit, QPlainTextEdit, QProgressBar, QPushButton, QSpinBox,
                                 QVBoxLayout, QWidget)

from . import backend, installer, settings


class HelloTask(QgsTask):
    """Starts a throw-away client for ``python``, reads its hello, stops it (worker thread)."""

    done = pyqtSignal(bool, str)

    def __init__(self, python: str) -> None:
        super().__init__("RRSIS: test backend", QgsTask.CanCancel)
        self.python = python
        self.text = ""

    def run(self) -> bool:
        try:
            client = backend.make_client(self.python or None)
            try:
                hello = client.start()
            finally:
                client.shutdown()
            self.text = describe_hello(hello)
            return True
        except Exception as exc:  # shown to the user as is
            self.text = f"{getattr(exc, 'code', type(exc).__name__)}: {exc}"
            return False

    def finished(self, ok: bool) -> None:
        self.done.emit(ok, self.text)


def describe_hello(hello: Dict[str, Any]) -> str:
    lines = [f"backend {hello.get('backend', hello.get('backend_version'))} "
             f"(protocol {hello.get('protocol', hello.get('protocol_version'))}), "
             f"torch {hello.get('torch', hello.get('torch_version'))}, "
             f"Python {hello.get('python')}"]
    for device in hello.get("devices") or []:
        memory = f", {device.get('memory_mb')} MB" if device.get("memory_mb") else ""
        lines.append(f"device: {device.get('type')} ({device.get('name')}){memory}")
    for model in hello.get("models") or []:
        lines.append(f"model: {model.get('name')} ({model.get('path')})")
    return "\n".join(lines)


class SettingsDialog(QDialog):
    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("RRSIS settings"))
        self.task: Optional[HelloTask] = None
        self.installer: Optional[installer.Installer] = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.python = QgsFileWidget(self)
        self.python.setFilePath(settings.get("backend_python"))
        form.addRow(self.tr("Backend Python"), self.python)
        self.model_dir = QgsFileWidget(self)
        self.model_dir.setStorageMode(QgsFileWidget.GetDirectory)
        self.model_dir.setFilePath(settings.get("model_dir"))
        form.addRow(self.tr("Model folder"), self.model_dir)
        self.default_model = QLineEdit(settings.get("default_model"), self)
        self.default_model.setPlaceholderText(self.tr("backend default"))
        form.addRow(self.tr("Default model"), self.default_model)
        self.device = QComboBox(self)
        self.device.addItems(list(settings.DEVICES))
        self.device.setCurrentText(settings.get("device"))
        form.addRow(self.tr("Device"), self.device)
        self.threads = QSpinBox(self)
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText(self.tr("auto"))
        self.threads.setValue(settings.get("threads"))
        form.addRow(self.tr("CPU threads"), self.threads)
        self.log_level = QComboBox(self)
        self.log_level.addItems(list(settings.LOG_LEVELS))
        self.log_level.setCurrentText(settings.get("log_level"))
        form.addRow(self.tr("Log level"), self.log_level)
        layout.addLayout(form)

        row = QHBoxLayout()
        self.test_button = QPushButton(self.tr("Test backend"), self)
        self.install_button = QPushButton(self.tr("Install backend…"), self)
        row.addWidget(self.test_button)
        row.addWidget(self.install_button)
        layout.addLayout(row)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.report = QPlainTextEdit(self)
        self.report.setReadOnly(True)
        layout.addWidget(self.report)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.test_button.clicked.connect(self.test_backend)
        self.install_button.clicked.connect(self.install_backend)

    def save(self) -> None:
        settings.set("backend_python", self.python.filePath().strip())
        settings.set("model_dir", self.model_dir.filePath().strip())
        settings.set("default_model", self.default_model.text().strip())
        settings.set("device", self.device.currentText())
        settings.set("threads", self.threads.value())
        settings.set("log_level", self.log_level.currentText())
        backend.reset()  # the next run starts a backend with the new settings

    def accept(self) -> None:
        self.save()
        super().accept()

    def test_backend(self) -> None:
        python = self.python.filePath().strip() or backend.backend_python() or ""
        self.report.setPlainText(self.tr("Starting {}…").format(python or "?"))
        self.test_button.setEnabled(False)
        self.task = HelloTask(python)
        self.task.done.connect(self._tested)
        QgsApplication.taskManager().addTask(self.task)

    def _tested(self, ok: bool, text: str) -> None:
        self.test_button.setEnabled(True)
        self.report.setPlainText(text if ok else self.tr("Backend test failed:\n{}").format(text))

    def install_backend(self) -> None:
        source = installer.backend_source_dir()
        if source is None:
            self.report.setPlainText(self.tr("The backend source is not bundled with this plugin."))
            return
        venv = backend.data_dir() / "venv"
        steps = installer.install_steps(installer.default_base_python(), venv, source,
                                        installer.pip_args_from_env())
        log_path = backend.data_dir() / "logs" / "install.log"
        self.installer = installer.Installer(steps, log_path, self)
        self.installer.stepStarted.connect(self._install_step)
        self.installer.output.connect(lambda text: self.report.appendPlainText(text.rstrip()))
        self.installer.finished.connect(self._installed)
        self.install_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, len(steps))
        self.report.clear()
        self.installer.start()

    def _install_step(self, index: int, total: int, label: str) -> None:
        self.progress.setValue(index)
        self.report.appendPlainText(f"[{index + 1}/{total}] {label}")

    def _installed(self, ok: bool, message: str) -> None:
        self.install_button.setEnabled(True)
        self.progress.setValue(self.progress.maximum() if ok else self.progress.value())
        self.report.appendPlainText(message)
        if ok:
            self.python.setFilePath(str(backend.venv_python(Path(backend.data_dir() / "venv"))))
