"""Process plumbing of ``rrsis serve``: framing on stdin/stdout, the worker thread, shutdown.

What a request *does* is decided in :mod:`rrsis.server` (the method table and its
handlers); this module only moves lines and runs jobs:

- stdout carries protocol lines only: at start the real stdout is kept as a private
  handle and fd 1 is pointed at stderr, so a stray ``print`` in any library cannot
  corrupt it; lines longer than ``MAX_LINE_CHARS`` are dropped with bounded memory.
- :class:`JobQueue`: one worker thread runs queued requests (``segment``, ``estimate``,
  ...) in arrival order; cancelling removes a queued job or raises the running one's flag,
  which the engine polls between tiles.
- The process exits on EOF of stdin, on ``shutdown``, on SIGTERM, and when its parent
  dies. No socket is opened.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from typing import IO, Any, Callable, Deque, List, Optional

from . import __version__
from .paths import remove_live_parts, remove_stale_folders
from .protocol import MAX_LINE_CHARS, PROTOCOL_VERSION, Message, Request, encode

__all__ = ["Job", "JobQueue", "LineWriter", "serve", "PARENT_POLL_S"]

log = logging.getLogger("rrsis.server")

#: How often the parent watchdog polls ``os.getppid()``.
PARENT_POLL_S = 1.0


@dataclasses.dataclass
class Job:
    """One queued request and the flag its run polls."""

    request: Request
    cancel: threading.Event = dataclasses.field(default_factory=threading.Event)


class JobQueue:
    """Requests run one at a time, in arrival order, by a worker thread calling ``run(job)``.

    The worker is started by :meth:`start`, so tests can queue without running anything.
    """

    def __init__(self, run: Callable[[Job], None]) -> None:
        self._run = run
        self._queue: Deque[Job] = collections.deque()
        self._cond = threading.Condition()
        self._running: Optional[Job] = None
        self._stopping = False
        self._worker: Optional[threading.Thread] = None

    def submit(self, job: Job) -> bool:
        """Queue ``job``; False (not queued) once :meth:`stop` was called."""
        with self._cond:
            if self._stopping:
                return False
            self._queue.append(job)
            self._cond.notify()
            return True

    def pending(self, rid: str) -> bool:
        """Whether a request with this id is queued or running."""
        with self._cond:
            return any(j.request.id == rid for j in self._queue) or (
                self._running is not None and self._running.request.id == rid)

    def cancel(self, rid: str) -> Optional[str]:
        """"queued" (removed), "running" (its flag raised) or None (not here: finished?)."""
        with self._cond:
            job = next((j for j in self._queue if j.request.id == rid), None)
            if job is not None:
                self._queue.remove(job)
                return "queued"
            if self._running is not None and self._running.request.id == rid:
                self._running.cancel.set()
                return "running"
            return None

    def stop(self) -> List[Job]:
        """Refuse new jobs, raise the running job's flag; return the dropped queued jobs."""
        with self._cond:
            self._stopping = True
            dropped = list(self._queue)
            self._queue.clear()
            if self._running is not None:
                self._running.cancel.set()
            self._cond.notify_all()
        return dropped

    def start(self) -> None:
        self._worker = threading.Thread(target=self._work, name="rrsis-worker", daemon=True)
        self._worker.start()

    def join(self, timeout: Optional[float] = None) -> None:
        if self._worker is not None:
            self._worker.join(timeout)

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
                self._run(job)
            finally:
                with self._cond:
                    self._running = None


class LineWriter:
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
    for h in root.handlers:  # the CLI installed a stderr handler already
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


def _read_lines(server: Any, stdin: IO[bytes]) -> None:
    """Feed ``server.handle_line`` until EOF or ``shutdown``; over-long lines are refused."""
    while True:
        line = stdin.readline(MAX_LINE_CHARS + 1)
        if not line:
            log.info("stdin closed: exiting")
            return
        if len(line) > MAX_LINE_CHARS and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # drop the rest, bounded memory
                line = stdin.readline(MAX_LINE_CHARS)
            server.error(None, "malformed", f"line longer than {MAX_LINE_CHARS} bytes")
            continue
        if not server.handle_line(line):
            log.info("shutdown requested: exiting")
            return


def serve(log_file: Optional[str] = None, verbose: bool = False,
          parent_death_signal: bool = False) -> int:
    """Serve until EOF on stdin, ``shutdown``, SIGTERM or the parent's death (``rrsis serve``)."""
    from .server import Server  # the dispatch; it imports this module

    out = _claim_stdout()
    _setup_logging(log_file, verbose)
    server = Server(LineWriter(out))
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
    _die_with_parent(orphaned, parent_death_signal)
    log.info("rrsis %s serving protocol %d (pid %d)", __version__, PROTOCOL_VERSION, os.getpid())
    remove_stale_folders(tempfile.gettempdir())  # a killed backend's scratch rasters
    try:
        server.send(server.hello())
        server.start_worker()
        _read_lines(server, sys.stdin.buffer)
    except (SystemExit, KeyboardInterrupt):
        log.info("terminated: exiting")
    finally:
        exiting.set()
        server.stop()
        server.join(10.0)
        remove_live_parts()
    return 0
