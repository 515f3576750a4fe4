"""Near infrared keeps tree and vegetation phrases to what is green in NIR (rrsis.engine.nir).

Why: an RGB model takes dark roofs and shadows for crowns; a raster with a NIR band (NAIP, most
4-band products) says where leaves are. Real GeoTIFFs, the brightness-following tiny model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers.engine import bright_models, options, read_features, scene, write_tif  # noqa: F401
from rrsis.engine.nir import NDVI_VEGETATION, ndvi, nir_band
from rrsis.engine.grid import plan_grid, source_gsd_m
from rrsis.engine.raster_io import WindowReader, open_info
from rrsis.engine.run import segment
from rrsis.errors import InputError

LEAVES, ROOF = (20, 60, 20, 60), (120, 160, 120, 160)   # two bright squares, rows/cols


def four_band(tmp_path: Path, **extra) -> Path:
    """R, G, B bright on both squares; NIR high on the leaves only (NDVI 0.6 vs -0.6)."""
    rgb = scene(box=LEAVES)
    rgb[:, ROOF[0]:ROOF[1], ROOF[2]:ROOF[3]] = 230
    nir = np.full(rgb.shape[1:], 40, np.uint8)
    nir[LEAVES[0]:LEAVES[1], LEAVES[2]:LEAVES[3]] = 255
    rgb[0, LEAVES[0]:LEAVES[1], LEAVES[2]:LEAVES[3]] = 64    # red low under leaves ...
    rgb[1:, LEAVES[0]:LEAVES[1], LEAVES[2]:LEAVES[3]] = 255  # ... still bright on average
    extra.setdefault("photometric", "RGB")   # band 4 an unspecified extra sample, as NAIP's
    extra.setdefault("alpha", "UNSPECIFIED")
    return write_tif(tmp_path / "in.tif", np.concatenate([rgb, nir[None]]), **extra)


def test_the_nir_band_is_the_one_asked_tagged_or_the_fourth(tmp_path: Path) -> None:
    four = open_info(str(four_band(tmp_path)))
    assert nir_band(four, None, (1, 2, 3)) == 4
    assert nir_band(four, 0, (1, 2, 3)) is None            # off
    assert nir_band(four, None, (4, 2, 1)) is None          # band 4 shown as a colour
    with pytest.raises(InputError, match="does not exist"):
        nir_band(four, 5, (1, 2, 3))
    with pytest.raises(InputError, match="read as red"):
        nir_band(four, 1, (1, 2, 3))
    three = open_info(str(write_tif(tmp_path / "rgb.tif", scene())))
    assert nir_band(three, None, (1, 2, 3)) is None
    mask = scene(bands=4)
    mask[3] = 255
    mask[3, :, 150:] = 0   # a validity mask: opaque, and transparent where there is no data
    rgba = open_info(str(write_tif(tmp_path / "rgba.tif", mask, photometric="RGB",
                                   alpha="YES")))
    assert rgba.alpha_band == 4 and nir_band(rgba, None, (1, 2, 3)) is None
    import rasterio
    path = write_tif(tmp_path / "five.tif", scene(bands=5))
    with rasterio.open(path, "r+") as dst:
        dst.set_band_description(5, "Near Infrared")
    assert nir_band(open_info(str(path)), None, (1, 2, 3)) == 5


def test_a_near_infrared_band_tagged_alpha_is_read_as_data(tmp_path: Path,
                                                           bright_models) -> None:
    """NAIP tiles and gdalbuildvrt mosaics of them tag their fourth band alpha: values across
    the range are data, not a validity mask, so it gates as an untagged fourth band does."""
    import rasterio

    path = four_band(tmp_path, alpha="YES")
    with rasterio.open(path) as src:
        assert src.colorinterp[3].name == "alpha"
    info = open_info(str(path))
    assert info.alpha_band is None and nir_band(info, None, (1, 2, 3)) == 4
    res = segment(options(path, tmp_path, expressions=["trees"], rivals=False),
                  models=bright_models)
    assert res.nir_band == 4 and res.feature_counts == {"trees": 1}
    # a mosaic of such tiles with wide gaps (gdalbuildvrt -vrtnodata 0): mostly 0, judged
    # on what it does not hide
    data = np.zeros((4, 400, 400), np.uint8)
    data[:, :40, :40] = 200
    data[3, :40, :40] = np.linspace(20, 220, 40, dtype=np.uint8)   # near infrared
    sparse = write_tif(tmp_path / "mosaic.tif", data, photometric="RGB", alpha="YES")
    assert open_info(str(sparse)).alpha_band is None
    data[3, :40, :40] = 255   # the same gaps with an opaque mask where there is data
    masked = write_tif(tmp_path / "masked.tif", data, photometric="RGB", alpha="YES")
    assert open_info(str(masked)).alpha_band == 4
    # large rasters without overviews are judged on a few windows (a decimated read decodes
    # every block), else, where those fall in gaps, on the decimated read after all
    big = np.zeros((4, 1200, 1200), np.uint8)
    big[:3] = 200
    big[3] = np.tile(np.linspace(20, 220, 1200, dtype=np.uint8), (1200, 1))
    assert open_info(str(write_tif(tmp_path / "big.tif", big, photometric="RGB",
                                   alpha="YES"))).alpha_band is None
    big[3] = 0
    big[3, :100, :100] = np.linspace(20, 220, 100, dtype=np.uint8)   # a corner only
    assert open_info(str(write_tif(tmp_path / "corner.tif", big, photometric="RGB",
                                   alpha="YES"))).alpha_band is None
    big[3] = 255
    assert open_info(str(write_tif(tmp_path / "opaque.tif", big, photometric="RGB",
                                   alpha="YES"))).alpha_band == 4


@pytest.mark.parametrize("gsd", [None, 1.5])   # the native grid; resampled by the warper
def test_a_band_tagged_alpha_that_holds_data_hides_no_pixel(tmp_path: Path, gsd) -> None:
    """Where such a band is 0 (water has no near infrared) the pixel is data: GDAL would take
    the tag for a validity mask, call it no data and weight every neighbour by it."""
    data = np.full((4, 200, 200), 150, np.uint8)
    data[3] = np.tile(np.linspace(20, 220, 200, dtype=np.uint8), (200, 1))
    data[3, 50:100, 50:100] = 0   # water
    data[0, 50:100, 50:100] = 90
    path = write_tif(tmp_path / "naip.tif", data, photometric="RGB", alpha="YES")
    info = open_info(str(path))
    assert info.alpha_band is None and info.data_tagged_alpha == 4
    grid = plan_grid(info, None, None, gsd or source_gsd_m(info))
    with WindowReader(info, grid, (1, 2, 3)) as reader:
        raw, valid = reader.read_raw(0, 0, grid.height, grid.width)
    assert valid.all()
    water = slice(int(60 * 0.5 / grid.gsd_m), int(90 * 0.5 / grid.gsd_m))
    assert np.all(raw[0, water, water] == 90) and np.all(raw[1, water, water] == 150)


def test_ndvi() -> None:
    red, nir = np.array([[64, 0, 100]], np.uint8), np.array([[255, 0, 100]], np.uint8)
    assert ndvi(red, nir)[0].tolist() == pytest.approx([191 / 319, 0.0, 0.0])
    assert NDVI_VEGETATION == pytest.approx(0.25)


def test_trees_are_kept_where_the_ground_is_green_in_nir(tmp_path: Path, bright_models) -> None:
    raster = four_band(tmp_path)
    both = ["trees", "buildings"]
    res = segment(options(raster, tmp_path, expressions=both, rivals=False), models=bright_models)
    assert res.feature_counts == {"trees": 1, "buildings": 2} and res.nir_band == 4
    (tree,) = [f["geometry"] for f in read_features(res.output) if f["expression"] == "trees"]
    assert tree.centroid.y > max(f["geometry"].centroid.y for f in read_features(res.output)
                                 if f["expression"] == "buildings") - 1   # the top square
    assert any("kept where band 4 shows vegetation in near infrared" in m
               for m in res.plans["trees"]["messages"])
    assert not any("near infrared" in m for m in res.plans["buildings"].get("messages", []))
    along = segment(options(raster, tmp_path, expressions=["trees next to the buildings"],
                            rivals=False), models=bright_models)
    gated = [m for m in along.plans["trees next to the buildings"]["messages"]
             if "near infrared" in m]
    assert gated == ["'trees' and 'trees next to the buildings' kept where band 4 shows "
                     "vegetation in near infrared (NDVI >= 0.25; the near-infrared option, "
                     "--nir-band 0, turns this off)"]
    off = segment(options(raster, tmp_path, expressions=both, rivals=False, nir_band=0),
                  models=bright_models)
    assert off.feature_counts == {"trees": 2, "buildings": 2} and off.nir_band is None


def test_explain_says_which_phrases_a_nir_band_would_gate() -> None:
    from rrsis.engine.explain import explain_plans

    plans = explain_plans(["trees next to the road", "buildings"], model="lgce-lite")
    trees = plans["trees next to the road"]
    assert trees["nir_gated"] == ["trees", "trees next to the road"]   # with its fallback
    assert f"NDVI >= {NDVI_VEGETATION}" in trees["text"] and "are kept" in trees["text"]
    assert "nir_gated" not in plans["buildings"] and "near infrared" not in plans["buildings"][
        "text"]
