"""scripts/package_plugin.py and scripts/install_plugin.py: a real zip, a real profile folder."""

from __future__ import annotations

import configparser
import subprocess  # nosec B404
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REQUIRED_METADATA = ("name", "qgisMinimumVersion", "description", "about", "version", "author",
                     "email", "repository", "tracker", "homepage", "tags", "category", "icon",
                     "hasProcessingProvider", "experimental", "license")


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist") / "rrsis_qgis.zip"
    subprocess.run([sys.executable, str(REPO / "scripts" / "package_plugin.py"), "--output",  # nosec B603
                    str(out)], check=True, capture_output=True, timeout=120)
    return out


def test_metadata_is_complete():
    meta = configparser.ConfigParser()
    meta.read(REPO / "metadata.txt", encoding="utf-8")
    general = meta["general"]
    for key in REQUIRED_METADATA:
        assert general.get(key, "").strip(), key
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["hasProcessingProvider"] == "yes"
    assert (REPO / general["icon"]).is_file()
    assert "nothing leaves the machine" in general["about"]


def test_zip_holds_plugin_resources_and_backend_source_only(plugin_zip):
    names = zipfile.ZipFile(plugin_zip).namelist()
    assert all(n.startswith("rrsis_qgis/") for n in names)
    for required in ("rrsis_qgis/__init__.py", "rrsis_qgis/metadata.txt", "rrsis_qgis/plugin.py",
                     "rrsis_qgis/processing/provider.py", "rrsis_qgis/resources/icons/rrsis.svg",
                     "rrsis_qgis/resources/styles/rrsis_result.qml",
                     "rrsis_qgis/resources/samples/kampala_oam.tif",  # the self-test's raster
                     "rrsis_qgis/resources/samples/ATTRIBUTION.md",
                     "rrsis_qgis/backend_src/pyproject.toml",
                     "rrsis_qgis/backend_src/rrsis/__init__.py"):
        assert required in names, required
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".part"))]
    assert not [n for n in names if "/tests/" in n or n.startswith("rrsis_qgis/tests")]
    weights = [n for n in names if n.endswith((".safetensors", ".pth", ".pt", ".bin"))]
    assert len(weights) <= 1  # the default model only
    assert not [n for n in names if "backend_src/rrsis" in n and "egg-info" in n]


def test_install_unpacks_and_enables_keeping_other_settings(plugin_zip, tmp_path):
    """Also sets the backend interpreter, read back through real QgsSettings in that profile."""
    profiles = tmp_path / "profiles"
    ini = profiles / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nprocessing=true\n\n[General]\nlocale\\userLocale=en_GB\n")
    stale = profiles / "default" / "python" / "plugins" / "rrsis_qgis" / "stale.py"
    stale.parent.mkdir(parents=True)
    stale.write_text("# from an older version\n")
    for _ in range(2):  # installing twice replaces the first copy
        subprocess.run([sys.executable, str(REPO / "scripts" / "install_plugin.py"),  # nosec B603
                        str(plugin_zip), "--profiles-dir", str(profiles), "--backend-python",
                        sys.executable], check=True, capture_output=True, timeout=120)
    target = profiles / "default" / "python" / "plugins" / "rrsis_qgis"
    assert (target / "metadata.txt").is_file() and (target / "plugin.py").is_file()
    assert not stale.exists()
    config = configparser.RawConfigParser(strict=False)
    config.optionxform = str
    config.read(ini)
    assert config.get("PythonPlugins", "rrsis_qgis") == "true"
    assert config.get("PythonPlugins", "processing") == "true"
    assert config.get("General", "locale\\userLocale") == "en_GB"
    from qgis.PyQt.QtCore import QSettings

    read = QSettings(str(ini), QSettings.IniFormat)  # how QgsSettings reads the profile's ini
    assert read.value("rrsis/backend_python") == sys.executable
