"""The batch's parts without a cluster: inputs, tile-border joins, sizing, manifest, outputs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pyogrio
import pytest
import rasterio
import shapely
from rasterio.crs import CRS
from shapely.geometry import box

from rrsis.batch.cluster import plan_local_cluster
from rrsis.batch.inputs import resolve_inputs
from rrsis.batch.manifest import Manifest, file_stamp
from rrsis.batch.merge import Feature, TileInfo, choose_crs, join_tile_borders, reproject
from rrsis.batch.output import write_geoparquet, write_merged_geopackage
from rrsis.errors import CRSError, InputError

from helpers.batch import cut_tiles, SAMPLE


@pytest.fixture(scope="module")
def four(tmp_path_factory: pytest.TempPathFactory) -> list:
    return cut_tiles(SAMPLE, tmp_path_factory.mktemp("parts") / "tiles")


# --- inputs -------------------------------------------------------------------------------

def test_folder_glob_list_vrt_and_tile_index_name_the_same_rasters(four: list,
                                                                   tmp_path: Path) -> None:
    folder = four[0].parent
    expected = [str(p.resolve()) for p in sorted(four)]
    assert resolve_inputs([str(folder)]) == expected
    assert resolve_inputs([str(folder / "tile_*.tif")]) == expected
    listing = tmp_path / "list.txt"
    listing.write_text("# the mosaic\n" + "\n".join(str(p) for p in four) + "\n\n")
    assert resolve_inputs([str(listing)]) == expected
    # a VRT as gdalbuildvrt writes it: relative source paths
    sources = "".join(
        f'<SimpleSource><SourceFilename relativeToVRT="1">tiles/{p.name}</SourceFilename>'
        f'</SimpleSource>' for p in four)
    vrt = folder.parent / "mosaic.vrt"
    vrt.write_text(f'<VRTDataset rasterXSize="768" rasterYSize="2048"><VRTRasterBand '
                   f'dataType="Byte" band="1">{sources}</VRTRasterBand>'
                   f'<VRTRasterBand dataType="Byte" band="2">{sources}</VRTRasterBand>'
                   f'</VRTDataset>')
    assert resolve_inputs([str(vrt)]) == expected
    # a tile index as gdaltindex writes it: footprints with a 'location' field
    index = tmp_path / "index.gpkg"
    geoms, locs = [], []
    for p in four:
        with rasterio.open(p) as ds:
            geoms.append(box(*ds.bounds).wkb)
            locs.append(str(p))
    pyogrio.raw.write(str(index), geometry=np.array(geoms, dtype=object),
                      field_data=[np.array(locs, dtype=object)], fields=["location"],
                      driver="GPKG", geometry_type="Polygon", crs="EPSG:3857")
    assert resolve_inputs([str(index)]) == expected
    # duplicates across inputs collapse, first occurrence wins
    assert resolve_inputs([str(four[2]), str(folder)])[0] == str(four[2].resolve())
    assert len(resolve_inputs([str(four[2]), str(folder)])) == 4


def test_a_table_of_a_file_and_a_file_in_an_archive_are_inputs_as_gdal_names_them(
        four: list, tmp_path: Path) -> None:
    """``GPKG:file:table`` and ``/vsizip/archive/file`` (how QGIS names such layers) are kept
    as they are, stamped by the file they read from, and named readably in the output."""
    import zipfile

    from rrsis.batch.job import output_name

    site = tmp_path / "site.gpkg"
    site.write_bytes(b"a GeoPackage")
    archive = tmp_path / "tiles.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(four[0], four[0].name)
    table, zipped = f"GPKG:{site}:ortho", f"/vsizip/{archive}/{four[0].name}"
    assert resolve_inputs([table, zipped, str(four[1])]) == [table, zipped,
                                                             str(four[1].resolve())]
    assert file_stamp(table) == file_stamp(str(site))
    assert file_stamp(zipped) == file_stamp(str(archive))
    assert output_name(table).startswith("site-ortho-")
    assert output_name(zipped).startswith(four[0].stem + "-")


def test_inputs_that_name_nothing_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="input not found"):
        resolve_inputs([str(tmp_path / "nope.tif")])
    with pytest.raises(InputError, match="no raster file"):
        resolve_inputs([str(tmp_path)])
    with pytest.raises(InputError, match="no file matches"):
        resolve_inputs([str(tmp_path / "*.tif")])
    listing = tmp_path / "list.txt"
    listing.write_text("missing.tif\n")
    with pytest.raises(InputError, match="missing file"):
        resolve_inputs([str(listing)])
    broken = tmp_path / "broken.vrt"
    broken.write_text("<VRTDataset")
    with pytest.raises(InputError, match="not a readable VRT"):
        resolve_inputs([str(broken)])
    no_field = tmp_path / "index.gpkg"
    pyogrio.raw.write(str(no_field), geometry=np.array([box(0, 0, 1, 1).wkb], dtype=object),
                      field_data=[np.array(["x"], dtype=object)], fields=["path"],
                      driver="GPKG", geometry_type="Polygon", crs="EPSG:3857")
    with pytest.raises(InputError, match="location"):
        resolve_inputs([str(no_field)])


# --- cluster sizing -----------------------------------------------------------------------

def test_local_cluster_is_sized_to_the_machine() -> None:
    cpu = plan_local_cluster(rasters=100, cores=16, gpus=0)
    assert (cpu.workers, cpu.threads_per_worker, cpu.torch_threads) == (8, 1, 2)
    assert plan_local_cluster(rasters=3, cores=16, gpus=0).workers == 3  # never idle workers
    assert plan_local_cluster(rasters=3, cores=16, gpus=0).torch_threads == 5
    assert plan_local_cluster(rasters=10, cores=2, gpus=0).workers == 1
    gpu = plan_local_cluster(rasters=100, cores=32, gpus=4)
    assert (gpu.workers, gpu.gpus) == (4, 4)
    forced = plan_local_cluster(rasters=10, workers=2, threads_per_worker=2, cores=8, gpus=0)
    assert (forced.workers, forced.threads_per_worker, forced.torch_threads) == (2, 2, 2)
    with pytest.raises(InputError):
        plan_local_cluster(rasters=10, workers=0)


# --- manifest -----------------------------------------------------------------------------

def test_manifest_skips_only_same_file_same_options_and_survives_an_interrupted_update(
        tmp_path: Path) -> None:
    raster = tmp_path / "a.tif"
    raster.write_bytes(b"x" * 10)
    out = tmp_path / "a.gpkg"
    out.write_bytes(b"y")
    stamp = file_stamp(str(raster))
    with Manifest(tmp_path) as m:
        m.record(str(raster), stamp, "sig1", "{}", "sha", "done", 1, output=str(out),
                 features=3, km2=0.5, seconds=2.0)
        assert m.is_done(str(raster), stamp, "sig1") is not None
        assert m.is_done(str(raster), stamp, "sig2") is None  # other options
        with pytest.raises(KeyboardInterrupt):  # Ctrl-C inside an update: rolled back
            with m._transaction():
                m._db.execute("UPDATE rasters SET status='failed'")
                raise KeyboardInterrupt
        assert m.get(str(raster)).status == "done"
    raster.write_bytes(b"x" * 11)  # the input changed
    with Manifest(tmp_path) as m:
        assert m.is_done(str(raster), file_stamp(str(raster)), "sig1") is None
    out.unlink()  # the output is gone
    with Manifest(tmp_path) as m:
        assert m.is_done(str(raster), stamp, "sig1") is None
    rows = sqlite3.connect(tmp_path / "manifest.sqlite").execute(
        "SELECT status, features FROM rasters").fetchall()
    assert rows == [("done", 3)]


def test_the_signature_follows_the_card_and_the_rule_an_unset_option_stands_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A resumed batch redoes a raster when the same weights come with another card (other
    operating points) or when the backend's default minimum area changed; an explicit
    minimum area does not depend on that rule."""
    import torch

    import rrsis.engine.gsd as gsd
    from rrsis.batch.job import _model_identity, _signature
    from rrsis.batch.manifest import options_signature
    from rrsis.engine.run import SegmentOptions
    from rrsis.models import create_model, save_checkpoint

    torch.manual_seed(0)
    model = create_model("test-lgce-tiny")
    first, second = tmp_path / "first.safetensors", tmp_path / "second.safetensors"
    save_checkpoint(model, first, card={"name": "tiny"})
    save_checkpoint(model, second, card={"name": "tiny", "operating_points": {
        "logit_threshold": {"vehicle": 0.4}}})
    (w1, c1), (w2, c2) = _model_identity(str(first)), _model_identity(str(second))
    assert w1 == w2 and c1 != c2

    def sig(**kw: object) -> str:
        options = SegmentOptions(raster="a.tif", expressions=["cars"], **kw)  # type: ignore
        return options_signature(_signature(options, w1, c1))

    default, explicit = sig(), sig(min_area_m2=2.0)
    assert options_signature(_signature(SegmentOptions(raster="a.tif", expressions=["cars"]),
                                        w1, c2)) != default
    monkeypatch.setattr(gsd, "MIN_AREA_FLOOR_M2", 2.0)
    assert sig() != default and sig(min_area_m2=2.0) == explicit


def test_a_file_that_is_not_a_manifest_is_refused(tmp_path: Path) -> None:
    (tmp_path / "manifest.sqlite").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(InputError, match="not a usable manifest"):
        Manifest(tmp_path)


# --- joins across tile borders ------------------------------------------------------------

def _tile(i: int, x0: float, res: float = 1.0, crs: str = "EPSG:32633") -> TileInfo:
    return TileInfo(f"t{i}.tif", CRS.from_user_input(crs), (x0, 0.0, x0 + 100.0, 100.0),
                    (res, res), (x0, 100.0))


def _feat(geom, tile: int, expr: str = "cars", score: float = 0.8) -> Feature:
    return Feature(geom, {"expression": expr, "score": score, "area_m2": geom.area,
                          "model": "m", "model_sha256": "s", "gsd_m": 1.0,
                          "created": f"2026-01-0{tile + 1}"}, f"t{tile}.tif", tile)


def test_an_object_cut_by_the_shared_edge_is_joined_with_weighted_score() -> None:
    tiles = [_tile(0, 0.0), _tile(1, 100.0)]
    left = _feat(box(90, 40, 100, 50), 0, score=0.9)   # 100 m2
    right = _feat(box(100, 40, 130, 50), 1, score=0.5)  # 300 m2
    other_expr = _feat(box(100, 60, 110, 70), 1, expr="trees")
    touching_other_expr = _feat(box(90, 60, 100, 70), 0, expr="cars")
    inside = _feat(box(10, 10, 20, 20), 0)
    out, joins = join_tile_borders(tiles, [left, right, other_expr, touching_other_expr, inside])
    assert joins == 1 and len(out) == 4
    joined = next(f for f in out if ";" in f.source)
    assert joined.source == "t0.tif;t1.tif"
    assert joined.geometry.equals(box(90, 40, 130, 50))
    assert joined.attributes["area_m2"] == pytest.approx(400.0)
    assert joined.attributes["score"] == pytest.approx((0.9 * 100 + 0.5 * 300) / 400)
    assert joined.attributes["created"] == "2026-01-02"


def test_an_object_over_four_tiles_is_one_and_a_half_pixel_gap_is_closed() -> None:
    tiles = [TileInfo(f"t{i}", CRS.from_epsg(32633), (x, y, x + 10, y + 10), (0.5, 0.5),
                      (x, y + 10)) for i, (x, y) in enumerate([(0, 10), (10, 10), (0, 0),
                                                                 (10, 0)])]
    # one 4 m x 4 m object on the corner of four 0.5 m-pixel tiles; the lower right part
    # is 0.2 m and 0.1 m off its neighbours (under half a pixel: the gaps are closed)
    parts = [_feat(box(8, 10, 10, 12), 0), _feat(box(10, 10, 12, 12), 1),
             _feat(box(8, 8, 10, 10), 2), _feat(box(10.2, 8, 12, 9.9), 3)]
    out, joins = join_tile_borders(tiles, parts)
    assert joins == 3 and len(out) == 1
    assert out[0].geometry.geom_type == "Polygon"
    assert out[0].geometry.equals(box(8, 8, 12, 12))


def test_tiles_of_different_grids_are_never_joined() -> None:
    objects = lambda: [_feat(box(90, 40, 100, 50), 0), _feat(box(100, 40, 110, 50), 1)]  # noqa: E731
    for other in (_tile(1, 100.0, res=2.0), _tile(1, 100.0, crs="EPSG:32634"),
                  TileInfo("t1.tif", CRS.from_epsg(32633), (100.0, 0.0, 200.0, 100.0),
                           (1.0, 1.0), (100.0, 100.6))):  # shifted by 0.6 px
        out, joins = join_tile_borders([_tile(0, 0.0), other], objects())
        assert joins == 0 and len(out) == 2
    far = [_feat(box(90, 40, 100, 50), 0), _feat(box(101, 40, 110, 50), 1)]  # 1 m apart
    assert join_tile_borders([_tile(0, 0.0), _tile(1, 100.0)], far)[1] == 0


# --- CRS and outputs ----------------------------------------------------------------------

def test_output_crs_rule_and_reprojection() -> None:
    utm33, utm34 = CRS.from_epsg(32633), CRS.from_epsg(32634)
    assert choose_crs([utm33, utm33], None) == utm33
    assert choose_crs([utm33, utm34], None) == CRS.from_epsg(4326)
    assert choose_crs([utm33], "EPSG:3857") == CRS.from_epsg(3857)
    with pytest.raises(CRSError):
        choose_crs([utm33], "not a crs")
    f = _feat(box(500_000, 0, 500_010, 10), 0)
    reproject([f], [TileInfo("t", utm33, (0, 0, 1, 1), (1, 1), (0, 1))], CRS.from_epsg(4326))
    lon, lat = f.geometry.centroid.coords[0]
    assert lon == pytest.approx(15.0, abs=1e-3) and lat == pytest.approx(0.0, abs=1e-3)
    # a site's local CRS has no place on the Earth: a clear error, not GDAL's traceback
    local = CRS.from_wkt('LOCAL_CS["Site",UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]')
    with pytest.raises(CRSError, match="cannot be transformed to 'EPSG:4326'"):
        reproject([_feat(box(0, 0, 1, 1), 0)], [TileInfo("t", local, (0, 0, 1, 1), (1, 1),
                                                         (0, 1))], CRS.from_epsg(4326))


def test_merged_geopackage_and_geoparquet_carry_the_same_features(tmp_path: Path) -> None:
    feats = [_feat(box(0, 0, 1, 1), 0), _feat(box(2, 2, 4, 3), 1, expr="trees", score=0.6)]
    crs = CRS.from_epsg(32633)
    write_merged_geopackage(str(tmp_path / "m.gpkg"), "rrsis", feats, crs)
    write_geoparquet(str(tmp_path / "m.parquet"), feats, crs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.gpkg", "m.parquet"]  # no temp left
    meta, _, geoms, fields = pyogrio.raw.read(str(tmp_path / "m.gpkg"), layer="rrsis")
    assert list(meta["fields"])[0] == "source"
    table = pq.read_table(tmp_path / "m.parquet")
    geo = json.loads(table.schema.metadata[b"geo"])
    assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
    column = geo["columns"]["geometry"]
    assert column["encoding"] == "WKB" and column["geometry_types"] == ["Polygon"]
    assert CRS.from_user_input(json.dumps(column["crs"])) == crs
    assert column["bbox"] == [0.0, 0.0, 4.0, 3.0]
    parquet_geoms = [shapely.from_wkb(g) for g in table.column("geometry").to_pylist()]
    assert all(a.equals(shapely.from_wkb(bytes(b))) for a, b in zip(parquet_geoms, geoms))
    assert table.column("source").to_pylist() == ["t0.tif", "t1.tif"]
    assert table.column("score").to_pylist() == pytest.approx([0.8, 0.6])
