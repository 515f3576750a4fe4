"""Client of ``rrsis serve``: spawns the backend child and talks JSON lines to it.

Standard library only (importable from QGIS and from plain Python, never torch). The wire
format is ``_protocol.py``, a byte-identical copy of ``rrsis.protocol``. The child's
pipes, threads and stderr live in :mod:`.child_process`; ids, requests in flight and their
callbacks in :mod:`.request_table`; this module ties them: start and hello, state,
requests, cancel, shutdown.

Threads: the caller's thread writes requests; a reader thread parses stdout and runs the
callbacks (``on_progress``, ``on_result``, ``on_error``) — keep them short and hand GUI
work to the main thread; a drain thread copies stderr into a ring buffer (quoted in
errors) and the log file. When the child dies, every pending request gets an error
``crashed`` and the next request starts a fresh child.
"""

from __future__ import annotations

import subprocess  # nosec B404 - the backend is a child process we start ourselves
import threading
import time
from typing import Any, Callable, Dict, List, Optional

from . import _protocol as protocol
from .backend_error import BackendError, describe_exit
from .child_process import DROPPED_ENV, DROPPED_ENV_PREFIXES, STDERR_LINES, ChildProcess, clean_env
from .request_table import DONE_KEPT, Callback, Pending, RequestTable

__all__ = ["BackendClient", "BackendError", "Callback", "clean_env", "DROPPED_ENV",
           "DROPPED_ENV_PREFIXES", "STDERR_LINES", "DONE_KEPT"]


class BackendClient:
    """Starts ``python -m rrsis serve`` lazily, keeps it warm, restarts it after a crash."""

    def __init__(self, python: str, *, args: Optional[List[str]] = None,
                 env: Optional[Dict[str, str]] = None, log_path: Optional[str] = None,
                 startup_timeout: float = 120.0) -> None:
        self.startup_timeout = startup_timeout
        self.hello: Optional[Dict[str, Any]] = None
        self.state = "stopped"
        self._lock = threading.RLock()        # the request table, the state, the child
        self._start_lock = threading.Lock()   # one start at a time (held while waiting hello)
        self._child = ChildProcess(python, list(args) if args is not None
                                   else ["-m", "rrsis", "serve"], dict(env or {}), log_path,
                                   self._on_line, self._on_exit)
        self._requests = RequestTable(self._lock, self._child.note,
                                      lambda: self.state == "busy" and self._assign_state("ready"),
                                      lambda: self._notify("ready"))
        self._hello_event = threading.Event()
        self._hello_error: Optional[BackendError] = None
        self._listeners: List[Callable[[str], None]] = []
        self._stopping = False

    @property
    def python(self) -> str:
        """The backend interpreter."""
        return self._child.python

    @property
    def args(self) -> List[str]:
        return self._child.args

    @property
    def env(self) -> Dict[str, str]:
        return self._child.env

    @property
    def log_path(self) -> Optional[str]:
        return self._child.log_path

    # --- public API ----------------------------------------------------------------------
    def add_state_listener(self, callback: Callable[[str], None]) -> None:
        self._listeners.append(callback)

    def start(self) -> Dict[str, Any]:
        """Spawn the child (unless it runs) and wait for its ``hello``; return the payload."""
        with self._start_lock:
            if self._child.alive() and self.hello is not None:
                return self.hello
            return self._start_locked()

    def _start_locked(self) -> Dict[str, Any]:
        self._child.kill(self._child.proc)
        self._set_state("starting")
        self.hello = None
        self._hello_event.clear()
        self._hello_error = None
        try:
            proc = self._child.spawn()
        except BackendError:
            self._set_state("crashed")
            raise
        deadline = time.monotonic() + self.startup_timeout
        while not self._hello_event.wait(0.05):
            if proc.poll() is not None:
                time.sleep(0.2)  # let the drain thread catch the last stderr lines
                self._set_state("crashed")
                raise BackendError("crashed", f"the backend {describe_exit(proc.returncode)} "
                                   f"before it was ready ({self._child.who()})",
                                   self.stderr_tail())
            if time.monotonic() > deadline:
                self._child.kill(proc)
                self._set_state("crashed")
                raise BackendError("startup_timeout", f"the backend did not say hello within "
                                   f"{self.startup_timeout:g} s ({self._child.who()})",
                                   self.stderr_tail())
        if self._hello_error is not None:
            self._child.kill(proc)
            self._set_state("crashed")
            raise self._hello_error
        self._set_state("busy" if self._requests.busy() else "ready")
        return self.hello or {}

    def submit(self, method: str, params: Dict[str, Any], *,
               on_progress: Optional[Callback] = None, on_result: Optional[Callback] = None,
               on_error: Optional[Callback] = None) -> str:
        """Send a request (starting the backend if needed) and return its id at once."""
        if method not in protocol.METHODS or method in ("cancel", "shutdown"):
            raise BackendError("unknown_method", f"not a request method: {method!r} (use "
                               f"cancel() and shutdown() for those)")
        try:
            protocol.validate_params(method, params)
        except protocol.ProtocolError as exc:
            raise BackendError(exc.code, exc.message) from None
        rid = self._requests.new_id()
        line = protocol.encode(protocol.Request(method, rid, dict(params)))
        for attempt in (1, 2):
            if self.hello is None or not self._child.alive():
                self.start()  # lazily, or again after a crash; waits for hello
            pending = Pending(rid, method, on_progress, on_result, on_error)
            with self._lock:
                pending.proc = self._child.proc
                self._requests.add(pending)
                changed = self._assign_state("busy")
            if changed:
                self._notify("busy")  # listeners run outside the lock
            try:
                self._child.write(line)
                return rid
            except OSError:  # the child died between requests: restart once, resend
                self._requests.drop(rid)
                self._child.kill(self._child.proc)
                self._set_state("crashed")
                if attempt == 2:
                    raise BackendError("crashed", f"could not send to the backend "
                                       f"({self._child.who()})", self.stderr_tail()) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def request(self, method: str, params: Dict[str, Any], *, timeout: Optional[float] = None,
                on_progress: Optional[Callback] = None) -> Dict[str, Any]:
        """Blocking call: the result payload, or :class:`BackendError`."""
        rid = self.submit(method, params, on_progress=on_progress)
        return self.wait(rid, timeout)

    def wait(self, request_id: str, timeout: Optional[float] = None) -> Dict[str, Any]:
        """Block until ``request_id`` ends; its result, or :class:`BackendError`."""
        return self._requests.wait(request_id, timeout)

    def cancel(self, request_id: str) -> None:
        """Ask the backend to drop a queued request or stop the running one."""
        if not self._requests.in_flight(request_id) or not self._child.alive():
            return
        try:
            self._child.write(protocol.encode(protocol.Request("cancel", request_id)))
        except OSError:
            pass  # the child is gone: the reader reports the crash for this request

    def shutdown(self, timeout: float = 5.0) -> None:
        """Ask the child to exit, then terminate it, then kill it; pending requests fail."""
        with self._lock:
            proc = self._child.proc
            self._stopping = True
        try:
            if proc is not None:
                self._child.stop(proc, protocol.encode(protocol.Request("shutdown", "shutdown")),
                                 timeout)
            self._requests.fail("cancelled", "the backend was shut down", self.stderr_tail())
        finally:
            with self._lock:
                self._stopping = False
                self._child.proc = None
                self.hello = None
            self._set_state("stopped")

    @property
    def pid(self) -> Optional[int]:
        return self._child.pid

    def stderr_tail(self, lines: int = 20) -> str:
        """The child's last stderr lines, for error messages."""
        return self._child.stderr_tail(lines)

    # --- state ---------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        with self._lock:
            changed = self._assign_state(state)
        if changed:
            self._notify(state)

    def _assign_state(self, state: str) -> bool:
        """Change the state (caller holds ``_lock``); True when it changed."""
        if state == self.state:
            return False
        self.state = state
        return True

    def _notify(self, state: str) -> None:
        for callback in list(self._listeners):
            try:
                callback(state)
            except Exception as exc:  # a listener's bug must not break the client
                self._child.note(f"state listener failed: {exc!r}")

    # --- events (reader thread) ----------------------------------------------------------
    def _on_line(self, raw: bytes) -> None:
        try:
            msg = protocol.decode(raw)
        except protocol.ProtocolError as exc:
            self._child.note(f"unreadable line from the backend ({exc.message}): {raw[:200]!r}")
            return
        if isinstance(msg, protocol.Hello):
            self._on_hello(msg)
        elif isinstance(msg, protocol.Progress):
            self._requests.progress(msg.id, _fields(msg))
        elif isinstance(msg, protocol.Result):
            self._requests.finish(msg.id, result=msg.result)
        elif isinstance(msg, protocol.Error):
            payload = _fields(msg)
            if msg.id is None or not self._requests.finish(msg.id, error=payload):
                self._child.note(f"backend error without a pending request: {payload}")

    def _on_hello(self, msg: protocol.Hello) -> None:
        if msg.id is not None:  # the reply to a hello request
            self._requests.finish(msg.id, result=_fields(msg))
            return
        if msg.protocol != protocol.PROTOCOL_VERSION:
            self._hello_error = BackendError(
                "version_mismatch", f"the backend (rrsis {msg.backend}, {self._child.who()}) "
                f"speaks protocol {msg.protocol}, this client speaks "
                f"{protocol.PROTOCOL_VERSION}: update the backend or the plugin so they match")
        else:
            self.hello = _fields(msg)
        self._hello_event.set()

    def _on_exit(self, proc: subprocess.Popen) -> None:
        time.sleep(0.1)  # let the stderr drain catch the last words
        with self._lock:
            current = proc is self._child.proc
            expected = self._stopping
            ended = self._child.ended_on_purpose(proc)  # shutdown, restart
        if expected and current:
            return
        how = describe_exit(proc.returncode)
        if ended:  # shutdown() or a restart asked for it: its exit is no news
            self._requests.fail("cancelled", "the backend was stopped", self.stderr_tail(), proc)
            return
        self._child.note(f"backend exited unexpectedly: {how}")
        if current and self._hello_event.is_set():
            self._set_state("crashed")
        self._requests.fail("crashed", f"the backend process {how} ({self._child.who()})",
                            self.stderr_tail(), proc)


def _fields(msg: Any) -> Dict[str, Any]:
    return {k: getattr(msg, k) for k in msg.__dataclass_fields__}
