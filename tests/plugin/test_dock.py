"""The dock end to end: real QGIS widgets, the real backend subprocess, tiny real models."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any, Tuple

import pytest
from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsRasterLayer,
                       QgsRectangle)

from conftest import wait_until, write_geotiff, write_photo

pytestmark = pytest.mark.usefixtures("backend_settings")


def _run(dock: Any, expression: str, raster: QgsRasterLayer, model: str = "everywhere") -> None:
    dock.raster.setLayer(raster)
    dock.expression.setCurrentText(expression)
    dock.model.addItem(model, model)
    dock.model.setCurrentIndex(dock.model.findData(model))
    dock.run_button.click()


def _finish(dock: Any, count: int, timeout: float = 180) -> Tuple[str, list]:
    assert wait_until(lambda: len(dock.outcomes) >= count, timeout), "the run did not finish"
    return dock.outcomes[count - 1]


def test_visible_extent_in_another_crs_gives_a_layer_at_the_right_place(iface, project, dock,
                                                                         tmp_path):
    from rrsis_qgis import layers, settings

    project.setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))  # the raster is in EPSG:32633
    iface.canvas.setDestinationCrs(project.crs())
    raster = QgsRasterLayer(str(write_geotiff(tmp_path / "scene.tif", size=(128, 128))), "scene")
    project.addMapLayer(raster)
    to_map = QgsCoordinateTransform(raster.crs(), project.crs(), project)
    inner = QgsRectangle(500010, 4649730, 500040, 4649760)  # inside the 64 m x 64 m raster
    iface.canvas.setExtent(to_map.transformBoundingBox(inner))
    iface.canvas.refresh()
    visible = QgsCoordinateTransform(project.crs(), raster.crs(), project).transformBoundingBox(
        iface.canvas.extent()).intersect(raster.extent())

    _run(dock, "vehicles along the road", raster)
    assert dock.cancel_button.isEnabled()
    outcome, added = _finish(dock, 1)
    assert outcome == "ok", iface.bar.items() and iface.bar.items()[0].text()
    (layer,) = added
    assert layer.name() == "vehicles along the road (everywhere)"
    assert layer.crs().authid() == "EPSG:32633"
    features = list(layer.getFeatures())
    assert len(features) == 1  # the "everywhere" model: one polygon = the processed extent
    f = features[0]
    assert f["expression"] == "vehicles along the road" and f["model"] == "everywhere"
    assert f["gsd_m"] == pytest.approx(0.5) and f["score"] > 0.9
    box = f.geometry().boundingBox()
    for got, want in zip((box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()),
                         (visible.xMinimum(), visible.yMinimum(), visible.xMaximum(),
                          visible.yMaximum())):
        assert got == pytest.approx(want, abs=1.01)  # within two pixels of 0.5 m
    assert f["area_m2"] == pytest.approx(f.geometry().area(), rel=0.02)
    group = project.layerTreeRoot().findGroup(layers.GROUP_NAME)
    assert [n.layerId() for n in group.findLayers()] == [layer.id()]
    assert "everywhere" in layer.metadata().abstract()
    # the grounding plan: a feature field, the layer's metadata and a line under the expression
    plan = "grounded: vehicle along road (<= 3 m); rivals: building"
    assert f["plan"] == plan
    assert f"Plan: {plan}" in layer.metadata().abstract()
    assert dock.plan.text() == f"{plan} — 1 object"
    assert settings.history()[0] == "vehicles along the road"
    assert dock.expression.itemText(0) == "vehicles along the road"
    assert dock.progress.value() == 100 and dock.run_button.isEnabled()


def test_whole_layer_and_selected_polygon_extents(iface, project, dock, tmp_path):
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    raster = QgsRasterLayer(str(write_geotiff(tmp_path / "scene.tif")), "scene")
    project.addMapLayer(raster)
    dock.raster.setLayer(raster)
    dock.extent.setCurrentIndex(dock.extent.findData("layer"))
    assert dock.extent_request(raster) == {"extent": None, "extent_crs": None}

    polygons = QgsVectorLayer("Polygon?crs=EPSG:4326", "fields", "memory")
    to_wgs = QgsCoordinateTransform(raster.crs(), polygons.crs(), project)
    for rect in (QgsRectangle(500005, 4649740, 500015, 4649750),
                 QgsRectangle(500030, 4649760, 500040, 4649770)):
        feature = QgsFeature()
        feature.setGeometry(QgsGeometry.fromRect(to_wgs.transformBoundingBox(rect)))
        polygons.dataProvider().addFeature(feature)
    polygons.updateExtents()
    project.addMapLayer(polygons)
    polygons.selectByIds([2])
    dock.extent.setCurrentIndex(dock.extent.findData("features"))
    dock.polygons.setLayer(polygons)
    request = dock.extent_request(raster)
    assert request["extent_crs"] == "EPSG:32633"
    xmin, ymin, xmax, ymax = request["extent"]
    assert xmin == pytest.approx(500030, abs=0.5) and ymax == pytest.approx(4649770, abs=0.5)
    dock.selected_only.setChecked(False)
    xmin, ymin, xmax, ymax = dock.extent_request(raster)["extent"]
    assert xmin == pytest.approx(500005, abs=0.5) and ymax == pytest.approx(4649770, abs=0.5)


@pytest.fixture(scope="module")
def big_raster(tmp_path_factory) -> Path:
    """Large enough for the tiny model to take several seconds (hundreds of 64 px tiles)."""
    return write_geotiff(tmp_path_factory.mktemp("big") / "big.tif", size=(1536, 1536))


def _first_tiles(dock: Any) -> bool:
    return "tiles" in dock.eta.text()


def test_cancel_mid_run_leaves_no_layer(iface, project, dock, big_raster):
    from rrsis_qgis import backend

    raster = QgsRasterLayer(str(big_raster), "big")
    project.addMapLayer(raster)
    dock.extent.setCurrentIndex(dock.extent.findData("layer"))
    layers_before = set(project.mapLayers())
    _run(dock, "cars", raster, model="tiny")
    output = Path(dock.task.params["output"])
    assert wait_until(lambda: _first_tiles(dock) or dock.outcomes, 120)
    assert not dock.outcomes, "the run ended before it could be cancelled"
    dock.cancel_button.click()
    outcome, added = _finish(dock, 1, 60)
    assert outcome == "cancelled" and added == []
    assert set(project.mapLayers()) == layers_before
    assert project.layerTreeRoot().findGroup("RRSIS results") is None
    assert not output.exists()
    assert backend.shared_client().state == "ready"  # warm, not restarted


def test_backend_killed_mid_run_shows_error_then_next_run_works(iface, project, dock, big_raster,
                                                                tmp_path):
    from rrsis_qgis import backend

    raster = QgsRasterLayer(str(big_raster), "big")
    project.addMapLayer(raster)
    dock.extent.setCurrentIndex(dock.extent.findData("layer"))
    _run(dock, "cars", raster, model="tiny")
    assert wait_until(lambda: _first_tiles(dock) or dock.outcomes, 120)
    assert not dock.outcomes
    os.kill(backend.shared_client().pid, signal.SIGKILL)
    outcome, added = _finish(dock, 1, 60)
    assert outcome == "failed" and added == []
    items = iface.bar.items()
    assert items, "no message in the message bar"
    details = [b for b in items[-1].findChildren(type(dock.run_button)) if b.text() == "Details"]
    assert details
    details[0].click()
    assert iface.log_opened == 1
    assert "Backend: crashed" in dock.status.text()

    small = QgsRasterLayer(str(write_geotiff(tmp_path / "small.tif")), "small")
    project.addMapLayer(small)
    _run(dock, "cars", small)
    outcome, added = _finish(dock, 2, 180)
    assert outcome == "ok" and len(added) == 1 and added[0].featureCount() == 1


def test_device_choices_show_what_the_backend_found(iface, project, dock):
    from rrsis_qgis import backend

    hello = backend.shared_client().start()
    dock._show_state(None)
    texts = [dock.device.itemText(i) for i in range(dock.device.count())]
    has_cuda = any(d.get("type") == "cuda" for d in hello["devices"])
    assert texts[0] == ("Auto (CUDA)" if has_cuda else "Auto (CPU)")
    assert texts[2].startswith("CUDA (") and (has_cuda or texts[2] == "CUDA (not found)")
    assert wait_until(lambda: dock.model.findData("tiny") >= 0, 60)  # filled from "models"
    # "busy" while the dock's own "models" request runs, then ready again
    want = "Backend: ready on " + ("CUDA" if has_cuda else "CPU")
    assert wait_until(lambda: dock.status.text() == want, 30), dock.status.text()


def test_run_without_a_backend_explains_how_to_install_it(iface, project, dock, monkeypatch,
                                                          tmp_path):
    from rrsis_qgis import backend, settings

    raster = QgsRasterLayer(str(write_geotiff(tmp_path / "scene.tif")), "scene")
    project.addMapLayer(raster)
    old = settings.get("backend_python")
    monkeypatch.delenv("RRSIS_BACKEND_PYTHON", raising=False)
    backend.reset()
    settings.set("backend_python", str(tmp_path / "nowhere" / "python"))
    try:
        dock._show_state(None)
        assert dock.status.text().startswith("Backend: not installed")
        dock.extent.setCurrentIndex(dock.extent.findData("layer"))
        _run(dock, "cars", raster)
        assert dock.task is None and dock.run_button.isEnabled()
        (item,) = iface.bar.items()
        assert "Install backend" in item.text()
        assert project.layerTreeRoot().findGroup("RRSIS results") is None
    finally:
        settings.set("backend_python", old)
        backend.reset()


def test_probability_raster_is_added_on_request(iface, project, dock, tmp_path):
    from qgis.core import QgsRasterLayer as Raster

    raster = Raster(str(write_geotiff(tmp_path / "scene.tif")), "scene")
    project.addMapLayer(raster)
    dock.extent.setCurrentIndex(dock.extent.findData("layer"))
    dock.probability.setChecked(True)
    try:
        _run(dock, "cars", raster)
        outcome, added = _finish(dock, 1)
    finally:
        dock.probability.setChecked(False)
        from rrsis_qgis import settings

        settings.set("probability", False)
    assert outcome == "ok" and len(added) == 2
    vector, probability = added
    assert isinstance(probability, Raster) and probability.isValid()
    assert probability.name() == "cars probability (everywhere)"
    assert probability.width() == 96 and probability.crs().authid() == "EPSG:32633"
    group = project.layerTreeRoot().findGroup("RRSIS results")
    assert [n.layerId() for n in group.findLayers()] == [vector.id(), probability.id()]


def test_the_line_under_the_box_says_how_an_expression_will_be_read(iface, project, dock):
    """As it is typed, from the backend (explain), which typing starts if it never ran."""
    from rrsis_qgis import backend

    backend.reset()   # not started: the first pause in typing starts it, then asks
    dock.expression.setCurrentText("the boat near the building")
    assert wait_until(lambda: dock.plan.text().startswith("Reads as:"), 60)
    assert dock.plan.text().startswith(   # and what may be asked instead
        "Reads as: nothing: no object matches (unknown word 'boat') (the objects the model "
        "knows: vehicle, building, "), dock.plan.text()
    dock.expression.setCurrentText("cars and ships")
    assert wait_until(lambda: "ships" in dock.plan.text(), 60), dock.plan.text()
    assert dock.plan.text() == ("Reads as: grounded: car; rivals: building (unknown word "
                                "'ships'; 'ships' names no object the model knows: left out)")
    dock.expression.setCurrentText("the second largest building")
    assert wait_until(lambda: "2nd largest" in dock.plan.text(), 60), dock.plan.text()
    assert dock.plan.text() == "Reads as: grounded: the 2nd largest building; rivals: " \
                               "vehicle, road"
    dock.expression.setCurrentText("")
    assert wait_until(lambda: dock.plan.text() == "", 10)


def test_a_slip_of_the_keyboard_is_mended_by_a_click_under_the_box(iface, project, dock):
    """"biuldings next to the raod" reads as nothing; the line under the box offers the
    mended expression as a link, and the link puts it in the box, which is read again."""
    from qgis.PyQt.QtCore import Qt

    dock.expression.setCurrentText("biuldings next to the raod")
    link = '<a href="0">buildings next to the road</a>'
    assert wait_until(lambda: link in dock.plan.text(), 60), dock.plan.text()
    assert dock.plan.textFormat() == Qt.RichText
    assert "did you mean " + link + "?" in dock.plan.text()   # in place, said once
    assert dock.plan.textInteractionFlags() & Qt.LinksAccessibleByMouse
    dock.plan.linkActivated.emit("0")
    assert dock.expression.currentText() == "buildings next to the road"
    assert wait_until(lambda: "next to road" in dock.plan.text(), 60), dock.plan.text()
    assert dock.plan.textFormat() == Qt.PlainText and "<a" not in dock.plan.text()


def test_the_plugin_judges_a_band_as_the_engine_does():
    """rrsis_qgis.bands cannot import the backend: its rule's numbers and words are the
    engine's (rrsis.engine.raster_io), read from the source."""
    import ast
    import re

    from conftest import REPO
    from rrsis_qgis import bands

    engine = (REPO / "backend" / "rrsis" / "engine" / "raster_io.py").read_text("utf-8")
    share = re.search(r"^MASK_MIDDLE_SHARE = ([0-9.]+)", engine, re.M)
    words = re.search(r'^_NIR_WORDS = re\.compile\((r".*?")', engine, re.M)
    assert share and float(share.group(1)) == bands.MASK_MIDDLE_SHARE
    assert words and ast.literal_eval(words.group(1)) == bands._NIR_WORDS.pattern
    fractions = re.search(r"^SAMPLE_FRACTIONS = (\(.*?\))", engine, re.M)
    assert fractions and ast.literal_eval(fractions.group(1)) == bands.SAMPLE_FRACTIONS


def test_the_line_under_the_box_says_what_a_near_infrared_band_keeps(iface, project, dock,
                                                                      tmp_path):
    """On a raster with a fourth band (NAIP's R, G, B, NIR), with the option on, as the
    engine gates it; not on an RGB raster, nor with the option off."""
    from rrsis_qgis import backend

    rgb = QgsRasterLayer(str(write_geotiff(tmp_path / "rgb.tif")), "rgb")
    naip = QgsRasterLayer(str(write_geotiff(tmp_path / "naip.tif", bands=4)), "naip")
    project.addMapLayers([rgb, naip])
    note = "'trees' kept where the raster's near-infrared band shows vegetation"
    backend.reset()
    dock.raster.setLayer(naip)
    dock.nir.setChecked(True)
    dock.expression.setCurrentText("trees")
    assert wait_until(lambda: note in dock.plan.text(), 60), dock.plan.text()
    assert dock.plan.text() == f"Reads as: grounded: tree ({note})"
    dock.nir.setChecked(False)
    assert wait_until(lambda: dock.plan.text().startswith("Reads as:")
                      and note not in dock.plan.text(), 60), dock.plan.text()
    dock.nir.setChecked(True)
    assert wait_until(lambda: note in dock.plan.text(), 60), dock.plan.text()
    dock.raster.setLayer(rgb)
    assert wait_until(lambda: dock.plan.text().startswith("Reads as:")
                      and note not in dock.plan.text(), 60), dock.plan.text()
    # the fourth band tagged alpha: near infrared when its values run across the range (as
    # many NAIP files ship it), a validity mask when it is opaque or transparent
    tagged = QgsRasterLayer(str(write_geotiff(tmp_path / "tagged.tif", bands=4,
                                              alpha="data")), "tagged")
    rgba = QgsRasterLayer(str(write_geotiff(tmp_path / "rgba.tif", bands=4, alpha="mask")),
                          "rgba")
    project.addMapLayers([tagged, rgba])
    dock.raster.setLayer(tagged)
    assert wait_until(lambda: note in dock.plan.text(), 60), dock.plan.text()
    dock.raster.setLayer(rgba)
    assert wait_until(lambda: dock.plan.text().startswith("Reads as:")
                      and note not in dock.plan.text(), 60), dock.plan.text()
    assert not dock._near_infrared()
    rgba.setDataSource(naip.source(), "rgba", "gdal")   # the same layer, another raster
    assert dock._near_infrared()                        # judged anew
    dock.expression.setCurrentText("")


def test_a_raster_without_crs_is_segmented_where_qgis_draws_it(iface, project, dock, tmp_path):
    """A drone photo without a CRS: QGIS draws it in its pixel units, y minus the row; the
    visible extent is sent in them and the polygons come back where the photo is drawn, with
    areas in square metres from the pixel size; a raster with a geotransform but no CRS is
    refused with what to do."""
    from rrsis_qgis import settings

    photo = QgsRasterLayer(str(write_photo(tmp_path / "photo.png")), "photo")
    assert photo.isValid() and not photo.crs().isValid()
    project.addMapLayer(photo)
    dock.raster.setLayer(photo)
    assert dock.pixel_size.isEnabled()
    dock.extent.setCurrentIndex(dock.extent.findData("visible"))
    iface.canvas.setExtent(QgsRectangle(10, -60, 50, -20))   # columns 10-50, rows 20-60
    iface.canvas.refresh()
    visible = iface.canvas.extent().intersect(photo.extent())
    dock.expression.setCurrentText("cars")
    request = dock.build_segment_request()
    assert request["pixel_coordinates"] and request["pixel_y"] == "up"
    assert request["extent_crs"] is None and request["pixel_size_m"] is None
    dock.pixel_size.setValue(0.25)
    try:
        _run(dock, "cars", photo)
        outcome, added = _finish(dock, 1)
    finally:
        dock.pixel_size.setValue(0.0)
        settings.set("pixel_size_m", 0.0)
    assert outcome == "ok", iface.bar.items() and iface.bar.items()[0].text()
    (layer,) = added
    assert not layer.crs().isValid()
    (f,) = list(layer.getFeatures())   # "everywhere": the processed extent
    box = f.geometry().boundingBox()
    for got, want in zip((box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()),
                         (visible.xMinimum(), visible.yMinimum(), visible.xMaximum(),
                          visible.yMaximum())):
        assert got == pytest.approx(want, abs=f["gsd_m"] / 0.25 + 0.01)   # a working pixel
    assert f["area_m2"] == pytest.approx(f.geometry().area() * 0.25 ** 2, rel=0.02)

    # QGIS set to give a layer without a CRS the project's: the file is still a photo
    assigned = QgsRasterLayer(str(photo.source()), "assigned")
    assigned.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    project.addMapLayer(assigned)
    dock.raster.setLayer(assigned)
    assert dock.pixel_size.isEnabled()
    dock.extent.setCurrentIndex(dock.extent.findData("layer"))
    _run(dock, "cars", assigned)
    outcome, added = _finish(dock, 2)
    assert outcome == "ok", iface.bar.items() and iface.bar.items()[0].text()
    (layer,) = added
    assert layer.crs().authid() == "EPSG:4326"   # drawn as the photo is
    box = next(layer.getFeatures()).geometry().boundingBox()
    assert (box.xMinimum(), box.yMinimum()) == (pytest.approx(0, abs=2.01),
                                                pytest.approx(-80, abs=2.01))

    referenced = QgsRasterLayer(str(write_geotiff(tmp_path / "scene.tif")), "scene")
    project.addMapLayer(referenced)
    dock.raster.setLayer(referenced)
    assert not dock.pixel_size.isEnabled()   # its CRS gives its GSD
    dock.extent.setCurrentIndex(dock.extent.findData("layer"))
    assert "pixel_coordinates" not in dock.build_segment_request()

    world = QgsRasterLayer(str(write_photo(tmp_path / "world.png", world_file=True)), "world")
    assert world.isValid() and not world.crs().isValid()
    project.addMapLayer(world)
    _run(dock, "cars", world)
    assert dock.task is None and dock.run_button.isEnabled()
    assert any("has a geotransform but no CRS" in i.text() for i in iface.bar.items())
    # the same file given the project's CRS by QGIS: the backend reads the file, which has
    # none, so it is refused in the same words (not the backend's, which name CLI options)
    iface.bar.clearWidgets()
    world.setCrs(QgsCoordinateReferenceSystem("EPSG:32633"))
    _run(dock, "cars", world)
    assert dock.task is None and dock.run_button.isEnabled()
    assert any("has a geotransform but no CRS" in i.text() for i in iface.bar.items())
