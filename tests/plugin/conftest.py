"""Plugin tests: real QGIS 3.22 (offscreen), real backend subprocess, tiny real model.

Run with QGIS's Python, e.g.::

    QT_QPA_PLATFORM=offscreen RRSIS_BACKEND_PYTHON=.venv/bin/python /usr/bin/python3 -m pytest tests/plugin

QGIS starts once per session (``qgis_app``) with its settings in a temporary profile, so
nothing touches the user's QGIS. Tests needing the backend skip when
``RRSIS_BACKEND_PYTHON`` is unset or cannot import the backend engine.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess  # nosec B404: tests start real backend processes
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

REPO = Path(__file__).resolve().parents[2]
_PROFILE = Path(tempfile.mkdtemp(prefix="rrsis-qgis-profile-"))
atexit.register(shutil.rmtree, _PROFILE, True)   # made before QGIS starts, so not a fixture
os.environ["QGIS_CUSTOM_CONFIG_PATH"] = str(_PROFILE)  # before QGIS starts: settings stay here
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for path in (str(REPO), "/usr/share/qgis/python/plugins"):
    if path not in sys.path:
        sys.path.insert(0, path)

qgis_core = pytest.importorskip("qgis.core", reason="QGIS (python3-qgis) is not installed")

from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem,  # noqa: E402
                       QgsProcessingFeedback, QgsProject, QgsRasterLayer)

BACKEND_PYTHON = os.environ.get("RRSIS_BACKEND_PYTHON", "")
SHARED_DATA = Path(os.environ.get("RRSIS_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_data_or_none(*parts: str) -> Optional[Path]:
    """A file of the optional real aerial data (../shared/data), or None when absent."""
    path = SHARED_DATA.joinpath(*parts)
    return path if path.exists() else None


@pytest.fixture(scope="session")
def qgis_app() -> Iterator[QgsApplication]:
    from qgis.testing import start_app

    app = start_app(cleanup=False)
    # start_app points QGIS at a fresh profile folder of its own and removes it only with
    # cleanup=True, which also calls exitQgis at exit (the harness does not): remove it here
    profile = os.environ.get("QGIS_CUSTOM_CONFIG_PATH", "")
    if Path(profile).name.startswith("QGIS-PythonTestConfigPath-"):
        atexit.register(shutil.rmtree, profile, True)
    from processing.core.Processing import Processing

    Processing.initialize()
    yield app


@pytest.fixture
def project(qgis_app: QgsApplication) -> Iterator[QgsProject]:
    """A clean project per test."""
    project = QgsProject.instance()
    project.clear()
    project.setCrs(QgsCoordinateReferenceSystem("EPSG:32633"))
    yield project
    project.clear()


class QgisHarness:
    """The parts of ``QgisInterface`` the plugin uses, made of real QGIS widgets.

    QGIS's own ``QgisInterface`` only exists inside the full desktop application; this
    harness gives the plugin a real main window, map canvas (bound to the project's layer
    tree), message bar, toolbar and menus, and records what it added so tests can check
    that ``unload`` removes everything.
    """

    def __init__(self, project: QgsProject) -> None:
        from qgis.gui import QgsLayerTreeMapCanvasBridge, QgsMapCanvas, QgsMessageBar
        from qgis.PyQt.QtWidgets import QMainWindow, QToolBar, QVBoxLayout, QWidget

        self.window = QMainWindow()
        self.window.resize(1200, 800)
        central = QWidget(self.window)
        layout = QVBoxLayout(central)
        self.bar = QgsMessageBar(central)
        self.canvas = QgsMapCanvas(central)
        self.canvas.setDestinationCrs(project.crs())
        layout.addWidget(self.bar)
        layout.addWidget(self.canvas)
        self.window.setCentralWidget(central)
        # a child of the canvas: it goes with it, and never updates a canvas that is gone
        # (a harness kept alive a little longer, by a cycle, segfaulted the next test)
        self.bridge = QgsLayerTreeMapCanvasBridge(project.layerTreeRoot(), self.canvas,
                                                  self.canvas)
        self.toolbar = QToolBar("Plugins", self.window)
        self.window.addToolBar(self.toolbar)
        self.raster_menus: Dict[str, Any] = {}
        self.docks: List[Any] = []
        self.active: Optional[Any] = None
        self.log_opened = 0
        self.window.show()

    def mainWindow(self) -> Any:  # noqa: N802
        return self.window

    def mapCanvas(self) -> Any:  # noqa: N802
        return self.canvas

    def messageBar(self) -> Any:  # noqa: N802
        return self.bar

    def activeLayer(self) -> Any:  # noqa: N802
        return self.active

    def openMessageLog(self) -> None:  # noqa: N802
        self.log_opened += 1

    def addDockWidget(self, area: Any, dock: Any) -> None:  # noqa: N802
        self.window.addDockWidget(area, dock)
        self.docks.append(dock)

    def removeDockWidget(self, dock: Any) -> None:  # noqa: N802
        self.window.removeDockWidget(dock)
        self.docks.remove(dock)

    def addToolBarIcon(self, action: Any) -> None:  # noqa: N802
        self.toolbar.addAction(action)

    def removeToolBarIcon(self, action: Any) -> None:  # noqa: N802
        self.toolbar.removeAction(action)

    def addPluginToRasterMenu(self, name: str, action: Any) -> None:  # noqa: N802
        from qgis.PyQt.QtWidgets import QMenu

        menu = self.raster_menus.setdefault(name, QMenu(name, self.window))
        menu.addAction(action)

    def removePluginRasterMenu(self, name: str, action: Any) -> None:  # noqa: N802
        menu = self.raster_menus.get(name)
        if menu is not None:
            menu.removeAction(action)
            if not menu.actions():
                del self.raster_menus[name]

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()


@pytest.fixture
def iface(project: QgsProject) -> Iterator[QgisHarness]:
    harness = QgisHarness(project)
    yield harness
    harness.close()


def wait_until(condition: Callable[[], bool], timeout: float = 120.0, step: float = 0.02) -> bool:
    """Process Qt events until ``condition()`` is true; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QgsApplication.processEvents()
        if condition():
            return True
        time.sleep(step)
    QgsApplication.processEvents()
    return condition()


class LogFeedback(QgsProcessingFeedback):
    """Processing feedback that keeps what an algorithm tells the user in its log."""

    def __init__(self) -> None:
        super().__init__()
        self.info: List[str] = []

    def pushInfo(self, info: str) -> None:  # noqa: N802 - QGIS's name
        self.info.append(info)
        super().pushInfo(info)


def write_photo(path: Path, size=(96, 80), world_file: bool = False) -> Path:
    """A PNG without a CRS (a drone photo): dark with a bright square; ``world_file``: a
    .pgw beside it (a geotransform, still no CRS)."""
    import numpy as np
    from osgeo import gdal

    w, h = size
    mem = gdal.GetDriverByName("MEM").Create("", w, h, 3, gdal.GDT_Byte)
    data = np.full((h, w), 40, dtype=np.uint8)
    data[h // 4: h // 2, w // 4: w // 2] = 230
    for band in range(1, 4):
        mem.GetRasterBand(band).WriteArray(data)
    gdal.GetDriverByName("PNG").CreateCopy(str(path), mem)
    if world_file:
        path.with_suffix(".pgw").write_text("0.5\n0\n0\n-0.5\n1000.25\n1999.75\n")
    return path


def write_geotiff(path: Path, epsg: int = 32633, origin=(500000.0, 4649776.0), gsd: float = 0.5,
                  size=(96, 96), pattern: str = "bright_square", bands: int = 3,
                  alpha: str = "") -> Path:
    """A real uint8 GeoTIFF (3 bands, or ``bands``): dark background with a bright square in
    the middle. ``alpha``: the last band tagged alpha, "mask" (opaque everywhere) or "data"
    (the pattern's values, as NAIP files tag their near infrared)."""
    import numpy as np
    from osgeo import gdal, osr

    rows, cols = size
    data = np.full((bands, rows, cols), 30, dtype=np.uint8)
    if pattern == "bright_square":
        data[:, rows // 4: 3 * rows // 4, cols // 4: 3 * cols // 4] = 230
    driver = gdal.GetDriverByName("GTiff")
    tmp = str(path) + ".part"
    ds = driver.Create(tmp, cols, rows, bands, gdal.GDT_Byte)
    ds.SetGeoTransform((origin[0], gsd, 0.0, origin[1], 0.0, -gsd))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    ds.SetProjection(srs.ExportToWkt())
    for band in range(bands):
        ds.GetRasterBand(band + 1).WriteArray(data[band])
    for band in range(4, bands + 1):   # data (NAIP's near infrared), not GDAL's default alpha
        ds.GetRasterBand(band).SetColorInterpretation(gdal.GCI_Undefined)
    if alpha:
        last = ds.GetRasterBand(bands)
        last.SetColorInterpretation(gdal.GCI_AlphaBand)
        if alpha == "mask":
            last.WriteArray(np.full((rows, cols), 255, dtype=np.uint8))
    ds.FlushCache()
    ds = None
    os.replace(tmp, path)
    return path


@pytest.fixture(scope="session")
def raster_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rasters")


@pytest.fixture
def raster_layer(tmp_path: Path, project: QgsProject) -> QgsRasterLayer:
    path = write_geotiff(tmp_path / "scene.tif")
    layer = QgsRasterLayer(str(path), "scene")
    assert layer.isValid()
    project.addMapLayer(layer)
    return layer


# --- the real backend ---------------------------------------------------------------------
def _backend_usable() -> Optional[str]:
    """Why the backend cannot run these tests, or None when it can."""
    if not BACKEND_PYTHON or not Path(BACKEND_PYTHON).is_file():
        return "RRSIS_BACKEND_PYTHON is not set to an interpreter with the backend"
    probe = subprocess.run(  # nosec B603: fixed argv
        [BACKEND_PYTHON, "-c", "import rrsis.server, rrsis.engine.run"],
        capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        return f"backend not importable: {probe.stderr.strip().splitlines()[-1:]}"
    return None


@pytest.fixture(scope="session")
def backend_python() -> str:
    reason = _backend_usable()
    if reason:
        pytest.skip(reason)
    return BACKEND_PYTHON


@pytest.fixture(scope="session")
def model_dir(backend_python: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with two checkpoints of the tiny LGCE test config.

    ``tiny``: random weights (arbitrary but real output). ``everywhere``: the final 1x1 conv
    zeroed and its bias set to (-5, 5), so every pixel is foreground and each run returns one
    polygon covering exactly the processed extent: a predictable object to check places and CRSs.
    """
    folder = tmp_path_factory.mktemp("models")
    code = (
        "import sys, torch\n"
        "from rrsis.models import create_model, save_checkpoint\n"
        "torch.manual_seed(0)\n"
        "save_checkpoint(create_model('test-lgce-tiny'), sys.argv[1] + '/tiny.safetensors',"
        " card={'name': 'tiny'})\n"
        "m = create_model('test-lgce-tiny')\n"
        "conv = m.segmentation.classifier.conv1_1\n"
        "with torch.no_grad():\n"
        "    conv.weight.zero_(); conv.bias.copy_(torch.tensor([-5.0, 5.0]))\n"
        "save_checkpoint(m, sys.argv[1] + '/everywhere.safetensors', card={'name': 'everywhere'})\n")
    subprocess.run([backend_python, "-c", code, str(folder)],  # nosec B603
                   check=True, capture_output=True, timeout=300)
    return folder


@pytest.fixture(scope="session")
def backend_settings(qgis_app: QgsApplication, backend_python: str, model_dir: Path) -> Iterator[None]:
    """Plugin settings pointing at the test backend and the tiny models.

    Session-wide so the shared backend stays warm across tests, as it does in QGIS.
    """
    from rrsis_qgis import backend, settings

    values = {"backend_python": backend_python, "model_dir": str(model_dir),
              "default_model": "everywhere", "device": "cpu", "threads": 1}
    for key, value in values.items():
        settings.set(key, value)
    backend.reset()
    yield
    backend.reset()


@pytest.fixture
def clean_settings(qgis_app: QgsApplication) -> Iterator[None]:
    """Empty plugin settings for the test; the previous ones (other tests' backend) restored."""
    from qgis.core import QgsSettings

    qs = QgsSettings()
    saved = {key: qs.value(key) for key in qs.allKeys() if key.startswith("rrsis/")}
    qs.remove("rrsis")
    yield
    qs.remove("rrsis")
    for key, value in saved.items():
        qs.setValue(key, value)


@pytest.fixture(scope="module")
def provider(qgis_app: QgsApplication) -> Iterator[object]:
    """The RRSIS Processing provider, registered for the module's tests."""
    from rrsis_qgis.processing.provider import RrsisProvider

    provider = RrsisProvider()
    assert QgsApplication.processingRegistry().addProvider(provider)
    yield provider
    QgsApplication.processingRegistry().removeProvider(provider)


@pytest.fixture(scope="session")
def xyz_tiles(qgis_app: QgsApplication, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled sample as a local XYZ tile set; returns the layer URI (``wms`` provider)."""
    from xyz_tiles import build_xyz_tiles, xyz_uri

    folder = build_xyz_tiles(tmp_path_factory.mktemp("xyz") / "tiles")
    return xyz_uri(folder)


@pytest.fixture
def dock(iface: Any, project: QgsProject) -> Iterator[Any]:
    """The RRSIS dock on the harness; ``dock.outcomes`` records (outcome, layers added)."""
    from rrsis_qgis.dock import RrsisDock

    widget = RrsisDock(iface, iface.mainWindow())
    outcomes: List[Any] = []
    widget.runFinished.connect(lambda outcome, added: outcomes.append((outcome, added)))
    widget.outcomes = outcomes
    yield widget
    widget.cancel()
    wait_until(lambda: widget.task is None, timeout=60)
    if getattr(widget, "dialog", None) is not None:  # an installer or settings it opened
        widget.dialog.close()
    widget.deleteLater()


def write_nowhere_model(backend_python: str, path: Path) -> Path:
    """The tiny test config with its classifier set to background everywhere: finds nothing."""
    code = ("import sys, torch\n"
            "from rrsis.models import create_model, save_checkpoint\n"
            "m = create_model('test-lgce-tiny')\n"
            "conv = m.segmentation.classifier.conv1_1\n"
            "with torch.no_grad():\n"
            "    conv.weight.zero_(); conv.bias.copy_(torch.tensor([5.0, -5.0]))\n"
            "save_checkpoint(m, sys.argv[1], card={'name': 'nowhere'})\n")
    subprocess.run([backend_python, "-c", code, str(path)], check=True,  # nosec B603
                   capture_output=True, timeout=300)
    return path
