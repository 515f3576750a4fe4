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


def test_specification_is_consistent() -> None:
    assert set(METHODS) == {"hello", "models", "segment", "estimate", "batch", "cancel",
                            "shutdown", "build_dataset", "finetune"}
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
