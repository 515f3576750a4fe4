"""How well polygons match labelled objects: shared by ``rrsis demo`` (its footprint score)
and the training library's held-out measures, so that both count a found object alike.

Shapely only: no model, no raster.
"""

from __future__ import annotations

from typing import Any, Dict, List

__all__ = ["object_matches"]


def object_matches(truth: List[Any], pred: List[Any], iou: float = 0.5, *,
                   strips: bool = False) -> Dict[str, int]:
    """Labelled objects found by a predicted polygon: with IoU >= ``iou`` (the usual
    detection criterion), and touched at all. Pixel IoU alone hides whether a low score
    is missed objects or outlines off by a few pixels (off-nadir footprints vs roofs).

    ``strips``: the labels are lines buffered into strips (the stretches of a road network),
    which a network found as one polygon covers many of; each stretch is found where, within
    its mean width of it, the labels (it and the strips it meets) and the area marked match
    with IoU >= ``iou`` (a road marked three times as wide: 1/3)."""
    import shapely

    tree = shapely.STRtree(pred) if pred else None
    labelled = shapely.unary_union(truth) if strips and truth else None
    matched = touched = 0
    for g in truth:
        if g.is_empty or tree is None:
            continue
        near = [pred[i] for i in tree.query(g, predicate="intersects")]
        touched += bool(near)
        label = g
        if labelled is not None and near:   # the mean width of a strip: 2 area / perimeter
            zone = g.buffer(2 * g.area / g.length)
            label = labelled.intersection(zone)
            near = [shapely.unary_union(near).intersection(zone)]
        best = max((label.intersection(q).area / label.union(q).area for q in near),
                   default=0.0)
        matched += best >= iou
    return {f"objects_found_iou{int(round(iou * 100))}": matched, "objects_touched": touched}
