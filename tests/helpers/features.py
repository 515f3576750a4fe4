"""Vector layers read back for assertions (the one copy; engine and batch tests use it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import pyogrio
import pyogrio.raw
from shapely import wkb

__all__ = ["read_features", "layer_crs"]


def read_features(path: Union[Path, str], layer: Union[str, int] = "rrsis"
                  ) -> List[Dict[str, Any]]:
    """Every feature of a layer (a GeoPackage's by name; ``0`` the only layer of a GeoJSON or
    FlatGeobuf file) as a dict with a shapely ``geometry``."""
    meta, _, geometry, fields = pyogrio.raw.read(str(path), layer=layer)
    out = []
    for i, g in enumerate(geometry):
        rec = {name: fields[j][i] for j, name in enumerate(meta["fields"])}
        rec["geometry"] = wkb.loads(bytes(g))
        out.append(rec)
    return out


def layer_crs(path: Union[Path, str], layer: Union[str, int] = "rrsis") -> Optional[str]:
    """The layer's CRS as pyogrio reports it (None for pixel coordinates)."""
    return pyogrio.read_info(str(path), layer=layer)["crs"]
