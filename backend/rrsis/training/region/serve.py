"""The server's ``build_dataset`` and ``finetune`` handlers: wire params -> the library calls."""

from __future__ import annotations

from typing import Any, Callable, Dict

__all__ = ["build_dataset", "finetune", "parse_floats"]


def parse_floats(text: str, n: int, what: str) -> tuple:
    """"1,2,3" -> (1.0, 2.0, 3.0), exactly ``n`` of them (``what`` names the value in errors)."""
    from ...errors import InputError

    try:
        values = tuple(float(x) for x in text.split(","))
    except ValueError:
        values = ()
    if len(values) != n:
        raise InputError(f"{what} must be {n} comma-separated numbers, got {text!r}")
    return values


def build_dataset(params: Dict[str, Any], progress: Callable[[Any], None],
                  cancel: Callable[[], bool]) -> Dict[str, Any]:
    from .build import build_region_dataset

    p = dict(params)
    kwargs: Dict[str, Any] = {
        "class_field": p.get("class_field"), "fixed_class": p.get("fixed_class"),
        "words": p.get("words"), "layer": p.get("layer"), "gsd_m": p.get("gsd_m"),
        "extent_crs": p.get("extent_crs"),
        "extent": p.get("extent"), "test_extent": p.get("test_extent"),
        "bands": p.get("bands"), "overwrite": bool(p.get("overwrite", False)),
        "line_width_m": float(p.get("line_width_m") or 0.0),
        "point_radius_m": float(p.get("point_radius_m") or 0.0),
        "line_width_field": p.get("line_width_field") or None,
        "point_radius_field": p.get("point_radius_field") or None,
        "negative_tiles": bool(p.get("negative_tiles", True)),
        "copy_raster": bool(p.get("copy_raster", False)),
        "copy_labels": bool(p.get("copy_labels", False)),
        "pixel_coordinates": bool(p.get("pixel_coordinates", False)),
        "pixel_size_m": p.get("pixel_size_m"), "pixel_y": p.get("pixel_y") or "down"}
    if p.get("tile_size"):
        kwargs["tile_size"] = int(p["tile_size"])
    if p.get("split"):
        kwargs["split_shares"] = parse_floats(p["split"], 3, "split")
    return build_region_dataset(p["raster"], p["labels"], p["output"], progress=progress,
                                cancelled=cancel, **kwargs)


def finetune(params: Dict[str, Any], progress: Callable[[Any], None],
             cancel: Callable[[], bool]) -> Dict[str, Any]:
    from .finetune import finetune_region

    p = dict(params)
    return finetune_region(
        p["dataset"], p["name"], base_model=p.get("model"), minutes=float(p.get("minutes", 15)),
        max_iters=p.get("max_iters"), lr=p.get("lr"), licence=p.get("licence"),
        attribution=p.get("attribution"), out=p.get("out"), device=p.get("device", "auto"),
        threads=p.get("threads"), overwrite=bool(p.get("overwrite", False)),
        base_where_better=bool(p.get("base_where_better", True)),
        progress=progress, cancelled=cancel)
