"""A normal shutdown of the real backend child is not logged as a crash."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from helpers.data import REPO

sys.path.insert(0, str(REPO))  # the plugin package lives at the repository root

from rrsis_qgis.client import BackendClient  # noqa: E402


def test_shutdown_is_not_reported_as_an_unexpected_exit(tmp_path: Path) -> None:
    log = tmp_path / "backend.log"
    client = BackendClient(sys.executable, env={"OMP_NUM_THREADS": "1"}, log_path=str(log))
    client.start()
    pid = client.pid
    client.shutdown()
    time.sleep(0.5)  # the reader thread notices the exit after shutdown() returned
    text = log.read_text()
    assert "shutdown requested: exiting" in text and pid is not None
    assert "unexpectedly" not in text, text
    assert client.state == "stopped"


def test_a_child_terminated_by_shutdown_is_not_reported_either(tmp_path: Path) -> None:
    """A child that ignores the shutdown request gets SIGTERM from shutdown(): still no news."""
    from rrsis_qgis import _protocol

    hello = _protocol.encode(_protocol.Hello(_protocol.PROTOCOL_VERSION, "0.0-test"))
    script = f"import time; print({hello!r}, flush=True); time.sleep(60)"
    log = tmp_path / "backend.log"
    client = BackendClient(sys.executable, args=["-c", script], log_path=str(log))
    client.start()
    client.shutdown(timeout=1.0)
    time.sleep(0.5)
    text = log.read_text() if log.exists() else ""
    assert "unexpectedly" not in text and "SIGTERM" not in text, text
    assert client.state == "stopped" and client.pid is None
