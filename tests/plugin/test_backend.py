"""backend.py: which interpreter runs the backend, and what the child is told."""

from __future__ import annotations

import os
import sys





def test_interpreter_order_setting_then_environment_then_installer_venv(clean_settings, monkeypatch,
                                                                         tmp_path):
    from rrsis_qgis import backend, settings

    monkeypatch.setenv("RRSIS_BACKEND_PYTHON", sys.executable)
    assert backend.backend_python() == sys.executable
    fake = tmp_path / "python"
    fake.write_text("")
    settings.set("backend_python", str(fake))
    assert backend.backend_python() == str(fake)
    settings.set("backend_python", str(tmp_path / "gone"))  # a stale setting is skipped
    assert backend.backend_python() == sys.executable
    monkeypatch.delenv("RRSIS_BACKEND_PYTHON")
    venv_python = backend.venv_python()
    assert str(venv_python).startswith(str(backend.data_dir()))
    assert backend.backend_python() == (str(venv_python) if venv_python.is_file() else None)


def test_child_environment_names_model_folders_and_log_level(clean_settings, monkeypatch, tmp_path):
    from rrsis_qgis import backend, settings

    monkeypatch.setenv("RRSIS_MODEL_DIR", "/from/env")
    settings.set("model_dir", str(tmp_path))
    settings.set("log_level", "DEBUG")
    env = backend.backend_env()
    dirs = env["RRSIS_MODEL_DIR"].split(os.pathsep)
    assert dirs[:2] == [str(tmp_path), "/from/env"]
    assert env["RRSIS_LOG_LEVEL"] == "DEBUG"
    assert str(backend.results_dir()).startswith(str(backend.data_dir()))
