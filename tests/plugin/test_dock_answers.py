"""The dock answers plainly: nothing found, too large a render, GSD and minimum area sent as set."""

from __future__ import annotations

import re
from typing import Any, List

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsRasterLayer

from conftest import wait_until, write_geotiff, write_nowhere_model

pytestmark = pytest.mark.usefixtures("backend_settings")


@pytest.fixture(scope="module")
def nowhere_model(backend_python: str, tmp_path_factory) -> str:
    """The tiny test config with its classifier set to background everywhere: finds nothing."""
    path = tmp_path_factory.mktemp("nowhere") / "nowhere.safetensors"
    return str(write_nowhere_model(backend_python, path))


def _choose(dock: Any, raster: QgsRasterLayer, expression: str, model: str) -> None:
    dock.raster.setLayer(raster)
    dock.expression.setCurrentText(expression)
    dock.model.addItem(model, model)
    dock.model.setCurrentIndex(dock.model.findData(model))
    dock.extent.setCurrentIndex(dock.extent.findData("layer"))


def _bar_texts(iface) -> List[str]:
    return [item.text() for item in iface.bar.items()]


def test_minimum_area_zero_and_the_gsd_reach_the_backend_as_set(clean_settings, dock,
                                                                 raster_layer):
    from rrsis_qgis import params, settings

    _choose(dock, raster_layer, "cars", "everywhere")
    assert dock.min_area.value() == params.MIN_AREA_DEFAULT  # the backend's, as on the CLI
    assert dock.gsd.value() == 0 and dock.gsd.specialValueText() == "auto"
    request = dock.build_segment_request()
    assert request["min_area_m2"] is None and request["gsd_m"] is None
    assert "regularize" not in request  # only sent when asked (older backends lack it)
    dock.regularize.setChecked(True)
    assert dock.build_segment_request()["regularize"] is True
    assert "flip_average" not in request
    dock.flip_average.setChecked(True)
    assert dock.build_segment_request()["flip_average"] is True
    assert "overlap" not in request and dock.overlap.value() == 0.25   # the engine's
    dock.overlap.setValue(0.5)
    assert dock.build_segment_request()["overlap"] == 0.5
    assert "rivals" not in request and dock.rivals.isChecked()  # on: the backend's default
    dock.rivals.setChecked(False)
    assert dock.build_segment_request()["rivals"] is False
    assert "stretch" not in request and not dock.stretch_area.isChecked()  # auto
    dock.stretch_area.setChecked(True)
    assert dock.build_segment_request()["stretch"] == "area"
    assert "nir_band" not in request and dock.nir.isChecked()  # auto: the backend finds it
    dock.nir.setChecked(False)
    assert dock.build_segment_request()["nir_band"] == 0   # off
    dock.min_area.setValue(0)
    dock.gsd.setValue(0.25)
    request = dock.build_segment_request()
    assert request["min_area_m2"] == 0.0  # 0 means no filter, not "the default"
    assert request["gsd_m"] == 0.25 and request["raster"] == raster_layer.source()
    assert (dock.threshold.minimum(), dock.threshold.maximum()) == settings.THRESHOLD_RANGE


def test_a_run_that_finds_nothing_says_so_and_adds_no_layer(iface, project, dock, raster_layer,
                                                            nowhere_model):
    from rrsis_qgis import layers

    _choose(dock, raster_layer, "swimming pools", nowhere_model)
    dock.run_button.click()
    assert wait_until(lambda: dock.outcomes, timeout=300)
    outcome, added = dock.outcomes[0]
    assert outcome == "ok" and added == []
    group = project.layerTreeRoot().findGroup(layers.GROUP_NAME)
    assert group is None or not group.findLayers()
    (text,) = _bar_texts(iface)
    assert text.startswith("No object matches “swimming pools” here at 0.5 m.")
    assert "Try other words, another extent or a lower threshold." in text
    item = iface.bar.items()[0]
    buttons = {b.text(): b for b in item.findChildren(type(dock.run_button))}
    assert set(buttons) == {"Details", "Edit expression"}
    buttons["Details"].click()
    assert iface.log_opened == 1


def test_too_large_a_web_render_is_refused_with_the_size_and_a_way_to_fix_it(
        iface, project, dock, xyz_tiles):
    project.setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    xyz = QgsRasterLayer(xyz_tiles, "Kampala XYZ", "wms")
    project.addMapLayer(xyz)
    _choose(dock, xyz, "buildings", "everywhere")
    dock.extent.setCurrentIndex(dock.extent.findData("layer"))  # the whole world at zoom 21
    dock.run_button.click()
    assert wait_until(lambda: dock.outcomes, timeout=300)
    assert dock.outcomes[0] == ("failed", [])
    (text,) = _bar_texts(iface)
    # the tiny model serves 0.3 m and up: zoom 19, 134,217,728 px across the world
    assert re.match(r"The whole layer of “Kampala XYZ” at 0\.3 m is 134,217,728 × 134,217,728 px;"
                    r" zoom in or choose a coarser GSD \(at most 67 million px\)\.$", text), text
    item = iface.bar.items()[0]
    fix = [b for b in item.findChildren(type(dock.run_button)) if b.objectName() == "rrsisFix"]
    assert [b.text() for b in fix] == ["Set the GSD…"]
    assert dock.advanced.isCollapsed()
    fix[0].click()
    assert not dock.advanced.isCollapsed()


def test_answers_name_unknown_words_and_partial_finds():
    from rrsis_qgis.answers import summarize

    answer = summarize({"feature_counts": {"cars": 3, "boats": 0}, "gsd_m": 0.15,
                        "unknown_words": ["zorblax"]}, ["cars", "boats"])
    assert answer.text.startswith("Found 3 “cars”. No object matches “boats” here at 0.15 m.")
    assert "The model does not know “zorblax”" in answer.text
    assert answer.code == "unknown_words" and answer.level == "warning"
    ok = summarize({"feature_counts": {"cars": 2}}, ["cars"])
    assert (ok.level, ok.text) == ("success", "Found 2 “cars”.")
    assert "stretched" not in ok.detail
    tuned = summarize({"feature_counts": {"cars": 2}, "model": "mine", "gsd_m": 0.25,
                       "device": "cpu", "stretch": "model"}, ["cars"])
    assert tuned.detail == "model mine at 0.25 m on cpu, values stretched as in its training data"
    drawn = summarize({"feature_counts": {"cars": 2}, "model": "m", "gsd_m": 0.25,
                       "device": "cpu", "bands": [3, 2, 1]}, ["cars"])
    assert drawn.detail == "model m at 0.25 m on cpu, bands 3, 2, 1 as red, green, blue"
    for plain in ([1, 2, 3], [1, 1, 1]):
        assert "bands" not in summarize({"feature_counts": {"cars": 2}, "bands": plain},
                                        ["cars"]).detail
    told = summarize({"feature_counts": {"x": 0}, "message": "no object matches the expression"},
                     ["x"])
    assert told.text.endswith("no object matches the expression.")
    typo = summarize({"feature_counts": {"biuldings": 0}, "plans": {"biuldings": {
        "unknown_words": ["biuldings"], "suggestions": ["buildings"]}}}, ["biuldings"])
    assert "does not know “biuldings” (did you mean “buildings”?)" in typo.text
    several = summarize({"feature_counts": {"anything red": 23}, "plans": {"anything red": {
        "categories": {"building": 20, "bare land": 3}}}}, ["anything red"])
    assert several.text == "Found 23 “anything red” (20 building, 3 bare land)."


def test_processing_takes_a_working_gsd_and_offers_the_engines_threshold_range(provider, project,
                                                                              tmp_path):
    import processing
    from qgis.core import QgsApplication, QgsVectorLayer

    from rrsis_qgis import settings

    algorithm = QgsApplication.processingRegistry().algorithmById("rrsis:segment")
    threshold = algorithm.parameterDefinition("THRESHOLD")
    assert (threshold.minimum(), threshold.maximum()) == settings.THRESHOLD_RANGE
    assert 0 < threshold.minimum() and threshold.maximum() < 1  # the engine's open (0, 1)
    assert algorithm.parameterDefinition("MIN_AREA").defaultValue() is None  # the engine's
    raster = write_geotiff(tmp_path / "scene.tif")  # 0.5 m
    result = processing.run("rrsis:segment", {
        "INPUT": str(raster), "EXPRESSION": "cars", "MODEL": "everywhere", "DEVICE": 1,
        "GSD": 1.0, "MIN_AREA": 0, "REGULARIZE": True, "OUTPUT": str(tmp_path / "out.gpkg")})
    (feature,) = QgsVectorLayer(result["OUTPUT"], "out", "ogr").getFeatures()
    assert feature["gsd_m"] == pytest.approx(1.0)


def test_the_preview_line_says_what_the_model_did_not_learn_and_what_was_meant():
    from rrsis_qgis.plans import corrections, preview_text

    text = preview_text({"plans": {
        "trucks": {"mode": "grounded", "summary": "grounded: truck", "rivals": ["building"],
                   "cautions": ["the model did not learn 'truck' (validation IoU 0.00 on 57 "
                                "examples): what it finds may be other objects it knows"]},
        "biuldings": {"mode": "nothing", "summary": "nothing: no object matches (unknown "
                      "word 'biuldings')", "unknown_words": ["biuldings"],
                      "suggestions": ["buildings"], "notes": ["no object matches"]}}})
    assert text.splitlines() == [
        "Reads as: trucks: grounded: truck; rivals: building (the model did not learn 'truck' "
        "(validation IoU 0.00 on 57 examples): what it finds may be other objects it knows)",
        "Reads as: biuldings: nothing: no object matches (unknown word 'biuldings') (did you "
        "mean 'buildings'?)"]
    mended = {"plans": {"biuldings near the raod": {
        "mode": "nothing", "summary": "nothing: no object matches", "unknown_words": [
            "biuldings", "raod"], "suggestions": ["buildings", "road"],
        "corrected": "buildings near the road", "notes": ["no object matches"]}}}
    assert preview_text(mended) == ("Reads as: nothing: no object matches (did you mean "
                                    "'buildings near the road'?)")
    assert corrections(mended) == {"biuldings near the raod": "buildings near the road"}
    assert corrections({"plans": {"cars": {"corrected": ""}, "x": "not a plan"}}) == {}
    text = preview_text({"plans": {"buildings next to the road": {
        "mode": "grounded", "summary": "grounded: building next to road (<= 10 m)",
        "base_model": {"road": "lgce-lite"}}}})
    assert text == ("Reads as: grounded: building next to road (<= 10 m) ('road' asked of "
                    "lgce-lite)")
