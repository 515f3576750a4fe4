#!/usr/bin/env python3
"""Install the plugin zip into a QGIS profile and enable it.

Unpacks the zip into ``<profiles>/<profile>/python/plugins/rrsis_qgis`` (replacing an older
copy; the venv and results live in ``<profile>/rrsis`` and are kept) and sets
``[PythonPlugins] rrsis_qgis=true`` in ``<profile>/QGIS/QGIS3.ini``. With
``--backend-python`` it also points the plugin at an existing backend interpreter (the
setting ``rrsis/backend_python``), e.g. the venv ``make setup`` built, so the plugin works
without "Install backend…".

Usage: python3 scripts/install_plugin.py [ZIP] [--profile default] [--profiles-dir DIR]
                                         [--backend-python .venv/bin/python]
"""

from __future__ import annotations

import argparse
import configparser
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "rrsis_qgis"


def default_profiles_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "QGIS" / "QGIS3" / "profiles"


def enable(ini: Path, backend_python: Optional[str] = None) -> None:
    """Set ``[PythonPlugins] rrsis_qgis=true`` (and ``[rrsis] backend_python``); keep the rest."""
    ini.parent.mkdir(parents=True, exist_ok=True)
    config = configparser.RawConfigParser(strict=False, interpolation=None)
    config.optionxform = str  # QGIS keys are case-sensitive
    if ini.exists():
        config.read(ini, encoding="utf-8")
    values = {("PythonPlugins", PLUGIN): "true"}
    if backend_python:
        values[("rrsis", "backend_python")] = backend_python
    for (section, key), value in values.items():
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, key, value)
    tmp = ini.with_name(ini.name + ".part")
    with open(tmp, "w", encoding="utf-8") as f:
        config.write(f, space_around_delimiters=False)
    os.replace(tmp, ini)


def install(zip_path: Path, profile_dir: Path, backend_python: Optional[str] = None) -> Path:
    plugins = profile_dir / "python" / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    target = plugins / PLUGIN
    with tempfile.TemporaryDirectory(dir=plugins) as tmp:
        with zipfile.ZipFile(zip_path) as zf:
            for name in zf.namelist():
                if not name.startswith(f"{PLUGIN}/") or ".." in Path(name).parts:
                    raise SystemExit(f"{zip_path}: unexpected entry {name!r}")
            zf.extractall(tmp)
        if target.exists():
            shutil.rmtree(target)
        os.replace(Path(tmp) / PLUGIN, target)
    enable(profile_dir / "QGIS" / "QGIS3.ini", backend_python)
    return target


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zip", nargs="?", type=Path, help="plugin zip (default: newest in dist/)")
    parser.add_argument("--profile", default="default")
    parser.add_argument("--profiles-dir", type=Path, default=None)
    parser.add_argument("--backend-python", default=None,
                        help="interpreter with the rrsis backend installed (e.g. .venv/bin/python)")
    args = parser.parse_args(argv)
    zip_path = args.zip
    if zip_path is None:
        zips = sorted((ROOT / "dist").glob(f"{PLUGIN}-*.zip"), key=lambda p: p.stat().st_mtime)
        if not zips:
            raise SystemExit("no plugin zip in dist/: run `make package` first")
        zip_path = zips[-1]
    profiles = args.profiles_dir or default_profiles_dir()
    python = str(Path(args.backend_python).absolute()) if args.backend_python else None
    if python and not Path(python).is_file():
        raise SystemExit(f"--backend-python: no such interpreter: {python}")
    target = install(zip_path, profiles / args.profile, python)
    print(f"installed {zip_path.name} into {target} and enabled it")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
