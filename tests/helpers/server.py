"""A real ``rrsis serve`` subprocess driven line by line, and the inputs its tests share.

The model is the tiny test config saved as a real checkpoint, with its final convolution
set so that every pixel is foreground: each expression must come back as exactly one
polygon covering the raster. The subprocess imports the ``rrsis`` under test (this
process's), not whatever the interpreter would find on its own.
"""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import numpy as np
import pytest
import rasterio
import torch
from rasterio.transform import from_origin

import rrsis
from rrsis.models import create_model, save_checkpoint
from rrsis.protocol import Error, Hello, Message, Result, decode

__all__ = ["GSD", "TIMEOUT", "write_raster", "write_foreground_model", "data", "server_env",
           "RawServer", "server", "segment_params", "gpkg_rows"]

GSD = 0.5
TIMEOUT = 60.0


def write_raster(path: Path, size: int, seed: int = 0) -> Path:
    data = np.random.default_rng(seed).integers(0, 256, (3, size, size), dtype=np.uint8)
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=3,
                       dtype="uint8", crs="EPSG:32617",
                       transform=from_origin(500_000, 4_000_000, GSD, GSD)) as ds:
        ds.write(data)
    return path


def write_foreground_model(path: Path, name: str = "everything") -> Path:
    """Tiny real checkpoint whose classifier says 'foreground' for every pixel."""
    torch.manual_seed(0)
    model = create_model("test-lgce-tiny")
    head = model.segmentation.classifier.conv1_1
    with torch.no_grad():
        head.weight.zero_()
        head.bias.copy_(torch.tensor([-4.0, 4.0]))
    save_checkpoint(model, path, card={"name": name})
    return path


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    root = tmp_path_factory.mktemp("serve")
    (root / "models").mkdir()
    return {
        "root": root,
        "models": root / "models",
        "model": write_foreground_model(root / "models" / "everything.safetensors"),
        "small": write_raster(root / "small.tif", 64),
        "medium": write_raster(root / "medium.tif", 512, 1),
        "large": write_raster(root / "large.tif", 1536, 2),
    }


def server_env(models: Path) -> Dict[str, str]:
    """A clean environment whose ``rrsis`` is the package under test."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"RRSIS_MODEL_DIR": str(models), "OMP_NUM_THREADS": "1",
                "RRSIS_PARENT_DEATHSIG": "0",
                "PYTHONPATH": str(Path(rrsis.__file__).resolve().parents[1])})
    return env


class RawServer:
    """``python -m rrsis serve`` driven line by line; every stdout line must decode."""

    def __init__(self, env: Dict[str, str], **popen: Any) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "rrsis", "serve"], env=env,
                                     stdin=popen.pop("stdin", subprocess.PIPE),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)
        self.lines: "queue.Queue[Optional[bytes]]" = queue.Queue()
        self.stderr: List[bytes] = []
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, obj: Any) -> None:
        text = obj if isinstance(obj, str) else json.dumps(obj)
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()

    def read(self, timeout: float = TIMEOUT) -> Message:
        line = self.lines.get(timeout=timeout)
        assert line is not None, b"server stdout closed; stderr:\n" + b"".join(self.stderr[-20:])
        return decode(line)  # raises if anything but a protocol line reached stdout

    def until(self, rid: str, timeout: float = TIMEOUT) -> List[Message]:
        """Every message up to and including the final result/error of ``rid``."""
        out: List[Message] = []
        deadline = time.monotonic() + timeout
        while True:
            msg = self.read(max(0.1, deadline - time.monotonic()))
            out.append(msg)
            if isinstance(msg, (Result, Error)) and msg.id == rid:
                return out

    def close(self) -> int:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                return self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.wait()


@pytest.fixture(scope="module")
def server(data: Dict[str, Path]) -> Iterator[RawServer]:
    srv = RawServer(server_env(data["models"]))
    hello = srv.read()
    assert isinstance(hello, Hello)
    yield srv
    assert srv.close() == 0


def segment_params(data: Dict[str, Path], which: str, output: Optional[Path],
                   **extra: Any) -> Dict[str, Any]:
    params = {"raster": str(data[which]), "expressions": ["cars"], "model": "everything",
              "device": "cpu", "threads": 1, "batch_size": 1}
    if output is not None:
        params["output"] = str(output)
    params.update(extra)
    return params


def gpkg_rows(path: Path, layer: str = "rrsis") -> List[tuple]:
    with sqlite3.connect(path) as db:
        sql = f'SELECT expression, area_m2 FROM "{layer}" ORDER BY expression'
        return db.execute(sql).fetchall()
