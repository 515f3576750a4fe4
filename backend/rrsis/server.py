"""``rrsis serve``: the JSON-lines backend the QGIS plugin talks to on stdin/stdout.

Why a long-lived child: the plugin never imports torch, and the model stays loaded (warm)
between requests. The wire format is :mod:`rrsis.protocol`; this module only runs it.

Threads: the main thread reads stdin and answers at once what is cheap (``hello``,
``models``, ``cancel``, malformed lines); one worker thread runs ``segment`` and
``estimate`` in arrival order from a queue. ``cancel`` removes a queued request or raises
the running one's cancel flag, which the engine polls between tiles.

stdout carries protocol lines only: at start the real stdout is kept as a private handle
and fd 1 is pointed at stderr, so a stray ``print`` in any library cannot corrupt it.
The process exits on EOF of stdin, on ``shutdown``, on SIGTERM, and when its parent dies.
No socket is opened.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import logging
import os
import signal
import sys
import threading
import time
import traceback
from typing import IO, Any, Callable, Deque, Dict, List, Optional

from . import __version__
from .paths import remove_live_parts
from .errors import MissingDependencyError
from .protocol import (MAX_LINE_CHARS, METHODS, PROTOCOL_VERSION, Error, Hello, Message,
                       Progress, ProtocolError, Request, Result, decode, encode)

log = logging.getLogger("rrsis.server")

#: Progress events closer together than this are merged (the first and the last always go).
PROGRESS_INTERVAL_S = 0.1
#: How often the parent watchdog polls ``os.getppid()``.
PARENT_POLL_S = 1.0

Send = Callable[[Message], None]


@dataclasses.dataclass
class Job:
    """One queued request and the flag its run polls."""

    request: Request
    cancel: threading.Event = dataclasses.field(default_factory=threading.Event)


class Server:
    """Decode, dispatch and run requests; every reply goes through ``send``.

    ``handle_line`` never raises (a fuzz test holds it to that); the worker thread is
    started by :meth:`start_worker`, so tests can drive the dispatch without running jobs.
    """

    def __init__(self, send: Send, handlers: Optional[Dict[str, Callable[..., Dict[str, Any]]]]
                 = None) -> None:
        self._send_raw = send
        self._handlers = handlers if handlers is not None else default_handlers()
        self._queue: Deque[Job] = collections.deque()
        self._cond = threading.Condition()
        self._running: Optional[Job] = None
        self._stopping = False
        self._worker: Optional[threading.Thread] = None
        self._models: Any = None  # rrsis.engine.model_cache.ModelCache, created on first use

    # --- replies ---------------------------------------------------------------------
    def send(self, msg: Message) -> None:
        try:
            self._send_raw(msg)
        except Exception:  # a closed stdout must not kill the worker; the loop will see EOF
            log.exception("could not send %s", type(msg).__name__)

    def error(self, rid: Optional[str], code: str, message: str,
              detail: Optional[str] = None) -> None:
        self.send(Error(rid, code, message, detail))

    # --- reader side -----------------------------------------------------------------
    def handle_line(self, line: Any) -> bool:
        """Handle one input line; False when the server should stop reading (``shutdown``)."""
        try:
            if isinstance(line, (bytes, bytearray, str)) and not line.strip():
                return True
            try:
                req = decode(line)
            except ProtocolError as exc:
                self.error(exc.request_id, exc.code, exc.message)
                return True
            if not isinstance(req, Request):
                kind = type(req).__name__.lower()
                self.error(getattr(req, "id", None) or None, "bad_request",
                           f"'{kind}' is an event the server sends, not a request; send one "
                           f"of: {', '.join(sorted(METHODS))}")
                return True
            if req.method != "cancel" and self.pending(req.id):
                self.error(None, "duplicate_id", f"request id {req.id!r} is already queued or "
                           "running: refused this one (the first goes on); use a fresh id",
                           req.id)
                return True
            return self.dispatch(req)
        except Exception as exc:  # never let one line end the server
            log.exception("failed to handle a line")
            self.error(None, "internal", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return True

    def dispatch(self, req: Request) -> bool:
        if req.method == "cancel":
            self.cancel(req.id)
        elif req.method == "shutdown":
            self.stop()
            self.join(10.0)  # the running request answers "cancelled" before the shutdown reply
            self.send(Result(req.id, {}))
            return False
        elif req.method == "hello":
            theirs = req.params.get("protocol")
            if theirs != PROTOCOL_VERSION:
                self.error(req.id, "version_mismatch",
                           f"client speaks protocol {theirs}, this backend (rrsis {__version__}) "
                           f"speaks {PROTOCOL_VERSION}: update the plugin or the backend")
            else:
                hello = self.hello()
                hello.id = req.id
                self.send(hello)
        elif METHODS[req.method].queued:
            with self._cond:
                if self._stopping:
                    self.error(req.id, "cancelled", "the server is shutting down")
                    return True
                self._queue.append(Job(req))
                self._cond.notify()
        else:
            self._run_now(req)
        return True

    def _run_now(self, req: Request) -> None:
        try:
            self.send(Result(req.id, self._handlers[req.method](req.params)))
        except Exception as exc:
            self._report(req.id, exc)

    def pending(self, rid: str) -> bool:
        """Whether a request with this id is queued or running."""
        with self._cond:
            return any(j.request.id == rid for j in self._queue) or (
                self._running is not None and self._running.request.id == rid)

    def cancel(self, rid: str) -> None:
        """Cancel a queued (answered now) or running (the engine stops) request."""
        with self._cond:
            job = next((j for j in self._queue if j.request.id == rid), None)
            if job is not None:
                self._queue.remove(job)
            elif self._running is not None and self._running.request.id == rid:
                self._running.cancel.set()
                log.info("cancelling running request %s", rid)
                return
            else:
                log.info("cancel for %s: not queued nor running (finished?)", rid)
                return
        log.info("cancelled queued request %s", rid)
        self.error(rid, "cancelled", "cancelled before it started")

    def stop(self) -> None:
        """Cancel the queue and the running request; the worker then exits."""
        with self._cond:
            self._stopping = True
            dropped = list(self._queue)
            self._queue.clear()
            if self._running is not None:
                self._running.cancel.set()
            self._cond.notify_all()
        for job in dropped:
            self.error(job.request.id, "cancelled", "the server is shutting down")

    def join(self, timeout: Optional[float] = None) -> None:
        if self._worker is not None:
            self._worker.join(timeout)

    # --- worker side -----------------------------------------------------------------
    def start_worker(self) -> None:
        self._worker = threading.Thread(target=self._work, name="rrsis-worker", daemon=True)
        self._worker.start()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                job = self._queue.popleft()
                self._running = job
            try:
                self._run_job(job)
            finally:
                with self._cond:
                    self._running = None

    def _run_job(self, job: Job) -> None:
        rid = job.request.id
        progress = _ProgressSender(rid, self.send)
        started = time.monotonic()
        log.info("%s %s started", job.request.method, rid)
        try:
            result = self._handlers[job.request.method](
                job.request.params, progress=progress, cancel=job.cancel.is_set)
        except Exception as exc:
            self._report(rid, exc)
        else:
            progress.flush()
            self.send(Result(rid, result))
            log.info("%s %s done in %.1f s", job.request.method, rid, time.monotonic() - started)

    def _report(self, rid: Optional[str], exc: BaseException) -> None:
        from .errors import from_exception

        # a full disk, a read-only folder, a missing package (any ImportError): a specific code
        exc = from_exception(exc) or exc
        code = getattr(exc, "code", None)
        if isinstance(exc.__cause__, ImportError) and _is_rrsis_error(exc):
            code = MissingDependencyError.code  # the install is incomplete; the input is fine
        if isinstance(code, str) and _is_rrsis_error(exc):
            log.info("request %s failed: %s: %s", rid, code, exc)
            self.error(rid, code, str(exc) or code)
        elif isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
            log.error("request %s ran out of memory: %s", rid, exc)
            _free_gpu_cache()
            self.error(rid, "out_of_memory", f"out of memory ({exc}); lower batch_size, "
                       "segment a smaller extent, or use another device", repr(exc))
        else:
            log.error("request %s failed", rid, exc_info=exc)
            self.error(rid, "internal", f"{type(exc).__name__}: {exc}",
                       "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))

    # --- payloads --------------------------------------------------------------------
    def hello(self) -> Hello:
        try:
            import torch

            torch_version: Optional[str] = torch.__version__
        except ImportError:  # the runtime flavour (ONNX Runtime) has no torch
            torch_version = None
        payload = self._handlers["models"]({})
        devices: List[Dict[str, Any]] = []
        try:
            from .device import describe_devices

            devices = describe_devices()
        except Exception:  # pragma: no cover - hello must go out even on a broken GPU driver
            log.exception("could not describe devices")
        runtime, device = _default_runtime()
        return Hello(PROTOCOL_VERSION, __version__, torch_version, sys.version.split()[0],
                     os.getpid(), devices, payload.get("models", []),
                     payload.get("architectures", []), runtime=runtime, device=device)


class _ProgressSender:
    """The engine's progress callback: Progress objects -> throttled ``progress`` events."""

    def __init__(self, rid: str, send: Send) -> None:
        self.rid = rid
        self._send = send
        self._last_sent = 0.0
        self._pending: Optional[Progress] = None
        self._stage: Optional[str] = None
        self._fraction = 0.0

    def __call__(self, p: Any) -> None:
        get = p.get if isinstance(p, dict) else (lambda k, d=None: getattr(p, k, d))
        fraction = float(get("fraction", 0.0) or 0.0)
        self._fraction = max(self._fraction, min(1.0, max(0.0, fraction)))  # never goes back
        msg = Progress(self.rid, self._fraction, get("tiles_done"), get("tiles_total"),
                       get("eta_s"), get("stage"))
        now = time.monotonic()
        if (msg.stage != self._stage or self._fraction >= 1.0
                or now - self._last_sent >= PROGRESS_INTERVAL_S):
            self._stage = msg.stage
            self._last_sent = now
            self._pending = None
            self._send(msg)
        else:
            self._pending = msg

    def flush(self) -> None:
        if self._pending is not None:
            self._send(self._pending)
            self._pending = None


def _default_runtime() -> "tuple[Optional[str], Optional[str]]":
    """(runtime, device) that ``runtime: auto`` uses for the default model, for ``hello``."""
    try:
        from .engine.runtime import describe_runtime

        return describe_runtime()
    except Exception:  # pragma: no cover - hello must go out whatever is installed
        log.exception("could not tell the runtime")
        return None, None


def _free_gpu_cache() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:  # pragma: no cover - best effort after an OOM
        log.debug("could not empty the CUDA cache", exc_info=True)


def _is_rrsis_error(exc: BaseException) -> bool:
    from .errors import RrsisError

    return isinstance(exc, RrsisError)


# --- handlers: the library calls behind each method --------------------------------------
def default_handlers() -> Dict[str, Callable[..., Dict[str, Any]]]:
    cache: Dict[str, Any] = {}

    def models_cache() -> Any:
        if "models" not in cache:
            from .engine.model_cache import ModelCache

            cache["models"] = ModelCache()
        return cache["models"]

    def models(params: Dict[str, Any]) -> Dict[str, Any]:
        from .models import list_models
        from .models.catalog import available_models

        return {"models": available_models(), "architectures": list(list_models())}

    def segment(params: Dict[str, Any], progress: Callable[[Any], None],
                cancel: Callable[[], bool]) -> Dict[str, Any]:
        from .engine.run import segment as run_segment

        result = run_segment(segment_options(params), progress=progress, cancel=cancel,
                             models=models_cache())
        return _as_dict(result)

    def estimate(params: Dict[str, Any], progress: Callable[[Any], None],
                 cancel: Callable[[], bool]) -> Dict[str, Any]:
        from .engine.estimation import estimate as run_estimate

        return _as_dict(run_estimate(segment_options(params), models=models_cache()))

    def batch(params: Dict[str, Any], progress: Callable[[Any], None],
              cancel: Callable[[], bool]) -> Dict[str, Any]:
        from .batch.job import batch_options, run_batch

        return _as_dict(run_batch(batch_options(params, segment_options), progress=progress,
                                  cancel=cancel))

    def build_dataset(params: Dict[str, Any], progress: Callable[[Any], None],
                      cancel: Callable[[], bool]) -> Dict[str, Any]:
        from .training.region.serve import build_dataset as run  # full flavour only

        return run(params, progress, cancel)

    def finetune(params: Dict[str, Any], progress: Callable[[Any], None],
                 cancel: Callable[[], bool]) -> Dict[str, Any]:
        from .training.region.serve import finetune as run  # full flavour only

        return run(params, progress, cancel)

    return {"models": models, "segment": segment, "estimate": estimate, "batch": batch,
            "build_dataset": build_dataset, "finetune": finetune}


def segment_options(params: Dict[str, Any]) -> Any:
    """Wire params -> ``SegmentOptions`` (extent as a tuple; None means the engine default)."""
    from .engine.run import SegmentOptions
    from .errors import InputError

    known = {f.name for f in dataclasses.fields(SegmentOptions)}
    kwargs: Dict[str, Any] = {}
    for name, value in params.items():
        if name not in known:
            if value is None:
                continue
            raise InputError(f"this backend does not support the option {name!r}")
        if name == "extent" and value is not None:
            value = tuple(float(v) for v in value)
        if name == "bands" and value is not None:
            value = tuple(value)
        kwargs[name] = value
    return SegmentOptions(**kwargs)


def _as_dict(result: Any) -> Dict[str, Any]:
    if hasattr(result, "to_dict"):
        return dict(result.to_dict())
    if dataclasses.is_dataclass(result):
        return dataclasses.asdict(result)
    return dict(result)


# --- process plumbing --------------------------------------------------------------------
class _LineWriter:
    """Thread-safe writer of protocol lines on the private stdout handle."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def __call__(self, msg: Message) -> None:
        data = (encode(msg) + "\n").encode("ascii")
        with self._lock:
            self._stream.write(data)
            self._stream.flush()


def _claim_stdout() -> IO[bytes]:
    """Keep the real stdout for the protocol; point fd 1 and ``sys.stdout`` at stderr."""
    sys.stdout.flush()
    proto_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(proto_fd, "wb")


def _die_with_parent(on_orphan: Callable[[], None], deathsig: bool) -> None:
    """Exit when the parent goes: a getppid poll, plus PR_SET_PDEATHSIG on Linux if asked.

    PR_SET_PDEATHSIG fires when the *thread* that spawned us ends, not the process: a
    client spawning from a short-lived worker thread (a QgsTask) must not ask for it,
    so it is opt-in (``--parent-death-signal`` / ``RRSIS_PARENT_DEATHSIG=1``).
    """
    parent = os.getppid()
    if deathsig and sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
            if os.getppid() != parent:  # the parent died before prctl took effect
                on_orphan()
        except (OSError, AttributeError):  # pragma: no cover - exotic libc
            log.debug("prctl(PR_SET_PDEATHSIG) unavailable; polling only")

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_S)
            if os.getppid() != parent:
                log.warning("parent process %d is gone: exiting", parent)
                on_orphan()
                return

    threading.Thread(target=watch, name="rrsis-parent-watch", daemon=True).start()


def _setup_logging(log_file: Optional[str], verbose: bool) -> None:
    level_name = "DEBUG" if verbose else os.environ.get("RRSIS_LOG_LEVEL", "INFO").upper()
    level = getattr(logging, level_name, logging.INFO)
    root = logging.getLogger()
    root.setLevel(level)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    for h in root.handlers:  # cli.py installed a stderr handler already
        h.setLevel(level)
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(fmt)
        root.addHandler(handler)
    if log_file:
        os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)
        fh = logging.FileHandler(log_file, encoding="utf-8")
        fh.setFormatter(fmt)
        fh.setLevel(level)
        root.addHandler(fh)


def add_arguments_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--parent-death-signal", action="store_true",
                        default=os.environ.get("RRSIS_PARENT_DEATHSIG") == "1",
                        help="Linux: also get SIGTERM the moment the spawning thread ends "
                             "(only safe when the parent spawned from a long-lived thread)")
    parser.add_argument("--log-file", default=os.environ.get("RRSIS_LOG_FILE"),
                        help="also append logs to this file (default: $RRSIS_LOG_FILE; "
                             "logs always go to stderr, never to stdout)")


def run_serve(args: argparse.Namespace) -> int:
    """Serve until EOF on stdin, ``shutdown``, SIGTERM or the parent's death."""
    out = _claim_stdout()
    _setup_logging(getattr(args, "log_file", None), bool(getattr(args, "verbose", False)))
    server = Server(_LineWriter(out))
    exiting = threading.Event()

    def orphaned() -> None:
        if not exiting.is_set():
            exiting.set()
            server.stop()
            server.join(5.0)
            remove_live_parts()  # the worker may still be writing: its part files go now
            os._exit(0)  # the reader thread is blocked in stdin.read; nothing else to flush

    def terminated(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, terminated)
    _die_with_parent(orphaned, bool(getattr(args, "parent_death_signal", False)))
    log.info("rrsis %s serving protocol %d (pid %d)", __version__, PROTOCOL_VERSION, os.getpid())
    try:
        server.send(server.hello())
        server.start_worker()
        stdin = sys.stdin.buffer
        while True:
            line = stdin.readline(MAX_LINE_CHARS + 1)
            if not line:
                log.info("stdin closed: exiting")
                break
            if len(line) > MAX_LINE_CHARS and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # drop the rest, bounded memory
                    line = stdin.readline(MAX_LINE_CHARS)
                server.error(None, "malformed", f"line longer than {MAX_LINE_CHARS} bytes")
                continue
            if not server.handle_line(line):
                log.info("shutdown requested: exiting")
                break
    except (SystemExit, KeyboardInterrupt):
        log.info("terminated: exiting")
    finally:
        exiting.set()
        server.stop()
        server.join(10.0)
        remove_live_parts()
    return 0
