"""No backend, or a broken one, as the dock shows it: a button that fixes it, never only text.

Real dock and message bar widgets; the broken backend is the real one started with a package
hidden (``sys.modules[name] = None``, Python's own way to make an import fail).
"""

from __future__ import annotations

import stat
from typing import Any, List

import pytest
from qgis.core import QgsRasterLayer

from conftest import wait_until, write_geotiff


@pytest.fixture
def no_backend(qgis_app, clean_settings, monkeypatch, tmp_path):
    from rrsis_qgis import backend, settings

    monkeypatch.delenv("RRSIS_BACKEND_PYTHON", raising=False)
    backend.reset()
    settings.set("backend_python", str(tmp_path / "nowhere" / "python"))
    yield
    backend.reset()


def _buttons(item: Any) -> List[Any]:
    from qgis.PyQt.QtWidgets import QPushButton

    return [b for b in item.findChildren(QPushButton) if b.text()]


def _fits(item: Any) -> bool:
    """The bar's whole text is in view: its text box needs no scrolling."""
    from qgis.PyQt.QtWidgets import QTextEdit

    wait_until(lambda: False, 0.3)  # let the bar lay the item out
    (box,) = item.findChildren(QTextEdit)
    return box.document().size().height() <= box.viewport().height()


def _run(dock: Any, raster: QgsRasterLayer, model: str = "") -> None:
    dock.raster.setLayer(raster)
    dock.expression.setCurrentText("cars")
    if model:
        dock.model.addItem(model, model)
        dock.model.setCurrentIndex(dock.model.findData(model))
    dock.extent.setCurrentIndex(dock.extent.findData("layer"))
    dock.run_button.click()


def test_no_backend_shows_an_install_button_that_opens_the_installer(no_backend, iface, dock):
    from rrsis_qgis.install_dialog import InstallDialog

    dock.show()
    assert dock.status.text() == "Backend: not installed"
    assert dock.install_button.isVisible() and dock.install_button.text() == "Install backend…"
    dock.install_button.click()
    assert isinstance(dock.dialog, InstallDialog) and dock.dialog.isVisible()
    assert dock.dialog.runtime_choice.isChecked()  # the default: the small runtime flavour


def test_a_run_without_a_backend_offers_the_installer_in_the_message_bar(no_backend, iface, project,
                                                                         dock, tmp_path):
    from rrsis_qgis.install_dialog import InstallDialog

    raster = QgsRasterLayer(str(write_geotiff(tmp_path / "scene.tif")), "scene")
    project.addMapLayer(raster)
    _run(dock, raster)
    (item,) = iface.bar.items()
    assert item.text() == "No backend installed: click “Install backend…”."
    assert _fits(item)
    texts = [b.text() for b in _buttons(item)]
    assert "Install backend…" in texts and "Details" in texts
    [b for b in _buttons(item) if b.text() == "Install backend…"][0].click()
    assert isinstance(dock.dialog, InstallDialog) and dock.dialog.isVisible()


def test_a_long_error_is_cut_to_one_line_and_the_log_has_it_whole(qgis_app, iface, dock):
    from rrsis_qgis import diagnosis

    message = ("the backend process was killed by signal SIGKILL (interpreter /home/analyst/"
               ".local/share/QGIS/QGIS3/profiles/default/rrsis/venv/bin/python, args -m rrsis "
               "serve)")
    dock.show_error(message, "last stderr lines", "crashed")
    (item,) = iface.bar.items()
    assert item.text() == "The backend process was killed by signal SIGKILL" and _fits(item)
    assert [b.text() for b in _buttons(item)] == ["Details"]  # no fix to offer: the log
    long = "x" * 200
    assert len(diagnosis.bar_text("internal", long)) == diagnosis.BAR_CHARS


def test_a_model_error_offers_the_settings(qgis_app, iface, dock):
    from rrsis_qgis.settings_dialog import SettingsDialog

    dock.show_error("no model named 'lgce-huge'", "", "unknown_model")
    (item,) = iface.bar.items()
    assert item.text() == "No model named 'lgce-huge'" and _fits(item)
    [b for b in _buttons(item) if b.text() == "Settings…"][0].click()
    assert isinstance(dock.dialog, SettingsDialog) and dock.dialog.isVisible()


def test_a_backend_lacking_a_package_is_named_with_the_install_button(
        backend_settings, backend_python, iface, project, dock, tmp_path):
    """The real backend child, with ``tokenizers`` hidden: the run fails, the bar names the
    package (not ``bad_input``) and offers the installer."""
    from rrsis_qgis import backend, settings

    wrapper = tmp_path / "python-without-tokenizers"
    wrapper.write_text(
        f"#!/bin/sh\nexec {backend_python} -c \"import sys; sys.modules['tokenizers'] = None; "
        f"from rrsis.cli import main; sys.exit(main(['serve']))\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    old = settings.get("backend_python")
    settings.set("backend_python", str(wrapper))
    backend.reset()
    try:
        raster = QgsRasterLayer(str(write_geotiff(tmp_path / "scene.tif")), "scene")
        project.addMapLayer(raster)
        _run(dock, raster, model="tiny")
        assert wait_until(lambda: bool(dock.outcomes), 180)
        assert [outcome for outcome, _ in dock.outcomes] == ["failed"]
        (item,) = iface.bar.items()
        assert item.text() == "The backend lacks “tokenizers”: click “Install backend…”."
        assert _fits(item)
        assert "Install backend…" in [b.text() for b in _buttons(item)]
    finally:
        settings.set("backend_python", old)
        backend.reset()


def test_runtime_is_sent_only_when_not_auto(qgis_app, clean_settings, iface, project, dock,
                                            tmp_path):
    from rrsis_qgis import settings

    raster = QgsRasterLayer(str(write_geotiff(tmp_path / "scene.tif")), "scene")
    project.addMapLayer(raster)
    dock.raster.setLayer(raster)
    dock.expression.setCurrentText("cars")
    dock.extent.setCurrentIndex(dock.extent.findData("layer"))
    assert "runtime" not in dock.build_segment_request()  # auto: the backend's own default
    settings.set("runtime", "torch")
    assert dock.build_segment_request()["runtime"] == "torch"


def test_processing_runtime_is_advanced_and_sent_only_when_not_auto(provider, project, tmp_path):
    from qgis.core import (QgsApplication, QgsProcessingContext,
                           QgsProcessingParameterDefinition)

    algorithm = QgsApplication.processingRegistry().createAlgorithmById("rrsis:segment")
    definition = algorithm.parameterDefinition("RUNTIME")
    assert definition.flags() & QgsProcessingParameterDefinition.FlagAdvanced
    assert definition.options() == ["auto", "onnx", "torch"]
    context = QgsProcessingContext()
    context.setProject(project)
    params = {"INPUT": str(write_geotiff(tmp_path / "scene.tif")), "EXPRESSION": "cars"}
    assert "runtime" not in algorithm.build_request(params, context)
    params["RUNTIME"] = 1
    assert algorithm.build_request(params, context)["runtime"] == "onnx"


def test_processing_rivals_and_stretch_are_sent_only_when_not_the_default(provider, project,
                                                                         tmp_path):
    from qgis.core import (QgsApplication, QgsProcessingContext,
                           QgsProcessingParameterDefinition)

    algorithm = QgsApplication.processingRegistry().createAlgorithmById("rrsis:segment")
    definition = algorithm.parameterDefinition("RIVALS")
    assert definition.flags() & QgsProcessingParameterDefinition.FlagAdvanced
    assert definition.defaultValue() is True
    context = QgsProcessingContext()
    context.setProject(project)
    params = {"INPUT": str(write_geotiff(tmp_path / "scene.tif")), "EXPRESSION": "buildings"}
    assert "rivals" not in algorithm.build_request(params, context)
    params["RIVALS"] = True
    assert "rivals" not in algorithm.build_request(params, context)
    params["RIVALS"] = False
    assert algorithm.build_request(params, context)["rivals"] is False
    stretch = algorithm.parameterDefinition("STRETCH")
    assert stretch.flags() & QgsProcessingParameterDefinition.FlagAdvanced
    assert stretch.options() == ["auto", "area"]
    assert "stretch" not in algorithm.build_request(params, context)
    params["STRETCH"] = 1
    assert algorithm.build_request(params, context)["stretch"] == "area"
    nir = algorithm.parameterDefinition("NIR")
    assert nir.flags() & QgsProcessingParameterDefinition.FlagAdvanced and nir.defaultValue()
    assert "nir_band" not in algorithm.build_request(params, context)   # on: the default
    params["NIR"] = False
    assert algorithm.build_request(params, context)["nir_band"] == 0
    overlap = algorithm.parameterDefinition("OVERLAP")
    assert overlap.flags() & QgsProcessingParameterDefinition.FlagAdvanced
    assert "overlap" not in algorithm.build_request(params, context)   # the engine's 0.25
    params["OVERLAP"] = 0.5
    assert algorithm.build_request(params, context)["overlap"] == 0.5


def test_the_dock_and_processing_word_each_option_alike(provider, dock):
    from qgis.core import QgsApplication

    from rrsis_qgis import params

    algorithm = QgsApplication.processingRegistry().createAlgorithmById("rrsis:segment")
    for name, key in (("regularize", "REGULARIZE"), ("flip_average", "FLIP_AVERAGE"),
                      ("rivals", "RIVALS"), ("nir", "NIR"), ("stretch", "STRETCH")):
        definition = algorithm.parameterDefinition(key)
        assert definition.help() == params.OPTIONS[name].help
        box = {"stretch": dock.stretch_area}.get(name) or getattr(dock, name)
        assert box.toolTip() == params.OPTIONS[name].help
        if name != "stretch":   # the dock's check box says which of the two choices it is
            assert box.text() == definition.description() == params.OPTIONS[name].label
    assert dock.overlap.toolTip() == algorithm.parameterDefinition("OVERLAP").help() \
        == params.OVERLAP_HELP


def test_unload_closes_the_installer_the_dock_opened(no_backend, iface):
    import rrsis_qgis

    plugin = rrsis_qgis.classFactory(iface)
    plugin.initGui()
    plugin.actions[0].setChecked(True)
    plugin.dock.install_button.click()
    dialog = plugin.dock.dialog
    assert dialog.isVisible()
    plugin.unload()
    assert not dialog.isVisible()
