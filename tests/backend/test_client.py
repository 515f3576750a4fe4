"""rrsis_qgis.client driving a real ``rrsis serve`` child (no QGIS needed: it is stdlib only)."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from helpers.data import REPO

sys.path.insert(0, str(REPO))  # the plugin package lives at the repository root

from rrsis_qgis import _protocol  # noqa: E402
from rrsis_qgis.client import BackendClient, BackendError, clean_env  # noqa: E402
from helpers.server import data  # noqa: E402,F401  (the same module fixture: model + rasters)


def client_for(data: Dict[str, Path], **kwargs: Any) -> BackendClient:
    env = {"RRSIS_MODEL_DIR": str(data["models"]), "OMP_NUM_THREADS": "1"}
    return BackendClient(sys.executable, env=env, startup_timeout=120.0, **kwargs)


@pytest.fixture(scope="module")
def client(data: Dict[str, Path]) -> Iterator[BackendClient]:
    c = client_for(data, log_path=str(data["root"] / "logs" / "backend.log"))
    yield c
    c.shutdown()
    assert c.state == "stopped"


def params(data: Dict[str, Path], which: str, out: str, **extra: Any) -> Dict[str, Any]:
    p = {"raster": str(data[which]), "expressions": ["cars"], "model": "everything",
         "device": "cpu", "threads": 1, "batch_size": 1, "output": str(data["root"] / out)}
    p.update(extra)
    return p


def test_start_hello_and_states(client: BackendClient, data: Dict[str, Path]) -> None:
    states: List[str] = []
    client.add_state_listener(states.append)
    hello = client.start()
    assert hello is client.hello
    assert hello["protocol"] == _protocol.PROTOCOL_VERSION and hello["torch"]
    assert hello["models"][0]["name"] == "everything"  # RRSIS_MODEL_DIR comes first
    assert client.start() is hello  # already running: no second child
    progress: List[Dict[str, Any]] = []
    result = client.request("segment", params(data, "small", "a.gpkg"), timeout=60,
                            on_progress=progress.append)
    assert result["feature_counts"] == {"cars": 1}
    assert Path(result["output"]).is_file()
    assert progress and progress[-1]["fraction"] == 1.0 and progress[-1]["id"]
    assert states[:2] == ["starting", "ready"] and states[-2:] == ["busy", "ready"]
    assert client.request("models", {})["models"][0]["name"] == "everything"
    log = Path(data["root"] / "logs" / "backend.log").read_text()
    assert "serving protocol" in log  # the child's stderr reached the log file


def test_errors_and_bad_params(client: BackendClient, data: Dict[str, Path]) -> None:
    with pytest.raises(BackendError) as info:
        client.request("segment", params(data, "small", "b.gpkg", raster="/no/such.tif"),
                       timeout=60)
    assert info.value.code == "bad_input" and "/no/such.tif" in info.value.message
    with pytest.raises(BackendError) as info:  # refused before it is sent
        client.submit("segment", {"raster": "x.tif", "expressions": ["a"], "treshold": 1})
    assert info.value.code == "bad_params"
    with pytest.raises(BackendError, match="unknown_method"):
        client.submit("teleport", {})
    with pytest.raises(BackendError, match="unknown_request"):
        client.wait("never-sent")


def test_callbacks_cancel_and_queue(client: BackendClient, data: Dict[str, Path]) -> None:
    events: List[Any] = []
    done = threading.Event()
    lock = threading.Lock()
    rids: Dict[str, str] = {}

    def record(name: str, kind: str) -> Any:
        def callback(payload: Dict[str, Any]) -> None:  # result payloads carry no id
            with lock:
                events.append((kind, rids[name], payload))
            if name == "last":
                done.set()
        return callback

    first_progress = threading.Event()

    def long_progress(payload: Dict[str, Any]) -> None:
        if payload.get("tiles_done"):
            first_progress.set()

    with lock:  # callbacks wait until every id is known
        for name, which, extra in (("long", "large", {"on_progress": long_progress}),
                                   ("queued", "small", {}), ("last", "small", {})):
            rids[name] = client.submit("segment", params(data, which, f"{name}.gpkg"),
                                       on_result=record(name, "result"),
                                       on_error=record(name, "error"), **extra)
    long, queued, last = rids["long"], rids["queued"], rids["last"]
    client.cancel(queued)
    assert first_progress.wait(60)
    client.cancel(long)
    assert done.wait(60)
    finals = [(kind, rid) for kind, rid, _ in events]
    assert finals == [("error", queued), ("error", long), ("result", last)]
    assert all(p["code"] == "cancelled" for kind, _, p in events if kind == "error")
    assert not (data["root"] / "long.gpkg").exists()
    assert not (data["root"] / "queued.gpkg").exists()
    assert (data["root"] / "last.gpkg").is_file()
    with pytest.raises(BackendError, match="cancelled"):
        client.wait(long, timeout=1)
    assert client.wait(last, timeout=1)["feature_counts"] == {"cars": 1}


def test_killed_child_is_reported_and_replaced(client: BackendClient,
                                               data: Dict[str, Path]) -> None:
    client.start()
    old_pid = client.pid
    started = threading.Event()
    rid = client.submit("segment", params(data, "large", "killed.gpkg"),
                        on_progress=lambda p: started.set())
    assert started.wait(60)
    os.kill(old_pid, signal.SIGKILL)
    with pytest.raises(BackendError) as info:
        client.wait(rid, timeout=30)
    assert info.value.code == "crashed" and "SIGKILL" in info.value.message
    assert sys.executable in info.value.message
    deadline = time.monotonic() + 10
    while client.state != "crashed" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.state == "crashed"
    result = client.request("segment", params(data, "small", "after.gpkg"), timeout=120)
    assert result["feature_counts"] == {"cars": 1}
    assert client.pid not in (None, old_pid)
    assert not (data["root"] / "killed.gpkg").exists()


def test_spawn_failure_names_the_interpreter(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-python")
    with pytest.raises(BackendError) as info:
        BackendClient(missing).start()
    assert info.value.code == "spawn_failed" and missing in info.value.message


def test_startup_timeout_quotes_stderr() -> None:
    script = "import sys, time; print('still importing torch', file=sys.stderr, flush=True); " \
             "time.sleep(60)"
    c = BackendClient(sys.executable, args=["-c", script], startup_timeout=2.0)
    t0 = time.monotonic()
    with pytest.raises(BackendError) as info:
        c.start()
    assert time.monotonic() - t0 < 20
    assert info.value.code == "startup_timeout"
    assert sys.executable in info.value.message
    assert "still importing torch" in (info.value.detail or "")
    assert c.state == "crashed" and c.pid is None


def test_early_exit_is_crashed_with_stderr() -> None:
    c = BackendClient(sys.executable, args=["-c", "import sys; sys.exit('no module rrsis')"])
    with pytest.raises(BackendError) as info:
        c.start()
    assert info.value.code == "crashed" and "code 1" in info.value.message
    assert "no module rrsis" in (info.value.detail or "")


def test_version_mismatch_at_hello() -> None:
    """A child that says hello in another protocol version (an old backend venv)."""
    future = _protocol.Hello(_protocol.PROTOCOL_VERSION + 1, "9.9.9")
    script = f"import time; print({_protocol.encode(future)!r}, flush=True); time.sleep(60)"
    c = BackendClient(sys.executable, args=["-c", script], startup_timeout=30.0)
    with pytest.raises(BackendError) as info:
        c.start()
    assert info.value.code == "version_mismatch"
    assert f"protocol {_protocol.PROTOCOL_VERSION + 1}" in info.value.message
    assert c.pid is None


def test_clean_env_drops_qgis_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"PYTHONPATH": "/qgis/python", "PYTHONHOME": "/qgis", "GDAL_DATA": "/g",
                        "PROJ_LIB": "/p", "QT_PLUGIN_PATH": "/q", "QGIS_PREFIX_PATH": "/q",
                        "RRSIS_MODEL_DIR": "/models", "LANG": "C.UTF-8"}.items():
        monkeypatch.setenv(name, value)
    env = clean_env({"RRSIS_LOG_LEVEL": "DEBUG"})
    for gone in ("PYTHONPATH", "PYTHONHOME", "GDAL_DATA", "PROJ_LIB", "QT_PLUGIN_PATH",
                 "QGIS_PREFIX_PATH"):
        assert gone not in env
    assert env["RRSIS_MODEL_DIR"] == "/models" and env["LANG"] == "C.UTF-8"
    assert env["RRSIS_LOG_LEVEL"] == "DEBUG" and env["PATH"] == os.environ["PATH"]
