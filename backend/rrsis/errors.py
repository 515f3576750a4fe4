"""One error root for the backend.

Every leaf also subclasses the matching builtin, so callers may catch either
(``except ValueError`` or ``except rrsis.errors.InputError``). Each class carries
the protocol error ``code`` the server reports for it.
"""

from __future__ import annotations


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


class DeviceError(RrsisError, RuntimeError):
    """The requested device is not available."""

    code = "bad_device"


class FullBackendRequired(RrsisError, RuntimeError):
    """The request needs torch, and this is the runtime flavour (ONNX Runtime only)."""

    code = "needs_full_backend"


class Cancelled(RrsisError):
    """The run was cancelled by the caller; nothing was written."""

    code = "cancelled"
