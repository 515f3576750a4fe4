"""The shipped default model on the shipped real sample: it must find the labelled buildings.

``resources/samples/kampala_oam.tif`` lies in the validation area of ``lgce-lite`` (never
trained on). IoU floor: see MIN_BUILDING_IOU (measured value and margin in the comment).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rasterio
from rasterio import features
from rasterio.warp import transform_geom

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "resources" / "models" / "lgce-lite.safetensors"
SAMPLE = REPO / "resources" / "samples" / "kampala_oam.tif"
LABELS = REPO / "resources" / "samples" / "kampala_buildings.geojson"
# measured on this sample with the shipped weights: 0.710 (card: metrics.sample_buildings_iou;
# 0.807 as polygon IoU since buildings are looked for at the card's floor, 0.15 m).
# The floor sits well below it so that numeric noise across CPUs cannot fail the test, and far
# above what a model that ignores the image gets: an empty mask 0, "everything" 0.288 (the
# building share of the sample; a random-weights lgce-lite measured 0.288 too).
MIN_BUILDING_IOU = 0.45

pytestmark = pytest.mark.skipif(not MODEL.is_file(), reason="lgce-lite weights not exported yet")


def _label_mask(mask_path: Path) -> tuple:
    with rasterio.open(mask_path) as src:
        pred = src.read(1) > 0
        crs, transform, shape = src.crs, src.transform, (src.height, src.width)
    gj = json.loads(LABELS.read_text())
    geoms = [transform_geom("EPSG:4326", crs, f["geometry"]) for f in gj["features"]]
    gt = features.rasterize(geoms, out_shape=shape, transform=transform, dtype="uint8") > 0
    return pred, gt


def test_default_model_loads_from_resources_and_its_card_is_complete() -> None:
    from rrsis.models.catalog import find_model
    from rrsis.models.checkpoint import read_card

    assert find_model("lgce-lite").resolve() == MODEL.resolve()
    card = read_card(MODEL)
    assert card["name"] == "lgce-lite" and card["architecture"] == "lgce-lite"
    assert card["weights_dtype"] == "float16"
    assert MODEL.stat().st_size < 120e6
    assert card["gsd_range_m"] == [0.05, 0.6]
    assert card["metrics"]["val"]["overall"]["oIoU"] > 0
    assert set(card["metrics"]["val"]["groups"]) == {"vehicles", "buildings", "roads",
                                                     "trees/vegetation", "water", "bare land"}
    assert {"cars", "kampala", "dubai", "more_buildings", "neon_trees", "urban_trees"} \
        <= set(card["training_data"]["sources"])
    # the previous model on the same val crops is recorded, per group; the new one is chosen on
    # whole held-out scenes (docs/lgce-lite.md), and on these crops it may not fall behind it
    # by more than a point at 0.5 and must beat it at its own operating points
    base, val = card["metrics"]["baseline"], card["metrics"]["val"]
    assert set(base["groups"]) == set(val["groups"]) and set(base["sources"]) == set(val["sources"])
    assert val["overall"]["oIoU"] > base["overall"]["oIoU"] - 0.01
    assert card["operating_points"]["overall"]["oIoU"] > base["overall"]["oIoU"]


def test_buildings_overlap_the_osm_footprints(tmp_path: Path) -> None:
    from rrsis.engine.run import SegmentOptions, segment

    mask = tmp_path / "mask.tif"
    segment(SegmentOptions(raster=str(SAMPLE), expressions=["buildings"],
                           output=str(tmp_path / "b.gpkg"), mask=str(mask), model="lgce-lite",
                           device="cpu", threads=2))
    pred, gt = _label_mask(mask)
    iou = (pred & gt).sum() / max(1, (pred | gt).sum())
    assert gt.mean() > 0.1
    assert iou >= MIN_BUILDING_IOU, f"building IoU {iou:.3f}"


def test_make_demo_writes_geopackages_and_overlay(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    proc = subprocess.run([sys.executable, "-m", "rrsis.cli", "demo", "--out", str(out),
                           "--threads", "2"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "buildings.gpkg").is_file()
    assert (out / "buildings_next_to_the_road.gpkg").is_file()
    assert (out / "the_road.gpkg").is_file()
    assert "plan: grounded: building next to road" in proc.stdout
    # the relation selects: the road is looked for where roads were learnt (not as specks
    # at 0.075 m), so most buildings away from it are dropped (measured 16 of 43)
    counts = dict(re.findall(r"  '([^']+)': (\d+) polygons", proc.stdout))
    assert int(counts["buildings next to the road"]) < 0.75 * int(counts["buildings"])
    assert "'road' looked for at 0.34 m" in proc.stdout
    assert (out / "overlay.png").stat().st_size > 10_000
    assert "'buildings':" in proc.stdout and "total" in proc.stdout
    assert not list(out.glob(".*part*"))
    # scored against the sample's own footprints (measured: IoU 0.807, 27 of 35 found)
    score = re.search(r"against the sample's (\d+) OSM footprints: polygon IoU ([\d.]+), "
                      r"(\d+) found", proc.stdout)
    assert score is not None, proc.stdout
    assert int(score[1]) == 35 and float(score[2]) >= MIN_BUILDING_IOU and int(score[3]) >= 18
    # buildings on this 0.074 m sample are looked for at the card's floor
    assert "'buildings' looked for at 0.15 m, coarser than the raster" in proc.stdout
