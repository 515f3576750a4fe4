"""rrsis_qgis.params: every face of the segment parameters agrees with the protocol's table.

One table (``SEGMENT_PARAMS`` in ``rrsis/protocol.py``, copied as ``rrsis_qgis/_protocol.py``)
defines each parameter; the engine's options, the CLI, Processing, the dock, the settings and
docs/protocol.md must say the same, and the minimum area means the same end to end.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest
from qgis.core import QgsApplication, QgsRasterLayer, QgsVectorLayer

from conftest import REPO, wait_until, write_geotiff

BACKEND = REPO / "backend"


def _backend_modules() -> Tuple[Any, Any]:
    """The backend's stdlib-only modules (protocol, engine options), imported from source."""
    if str(BACKEND) not in sys.path:
        sys.path.insert(0, str(BACKEND))
    from rrsis import protocol
    from rrsis.engine import options

    return protocol, options


#: run by the backend's interpreter: every option of a command, as JSON (batch needs Dask)
_DUMP_CLI = """
import json, sys
from rrsis import cli
out = {}
for argv in json.loads(sys.argv[1]):
    parser = cli.build_parser(argv[0])
    args = vars(parser.parse_args(argv))
    sub = next(a for a in parser._actions if a.dest == 'command').choices[argv[0]]
    out[argv[0]] = {a.dest: {'flags': a.option_strings, 'default': args.get(a.dest),
                             'choices': list(a.choices or ())} for a in sub._actions}
print(json.dumps(out))
"""


def _cli_disagreements(backend_python: str, table: Dict[str, Any]) -> list:
    import json
    import subprocess  # nosec B404: the real backend CLI

    from rrsis.cli_params import flag_of

    argvs = [["segment", "in.tif", "x", "-o", "o.gpkg"], ["estimate", "in.tif", "x"],
             ["batch", "in.tif", "-o", "out"]]
    done = subprocess.run([backend_python, "-c", _DUMP_CLI, json.dumps(argvs)],  # nosec B603
                          capture_output=True, text=True, timeout=120, check=True)
    problems = []
    dumped = json.loads(done.stdout)
    for command, options in dumped.items():
        for name, fld in table.items():
            option = options.get(name)
            if option is None or name in ("raster", "expressions", "extent", "bands", "output"):
                continue
            if flag_of(name) not in option["flags"]:
                problems.append(f"{command} {name}: flags {option['flags']}")
            want = bool(fld.default) if fld.kind == "bool" else fld.default
            if option["default"] != want:
                problems.append(f"{command} {name}: default {option['default']!r} != {want!r}")
            if tuple(option["choices"]) != fld.choices:
                problems.append(f"{command} {name}: choices {option['choices']} != {fld.choices}")
    own = {"raster", "expressions", "extent", "extent_crs", "bands", "output"}  # parsed by hand
    missing = set(table) - own - set(dumped["segment"])
    if missing:
        problems.append(f"segment: no option for {sorted(missing)}")
    return problems


def test_every_face_agrees_with_the_protocol_table(backend_python, clean_settings, provider,
                                                  dock) -> None:
    from rrsis_qgis import _protocol, params, settings

    protocol, options = _backend_modules()
    table = _protocol.SEGMENT_PARAMS
    problems = []
    # the plugin's copy is the backend's table
    if (REPO / "rrsis_qgis" / "_protocol.py").read_bytes() != \
            (BACKEND / "rrsis" / "protocol.py").read_bytes():
        problems.append("rrsis_qgis/_protocol.py differs from backend/rrsis/protocol.py")
    # the engine: SegmentOptions has the table's fields, in order, with its defaults
    fields = dataclasses.fields(options.SegmentOptions)
    if [f.name for f in fields] != list(table):
        problems.append(f"SegmentOptions fields {[f.name for f in fields]} != table")
    for f in fields:
        if f.default is not dataclasses.MISSING and f.default != table[f.name].default:
            problems.append(f"SegmentOptions.{f.name} = {f.default!r} != {table[f.name].default!r}")
    # the CLI: segment, estimate and batch options
    problems += _cli_disagreements(backend_python, table)
    # Processing: the same ranges and defaults in every algorithm that has them
    registry = QgsApplication.processingRegistry()
    for alg_id in ("rrsis:segment", "rrsis:estimate", "rrsis:segment_many"):
        algorithm = registry.algorithmById(alg_id)
        for key, name in (("THRESHOLD", "threshold"), ("MIN_AREA", "min_area_m2"),
                          ("GSD", "gsd_m"), ("OVERLAP", "overlap")):
            definition = algorithm.parameterDefinition(key)
            lo, hi = table[name].form_range()
            if name == "gsd_m":
                lo = 0.0  # 0 stands for null ("auto")
            got = (definition.minimum(), definition.maximum())
            if got != (lo, hi):
                problems.append(f"{alg_id} {key}: range {got} != {(lo, hi)}")
            want = 0.0 if name == "gsd_m" else table[name].default
            if definition.defaultValue() != want:
                problems.append(f"{alg_id} {key}: default {definition.defaultValue()} != {want}")
    # the dock: spin box ranges (a nullable one has one more step below: null) and values
    for box, name, null in ((dock.threshold, "threshold", False),
                            (dock.min_area, "min_area_m2", True), (dock.gsd, "gsd_m", True),
                            (dock.overlap, "overlap", False)):
        lo, hi = table[name].form_range()
        lo -= (table[name].step or 0) if null else 0
        if (box.minimum(), box.maximum()) != pytest.approx((lo, hi)):
            problems.append(f"dock {name}: range {(box.minimum(), box.maximum())} != {(lo, hi)}")
    if dock.threshold.value() != table["threshold"].default or \
            params.min_area_to_wire(dock.min_area.value()) != table["min_area_m2"].default or \
            dock.gsd.value() != 0:
        problems.append("dock: initial values differ from the table's")
    # the settings' defaults
    for key in ("threshold", "min_area_m2", "device", "runtime", "regularize", "flip_average",
                "rivals", "stretch", "overlap"):
        value = settings.DEFAULTS[key]
        if key == "min_area_m2":  # below 0 stands for null, the backend's default
            value = params.min_area_to_wire(value)
        if value != table[key].default:
            problems.append(f"settings {key}: {value!r} != {table[key].default!r}")
    if settings.RUNTIMES != table["runtime"].choices or \
            settings.THRESHOLD_RANGE != table["threshold"].form_range():
        problems.append("settings RUNTIMES/THRESHOLD_RANGE differ from the table")
    # the docs: the committed table is the generated one
    if protocol.params_markdown() not in (REPO / "docs" / "protocol.md").read_text("utf-8"):
        problems.append("docs/protocol.md: refresh with python -m rrsis.protocol --markdown")
    assert problems == [], problems
    assert params.form_range("threshold") == (0.01, 0.99)  # the engine's open (0, 1)
    assert 0.0 < dock.threshold.minimum() and dock.threshold.maximum() < 1.0


def test_expressions_split_once_for_dock_and_processing(qgis_app) -> None:
    from rrsis_qgis.params import split_expressions

    assert split_expressions("  cars \n\n roofs\n") == ["cars", "roofs"]
    assert split_expressions("") == [] and split_expressions("  \n ") == []


def test_minimum_area_wire_values(qgis_app) -> None:
    from rrsis_qgis.params import MIN_AREA_DEFAULT, min_area_from_wire, min_area_to_wire

    assert min_area_to_wire(MIN_AREA_DEFAULT) is None and min_area_to_wire(None) is None
    assert min_area_to_wire(0.0) == 0.0 and min_area_to_wire(2.5) == 2.5
    assert min_area_from_wire(None) == MIN_AREA_DEFAULT and min_area_from_wire(0) == 0.0


@pytest.mark.usefixtures("backend_settings")
def test_minimum_area_null_is_the_default_and_zero_keeps_a_tiny_object(provider, project, dock,
                                                                      tmp_path: Path) -> None:
    """A 2 x 2-pixel raster at 0.5 m, all foreground for the 'everywhere' model: one 1 m² object,
    below the default (16 working pixels = 4 m²). Null drops it, 0 keeps it: Processing and dock."""
    import processing

    raster = write_geotiff(tmp_path / "tiny.tif", size=(2, 2), pattern="flat")

    def processing_count(min_area: Any, name: str) -> int:
        result = processing.run("rrsis:segment", {
            "INPUT": str(raster), "EXPRESSION": "cars", "MODEL": "everywhere", "DEVICE": 1,
            "MIN_AREA": min_area, "OUTPUT": str(tmp_path / name)})
        return QgsVectorLayer(result["OUTPUT"], "out", "ogr").featureCount()

    assert processing_count(0, "zero.gpkg") == 1
    assert processing_count(None, "default.gpkg") == 0
    layer = QgsRasterLayer(str(raster), "tiny")
    project.addMapLayer(layer)
    dock.raster.setLayer(layer)
    dock.expression.setCurrentText("cars")
    dock.extent.setCurrentIndex(dock.extent.findData("layer"))
    for value, found in ((dock.min_area.minimum(), 0), (0.0, 1)):
        dock.min_area.setValue(value)
        assert dock.build_segment_request()["min_area_m2"] == (None if value < 0 else 0.0)
        dock.outcomes.clear()
        dock.run_button.click()
        assert wait_until(lambda: dock.outcomes, timeout=300)
        outcome, added = dock.outcomes[0]
        assert outcome == "ok"
        vectors = [lyr for lyr in added if isinstance(lyr, QgsVectorLayer)]
        assert sum(lyr.featureCount() for lyr in vectors) == found
    from rrsis_qgis import settings

    assert settings.get("min_area_m2") == 0.0  # the last run's choice is remembered as set
