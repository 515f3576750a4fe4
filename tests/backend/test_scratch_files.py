"""Temporary files of the backend: part files renamed or removed, scratch folders that do not
outlive their process, even one killed with SIGKILL (its folder goes with the next one made)."""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404: a real child process that is killed
import sys
import tempfile
from pathlib import Path

import pytest

from rrsis.paths import remove_live_parts, replacing, scratch_folder


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_replacing_renames_on_success_and_keeps_the_target_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "state.pt"
    with replacing(target) as tmp:
        assert tmp.parent == target.parent and tmp.name.startswith(".state.rrsis-")
        assert tmp.name.endswith(".part.pt")   # recognisable: remove_stale_parts knows it
        tmp.write_bytes(b"first")
    assert target.read_bytes() == b"first"
    with pytest.raises(RuntimeError):
        with replacing(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("the disk is full")
    assert target.read_bytes() == b"first"
    assert [p.name for p in target.parent.iterdir()] == ["state.pt"]


def test_a_scratch_folder_is_removed_on_exit_and_by_remove_live_parts(temp_root: Path) -> None:
    with scratch_folder("pass") as folder:
        assert folder.parent == temp_root and folder.name.startswith(f"rrsis-pass-{os.getpid()}-")
        (folder / "probability.tif").write_bytes(b"x")
    assert not folder.exists()
    with scratch_folder("pass") as folder:
        assert remove_live_parts() == [str(folder)]   # the server's SIGTERM and orphan paths
        assert not folder.exists()


def test_the_folder_of_a_killed_process_goes_with_the_next_one(temp_root: Path) -> None:
    code = ("import os, signal, sys\n"
            "from rrsis.paths import scratch_folder\n"
            "with scratch_folder('pass') as f:\n"
            "    (f / 'probability.tif').write_bytes(b'x' * 1000)\n"
            "    print(f, flush=True)\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "TMPDIR": str(temp_root)}, timeout=120)
    assert child.returncode == -signal.SIGKILL
    left = Path(child.stdout.strip())
    assert left.parent == temp_root and left.is_dir()       # SIGKILL: no code could remove it
    alive = temp_root / f"rrsis-pass-{os.getppid()}-00ff00ff"   # a running process's folder
    alive.mkdir()
    other = temp_root / "rrsis-pass-notours"                     # not our pattern
    other.mkdir()
    with scratch_folder("heldout"):
        assert not left.exists()
    assert alive.is_dir() and other.is_dir()
