"""The backend self-test: a real segmentation of a small crop of the bundled sample raster.

"Test backend" and the end of every install run it through the normal client and protocol,
as a dock run would. It passes only when polygons come back: a backend that says hello
but lacks a package, a model or its vocabulary fails here, not in the analyst's first run.
A failure says which piece is missing and how to fix it (:mod:`diagnosis`).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from qgis.core import QgsRasterLayer, QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from . import backend, diagnosis, settings
from .client import BackendClient, BackendError
from .resources import resources_dir
from .runner import run_request

SAMPLE_NAME = "kampala_oam.tif"
EXPRESSION = "buildings"
#: One tile of the default model on the sample's own 7.5 cm grid: a few seconds on a CPU.
CROP_PX = 480


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
    lines = [f"backend {hello.get('backend')} "
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


def failure_text(exc: BackendError) -> str:
    return f"Backend test failed ({exc.code}): " + diagnosis.explain_failure(
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
            f"(model {model}, device {result.get('device') or request['device']}"
            + (f", runtime {result['runtime']}" if result.get("runtime") else "") + ").\n"
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
