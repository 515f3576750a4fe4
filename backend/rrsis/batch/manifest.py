"""The job's memory: one SQLite row per input raster, updated in single transactions.

Why SQLite: every update is atomic and durable (WAL journal), so Ctrl-C, a killed client
or a lost worker can never leave a half-written manifest, and it is readable with any
SQLite tool (``sqlite3 out/manifest.sqlite 'select * from rasters'``). Only the client
process writes it; workers return their results to the client.

A raster is *settled* for a run when its row has the same file size and mtime and the
same options signature (which includes the model's weights sha256) and says ``done``
with its output file still there, or ``invalid`` (the engine refused the input: a
corrupt file, no CRS; retrying would fail the same way). Anything else, ``failed``
(a lost worker, out of memory, a bug) included, is (re)processed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..errors import InputError
from ..paths import file_on_disk

__all__ = ["MANIFEST_NAME", "Entry", "Manifest", "FileStamp", "file_stamp", "options_signature"]

MANIFEST_NAME = "manifest.sqlite"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rasters (
    path TEXT PRIMARY KEY,       -- absolute input path
    size INTEGER NOT NULL,       -- bytes, when processed
    mtime_ns INTEGER NOT NULL,   -- modification time, when processed
    options_sha TEXT NOT NULL,   -- signature of the options and model weights
    options TEXT NOT NULL,       -- those options, JSON
    model_sha256 TEXT NOT NULL,
    status TEXT NOT NULL,        -- done | failed (retried) | invalid (input refused)
    output TEXT,                 -- per-raster GeoPackage (done)
    features INTEGER,
    km2 REAL,                    -- ground area of the raster (working grid)
    seconds REAL,                -- inside the worker
    attempts INTEGER NOT NULL,
    error TEXT,                  -- 'code: message' (failed)
    worker TEXT,
    crs TEXT,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class FileStamp:
    size: int
    mtime_ns: int


def file_stamp(path: str) -> FileStamp:
    """Size and time of the file ``path`` reads from (a GeoPackage's table: the GeoPackage)."""
    st = os.stat(file_on_disk(path))
    return FileStamp(st.st_size, st.st_mtime_ns)


def options_signature(options: Dict[str, Any]) -> str:
    """sha256 of the canonical JSON of the options that shape the output."""
    text = json.dumps(options, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Entry:
    path: str
    size: int
    mtime_ns: int
    options_sha: str
    options: str
    model_sha256: str
    status: str
    output: Optional[str]
    features: Optional[int]
    km2: Optional[float]
    seconds: Optional[float]
    attempts: int
    error: Optional[str]
    worker: Optional[str]
    crs: Optional[str]
    updated: str


class Manifest:
    """``out/manifest.sqlite``: read what is done, record each finished raster atomically."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / MANIFEST_NAME
        try:
            self._db = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)",
                                 (str(SCHEMA_VERSION),))
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.path} is not a usable manifest: {exc}") from None

    def _transaction(self) -> "_Tx":
        return _Tx(self._db)

    def get(self, path: str) -> Optional[Entry]:
        row = self._db.execute("SELECT * FROM rasters WHERE path = ?", (path,)).fetchone()
        return Entry(*row) if row else None

    def entries(self) -> List[Entry]:
        return [Entry(*row) for row in self._db.execute("SELECT * FROM rasters ORDER BY path")]

    def is_done(self, path: str, stamp: FileStamp, options_sha: str) -> Optional[Entry]:
        """The entry when ``path`` is settled with this stamp and these options, else None.

        Settled: ``done`` with its output still there, or ``invalid`` (its input was
        refused: the same file with the same options would be refused again).
        """
        entry = self.get(path)
        if (entry is None or entry.size != stamp.size or entry.mtime_ns != stamp.mtime_ns
                or entry.options_sha != options_sha):
            return None
        if entry.status == "invalid" or (entry.status == "done" and entry.output
                                         and os.path.isfile(entry.output)):
            return entry
        return None

    def record(self, path: str, stamp: FileStamp, options_sha: str, options: str,
               model_sha256: str, status: str, attempts: int, output: Optional[str] = None,
               features: Optional[int] = None, km2: Optional[float] = None,
               seconds: Optional[float] = None, error: Optional[str] = None,
               worker: Optional[str] = None, crs: Optional[str] = None) -> None:
        """Insert or replace the row of ``path`` in one transaction."""
        updated = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO rasters VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (path, stamp.size, stamp.mtime_ns, options_sha, options, model_sha256, status,
                 output, features, km2, seconds, attempts, error, worker, crs, updated))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Manifest":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class _Tx:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (Ctrl-C included)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
