"""layers.py: a real GeoPackage (as the backend writes it) becomes styled layers with provenance."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsVectorLayer

EXPRESSIONS = ("vehicles along the road", "the car's shadow")


def write_result_gpkg(path: Path, counts=(3, 1)) -> Path:
    """A GeoPackage shaped like the backend's output (its FEATURE_FIELDS), written with OGR."""
    from osgeo import ogr, osr

    from rrsis_qgis._protocol import FEATURE_FIELDS

    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32633)
    layer = ds.CreateLayer("rrsis", srs, ogr.wkbMultiPolygon)
    for name, fld in FEATURE_FIELDS.items():
        layer.CreateField(ogr.FieldDefn(name, ogr.OFTReal if fld.kind == "number"
                                        else ogr.OFTString))
    x = 500000.0
    for expression, n in zip(EXPRESSIONS, counts):
        for i in range(n):
            feature = ogr.Feature(layer.GetLayerDefn())
            for name, value in (("expression", expression), ("score", 0.9 - i / 10),
                                ("area_m2", 8.0), ("model", "tiny"), ("model_sha256", "ab" * 32),
                                ("gsd_m", 0.5), ("created", "2026-11-23T00:00:00Z"),
                                ("plan", "grounded: vehicle along road")):
                feature.SetField(name, value)
            feature.SetGeometry(ogr.CreateGeometryFromWkt(
                f"MULTIPOLYGON((({x} 4649750,{x + 4} 4649750,{x + 4} 4649752,{x} 4649752,{x} 4649750)))"))
            layer.CreateFeature(feature)
            x += 10
    ds = None
    return path


def _result(path: Path):
    return {"output": str(path), "layer": "rrsis", "probability": None, "mask": None,
            "feature_counts": {EXPRESSIONS[0]: 3, EXPRESSIONS[1]: 1}, "model": "tiny",
            "model_sha256": "ab" * 32, "gsd_m": 0.5, "device": "cpu", "crs": "EPSG:32633",
            "timings": {"total_s": 1.0}}


def test_one_styled_layer_per_expression_in_the_results_group(project, tmp_path):
    from rrsis_qgis import layers

    existing = QgsVectorLayer("Point?crs=EPSG:32633", "my points", "memory")
    project.addMapLayer(existing)
    gpkg = write_result_gpkg(tmp_path / "run.gpkg")
    request = {"raster": "/data/scene.tif", "expressions": list(EXPRESSIONS), "threshold": 0.5}
    added = layers.add_result_layers(_result(gpkg), request, project)

    assert [l.name() for l in added] == [f"{e} (tiny)" for e in EXPRESSIONS]
    assert [l.featureCount() for l in added] == [3, 1]
    assert {f["expression"] for f in added[1].getFeatures()} == {EXPRESSIONS[1]}
    from rrsis_qgis._protocol import FEATURE_FIELDS

    assert {f.name() for f in added[0].fields()} >= set(FEATURE_FIELDS)
    group = project.layerTreeRoot().findGroup(layers.GROUP_NAME)
    assert [n.layerId() for n in group.findLayers()] == [l.id() for l in added]
    assert project.layerTreeRoot().children()[0] is group  # on top
    colours = [_category_colour(l, e) for l, e in zip(added, EXPRESSIONS)]
    assert colours[0] != colours[1]  # one colour per expression
    assert all(0 < c.alpha() < 255 for c in colours)  # translucent fill over the imagery
    meta = added[0].metadata()
    assert meta.title() == EXPRESSIONS[0]
    assert "tiny" in meta.abstract() and "/data/scene.tif" in meta.abstract()
    assert any(h.startswith("model_sha256: abab") for h in meta.history())
    assert "gsd_m: 0.5" in meta.history()
    assert existing.name() == "my points" and project.mapLayer(existing.id()) is existing


def test_rerun_adds_new_layers_and_changes_nothing_else(project, tmp_path):
    from rrsis_qgis import layers

    request = {"raster": "/data/scene.tif", "expressions": [EXPRESSIONS[0]]}
    first = layers.add_result_layers(_result(write_result_gpkg(tmp_path / "a.gpkg")), request, project)
    first[0].setName("renamed by the user")
    second = layers.add_result_layers(_result(write_result_gpkg(tmp_path / "b.gpkg")), request, project)
    assert first[0].id() != second[0].id()
    assert first[0].name() == "renamed by the user"
    assert second[0].name() == f"{EXPRESSIONS[0]} (tiny)"
    assert len(project.layerTreeRoot().findGroup(layers.GROUP_NAME).findLayers()) == 2
    assert first[0].source() != second[0].source()


def test_quotes_in_expressions_are_escaped_in_the_subset():
    from rrsis_qgis import layers

    assert layers.subset_for("the car's shadow") == "\"expression\" = 'the car''s shadow'"


def test_plan_text_of_a_result():
    from rrsis_qgis.plans import plan_text

    assert plan_text({}) == ""
    result = {"plans": {
        "cars along the road": {"plan": "grounded: car along road (<= 3 m)", "mode": "grounded",
                                "uncertain": False, "messages": [], "objects": 4},
        "xqzv blorf": {"plan": "nothing: no object matches", "mode": "nothing",
                       "uncertain": False, "objects": 0,
                       "messages": ["unknown word 'xqzv'", "unknown word 'blorf'",
                                    "no object matches"]}}}
    assert plan_text(result).splitlines() == [
        "cars along the road: grounded: car along road (<= 3 m) — 4 objects",
        "xqzv blorf: nothing: no object matches — 0 objects; unknown word 'xqzv'; "
        "unknown word 'blorf'; no object matches"]
    one = {"plans": {"trucks": {"plan": "grounded: truck", "objects": 1}}}
    assert plan_text(one) == "grounded: truck — 1 object"
    # colours read from other bands than 1, 2, 3 (the layer drawn so): said under the plan
    assert plan_text({**one, "bands": [3, 2, 1]}).splitlines() == [
        "grounded: truck — 1 object", "Bands 3, 2, 1 as red, green, blue"]
    assert plan_text({**one, "bands": [1, 2, 3]}) == plan_text({**one, "bands": [1, 1, 1]}) == \
        "grounded: truck — 1 object"


def _category_colour(layer, expression):
    renderer = layer.renderer()
    assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "expression"
    (category,) = [c for c in renderer.categories() if c.value() == expression]
    return category.symbol().color()


def test_reopened_geopackage_keeps_its_colours_and_provenance(project, tmp_path):
    """A fresh layer on the file (as after sending it to a colleague) shows the run's colours
    (default style in ``layer_styles``) and its provenance (``gpkg_metadata``)."""
    from rrsis_qgis import layers, styling

    gpkg = write_result_gpkg(tmp_path / "run.gpkg")
    result = dict(_result(gpkg), gsd_m=0.07436600960392922)
    request = {"raster": "/tmp/rendered.tif", "expressions": list(EXPRESSIONS),
               "_source": {"layer": "Orthophoto", "provider": "wms",
                           "source": "type=xyz&url=https://t.example/{z}/{x}/{y}.png"}}
    added = layers.add_result_layers(result, request, project)
    project.removeAllMapLayers()
    del added

    reopened = QgsVectorLayer(f"{gpkg}|layername=rrsis", "fresh", "ogr")
    assert reopened.isValid()
    colours = {e: _category_colour(reopened, e).name() for e in EXPRESSIONS}
    assert colours == {e: styling.colour_for(e) for e in EXPRESSIONS}
    assert len(set(colours.values())) == 2
    meta = reopened.metadata()
    assert meta.title() == "; ".join(EXPRESSIONS)
    history = meta.history()
    assert "gsd_m: 0.074" in history  # rounded, not 0.07436600960392922
    assert "model_sha256: " + "ab" * 32 in history and "device: cpu" in history
    assert "layer: Orthophoto" in history
    assert any(h.startswith("source: type=xyz&url=https://t.example/") for h in history)
    assert any(h.startswith("date: 20") for h in history)
    assert "/tmp/rendered.tif" not in meta.abstract()  # the temporary render is not the source


def test_an_expression_that_found_nothing_gets_no_layer(project, tmp_path):
    from rrsis_qgis import layers

    gpkg = write_result_gpkg(tmp_path / "run.gpkg", counts=(2, 0))
    result = dict(_result(gpkg), feature_counts={EXPRESSIONS[0]: 2, EXPRESSIONS[1]: 0})
    added = layers.add_result_layers(result, {"expressions": list(EXPRESSIONS)}, project)
    assert [l.name() for l in added] == [f"{EXPRESSIONS[0]} (tiny)"]


def test_colours_stay_with_their_expression_for_the_session():
    from rrsis_qgis import styling

    first = styling.colours_for(["roofs of red tiles", "cars in the car park"])
    again = styling.colours_for(["cars in the car park", "roofs of red tiles"])
    assert first == again[::-1] and first[0] != first[1]
    assert set(first) <= set(styling.PALETTE)


def test_result_fields_moved_to_the_protocol_with_a_warning(qgis_app):
    import pytest

    from rrsis_qgis import layers
    from rrsis_qgis._protocol import FEATURE_FIELDS

    with pytest.warns(DeprecationWarning, match="FEATURE_FIELDS"):
        assert layers.RESULT_FIELDS == tuple(FEATURE_FIELDS)
