"""One shared :class:`BackendClient` per QGIS session, created lazily from the settings.

The dock and the Processing algorithms share it, so the model stays warm between runs.
The interpreter is, in order: the ``backend_python`` setting, the environment variable
``RRSIS_BACKEND_PYTHON``, then the venv that "Install backend…" made in the profile folder.
"""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path
from typing import Dict, Optional

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QObject, pyqtSignal

from . import settings
from .client import BackendClient
from .resources import resources_dir

ENV_PYTHON = "RRSIS_BACKEND_PYTHON"

_lock = threading.Lock()
_client: Optional[BackendClient] = None


class StatusHub(QObject):
    """Re-emits the shared client's state changes as a Qt signal.

    The client calls its listeners on its own threads and has no way to remove one; widgets
    connect to this signal instead, and Qt delivers it on their thread and disconnects them
    when they are deleted.
    """

    stateChanged = pyqtSignal(str)  # noqa: N815
    #: a model was added (``finetune``): model lists reload without a restart
    modelsChanged = pyqtSignal()  # noqa: N815


_hub: Optional[StatusHub] = None


def status_hub() -> StatusHub:
    global _hub
    if _hub is None:
        _hub = StatusHub()
    return _hub


def data_dir() -> Path:
    """``<QGIS profile>/rrsis``: venv, logs and results live here, never in the plugin folder."""
    return Path(QgsApplication.qgisSettingsDirPath()) / "rrsis"


def venv_python(venv: Optional[Path] = None) -> Path:
    venv = venv or data_dir() / "venv"
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def backend_python() -> Optional[str]:
    """The interpreter that runs the backend, or None when none is configured or installed."""
    candidates = [settings.get("backend_python"), os.environ.get(ENV_PYTHON, ""),
                  str(venv_python())]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def backend_env() -> Dict[str, str]:
    """Variables the backend child gets on top of its cleaned environment."""
    env: Dict[str, str] = {}
    # the model folder setting, the caller's RRSIS_MODEL_DIR, then the default model shipped
    # in the plugin zip (a backend pip-installed into a venv cannot find the plugin folder)
    setting = settings.get("model_dir")
    dirs = [setting] if setting else []
    dirs += [d for d in os.environ.get("RRSIS_MODEL_DIR", "").split(os.pathsep) if d]
    bundled = resources_dir() / "models"
    if bundled.is_dir():
        dirs.append(str(bundled))
    if dirs:
        env["RRSIS_MODEL_DIR"] = os.pathsep.join(dirs)
    env["RRSIS_LOG_LEVEL"] = settings.get("log_level")
    return env


def runtime_param(runtime: str) -> Dict[str, str]:
    """``{"runtime": ...}`` for a segment/estimate request, or ``{}`` for ``auto``.

    ``auto`` is the backend's own default, so leaving it out keeps every request valid for
    a backend that predates the field (an older venv); a non-auto choice is sent as is.
    """
    return {} if not runtime or runtime == "auto" else {"runtime": runtime}


def log_path() -> Path:
    path = data_dir() / "logs" / "backend.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def results_dir() -> Path:
    """Where the backend writes GeoPackages and probability rasters of dock runs."""
    path = Path(settings.get("output_dir") or data_dir() / "results")
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_client(python: Optional[str] = None) -> BackendClient:
    """A new, not yet started client for ``python`` (default: :func:`backend_python`)."""
    python = python or backend_python()
    if python is None:
        from .client import BackendError

        raise BackendError("not_installed",
                           "No backend Python found: use Settings → Install backend…, or set "
                           "the backend interpreter in the RRSIS settings.", "")
    return BackendClient(python, env=backend_env(), log_path=str(log_path()))


def installed() -> bool:
    return backend_python() is not None


def shared_client() -> BackendClient:
    """The session's client, created on first use (the child starts on the first request)."""
    global _client
    with _lock:
        if _client is None:
            _client = make_client()
            _client.add_state_listener(status_hub().stateChanged.emit)
        return _client


def current_client() -> Optional[BackendClient]:
    """The shared client if one was created, without creating it."""
    return _client


def reset() -> None:
    """Stop the shared client; the next :func:`shared_client` reads the settings again."""
    global _client
    with _lock:
        client, _client = _client, None
    if client is not None:
        client.shutdown()
        if _hub is not None:
            _hub.stateChanged.emit("stopped")


atexit.register(reset)
