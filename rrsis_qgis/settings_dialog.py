"""Settings dialog: backend interpreter, model folder, default model, device, runtime, threads,
log level, plus "Test backend" (a real self-test: :mod:`selftest`) and "Install backend…"
(:mod:`install_dialog`)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from qgis.core import QgsApplication
from qgis.gui import QgsFileWidget
from qgis.PyQt.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                                 QLineEdit, QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout,
                                 QWidget)

from . import backend, settings
from .install_dialog import InstallDialog
from .selftest import SelfTestTask


class SettingsDialog(QDialog):
    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("RRSIS settings"))
        self.task: Optional[SelfTestTask] = None
        self.install_dialog: Optional[InstallDialog] = None
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
        self.runtime = QComboBox(self)
        self.runtime.addItems(list(settings.RUNTIMES))
        self.runtime.setCurrentText(settings.get("runtime"))
        self.runtime.setToolTip(self.tr("auto: ONNX Runtime on the CPU when the model has a "
                                        "graph, torch for CUDA and other models"))
        form.addRow(self.tr("Runtime"), self.runtime)
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
        settings.set("runtime", self.runtime.currentText())
        settings.set("threads", self.threads.value())
        settings.set("log_level", self.log_level.currentText())
        backend.reset()  # the next run starts a backend with the new settings

    def accept(self) -> None:
        self.save()
        super().accept()

    def options(self) -> Dict[str, Any]:
        """The self-test's options from the dialog's (maybe unsaved) values."""
        return {"model": self.default_model.text().strip(), "device": self.device.currentText(),
                "threads": self.threads.value(), "runtime": self.runtime.currentText()}

    def test_backend(self) -> None:
        python = self.python.filePath().strip() or backend.backend_python() or ""
        self.report.setPlainText(self.tr("Starting {} and segmenting a crop of the bundled "
                                         "sample…").format(python or "?"))
        self.test_button.setEnabled(False)
        self.task = SelfTestTask(python, self.options())
        self.task.done.connect(self._tested)
        QgsApplication.taskManager().addTask(self.task)

    def _tested(self, ok: bool, text: str) -> None:
        self.task = None
        self.test_button.setEnabled(True)
        self.report.setPlainText(text)

    def install_backend(self) -> None:
        """Open the installer; a backend that passed its self-test becomes the interpreter."""
        self.install_dialog = InstallDialog(self)
        self.install_dialog.installed.connect(self.python.setFilePath)
        self.install_dialog.show()
