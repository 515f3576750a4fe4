"""Any raster layer as input: a local XYZ tile set of the bundled sample, rendered by QGIS.

The tiles are cut from ``resources/samples/kampala_oam.tif`` (a mosaic of zoom-21 web tiles)
and loaded with a ``file://`` URL, so everything runs offline. The rendering tests need no
backend; the segmentation tests run the shipped default model (``lgce-lite``) on a part of
the sample through the Processing algorithm and the dock, and measure that the polygons
found on the XYZ layer cover the same buildings as those found on the GeoTIFF.
"""

from __future__ import annotations

import re

import glob
import os
import tempfile
from typing import List

import numpy as np
import pytest
from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform,
                       QgsGeometry, QgsProcessingAlgRunnerTask, QgsProcessingContext,
                       QgsProcessingFeedback, QgsRasterLayer, QgsRectangle, QgsVectorLayer)

from conftest import wait_until
from xyz_tiles import SAMPLE

CARD = {"gsd_m": 0.15, "gsd_range_m": [0.05, 0.5]}  # a card like lgce-lite's (version 1)
CPU = 1
ROWS = 720  # the top 720 px rows of the sample: 4 model tiles, seconds per run on a 2-core CPU


def _xyz(project, uri: str) -> QgsRasterLayer:
    layer = QgsRasterLayer(uri, "Kampala XYZ", "wms")
    assert layer.isValid(), layer.error().summary()
    project.addMapLayer(layer)
    return layer


def _sample(project) -> QgsRasterLayer:
    layer = QgsRasterLayer(str(SAMPLE), "Kampala GeoTIFF")
    assert layer.isValid()
    project.addMapLayer(layer)
    return layer


def _top_part(sample: QgsRasterLayer, rows: int = ROWS) -> QgsRectangle:
    ext = sample.extent()
    res = ext.height() / sample.height()
    return QgsRectangle(ext.xMinimum(), ext.yMaximum() - rows * res, ext.xMaximum(),
                        ext.yMaximum())


def _render_dirs() -> List[str]:
    return glob.glob(os.path.join(tempfile.gettempdir(), "rrsis-render-*"))


# --- rendering (no backend) ----------------------------------------------------------------
def test_xyz_layer_renders_exactly_the_sample_pixels(project, xyz_tiles, tmp_path):
    from osgeo import gdal

    from rrsis_qgis import render

    project.setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    xyz, sample = _xyz(project, xyz_tiles), _sample(project)
    assert render.needs_render(xyz) and not render.needs_render(sample)
    assert render.file_path(sample) == str(SAMPLE)
    source = render.RenderSource.from_layer(xyz, sample.extent(), "the visible extent")
    plan = render.plan_render(source, CARD)
    # auto GSD: the finest zoom (21, 0.0746 m, inside the served range), no resampling
    assert plan.resolution == pytest.approx(min(xyz.dataProvider().nativeResolutions()))
    assert (plan.width, plan.height) == (768, 2048)
    assert plan.render_gsd_m == pytest.approx(0.0744, abs=0.0005)  # ground metres at 0.35° N
    progress: list = []
    path = render.render_to_geotiff(plan, str(tmp_path / "r.tif"), lambda: False, progress.append)
    assert progress and progress[-1]["fraction"] == pytest.approx(1.0)
    rendered = gdal.Open(path)
    original = gdal.Open(str(SAMPLE))
    assert rendered.RasterCount == 4  # RGBA: the alpha marks where there are no tiles
    assert rendered.GetGeoTransform() == pytest.approx(original.GetGeoTransform(), abs=1e-6)
    pixels = rendered.ReadAsArray()
    assert (pixels[3] == 255).all()
    assert np.array_equal(pixels[:3], original.ReadAsArray())  # zoom 21 = the sample's pixels
    assert xyz.renderer() is not None and project.mapLayer(xyz.id()) is xyz  # layer untouched


def test_zoom_levels_are_respected_and_the_gsd_follows_the_request(project, xyz_tiles):
    from rrsis_qgis import render

    xyz, sample = _xyz(project, xyz_tiles), _sample(project)
    source = render.RenderSource.from_layer(xyz, sample.extent())
    levels = sorted(xyz.dataProvider().nativeResolutions())  # z21, z20, z19
    assert render.plan_render(source, CARD, 0.2).resolution == pytest.approx(levels[1])
    assert render.plan_render(source, CARD, 1.0).resolution == pytest.approx(levels[2])
    finer = render.plan_render(source, CARD, 0.03)  # finer than zoom 21: no over-zoom
    assert finer.resolution == pytest.approx(levels[0]) and finer.working_gsd_m == 0.03
    shifted = QgsRectangle(sample.extent())
    shifted.setXMinimum(shifted.xMinimum() + 0.3 * levels[0])  # not on the tiles' pixel grid
    snapped = render.plan_render(render.RenderSource.from_layer(xyz, shifted), CARD)
    want = sample.extent()  # grown back to whole pixels of the tiles
    assert [snapped.extent.xMinimum(), snapped.extent.yMinimum(), snapped.extent.xMaximum(),
            snapped.extent.yMaximum()] == pytest.approx(
        [want.xMinimum(), want.yMinimum(), want.xMaximum(), want.yMaximum()], abs=1e-6)
    assert (snapped.width, snapped.height) == (768, 2048)
    coarse_model = {"gsd_m": 0.3, "gsd_range_m": [0.2, 0.5]}
    plan = render.plan_render(source, coarse_model)  # auto: clamped to the model's range
    assert plan.working_gsd_m == pytest.approx(0.2) and plan.resolution == pytest.approx(levels[1])


def test_too_large_a_render_is_refused_before_anything_is_fetched(project, xyz_tiles):
    from rrsis_qgis import render
    from rrsis_qgis.client import BackendError

    xyz = _xyz(project, xyz_tiles)
    source = render.RenderSource.from_layer(xyz)  # the whole world at zoom 21
    with pytest.raises(BackendError) as info:
        render.plan_render(source, CARD)
    assert info.value.code == render.TOO_LARGE
    message = info.value.message
    assert message.startswith("The whole layer of “Kampala XYZ” at 0.075 m is ")
    assert message.count("×") == 1 and "zoom in or choose a coarser GSD" in message
    small = render.RenderSource.from_layer(xyz, QgsRectangle(0, 0, 1000, 1000), "the extent")
    with pytest.raises(BackendError):
        render.plan_render(small, CARD, max_pixels=1000)


def test_a_cancelled_render_stops_with_cancelled(project, xyz_tiles, tmp_path):
    from rrsis_qgis import render
    from rrsis_qgis.client import BackendError

    xyz, sample = _xyz(project, xyz_tiles), _sample(project)
    plan = render.plan_render(render.RenderSource.from_layer(xyz, sample.extent()), CARD)
    with pytest.raises(BackendError) as info:
        render.render_to_geotiff(plan, str(tmp_path / "r.tif"), lambda: True)
    assert info.value.code == "cancelled"


# --- segmentation with the default model ---------------------------------------------------
def _union(layer: QgsVectorLayer, clip: QgsRectangle) -> QgsGeometry:
    geoms = [f.geometry() for f in layer.getFeatures()]
    assert geoms, "no polygons"
    return QgsGeometry.unaryUnion(geoms).intersection(QgsGeometry.fromRect(clip))


def _iou(a: QgsGeometry, b: QgsGeometry) -> float:
    return a.intersection(b).area() / a.combine(b).area()


def _extent_param(rect: QgsRectangle) -> str:
    return (f"{rect.xMinimum()!r},{rect.xMaximum()!r},{rect.yMinimum()!r},{rect.yMaximum()!r}"
            " [EPSG:3857]")


@pytest.mark.usefixtures("backend_settings")
def test_batch_over_the_xyz_and_the_geotiff_layers_finds_the_same_buildings(
        provider, project, xyz_tiles, tmp_path):
    """What "Execute as batch process" does with two rows: one task per row, own threads."""
    from rrsis_qgis import styling

    project.setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    xyz, sample = _xyz(project, xyz_tiles), _sample(project)
    part = _top_part(sample)
    algorithm = QgsApplication.processingRegistry().algorithmById("rrsis:segment")
    context = QgsProcessingContext()
    context.setProject(project)
    feedback = QgsProcessingFeedback()
    before = _render_dirs()
    tasks, results, outputs = [], [], []
    for layer in (sample, xyz):
        outputs.append(tmp_path / f"{layer.providerType()}.gpkg")
        task = QgsProcessingAlgRunnerTask(algorithm, {
            "INPUT": layer.id(), "EXPRESSION": "buildings", "MODEL": "lgce-lite", "DEVICE": CPU,
            "EXTENT": _extent_param(part), "OUTPUT": str(outputs[-1])}, context, feedback)
        task.executed.connect(lambda ok, res, store=results: store.append((ok, res)))
        tasks.append(task)
        QgsApplication.taskManager().addTask(task)
    assert wait_until(lambda: len(results) == 2, timeout=900), "the batch did not finish"
    assert all(ok for ok, _ in results), feedback.textLog()[-2000:]
    assert _render_dirs() == before  # the temporary render is gone

    from_file = QgsVectorLayer(str(outputs[0]), "file", "ogr")
    from_xyz = QgsVectorLayer(str(outputs[1]), "xyz", "ogr")
    assert from_file.featureCount() > 3 and from_xyz.featureCount() > 3
    iou = _iou(_union(from_file, part), _union(from_xyz, part))
    print(f"batch: IoU of the unions, XYZ vs GeoTIFF: {iou:.3f}")
    assert iou > 0.9, f"IoU of the unions {iou:.3f}"

    # the GeoPackage remembers its colours and where it came from, secrets stripped
    renderer = from_xyz.renderer()
    assert renderer.type() == "categorizedSymbol"
    assert renderer.categories()[0].symbol().color().name() == styling.colour_for("buildings")
    history = from_xyz.metadata().history()
    assert "layer: Kampala XYZ" in history and "model: lgce-lite" in history
    assert any(h.startswith("source: type=xyz&url=file://") for h in history), history
    assert sorted({f["gsd_m"] for f in from_xyz.getFeatures()}) == pytest.approx(
        sorted({f["gsd_m"] for f in from_file.getFeatures()}), rel=1e-3)


@pytest.mark.usefixtures("backend_settings")
def test_the_dock_segments_the_visible_part_of_an_xyz_layer(iface, project, provider, xyz_tiles,
                                                            tmp_path):
    import processing

    from rrsis_qgis import render
    from rrsis_qgis.dock import RrsisDock

    project.setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    iface.canvas.setDestinationCrs(project.crs())
    xyz, sample = _xyz(project, xyz_tiles), _sample(project)
    project.layerTreeRoot().findLayer(sample.id()).setItemVisibilityChecked(False)
    # the canvas on the top of the sample, with the canvas's own aspect so that what is
    # visible lies on the sample (beyond it the XYZ layer has no tiles)
    QgsApplication.processEvents()
    aspect = iface.canvas.width() / iface.canvas.height()
    whole = sample.extent()
    width = whole.width() * 0.95
    top = whole.yMaximum() - 1.0
    iface.canvas.setExtent(QgsRectangle(whole.center().x() - width / 2, top - width / aspect,
                                        whole.center().x() + width / 2, top))
    iface.canvas.refresh()
    visible = iface.canvas.extent()
    assert whole.contains(visible)
    # the render grows the visible extent to whole pixels of the tiles; the reference run
    # gets the same pixels (the sample is a mosaic of those tiles)
    part = render.snap_to_grid(visible, (whole.xMinimum(), whole.yMaximum()),
                               whole.width() / sample.width())
    reference = processing.run("rrsis:segment", {
        "INPUT": str(SAMPLE), "EXPRESSION": "buildings", "MODEL": "lgce-lite", "DEVICE": CPU,
        "EXTENT": _extent_param(part), "OUTPUT": str(tmp_path / "ref.gpkg")})["OUTPUT"]

    dock = RrsisDock(iface, iface.mainWindow())
    outcomes: list = []
    dock.runFinished.connect(lambda outcome, added: outcomes.append((outcome, added)))
    try:
        dock.raster.setLayer(xyz)
        dock.expression.setCurrentText("buildings")
        dock.model.addItem("lgce-lite", "lgce-lite")
        dock.model.setCurrentIndex(dock.model.findData("lgce-lite"))
        before = _render_dirs()
        dock.run_button.click()
        assert wait_until(lambda: outcomes, timeout=600), "the run did not finish"
    finally:
        dock.cancel()
        wait_until(lambda: dock.task is None, timeout=60)
    outcome, added = outcomes[0]
    assert outcome == "ok", iface.bar.items() and iface.bar.items()[0].text()
    assert _render_dirs() == before
    (layer,) = added
    assert layer.name() == "buildings (lgce-lite)" and layer.crs().authid() == "EPSG:3857"
    box = layer.extent()
    assert visible.buffered(0.08).contains(box)  # only what was visible (to a pixel) was segmented
    iou = _iou(_union(QgsVectorLayer(reference, "ref", "ogr"), part), _union(layer, part))
    print(f"dock: IoU of the unions, XYZ vs GeoTIFF: {iou:.3f}")
    assert iou > 0.9, f"IoU of the unions {iou:.3f}"
    assert "layer: Kampala XYZ" in layer.metadata().history()
    assert re.match(r"lgce-lite serves 0\.05–0\.\d+ m \(trained at 0\.15 m\)",
                    dock.gsd_hint.text()), dock.gsd_hint.text()
    dock.deleteLater()


@pytest.mark.usefixtures("backend_settings")
def test_estimate_renders_an_xyz_layer_too(provider, project, xyz_tiles):
    import processing

    project.setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    xyz, sample = _xyz(project, xyz_tiles), _sample(project)
    before = _render_dirs()
    result = processing.run("rrsis:estimate", {
        "INPUT": xyz.id(), "EXPRESSION": "buildings", "MODEL": "lgce-lite", "DEVICE": CPU,
        "EXTENT": _extent_param(_top_part(sample))})
    assert result["TILES"] >= 1 and result["GSD_M"] == pytest.approx(0.0744, abs=0.0005)
    assert _render_dirs() == before


@pytest.mark.usefixtures("backend_settings")
def test_training_on_an_xyz_layer_keeps_its_render(provider, project, model_dir, xyz_tiles,
                                                   tmp_path):
    """An analyst who only has a basemap: "Build referring dataset" and "Fine-tune model" on
    the XYZ layer render the labels' area (not the world), and the dataset keeps the render and
    the exported memory layer, which the held-out score reads after the render is gone."""
    import json

    import processing
    from qgis.core import QgsFeature

    project.setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    xyz, sample = _xyz(project, xyz_tiles), _sample(project)
    part = _top_part(sample)
    drawn = QgsVectorLayer("Polygon?crs=EPSG:3857", "my buildings", "memory")
    source = QgsVectorLayer(str(SAMPLE.with_name("kampala_buildings.geojson")), "osm", "ogr")
    to_3857 = QgsCoordinateTransform(source.crs(), drawn.crs(), project)
    feats = []
    for f in source.getFeatures():
        g = QgsGeometry(f.geometry())
        g.transform(to_3857)
        if part.contains(g.boundingBox()):
            feats.append(QgsFeature())
            feats[-1].setGeometry(g)
    assert len(feats) >= 8
    drawn.dataProvider().addFeatures(feats)
    drawn.updateExtents()
    before = _render_dirs()
    processing.run("rrsis:build_dataset", {
        "INPUT": xyz, "LABELS": drawn, "FIXED_CLASS": "building", "TILE_SIZE": 96,
        "OUTPUT": str(tmp_path / "ds")})
    summary = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert summary["source_raster"] == str(tmp_path / "ds" / "source.tif")
    assert summary["source_labels"] == str(tmp_path / "ds" / "labels.gpkg")
    kept = QgsRasterLayer(summary["source_raster"], "kept")
    assert kept.isValid() and part.buffered(25).contains(kept.extent())   # 20 m margin
    assert kept.extent().width() < sample.extent().width() + 41
    assert kept.extent().height() < part.height() + 41            # the labels' part only
    assert QgsVectorLayer(summary["source_labels"], "kept", "ogr").featureCount() == len(feats)
    assert summary["gsd_m"] == pytest.approx(0.0744, abs=0.0005)   # the tiles' own zoom level
    out = processing.run("rrsis:finetune", {
        "INPUT": xyz, "LABELS": drawn, "FIXED_CLASS": "building", "TILE_SIZE": 96,
        "MINUTES": 0.5, "NAME": "xyz-buildings", "BASE": "tiny", "MAX_ITERS": 2})
    try:
        assert out["HELD_OUT_OBJECTS"] > 0 and 0 <= out["IOU_AFTER"] <= 1
    finally:
        (model_dir / "xyz-buildings.safetensors").unlink(missing_ok=True)
    assert _render_dirs() == before


@pytest.mark.usefixtures("backend_settings")
def test_training_on_too_large_an_area_of_a_web_layer_says_what_to_do(provider, project,
                                                                       xyz_tiles, tmp_path):
    """Labels 3 km apart on a zoom-21 basemap: refused before a tile is fetched, with the
    advice that fits training (not "zoom in")."""
    import processing
    from qgis.core import QgsFeature, QgsPointXY, QgsProcessingException

    project.setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    xyz, sample = _xyz(project, xyz_tiles), _sample(project)
    corner = sample.extent().center()
    trees = QgsVectorLayer("Point?crs=EPSG:3857", "trees", "memory")
    for d in (0.0, 3000.0):
        feature = QgsFeature()
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(corner.x() + d, corner.y() + d)))
        trees.dataProvider().addFeature(feature)
    trees.updateExtents()
    with pytest.raises(QgsProcessingException,
                       match=r"labels' extent of “Kampala XYZ” at 0\.07\d* m is .*set a coarser "
                             r"training GSD, or label a smaller area"):
        processing.run("rrsis:build_dataset", {
            "INPUT": xyz, "LABELS": trees, "FIXED_CLASS": "tree",
            "OUTPUT": str(tmp_path / "ds")})
    assert not (tmp_path / "ds").exists()


def test_a_crashed_qgis_render_folder_goes_with_the_next_render(tmp_path):
    """A QGIS killed mid-run leaves its rendered GeoTIFF; the next render removes the folders
    of QGIS processes that are gone, never a running one's or a name that is not ours."""
    import subprocess
    import sys

    from rrsis_qgis import render

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = tmp_path / f"rrsis-render-{int(gone.stdout)}-abc123_x"
    alive = tmp_path / f"rrsis-render-{os.getpid()}-abc123_y"
    other = tmp_path / "rrsis-render-notapid-z"
    for folder in (dead, alive, other):
        folder.mkdir()
        (folder / "layer.tif").write_bytes(b"x")
    assert render.remove_stale_renders(str(tmp_path)) == [dead.name]
    assert not dead.exists() and alive.is_dir() and other.is_dir()


@pytest.mark.usefixtures("backend_settings")
def test_a_geopackage_table_and_a_zipped_geotiff_are_read_as_qgis_shows_them(provider, project,
                                                                             tmp_path):
    """A raster layer that is one table of a GeoPackage (``GPKG:file:table``: the file alone
    is all its tables, which GDAL cannot segment) or a GeoTIFF inside a zip
    (``/vsizip/...``: the zip alone is no raster) is read by the backend as that raster, not
    rendered and not refused; the polygons are those of the GeoTIFF itself."""
    import processing
    import zipfile
    from osgeo import gdal

    from rrsis_qgis import render

    crop = str(tmp_path / "crop.tif")
    gdal.Translate(crop, str(SAMPLE), srcWin=[0, 0, 768, 480])
    site = str(tmp_path / "site.gpkg")
    for table, window in (("overview", [768, 0, 256, 256]), ("ortho", [0, 0, 768, 480])):
        gdal.Translate(site, str(SAMPLE), srcWin=window, format="GPKG",
                       creationOptions=[f"RASTER_TABLE={table}", "APPEND_SUBDATASET=YES",
                                        "TILE_FORMAT=PNG"])
    with zipfile.ZipFile(tmp_path / "crop.zip", "w") as archive:
        archive.write(crop, "crop.tif")
    table = QgsRasterLayer(f"GPKG:{site}:ortho", "ortho", "gdal")
    zipped = QgsRasterLayer(f"/vsizip/{tmp_path / 'crop.zip'}/crop.tif", "zipped", "gdal")
    assert table.isValid() and zipped.isValid()
    assert render.file_path(table) == f"GPKG:{site}:ortho"
    assert render.file_path(zipped) == f"/vsizip/{tmp_path / 'crop.zip'}/crop.tif"
    assert not render.needs_render(table) and not render.needs_render(zipped)

    unions = []
    for name, layer in (("file", crop), ("table", table), ("zipped", zipped)):
        if not isinstance(layer, str):
            project.addMapLayer(layer)
        out = processing.run("rrsis:segment", {
            "INPUT": layer if isinstance(layer, str) else layer.id(), "EXPRESSION": "buildings",
            "MODEL": "lgce-lite", "DEVICE": CPU, "OUTPUT": str(tmp_path / f"{name}.gpkg")})
        result = QgsVectorLayer(out["OUTPUT"], name, "ogr")
        assert result.featureCount() > 3, name
        unions.append(QgsGeometry.unaryUnion([f.geometry() for f in result.getFeatures()]))
    assert _iou(unions[0], unions[1]) > 0.99 and _iou(unions[0], unions[2]) > 0.99


@pytest.mark.usefixtures("backend_settings")
def test_a_layer_drawn_in_other_bands_is_segmented_in_the_colours_it_shows(provider, project,
                                                                          tmp_path):
    """A blue-green-red file without colour tags, drawn by the user as bands 3, 2, 1, is
    segmented in those colours: its red roofs are the red-green-blue file's. Drawn as QGIS
    first draws it (1, 2, 3: QGIS ignores a file's colour tags), no bands are sent, so the
    engine's reading of the tags stands; here there are none, and red roofs look blue."""
    import processing
    from osgeo import gdal
    from qgis.core import QgsMultiBandColorRenderer

    from rrsis_qgis import params

    rgb, bgr = str(tmp_path / "rgb.tif"), str(tmp_path / "bgr.tif")
    gdal.Translate(rgb, str(SAMPLE), srcWin=[0, 0, 768, 480])
    gdal.Translate(bgr, str(SAMPLE), srcWin=[0, 0, 768, 480], bandList=[3, 2, 1])
    swapped = gdal.Open(bgr, gdal.GA_Update)
    for band in (1, 2, 3):
        swapped.GetRasterBand(band).SetColorInterpretation(gdal.GCI_Undefined)
    swapped = None
    layer = QgsRasterLayer(bgr, "bgr", "gdal")
    assert layer.isValid() and params.drawn_bands(layer) == {}
    project.addMapLayer(layer)
    # a false-colour view of red, green, blue, near infrared draws the near infrared: the
    # model is asked in true colour, and the engine reads that band for vegetation
    rgbn = str(tmp_path / "rgbn.tif")
    gdal.Translate(rgbn, str(SAMPLE), srcWin=[0, 0, 64, 64], bandList=[1, 2, 3, 1])
    four = QgsRasterLayer(rgbn, "rgbn", "gdal")
    four.setRenderer(QgsMultiBandColorRenderer(four.dataProvider(), 4, 3, 2))
    assert params.drawn_bands(four) == {}
    four.setRenderer(QgsMultiBandColorRenderer(four.dataProvider(), 3, 2, 1))
    assert params.drawn_bands(four) == {"bands": [3, 2, 1]}

    def red_roofs(source: str, name: str) -> QgsVectorLayer:
        out = processing.run("rrsis:segment", {
            "INPUT": source, "EXPRESSION": "red buildings", "MODEL": "lgce-lite",
            "DEVICE": CPU, "OUTPUT": str(tmp_path / f"{name}.gpkg")})
        return QgsVectorLayer(out["OUTPUT"], name, "ogr")

    assert red_roofs(layer.id(), "as-first-drawn").featureCount() == 0
    layer.setRenderer(QgsMultiBandColorRenderer(layer.dataProvider(), 3, 2, 1))
    assert params.drawn_bands(layer) == {"bands": [3, 2, 1]}
    assert params.raster_params(layer)["bands"] == [3, 2, 1]
    reference, drawn = red_roofs(rgb, "rgb"), red_roofs(layer.id(), "drawn")
    assert reference.featureCount() >= 2
    assert _iou(*(QgsGeometry.unaryUnion([f.geometry() for f in result.getFeatures()])
                  for result in (reference, drawn))) > 0.99
