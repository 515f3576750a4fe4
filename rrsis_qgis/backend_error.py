"""The one exception of the backend client, and how a child's exit is said in words.

Standard library only, like the rest of the client (importable without QGIS).
"""

from __future__ import annotations

from typing import Optional

__all__ = ["BackendError", "describe_exit"]


class BackendError(Exception):
    """A failed backend call: ``code`` (protocol or backend code), ``message``, ``detail``."""

    def __init__(self, code: str, message: str, detail: Optional[str] = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.detail = detail


def describe_exit(code: Optional[int]) -> str:
    """``exited with code 3``, ``was killed by signal SIGKILL``, or ``stopped``."""
    if code is None:
        return "stopped"
    if code < 0:
        import signal

        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"was killed by signal {name}"
    return f"exited with code {code}"
