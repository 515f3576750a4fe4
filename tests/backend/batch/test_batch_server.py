"""The ``batch`` method of a real ``rrsis serve`` subprocess: progress per raster, cancel, resume."""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

from rrsis.batch import BatchOptions
from rrsis.engine.run import SegmentOptions
from rrsis.protocol import BATCH_PARAMS, SEGMENT_PARAMS, Error, Progress, Result, decode

from helpers.batch import SAMPLE, cut_tiles

pytestmark = pytest.mark.timeout(600)
TIMEOUT = 240.0


class Serve:
    """``python -m rrsis serve``, one JSON line per message."""

    def __init__(self) -> None:
        env = dict(os.environ, OMP_NUM_THREADS="1", RRSIS_PARENT_DEATHSIG="0")
        self.proc = subprocess.Popen([sys.executable, "-m", "rrsis", "serve"], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.lines: "queue.Queue[bytes]" = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(x) for x in self.proc.stdout],
                         daemon=True).start()

    def send(self, obj: Dict[str, Any]) -> None:
        self.proc.stdin.write(json.dumps(obj).encode() + b"\n")
        self.proc.stdin.flush()

    def read(self, timeout: float = TIMEOUT) -> Any:
        return decode(self.lines.get(timeout=timeout))

    def close(self) -> int:
        self.proc.stdin.close()
        return self.proc.wait(60)


@pytest.fixture(scope="module")
def serve() -> Any:
    s = Serve()
    assert s.read().protocol  # the hello
    yield s
    assert s.close() == 0


@pytest.fixture(scope="module")
def small_tiles(tmp_path_factory: pytest.TempPathFactory) -> List[Path]:
    return cut_tiles(SAMPLE, tmp_path_factory.mktemp("serve") / "tiles", rows=4, cols=2)


def _params(inputs: List[Path], out: Path) -> Dict[str, Any]:
    return {"inputs": [str(p) for p in inputs], "output_dir": str(out),
            "expressions": ["buildings"], "device": "cpu", "threads": 1, "workers": 1}


def test_batch_params_are_the_batch_options_and_the_segment_params() -> None:
    per_raster = set(SEGMENT_PARAMS) - {"raster", "output", "probability",
                                        "probability_dtype", "mask"}
    own = {f.name for f in dataclasses.fields(BatchOptions)} - {"segment"}
    assert set(BATCH_PARAMS) == per_raster | own
    assert per_raster <= {f.name for f in dataclasses.fields(SegmentOptions)}


def test_batch_request_reports_each_raster_then_the_merged_result(serve: Serve,
                                                                  small_tiles: List[Path],
                                                                  tmp_path: Path) -> None:
    serve.send({"type": "batch", "id": "b1", "params": _params(small_tiles[:2], tmp_path)})
    events: List[Any] = []
    while not (events and isinstance(events[-1], (Result, Error))):
        msg = serve.read()
        if getattr(msg, "id", None) == "b1":
            events.append(msg)
    assert isinstance(events[-1], Result), events[-1]
    result = events[-1].result
    assert (result["rasters"], result["done"], result["failed"]) == (2, 2, 0)
    assert Path(result["merged"]).is_file() and Path(result["merged_parquet"]).is_file()
    progress = [e for e in events if isinstance(e, Progress)]
    assert {p.tiles_total for p in progress} == {2}
    assert [p.tiles_done for p in progress] == sorted(p.tiles_done for p in progress)
    assert progress[-1].fraction == 1.0 and progress[-1].stage == "done"
    assert {"segment", "merge", "done"} <= {p.stage for p in progress}


def test_cancel_stops_the_batch_and_the_same_request_resumes(serve: Serve,
                                                             small_tiles: List[Path],
                                                             tmp_path: Path) -> None:
    params = _params(small_tiles[:4], tmp_path)
    serve.send({"type": "batch", "id": "b2", "params": params})
    deadline = time.monotonic() + TIMEOUT
    while True:  # cancel once the first raster is finished
        msg = serve.read(max(0.1, deadline - time.monotonic()))
        if isinstance(msg, Progress) and msg.id == "b2" and (msg.tiles_done or 0) >= 1:
            serve.send({"type": "cancel", "id": "b2"})
            break
        assert not isinstance(msg, (Result, Error)), msg
    while not (isinstance(msg, (Result, Error)) and msg.id == "b2"):
        msg = serve.read()
    assert isinstance(msg, Error) and msg.code == "cancelled", msg
    assert "re-run" in msg.message
    db = sqlite3.connect(tmp_path / "manifest.sqlite")
    finished = db.execute("SELECT count(*) FROM rasters WHERE status = 'done'").fetchone()[0]
    db.close()
    assert 1 <= finished < 4
    assert not (tmp_path / "merged.gpkg").exists()
    serve.send({"type": "batch", "id": "b3", "params": params})
    msg = serve.read()
    while not (isinstance(msg, (Result, Error)) and msg.id == "b3"):
        msg = serve.read()
    assert isinstance(msg, Result), msg
    assert msg.result["skipped"] == finished and msg.result["done"] == 4 - finished
