"""``rrsis batch`` as a user runs it: a real subprocess, a local cluster of one worker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.batch import SAMPLE, cut_tiles, read_features, write_corrupt

pytestmark = pytest.mark.timeout(600)
RRSIS = [sys.executable, "-m", "rrsis", "batch"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*RRSIS, *args], capture_output=True, text=True, timeout=500)


def test_bad_inputs_are_one_readable_line_and_nothing_is_created(tmp_path: Path) -> None:
    for args, message in [
        ([str(tmp_path / "missing"), "-e", "cars", "-o", str(tmp_path / "out")],
         "input not found"),
        ([str(SAMPLE), "-e", "cars", "-o", str(tmp_path / "out"), "--model", "nope"],
         "no checkpoint named"),
    ]:
        out = _run(*args)
        assert out.returncode == 1, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("rrsis batch: error:"), out.stderr
        assert message in lines[0]
        assert "Traceback" not in out.stderr
    assert not (tmp_path / "out").exists()


def test_cli_segments_a_folder_then_skips_it_and_reports_failures(tmp_path: Path) -> None:
    cut_tiles(SAMPLE, tmp_path / "tiles", rows=4, cols=2)
    for p in (tmp_path / "tiles").glob("tile_[1-3]_*.tif"):
        p.unlink()
    write_corrupt(tmp_path / "tiles" / "broken.tif")
    args = [str(tmp_path / "tiles"), "-e", "buildings", "-o", str(tmp_path / "out"),
            "--device", "cpu", "--workers", "1"]
    first = _run(*args)
    assert first.returncode == 3, first.stderr  # finished, with one raster failed
    assert "failed: " in first.stdout and "broken.tif" in first.stdout
    assert "batch: 100%" in first.stderr  # the progress bar over rasters
    table = {k.strip(): v for k, v in (line.rsplit(None, 1)
                                       for line in first.stdout.splitlines()[:11])}
    assert table["done now"] == "2" and table["failed"] == "1"
    merged = read_features(tmp_path / "out" / "merged.gpkg")
    assert int(table["features (merged)"]) == len(merged) > 0
    assert len(list((tmp_path / "out" / "rasters").glob("*.gpkg"))) == 2
    again = _run(*args, "--json", "-q")
    assert again.returncode == 3 and again.stderr == ""
    result = json.loads(again.stdout)
    assert (result["done"], result["skipped"], result["failed"], result["workers"]) == \
        (0, 2, 1, 0)
    assert result["features"] == len(merged)
