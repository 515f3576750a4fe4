"""The plugin against the torch-free backend (``.venv-runtime``, what the installer installs).

Selected by ``RRSIS_RUNTIME_PYTHON`` (``make test`` sets it; skipped when unset): the
plugin's shared client spawns that interpreter, its hello names ONNX Runtime on the CPU,
and ``rrsis:segment`` through Processing segments a crop of the bundled Kampala sample
with the shipped lgce-lite model; buildings come back as a real vector layer.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from qgis.core import QgsRasterLayer, QgsVectorLayer

from conftest import REPO

RUNTIME_PYTHON = os.environ.get("RRSIS_RUNTIME_PYTHON", "")
SAMPLE = REPO / "resources" / "samples" / "kampala_oam.tif"
CPU = 1  # index of "cpu" in the DEVICE enum


@pytest.fixture
def runtime_backend(clean_settings):
    if not RUNTIME_PYTHON or not Path(RUNTIME_PYTHON).is_file():
        pytest.skip("RRSIS_RUNTIME_PYTHON is not set to the runtime venv (make setup-runtime)")
    from rrsis_qgis import backend, settings

    settings.set("backend_python", RUNTIME_PYTHON)
    settings.set("device", "cpu")
    backend.reset()
    yield backend
    backend.reset()


def test_runtime_backend_says_onnx_and_segments_the_sample(runtime_backend, provider, project,
                                                          tmp_path):
    import processing

    hello = runtime_backend.shared_client().start()
    assert hello["torch"] is None and (hello["runtime"], hello["device"]) == ("onnx", "cpu")
    raster = QgsRasterLayer(str(SAMPLE), "sample")
    extent = raster.extent()
    crop = (f"{extent.xMinimum()},{extent.xMinimum() + extent.width() / 2},"
            f"{extent.yMinimum()},{extent.yMaximum()} [{raster.crs().authid()}]")
    out = tmp_path / "buildings.gpkg"
    result = processing.run("rrsis:segment", {
        "INPUT": str(SAMPLE), "EXPRESSION": "buildings", "EXTENT": crop, "MODEL": "lgce-lite",
        "DEVICE": CPU, "OUTPUT": str(out)})
    assert result["FEATURE_COUNT"] >= 5
    layer = QgsVectorLayer(result["OUTPUT"], "buildings", "ogr")
    assert layer.isValid() and layer.crs() == raster.crs()
    features = list(layer.getFeatures())
    assert {f["model"] for f in features} == {"lgce-lite"}
    assert all(f.geometry().intersects(extent) for f in features)
