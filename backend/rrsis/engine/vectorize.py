"""Probability strips -> one polygon per connected object, whole across strip borders.

The engine emits the working grid as horizontal strips. Each strip is thresholded and
vectorised with ``rasterio.features.shapes`` (4-connectivity, holes kept) in *pixel*
coordinates, where every vertex is an integer, so pieces of one object cut by a strip
border share exact edges and ``unary_union`` joins them without slivers. Which pieces
belong together is decided on the pixels (union-find over the two rows either side of
each border), not by geometry tests. Only at the end are geometries mapped to the
working CRS with the grid's affine, filtered by area, simplified (topology-preserving,
then validated and repaired) and reprojected to the output CRS.

Vectorising at the working GSD (not back on the source grid) is deliberate: it is
cheaper, and the working grid is what the model saw; edges are accurate to one
working pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np
import shapely
from rasterio.crs import CRS
from rasterio.features import rasterize, shapes
from rasterio.transform import Affine
from rasterio.warp import transform_geom
from shapely.affinity import affine_transform
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.ops import unary_union

from .regularize import regularize as right_angles
from .split import CoreRule, split_among_cores

__all__ = ["ObjectPolygon", "StripVectorizer", "polygon_parts", "reproject_object"]


@dataclass(frozen=True)
class ObjectPolygon:
    """One connected object in the output CRS, with its statistics."""

    geometry: Polygon
    score: float
    area_m2: float


class _UnionFind:
    def __init__(self) -> None:
        self.parent: List[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class StripVectorizer:
    """Accumulates thresholded strips (top to bottom) into whole objects."""

    def __init__(self, threshold: float, cores: Optional[CoreRule] = None) -> None:
        self.threshold = threshold
        #: ``cores``: touching objects split among their sure cores (:mod:`.split`), which are
        #: vectorised alongside at the rule's probability
        self.core_rule = cores if cores is not None and cores.probability > threshold else None
        self._cores = StripVectorizer(self.core_rule.probability) if self.core_rule else None
        self._pieces: List[Polygon] = []          # pixel coordinates of the working grid
        self._sum: List[float] = []               # sum of probability over the piece's pixels
        self._count: List[int] = []               # its pixel count
        self._uf = _UnionFind()
        self._last_row: Optional[np.ndarray] = None  # piece id + 1 of the previous strip's last row
        self._next_row = 0

    def add(self, row0: int, prob: np.ndarray, valid: np.ndarray) -> None:
        """Strip of rows ``row0 .. row0 + h`` (contiguous with the previous one)."""
        if row0 != self._next_row:
            raise ValueError(f"strips must be contiguous: expected row {self._next_row}, "
                             f"got {row0}")
        self._next_row = row0 + prob.shape[0]
        if self._cores is not None:
            self._cores.add(row0, prob, valid)
        fg = (prob >= self.threshold) & valid
        if not fg.any():
            self._last_row = None
            return
        offset = Affine.translation(0, row0)
        geoms = [shape(g) for g, v in shapes(fg.astype(np.uint8), mask=fg, connectivity=4,
                                             transform=offset) if v == 1]
        first = len(self._pieces)
        labels = rasterize(((g, i + 1) for i, g in enumerate(geoms)), out_shape=fg.shape,
                           transform=offset, fill=0, dtype="int32")
        n = len(geoms) + 1
        sums = np.bincount(labels.ravel(), weights=prob.ravel().astype(np.float64), minlength=n)
        counts = np.bincount(labels.ravel(), minlength=n)
        for i, g in enumerate(geoms):
            self._pieces.append(g)
            self._sum.append(float(sums[i + 1]))
            self._count.append(int(counts[i + 1]))
            self._uf.add()
        if self._last_row is not None:
            top = labels[0]
            touching = (top > 0) & (self._last_row > 0)
            for a, b in set(zip(self._last_row[touching].tolist(), top[touching].tolist())):
                self._uf.union(a - 1, first + b - 1)
        last = labels[-1]
        self._last_row = np.where(last > 0, last + first, 0)

    def objects(self, transform: Affine, metres_per_unit: float, min_area_m2: float,
                simplify_m: float = 0.0, src_crs: Optional[CRS] = None,
                dst_crs: Optional[CRS] = None,
                regularize: bool = False) -> Iterator[ObjectPolygon]:
        """Whole objects in the output CRS; area and simplification computed in metres.

        ``regularize``: right-angle outlines (:mod:`rrsis.engine.regularize`), in the grid.
        """
        coeffs = [transform.a, transform.b, transform.d, transform.e, transform.xoff,
                  transform.yoff]
        pixel_area_m2 = abs(transform.determinant) * metres_per_unit ** 2
        cores = self._core_tree(pixel_area_m2, min_area_m2)
        for geom, count, total in self._pixel_objects(pixel_area_m2, min_area_m2):
            score = total / count   # a split object's pieces keep the object's mean
            inside = [cores[1][i] for i in cores[0].query(geom, predicate="contains")] \
                if cores is not None else []
            for piece in split_among_cores(geom, inside):
                piece = affine_transform(piece, coeffs)
                if simplify_m > 0:
                    piece = _repair(piece.simplify(simplify_m / metres_per_unit,
                                                   preserve_topology=True))
                if regularize:
                    pixel = math.sqrt(abs(transform.determinant))
                    piece = _repair(unary_union([right_angles(p, pixel)
                                                 for p in polygon_parts(piece)]))
                for part in polygon_parts(piece):
                    area = float(part.area) * metres_per_unit ** 2
                    yield from reproject_object(ObjectPolygon(part, float(score), area),
                                                src_crs, dst_crs)

    def _pixel_objects(self, pixel_area_m2: float, min_area_m2: float
                       ) -> Iterator[Tuple[Polygon, int, float]]:
        """(geometry in pixel coordinates, pixel count, probability sum) per whole object of
        ``min_area_m2`` at least."""
        groups: Dict[int, List[int]] = {}
        for i in range(len(self._pieces)):
            groups.setdefault(self._uf.find(i), []).append(i)
        for members in groups.values():
            count = sum(self._count[i] for i in members)
            if count == 0 or count * pixel_area_m2 < min_area_m2:
                continue
            pieces = [self._pieces[i] for i in members]
            yield (pieces[0] if len(pieces) == 1 else unary_union(pieces), count,
                   sum(self._sum[i] for i in members))

    def _core_tree(self, pixel_area_m2: float, min_area_m2: float
                   ) -> Optional[Tuple[shapely.STRtree, List[Polygon]]]:
        """The cores large enough to stand for an object of their own (never smaller than
        the minimum object area, so every piece of a split is an object), indexed."""
        if self._cores is None or self.core_rule is None:
            return None
        least = max(self.core_rule.min_core_m2, min_area_m2)
        found = [g for g, _, _ in self._cores._pixel_objects(pixel_area_m2, least)]
        return (shapely.STRtree(found), found) if len(found) >= 2 else None


def reproject_object(obj: ObjectPolygon, src_crs: Optional[CRS],
                     dst_crs: Optional[CRS]) -> Iterator[ObjectPolygon]:
    """``obj`` in ``dst_crs`` (unchanged when either is None or they are equal)."""
    if src_crs is None or dst_crs is None or src_crs == dst_crs:
        yield obj
        return
    out = polygon_parts(_repair(shape(transform_geom(src_crs, dst_crs, mapping(obj.geometry)))))
    total = sum(p.area for p in out) or 1.0
    for p in out:  # reprojection rarely splits a part; share the area out
        yield ObjectPolygon(p, obj.score, obj.area_m2 * p.area / total)


def _repair(geom: shapely.Geometry) -> shapely.Geometry:
    """Valid polygonal geometry: make_valid, keep polygon parts only."""
    if geom.is_valid:
        return geom
    fixed = shapely.make_valid(geom)
    return MultiPolygon(polygon_parts(fixed)) if not isinstance(fixed, Polygon) else fixed


def polygon_parts(geom: shapely.Geometry) -> List[Polygon]:
    """The non-empty polygons in ``geom`` (Polygon, MultiPolygon or a collection)."""
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if hasattr(geom, "geoms"):
        out: List[Polygon] = []
        for g in geom.geoms:
            out.extend(polygon_parts(g))
        return out
    return []
