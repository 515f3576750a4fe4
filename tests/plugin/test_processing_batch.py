"""Processing "Segment many rasters" (``rrsis:segment_many``): the backend's ``batch`` on a
local Dask cluster, with progress, cancel and resume, in real QGIS."""

from __future__ import annotations

import sqlite3

import pytest
from qgis.core import (QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback,
                       QgsRasterLayer, QgsVectorLayer)

from conftest import write_geotiff

pytestmark = pytest.mark.usefixtures("backend_settings")
CPU = 1  # index of "cpu" in the DEVICE enum


class Recorder(QgsProcessingFeedback):
    """Feedback that keeps every progress value and can cancel itself at the first one."""

    def __init__(self, cancel_on_progress: bool = False) -> None:
        super().__init__()
        self.values = []
        self.cancel_on_progress = cancel_on_progress

    def setProgress(self, value: float) -> None:  # noqa: N802 - what the algorithm calls
        super().setProgress(value)
        self.values.append(value)
        if self.cancel_on_progress:
            self.cancel()


def test_two_adjacent_layers_become_one_object_with_both_sources(provider, project, tmp_path):
    import processing

    left = write_geotiff(tmp_path / "left.tif")
    right = write_geotiff(tmp_path / "right.tif", origin=(500048.0, 4649776.0))  # 48 m east
    layers = [QgsRasterLayer(str(p), p.stem) for p in (left, right)]
    assert all(layer.isValid() for layer in layers)
    feedback = Recorder()
    result = processing.run("rrsis:segment_many", {
        "LAYERS": layers, "EXPRESSION": "cars", "MODEL": "everywhere", "DEVICE": CPU,
        "WORKERS": 1, "OUTPUT_DIR": str(tmp_path / "out"),
        "OUTPUT": str(tmp_path / "objects.gpkg")}, feedback=feedback)
    assert (result["RASTERS_DONE"], result["RASTERS_FAILED"]) == (2, 0)
    assert result["FEATURE_COUNT"] == 1  # 'everywhere' covers each raster; joined at the edge
    layer = QgsVectorLayer(result["OUTPUT"], "objects", "ogr")
    assert layer.isValid() and layer.crs().authid() == "EPSG:32633"
    (feature,) = list(layer.getFeatures())
    assert feature["source"] == f"{left};{right}"
    box = feature.geometry().boundingBox()
    assert box.width() == pytest.approx(96, abs=0.01) and box.height() == pytest.approx(48, abs=0.01)
    assert max(feedback.values) == pytest.approx(100.0)
    assert (tmp_path / "out" / "merged.parquet").is_file()


def test_a_folder_run_cancelled_then_resumed(provider, project, tmp_path):
    import processing

    folder = tmp_path / "tiles"
    folder.mkdir()
    for i in range(3):
        write_geotiff(folder / f"tile{i}.tif", origin=(500000.0 + 48 * i, 4649776.0))
    (folder / "broken.tif").write_bytes(b"II*\x00" + b"\x00" * 64)
    params = {"FOLDER": str(folder), "EXPRESSION": "cars", "MODEL": "everywhere", "DEVICE": CPU,
              "WORKERS": 1, "OUTPUT_DIR": str(tmp_path / "out"),
              "OUTPUT": str(tmp_path / "objects.gpkg")}
    context = QgsProcessingContext()
    context.setProject(project)
    with pytest.raises(QgsProcessingException, match="Cancelled"):
        processing.run("rrsis:segment_many", params, context=context,
                       feedback=Recorder(cancel_on_progress=True))
    assert not (tmp_path / "out" / "merged.gpkg").exists()
    result = processing.run("rrsis:segment_many", params, context=context, feedback=Recorder())
    assert (result["RASTERS_DONE"], result["RASTERS_FAILED"]) == (3, 1)
    assert result["FEATURE_COUNT"] == 1  # three tiles in a row: one object
    db = sqlite3.connect(tmp_path / "out" / "manifest.sqlite")
    statuses = sorted(r[0] for r in db.execute("SELECT status FROM rasters"))
    db.close()
    assert statuses == ["done", "done", "done", "invalid"]


def test_photos_without_a_crs_come_back_where_qgis_draws_them(provider, project, tmp_path):
    """A folder of drone photos without a CRS: each is segmented in the pixel units QGIS
    draws it in (y minus the row), areas from the pixel size, objects without a CRS and with
    their photo in 'source'."""
    import processing

    from conftest import write_photo

    folder = tmp_path / "photos"
    folder.mkdir()
    photos = [write_photo(folder / f"p{i}.png", size=(64 + 16 * i, 48)) for i in range(2)]
    result = processing.run("rrsis:segment_many", {
        "FOLDER": str(folder), "EXPRESSION": "cars", "MODEL": "everywhere", "DEVICE": CPU,
        "PIXEL_SIZE": 0.25, "WORKERS": 1, "OUTPUT_DIR": str(tmp_path / "out"),
        "OUTPUT": "TEMPORARY_OUTPUT"})
    assert (result["RASTERS_DONE"], result["RASTERS_FAILED"]) == (2, 0)
    layer = result["OUTPUT"]
    assert not layer.crs().isValid()
    boxes = {f["source"]: f.geometry().boundingBox() for f in layer.getFeatures()}
    assert sorted(boxes) == sorted(map(str, photos))
    for i, photo in enumerate(photos):   # the whole photo: (0, -48) to (width, 0)
        box = boxes[str(photo)]
        assert (box.xMinimum(), box.yMaximum()) == (pytest.approx(0, abs=2.01),
                                                     pytest.approx(0, abs=2.01))
        assert (box.xMaximum(), box.yMinimum()) == (pytest.approx(64 + 16 * i, abs=2.01),
                                                     pytest.approx(-48, abs=2.01))
