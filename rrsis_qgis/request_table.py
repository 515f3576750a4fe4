"""Request bookkeeping of the backend client: ids, requests in flight, their outcomes.

Why apart from the process (:mod:`.child_process`): this part knows requests and their
callbacks, not pipes. Standard library only (importable without QGIS).

Callbacks (``on_progress``, ``on_result``, ``on_error``) run on the thread that reports
the event (the client's reader thread): keep them short and hand GUI work to the main
thread. A callback that raises is noted, never fatal.
"""

from __future__ import annotations

import collections
import itertools
import os
import subprocess  # nosec B404 - only the type of the child a request was sent to
import threading
from typing import Any, Callable, Dict, List, Optional

from .backend_error import BackendError

__all__ = ["Callback", "DONE_KEPT", "Pending", "RequestTable"]

Callback = Callable[[Dict[str, Any]], None]
#: Completed requests remembered for a late :meth:`RequestTable.wait`.
DONE_KEPT = 256


class Pending:
    """One request in flight: its callbacks and, once done, its outcome."""

    def __init__(self, rid: str, method: str, on_progress: Optional[Callback],
                 on_result: Optional[Callback], on_error: Optional[Callback]) -> None:
        self.id, self.method = rid, method
        self.on_progress, self.on_result, self.on_error = on_progress, on_result, on_error
        self.done = threading.Event()
        self.proc: Optional[subprocess.Popen] = None  # the child it was sent to
        self.result: Optional[Dict[str, Any]] = None
        self.error: Optional[Dict[str, Any]] = None


class RequestTable:
    """Ids, the requests in flight and the last :data:`DONE_KEPT` outcomes, thread-safe.

    ``lock`` is shared with the client (its state changes with the table); ``note``
    receives remarks (a callback that failed) for the log. When the last request in flight
    ends, ``became_idle`` runs under the lock (True: the client's state changed) and then
    ``announce_idle`` outside it.
    """

    def __init__(self, lock: "threading.RLock", note: Callable[[str], None],
                 became_idle: Callable[[], bool], announce_idle: Callable[[], None]) -> None:
        self.lock = lock
        self._note = note
        self._became_idle, self._announce_idle = became_idle, announce_idle
        self._pending: Dict[str, Pending] = {}
        self._done: "collections.OrderedDict[str, Pending]" = collections.OrderedDict()
        self._ids = itertools.count(1)

    def new_id(self) -> str:
        """A request id unique to this process and client."""
        return f"{os.getpid()}-{next(self._ids)}"

    def add(self, pending: Pending) -> None:
        with self.lock:
            self._pending[pending.id] = pending

    def drop(self, rid: str) -> None:
        """Forget a request that was never sent."""
        with self.lock:
            self._pending.pop(rid, None)

    def busy(self) -> bool:
        with self.lock:
            return bool(self._pending)

    def in_flight(self, rid: str) -> bool:
        with self.lock:
            return rid in self._pending

    def progress(self, rid: str, payload: Dict[str, Any]) -> None:
        """Hand a progress event to its request's ``on_progress``."""
        with self.lock:
            pending = self._pending.get(rid)
        if pending is not None and pending.on_progress is not None:
            self._call(pending.on_progress, payload)

    def finish(self, rid: str, result: Optional[Dict[str, Any]] = None,
               error: Optional[Dict[str, Any]] = None) -> bool:
        """Record the outcome of ``rid`` and run its callback; False when it is unknown."""
        with self.lock:
            pending = self._pending.pop(rid, None)
            if pending is None:
                return False
            pending.result, pending.error = result, error
            self._done[rid] = pending
            while len(self._done) > DONE_KEPT:
                self._done.popitem(last=False)
            idle = not self._pending and self._became_idle()
        if idle:
            self._announce_idle()
        pending.done.set()
        if error is not None:
            if pending.on_error is not None:
                self._call(pending.on_error, error)
        elif pending.on_result is not None:
            self._call(pending.on_result, result or {})
        return True

    def fail(self, code: str, message: str, detail: str,
             proc: Optional[subprocess.Popen] = None) -> None:
        """Fail the requests sent to ``proc`` (all of them when None)."""
        with self.lock:
            rids: List[str] = [rid for rid, p in self._pending.items()
                               if proc is None or p.proc is proc]
        for rid in rids:
            self.finish(rid, error={"id": rid, "code": code, "message": message,
                                    "detail": detail})

    def wait(self, rid: str, timeout: Optional[float] = None) -> Dict[str, Any]:
        """Block until ``rid`` ends; its result, or :class:`BackendError`."""
        with self.lock:
            pending = self._pending.get(rid) or self._done.get(rid)
        if pending is None:
            raise BackendError("unknown_request", f"no request {rid!r} is known")
        if not pending.done.wait(timeout):
            raise BackendError("timeout", f"request {rid} ({pending.method}) did not "
                               f"finish within {timeout:g} s; it still runs (cancel it?)")
        if pending.error is not None:
            err = pending.error
            raise BackendError(str(err.get("code") or "internal"),
                               str(err.get("message") or "backend error"), err.get("detail"))
        return pending.result or {}

    def _call(self, callback: Callback, payload: Dict[str, Any]) -> None:
        try:
            callback(payload)
        except Exception as exc:  # keep the reader alive whatever the callback does
            self._note(f"callback {getattr(callback, '__name__', callback)!r} failed: {exc!r}")
