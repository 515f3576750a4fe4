"""The backend child process: spawn, write lines, read lines, keep its stderr, stop it.

Why apart from the request bookkeeping (:mod:`.request_table`): this part knows pipes,
threads and signals, not requests. Standard library only (importable without QGIS).

Threads: a reader thread hands each stdout line to ``on_line`` and, at EOF, the exited
process to ``on_exit``; a drain thread copies stderr into a ring buffer (quoted in errors)
and the log file.
"""

from __future__ import annotations

import collections
import os
import subprocess  # nosec B404 - the backend is a child process we start ourselves
import threading
from typing import IO, Any, Callable, Deque, Dict, List, Optional, Set

from .backend_error import BackendError

__all__ = ["DROPPED_ENV", "DROPPED_ENV_PREFIXES", "STDERR_LINES", "clean_env", "ChildProcess"]

#: Environment variables the child must not inherit from QGIS (they point at QGIS's own
#: Python, PROJ and GDAL, which break the backend venv's wheels).
DROPPED_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "GDAL_DATA", "GDAL_DRIVER_PATH")
DROPPED_ENV_PREFIXES = ("QT_", "QGIS_", "PROJ_")
STDERR_LINES = 200
STDERR_JOIN_S = 5.0   # how long an exit waits for the child's last stderr lines


def clean_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The parent's environment minus QGIS's Python/GDAL/PROJ/Qt variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if k not in DROPPED_ENV and not k.startswith(DROPPED_ENV_PREFIXES)}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra or {})
    return env


class ChildProcess:
    """``python ARGS`` as a child with clean environment; one at a time, replaced on spawn."""

    def __init__(self, python: str, args: List[str], env: Dict[str, str],
                 log_path: Optional[str], on_line: Callable[[bytes], None],
                 on_exit: Callable[[subprocess.Popen], None]) -> None:
        self.python, self.args, self.env, self.log_path = python, args, env, log_path
        self.proc: Optional[subprocess.Popen] = None
        self._on_line, self._on_exit = on_line, on_exit
        self._write_lock = threading.Lock()   # one line at a time on stdin
        self._stderr: Deque[str] = collections.deque(maxlen=STDERR_LINES)
        self._ended: Set[int] = set()  # pids of children stopped on purpose

    def who(self) -> str:
        """The command, for error messages."""
        return f"interpreter {self.python}, args {' '.join(self.args)}"

    def alive(self) -> bool:
        proc = self.proc
        return proc is not None and proc.poll() is None

    @property
    def pid(self) -> Optional[int]:
        proc = self.proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def spawn(self) -> subprocess.Popen:
        """Start a new child (the caller stopped the old one) and its two threads."""
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
            raise BackendError("spawn_failed", f"could not start the backend interpreter "
                               f"{self.python}: {exc}", str(exc)) from None
        self.proc = proc
        drain = threading.Thread(target=self._drain_stderr, args=(proc,),
                                 name="rrsis-client-stderr", daemon=True)
        drain.start()
        threading.Thread(target=self._read_stdout, args=(proc, drain),
                         name="rrsis-client-reader", daemon=True).start()
        return proc

    def write(self, line: str) -> None:
        """One protocol line to the child's stdin; OSError when it is gone."""
        proc = self.proc
        if proc is None or proc.stdin is None:
            raise BrokenPipeError("backend not running")
        with self._write_lock:
            try:
                proc.stdin.write((line + "\n").encode("utf-8"))
                proc.stdin.flush()
            except ValueError:  # its stdin was closed (killed or stopped): gone as well
                raise BrokenPipeError("backend stopped") from None

    def kill(self, proc: Optional[subprocess.Popen]) -> None:
        """Kill ``proc`` now (a restart or a failed start); its exit is marked as wanted."""
        if proc is None:
            return
        self._ended.add(proc.pid)
        if proc.poll() is None:
            proc.kill()
            try:
                proc.wait(5.0)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass
        self.close_pipes(proc)

    def stop(self, proc: subprocess.Popen, goodbye: str, timeout: float) -> None:
        """Write ``goodbye`` (the shutdown request), then terminate, then kill ``proc``."""
        self._ended.add(proc.pid)
        if proc.poll() is None:
            try:
                self.write(goodbye)
                proc.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                proc.terminate()
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout)
        self.close_pipes(proc)

    def mark_ended(self, pid: int) -> None:
        self._ended.add(pid)

    def ended_on_purpose(self, proc: subprocess.Popen) -> bool:
        """True once for a child this side stopped (shutdown, restart): its exit is no news."""
        wanted = proc.pid in self._ended
        self._ended.discard(proc.pid)
        return wanted

    @staticmethod
    def close_pipes(proc: subprocess.Popen) -> None:
        for stream in (proc.stdin,):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    def stderr_tail(self, lines: int = 20) -> str:
        """The child's last stderr lines, for error messages."""
        return "\n".join(list(self._stderr)[-lines:])

    def note(self, text: str) -> None:
        """Client-side remarks go where the backend's stderr goes: the ring and the log."""
        self._stderr.append(f"[client] {text}")
        if self.log_path:
            try:
                with open(self.log_path, "a", encoding="utf-8") as f:
                    f.write(f"[client] {text}\n")
            except OSError:
                pass

    def _read_stdout(self, proc: subprocess.Popen, drain: threading.Thread) -> None:
        for raw in iter(proc.stdout.readline, b""):  # type: ignore[union-attr]
            self._on_line(raw)
        proc.wait()
        # its last stderr lines (a traceback) reach the ring before the exit is reported and
        # quoted; bounded, in case a grandchild holds stderr open
        drain.join(STDERR_JOIN_S)
        self._on_exit(proc)

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
                if log is not None:   # first: a line quoted from the ring is in the log too
                    log.write(text + "\n")
                    log.flush()
                self._stderr.append(text)
        finally:
            if log is not None:
                log.close()
