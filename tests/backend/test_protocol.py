"""The wire format (rrsis.protocol): round trips, validation, the plugin's copy, no torch."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rrsis import protocol
from rrsis.protocol import (METHODS, PROTOCOL_VERSION, SEGMENT_PARAMS, Error, Hello, Progress,
                            ProtocolError, Request, Result, decode, encode)

from helpers.data import REPO

SEGMENT = {"raster": "/data/a.tif", "expressions": ["vehicles along the road"],
           "extent": [0.0, 1.0, 10.0, 11.0], "extent_crs": "EPSG:32617", "model": None,
           "threads": 2, "threshold": 0.4, "bands": [1, 2, 3], "pixel_coordinates": False}


def test_plugin_copy_is_identical() -> None:
    backend = (REPO / "backend" / "rrsis" / "protocol.py").read_bytes()
    plugin = (REPO / "rrsis_qgis" / "_protocol.py").read_bytes()
    assert plugin == backend, "run: cp backend/rrsis/protocol.py rrsis_qgis/_protocol.py"


@pytest.mark.parametrize("module", ["rrsis.protocol", "rrsis_qgis._protocol", "rrsis_qgis.client"])
def test_imports_without_torch(module: str) -> None:
    code = (f"import sys, {module}; heavy = [m for m in ('torch', 'numpy', 'rasterio', 'qgis') "
            f"if m in sys.modules]; assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=60)


@pytest.mark.parametrize("msg", [
    Request("segment", "r1", SEGMENT),
    Request("cancel", "r1"),
    Request("hello", "h", {"protocol": PROTOCOL_VERSION}),
    Hello(PROTOCOL_VERSION, "0.1.0", "2.5", "3.11", 42, [{"name": "cpu"}], [], ["lgce-lite"]),
    Hello(PROTOCOL_VERSION, "0.1.0", id="h"),
    Progress("r1", 0.25, 2, 8, 3.5, "segment"),
    Result("r1", {"output": "/tmp/x.gpkg", "feature_counts": {"cars": 3}}),
    Error("r1", "bad_input", "raster not found", "trace"),
    Error(None, "malformed", "not JSON"),
], ids=lambda m: type(m).__name__)
def test_round_trip(msg: protocol.Message) -> None:
    line = encode(msg)
    assert "\n" not in line and line.isascii()
    assert decode(line) == msg
    assert decode(line.encode()) == msg


def test_encode_non_finite_becomes_null() -> None:
    line = encode(Progress("r", 0.5, 1, 2, math.inf, "segment"))
    assert json.loads(line)["eta_s"] is None
    assert json.loads(encode(Result("r", {"x": [math.nan, 1.0]})))["result"]["x"] == [None, 1.0]


@pytest.mark.parametrize("line, code, rid", [
    ("not json", "malformed", None),
    ("[1, 2]", "malformed", None),
    ('{"id": "a"}', "malformed", "a"),
    ('{"type": "segment"}', "malformed", None),
    ('{"type": "segment", "id": ""}', "malformed", None),
    ('{"type": "teleport", "id": "a"}', "unknown_method", "a"),
    ('{"type": "models", "id": "a", "params": []}', "bad_params", "a"),
    ('{"type": "models", "id": "a", "extra": 1}', "malformed", "a"),
    ('{"type": "segment", "id": "a", "params": {"expressions": ["x"]}}', "bad_params", "a"),
    ('{"type": "segment", "id": "a", "params": {"raster": "r", "expressions": []}}',
     "bad_params", "a"),
    ('{"type": "segment", "id": "a", "params": {"raster": "r", "expressions": [" "]}}',
     "bad_params", "a"),
    ('{"type": "segment", "id": "a", "params": {"raster": "r", "expressions": ["x"], '
     '"threads": true}}', "bad_params", "a"),
    ('{"type": "segment", "id": "a", "params": {"raster": "r", "expressions": ["x"], '
     '"extent": [10, 0, 0, 10]}}', "bad_params", "a"),
    ('{"type": "segment", "id": "a", "params": {"raster": "r", "expressions": ["x"], '
     '"treshold": 0.3}}', "bad_params", "a"),
    ('{"type": "segment", "id": "a", "params": {"raster": "r", "expressions": ["x"], '
     '"device": null}}', "bad_params", "a"),
    ('{"type": "hello", "id": "h", "params": {}}', "bad_params", "h"),
    ('{"type": "progress", "id": "a", "fraction": "half"}', "malformed", "a"),
    ('{"type": "result", "id": "a", "result": {}, "bogus": 1}', "malformed", "a"),
    ("[" * 100_000, "malformed", None),
    (b"\xff\xfe", "malformed", None),
])
def test_decode_rejects(line: object, code: str, rid: object) -> None:
    with pytest.raises(ProtocolError) as info:
        decode(line)  # type: ignore[arg-type]
    assert info.value.code == code
    assert info.value.request_id == rid
    assert info.value.code in protocol.ERROR_CODES


def test_unknown_parameter_message_names_the_known_ones() -> None:
    with pytest.raises(ProtocolError, match="treshold.*known:.*threshold"):
        protocol.validate_params("segment", {"raster": "r", "expressions": ["x"],
                                             "treshold": 0.5})


def test_a_runaway_list_of_expressions_is_refused_by_every_face() -> None:
    """A 16 MB line can hold a million expressions: each is read apart (explain answers on
    the reader thread), so the server, the engine and explain all stop at MAX_EXPRESSIONS."""
    from rrsis.engine.checks import check_expressions
    from rrsis.engine.explain import explain_plans
    from rrsis.errors import InputError

    many = ["cars"] * (protocol.MAX_EXPRESSIONS + 1)
    for method in ("segment", "explain", "estimate"):
        with pytest.raises(protocol.ProtocolError, match=r"'expressions' has 101 items: at "
                                                         r"most 100 in one request") as info:
            raster = {} if method == "explain" else {"raster": "a.tif"}
            protocol.validate_params(method, {**raster, "expressions": many})
        assert info.value.code == "bad_params"
    protocol.validate_params("explain", {"expressions": many[:-1]})
    with pytest.raises(InputError, match="101 expressions: at most 100 in one run"):
        check_expressions(many)
    with pytest.raises(InputError, match="at most 100"):
        explain_plans(many)


def test_specification_is_consistent() -> None:
    assert set(METHODS) == {"hello", "models", "segment", "estimate", "explain", "batch",
                            "cancel", "shutdown", "build_dataset", "finetune"}
    assert {n for n, s in METHODS.items() if s.queued} == {"segment", "estimate", "batch",
                                                           "build_dataset", "finetune"}
    assert [n for n, f in SEGMENT_PARAMS.items() if f.required] == ["raster", "expressions"]
    assert set(protocol.EVENTS) == {"hello", "progress", "result", "error"}


_json = st.recursive(
    # no subnormals: an ONNX Runtime session earlier in this process sets flush-to-zero
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_subnormal=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200),
    _json.map(json.dumps),
    st.fixed_dictionaries(
        {"type": st.sampled_from(sorted(METHODS) + list(protocol.EVENTS) + ["x", ""])},
        optional={"id": _json | st.text(max_size=5), "params": _json,
                  "fraction": _json, "result": _json, "protocol": _json,
                  "backend": _json}).map(json.dumps),
))
def test_decode_raises_only_protocol_errors(line: object) -> None:
    try:
        msg = decode(line)  # type: ignore[arg-type]
    except ProtocolError as exc:
        assert exc.code in protocol.ERROR_CODES
        return
    assert decode(encode(msg)) == msg  # whatever is accepted survives a round trip


# --- the parameter table: one definition of each segment parameter -------------------------
def test_table_defaults_lie_within_their_own_range_and_choices() -> None:
    for name, fld in SEGMENT_PARAMS.items():
        assert fld.out_of_range(fld.default) is None, name
        if fld.choices:
            assert fld.default in fld.choices, name
        if fld.minimum is not None or fld.maximum is not None:
            assert fld.kind in ("number", "int"), name
            lo, hi = fld.form_range()
            assert fld.out_of_range(lo) is None and fld.out_of_range(hi) is None, name


@pytest.mark.parametrize("name,refused,accepted", [
    ("threshold", [0.0, 1.0, -0.1, 1.5], [0.01, 0.5, 0.99]),  # open (0, 1)
    ("overlap", [-0.01, 0.9, 1.0], [0.0, 0.25, 0.89]),        # [0, 0.9)
    ("min_area_m2", [-1.0, -1e-9], [0.0, 1.0, 1e6, None]),     # [0, inf); null: the default
    ("batch_size", [0, -1], [1, 64]),
    ("probability_dtype", ["int16"], ["uint8", "float32"]),
])
def test_interval_ends_are_open_or_closed_as_written(name: str, refused: list,
                                                     accepted: list) -> None:
    fld = SEGMENT_PARAMS[name]
    assert [v for v in refused if fld.out_of_range(v) is None] == []
    assert [v for v in accepted if fld.out_of_range(v) is not None] == []


@pytest.mark.parametrize("name", [n for n, f in SEGMENT_PARAMS.items() if f.kind == "number"])
def test_a_number_that_is_not_finite_is_refused(name: str) -> None:
    """NaN compares false with every limit: without its own check it passed them all."""
    fld = SEGMENT_PARAMS[name]
    for value in (float("nan"), float("inf"), float("-inf")):
        assert "must be a finite number" in (fld.out_of_range(value) or ""), (name, value)


def test_form_range_moves_open_ends_in_by_one_step() -> None:
    assert SEGMENT_PARAMS["threshold"].interval() == "(0, 1)"
    assert SEGMENT_PARAMS["threshold"].form_range() == (0.01, 0.99)
    assert SEGMENT_PARAMS["overlap"].form_range() == (0.0, 0.89)
    assert SEGMENT_PARAMS["min_area_m2"].form_range(100.0) == (0.0, 100.0)
    assert SEGMENT_PARAMS["min_area_m2"].interval() == "[0, inf)"


def test_markdown_table_has_one_row_per_parameter_and_is_in_the_docs() -> None:
    text = protocol.params_markdown()
    rows = text.splitlines()[2:]
    assert [r.split("`")[1] for r in rows] == list(SEGMENT_PARAMS)
    assert all(r.count(" | ") == 4 for r in rows)  # a '|' inside a cell is escaped
    docs = (REPO / "docs" / "protocol.md").read_text("utf-8")
    assert text in docs, "refresh docs/protocol.md: python -m rrsis.protocol --markdown"


def test_progress_event_is_the_request_id_plus_the_task_progress() -> None:
    task = protocol.TaskProgress(0.5, 2, 4, 1.5, "segment")
    event = Progress.of("r1", task)
    assert event == Progress("r1", 0.5, 2, 4, 1.5, "segment")  # positional order kept
    assert isinstance(event, protocol.TaskProgress)
    assert [f for f in event.__dataclass_fields__] == ["id"] + list(task.__dataclass_fields__)
    assert json.loads(protocol.encode(event)) == {"type": "progress", "id": "r1",
                                                  "fraction": 0.5, "tiles_done": 2,
                                                  "tiles_total": 4, "eta_s": 1.5,
                                                  "stage": "segment"}


def test_choices_elsewhere_in_the_backend_are_the_tables() -> None:
    from rrsis.device import PRECISIONS
    from rrsis.engine.output import FIELDS
    from rrsis.engine.run import Progress as EngineProgress
    from rrsis.engine.runtime import RUNTIMES
    from rrsis.grounding.engine import GROUNDING_MODES

    assert PRECISIONS == SEGMENT_PARAMS["precision"].choices
    assert RUNTIMES == SEGMENT_PARAMS["runtime"].choices
    assert GROUNDING_MODES == SEGMENT_PARAMS["grounding"].choices
    assert list(FIELDS) == list(protocol.FEATURE_FIELDS)
    assert EngineProgress is protocol.TaskProgress
