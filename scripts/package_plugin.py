#!/usr/bin/env python3
"""Build the installable plugin zip: ``rrsis_qgis/`` at the zip root.

Contents: the plugin's Python files, ``metadata.txt``, ``resources/`` (icons, styles, the
tokenizer vocabulary and the default model's ``.safetensors`` + its ONNX graphs only), and the backend source under ``backend_src/``
(``pyproject.toml`` + the ``rrsis`` package) so "Install backend…" can pip-install it.
No caches, tests, or other weights. Written under a temporary name, then renamed.

Usage: python3 scripts/package_plugin.py [--output dist/rrsis_qgis-<version>.zip]
"""

from __future__ import annotations

import argparse
import configparser
import os
import sys
import zipfile
from pathlib import Path
from typing import Iterator, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "rrsis_qgis"
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".hypothesis", "tests", ".git",
             "backend_src", "build", "dist"}
SKIP_SUFFIXES = (".pyc", ".pyo", ".part", ".log", ".egg-info")
RESOURCE_DIRS = ("icons", "styles", "tokenizer")
BACKEND_FILES = ("pyproject.toml", "README.md", "LICENSE")


def _files(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames
                             if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in sorted(filenames):
            if not name.endswith(SKIP_SUFFIXES):
                yield Path(dirpath) / name


def default_model_name() -> str:
    """The backend's DEFAULT_MODEL, read from the source (no import: no torch needed)."""
    text = (ROOT / "backend" / "rrsis" / "models" / "catalog.py").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("DEFAULT_MODEL"):
            return line.split("=", 1)[1].strip().strip("\"'")
    return "lgce-lite"


def plugin_version() -> str:
    meta = configparser.ConfigParser()
    meta.read(ROOT / "metadata.txt", encoding="utf-8")
    return meta["general"]["version"]


def contents() -> List[Tuple[Path, str]]:
    """(source file, path inside the zip) for everything the zip holds."""
    items: List[Tuple[Path, str]] = []
    for path in _files(ROOT / PLUGIN):
        items.append((path, f"{PLUGIN}/{path.relative_to(ROOT / PLUGIN).as_posix()}"))
    items.append((ROOT / "metadata.txt", f"{PLUGIN}/metadata.txt"))
    for sub in RESOURCE_DIRS:
        for path in _files(ROOT / "resources" / sub):
            relative = path.relative_to(ROOT / "resources").as_posix()
            items.append((path, f"{PLUGIN}/resources/{relative}"))
    for path in _files(ROOT / "resources" / "samples"):  # the backend self-test segments one
        items.append((path, f"{PLUGIN}/resources/samples/{path.name}"))
    model = ROOT / "resources" / "models" / f"{default_model_name()}.safetensors"
    if model.is_file():
        items.append((model, f"{PLUGIN}/resources/models/{model.name}"))
        for graph in (model.with_suffix(".onnx"), model.with_suffix(".text.onnx")):
            if graph.is_file():  # the ONNX graphs the card lists (they read the weights above)
                items.append((graph, f"{PLUGIN}/resources/models/{graph.name}"))
    backend = ROOT / "backend"
    for name in BACKEND_FILES:
        if (backend / name).is_file():
            items.append((backend / name, f"{PLUGIN}/backend_src/{name}"))
    for path in _files(backend / "rrsis"):
        items.append((path, f"{PLUGIN}/backend_src/{path.relative_to(backend).as_posix()}"))
    return items


def build(output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for source, arcname in contents():
            zf.write(source, arcname)
    os.replace(tmp, output)
    return output


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path,
                        default=ROOT / "dist" / f"{PLUGIN}-{plugin_version()}.zip")
    args = parser.parse_args(argv)
    path = build(args.output)
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
