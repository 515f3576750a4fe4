""""Fine-tune model" in real QGIS: raster + point/polygon layer -> a new model through the
backend protocol (tiny model, tiny budget), before/after reported, the dock lists it at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer

from conftest import LogFeedback, wait_until, write_geotiff

pytestmark = pytest.mark.usefixtures("backend_settings")


def _layer(kind: str, points) -> QgsVectorLayer:  # type: ignore[no-untyped-def]
    layer = QgsVectorLayer(f"{kind}?crs=EPSG:32633", "labels", "memory")
    feats = []
    for x, y in points:
        f = QgsFeature()
        if kind == "Point":
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        else:
            f.setGeometry(QgsGeometry.fromRect(
                QgsGeometry.fromPointXY(QgsPointXY(x, y)).buffer(3, 4).boundingBox()))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def test_finetune_model_from_points_and_the_dock_lists_it(provider, project, iface, model_dir,
                                                         tmp_path: Path) -> None:
    import processing
    from rrsis_qgis.dock import RrsisDock

    raster = write_geotiff(tmp_path / "scene.tif", size=(192, 192))
    from qgis.core import QgsRasterLayer
    layer = QgsRasterLayer(str(raster), "scene")
    ext = layer.extent()
    pts = [(ext.xMinimum() + 5 + 9 * (k % 9), ext.yMaximum() - 5 - 9 * (k // 9))
           for k in range(81)]
    pts = [(x, y) for x, y in pts if x < ext.xMaximum() - 3 and y > ext.yMinimum() + 3]
    dock = RrsisDock(iface, iface.mainWindow())
    try:
        log = LogFeedback()
        out = processing.run("rrsis:finetune", {
            "INPUT": str(raster), "LABELS": _layer("Point", pts), "FIXED_CLASS": "tree",
            "POINT_RADIUS": 2.0, "GSD": 0.5, "MINUTES": 0.5, "NAME": "qgis-trees",
            "BASE": "tiny", "MAX_ITERS": 2, "RUN": str(tmp_path / "run")}, feedback=log)
        assert out["MODEL_NAME"] == "qgis-trees" and out["RUN"] == str(tmp_path / "run")
        # the run folder the analyst chose keeps the curves and the before/after
        assert {"curves.png", "before_after.json", "heldout-after-tree.gpkg"} <= {
            p.name for p in (tmp_path / "run").iterdir()}
        # the before/after in the backend's words (as the CLI prints them), in the log
        assert any(m.startswith("held-out part: ") for m in log.info)
        assert any(m.startswith("  tree: IoU ") and " -> " in m for m in log.info)
        assert out["HELD_OUT_OBJECTS"] > 0 and 0 <= out["IOU_AFTER"] <= 1
        # what each model drew on the held-out part, to look at (loaded on completion)
        before, after = out["HELD_OUT_LAYERS"]
        assert "heldout-before-tree.gpkg|layername=" in before and "heldout-after" in after
        assert all(QgsVectorLayer(uri, "held out", "ogr").isValid() for uri in (before, after))
        assert (model_dir / "qgis-trees.safetensors").is_file()
        assert wait_until(lambda: dock.model.findData("qgis-trees") >= 0, timeout=60)
        dock.model.setCurrentIndex(dock.model.findData("qgis-trees"))
        assert dock.gsd_hint.text().endswith("; its classes: tree"), dock.gsd_hint.text()
        with pytest.raises(Exception, match="output_exists|exists"):
            processing.run("rrsis:finetune", {
                "INPUT": str(raster), "LABELS": _layer("Polygon", pts), "FIXED_CLASS": "tree",
                "GSD": 0.5, "MINUTES": 0.5, "NAME": "qgis-trees", "BASE": "tiny",
                "MAX_ITERS": 1})
    finally:
        (model_dir / "qgis-trees.safetensors").unlink(missing_ok=True)
        dock.deleteLater()


def test_a_model_name_that_is_a_path_is_refused_before_the_labels_are_exported(
        provider, project, tmp_path: Path) -> None:
    import processing
    from qgis.core import QgsProcessingException, QgsProcessingUtils

    raster = write_geotiff(tmp_path / "scene.tif", size=(192, 192))
    temp = Path(QgsProcessingUtils.tempFolder())
    before = set(temp.rglob("*"))
    with pytest.raises(QgsProcessingException, match="plain name"):
        processing.run("rrsis:finetune", {
            "INPUT": str(raster), "LABELS": _layer("Polygon", [(500020.0, 4649750.0)]),
            "FIXED_CLASS": "building", "NAME": "../elsewhere", "MINUTES": 0.1})
    assert set(temp.rglob("*")) == before   # the memory layer was not written out
