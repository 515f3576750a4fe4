"""The settings dialog: values saved to QgsSettings; "Test backend" runs a real self-test
(a segmentation of the bundled sample through the real backend)."""

from __future__ import annotations

import pytest

from conftest import wait_until, write_nowhere_model


def test_test_backend_segments_the_sample_and_shows_versions(backend_settings, backend_python,
                                                              iface):
    from rrsis_qgis.settings_dialog import SettingsDialog

    dialog = SettingsDialog(iface.mainWindow())
    assert dialog.python.filePath() == backend_python
    dialog.test_button.click()
    assert wait_until(lambda: dialog.test_button.isEnabled(), 180)
    text = dialog.report.toPlainText()
    assert text.startswith("Backend test passed: 1 polygon(s)"), text  # "everywhere": 1 polygon
    assert "model everywhere" in text
    assert "torch " in text and "protocol 1" in text, text
    assert "device: cpu" in text
    assert "model: tiny" in text and "model: everywhere" in text
    dialog.close()


def test_test_backend_explains_a_wrong_interpreter(qgis_app, iface, tmp_path):
    from rrsis_qgis.settings_dialog import SettingsDialog

    dialog = SettingsDialog(iface.mainWindow())
    dialog.python.setFilePath("/bin/false")
    dialog.test_button.click()
    assert wait_until(lambda: dialog.test_button.isEnabled(), 60)
    text = dialog.report.toPlainText()
    assert text.startswith("Backend test failed (crashed): the backend exited with code 1"), text
    assert text.count("crashed") == 1, text  # the code is said once
    dialog.close()


def test_test_backend_names_an_interpreter_without_the_backend(qgis_app, iface):
    """QGIS's own Python runs, but has no ``rrsis``: the report says so and how to fix it."""
    import sys

    from rrsis_qgis.settings_dialog import SettingsDialog

    dialog = SettingsDialog(iface.mainWindow())
    dialog.python.setFilePath(sys.executable)
    dialog.test_button.click()
    assert wait_until(lambda: dialog.test_button.isEnabled(), 60)
    text = dialog.report.toPlainText()
    assert text.startswith("Backend test failed (crashed): This interpreter has no RRSIS "
                           "backend"), text
    assert "Install backend…" in text
    dialog.close()


def test_ok_saves_every_setting(qgis_app, iface, tmp_path):
    from qgis.core import QgsSettings

    from rrsis_qgis import settings
    from rrsis_qgis.settings_dialog import SettingsDialog

    qs = QgsSettings()
    saved = {key: qs.value(key) for key in qs.allKeys() if key.startswith("rrsis/")}
    try:
        dialog = SettingsDialog(iface.mainWindow())
        dialog.model_dir.setFilePath(str(tmp_path))
        dialog.default_model.setText("lgce-lite")
        dialog.device.setCurrentText("cuda")
        dialog.runtime.setCurrentText("onnx")
        dialog.threads.setValue(4)
        dialog.log_level.setCurrentText("DEBUG")
        dialog.accept()
        assert settings.get("model_dir") == str(tmp_path)
        assert settings.get("default_model") == "lgce-lite"
        assert settings.get("device") == "cuda" and settings.get("threads") == 4
        assert settings.get("runtime") == "onnx"
        assert settings.get("log_level") == "DEBUG"
    finally:
        qs.remove("rrsis")  # also the keys this test added (runtime: "onnx")
        for key, value in saved.items():
            qs.setValue(key, value)


def test_test_backend_fails_when_no_polygon_comes_back(backend_settings, backend_python,
                                                       model_dir, iface, tmp_path):
    """A backend that answers but finds nothing does not pass: a model that says
    "background" everywhere (final conv zeroed, bias (5, -5)) is reported."""
    from rrsis_qgis.settings_dialog import SettingsDialog

    checkpoint = write_nowhere_model(backend_python, tmp_path / "nowhere.safetensors")
    dialog = SettingsDialog(iface.mainWindow())
    dialog.default_model.setText(str(checkpoint))
    dialog.test_button.click()
    assert wait_until(lambda: dialog.test_button.isEnabled(), 180)
    text = dialog.report.toPlainText()
    assert text.startswith("Backend test failed (no_polygons): the backend ran (nowhere) but "
                           "found no “buildings”"), text
    dialog.close()


def test_the_hello_description_names_the_runtime_when_the_backend_reports_it():
    from rrsis_qgis.selftest import describe_hello

    hello = {"protocol": 1, "backend": "0.2.0", "torch": None, "python": "3.11.2",
             "runtime": "onnx", "device": "cpu",
             "devices": [{"type": "cpu", "name": "cpu", "memory_mb": 7900}]}
    assert describe_hello(hello).splitlines() == [
        "backend 0.2.0 (protocol 1), torch not installed, Python 3.11.2",
        "runtime: onnx on cpu", "device: cpu (cpu), 7900 MB"]


@pytest.mark.parametrize("runtime", ["onnx", "torch"])
def test_test_backend_runs_the_bundled_model_with_the_chosen_runtime(backend_settings,
                                                                     backend_python, iface,
                                                                     runtime):
    from rrsis_qgis import _protocol
    from rrsis_qgis.settings_dialog import SettingsDialog

    if "runtime" not in _protocol.SEGMENT_PARAMS:
        pytest.skip("this backend has no runtime choice yet (issue 11, backend part)")
    dialog = SettingsDialog(iface.mainWindow())
    dialog.default_model.setText("")  # the model bundled with the plugin
    dialog.runtime.setCurrentText(runtime)
    dialog.test_button.click()
    assert wait_until(lambda: dialog.test_button.isEnabled(), 300)
    text = dialog.report.toPlainText()
    assert text.startswith("Backend test passed:"), text
    assert "model lgce-lite" in text and f"runtime {runtime})" in text, text
    dialog.close()
