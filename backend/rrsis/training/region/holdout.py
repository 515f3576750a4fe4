"""Before/after on the held-out part, measured through the engine (what the user will get).

    python -m rrsis.training.region.holdout DATASET MODEL... [--part train|val|test] [--gsd M]

Each model segments the held-out rectangle of the raster with each category word via
:func:`rrsis.engine.run.segment` (its own served GSD, stretch over that area, tiling and
vectorising); its polygons and the labelled ones are rasterised on the dataset's grid
over that rectangle and compared: IoU = |prediction ∩ labels| / |prediction ∪ labels|.
``--part`` scores another part of the dataset the same way (the training or validation
strip), which is how recipe and serving choices are made without looking at the held-out part.
Several models are scored one after the other, a line each: the weights ``finetune
--keep-validations`` kept at every validation of a run, to see where along it the part is
segmented best.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

import numpy as np

from ...paths import scratch_folder
from ...scores import object_matches
from .area import FEW_OBJECTS
from .labels import (RegionLabels, as_areas, pixel_frame_of, read_region_labels,
                     strip_classes, to_crs)

__all__ = ["heldout_iou", "held_out_part", "base_better_classes",
           "BASE_MARGIN", "before_after_report", "main"]

SPLITS = ("train", "val", "test")

PathLike = Union[str, Path]


#: the share of a part a class's labelled area must cover for its IoU to be measured there
#: when none of its objects counts in the part (their representative points lie elsewhere)
MEASURED_SHARE = 0.01


def held_out_part(summary: Dict[str, Any], split: Optional[str] = None
                  ) -> Optional[Dict[str, Any]]:
    """The test part of a dataset summary (else val), or the part of ``split``, with
    labelled objects in it."""
    for split in ("test", "val") if split is None else (split,):
        for p in summary.get("parts", []):
            if p["split"] == split and p.get("objects"):
                return p
    return None


def _rasterize(geoms: List[Any], bounds: List[float], res: float) -> np.ndarray:
    from rasterio.features import rasterize
    from rasterio.transform import from_origin

    w = max(1, int(round((bounds[2] - bounds[0]) / res)))
    h = max(1, int(round((bounds[3] - bounds[1]) / res)))
    if not geoms:
        return np.zeros((h, w), bool)
    return rasterize([(g, 1) for g in geoms], out_shape=(h, w),
                     transform=from_origin(bounds[0], bounds[3], res, res), fill=0,
                     dtype="uint8").astype(bool)


def heldout_iou(dataset: PathLike, model: str, *, device: str = "auto",
                threads: Optional[int] = None, cancel: Optional[Callable[[], bool]] = None,
                split: Optional[str] = None, keep: Optional[PathLike] = None,
                gsd_m: Optional[float] = None, flip_average: bool = False,
                threshold: Optional[float] = None) -> Dict[str, Any]:
    """IoU per category word of ``model`` on the dataset's held-out part (or the part of
    ``split``), with object counts. ``keep``: a file name prefix; each class's polygons are
    kept as ``<keep>-<class>.gpkg`` (its ``polygons`` in the result), to be looked at.
    ``gsd_m``: serve at this GSD instead of the card's (to choose a served range);
    ``flip_average``: the engine's test-time flips (to choose whether a card asks for them);
    ``threshold``: the probability at which a pixel is foreground, instead of the engine's 0.5
    (to choose an operating point)."""
    import pyogrio.raw
    import shapely
    from rasterio.crs import CRS

    from ...engine.grid import metres_per_unit
    from ...engine.raster_io import open_info
    from ...engine.run import SegmentOptions, segment

    summary = json.loads((Path(dataset) / "dataset.json").read_text())
    part = held_out_part(summary, split)
    if part is None:
        return {}
    bounds, crs = part["bounds"], summary["crs"]
    # a raster without a CRS: everything in its pixel units, read as the build read them
    frame = summary.get("pixel_frame") if crs is None else None
    pixels = {"pixel_coordinates": True, **frame} if frame else {}   # pixel_y, pixel_size_m
    unit_m = float(frame["pixel_size_m"]) if frame else \
        metres_per_unit(CRS.from_user_input(crs), bounds)
    res = float(summary["gsd_m"]) / (unit_m if frame else 1.0)
    box = shapely.box(*bounds)
    fields = (summary.get("line_width_field"), summary.get("point_radius_field"))
    # a mask on the pixels of an image without a CRS is read in them, as the build read it
    pixels_of = pixel_frame_of(open_info(summary["source_raster"], True,
                                         pixel_y=frame["pixel_y"])) if frame else None
    lab = read_region_labels(summary["source_labels"], summary.get("class_field"),
                             summary.get("fixed_class"), summary.get("source_layer"),
                             [f for f in fields if f], pixels_of)
    if not frame:
        lab = to_crs(lab, crs)
    strips = strip_classes(lab)
    geoms, classes = as_areas(lab, summary.get("line_width_m") or 0.0,
                              summary.get("point_radius_m") or 0.0, unit_m, *fields)
    out: Dict[str, Any] = {"split": part["split"], "area_m2": part["area_m2"],
                           "data_area_m2": part.get("data_area_m2", part["area_m2"]),
                           "classes": {}}
    for cls, words in summary["classes"].items():
        if not words:
            continue
        # clipped once; an object counts where its representative point lies
        clipped = [(g.intersection(box), g.representative_point().within(box))
                   for g, c in zip(geoms, classes) if c == cls and g.intersects(box)]
        truth = [g for g, _ in clipped]
        counted = [g for g, inside in clipped if inside]
        objects = len(counted)
        with scratch_folder("heldout") as tmp:
            gpkg = str(Path(tmp) / "pred.gpkg") if keep is None else \
                f"{keep}-{_file_word(words[0])}.gpkg"
            result = segment(SegmentOptions(
                raster=summary["source_raster"], expressions=[words[0]], output=gpkg,
                extent=tuple(bounds), extent_crs=crs, model=model, device=device,
                threads=threads, bands=tuple(summary["bands"]), overwrite=keep is not None,
                flip_average=flip_average, **pixels,
                **({"gsd_m": gsd_m} if gsd_m is not None else {}),
                **({"threshold": threshold} if threshold is not None else {})),
                cancel=cancel)
            pred: List[Any] = []
            if sum(result.feature_counts.values()):
                meta, _, wkb, _ = pyogrio.raw.read(gpkg, layer=result.layer)
                pred = list(shapely.from_wkb(wkb))
                if not frame:
                    pred = to_crs(RegionLabels(pred, [""] * len(pred), meta.get("crs")),
                                  crs).geometries
        p, t = _rasterize(pred, bounds, res), _rasterize(truth, bounds, res)
        inter, union = int((p & t).sum()), int((p | t).sum())
        labelled_m2 = float(t.sum()) * (res * unit_m) ** 2
        out["classes"][cls] = {
            # a land-cover map's lake or road network that spans the parts counts as an
            # object in one (its representative point's); its area is measured in each
            "measured": bool(objects) or labelled_m2 >= MEASURED_SHARE * out["data_area_m2"],
            "labelled_m2": round(labelled_m2, 1),
            "expression": words[0], "iou": inter / union if union else 0.0,
            "precision": inter / int(p.sum()) if p.any() else 0.0,
            "recall": inter / int(t.sum()) if t.any() else 0.0,
            "objects": objects, "predicted_objects": len(pred), "served_gsd_m": result.gsd_m,
            **object_matches(counted, pred, strips=cls in strips),
            **({"strips": True} if cls in strips else {})}
        if keep is not None:
            out["classes"][cls].update(polygons=gpkg, layer=result.layer)
        unknown = (result.plans.get(words[0]) or {}).get("unknown_words")
        if unknown:   # a model that does not know the class's words: it cannot find them
            out["classes"][cls]["unknown_words"] = list(unknown)
    return out



#: how much higher the base's IoU on the validation part must be for a class to be left to it:
#: more than the same recipe moves from one training to the next on one part (0.03 on the
#: halves of the Atlanta training area), so that two models that both miss a class there
#: (0.026 against 0.000 on a strip with 2 buildings) do not throw the new one away
BASE_MARGIN = 0.05


def base_better_classes(base: Dict[str, Any], new: Dict[str, Any]) -> Dict[str, Any]:
    """class word (the card's category: "vegetation" of a class coded 4) -> how it was
    measured, for each class the base model segmented better than the new one on a part
    (``heldout_iou`` of each on the validation part): measured there, the base knows the
    class's words, and its IoU is higher by ``BASE_MARGIN`` at least. What ``finetune`` leaves
    to the base (the card's ``base_classes``): fine-tuning on a region wears away what the base
    knew of a class the region shows rarely (measured: the water of a Dubai scene)."""
    out: Dict[str, Any] = {}
    for cls, row in (new or {}).get("classes", {}).items():
        was = (base or {}).get("classes", {}).get(cls)
        if not was or not _measured(row) or was.get("unknown_words"):
            continue
        if was["iou"] >= row["iou"] + BASE_MARGIN:
            out[row["expression"]] = {"part": new.get("split"), "objects": row["objects"],
                                      "iou_base": round(float(was["iou"]), 4),
                                      "iou_new": round(float(row["iou"]), 4),
                                      **({} if row["objects"] else
                                         {"labelled_m2": row["labelled_m2"]})}
    return out


def before_after_report(before: Dict[str, Any], after: Dict[str, Any], base: str, new: str,
                        base_classes: Optional[Dict[str, Any]] = None
                        ) -> Dict[str, List[str]]:
    """The before/after of ``finetune`` in words: ``lines`` (one per class) and ``warnings``
    (a new model not better than its base on the held-out part, with what to do; a held-out
    part too small to measure firmly). ``base_classes`` (:func:`base_better_classes`): the
    classes the new model leaves to its base, said as such. What the CLI prints and the
    plugin logs: one wording."""
    classes = (after or {}).get("classes", {})
    to_base = base_classes or {}
    if not classes:
        return {"lines": [], "warnings": []}
    lines = [f"held-out part: {after.get('data_area_m2', after.get('area_m2', 0)):.0f} m2 "
             f"with data; {base} -> {new}"]
    worse, few = [], 0
    for cls, row in classes.items():
        was = (before or {}).get("classes", {}).get(cls, {})
        word = _class_word(cls, row)
        if row["expression"] in to_base:
            k = to_base[row["expression"]]
            on = _objects(k["objects"]) if k["objects"] else f"{k['labelled_m2']:.0f} m2 labelled"
            lines.append(f"  {word}: answered by {base}, which segmented it better on the "
                         f"{k['part']} part (IoU {k['iou_base']:.3f} against {k['iou_new']:.3f} "
                         f"for the new weights, {on})")
        if not _measured(row):   # nothing labelled there: an IoU of 0 would say nothing
            lines.append(f"  {word}: no labelled object in the held-out part, not measured "
                         f"({row['predicted_objects']} polygons found there)")
            continue
        found = f"{was.get('objects_found_iou50', 'n/a')} -> {row['objects_found_iou50']}" \
            if was else str(row["objects_found_iou50"])
        counts = f"labelled {_found(row)}: {found} of {row['objects']}" if row["objects"] else \
            f"{row['labelled_m2']:.0f} m2 labelled, of objects counted in other parts"
        lines.append(f"  {word}: IoU {_change(was, row, 'iou')}; {counts}; served at "
                     f"{row['served_gsd_m']:.3g} m")
        if "precision" in row:   # missed objects, or false ones: what to label more of
            lines.append(f"    precision {_change(was, row, 'precision')} (of the area "
                         f"marked, the labelled share), recall {_change(was, row, 'recall')} "
                         "(of the labelled area, the marked share)")
        if was.get("unknown_words"):   # the before is 0 because the words were new to it
            lines.append(f"    ({base} did not know {_quoted(was['unknown_words'])}: it answers "
                         "no object matches; the new model learnt the class)")
        if "iou" in was and row["iou"] <= was["iou"] and row["expression"] not in to_base:
            worse.append(row["expression"])
        few += row["objects"] < FEW_OBJECTS
    kept = [r["polygons"] for part in (before or {}, after) for r in part.get("classes", {})
            .values() if r.get("polygons")]
    if kept:
        lines.append("  the polygons of both, to look at: " + ", ".join(kept))
    warnings = []
    if worse:
        warnings.append(f"the new model is not better than {base} on the held-out part for "
                        f"{', '.join(worse)}: keep {base} there, or label more objects (and a "
                        "larger area) and fine-tune again")
    if few:
        warnings.append(f"the held-out part holds fewer than {FEW_OBJECTS} labelled objects of "
                        f"{few} class(es): a rough measure; label more there for a firm one")
    return {"lines": lines, "warnings": warnings}


def _change(before: Dict[str, Any], after: Dict[str, Any], key: str) -> str:
    """``0.120 -> 0.560``, or ``0.560`` where the before has no such figure."""
    return (f"{before[key]:.3f} -> " if key in before else "") + f"{after[key]:.3f}"


def _measured(row: Dict[str, Any]) -> bool:
    """Whether a class's IoU on a part says something: labelled objects there, or enough of
    its labelled area (rows of before this was recorded: their objects)."""
    return bool(row.get("measured", row.get("objects")))


def _found(row: Dict[str, Any]) -> str:
    """What "found" counted: objects, or the lines of a network, each against the area marked
    within its width of it (:func:`~rrsis.scores.object_matches`)."""
    return ("lines found (IoU >= 0.5 with the area marked near each)" if row.get("strips")
            else "objects found (IoU >= 0.5)")


def _objects(n: int) -> str:
    return f"{n} labelled object" + ("" if n == 1 else "s")


def _file_word(word: str) -> str:
    """A class word as part of a file name: "solar panel" -> "solar-panel"."""
    return re.sub(r"[^\w]+", "-", word, flags=re.UNICODE).strip("-") or "class"


def _class_word(cls: str, row: Dict[str, Any]) -> str:
    """"building", or "building (class 1)" where the labels' class was a code."""
    return row["expression"] + (f" (class {cls})" if cls != row["expression"] else "")


def _print_scores(result: Dict[str, Any], label: str) -> None:
    """One line per class of one model's result, led by ``label`` when several are scored."""
    for cls, c in result["classes"].items():
        print(f"{label + ': ' if label else ''}{result['split']} part, {_class_word(cls, c)}: "
              f"IoU {c['iou']:.3f} (precision {c['precision']:.3f}, recall {c['recall']:.3f}); "
              f"{c['objects']} {'lines' if c.get('strips') else 'objects'}, "
              f"{c['objects_found_iou50']} found (IoU >= 0.5), "
              f"{c['objects_touched']} touched; {c['predicted_objects']} polygons at "
              f"{c['served_gsd_m']:g} m")


def _quoted(words: Sequence[str]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def main(argv: Optional[Sequence[str]] = None) -> int:
    from ...errors import InputError, run_tool

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("dataset", help="a build-dataset folder (its dataset.json names the raster "
                   "and the labels)")
    p.add_argument("model", nargs="+",
                   help="model name (RRSIS_MODEL_DIR, ...) or .safetensors path; several: "
                        "each scored in turn")
    p.add_argument("--part", choices=SPLITS, default=None,
                   help="the part to score (default: the held-out part, test else val)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--gsd", type=float, default=None, dest="gsd_m",
                   help="serve at this GSD (m) instead of the model card's")
    p.add_argument("--flip-average", action="store_true",
                   help="average each tile over its flips (the engine's flip_average)")
    p.add_argument("--threshold", type=float, default=None,
                   help="foreground from this probability on, instead of 0.5")
    p.add_argument("--json", action="store_true", help="the whole result as JSON")
    args = p.parse_args(argv)

    def body() -> int:
        if not (Path(args.dataset) / "dataset.json").is_file():
            raise InputError(f"{args.dataset}: no dataset.json (a build-dataset folder?)")
        results = []
        for model in args.model:
            result = heldout_iou(args.dataset, model, device=args.device,
                                 threads=args.threads, split=args.part, gsd_m=args.gsd_m,
                                 flip_average=args.flip_average, threshold=args.threshold)
            if not result:
                raise InputError(f"{args.dataset}: no {args.part or 'held-out'} part with "
                                 "labelled objects")
            results.append({"model": model, **result})
            if not args.json:
                _print_scores(result, Path(model).stem if len(args.model) > 1 else "")
        if args.json:
            print(json.dumps(results[0] if len(results) == 1 else results, indent=2))
        return 0

    return run_tool(body, "holdout")


if __name__ == "__main__":
    raise SystemExit(main())
