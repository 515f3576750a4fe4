"""Files the backend reads from where it is installed, found through :mod:`importlib.resources`.

Two kinds:

- **Package data**, inside the package and shipped in its wheel: the training recipes
  (``rrsis/training/configs/*.yaml``). Read with :func:`package_file`, so they are found
  the same way in an editable install (``make setup``, ``make setup-runtime``) and in a
  built wheel (a backend pip-installed from the plugin's ``backend_src/``).
- **Bundled resources**: the ``resources/`` folder (default model, tokenizer vocabulary,
  samples) that the repository and the plugin zip share, too large and too shared to be
  package data. It lies next to the package's parent folder: ``backend/rrsis`` ->
  ``resources/`` of the checkout, ``backend_src/rrsis`` -> the plugin's ``resources/``.
  An installed copy of the package has none (:func:`bundled_resource` returns None): the
  plugin then passes its folders in ``RRSIS_MODEL_DIR`` (see :mod:`rrsis.models.catalog`).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Optional

try:
    from importlib.resources.abc import Traversable
except ImportError:  # Python 3.10
    from importlib.abc import Traversable

__all__ = ["package_file", "package_root", "bundled_resource"]

#: how many folders above the package's own a ``resources/`` folder may lie: backend/,
#: the checkout (or plugin folder), and its parent
_RESOURCE_LEVELS = 3


def package_file(package: str, *parts: str) -> Traversable:
    """``parts`` inside ``package`` (e.g. ``package_file("rrsis.training", "configs")``)."""
    return importlib.resources.files(package).joinpath(*parts)


def package_root() -> Optional[Path]:
    """The folder of the ``rrsis`` package on disk (None when imported from an archive)."""
    root = importlib.resources.files("rrsis")
    return Path(str(root)).resolve() if isinstance(root, Path) else None


def bundled_resource(*parts: str) -> Optional[Path]:
    """``resources/<parts>`` of the checkout or plugin this package runs from, if it exists."""
    root = package_root()
    if root is None:
        return None
    for parent in root.parents[:_RESOURCE_LEVELS]:
        candidate = parent.joinpath("resources", *parts)
        if candidate.exists():
            return candidate
    return None
