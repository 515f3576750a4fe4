"""rrsis.engine.options: SegmentOptions and its checks come from the protocol's table."""

from __future__ import annotations

import dataclasses

import pytest

from rrsis.engine.options import SegmentOptions, check_options, options_from_params
from rrsis.errors import InputError
from rrsis.protocol import SEGMENT_PARAMS


def test_fields_order_and_defaults_are_the_tables() -> None:
    fields = dataclasses.fields(SegmentOptions)
    assert [f.name for f in fields] == list(SEGMENT_PARAMS)
    for f in fields:
        if f.default is not dataclasses.MISSING:
            assert f.default == SEGMENT_PARAMS[f.name].default, f.name


def test_old_import_path_still_gives_the_same_class() -> None:
    from rrsis.engine import SegmentOptions as lazy
    from rrsis.engine.run import SegmentOptions as old

    assert old is SegmentOptions and lazy is SegmentOptions


@pytest.mark.parametrize("name,value,match", [
    ("threshold", 0.0, r"threshold must be in \(0, 1\), got 0"),
    ("threshold", 1.0, r"threshold must be in \(0, 1\)"),
    ("overlap", 0.9, r"overlap must be in \[0, 0.9\)"),
    ("batch_size", 0, r"batch_size must be in \[1, inf\)"),
    ("min_area_m2", -1.0, r"min_area_m2 must be in \[0, inf\)"),
    ("simplify_m", -0.5, r"simplify_m must be in \[0, inf\)"),
    ("probability_dtype", "int16", "probability_dtype must be one of uint8, float32"),
    ("grounding", "maybe", "grounding must be one of auto, on, off"),
    ("runtime", "tensorrt", "runtime must be one of auto, onnx, torch"),
    ("threshold", "0.5", "threshold must be a number"),
    ("threads", 5000, "threads must be between 1 and 1024"),
    ("gsd_m", 1e5, "the GSD must be between 0.001 and 10000 m"),
])
def test_values_outside_the_table_are_refused_naming_the_limit(name: str, value: object,
                                                                match: str) -> None:
    options = SegmentOptions("in.tif", ["cars"])
    setattr(options, name, value)
    with pytest.raises(InputError, match=match):
        check_options(options)


def test_ends_of_the_ranges_that_are_closed_are_accepted() -> None:
    options = SegmentOptions("in.tif", [" cars "], threshold=0.01, overlap=0.0, batch_size=1,
                             min_area_m2=0.0, simplify_m=0.0, gsd_m=1e-3, threads=0)
    assert check_options(options) == ["cars"]
    assert check_options(SegmentOptions("in.tif", ["x"], min_area_m2=None)) == ["x"]


def test_wire_params_become_options_with_tuples_and_table_defaults() -> None:
    options = options_from_params({"raster": "a.tif", "expressions": ["x"], "min_area_m2": None,
                                   "extent": [0, 1, 2, 3], "bands": [3, 2, 1],
                                   "not_known_but_null": None})
    assert options.extent == (0.0, 1.0, 2.0, 3.0) and options.bands == (3, 2, 1)
    assert options.min_area_m2 is None and options.threshold == 0.5
    with pytest.raises(InputError, match="does not support the option 'future'"):
        options_from_params({"raster": "a.tif", "expressions": ["x"], "future": 1})
