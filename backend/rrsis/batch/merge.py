"""One result from many rasters: objects cut by tile borders joined, then one CRS.

The rule for joining (documented in the README, "Batch processing"): two rasters are
*tiles of one grid* when they have the same CRS, the same pixel size (within 0.1 %) and
origins a whole number of pixels apart (within 1 % of a pixel). For each pair of such
tiles whose footprints touch or overlap (within half a pixel), the *shared zone* is the
intersection of their footprints grown by half a pixel. Two objects, one from each tile,
with the same expression, both reaching into the shared zone and lying within half a
pixel of each other are one object: joined transitively (an object may span four
tiles), their polygons unioned (exactly when the edges coincide, as they do when the
engine kept the raster's grid; otherwise with a half-pixel close), ``score`` the
area-weighted mean of the parts, ``area_m2`` recomputed as the union's area times the
parts' ground-metres per map-unit² ratio, ``source`` the parts' rasters joined by
``;``. A union that is not one polygon is not made (the parts stay separate). Then
every geometry is reprojected into the output CRS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import shapely
from rasterio.crs import CRS
from shapely.geometry import box

__all__ = ["TileInfo", "Feature", "tile_info", "read_features", "join_tile_borders",
           "reproject", "choose_crs"]

GRID_ALIGNMENT_PX = 0.01  # tiles of one grid: origins whole pixels apart, up to float noise


@dataclass
class TileInfo:
    """The footprint and grid of one input raster, in its own CRS."""

    source: str
    crs: Optional[CRS]
    bounds: Tuple[float, float, float, float]
    res: Tuple[float, float]
    origin: Tuple[float, float]


@dataclass
class Feature:
    geometry: Any
    attributes: Dict[str, Any]
    source: str
    tile: int


def tile_info(path: str) -> TileInfo:
    import rasterio

    with rasterio.open(path) as ds:
        t = ds.transform
        return TileInfo(path, ds.crs, tuple(ds.bounds), (abs(t.a), abs(t.e)), (t.c, t.f))


def read_features(gpkg: str, layer: str, source: str, tile: int) -> List[Feature]:
    import pyogrio.raw

    meta, _, geometry, fields = pyogrio.raw.read(gpkg, layer=layer)
    names = list(meta["fields"])
    out = []
    for i, g in enumerate(geometry):
        attrs = {name: _plain(fields[j][i]) for j, name in enumerate(names)}
        out.append(Feature(shapely.from_wkb(bytes(g)), attrs, source, tile))
    return out


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _same_grid(a: TileInfo, b: TileInfo) -> bool:
    if a.crs is None or b.crs is None or a.crs != b.crs:
        return False
    if any(abs(x - y) > 1e-3 * x for x, y in zip(a.res, b.res)):
        return False
    for axis in (0, 1):
        offset = (a.origin[axis] - b.origin[axis]) / a.res[axis]
        if abs(offset - round(offset)) > GRID_ALIGNMENT_PX:
            return False
    return True


class _Components:
    """Union-find over feature indexes."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def join_tile_borders(tiles: Sequence[TileInfo], features: List[Feature]) -> Tuple[List[Feature], int]:
    """Features with the objects cut by shared tile borders joined; and how many joins."""
    by_tile: Dict[int, List[int]] = {}
    for i, f in enumerate(features):
        by_tile.setdefault(f.tile, []).append(i)
    comps = _Components(len(features))
    footprints = [box(*t.bounds) for t in tiles]
    tree = shapely.STRtree(footprints)  # neighbours by index: thousands of tiles stay fast
    for a in range(len(tiles)):
        if a not in by_tile:
            continue
        near = tree.query(footprints[a].buffer(0.5 * min(tiles[a].res), join_style="mitre"),
                          predicate="intersects")
        for b in sorted(int(i) for i in near):
            if b <= a or b not in by_tile or not _same_grid(tiles[a], tiles[b]):
                continue
            tol = 0.5 * min(tiles[a].res)
            zone = footprints[a].buffer(tol, join_style="mitre").intersection(
                footprints[b].buffer(tol, join_style="mitre"))
            if zone.is_empty:
                continue
            near_a = [i for i in by_tile[a] if features[i].geometry.intersects(zone)]
            near_b = [j for j in by_tile[b] if features[j].geometry.intersects(zone)]
            for i in near_a:
                for j in near_b:
                    fi, fj = features[i], features[j]
                    if (all(fi.attributes.get(k) == fj.attributes.get(k)
                            for k in ("expression", "category"))   # one object, one answer
                            and fi.geometry.distance(fj.geometry) <= tol):
                        comps.union(i, j)
    groups: Dict[int, List[int]] = {}
    for i in range(len(features)):
        groups.setdefault(comps.find(i), []).append(i)
    out: List[Feature] = []
    joins = 0
    for root in sorted(groups):
        members = [features[i] for i in groups[root]]
        if len(members) == 1:
            out.append(members[0])
            continue
        tol = 0.5 * min(tiles[members[0].tile].res)
        merged = _union(members, tol)
        if merged is None:
            out.extend(members)
        else:
            out.append(merged)
            joins += len(members) - 1
    return out, joins


def _union(parts: List[Feature], tol: float) -> Optional[Feature]:
    geoms = [p.geometry for p in parts]
    union = shapely.union_all(geoms)
    if union.geom_type != "Polygon":
        grown = shapely.union_all([g.buffer(tol, join_style="mitre") for g in geoms])
        union = grown.buffer(-tol, join_style="mitre")
    if union.geom_type != "Polygon" or union.is_empty:
        return None
    planar = [max(g.area, 1e-12) for g in geoms]
    ground = [float(p.attributes.get("area_m2") or 0.0) for p in parts]
    ratio = sum(ground) / sum(planar) if sum(planar) else 1.0
    score = sum(float(p.attributes.get("score") or 0.0) * a for p, a in zip(parts, planar)) \
        / sum(planar)
    attrs = dict(parts[0].attributes)
    attrs["score"] = round(score, 6)
    attrs["area_m2"] = round(union.area * ratio, 4)
    attrs["created"] = max(str(p.attributes.get("created") or "") for p in parts)
    sources = []
    for p in parts:
        for s in p.source.split(";"):
            if s not in sources:
                sources.append(s)
    return Feature(union, attrs, ";".join(sources), parts[0].tile)


def choose_crs(crs_list: Sequence[Optional[CRS]], requested: Optional[str]) -> Optional[CRS]:
    """``requested``; else the inputs' common CRS; else EPSG:4326 (inputs in several CRSs)."""
    from ..errors import CRSError

    if requested:
        try:
            return CRS.from_user_input(requested)
        except Exception as exc:  # rasterio's CRSError and ValueError
            raise CRSError(f"--crs {requested!r} is not a CRS: {exc}") from None
    known = [c for c in crs_list if c is not None]
    if not known:
        return None
    first = known[0]
    if all(c == first for c in known) and len(known) == len(crs_list):
        return first
    return CRS.from_epsg(4326)


def reproject(features: List[Feature], tiles: Sequence[TileInfo], dst: Optional[CRS]) -> None:
    """Transform every feature's geometry into ``dst`` (in place), one call per source CRS."""
    from rasterio.warp import transform_geom

    from ..errors import CRSError

    if dst is None:
        return
    by_crs: Dict[str, List[int]] = {}
    for i, f in enumerate(features):
        src = tiles[f.tile].crs
        if src is None:
            raise CRSError(f"{f.source} has no CRS: its objects cannot be put into {dst}")
        if src != dst:
            by_crs.setdefault(src.to_wkt(), []).append(i)
    for wkt, idx in by_crs.items():
        src = CRS.from_wkt(wkt)
        try:
            geoms = transform_geom(src, dst, [shapely.geometry.mapping(features[i].geometry)
                                              for i in idx])
        except Exception as exc:  # noqa: BLE001 - GDAL's: no operation between the two CRSs
            raise CRSError(f"{features[idx[0]].source} is in {src.to_string()[:80]!r}, which "
                           f"cannot be transformed to {dst.to_string()[:80]!r} (a local CRS "
                           "has no place on the Earth): merge it apart from the others, or "
                           "give them one CRS") from exc
        for i, g in zip(idx, geoms):
            features[i].geometry = shapely.geometry.shape(g)

