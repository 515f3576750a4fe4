"""Processing provider "RRSIS": processing.run, parallel batch tasks, cancel, qgis_process.bin."""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404
import sys

import pytest
from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform,
                       QgsProcessingAlgRunnerTask, QgsProcessingContext, QgsProcessingFeedback,
                       QgsRasterLayer, QgsRectangle, QgsVectorLayer)

from conftest import REPO, wait_until, write_geotiff, write_photo

pytestmark = pytest.mark.usefixtures("backend_settings")
CPU = 1  # index of "cpu" in the DEVICE enum




def test_segment_two_expressions_through_processing_run(provider, project, tmp_path):
    import processing

    raster = write_geotiff(tmp_path / "scene.tif")
    out = tmp_path / "objects.gpkg"
    probability = tmp_path / "probability.tif"
    result = processing.run("rrsis:segment", {
        "INPUT": str(raster), "EXPRESSION": "cars\nroofs", "MODEL": "everywhere",
        "DEVICE": CPU, "OUTPUT": str(out), "OUTPUT_PROBABILITY": str(probability)})
    assert result["FEATURE_COUNT"] == 2
    prob = QgsRasterLayer(result["OUTPUT_PROBABILITY"], "p")
    assert prob.isValid() and prob.width() == 96 and prob.crs().authid() == "EPSG:32633"
    layer = QgsVectorLayer(result["OUTPUT"], "out", "ogr")
    assert layer.isValid() and layer.crs().authid() == "EPSG:32633"
    features = list(layer.getFeatures())
    assert sorted(f["expression"] for f in features) == ["cars", "roofs"]
    assert {f["model"] for f in features} == {"everywhere"}
    box = features[0].geometry().boundingBox()  # the whole 48 m x 48 m raster
    assert box.width() == pytest.approx(48, abs=0.01) and box.height() == pytest.approx(48, abs=0.01)


def test_extent_given_in_another_crs_is_used_in_the_raster_crs(provider, project, tmp_path):
    import processing

    raster = write_geotiff(tmp_path / "scene.tif")
    inner = QgsRectangle(500010, 4649740, 500030, 4649760)
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    to_wgs = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:32633"), wgs84, project)
    r = to_wgs.transformBoundingBox(inner)
    extent = f"{r.xMinimum()!r},{r.xMaximum()!r},{r.yMinimum()!r},{r.yMaximum()!r} [EPSG:4326]"
    result = processing.run("rrsis:segment", {
        "INPUT": str(raster), "EXPRESSION": "cars", "EXTENT": extent, "MODEL": "everywhere",
        "DEVICE": CPU, "OUTPUT": "TEMPORARY_OUTPUT"})
    layer = result["OUTPUT"]  # a memory layer: any QGIS-writable destination works
    (feature,) = list(layer.getFeatures())
    box = feature.geometry().boundingBox()
    back = QgsCoordinateTransform(wgs84, QgsCoordinateReferenceSystem("EPSG:32633"),
                                  project).transformBoundingBox(r)
    assert box.xMinimum() == pytest.approx(back.xMinimum(), abs=1.01)
    assert box.yMaximum() == pytest.approx(back.yMaximum(), abs=1.01)
    assert box.width() < 25  # not the whole raster


def test_a_raster_without_crs_through_processing(provider, project, tmp_path):
    """A photo without a CRS: the extent in the pixel units QGIS draws it in, the polygons
    back in them (no CRS), areas from the pixel size."""
    import processing

    photo = write_photo(tmp_path / "photo.png")
    result = processing.run("rrsis:segment", {
        "INPUT": str(photo), "EXPRESSION": "cars", "EXTENT": "10,50,-60,-20",
        "PIXEL_SIZE": 0.25, "MODEL": "everywhere", "DEVICE": CPU, "OUTPUT": "TEMPORARY_OUTPUT"})
    layer = result["OUTPUT"]
    assert not layer.crs().isValid()
    (feature,) = list(layer.getFeatures())
    box = feature.geometry().boundingBox()
    pixel = feature["gsd_m"] / 0.25 + 0.01   # a working pixel, in photo pixels
    for got, want in zip((box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()),
                         (10, -60, 50, -20)):
        assert got == pytest.approx(want, abs=pixel)
    assert feature["area_m2"] == pytest.approx(feature.geometry().area() * 0.25 ** 2, rel=0.02)


def test_batch_over_two_rasters_runs_in_parallel_worker_threads(provider, project, tmp_path):
    """What the batch dialog does: one task per row, each in its own thread, one shared backend."""
    algorithm = QgsApplication.processingRegistry().algorithmById("rrsis:segment")
    tasks, outputs = [], []
    context = QgsProcessingContext()
    context.setProject(project)
    feedback = QgsProcessingFeedback()
    for i in range(2):
        raster = write_geotiff(tmp_path / f"scene{i}.tif", origin=(500000.0 + 1000 * i, 4649776.0))
        outputs.append(tmp_path / f"objects{i}.gpkg")
        task = QgsProcessingAlgRunnerTask(algorithm, {
            "INPUT": str(raster), "EXPRESSION": f"cars of run {i}", "MODEL": "everywhere", "DEVICE": CPU,
            "OUTPUT": str(outputs[i])}, context, feedback)
        results = []
        task.executed.connect(lambda ok, res, results=results: results.append((ok, res)))
        tasks.append((task, results))
        QgsApplication.taskManager().addTask(task)
    assert wait_until(lambda: all(r for _, r in tasks), 180)
    for i, (_, results) in enumerate(tasks):
        ok, res = results[0]
        assert ok, feedback.textLog()
        (feature,) = list(QgsVectorLayer(str(outputs[i]), "o", "ogr").getFeatures())
        assert feature["expression"] == f"cars of run {i}"
        assert feature.geometry().boundingBox().xMinimum() == pytest.approx(500000.0 + 1000 * i)


@pytest.mark.parametrize("algorithm_id", ["segment", "estimate", "segment_many",
                                          "build_dataset"])
def test_layers_are_read_on_the_calling_thread_before_the_background_run(
        algorithm_id, provider, project, tmp_path):
    """QGIS prepares a task on the thread that makes it (the main one) and runs it on a
    worker; layers are not thread-safe, so the raster is loaded when the task is made."""
    raster = write_geotiff(tmp_path / "scene.tif")
    labels = tmp_path / "labels.geojson"
    labels.write_text(json.dumps({"type": "FeatureCollection", "features": [], "crs": {
        "type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32633"}}}))
    given = {"segment": {"INPUT": str(raster), "EXPRESSION": "cars"},
             "estimate": {"INPUT": str(raster), "EXPRESSION": "cars"},
             "segment_many": {"LAYERS": [str(raster)], "EXPRESSION": "cars"},
             "build_dataset": {"INPUT": str(raster), "LABELS": str(labels),
                               "FIXED_CLASS": "car"}}[algorithm_id]
    algorithm = QgsApplication.processingRegistry().algorithmById(f"rrsis:{algorithm_id}")
    context = QgsProcessingContext()
    context.setProject(project)
    task = QgsProcessingAlgRunnerTask(algorithm, given, context, QgsProcessingFeedback())
    loaded = context.temporaryLayerStore().mapLayers().values()
    assert [layer.source() for layer in loaded if isinstance(layer, QgsRasterLayer)] == [
        str(raster)]
    del task   # never run


def test_explain_reads_no_layer_when_prepared(provider, project):
    """Explain has no raster: preparing it reads nothing and finds no problem to raise."""
    algorithm = QgsApplication.processingRegistry().algorithmById("rrsis:explain").create()
    context = QgsProcessingContext()
    context.setProject(project)
    assert algorithm.prepare({"EXPRESSION": "cars"}, context, QgsProcessingFeedback())
    assert algorithm.layers_read() is None
    assert not context.temporaryLayerStore().mapLayers()


def test_cancel_from_feedback_stops_the_backend_request(provider, project, tmp_path):
    algorithm = QgsApplication.processingRegistry().algorithmById("rrsis:segment")
    raster = write_geotiff(tmp_path / "big.tif", size=(1536, 1536))
    out = tmp_path / "never.gpkg"
    context = QgsProcessingContext()
    feedback = QgsProcessingFeedback()
    progress = []
    feedback.progressChanged.connect(progress.append)
    task = QgsProcessingAlgRunnerTask(algorithm, {
        "INPUT": str(raster), "EXPRESSION": "cars", "MODEL": "tiny", "DEVICE": CPU,
        "OUTPUT": str(out)}, context, feedback)
    results = []
    task.executed.connect(lambda ok, res: results.append(ok))
    QgsApplication.taskManager().addTask(task)
    assert wait_until(lambda: bool(progress) or bool(results), 120)
    feedback.cancel()
    assert wait_until(lambda: bool(results), 60)
    assert results == [False]
    assert not out.exists()


def test_estimate_reports_tiles_seconds_and_memory(provider, project, tmp_path):
    import processing

    raster = write_geotiff(tmp_path / "scene.tif", size=(256, 256))
    result = processing.run("rrsis:estimate", {"INPUT": str(raster), "EXPRESSION": "cars",
                                                "MODEL": "tiny", "DEVICE": CPU})
    assert result["TILES"] >= 16  # 256 px at the model's 64 px input
    assert result["SECONDS"] > 0 and result["PEAK_MEMORY_MB"] > 0
    assert result["GSD_M"] == pytest.approx(0.5) and result["DEVICE_USED"] == "cpu"


def test_explain_reads_expressions_without_a_raster(provider, project):
    import processing

    result = processing.run("rrsis:explain", {
        "EXPRESSION": "the boat near the building\ncars within 20 m of the river",
        "MODEL": "tiny"})
    assert result["PLANS"].splitlines() == [
        "the boat near the building: nothing: no object matches (unknown word 'boat')",
        "cars within 20 m of the river: grounded: car within 20 m of water"]
    assert "no model run: no object matches ('boat' names no object the model knows)" \
        in result["TEXT"]
    assert "segment: 'cars', 'water'" in result["TEXT"]


QGIS_PROCESS = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"


@pytest.mark.skipif(not os.path.exists(QGIS_PROCESS), reason="qgis_process.bin not installed")
def test_qgis_process_runs_segment_headless_from_the_installed_zip(backend_python, model_dir,
                                                                    tmp_path):
    home = tmp_path / "home"
    zip_path = tmp_path / "rrsis_qgis.zip"
    subprocess.run([sys.executable, str(REPO / "scripts" / "package_plugin.py"), "--output",  # nosec B603
                    str(zip_path)], check=True, capture_output=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QGIS_", "XDG_"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", RRSIS_BACKEND_PYTHON=backend_python,
               RRSIS_MODEL_DIR=str(model_dir))
    subprocess.run([sys.executable, str(REPO / "scripts" / "install_plugin.py"), str(zip_path)],  # nosec B603
                   check=True, capture_output=True, timeout=120, env=env)
    raster = write_geotiff(tmp_path / "scene.tif")
    out = tmp_path / "objects.gpkg"
    run = subprocess.run([QGIS_PROCESS, "--json", "run", "rrsis:segment", "--",  # nosec B603
                          f"INPUT={raster}", "EXPRESSION=vehicles along the road",
                          "MODEL=everywhere", f"DEVICE={CPU}", f"OUTPUT={out}"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    report = json.loads(run.stdout[run.stdout.index("{"):])
    assert report["results"]["FEATURE_COUNT"] == 1
    (feature,) = list(QgsVectorLayer(str(out), "o", "ogr").getFeatures())
    assert feature["expression"] == "vehicles along the road"
    assert feature["model"] == "everywhere"


def test_segment_inside_a_model_designer_model(provider, project, tmp_path):
    """A Model Designer model: segment, then evaluate its output (against itself: IoU 1)."""
    import processing
    from qgis.core import (QgsProcessingModelAlgorithm, QgsProcessingModelChildAlgorithm,
                           QgsProcessingModelChildParameterSource as Source,
                           QgsProcessingModelOutput, QgsProcessingModelParameter,
                           QgsProcessingParameterRasterLayer, QgsProcessingParameterString)

    model = QgsProcessingModelAlgorithm("segment and check", "tests")
    model.addModelParameter(QgsProcessingParameterRasterLayer("raster", "Raster"),
                            QgsProcessingModelParameter("raster"))
    model.addModelParameter(QgsProcessingParameterString("expression", "Expression"),
                            QgsProcessingModelParameter("expression"))
    segment = QgsProcessingModelChildAlgorithm("rrsis:segment")
    segment.setChildId("segment")
    segment.addParameterSources("INPUT", [Source.fromModelParameter("raster")])
    segment.addParameterSources("EXPRESSION", [Source.fromModelParameter("expression")])
    segment.addParameterSources("MODEL", [Source.fromStaticValue("everywhere")])
    segment.addParameterSources("DEVICE", [Source.fromStaticValue(CPU)])
    output = QgsProcessingModelOutput("objects")
    output.setChildId("segment")
    output.setChildOutputName("OUTPUT")
    segment.setModelOutputs({"objects": output})
    model.addChildAlgorithm(segment)
    evaluate = QgsProcessingModelChildAlgorithm("rrsis:evaluate")
    evaluate.setChildId("evaluate")
    evaluate.addParameterSources("INPUT", [Source.fromChildOutput("segment", "OUTPUT")])
    evaluate.addParameterSources("REFERENCE", [Source.fromChildOutput("segment", "OUTPUT")])
    model.addChildAlgorithm(evaluate)
    assert model.validate()[0], model.validate()[1]

    raster = write_geotiff(tmp_path / "scene.tif")
    out = tmp_path / "model_objects.gpkg"
    result = processing.run(model, {"raster": str(raster), "expression": "cars",
                                    "segment:objects": str(out)})
    (feature,) = list(QgsVectorLayer(result["segment:objects"], "o", "ogr").getFeatures())
    assert feature["expression"] == "cars"
    assert result["CHILD_RESULTS"]["evaluate"]["IOU"] == pytest.approx(1.0)
