"""Paths of icons, styles and bundled models, in the source tree or in the installed plugin."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """``resources/`` inside the plugin (zip layout) or at the repository root (source tree)."""
    for candidate in (_HERE / "resources", _HERE.parent / "resources"):
        if (candidate / "icons").is_dir():
            return candidate
    return _HERE / "resources"


def icon_path(name: str = "rrsis.svg") -> str:
    return str(resources_dir() / "icons" / name)


def style_path(name: str = "rrsis_result.qml") -> str:
    return str(resources_dir() / "styles" / name)
