"""The settings dialog: values saved to QgsSettings; "Test backend" runs a real self-test
(a segmentation of the bundled sample through the real backend)."""

from __future__ import annotations

from conftest import wait_until


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
        for key, value in saved.items():
            qs.setValue(key, value)
