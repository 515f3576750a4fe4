"""The backend self-test: a real segmentation of a small crop of the bundled sample raster.

"Test backend" and the end of every install run it through the normal client and protocol,
as a dock run would. It passes only when polygons come back: a backend that says hello
but lacks a package, a model or its vocabulary fails here, not in the analyst's first run.
A failure says which piece is missing and how to fix it (:func:`explain_failure`).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from qgis.core import QgsRasterLayer, QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from . import backend, settings
from .client import BackendClient, BackendError
from .resources import resources_dir
from .runner import run_request

SAMPLE_NAME = "kampala_oam.tif"
EXPRESSION = "buildings"
#: One tile of the default model on the sample's own 7.5 cm grid: a few seconds on a CPU.
CROP_PX = 480

INSTALL_HINT = ("RRSIS settings → “Install backend…” (it installs the backend bundled with this "
                "plugin)")
FIX_INSTALL = f"Fix: {INSTALL_HINT}."


def sample_path() -> Optional[Path]:
    """The sample raster shipped in the plugin (``resources/samples``), if present."""
    path = resources_dir() / "samples" / SAMPLE_NAME
    return path if path.is_file() else None


def sample_crop(path: Path, pixels: int = CROP_PX) -> Tuple[List[float], str]:
    """``(extent, crs)`` of the raster's top-left ``pixels`` × ``pixels`` window."""
    layer = QgsRasterLayer(str(path), "rrsis-self-test", "gdal")
    if not layer.isValid():
        raise BackendError("bad_input", f"the sample raster cannot be read: {path}")
    extent = layer.extent()
    width = min(extent.width(), pixels * layer.rasterUnitsPerPixelX())
    height = min(extent.height(), pixels * layer.rasterUnitsPerPixelY())
    box = [extent.xMinimum(), extent.yMaximum() - height, extent.xMinimum() + width,
           extent.yMaximum()]
    return box, layer.crs().authid()


def self_test_request(sample: Path, output: Path, options: Dict[str, Any]) -> Dict[str, Any]:
    """The segment request of the self-test, with the analyst's model, device and runtime."""
    extent, crs = sample_crop(sample)
    request: Dict[str, Any] = {
        "raster": str(sample), "expressions": [EXPRESSION], "output": str(output),
        "extent": extent, "extent_crs": crs,
        "model": options.get("model") or None, "device": options.get("device") or "auto",
    }
    if options.get("threads"):
        request["threads"] = int(options["threads"])
    request.update(backend.runtime_param(options.get("runtime") or "auto"))
    return request


def describe_hello(hello: Dict[str, Any]) -> str:
    lines = [f"backend {hello.get('backend', hello.get('backend_version'))} "
             f"(protocol {hello.get('protocol', hello.get('protocol_version'))}), "
             f"torch {hello.get('torch') or 'not installed'}, Python {hello.get('python')}"]
    if hello.get("runtime"):
        lines.append(f"runtime: {hello.get('runtime')} on {hello.get('device') or '?'}")
    for device in hello.get("devices") or []:
        memory = f", {device.get('memory_mb')} MB" if device.get("memory_mb") else ""
        lines.append(f"device: {device.get('type')} ({device.get('name')}){memory}")
    for model in hello.get("models") or []:
        lines.append(f"model: {model.get('name')} ({model.get('path')})")
    return "\n".join(lines)


def missing_module(text: str) -> Optional[str]:
    """The package a failed import names in ``text``: Python's ``No module named 'x.y'``
    (its top level) or the backend's ``... package 'x' ...`` (``missing_dependency``)."""
    found = re.findall(r"No module named '?([\w.]+)'?", text or "")
    if found:
        return found[-1].split(".")[0]
    named = re.findall(r"package '([\w.-]+)'", text or "")
    return named[0] if named else None


def explain_failure(code: str, message: str, detail: str = "") -> str:
    """What is missing and how to fix it, in the analyst's words (the code is not repeated)."""
    missing = missing_module(f"{message}\n{detail}")
    if code == "not_installed":
        return f"No backend is installed. {FIX_INSTALL}"
    if code == "spawn_failed":
        return (f"The backend interpreter cannot be started ({message}). Choose another "
                f"“Backend Python”, or use {INSTALL_HINT}.")
    if missing == "rrsis":
        return ("This interpreter has no RRSIS backend (no module “rrsis”). Choose the "
                f"installer's venv as “Backend Python”, or use {INSTALL_HINT}.")
    if missing:
        return f"The backend lacks the Python package “{missing}”. {FIX_INSTALL}"
    if code == "missing_dependency":
        return f"The backend lacks a package: {message}. {FIX_INSTALL}"
    if code == "version_mismatch":
        return f"{message}. {FIX_INSTALL}"
    if code in ("unknown_model", "bad_checkpoint"):
        return (f"{message}. Check “Model folder” and “Default model” (empty: the model "
                f"bundled with the plugin).")
    if code == "bad_params" and "runtime" in message:
        return ("The backend is older than this plugin: it does not know the “runtime” "
                f"setting. Set Runtime to “auto”, or reinstall it: {INSTALL_HINT}.")
    if code == "bad_device":
        return f"{message}. Choose the device “auto” or “cpu”."
    if code == "startup_timeout":
        return f"{message}. The machine may be busy: try again; the backend log says more."
    tail = "\n".join((detail or "").strip().splitlines()[-8:])
    return f"{message}" + (f"\nLast lines of the backend's log:\n{tail}" if tail else "")


#: Failures an install fixes, and failures the settings fix (the error bar's button).
INSTALL_CODES = ("not_installed", "missing_dependency", "spawn_failed", "version_mismatch")
SETTINGS_CODES = ("unknown_model", "bad_checkpoint", "bad_device", "startup_timeout")


def fix_for(code: str, message: str = "", detail: str = "") -> Optional[str]:
    """``"install"``, ``"settings"`` or None: where the analyst fixes this failure."""
    if code in INSTALL_CODES or missing_module(f"{message}\n{detail}"):
        return "install"
    if code in SETTINGS_CODES or (code == "bad_params" and "runtime" in message):
        return "settings"
    return None


#: The message bar shows one line of about this many characters beside its buttons; longer
#: texts are cut (the log, behind "Details", has them whole).
BAR_CHARS = 60


def bar_text(code: str, message: str, detail: str = "") -> str:
    """The message bar's line: what is wrong, short, with the fix; the button beside it does
    the fix and "Details" opens the whole message in the log."""
    missing = missing_module(f"{message}\n{detail}")
    click = "click “Install backend…”."
    if code == "not_installed":
        text = f"No backend installed: {click}"
    elif missing == "rrsis":
        text = f"No RRSIS backend in this Python: {click}"
    elif missing:
        text = f"The backend lacks “{missing}”: {click}"
    elif code == "spawn_failed":
        text = f"The backend cannot start: {click}"
    elif code == "version_mismatch":
        text = f"Backend and plugin do not match: {click}"
    else:  # the first line, without a trailing "(interpreter ..., args ...)"
        text = re.sub(r"\s*\([^()]*\)\s*$", "", (message.strip().splitlines() or [""])[0])
        text = text[:1].upper() + text[1:]
    return text if len(text) <= BAR_CHARS else text[:BAR_CHARS - 1].rstrip() + "…"


def failure_text(exc: BackendError) -> str:
    return f"Backend test failed ({exc.code}): " + explain_failure(
        exc.code, exc.message, exc.detail or "")


def run_self_test(client: BackendClient, options: Dict[str, Any],
                  is_canceled: Callable[[], bool] = lambda: False) -> str:
    """Start ``client``, segment the sample crop, return the report; :class:`BackendError`
    when anything fails, including a run that finds no polygon."""
    sample = sample_path()
    if sample is None:
        raise BackendError("bad_input", f"the sample raster {SAMPLE_NAME} is not bundled with "
                                        f"this plugin (resources/samples): reinstall the plugin")
    hello = client.start()
    folder = Path(tempfile.mkdtemp(prefix="rrsis-self-test-"))
    try:
        request = self_test_request(sample, folder / "self-test.gpkg", options)
        started = time.monotonic()
        result = run_request(client, "segment", request, is_canceled)
        seconds = time.monotonic() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    count = sum((result.get("feature_counts") or {}).values())
    model = result.get("model") or request["model"] or "default model"
    if count <= 0:
        raise BackendError("no_polygons", (
            f"the backend ran ({model}) but found no “{EXPRESSION}” in the sample crop, where "
            f"the bundled model finds them. Check “Default model” and “Model folder” (empty: "
            f"the bundled model)"))
    width, height = (request["extent"][2] - request["extent"][0],
                     request["extent"][3] - request["extent"][1])
    return (f"Backend test passed: {count} polygon(s) of “{EXPRESSION}” in a "
            f"{width:.0f} × {height:.0f} m crop of the bundled sample, {seconds:.1f} s "
            f"(model {model}, device {result.get('device') or request['device']}).\n"
            + describe_hello(hello))


def settings_options() -> Dict[str, Any]:
    """The self-test options a dock run would use, from the saved settings."""
    return {"model": settings.get("default_model"), "device": settings.get("device"),
            "threads": settings.get("threads"), "runtime": settings.get("runtime")}


class SelfTestTask(QgsTask):
    """Runs :func:`run_self_test` with a throw-away client for ``python`` (worker thread)."""

    done = pyqtSignal(bool, str)

    def __init__(self, python: str, options: Dict[str, Any],
                 client: Optional[BackendClient] = None) -> None:
        super().__init__("RRSIS: test backend", QgsTask.CanCancel)
        self.python = python
        self.options = options
        self.client = client
        self.text = ""

    def run(self) -> bool:
        client = self.client
        try:
            client = client or backend.make_client(self.python or None)
            self.text = run_self_test(client, self.options, self.isCanceled)
            return True
        except BackendError as exc:
            self.text = failure_text(exc)
        except Exception as exc:  # shown to the user as is; a bug must not vanish
            self.text = f"Backend test failed (internal): {type(exc).__name__}: {exc}"
        finally:
            if client is not None:
                client.shutdown()
        return False

    def finished(self, ok: bool) -> None:
        self.done.emit(ok, self.text)
