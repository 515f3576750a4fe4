"""One error root for the backend.

Every leaf also subclasses the matching builtin, so callers may catch either
(``except ValueError`` or ``except rrsis.errors.InputError``). Each class carries
the protocol error ``code`` the server reports for it.
"""

from __future__ import annotations

import sys
from typing import Callable, Optional


class RrsisError(Exception):
    """Root of every error this package raises on purpose."""

    code = "internal"


class InputError(RrsisError, ValueError):
    """The user's input (raster, extent, expression, option) cannot be used."""

    code = "bad_input"


class CRSError(InputError):
    """The raster has no usable coordinate reference system or transform."""

    code = "bad_crs"


class CheckpointError(RrsisError, ValueError):
    """A checkpoint is missing, truncated, malformed, unsafe or does not fit the model."""

    code = "bad_checkpoint"


class ModelNotFoundError(RrsisError, KeyError):
    """No registered model or checkpoint file of that name."""

    code = "unknown_model"

    def __str__(self) -> str:  # KeyError quotes its argument; keep the message readable
        return str(self.args[0]) if self.args else ""


class MissingDependencyError(RrsisError, ImportError):
    """A package the requested work needs is not installed in the backend's environment.

    Not ``bad_input``: the user's input is fine, the installation is not (the plugin offers
    to reinstall the backend for this code).
    """

    code = "missing_dependency"


class DeviceError(RrsisError, RuntimeError):
    """The requested device is not available."""

    code = "bad_device"


class FullBackendRequired(RrsisError, RuntimeError):
    """The request needs torch, and this is the runtime flavour (ONNX Runtime only)."""

    code = "needs_full_backend"


#: top-level modules only the full flavour (``rrsis[full]``) installs: training, conversion,
#: export, CUDA. Missing one means "install the full backend", not a broken install.
FULL_ONLY_MODULES = frozenset({"torch", "torchvision", "timm", "transformers", "onnx",
                               "onnxscript", "yaml", "PIL"})


class Cancelled(RrsisError):
    """The run was cancelled by the caller; nothing was written."""

    code = "cancelled"


class OutputError(InputError):
    """An output path cannot be used: it is the input, another output, a folder, a loop, ..."""

    code = "bad_output"


class OutputExistsError(OutputError, FileExistsError):
    """The output exists and the caller did not allow replacing it (``overwrite``)."""

    code = "output_exists"


class NotWritableError(RrsisError, PermissionError):
    """The output folder or file cannot be written (read-only file system, permissions)."""

    code = "not_writable"


class DiskFullError(RrsisError, OSError):
    """The disk (or the user's quota) is full; nothing was left behind."""

    code = "disk_full"


class NetworkPathError(InputError):
    """A remote source (URL, /vsicurl/, a VRT that points at one): the backend reads local data only."""

    code = "network_refused"


class RasterReadError(InputError):
    """The raster cannot be read: truncated, corrupt, or a VRT whose sources are missing."""

    code = "bad_raster"


def run_tool(body: Callable[[], int], prog: Optional[str] = None) -> int:
    """Run the body of a ``python -m`` tool (calibrations, evaluations): an error of this
    package, or a failure :func:`from_exception` knows (a full disk, a broken install), is
    one line on stderr (``[prog: ]error: ...``) and exit status 2, never a traceback;
    anything else is a bug and propagates."""
    try:
        return body()
    except Exception as exc:  # noqa: BLE001 - only a known failure becomes one line
        specific = from_exception(exc)
        if specific is None:
            raise
        print(f"{prog + ': ' if prog else ''}error: {specific}", file=sys.stderr)
        return 2


def from_exception(exc: BaseException) -> "RrsisError | None":
    """The specific error an OS or import failure means for the user, or None (a bug).

    Why: a full disk, a read-only folder or a missing package must reach the CLI as one
    readable line and the plugin as a specific code, never as ``internal`` with a traceback.
    """
    import errno as _errno

    if isinstance(exc, RrsisError):
        return exc
    if isinstance(exc, ImportError):
        name = _missing_module(exc)
        if name and name.split(".")[0] in FULL_ONLY_MODULES:
            return FullBackendRequired(
                f"needs the full backend ({name.split('.')[0]} is not installed): "
                "pip install 'rrsis[full]' (the plugin's installer: choice Full)")
        what = f"the Python package {name!r} is" if name else "a Python package is"
        first = (str(exc).splitlines() or [""])[0][:200]
        return MissingDependencyError(
            f"{what} missing from the backend's environment ({first}); reinstall the "
            "backend (make setup, or the plugin's installer)")
    if isinstance(exc, OSError):
        where = exc.filename or "the output"
        reason = exc.strerror or str(exc)
        if exc.errno in (_errno.ENOSPC, getattr(_errno, "EDQUOT", -1), _errno.EFBIG):
            return DiskFullError(f"the disk is full while writing {where} ({reason}); free some "
                                 "space or choose another folder. Nothing was left behind")
        if exc.errno in (_errno.EROFS, _errno.EACCES, _errno.EPERM):
            return NotWritableError(f"cannot write {where}: {reason} (read-only folder or "
                                    "file system?); choose another output folder")
        if exc.errno == _errno.ELOOP:
            return OutputError(f"{where} is a symbolic link loop")
        if exc.errno in (_errno.EISDIR, _errno.ENOTDIR, _errno.ENOENT, _errno.ENAMETOOLONG):
            return InputError(f"{where}: {reason}")
        return None
    return _mismatched_torchvision(exc)


def _mismatched_torchvision(exc: BaseException) -> "MissingDependencyError | None":
    """A failure raised inside torchvision's own code: a torchvision built for another torch
    ("operator torchvision::nms does not exist" when timm imports it), which a reinstall of the
    two as a pair fixes; this package calls torchvision only through such imports."""
    import traceback
    from importlib import metadata

    frames = traceback.extract_tb(exc.__traceback__)
    if not any("/torchvision/" in f.filename.replace("\\", "/") for f in frames):
        return None

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    first = (str(exc).splitlines() or [""])[0][:200]
    return MissingDependencyError(
        f"torchvision {version('torchvision')} does not work with torch {version('torch')} "
        f"({type(exc).__name__}: {first}): they must be a matching pair from one package index; "
        "reinstall the backend (the plugin's installer, choice Full; or pip install "
        "--force-reinstall torch torchvision from one index)")


def _missing_module(exc: BaseException) -> "str | None":
    """The name of the module that failed to import, looking through chained causes (a
    library's own ImportError often wraps the ModuleNotFoundError that names it)."""
    seen = set()
    current: "BaseException | None" = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ImportError) and getattr(current, "name", None):
            return str(current.name)
        current = current.__cause__ or current.__context__
    return None
