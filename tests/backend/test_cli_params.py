"""rrsis.cli_params: the CLI's segment options are generated from the protocol's table."""

from __future__ import annotations

import argparse

import pytest

from rrsis.cli import build_parser
from rrsis.cli_params import add_param_options, flag_of, help_of, param_values
from rrsis.protocol import SEGMENT_PARAMS


def test_options_take_type_default_choices_and_help_from_the_table() -> None:
    parser = argparse.ArgumentParser()
    add_param_options(parser, ("threshold", "min_area_m2", "runtime", "regularize",
                               "batch_size"))
    args = parser.parse_args([])
    assert (args.threshold, args.min_area_m2, args.runtime, args.regularize,
            args.batch_size) == (0.5, None, "auto", False, 4)
    args = parser.parse_args(["--threshold", "0.3", "--min-area", "0", "--runtime", "onnx",
                              "--regularize", "--batch-size", "2"])
    assert param_values(args) == {"threshold": 0.3, "min_area_m2": 0.0, "runtime": "onnx",
                                  "regularize": True, "batch_size": 2}
    with pytest.raises(SystemExit):
        parser.parse_args(["--runtime", "tensorrt"])
    assert "range (0, 1)" in help_of(SEGMENT_PARAMS["threshold"])
    assert "16 working pixels" in help_of(SEGMENT_PARAMS["min_area_m2"])


def test_flags_keep_their_historical_names() -> None:
    assert [flag_of(n) for n in ("gsd_m", "min_area_m2", "simplify_m", "batch_size")] == \
        ["--gsd", "--min-area", "--simplify", "--batch-size"]


def test_segment_and_estimate_parse_to_the_same_options_as_the_server() -> None:
    from rrsis.cli.segment import _options
    from rrsis.engine.options import options_from_params

    argv = ["segment", "in.tif", "cars", "-o", "o.gpkg", "--min-area", "0", "--gsd", "0.3",
            "--threshold", "0.4", "--extent", "1,2,3,4,EPSG:32633", "--bands", "3,2,1"]
    cli_options = _options(build_parser("segment").parse_args(argv))
    wire = options_from_params({"raster": "in.tif", "expressions": ["cars"],
                                "output": "o.gpkg", "min_area_m2": 0.0, "gsd_m": 0.3,
                                "threshold": 0.4, "extent": [1, 2, 3, 4],
                                "extent_crs": "EPSG:32633", "bands": [3, 2, 1]})
    assert cli_options == wire
    est = _options(build_parser("estimate").parse_args(["estimate", "in.tif", "cars"]))
    assert est.min_area_m2 is None and est.threshold == 0.5 and est.output is None


def test_build_dataset_options_default_to_the_librarys_values() -> None:
    """No second copy of the dataset defaults: the CLI reads them off the library call."""
    import inspect

    from rrsis.training.region import build_region_dataset
    from rrsis.training.region.serve import parse_floats

    library = inspect.signature(build_region_dataset).parameters
    args = build_parser("build-dataset").parse_args(
        ["build-dataset", "r.tif", "l.gpkg", "--class", "building", "-o", "ds"])
    assert args.tile_size == library["tile_size"].default
    assert args.seed == library["seed"].default
    assert tuple(parse_floats(args.split, 3, "--split")) == tuple(library["split_shares"].default)
