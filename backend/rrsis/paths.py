"""Where the backend may read and write: local sources only, outputs that never destroy.

One policy for the CLI, the server and the engine (the engine's ``segment`` applies it,
and both faces call the engine):

- **Sources are local.** URLs, GDAL's network file systems (``/vsicurl/``, ``/vsis3/``,
  ...), network drivers (``WMS:``, ...) and local XML/JSON files that point at any of
  them (a ``.vrt`` whose sources are URLs, nested VRTs followed recursively, a
  ``<GDAL_WMS>`` file) are refused before GDAL opens anything; :func:`gdal_options`
  additionally keeps GDAL's own HTTP client from fetching anything it might still reach.
- **Outputs never destroy.** An output may not be the input raster or another output of
  the same run (compared as resolved real paths, and ``os.path.samefile`` when both
  exist); its suffix must match its format (``.gpkg`` for the objects, ``.tif``/``.tiff``
  for the probability and mask rasters); a folder, a symlink loop or a device is refused;
  an existing file is replaced only when the caller says ``overwrite`` (CLI
  ``--overwrite``; the plugin passes it for paths the user accepted in QGIS).
- **Part files are recognisable.** Outputs are written as ``.NAME.rrsis-PID-XXXX.part.SUF``
  beside the target and renamed when complete; the part files of this process are
  removed on every exit path it controls (:func:`remove_live_parts`), and those of a
  process that no longer exists (killed with SIGKILL, power cut) are removed by the next
  run writing to that folder (:func:`remove_stale_parts`).

Over 300 lines on purpose: one security policy (local sources, outputs that never destroy,
part files) reviewed in one place.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import tempfile
import threading
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Set, Union

from .errors import (InputError, NetworkPathError, NotWritableError, OutputError,
                     OutputExistsError, RasterReadError, RrsisError)

__all__ = ["VECTOR_DRIVERS", "VECTOR_SUFFIXES", "vector_driver", "RASTER_SUFFIXES",
           "check_local_source", "gdal_options", "subdataset_file", "is_gdal_name",
           "file_on_disk", "absolute_source",
           "check_outputs", "part_path", "release_part", "remove_live_parts",
           "remove_stale_parts", "replacing", "scratch_folder", "write_failure",
           "write_text_atomic"]

#: vector output suffix -> the OGR driver writing it (one file each, so written whole under a
#: temporary name and renamed; a Shapefile's several files could not be)
VECTOR_DRIVERS: Dict[str, str] = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".fgb": "FlatGeobuf"}
VECTOR_SUFFIXES = tuple(VECTOR_DRIVERS)
RASTER_SUFFIXES = (".tif", ".tiff")
#: output role -> the suffixes its format may carry
OUTPUT_SUFFIXES: Dict[str, tuple] = {"output": VECTOR_SUFFIXES, "probability": RASTER_SUFFIXES,
                                     "mask": RASTER_SUFFIXES}

#: GDAL virtual file systems that reach the network (any of them anywhere in a name).
NETWORK_VSI = ("vsicurl", "vsicurl_streaming", "vsis3", "vsis3_streaming", "vsigs",
               "vsigs_streaming", "vsiaz", "vsiaz_streaming", "vsiadls", "vsioss",
               "vsioss_streaming", "vsiswift", "vsiswift_streaming", "vsihdfs", "vsiwebhdfs")
#: GDAL drivers whose dataset names are network connections (``WMS:http://...``).
NETWORK_DRIVERS = ("WMS", "WMTS", "WCS", "EEDA", "EEDAI", "DAAS", "PLSCENES", "NGW", "OGCAPI",
                   "STACIT", "STACTA", "HTTP", "PG", "MYSQL", "MSSQL", "OCI", "ODBC")
#: XML roots of local files that describe a remote service.
NETWORK_XML_ROOTS = ("GDAL_WMS", "GDAL_WMTS", "WCS_GDAL", "GDAL_WCS", "GDAL_WMS_TMS",
                     "Service", "WMS_Capabilities")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_VSI = re.compile(r"/(" + "|".join(NETWORK_VSI) + r")(/|\?|$)", re.IGNORECASE)
_DRIVER = re.compile(r"^(" + "|".join(NETWORK_DRIVERS) + r"):", re.IGNORECASE)
MAX_DESCRIPTOR_BYTES = 16 << 20  # a VRT larger than this is not a hand-made descriptor
MAX_VRT_DEPTH = 16


_SUBDATASET = re.compile(r'^[A-Za-z][A-Za-z0-9_]+:(?:"([^"]+)"(?::.*)?|(.+))$')


def subdataset_file(name: "str | os.PathLike[str]") -> Optional[str]:
    """The local file of a GDAL subdataset name, else None: ``GPKG:/data/site.gpkg:ortho`` (a
    table of a GeoPackage, as QGIS names such a layer), ``NETCDF:"/data/f.nc":band``,
    ``GTIFF_DIR:2:/data/pages.tif``. The driver's name has two letters or more (``C:\\...``
    is a Windows path); the file is the quoted part, else the longest part between colons
    that is a file."""
    match = _SUBDATASET.match(os.fspath(name))
    if match is None:
        return None
    if match.group(1):
        return match.group(1) if os.path.isfile(match.group(1)) else None
    rest = match.group(2)
    colons = [i for i, ch in enumerate(rest) if ch == ":"]
    parts = sorted(((a, b) for a in [0] + [c + 1 for c in colons]
                    for b in colons + [len(rest)] if b > a), key=lambda ab: ab[0] - ab[1])
    return next((rest[a:b] for a, b in parts if os.path.isfile(rest[a:b])), None)


def is_gdal_name(name: "str | os.PathLike[str]") -> bool:
    """Whether ``name`` names a raster in GDAL's words, read as it is, not a path: a file in a
    local archive or memory file system (``/vsizip/...``) or a table of a file
    (:func:`subdataset_file`)."""
    return os.fspath(name).startswith("/vsi") or subdataset_file(name) is not None


def file_on_disk(name: "str | os.PathLike[str]") -> str:
    """The file a GDAL name reads from: the file of a subdataset (:func:`subdataset_file`), the
    archive of a file inside it (``/vsizip//data/a.zip/o.tif`` -> ``/data/a.zip``), else the
    name itself. What a batch stamps to see whether an input changed."""
    name = os.fspath(name)
    inner = subdataset_file(name)
    if inner is not None:
        return inner
    if name.startswith("/vsi") and not os.path.isfile(name):
        rest = name.split("/", 2)[2] if name.count("/") >= 2 else ""
        cuts = [i for i, ch in enumerate(rest) if ch == "/"] + [len(rest)]
        return next((rest[:i] for i in reversed(cuts) if i and os.path.isfile(rest[:i])), name)
    return name


def absolute_source(name: "str | os.PathLike[str]") -> str:
    """``name`` made absolute, for a record read again from another folder: a path resolved,
    and in a GDAL name the file it reads from (``GPKG:site.gpkg:ortho`` ->
    ``GPKG:/data/site.gpkg:ortho``)."""
    name = os.fspath(name)
    inner = file_on_disk(name)
    if inner != name:   # a table of a file, or a file in an archive
        return name.replace(inner, str(Path(inner).expanduser().resolve()), 1)
    return str(Path(name).expanduser().resolve())


def _network_reason(name: str) -> Optional[str]:
    if _VSI.search(name):
        return "a GDAL network file system"
    if name.lower().startswith("vrt://"):
        return None  # GDAL's vrt:// connection to a local file: its inner path is checked
    if _URL.search(name):
        return "a URL"
    if _DRIVER.match(name):
        return "a network data source"
    return None


def check_local_source(name: str, _depth: int = 0, _within: FrozenSet[str] = frozenset(),
                       _checked: Optional[Set[str]] = None) -> None:
    """Refuse ``name`` unless it and everything it references are local files.

    ``_within``: the descriptors that reference this one (a cycle is one of them again);
    ``_checked``: the descriptors already followed (a VRT that names one source per band
    references it four times: followed once, not taken for a cycle).

    Raises :class:`~rrsis.errors.NetworkPathError` (a remote source, or a local VRT or
    service description that references one) or :class:`~rrsis.errors.RasterReadError`
    (a VRT whose source is missing or that nests itself).
    """
    reason = _network_reason(name)
    if reason:
        raise NetworkPathError(f"{name!r} is {reason}: the backend reads local data only "
                               "(download the raster first)")
    if name.lower().startswith("vrt://"):
        check_local_source(name[6:].split("?", 1)[0], _depth + 1, _within, _checked)
        return
    if name.startswith("/vsi"):
        return  # local archive/memory file systems (/vsizip/, /vsimem/, ...): nothing to parse
    inner = subdataset_file(name)
    if inner is not None:   # a table of a file: the file is what is read
        check_local_source(inner, _depth, _within, _checked)
        return
    checked = set() if _checked is None else _checked
    try:
        real = os.path.realpath(name)
        if not os.path.isfile(real):
            return  # not a plain file: open_info reports what is wrong with it
        with open(real, "rb") as f:
            head = f.read(MAX_DESCRIPTOR_BYTES + 1)
    except OSError:
        return
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith((b"<", b"{")):
        return  # binary raster (GeoTIFF, JPEG, ...): nothing to follow
    if real in _within or _depth > MAX_VRT_DEPTH:
        raise RasterReadError(f"{name} nests VRTs more than {MAX_VRT_DEPTH} deep or in a cycle")
    if real in checked:
        return
    checked.add(real)
    if len(head) > MAX_DESCRIPTOR_BYTES:
        raise InputError(f"{name} is a text descriptor larger than {MAX_DESCRIPTOR_BYTES >> 20} "
                         "MB; refusing to parse it")
    if text.startswith(b"{"):
        _check_strings(name, [text.decode("utf-8", "replace")])
        return
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        _check_strings(name, [text.decode("utf-8", "replace")])
        return
    if root.tag in NETWORK_XML_ROOTS:
        raise NetworkPathError(f"{name} describes a remote service ({root.tag}): the backend "
                               "reads local data only")
    if root.tag != "VRTDataset":  # another GDAL XML format: any URL in it is refused
        _check_strings(name, [v for el in root.iter() for v in (el.text or "",
                                                                 *el.attrib.values())])
        return
    folder = os.path.dirname(real)
    for el in root.iter():
        if el.tag not in ("SourceFilename", "SourceDataset") or not (el.text or "").strip():
            continue
        source = el.text.strip()
        if _network_reason(source):
            raise NetworkPathError(f"{name} references a remote source ({source[:120]!r}): the "
                                   "backend reads local data only")
        if el.get("relativeToVRT", "0") == "1" or (el.tag == "SourceDataset"
                                                   and not os.path.isabs(source)):
            source = os.path.join(folder, source)
        if not source.startswith("/vsi") and "://" not in source and ":" not in \
                os.path.basename(source) and not os.path.exists(source):
            raise RasterReadError(f"{name} references a source that does not exist: {source}")
        check_local_source(source, _depth + 1, _within | {real}, checked)


def _check_strings(name: str, strings: Iterable[str]) -> None:
    for s in strings:
        if s and _network_reason(s.strip()):
            raise NetworkPathError(f"{name} references a remote source ({s.strip()[:120]!r}): "
                                   "the backend reads local data only")


def gdal_options() -> Dict[str, str]:
    """GDAL configuration that keeps GDAL itself off the network (defence in depth).

    ``/vsicurl/`` first checks a name against ``CPL_VSIL_CURL_ALLOWED_EXTENSIONS`` and
    touches no socket for any other name: the one extension allowed here is one no real
    file has. PROJ's grid CDN is switched off, and any HTTP request GDAL still attempts
    gets no retry and a one-second timeout. The folder of a raster is not listed, but its
    side-car files are still looked for by name (``TRUE``, not ``EMPTY_DIR``, which hides
    them): a JPEG's or PNG's georeferencing often lives in ``.aux.xml`` or a world file,
    and overviews and masks in ``.ovr`` and ``.msk``, as QGIS reads them.
    """
    return {"CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".rrsis-network-disabled",
            "GDAL_DISABLE_READDIR_ON_OPEN": "TRUE", "GDAL_HTTP_MAX_RETRY": "0",
            "GDAL_HTTP_TIMEOUT": "1", "GDAL_HTTP_CONNECTTIMEOUT": "1", "PROJ_NETWORK": "OFF",
            "CPL_VSIL_CURL_USE_HEAD": "NO", "GDAL_HTTP_PROXY": "", "GDAL_HTTPS_PROXY": ""}


def vector_driver(path: str) -> str:
    """The OGR driver an output of objects is written with, by its suffix
    (:data:`VECTOR_DRIVERS`; GeoPackage for any other, which the output checks refuse)."""
    return VECTOR_DRIVERS.get(Path(path).suffix.lower(), "GPKG")


# --- outputs ---------------------------------------------------------------------------------

def _same_file(a: str, b: str) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_one_output(role: str, path: str, overwrite: bool) -> None:
    label = "output" if role == "output" else f"{role} output"
    if _network_reason(path) or path.startswith("/vsi"):
        raise NetworkPathError(f"{label} {path!r} is not a local file path")
    suffixes = OUTPUT_SUFFIXES[role]
    if Path(path).suffix.lower() not in suffixes:
        kind = "a GeoPackage, GeoJSON or FlatGeobuf file" if role == "output" else "a GeoTIFF"
        either = ", ".join(suffixes[:-1]) + " or " + suffixes[-1]
        raise OutputError(f"{label} {path} must end with {either} (it is written as {kind})")
    try:
        st_link = os.lstat(path)
    except FileNotFoundError:
        st_link = None
    except OSError as exc:
        raise OutputError(f"{label} {path} cannot be used: {exc.strerror}") from None
    if st_link is not None:
        try:
            st = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise OutputError(f"{label} {path} is a symbolic link loop") from None
            st = None  # a dangling link: replaced by the output, its target untouched
        if st is not None:
            import stat as _stat

            if _stat.S_ISDIR(st.st_mode):
                raise OutputError(f"{label} {path} is a folder; give a file name ending with "
                                  f"{suffixes[0]}")
            if not _stat.S_ISREG(st.st_mode):
                raise OutputError(f"{label} {path} exists and is not a regular file")
        if not overwrite:
            raise OutputExistsError(f"{label} {path} already exists; pass --overwrite (CLI) or "
                                    "overwrite: true (server) to replace it")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OutputError(f"output folder does not exist: {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise NotWritableError(f"cannot write {label} {path}: the folder {folder} is read-only "
                               "or not yours; choose another output folder")
    _probe_folder(label, path, folder)


def _probe_folder(label: str, path: str, folder: str) -> None:
    """Create and remove a file in ``folder``: permission bits say yes to root everywhere
    (/proc, a read-only mount), and the run should fail now, not after minutes of work."""
    import tempfile

    try:
        fd, probe = tempfile.mkstemp(prefix=".rrsis-probe-", dir=folder)
    except OSError as exc:
        raise NotWritableError(f"cannot write {label} {path}: the folder {folder} does not "
                               f"accept new files ({exc.strerror}); choose another output "
                               "folder") from None
    os.close(fd)
    try:
        os.unlink(probe)
    except OSError:
        pass


def check_outputs(source: Optional[str], outputs: Mapping[str, Optional[str]],
                  overwrite: bool = False) -> None:
    """Refuse outputs that would destroy the input, each other, or an unrelated file.

    ``outputs`` maps a role (``output``, ``probability``, ``mask``) to a path or None.
    """
    given = [(role, str(p)) for role, p in outputs.items() if p]
    for role, path in given:
        _check_one_output(role, path, overwrite)
        if source and not _network_reason(source) and _same_file(path, source):
            raise OutputError(f"{role} {path} is the input raster: refusing to overwrite it")
    for i, (role_a, a) in enumerate(given):
        for role_b, b in given[i + 1:]:
            if _same_file(a, b):
                raise OutputError(f"the {role_a} and {role_b} outputs are the same file ({a}); "
                                  "give each its own path")


def write_failure(exc: BaseException, path: str) -> Optional[RrsisError]:
    """A failed write of ``path`` -> the specific error it means, or None (unknown cause).

    GDAL and SQLite report a full disk in their own words (``no such table:
    gpkg_contents``), so after any failure the folder itself is asked: free space and
    write permission.
    """
    from .errors import DiskFullError, from_exception

    if isinstance(exc, OSError) and exc.errno is not None:
        if not exc.filename:
            exc.filename = path
        specific = from_exception(exc)
        if specific is not None:
            return specific
    folder = os.path.dirname(os.path.abspath(path)) or "."
    try:
        vfs = os.statvfs(folder)
        # a virtual file system (/proc, /sys) reports no blocks at all: not a full disk
        free = vfs.f_bavail * vfs.f_frsize if vfs.f_blocks else None
    except (OSError, AttributeError):
        free = None
    text = str(exc).lower()
    if (free is not None and free < (1 << 20)) or "no space left" in text or "disk is full" in text:
        return DiskFullError(f"the disk holding {folder} is full while writing {path}; free "
                             "some space or choose another folder. Nothing was left behind")
    if not os.access(folder, os.W_OK) or "read-only file system" in text:
        return NotWritableError(f"cannot write {path}: the folder {folder} is read-only")
    return None


# --- part files --------------------------------------------------------------------------------

_PART = re.compile(r"^\..*\.rrsis-(\d+)-[0-9a-f]+\.part\.[A-Za-z0-9]+"
                   r"(-journal|-wal|-shm|\.aux\.xml|\.ovr)?$")
_LIVE: Set[str] = set()
_LIVE_LOCK = threading.Lock()


def part_path(target: str) -> str:
    """A fresh part-file path beside ``target``: ``.NAME.rrsis-PID-XXXX.part.SUF``.

    Registered as live until :func:`release_part`; stale ones of dead processes in the
    same folder are removed first.
    """
    path = Path(target)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"output folder does not exist: {folder}")
    remove_stale_parts(str(folder))
    tmp = str(folder / f".{path.stem}.rrsis-{os.getpid()}-{secrets.token_hex(4)}"
                       f".part{path.suffix}")
    with _LIVE_LOCK:
        _LIVE.add(tmp)
    return tmp


def _siblings(path: str) -> List[str]:
    return [path + s for s in ("", "-journal", "-wal", "-shm", ".aux.xml", ".ovr")]


def release_part(path: str, remove: bool = True) -> None:
    """Forget a part file (renamed or aborted); ``remove`` deletes it and its siblings."""
    with _LIVE_LOCK:
        _LIVE.discard(path)
    if remove:
        for p in _siblings(path):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass


def remove_live_parts() -> List[str]:
    """Delete every part file and scratch folder this process still has (exit paths: orphan,
    SIGTERM, atexit)."""
    with _LIVE_LOCK:
        live, folders = list(_LIVE), list(_LIVE_FOLDERS)
    removed = []
    for path in live:
        release_part(path)
        removed.append(path)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


def _stale_names(folder: str, pattern: "re.Pattern[str]") -> List[str]:
    """Names in ``folder`` that ``pattern`` (its group 1: a PID) gives to a process now gone."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [name for name in names
            if (m := pattern.match(name)) is not None and not _pid_alive(int(m.group(1)))]


def remove_stale_parts(folder: str) -> List[str]:
    """Delete part files in ``folder`` left by rrsis processes that no longer exist."""
    removed = []
    for name in _stale_names(folder, _PART):
        try:
            os.unlink(os.path.join(folder, name))
            removed.append(name)
        except OSError:
            pass
    return removed


@contextmanager
def replacing(target: Union[str, Path]) -> Iterator[Path]:
    """A part-file path beside ``target`` to write; renamed onto ``target`` when the block
    ends normally, removed when it does not: an existing ``target`` survives any failure, and
    a part file left by a killed process is recognisable (:func:`remove_stale_parts`)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp, done = part_path(str(target)), False
    try:
        yield Path(tmp)
        os.replace(tmp, target)
        done = True
    finally:
        release_part(tmp, remove=not done)


def write_text_atomic(path: Union[str, Path], text: str) -> None:
    """``text`` into ``path`` under a temporary name in the same folder, then renamed: a
    report that already exists survives any failure (reports, metrics, calibrations)."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


# --- scratch folders -----------------------------------------------------------------------------

_SCRATCH = re.compile(r"^rrsis-[a-z]+-(\d+)-[0-9a-f]+$")
_LIVE_FOLDERS: Set[str] = set()


@contextmanager
def scratch_folder(kind: str) -> Iterator[Path]:
    """A private temporary folder ``rrsis-KIND-PID-XXXX`` removed when the block ends, and
    by :func:`remove_live_parts` on the exits a process controls; folders of processes that
    no longer exist (killed with SIGKILL) are removed when the next one is made, so a killed
    backend's intermediate rasters do not stay in the temporary folder for good."""
    root = tempfile.gettempdir()
    remove_stale_folders(root)
    folder = os.path.join(root, f"rrsis-{kind}-{os.getpid()}-{secrets.token_hex(4)}")
    os.mkdir(folder, 0o700)
    with _LIVE_LOCK:
        _LIVE_FOLDERS.add(folder)
    try:
        yield Path(folder)
    finally:
        with _LIVE_LOCK:
            _LIVE_FOLDERS.discard(folder)
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale_folders(root: str) -> List[str]:
    """Delete the scratch folders in ``root`` of this user's rrsis processes that are gone."""
    removed = []
    for name in _stale_names(root, _SCRATCH):
        path = os.path.join(root, name)
        try:
            if os.stat(path, follow_symlinks=False).st_uid != os.getuid() \
                    or not os.path.isdir(path) or os.path.islink(path):
                continue
        except (OSError, AttributeError):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(name)
    return removed
