"""rrsis.package_data: recipes as package data; resources/ of the checkout or plugin folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import rrsis
from rrsis.package_data import bundled_resource, package_file, package_root

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path(rrsis.__file__).resolve().parent


def test_the_checkout_finds_its_resources_folder() -> None:
    assert package_root() == PACKAGE
    assert bundled_resource("models") == REPO / "resources" / "models"
    assert bundled_resource("tokenizer", "vocab.txt") == REPO / "resources" / "tokenizer" / \
        "vocab.txt"
    assert bundled_resource("no", "such", "file") is None
    assert package_file("rrsis.training", "configs", "finetune_cpu.yaml").is_file()


def test_the_wheel_lists_the_recipes_as_package_data() -> None:
    project = tomllib.loads((REPO / "backend" / "pyproject.toml").read_text())
    data = project["tool"]["setuptools"]["package-data"]["rrsis"]
    shipped = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.yaml")}
    assert shipped and all(any(Path(s).match(pattern) for pattern in data) for s in shipped)


def _probe(site: Path, env_extra: dict) -> dict:
    code = ("import json; from rrsis.package_data import bundled_resource, package_root; "
            "from rrsis.training.recipe import resolve_recipe; "
            "from rrsis.models.catalog import model_dirs; "
            "print(json.dumps({'root': str(package_root()), "
            "'models': str(bundled_resource('models')), "
            "'recipe': resolve_recipe('finetune_cpu').name, "
            "'dirs': [str(d) for d in model_dirs()]}))")
    env = dict(os.environ, PYTHONPATH=str(site), **env_extra)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=site, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_an_installed_copy_has_its_recipes_and_no_checkout_resources(tmp_path: Path) -> None:
    """The package copied alone (as pip installs it into site-packages): the recipes come
    from package data, the models only from RRSIS_MODEL_DIR / the user's folder."""
    site = tmp_path / "lib" / "python" / "site-packages"
    shutil.copytree(PACKAGE, site / "rrsis", ignore=shutil.ignore_patterns("__pycache__"))
    models = tmp_path / "plugin_models"
    models.mkdir()
    got = _probe(site, {"RRSIS_MODEL_DIR": str(models), "XDG_DATA_HOME": str(tmp_path / "x")})
    assert got["root"] == str(site / "rrsis")
    assert got["models"] == "None" and got["recipe"] == "finetune-cpu"
    assert got["dirs"] == [str(models), str(tmp_path / "x" / "rrsis" / "models")]


def test_a_plugin_folder_finds_the_resources_beside_backend_src(tmp_path: Path) -> None:
    """The plugin zip's layout: <plugin>/backend_src/rrsis and <plugin>/resources."""
    plugin = tmp_path / "rrsis_qgis"
    shutil.copytree(PACKAGE, plugin / "backend_src" / "rrsis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (plugin / "resources" / "models").mkdir(parents=True)
    got = _probe(plugin / "backend_src", {"RRSIS_MODEL_DIR": "",
                                          "XDG_DATA_HOME": str(tmp_path / "x")})
    assert got["models"] == str(plugin / "resources" / "models")
    assert got["dirs"][-1] == str(plugin / "resources" / "models")
