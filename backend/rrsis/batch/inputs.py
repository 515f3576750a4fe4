"""Which rasters a batch covers: folders, globs, lists of paths, VRT mosaics and tile indexes.

Each input names rasters in one of five ways, told apart without guessing:

- a folder: its raster files (``RASTER_SUFFIXES``), recursively, sorted;
- a glob (``tiles/*.tif``, ``**`` allowed): the matching files, sorted;
- a text file (``.txt``/``.lst``/``.list``): one path per line, ``#`` comments, paths
  relative to the list's folder;
- a VRT (``.vrt``): its source files (``SourceFilename``, ``relativeToVRT`` honoured), so
  every tile of a mosaic is its own task (and adjacent tiles are merged at the end);
- a tile index (a vector file, as ``gdaltindex`` writes): the ``location`` field.

Duplicates are dropped (first occurrence wins); every path is made absolute. A missing
file or an input that names nothing is an :class:`~rrsis.errors.InputError`.
"""

from __future__ import annotations

import glob
import os
import xml.etree.ElementTree as ET  # nosec B405: local VRT files the user names, no entities
from pathlib import Path
from typing import Iterable, List

from ..errors import InputError
from ..paths import absolute_source, is_gdal_name

__all__ = ["RASTER_SUFFIXES", "VECTOR_SUFFIXES", "resolve_inputs"]

RASTER_SUFFIXES = (".tif", ".tiff", ".jp2", ".img", ".png", ".jpg", ".jpeg", ".ecw", ".sid")
VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".sqlite")
LIST_SUFFIXES = (".txt", ".lst", ".list")
TILE_INDEX_FIELD = "location"


def resolve_inputs(inputs: Iterable[str]) -> List[str]:
    """Absolute raster paths, in order, without duplicates."""
    seen, out = set(), []
    for spec in inputs:
        for path in _expand(str(spec)):
            resolved = absolute_source(path)
            if resolved not in seen:
                seen.add(resolved)
                out.append(resolved)
    if not out:
        raise InputError("the inputs name no raster")
    return out


def _expand(spec: str) -> List[str]:
    if is_gdal_name(spec):   # GPKG:/data/site.gpkg:ortho, /vsizip/...: read as it is
        return [spec]
    if glob.has_magic(spec) and not os.path.exists(spec):
        found = sorted(p for p in glob.glob(os.path.expanduser(spec), recursive=True)
                       if os.path.isfile(p))
        if not found:
            raise InputError(f"no file matches {spec!r}")
        return found
    path = Path(spec).expanduser()
    if path.is_dir():
        found = sorted(str(p) for p in path.rglob("*")
                       if p.is_file() and p.suffix.lower() in RASTER_SUFFIXES
                       and not p.name.startswith("."))
        if not found:
            raise InputError(f"no raster file ({', '.join(RASTER_SUFFIXES)}) in {path}")
        return found
    if not path.is_file():
        raise InputError(f"input not found: {spec}")
    suffix = path.suffix.lower()
    if suffix in LIST_SUFFIXES:
        return _list_file(path)
    if suffix == ".vrt":
        return _vrt_sources(path)
    if suffix in VECTOR_SUFFIXES:
        return _tile_index(path)
    return [str(path)]


def _checked(paths: List[str], where: Path) -> List[str]:
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise InputError(f"{where.name} names a missing file: {missing[0]}{more}")
    if not paths:
        raise InputError(f"{where} names no raster")
    return paths


def _list_file(path: Path) -> List[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the list {path}: {exc}") from None
    paths = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            p = Path(line).expanduser()
            paths.append(str(p if p.is_absolute() else path.parent / p))
    return _checked(paths, path)


def _vrt_sources(path: Path) -> List[str]:
    try:
        root = ET.parse(path).getroot()  # nosec B314: a local file the user named
    except (ET.ParseError, OSError) as exc:
        raise InputError(f"{path.name} is not a readable VRT: {exc}") from None
    paths: List[str] = []
    for node in root.iter("SourceFilename"):
        name = (node.text or "").strip()
        if not name:
            continue
        relative = node.get("relativeToVRT", "0") == "1"
        full = str(path.parent / name) if relative else name
        if full not in paths:
            paths.append(full)
    return _checked(paths, path)


def _tile_index(path: Path) -> List[str]:
    import pyogrio
    import pyogrio.raw

    try:
        meta, _, _, fields = pyogrio.raw.read(str(path), columns=[TILE_INDEX_FIELD],
                                              read_geometry=False)
    except Exception as exc:  # pyogrio raises several DataSource/Field error types
        raise InputError(f"{path.name} is not a tile index with a '{TILE_INDEX_FIELD}' field "
                         f"(as gdaltindex writes): {exc}") from None
    if TILE_INDEX_FIELD not in list(meta["fields"]):
        raise InputError(f"{path.name} has no '{TILE_INDEX_FIELD}' field")
    paths = []
    for value in fields[0]:
        if value:
            p = Path(str(value)).expanduser()
            paths.append(str(p if p.is_absolute() else path.parent / p))
    return _checked(paths, path)
