"""Backend installation: a venv in the QGIS profile folder with the bundled backend pip-installed.

The steps are data (:func:`install_steps`), run one after the other by ``QProcess`` so the
GUI stays responsive; every line goes to ``<profile>/rrsis/logs/install.log``. A failure
names the step, its exit code and the log's last lines.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from qgis.PyQt.QtCore import QObject, QProcess, QProcessEnvironment, pyqtSignal

from . import backend

_HERE = Path(__file__).resolve().parent
Step = Tuple[str, List[str]]  # (what the user reads, argv)


def backend_source_dir() -> Optional[Path]:
    """The backend source bundled in the plugin zip, or ``backend/`` of the source tree."""
    for candidate in (_HERE / "backend_src", _HERE.parent / "backend"):
        if (candidate / "pyproject.toml").is_file():
            return candidate
    return None


def default_base_python() -> str:
    """A Python >= 3.10 to create the venv from (QGIS's own interpreter on Linux)."""
    exe = Path(sys.executable)
    if exe.name.startswith("python"):
        return str(exe)
    return "python3"


def install_steps(base_python: str, venv: Path, source: Path,
                  pip_args: Sequence[str] = ()) -> List[Step]:
    py = str(backend.venv_python(venv))
    return [
        ("Create the virtual environment", [base_python, "-m", "venv", str(venv)]),
        ("Install the backend and its dependencies (torch is large: minutes)",
         [py, "-m", "pip", "install", *pip_args, str(source)]),
        ("Check the backend", [py, "-m", "rrsis", "--version"]),
    ]


class Installer(QObject):
    """Runs :func:`install_steps` with ``QProcess``; signals report progress and the outcome."""

    stepStarted = pyqtSignal(int, int, str)  # noqa: N815  index, total, label
    output = pyqtSignal(str)
    finished = pyqtSignal(bool, str)         # ok, message (the explanation on failure)

    def __init__(self, steps: List[Step], log_path: Path, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.steps = steps
        self.log_path = log_path
        self.index = -1
        self.process: Optional[QProcess] = None
        self.ok: Optional[bool] = None
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "a", encoding="utf-8")

    def start(self) -> None:
        self._next()

    def cancel(self) -> None:
        if self.process is not None and self.process.state() != QProcess.NotRunning:
            self.process.kill()

    def _write(self, text: str) -> None:
        self._log.write(text)
        self._log.flush()
        self.output.emit(text)

    def _next(self) -> None:
        self.index += 1
        if self.index >= len(self.steps):
            self._done(True, "The backend is installed.")
            return
        label, argv = self.steps[self.index]
        self.stepStarted.emit(self.index, len(self.steps), label)
        self._write(f"\n$ {' '.join(shlex.quote(a) for a in argv)}\n")
        process = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):  # QGIS's, not the venv's
            env.remove(name)
        process.setProcessEnvironment(env)
        process.setProcessChannelMode(QProcess.MergedChannels)
        process.readyReadStandardOutput.connect(
            lambda: self._write(bytes(process.readAllStandardOutput()).decode("utf-8", "replace")))
        process.finished.connect(self._step_finished)
        process.errorOccurred.connect(self._step_error)
        self.process = process
        process.start(argv[0], argv[1:])  # nosec B603: fixed argv, no shell

    def _step_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.FailedToStart and self.ok is None:
            label, argv = self.steps[self.index]
            self._done(False, f"{label}: could not start {argv[0]} (is it installed?).")

    def _step_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        if self.ok is not None:
            return
        if status == QProcess.NormalExit and code == 0:
            self._next()
            return
        label, _ = self.steps[self.index]
        tail = "".join(self.log_tail(15))
        self._done(False, f"{label} failed (exit code {code}). Full log: {self.log_path}\n{tail}")

    def log_tail(self, lines: int) -> List[str]:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
            return text.splitlines(True)[-lines:]
        except OSError:
            return []

    def _done(self, ok: bool, message: str) -> None:
        self.ok = ok
        self._write(f"\n{'OK' if ok else 'FAILED'}: {message}\n")
        self._log.close()
        self.finished.emit(ok, message)


def pip_args_from_env() -> List[str]:
    """Extra pip arguments (a wheelhouse, an index) from ``RRSIS_PIP_ARGS``."""
    return shlex.split(os.environ.get("RRSIS_PIP_ARGS", ""))
