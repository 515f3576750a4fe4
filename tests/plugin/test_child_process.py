"""rrsis_qgis.child_process: a real child, its lines, its stderr, its exit (stdlib only)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import List

import pytest

from rrsis_qgis.backend_error import BackendError, describe_exit
from rrsis_qgis.child_process import ChildProcess, clean_env

ECHO = ("import sys\n"
        "print('ready', file=sys.stderr, flush=True)\n"
        "for line in sys.stdin:\n"
        "    if line.strip() == 'bye':\n"
        "        sys.exit(3)\n"
        "    print(line.strip().upper(), flush=True)\n")


def test_lines_go_both_ways_stderr_is_kept_and_the_exit_is_reported(tmp_path: Path) -> None:
    lines: List[bytes] = []
    exited = threading.Event()
    codes: List[int] = []

    def on_exit(proc) -> None:
        codes.append(proc.returncode)
        exited.set()

    child = ChildProcess(sys.executable, ["-c", ECHO], {}, str(tmp_path / "log" / "b.log"),
                         lines.append, on_exit)
    proc = child.spawn()
    assert child.alive() and child.pid == proc.pid
    child.write("hello")
    child.note("a remark of the client")
    child.write("bye")
    assert exited.wait(30)
    assert lines == [b"HELLO\n"] and codes == [3] and not child.alive()
    assert "ready" in child.stderr_tail() and "[client] a remark" in child.stderr_tail()
    assert "ready" in (tmp_path / "log" / "b.log").read_text()
    assert not child.ended_on_purpose(proc)  # it left by itself
    assert describe_exit(3) == "exited with code 3"


def test_kill_marks_the_exit_as_wanted_and_writing_after_it_fails() -> None:
    exited = threading.Event()
    child = ChildProcess(sys.executable, ["-c", ECHO], {}, None, lambda _: None,
                         lambda _: exited.set())
    proc = child.spawn()
    child.kill(proc)
    assert exited.wait(30) and child.ended_on_purpose(proc)
    assert describe_exit(proc.returncode).startswith("was killed by signal")
    with pytest.raises(OSError):
        child.write("late")


def test_a_missing_interpreter_is_a_spawn_failure(tmp_path: Path) -> None:
    child = ChildProcess(str(tmp_path / "no-python"), [], {}, None, lambda _: None,
                         lambda _: None)
    with pytest.raises(BackendError) as info:
        child.spawn()
    assert info.value.code == "spawn_failed"


def test_clean_env_drops_qgis_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", "/usr/share/qgis/python")
    monkeypatch.setenv("QGIS_PREFIX_PATH", "/usr")
    env = clean_env({"RRSIS_LOG_LEVEL": "DEBUG"})
    assert "PYTHONPATH" not in env and "QGIS_PREFIX_PATH" not in env
    assert env["RRSIS_LOG_LEVEL"] == "DEBUG" and env["PYTHONUNBUFFERED"] == "1"
