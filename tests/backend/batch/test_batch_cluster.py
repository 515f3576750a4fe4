"""``run_batch`` on a real ``LocalCluster`` of two worker processes, with the real default model.

The bundled orthophoto is cut into four adjacent tiles; a corrupt ".tif" joins them.
The cluster is started by the test and reached by its address, as ``--scheduler`` reaches
an existing one. One job goes through cancel -> resume with a worker killed mid-task -> a
re-run that skips everything (no cluster at all), and its outputs are compared with
sequential ``segment`` runs.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path
from typing import Any, Dict, List, Optional

import pyarrow.parquet as pq
import pytest

from rrsis.batch import BatchOptions, BatchProgress, run_batch
from rrsis.engine.run import ModelCache, SegmentOptions, segment
from rrsis.errors import Cancelled

from helpers.batch import read_features, tiles, write_corrupt  # noqa: F401  (fixture)

pytestmark = pytest.mark.timeout(600)
EXPRESSION = "buildings"


@pytest.fixture(scope="module")
def client() -> Any:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, host="127.0.0.1")
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def _options(inputs: List[str], out: Path, scheduler: Optional[str] = None) -> BatchOptions:
    template = SegmentOptions(raster="", expressions=[EXPRESSION], device="cpu", threads=1)
    return BatchOptions(inputs=inputs, output_dir=str(out), segment=template,
                        scheduler=scheduler)


def _rows(out: Path) -> Dict[str, tuple]:
    db = sqlite3.connect(out / "manifest.sqlite")
    try:
        return {r[0]: r[1:] for r in db.execute(
            "SELECT path, status, output, features, attempts, error FROM rasters")}
    finally:
        db.close()


@pytest.fixture(scope="module")
def job(tiles: Dict[str, Any], client: Any) -> Dict[str, Any]:  # noqa: F811
    root: Path = tiles["root"]
    corrupt = write_corrupt(root / "corrupt.tif")
    inputs = [str(tiles["tiles"][0].parent), str(corrupt)]
    out = root / "out"
    record: Dict[str, Any] = {"out": out, "corrupt": str(corrupt.resolve())}

    # 1. cancelled as soon as one raster is finished: a consistent manifest, nothing lost
    def cancel_after_first() -> bool:
        return bool(_rows(out)) if (out / "manifest.sqlite").exists() else False

    address = client.scheduler.address  # an existing cluster, as --scheduler names it
    with pytest.raises(Cancelled):
        run_batch(_options(inputs, out, address), cancel=cancel_after_first)
    record["after_cancel"] = _rows(out)

    # 2. resumed; the worker busy with a raster is killed when the first result comes in
    pids = client.run(os.getpid)
    killed: Dict[str, Any] = {}

    def kill_a_busy_worker(p: BatchProgress) -> None:
        if p.last is None or killed:
            return
        busy = [addr for addr, keys in client.processing().items() if keys]
        if busy:
            killed["worker"] = busy[0]
            os.kill(pids[busy[0]], signal.SIGKILL)

    record["resumed"] = run_batch(_options(inputs, out, address), progress=kill_a_busy_worker)
    record["killed"] = dict(killed)
    record["rows"] = _rows(out)
    record["merged_features"] = read_features(out / "merged.gpkg")
    # 3. re-run: everything is settled, no cluster is even started
    record["rerun"] = run_batch(_options(inputs, out))
    record["rerun_features"] = read_features(out / "merged.gpkg")
    return record


@pytest.fixture(scope="module")
def sequential(tiles: Dict[str, Any],  # noqa: F811
               tmp_path_factory: pytest.TempPathFactory) -> Dict[str, List[Dict[str, Any]]]:
    """Each tile through plain ``segment`` in this process, one after the other."""
    folder = tmp_path_factory.mktemp("sequential")
    models = ModelCache()
    out = {}
    for i, tile in enumerate(tiles["tiles"]):
        opts = SegmentOptions(raster=str(tile), expressions=[EXPRESSION], device="cpu",
                              threads=1, output=str(folder / f"{i}.gpkg"))
        segment(opts, models=models)
        out[str(tile.resolve())] = read_features(opts.output)
    return out


def test_cancel_leaves_a_consistent_manifest(job: Dict[str, Any]) -> None:
    rows = job["after_cancel"]
    assert 1 <= len(rows) < 5
    for path, (status, output, features, attempts, error) in rows.items():
        assert status in ("done", "invalid")
        if status == "done":
            assert Path(output).is_file() and features == len(read_features(output))


def test_a_killed_worker_and_a_corrupt_raster_do_not_stop_the_job(job: Dict[str, Any]) -> None:
    result = job["resumed"]
    assert job["killed"], "no worker was busy when the first result came in"
    assert result.done + result.skipped == 4 and result.failed == 1
    assert result.skipped >= 1  # what the cancelled run finished was not redone
    rows = job["rows"]
    assert rows[job["corrupt"]][0] == "invalid"
    assert rows[job["corrupt"]][4].startswith("bad_raster")
    assert [f["path"] for f in result.failures] == [job["corrupt"]]
    assert sorted(r[0] for p, r in rows.items() if p != job["corrupt"]) == ["done"] * 4


def test_per_raster_outputs_equal_sequential_segment_runs(job: Dict[str, Any],
                                                          sequential: Dict[str, Any]) -> None:
    rows = job["rows"]
    for path, expected in sequential.items():
        got = read_features(rows[path][1])
        assert len(got) == len(expected) > 0
        key = lambda f: (f["geometry"].centroid.x, f["geometry"].centroid.y)  # noqa: E731
        for a, b in zip(sorted(got, key=key), sorted(expected, key=key)):
            assert a["geometry"].equals_exact(b["geometry"], 1e-9)
            assert a["score"] == pytest.approx(b["score"], abs=1e-6)
            assert a["area_m2"] == pytest.approx(b["area_m2"], rel=1e-9)
            assert a["expression"] == EXPRESSION and a["model_sha256"] == b["model_sha256"]


def test_merged_result_joins_objects_cut_by_tile_borders(job: Dict[str, Any],
                                                         sequential: Dict[str, Any]) -> None:
    result, merged = job["resumed"], job["merged_features"]
    parts = sum(len(v) for v in sequential.values())
    assert result.joined > 0
    assert len(merged) == result.features
    joined = [f for f in merged if ";" in f["source"]]
    assert joined and len(merged) == parts - result.joined
    assert {s for f in merged for s in f["source"].split(";")} == set(sequential)
    assert result.crs == "EPSG:3857"
    seq_area = sum(f["area_m2"] for v in sequential.values() for f in v)
    # parts that only touch are joined by a mitre buffer out and back (merge._union), which
    # can move a corner by a fraction of a pixel: hundredths of a m2 on thousands
    assert sum(f["area_m2"] for f in merged) == pytest.approx(seq_area, rel=1e-4)
    for f in joined:
        assert f["geometry"].geom_type == "Polygon" and f["geometry"].is_valid
    table = pq.read_table(job["out"] / "merged.parquet")
    assert table.num_rows == len(merged)
    assert sorted(table.column("source").to_pylist()) == sorted(f["source"] for f in merged)


def test_a_rerun_skips_everything(job: Dict[str, Any]) -> None:
    rerun = job["rerun"]
    assert (rerun.done, rerun.skipped, rerun.failed, rerun.workers) == (0, 4, 1, 0)
    assert rerun.features == job["resumed"].features
    key = lambda f: (f["source"], f["geometry"].wkb)  # noqa: E731
    before = sorted(job["merged_features"], key=key)
    after = sorted(job["rerun_features"], key=key)
    assert len(before) == len(after)
    for a, b in zip(before, after):
        assert a["geometry"].equals(b["geometry"]) and a["score"] == b["score"]
