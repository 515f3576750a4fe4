"""The import rules docs/architecture.md states, checked on the source with ``ast``.

Every import counts, lazy ones inside functions included; deprecated forwards that name
their new module as a string (rrsis._moved) are not imports and are not seen.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Dict, Iterator, Set, Tuple

import pytest

from helpers.data import REPO

BACKEND = REPO / "backend"
PLUGIN = REPO / "rrsis_qgis"
STDLIB = set(sys.stdlib_module_names) | {"__future__"}

#: backend area -> areas it must not import (an area: rrsis.<first name>)
FORBIDDEN: Dict[str, Set[str]] = {
    "models": {"engine", "server", "serve_io", "cli", "training", "batch", "grounding", "demo",
               "onnx_export"},
    "engine": {"training", "cli", "server", "serve_io", "batch", "demo", "onnx_export"},
    "batch": {"cli", "server", "serve_io", "training"},
    "training": {"cli", "server", "serve_io", "batch"},
    "server": {"cli"},
    "demo": {"training"},   # make demo runs where the training library is not installed
}
#: backend area -> the only rrsis areas it may import (besides itself, the package root and
#: rrsis._moved, the stdlib-only helper of deprecated paths)
ONLY: Dict[str, Set[str]] = {
    "protocol": set(),
    "errors": set(),
    "package_data": set(),
    "paths": {"errors"},
    "device": {"errors", "protocol"},
    "grounding": {"errors", "protocol"},
    "scores": set(),
    "serve_io": {"protocol", "paths", "server", "errors"},
}
#: what the plugin must never import: the backend and its heavy dependencies
PLUGIN_FORBIDDEN = {"rrsis", "torch", "torchvision", "timm", "transformers", "onnxruntime",
                    "rasterio", "shapely", "pyogrio", "dask", "distributed", "safetensors",
                    "tokenizers"}


def _module_name(path: Path, root: Path) -> Tuple[str, bool]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def imports_of(path: Path, root: Path) -> Iterator[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    name, is_package = _module_name(path, root)
    package = name.split(".") if is_package else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                if node.module:
                    yield ".".join(base + [node.module])
                else:  # from . import x: x may be a module
                    yield from (".".join(base + [a.name]) for a in node.names)
            elif node.module:
                yield node.module


def _area(module: str) -> str:
    """rrsis.engine.run -> engine; rrsis and rrsis.__version__ (the package root) -> rrsis."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] != "__version__" else "rrsis"


def backend_edges() -> Iterator[Tuple[Path, str, str]]:
    """(file, its area, imported rrsis area) for every rrsis import in the backend."""
    for path in sorted((BACKEND / "rrsis").rglob("*.py")):
        area = _area(_module_name(path, BACKEND)[0])
        for target in imports_of(path, BACKEND):
            if target == "rrsis" or target.startswith("rrsis."):
                yield path, area, _area(target)


def test_import_resolution_sees_relative_and_lazy_imports() -> None:
    """The checker itself: relative levels and imports inside functions are resolved."""
    found = set(imports_of(BACKEND / "rrsis" / "engine" / "runtime.py", BACKEND))
    assert {"rrsis.device", "rrsis.errors", "rrsis.models.checkpoint",
            "rrsis.engine.onnx_predictor"} <= found
    assert "rrsis.cli" in set(imports_of(BACKEND / "rrsis" / "__main__.py", BACKEND))


@pytest.mark.parametrize("area", sorted(FORBIDDEN))
def test_backend_areas_do_not_import_upwards(area: str) -> None:
    bad = [f"{p.relative_to(REPO)} -> rrsis.{t}" for p, a, t in backend_edges()
           if a == area and t in FORBIDDEN[area]]
    assert not bad, bad


@pytest.mark.parametrize("area", sorted(ONLY))
def test_base_modules_import_only_what_they_may(area: str) -> None:
    bad = [f"{p.relative_to(REPO)} -> rrsis.{t}" for p, a, t in backend_edges()
           if a == area and t not in ONLY[area] | {area, "_moved", "rrsis"}]
    assert not bad, bad


def test_nothing_outside_the_cli_imports_it() -> None:
    bad = [f"{p.relative_to(REPO)}" for p, a, t in backend_edges()
           if t == "cli" and a not in ("cli", "__main__")]
    assert not bad, bad


def test_the_wire_protocol_is_stdlib_only() -> None:
    for path in (BACKEND / "rrsis" / "protocol.py", PLUGIN / "_protocol.py"):
        outside = {m.split(".")[0] for m in imports_of(path, path.parent)} - STDLIB
        assert not outside, f"{path.name} imports {outside}"


def test_the_plugin_never_imports_the_backend_or_its_dependencies() -> None:
    bad = []
    for path in sorted(PLUGIN.rglob("*.py")):
        for target in imports_of(path, REPO):
            if target.split(".")[0] in PLUGIN_FORBIDDEN:
                bad.append(f"{path.relative_to(REPO)} -> {target}")
    assert not bad, bad
