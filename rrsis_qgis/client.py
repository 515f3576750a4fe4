"""Client of ``rrsis serve``: spawns the backend child and talks JSON lines to it.

Standard library only (importable from QGIS and from plain Python, never torch). The wire
format is ``_protocol.py``, a byte-identical copy of ``rrsis.protocol``.

Threads: the caller's thread writes requests; a reader thread parses stdout and runs the
callbacks (``on_progress``, ``on_result``, ``on_error``) — keep them short and hand GUI
work to the main thread; a drain thread copies stderr into a ring buffer (quoted in
errors) and the log file. When the child dies, every pending request gets an error
``crashed`` and the next request starts a fresh child.
"""

from __future__ import annotations

import collections
import itertools
import os
import subprocess  # nosec B404 - the backend is a child process we start ourselves
import threading
import time
from typing import IO, Any, Callable, Deque, Dict, List, Optional, Set

try:  # inside the plugin package
    from . import _protocol as protocol
except ImportError:  # pragma: no cover - loaded as a loose module
    import _protocol as protocol  # type: ignore[no-redef]

Callback = Callable[[Dict[str, Any]], None]

#: Environment variables the child must not inherit from QGIS (they point at QGIS's own
#: Python, PROJ and GDAL, which break the backend venv's wheels).
DROPPED_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "GDAL_DATA", "GDAL_DRIVER_PATH")
DROPPED_ENV_PREFIXES = ("QT_", "QGIS_", "PROJ_")
STDERR_LINES = 200
#: Completed requests remembered for a late :meth:`BackendClient.wait`.
DONE_KEPT = 256


class BackendError(Exception):
    """A failed backend call: ``code`` (protocol or backend code), ``message``, ``detail``."""

    def __init__(self, code: str, message: str, detail: Optional[str] = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.detail = detail


class _Pending:
    """One request in flight: its callbacks and, once done, its outcome."""

    def __init__(self, rid: str, method: str, on_progress: Optional[Callback],
                 on_result: Optional[Callback], on_error: Optional[Callback]) -> None:
        self.id, self.method = rid, method
        self.on_progress, self.on_result, self.on_error = on_progress, on_result, on_error
        self.done = threading.Event()
        self.proc: Optional[subprocess.Popen] = None  # the child it was sent to
        self.result: Optional[Dict[str, Any]] = None
        self.error: Optional[Dict[str, Any]] = None


def clean_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The parent's environment minus QGIS's Python/GDAL/PROJ/Qt variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if k not in DROPPED_ENV and not k.startswith(DROPPED_ENV_PREFIXES)}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra or {})
    return env


class BackendClient:
    """Starts ``python -m rrsis serve`` lazily, keeps it warm, restarts it after a crash."""

    def __init__(self, python: str, *, args: Optional[List[str]] = None,
                 env: Optional[Dict[str, str]] = None, log_path: Optional[str] = None,
                 startup_timeout: float = 120.0) -> None:
        self.python = python
        self.args = list(args) if args is not None else ["-m", "rrsis", "serve"]
        self.env = dict(env or {})
        self.log_path = log_path
        self.startup_timeout = startup_timeout
        self.hello: Optional[Dict[str, Any]] = None
        self.state = "stopped"
        self._proc: Optional[subprocess.Popen] = None
        self._lock = threading.RLock()        # the pending table and the process handle
        self._start_lock = threading.Lock()   # one start at a time (held while waiting hello)
        self._write_lock = threading.Lock()   # one line at a time on stdin
        self._pending: Dict[str, _Pending] = {}
        self._done: "collections.OrderedDict[str, _Pending]" = collections.OrderedDict()
        self._stderr: Deque[str] = collections.deque(maxlen=STDERR_LINES)
        self._hello_event = threading.Event()
        self._hello_error: Optional[BackendError] = None
        self._listeners: List[Callable[[str], None]] = []
        self._ids = itertools.count(1)
        self._stopping = False
        self._ended: Set[int] = set()  # pids of children this client stopped on purpose

    # --- public API ----------------------------------------------------------------------
    def add_state_listener(self, callback: Callable[[str], None]) -> None:
        self._listeners.append(callback)

    def start(self) -> Dict[str, Any]:
        """Spawn the child (unless it runs) and wait for its ``hello``; return the payload."""
        with self._start_lock:
            if self._alive() and self.hello is not None:
                return self.hello
            return self._start_locked()

    def _start_locked(self) -> Dict[str, Any]:
        self._kill(self._proc)
        proc = self._spawn()
        deadline = time.monotonic() + self.startup_timeout
        while not self._hello_event.wait(0.05):
            if proc.poll() is not None:
                time.sleep(0.2)  # let the drain thread catch the last stderr lines
                self._set_state("crashed")
                raise BackendError("crashed", f"the backend {_describe_exit(proc.returncode)} "
                                   f"before it was ready ({self._who()})", self.stderr_tail())
            if time.monotonic() > deadline:
                self._kill(proc)
                self._set_state("crashed")
                raise BackendError("startup_timeout", f"the backend did not say hello within "
                                   f"{self.startup_timeout:g} s ({self._who()})",
                                   self.stderr_tail())
        if self._hello_error is not None:
            self._kill(proc)
            self._set_state("crashed")
            raise self._hello_error
        self._set_state("busy" if self._pending else "ready")
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
        rid = f"{os.getpid()}-{next(self._ids)}"
        line = protocol.encode(protocol.Request(method, rid, dict(params)))
        for attempt in (1, 2):
            if self.hello is None or not self._alive():
                self.start()  # lazily, or again after a crash; waits for hello
            pending = _Pending(rid, method, on_progress, on_result, on_error)
            with self._lock:
                pending.proc = self._proc
                self._pending[rid] = pending
                changed = self._assign_state("busy")
            if changed:
                self._notify("busy")  # listeners run outside the lock
            try:
                self._write(line)
                return rid
            except OSError:  # the child died between requests: restart once, resend
                with self._lock:
                    self._pending.pop(rid, None)
                self._kill(self._proc)
                self._set_state("crashed")
                if attempt == 2:
                    raise BackendError("crashed", f"could not send to the backend "
                                       f"({self._who()})", self.stderr_tail()) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def request(self, method: str, params: Dict[str, Any], *, timeout: Optional[float] = None,
                on_progress: Optional[Callback] = None) -> Dict[str, Any]:
        """Blocking call: the result payload, or :class:`BackendError`."""
        rid = self.submit(method, params, on_progress=on_progress)
        return self.wait(rid, timeout)

    def wait(self, request_id: str, timeout: Optional[float] = None) -> Dict[str, Any]:
        """Block until ``request_id`` ends; its result, or :class:`BackendError`."""
        with self._lock:
            pending = self._pending.get(request_id) or self._done.get(request_id)
        if pending is None:
            raise BackendError("unknown_request", f"no request {request_id!r} is known")
        if not pending.done.wait(timeout):
            raise BackendError("timeout", f"request {request_id} ({pending.method}) did not "
                               f"finish within {timeout:g} s; it still runs (cancel it?)")
        if pending.error is not None:
            err = pending.error
            raise BackendError(str(err.get("code") or "internal"),
                               str(err.get("message") or "backend error"), err.get("detail"))
        return pending.result or {}

    def cancel(self, request_id: str) -> None:
        """Ask the backend to drop a queued request or stop the running one."""
        with self._lock:
            if request_id not in self._pending or not self._alive():
                return
        try:
            self._write(protocol.encode(protocol.Request("cancel", request_id)))
        except OSError:
            pass  # the child is gone: the reader reports the crash for this request

    def shutdown(self, timeout: float = 5.0) -> None:
        """Ask the child to exit, then terminate it, then kill it; pending requests fail."""
        with self._lock:
            proc = self._proc
            self._stopping = True
        if proc is not None:
            self._ended.add(proc.pid)
        try:
            if proc is not None and proc.poll() is None:
                try:
                    self._write(protocol.encode(protocol.Request("shutdown", "shutdown")))
                    proc.wait(timeout)
                except (OSError, subprocess.TimeoutExpired):
                    proc.terminate()
                    try:
                        proc.wait(timeout)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait(timeout)
            if proc is not None:
                self._close_pipes(proc)
            self._fail_pending("cancelled", "the backend was shut down")
        finally:
            with self._lock:
                self._stopping = False
                self._proc = None
                self.hello = None
            self._set_state("stopped")

    @property
    def pid(self) -> Optional[int]:
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def stderr_tail(self, lines: int = 20) -> str:
        """The child's last stderr lines, for error messages."""
        return "\n".join(list(self._stderr)[-lines:])

    # --- process -------------------------------------------------------------------------
    def _spawn(self) -> subprocess.Popen:
        self._set_state("starting")
        self.hello = None
        self._hello_event.clear()
        self._hello_error = None
        self._stderr.clear()
        env = clean_env(self.env)
        if threading.current_thread() is threading.main_thread():
            env.setdefault("RRSIS_PARENT_DEATHSIG", "1")  # safe: this thread lives as long as we do
        kwargs: Dict[str, Any] = {}
        if os.name == "nt":
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        try:
            proc = subprocess.Popen(  # nosec B603 - fixed argv, no shell, our own interpreter
                [self.python, *self.args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env=env, close_fds=True, **kwargs)
        except OSError as exc:
            self._set_state("crashed")
            raise BackendError("spawn_failed", f"could not start the backend interpreter "
                               f"{self.python}: {exc}", str(exc)) from None
        self._proc = proc
        threading.Thread(target=self._read_stdout, args=(proc,), name="rrsis-client-reader",
                         daemon=True).start()
        threading.Thread(target=self._drain_stderr, args=(proc,), name="rrsis-client-stderr",
                         daemon=True).start()
        return proc

    def _alive(self) -> bool:
        proc = self._proc
        return proc is not None and proc.poll() is None

    def _who(self) -> str:
        return f"interpreter {self.python}, args {' '.join(self.args)}"

    def _write(self, line: str) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise BrokenPipeError("backend not running")
        with self._write_lock:
            proc.stdin.write((line + "\n").encode("utf-8"))
            proc.stdin.flush()

    def _kill(self, proc: Optional[subprocess.Popen]) -> None:
        if proc is None:
            return
        self._ended.add(proc.pid)
        if proc.poll() is None:
            proc.kill()
            try:
                proc.wait(5.0)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass
        self._close_pipes(proc)

    @staticmethod
    def _close_pipes(proc: subprocess.Popen) -> None:
        for stream in (proc.stdin,):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

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
                self._note(f"state listener failed: {exc!r}")

    # --- reader threads ------------------------------------------------------------------
    def _read_stdout(self, proc: subprocess.Popen) -> None:
        for raw in iter(proc.stdout.readline, b""):  # type: ignore[union-attr]
            try:
                msg = protocol.decode(raw)
            except protocol.ProtocolError as exc:
                self._note(f"unreadable line from the backend ({exc.message}): {raw[:200]!r}")
                continue
            self._handle(msg)
        proc.wait()
        self._on_exit(proc)

    def _handle(self, msg: Any) -> None:
        if isinstance(msg, protocol.Hello):
            if msg.id is not None:
                self._finish(msg.id, result=_fields(msg))
                return
            if msg.protocol != protocol.PROTOCOL_VERSION:
                self._hello_error = BackendError(
                    "version_mismatch", f"the backend (rrsis {msg.backend}, {self._who()}) speaks "
                    f"protocol {msg.protocol}, this client speaks {protocol.PROTOCOL_VERSION}: "
                    f"update the backend or the plugin so they match")
            else:
                self.hello = _fields(msg)
            self._hello_event.set()
        elif isinstance(msg, protocol.Progress):
            with self._lock:
                pending = self._pending.get(msg.id)
            if pending is not None and pending.on_progress is not None:
                self._call(pending.on_progress, _fields(msg))
        elif isinstance(msg, protocol.Result):
            self._finish(msg.id, result=msg.result)
        elif isinstance(msg, protocol.Error):
            payload = _fields(msg)
            if msg.id is None or not self._finish(msg.id, error=payload):
                self._note(f"backend error without a pending request: {payload}")

    def _finish(self, rid: str, result: Optional[Dict[str, Any]] = None,
                error: Optional[Dict[str, Any]] = None) -> bool:
        with self._lock:
            pending = self._pending.pop(rid, None)
            if pending is None:
                return False
            pending.result, pending.error = result, error
            self._done[rid] = pending
            while len(self._done) > DONE_KEPT:
                self._done.popitem(last=False)
            idle = self.state == "busy" and not self._pending and self._assign_state("ready")
        if idle:
            self._notify("ready")
        pending.done.set()
        if error is not None:
            if pending.on_error is not None:
                self._call(pending.on_error, error)
        elif pending.on_result is not None:
            self._call(pending.on_result, result or {})
        return True

    def _on_exit(self, proc: subprocess.Popen) -> None:
        time.sleep(0.1)  # let the stderr drain catch the last words
        with self._lock:
            current = proc is self._proc
            expected = self._stopping
            ended = proc.pid in self._ended  # we asked it to go (shutdown, restart)
            self._ended.discard(proc.pid)
        if expected and current:
            return
        how = _describe_exit(proc.returncode)
        if ended:  # shutdown() or a restart asked for it: its exit is no news
            self._fail_pending("cancelled", "the backend was stopped", proc)
            return
        self._note(f"backend exited unexpectedly: {how}")
        if current and self._hello_event.is_set():
            self._set_state("crashed")
        self._fail_pending("crashed", f"the backend process {how} ({self._who()})", proc)

    def _fail_pending(self, code: str, message: str,
                      proc: Optional[subprocess.Popen] = None) -> None:
        """Fail the requests sent to ``proc`` (all of them when None)."""
        with self._lock:
            rids = [rid for rid, p in self._pending.items() if proc is None or p.proc is proc]
        detail = self.stderr_tail()
        for rid in rids:
            self._finish(rid, error={"id": rid, "code": code, "message": message,
                                     "detail": detail})

    def _drain_stderr(self, proc: subprocess.Popen) -> None:
        log: Optional[IO[str]] = None
        if self.log_path:
            try:
                os.makedirs(os.path.dirname(os.path.abspath(self.log_path)), exist_ok=True)
                log = open(self.log_path, "a", encoding="utf-8")
            except OSError:
                log = None
        try:
            for raw in iter(proc.stderr.readline, b""):  # type: ignore[union-attr]
                text = raw.decode("utf-8", "replace").rstrip("\r\n")
                self._stderr.append(text)
                if log is not None:
                    log.write(text + "\n")
                    log.flush()
        finally:
            if log is not None:
                log.close()

    def _note(self, text: str) -> None:
        """Client-side remarks go where the backend's stderr goes: the ring and the log."""
        self._stderr.append(f"[client] {text}")
        if self.log_path:
            try:
                with open(self.log_path, "a", encoding="utf-8") as f:
                    f.write(f"[client] {text}\n")
            except OSError:
                pass

    def _call(self, callback: Callback, payload: Dict[str, Any]) -> None:
        try:
            callback(payload)
        except Exception as exc:  # keep the reader alive whatever the callback does
            self._note(f"callback {getattr(callback, '__name__', callback)!r} failed: {exc!r}")


def _fields(msg: Any) -> Dict[str, Any]:
    return {k: getattr(msg, k) for k in msg.__dataclass_fields__}


def _describe_exit(code: Optional[int]) -> str:
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

