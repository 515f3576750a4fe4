"""rrsis.serve_io: the job queue, line framing and the read loop, without a subprocess
(tests/backend/test_server.py runs the real ``rrsis serve`` process)."""

from __future__ import annotations

import io
import threading
from typing import List, Optional

from rrsis.protocol import MAX_LINE_CHARS, Request, Result, decode
from rrsis.serve_io import Job, JobQueue, LineWriter, _read_lines


def test_job_queue_runs_in_order_and_cancels_queued_and_running() -> None:
    started, release, ran = threading.Event(), threading.Event(), []

    def run(job: Job) -> None:
        ran.append(job.request.id)
        if job.request.id == "first":
            started.set()
            assert release.wait(10)
            assert job.cancel.is_set()  # cancelled while running: the flag the engine polls

    jobs = JobQueue(run)
    for rid in ("first", "second", "third"):
        assert jobs.submit(Job(Request("segment", rid, {})))
    jobs.start()
    assert started.wait(10)
    assert jobs.pending("first") and jobs.pending("third") and not jobs.pending("nope")
    assert jobs.cancel("second") == "queued"
    assert jobs.cancel("first") == "running"
    assert jobs.cancel("nope") is None
    release.set()
    dropped: Optional[List[Job]] = None
    for _ in range(100):  # "third" runs after "first"
        if ran == ["first", "third"]:
            dropped = jobs.stop()
            break
        threading.Event().wait(0.05)
    jobs.join(5)
    assert ran == ["first", "third"] and dropped == []
    assert not jobs.submit(Job(Request("segment", "late", {})))  # stopped: refused


def test_stop_returns_the_queued_jobs() -> None:
    jobs = JobQueue(lambda job: None)  # no worker started: everything stays queued
    for rid in ("a", "b"):
        jobs.submit(Job(Request("estimate", rid, {})))
    assert [j.request.id for j in jobs.stop()] == ["a", "b"]


class _Recorder:
    def __init__(self) -> None:
        self.lines: List[bytes] = []
        self.errors: List[str] = []

    def handle_line(self, line: bytes) -> bool:
        self.lines.append(line)
        return b"shutdown" not in line

    def error(self, rid: Optional[str], code: str, message: str) -> None:
        self.errors.append(code)


def test_read_loop_refuses_overlong_lines_and_stops_on_shutdown() -> None:
    data = b'{"a": 1}\n' + b"x" * (MAX_LINE_CHARS + 10) + b"\n" + b"shutdown\n" + b"never\n"
    rec = _Recorder()
    _read_lines(rec, io.BytesIO(data))
    assert rec.lines == [b'{"a": 1}\n', b"shutdown\n"]
    assert rec.errors == ["malformed"]


def test_line_writer_writes_one_protocol_line_per_message() -> None:
    out = io.BytesIO()
    LineWriter(out)(Result("r1", {"n": 1}))
    line = out.getvalue()
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode(line) == Result("r1", {"n": 1})
