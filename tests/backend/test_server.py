"""``rrsis serve``: a real server subprocess speaking raw JSON lines, plus its dispatch in-process.

The model is the tiny test config saved as a real checkpoint, with its final convolution
set so that every pixel is foreground: each expression must come back as exactly one
polygon covering the raster.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rrsis import __version__
from rrsis.engine.run import SegmentOptions
from rrsis.protocol import (MAX_LINE_CHARS, METHODS, PROTOCOL_VERSION, SEGMENT_PARAMS, Error, Hello, Message,
                            Progress, Request, Result, decode, encode)
from rrsis.server import Server

from helpers.server import (GSD, TIMEOUT, RawServer, data, gpkg_rows,  # noqa: F401 (fixtures)
                            segment_params, server, server_env, write_foreground_model,
                            write_raster)


# --- real subprocess ------------------------------------------------------------------------

def test_hello_garbage_version_eof(data: Dict[str, Path]) -> None:
    srv = RawServer(server_env(data["models"]))
    hello = srv.read()
    assert isinstance(hello, Hello) and hello.id is None
    assert hello.protocol == PROTOCOL_VERSION and hello.backend == __version__
    assert hello.torch == torch.__version__
    assert any(d["name"] == "cpu" and d.get("memory_mb") for d in hello.devices)
    assert hello.models[0]["name"] == "everything"  # RRSIS_MODEL_DIR is searched first
    assert "lgce-lite" in hello.architectures

    srv.send("this is not json")
    srv.send("")                                       # blank lines are ignored
    srv.send('{"type": "teleport", "id": "t1"}')
    srv.send("[1, 2, 3]")
    srv.send({"type": "segment", "id": "s1", "params": {"raster": "x.tif"}})
    srv.send({"type": "hello", "id": "h1", "params": {"protocol": PROTOCOL_VERSION + 1}})
    srv.send({"type": "hello", "id": "h2", "params": {"protocol": PROTOCOL_VERSION}})
    srv.send({"type": "models", "id": "m1"})
    replies = [srv.read() for _ in range(7)]
    assert [(type(r).__name__, r.id, getattr(r, "code", None)) for r in replies] == [
        ("Error", None, "malformed"), ("Error", "t1", "unknown_method"),
        ("Error", None, "malformed"), ("Error", "s1", "bad_params"),
        ("Error", "h1", "version_mismatch"), ("Hello", "h2", None), ("Result", "m1", None)]
    assert str(PROTOCOL_VERSION + 1) in replies[4].message
    srv.send('{"type": "models", "id": "' + "x" * MAX_LINE_CHARS + '"}')  # memory stays bounded
    srv.send({"type": "models", "id": "m2"})
    too_long, after = srv.read(), srv.read()
    assert (too_long.id, too_long.code) == (None, "malformed") and after.id == "m2"
    assert replies[6].result["models"][0]["card"]["name"] == "everything"

    sockets = [os.readlink(f"/proc/{srv.proc.pid}/fd/{fd}")
               for fd in os.listdir(f"/proc/{srv.proc.pid}/fd")] if Path("/proc").is_dir() else []
    assert not [s for s in sockets if s.startswith("socket:")]
    if sockets:  # fd 1 was pointed at stderr: a library print cannot reach the protocol
        fd = f"/proc/{srv.proc.pid}/fd"
        assert os.readlink(f"{fd}/1") == os.readlink(f"{fd}/2")

    srv.proc.stdin.close()                              # EOF: a clean, prompt exit
    assert srv.proc.wait(15) == 0
    assert srv.lines.get(timeout=5) is None


def test_segment_end_to_end(server: RawServer, data: Dict[str, Path]) -> None:
    out = data["root"] / "e2e.gpkg"
    server.send({"type": "segment", "id": "e2e",
                 "params": segment_params(data, "small", out,
                                          expressions=["cars", "trees", "xqzv blorf"])})
    msgs = server.until("e2e")
    result = msgs[-1]
    assert isinstance(result, Result), msgs[-1]
    assert result.result["output"] == str(out) and out.is_file()
    assert result.result["feature_counts"] == {"cars": 1, "trees": 1, "xqzv blorf": 0}
    plans = result.result["plans"]
    assert plans["cars"]["plan"] == "grounded: car; rivals: building"
    assert plans["cars"]["objects"] == 1
    assert plans["xqzv blorf"]["mode"] == "nothing" and plans["xqzv blorf"]["messages"][:3] == [
        "unknown word 'xqzv'", "unknown word 'blorf'", "no object matches"]
    assert result.result["timings"]["total"] > 0
    rows = gpkg_rows(out)
    assert [r[0] for r in rows] == ["cars", "trees"]
    for _, area in rows:  # one polygon covering the 64 x 64 raster at 0.5 m
        assert area == pytest.approx(64 * 64 * GSD * GSD, rel=0.02)


def test_request_failures_are_reported_and_serving_goes_on(server: RawServer,
                                                           data: Dict[str, Path]) -> None:
    not_raster = data["root"] / "notes.tif"
    not_raster.write_text("not a raster")
    cases = {
        "missing": segment_params(data, "small", data["root"] / "a.gpkg", raster="/no/such.tif"),
        "garbage": segment_params(data, "small", data["root"] / "b.gpkg", raster=str(not_raster)),
        "model": segment_params(data, "small", data["root"] / "c.gpkg", model="no-such-model"),
        "threshold": segment_params(data, "small", data["root"] / "d.gpkg", threshold=7.0),
    }
    for rid, params in cases.items():
        server.send({"type": "segment", "id": rid, "params": params})
        reply = server.until(rid)[-1]
        assert isinstance(reply, Error), reply
        assert reply.code in ("bad_input", "bad_raster", "unknown_model", "bad_checkpoint"), reply
        assert reply.message
    assert not list(data["root"].glob("[abcd].gpkg*"))
    server.send({"type": "models", "id": "after"})
    assert isinstance(server.until("after")[-1], Result)


def test_cancel_running_leaves_no_output(server: RawServer, data: Dict[str, Path]) -> None:
    outdir = data["root"] / "cancel"
    outdir.mkdir()
    out = outdir / "cancelled.gpkg"
    server.send({"type": "segment", "id": "long",
                 "params": segment_params(data, "large", out, probability=str(outdir / "p.tif"))})
    while True:
        msg = server.read()
        assert not isinstance(msg, (Result, Error)), msg
        if isinstance(msg, Progress) and msg.tiles_done:
            assert msg.fraction < 0.5
            break
    server.send({"type": "cancel", "id": "long"})
    reply = server.until("long", timeout=30)[-1]
    assert isinstance(reply, Error) and reply.code == "cancelled"
    assert list(outdir.iterdir()) == []
    server.send({"type": "cancel", "id": "long"})  # already over: ignored, no reply
    server.send({"type": "models", "id": "still"})
    assert [type(m) for m in server.until("still")] == [Result]


def test_explain_answers_at_once_even_while_a_segmentation_runs(
        server: RawServer, data: Dict[str, Path]) -> None:
    """The dock shows how an expression will be read as it is typed: the answer must not
    wait for a running segmentation, and needs no raster."""
    outdir = data["root"] / "explain"
    outdir.mkdir()
    server.send({"type": "segment", "id": "busy",
                 "params": segment_params(data, "large", outdir / "o.gpkg")})
    server.send({"type": "explain", "id": "how", "params": {
        "expressions": ["the boat near the building", "the second largest building"]}})
    msgs = server.until("how")
    assert not any(isinstance(m, (Result, Error)) and m.id == "busy" for m in msgs), msgs
    plans = msgs[-1].result["plans"]
    boat = plans["the boat near the building"]
    assert boat["mode"] == "nothing" and boat["unknown_words"] == ["boat"]
    assert "no model run" in boat["text"] and boat["segment"] == []
    assert plans["the second largest building"]["summary"] == \
        "grounded: the 2nd largest building"
    server.send({"type": "explain", "id": "nope",
                 "params": {"expressions": ["cars"], "model": "no-such-model"}})
    assert server.until("nope")[-1].code == "unknown_model"
    server.send({"type": "explain", "id": "nul",          # refused as segment refuses it
                 "params": {"expressions": ["cars\x00 next to the road"]}})
    refused = server.until("nul")[-1]
    assert refused.code == "bad_input" and "control characters" in refused.message
    server.send({"type": "cancel", "id": "busy"})
    server.until("busy", timeout=60)


def test_queue_runs_in_order_and_cancels_queued(server: RawServer, data: Dict[str, Path]) -> None:
    root = data["root"]
    server.send({"type": "segment", "id": "q1", "params": segment_params(data, "medium",
                                                                          root / "q1.gpkg")})
    server.send({"type": "segment", "id": "q2", "params": segment_params(data, "small",
                                                                          root / "q2.gpkg")})
    server.send({"type": "estimate", "id": "q3", "params": segment_params(data, "small", None)})
    server.send({"type": "segment", "id": "q4", "params": segment_params(data, "small",
                                                                          root / "q4.gpkg")})
    server.send({"type": "cancel", "id": "q2"})  # q1 is running (512 px, one tile a batch)
    msgs = server.until("q4")
    finals = [(type(m).__name__, m.id) for m in msgs if isinstance(m, (Result, Error))]
    assert finals == [("Error", "q2"), ("Result", "q1"), ("Result", "q3"), ("Result", "q4")]
    assert next(m for m in msgs if m.id == "q2").code == "cancelled"
    assert not (root / "q2.gpkg").exists() and (root / "q4.gpkg").is_file()
    estimate = next(m for m in msgs if isinstance(m, Result) and m.id == "q3").result
    assert estimate["tiles"] >= 1 and estimate["seconds"] >= 0

    progress = [m for m in msgs if isinstance(m, Progress) and m.id == "q1"]
    assert len(progress) >= 3
    fractions = [p.fraction for p in progress]
    done = [p.tiles_done for p in progress]
    assert fractions == sorted(fractions) and done == sorted(done)
    assert fractions[-1] == 1.0 and progress[-1].stage == "done"
    assert done[-1] == progress[-1].tiles_total
    q1_end = next(i for i, m in enumerate(msgs) if isinstance(m, Result) and m.id == "q1")
    assert all(i < q1_end for i, m in enumerate(msgs) if m in progress)
    assert all(i > q1_end for i, m in enumerate(msgs)
               if isinstance(m, Progress) and m.id == "q4")


def test_shutdown_cancels_and_exits(data: Dict[str, Path]) -> None:
    srv = RawServer(server_env(data["models"]))
    assert isinstance(srv.read(), Hello)
    out = data["root"] / "shut.gpkg"
    srv.send({"type": "segment", "id": "run", "params": segment_params(data, "large", out)})
    srv.send({"type": "segment", "id": "wait", "params": segment_params(data, "small", out)})
    while not isinstance(srv.read(), Progress):
        pass
    srv.send({"type": "shutdown", "id": "bye"})
    msgs = srv.until("bye")
    finals = {m.id: m for m in msgs if isinstance(m, (Result, Error))}
    assert finals["wait"].code == "cancelled" and finals["run"].code == "cancelled"
    assert isinstance(finals["bye"], Result)
    assert srv.proc.wait(15) == 0 and not out.exists()


def test_child_exits_when_parent_dies(data: Dict[str, Path]) -> None:
    """The parent is SIGKILLed while stdin stays open (we hold it): the watchdog must act."""
    read_end, write_end = os.pipe()
    parent_code = ("import subprocess, sys\n"
                   "p = subprocess.Popen([sys.executable, '-m', 'rrsis', 'serve'],"
                   " stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
                   "print(p.pid, flush=True)\n"
                   "print(p.stdout.readline().decode().strip(), flush=True)\n"
                   "import time; time.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdin=read_end,
                              stdout=subprocess.PIPE, env=server_env(data["models"]))
    os.close(read_end)
    try:
        child = int(parent.stdout.readline())
        assert decode(parent.stdout.readline())  # the child's hello: it is up
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 20
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(child), "the backend outlived its parent"
    finally:
        os.close(write_end)
        if _alive(child):
            os.kill(child, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return not any(line.startswith("State:") and "Z" in line.split()[1] for line in f)
    except FileNotFoundError:
        return False


# --- in-process dispatch --------------------------------------------------------------------

def test_wire_params_are_the_engine_options() -> None:
    """One source of truth: the protocol's segment params are exactly SegmentOptions."""
    assert set(SEGMENT_PARAMS) == {f.name for f in dataclasses.fields(SegmentOptions)}


def test_cancel_queued_and_shutdown_in_process() -> None:
    sent: List[Message] = []
    srv = Server(sent.append)  # no worker: requests stay queued
    params = {"raster": "r.tif", "expressions": ["x"]}
    for rid in ("a", "b", "c"):
        assert srv.handle_line(encode(Request("segment", rid, params)))
    assert srv.handle_line(encode(Request("cancel", "b")))
    assert srv.handle_line(encode(Request("cancel", "zzz")))  # unknown: ignored
    assert [(type(m), m.id, m.code) for m in sent] == [(Error, "b", "cancelled")]
    assert srv.handle_line(encode(Request("shutdown", "s"))) is False
    assert [(m.id, getattr(m, "code", None)) for m in sent[1:]] == [
        ("a", "cancelled"), ("c", "cancelled"), ("s", None)]
    assert srv.handle_line(encode(Request("segment", "late", params)))
    assert (sent[-1].id, sent[-1].code) == ("late", "cancelled")


def test_exceptions_inside_requests_are_contained() -> None:
    """A failing handler answers its id (internal / out_of_memory) and the worker goes on."""
    sent: List[Message] = []
    finished = threading.Event()

    def send(msg: Message) -> None:
        sent.append(msg)
        if getattr(msg, "id", None) == "ok":
            finished.set()

    def segment(params: Dict[str, Any], progress: Any, cancel: Any) -> Dict[str, Any]:
        if params["raster"] == "bug.tif":
            return {"ratio": 1 / 0}
        if params["raster"] == "huge.tif":
            raise MemoryError("cannot allocate 1 TiB")
        progress({"fraction": 1.0, "tiles_done": 1, "tiles_total": 1, "stage": "done"})
        return {"output": params["raster"]}

    srv = Server(send, handlers={"segment": segment, "models": lambda params: {}})
    srv.start_worker()
    for rid, raster in (("bug", "bug.tif"), ("oom", "huge.tif"), ("ok", "fine.tif")):
        srv.handle_line(encode(Request("segment", rid, {"raster": raster, "expressions": ["x"]})))
    assert finished.wait(30)
    srv.stop()
    srv.join(5)
    bug, oom, progress, ok = sent
    assert (bug.id, bug.code) == ("bug", "internal") and "ZeroDivisionError" in bug.detail
    assert (oom.id, oom.code) == ("oom", "out_of_memory") and "batch_size" in oom.message
    assert isinstance(progress, Progress) and progress.id == "ok"
    assert ok == Result("ok", {"output": "fine.tif"})


# no subnormals: an ONNX Runtime session earlier in this process sets flush-to-zero
_value = st.none() | st.booleans() | st.integers() | st.floats(allow_subnormal=False) | \
    st.text(max_size=10) | \
    st.lists(st.integers() | st.text(max_size=4), max_size=5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(
    st.text(max_size=120),
    st.binary(max_size=120),
    st.builds(lambda t, i, p: json.dumps({"type": t, "id": i, "params": p}),
              st.sampled_from(sorted(METHODS) + ["progress", "result", "error", "nope"]),
              st.one_of(st.text(max_size=6), st.integers(), st.none()),
              st.one_of(st.dictionaries(st.sampled_from(sorted(SEGMENT_PARAMS) + ["protocol",
                                                                                   "zz"]),
                                        _value, max_size=6), _value)),
), min_size=1, max_size=8))
def test_fuzz_handle_line_never_raises(lines: List[Any]) -> None:
    sent: List[Message] = []
    srv = Server(sent.append)
    for line in lines:
        assert srv.handle_line(line) in (True, False)
    for msg in sent:
        assert isinstance(msg, (Error, Result, Hello))
        assert decode(encode(msg)) == msg
        if isinstance(msg, Error):
            assert msg.code != "internal", msg
