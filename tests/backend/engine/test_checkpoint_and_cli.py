"""A real tiny checkpoint through ModelCache, estimate(), the `rrsis` CLI, and real aerial data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio
from shapely.geometry import box

from helpers.engine import (layer_crs, options, read_features, scene, shared_data,  # noqa: F401
                            tiny_checkpoint, write_tif)
from rrsis.engine.run import ModelCache, estimate, segment
from rrsis.models.checkpoint import read_card


def rrsis(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rrsis", *args], capture_output=True, text=True,
                          timeout=300, env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin",
                                            "HOME": str(Path.home())})


def test_checkpoint_run_records_model_and_cache_keeps_it_warm(tmp_path: Path,
                                                              tiny_checkpoint: Path) -> None:
    raster = write_tif(tmp_path / "in.tif", scene())
    cache = ModelCache()
    m1 = cache.get(str(tiny_checkpoint), "cpu")
    assert cache.get(str(tiny_checkpoint), "cpu") is m1
    res = segment(options(raster, tmp_path, model=str(tiny_checkpoint), threshold=0.5,
                          min_area_m2=0.0), models=cache)
    card = read_card(tiny_checkpoint)
    assert res.model == "tiny" and res.model_sha256 == card["weights_sha256"]
    assert res.gsd_m == card["gsd_m"] == 0.5
    feats = read_features(res.output)
    assert sum(res.feature_counts.values()) == len(feats)
    bounds = box(500000.0, 5000000.0, 500100.0, 5000100.0)
    assert all(bounds.buffer(1e-6).contains(f["geometry"]) for f in feats)
    assert all(f["model_sha256"] == card["weights_sha256"] for f in feats)


def test_estimate_counts_tiles_and_measures(tmp_path: Path, tiny_checkpoint: Path) -> None:
    raster = write_tif(tmp_path / "in.tif", scene(size=300))
    est = estimate(options(raster, tmp_path, model=str(tiny_checkpoint), expressions=["cars", "trees"]))
    # 300 px at 64 px tiles, stride 48: starts 0, 48, ..., 192, 236 -> 6 x 6
    # the phrases segmented: cars, trees and the cars' rival buildings
    assert (est.tiles, est.width_px, est.height_px, est.expressions) == (36, 300, 300, 3)
    assert est.seconds > 0 and est.seconds_per_tile > 0 and est.calibration_tiles > 0
    # making the calibration tiles' objects and selecting them is measured and counted
    assert est.objects_seconds_per_tile > 0
    assert est.seconds > est.objects_seconds_per_tile * est.tiles
    assert 100 < est.peak_memory_mb < 8000 and est.device == "cpu" and est.model == "tiny"
    assert list(tmp_path.iterdir()) == [raster]


def test_cli_segment_and_estimate(tmp_path: Path, tiny_checkpoint: Path) -> None:
    raster = write_tif(tmp_path / "in.tif", scene())
    out = tmp_path / "out.gpkg"
    proc = rrsis("segment", str(raster), "cars", "-e", "trees", "--model", str(tiny_checkpoint),
                 "--device", "cpu", "--extent", "500010,5000010,500090,5000090,EPSG:32633",
                 "--probability", str(tmp_path / "p.tif"), "-o", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["output"] == str(out) and set(result["feature_counts"]) == {"cars", "trees"}
    assert layer_crs(out) == "EPSG:32633"
    with rasterio.open(tmp_path / "p.tif") as src:
        assert (src.width, src.height, src.count) == (160, 160, 3)  # + rival buildings
    assert "tile" in proc.stderr  # the tqdm bar
    proc = rrsis("estimate", str(raster), "cars", "--model", str(tiny_checkpoint),
                 "--device", "cpu")
    assert proc.returncode == 0, proc.stderr
    assert "tiles: 16" in proc.stdout and "expected time" in proc.stdout
    assert "peak memory" in proc.stdout


def test_cli_writes_geojson_and_flatgeobuf_by_the_suffix(tmp_path: Path,
                                                        tiny_checkpoint: Path) -> None:
    from rrsis.cli import main

    raster = write_tif(tmp_path / "in.tif", scene())
    common = ["--model", str(tiny_checkpoint), "--device", "cpu", "-q", "--threshold", "0.5",
              "--min-area", "0"]
    counts = {}
    for suffix in ("gpkg", "geojson", "fgb"):
        out = tmp_path / f"out.{suffix}"
        assert main(["segment", str(raster), "cars", *common, "-o", str(out)]) == 0
        rows = read_features(out, "rrsis" if suffix == "gpkg" else 0)
        counts[suffix] = len(rows)
        assert layer_crs(out, "rrsis" if suffix == "gpkg" else 0) == (
            "EPSG:4326" if suffix == "geojson" else "EPSG:32633")
        assert all(r["expression"] == "cars" and r["plan"] for r in rows)
    assert counts["gpkg"] == counts["geojson"] == counts["fgb"] > 0
    proc = rrsis("segment", str(raster), "cars", *common, "-o", str(tmp_path / "out.shp"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"rrsis segment: error: output {tmp_path / 'out.shp'} must end with .gpkg, .geojson or "
        ".fgb (it is written as a GeoPackage, GeoJSON or FlatGeobuf file)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tif", "out.fgb", "out.geojson",
                                                         "out.gpkg"]


def test_cli_says_when_a_raster_is_stretched_as_the_models_training_data(
        tmp_path: Path, tiny_checkpoint: Path, capsys) -> None:
    from rrsis.cli import main
    from rrsis.models.card import write_card

    tuned = tmp_path / "tuned.safetensors"
    tuned.write_bytes(tiny_checkpoint.read_bytes())
    write_card(tuned, {**read_card(tiny_checkpoint), "input_stretch": {
        "dtype": "uint16", "low": [0.0] * 3, "high": [4000.0] * 3}})
    line = "values stretched as in the model's training data"
    for dtype, said in (("uint16", True), ("uint8", False)):
        raster = write_tif(tmp_path / f"{dtype}.tif", scene(dtype=dtype))
        code = main(["segment", str(raster), "cars", "--model", str(tuned), "--device", "cpu",
                     "-q", "-o", str(tmp_path / f"{dtype}.gpkg")])
        assert code == 0 and (line in capsys.readouterr().out) is said


def test_cli_error_is_one_clean_line(tmp_path: Path, tiny_checkpoint: Path) -> None:
    proc = rrsis("segment", str(tmp_path / "missing.tif"), "cars", "--model", str(tiny_checkpoint),
                 "-q", "-o", str(tmp_path / "out.gpkg"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("rrsis segment: error: raster not found")
    assert "Traceback" not in proc.stderr and not (tmp_path / "out.gpkg").exists()


@pytest.mark.parametrize("args,message", [
    (["in.tif", ""], "expression is empty"),
    (["in.tif", "cars", "--extent", "1,2,3"], "--extent needs"),
    (["in.tif", "cars", "--extent", "0,0,10,10"], "does not overlap"),
    (["in.tif", "cars", "--bands", "1,2"], "--bands needs"),
])
def test_cli_errors_in_process(tmp_path: Path, tiny_checkpoint: Path, capsys, args,
                               message) -> None:
    from rrsis.cli import main

    write_tif(tmp_path / "in.tif", scene())
    args = [str(tmp_path / a) if a.endswith(".tif") else a for a in args]
    code = main(["segment", *args, "--model", str(tiny_checkpoint), "--device", "cpu", "-q",
                 "-o", str(tmp_path / "out.gpkg")])
    err = capsys.readouterr().err
    assert code == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "out.gpkg").exists()


def test_real_georeferenced_samples(tmp_path: Path, tiny_checkpoint: Path) -> None:
    """NEON RGB (0.1 m, shrunk to 0.5 m) and a 75 m window of SpaceNet 1-band uint16."""
    folder = shared_data("georeferenced-samples")
    cache = ModelCache()
    for name, epsg, window in (("neon_OSBS_029.tif", 32617, None),
                               ("spacenet_atlanta_sample_geotiff.tif", 32616, (300, 450))):
        src_path = folder / name
        with rasterio.open(src_path) as src:
            area = box(*src.bounds)
            if window is not None:
                x0, y0 = src.transform @ (window[0], window[1])
                x1, y1 = src.transform @ (window[1], window[0])
                area = box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        out = tmp_path / f"{src_path.stem}.gpkg"
        opts = options(src_path, tmp_path, model=str(tiny_checkpoint), min_area_m2=0.0,
                       extent=area.bounds if window else None,
                       probability=str(tmp_path / f"{src_path.stem}.tif"))
        opts.output = str(out)
        res = segment(opts, models=cache)
        assert layer_crs(out) == f"EPSG:{epsg}"
        feats = read_features(out)
        assert len(feats) == sum(res.feature_counts.values())
        assert all(area.buffer(0.5).contains(f["geometry"]) for f in feats)
        with rasterio.open(tmp_path / f"{src_path.stem}.tif") as prob:
            assert prob.crs.to_epsg() == epsg
            assert prob.read(1).std() > 0  # a real model on real pixels gives varying output
            np.testing.assert_allclose(prob.bounds[:2], area.bounds[:2], atol=0.6)
