"""The merged result on disk: a GeoPackage and a GeoParquet file, both written atomically.

Fields: ``source`` (the input raster; several joined by ``;`` for objects joined across
tile borders) followed by the engine's own fields (:data:`rrsis.engine.output.FIELDS`,
the one definition of the schema). The GeoParquet file follows GeoParquet 1.1: WKB in a
``geometry`` column, a ``geo`` key in the file metadata with the CRS as PROJJSON, the
geometry types and the bounding box; coordinates in x/y (easting/longitude first) order.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import shapely
from rasterio.crs import CRS

from ..engine.output import FIELDS, _remove, temporary_path, write_polygons
from .merge import Feature

__all__ = ["MERGED_FIELDS", "write_merged_geopackage", "write_geoparquet", "GEOPARQUET_VERSION"]

MERGED_FIELDS: Dict[str, Any] = {"source": object, **FIELDS}
GEOPARQUET_VERSION = "1.1.0"


def _column(features: Sequence[Feature], name: str, dtype: Any) -> np.ndarray:
    if name == "source":
        return np.array([f.source for f in features], dtype=object)
    return np.array([f.attributes.get(name) for f in features], dtype=dtype)


def write_merged_geopackage(path: str, layer: str, features: Sequence[Feature],
                            crs: Optional[CRS]) -> None:
    write_polygons(path, layer, [f.geometry for f in features],
                   {name: _column(features, name, dtype) for name, dtype in MERGED_FIELDS.items()},
                   crs)


def geo_metadata(features: Sequence[Feature], crs: Optional[CRS]) -> Dict[str, Any]:
    """The GeoParquet ``geo`` metadata for these features."""
    geoms = [f.geometry for f in features]
    column: Dict[str, Any] = {
        "encoding": "WKB",
        "geometry_types": sorted({g.geom_type for g in geoms}),
    }
    if geoms:
        column["bbox"] = [float(v) for v in shapely.total_bounds(np.array(geoms, dtype=object))]
    # absent crs means OGC:CRS84 in GeoParquet; null means unknown (pixel coordinates)
    column["crs"] = crs.to_dict(projjson=True) if crs is not None else None
    return {"version": GEOPARQUET_VERSION, "primary_column": "geometry",
            "columns": {"geometry": column}}


def write_geoparquet(path: str, features: Sequence[Feature], crs: Optional[CRS]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: Dict[str, List[Any]] = {}
    for name, dtype in MERGED_FIELDS.items():
        columns[name] = _column(features, name, dtype).tolist()
    types = {name: pa.string() if dtype is object else pa.float64()
             for name, dtype in MERGED_FIELDS.items()}
    arrays = [pa.array(columns[n], type=types[n]) for n in MERGED_FIELDS]
    arrays.append(pa.array([f.geometry.wkb for f in features], type=pa.binary()))
    schema = pa.schema([pa.field(n, types[n]) for n in MERGED_FIELDS]
                       + [pa.field("geometry", pa.binary())],
                       metadata={b"geo": json.dumps(geo_metadata(features, crs)).encode()})
    table = pa.Table.from_arrays(arrays, schema=schema)
    tmp = temporary_path(path)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        _remove(tmp)
