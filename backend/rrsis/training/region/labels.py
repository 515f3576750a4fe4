"""Labels as analysts have them: polygons, lines with a width, points with a radius, or a
class raster (a land-cover map, a building mask).

Lines (roads, rivers) are buffered by half their width and points (tree inventories) by
their radius, in metres on the ground, in the working CRS (projected, metres). The class
comes from a field, or one class names the whole layer; a words mapping (a file, or the
same text inline) names each class value in the words of the expressions
(:func:`read_words`): class codes ("1", "12") must be named, because the model learns the
words an analyst will type (:func:`check_class_words`). A class raster's classes are its pixel
values (``value``; no data left out), or, with one class for the layer, every pixel that is
neither 0 nor no data; its areas become polygons on its own pixel grid (:func:`_raster_labels`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple, Union

from ...engine.grid import bounds_of
from ...engine.raster_io import open_raster
from ...errors import CRSError, InputError
from ...protocol import RASTER_CLASS_FIELD

log = logging.getLogger(__name__)

__all__ = ["RegionLabels", "read_region_labels", "read_words", "check_class_words", "to_crs",
           "as_areas", "strip_classes", "pixel_frame_of"]

PathLike = Union[str, Path]
#: an image read in its pixel units: its frame's transform (:data:`~rrsis.engine.raster_io.
#: PIXEL_FRAMES`), width and height
PixelFrame = Tuple[Any, int, int]
POLYGONAL = ("Polygon", "MultiPolygon")
LINEAR = ("LineString", "MultiLineString", "LinearRing")
PUNCTUAL = ("Point", "MultiPoint")


@dataclass
class RegionLabels:
    """Geometries (any type), their class text, and the layer's CRS."""

    geometries: List[Any]
    classes: List[str]
    crs: Any
    without_class: int = 0   # features with a geometry but no class value, left out
    covered: Any = None      # ground labelled completely (a class raster's area), if known
    sizes: Optional[Dict[str, List[Optional[float]]]] = None   # size fields, per geometry

    def kinds(self) -> List[str]:
        return sorted({_kind(g) for g in self.geometries})


def _kind(geom: Any) -> str:
    t = geom.geom_type
    if t in POLYGONAL:
        return "polygon"
    if t in LINEAR:
        return "line"
    if t in PUNCTUAL:
        return "point"
    return "mixed"


def read_region_labels(path: PathLike, class_field: Optional[str] = None,
                       fixed_class: Optional[str] = None, layer: Optional[str] = None,
                       size_fields: Sequence[str] = (),
                       pixel_frame: Optional[PixelFrame] = None) -> RegionLabels:
    """Read every feature with a geometry and a class (from ``class_field`` or ``fixed_class``),
    and the values of ``size_fields`` (a line's width, a point's radius, in metres).
    ``pixel_frame``: the image is read in its pixel units (no CRS); a class raster without a
    georeference of the image's size is then a mask drawn on its pixels, and read so."""
    import pyogrio.raw
    import shapely

    if (class_field is None) == (fixed_class is None):
        raise InputError("give either a class field or one class for the whole layer")
    path = Path(path)
    if not path.exists():
        raise InputError(f"labels not found: {path}")
    if is_class_raster(path):
        if size_fields:
            raise InputError(f"{path.name} is a class raster: its areas have no size fields")
        return _raster_labels(path, class_field, fixed_class, layer, pixel_frame)
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(str(path))]
        if layer is None and len(layers) > 1:   # GDAL would read the first one, silently
            raise InputError(f"{path.name} holds {len(layers)} layers ({', '.join(layers[:8])}"
                             f"{', ...' if len(layers) > 8 else ''}): choose one with --layer "
                             "(protocol: layer)")
        if layer is not None and layer not in layers:
            raise InputError(f"{path.name} has no layer {layer!r}; layers: {', '.join(layers)}")
        info = pyogrio.read_info(str(path), layer=layer)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - GDAL's errors vary by driver
        raise InputError(f"cannot read labels {path}: {exc}") from exc
    fields = list(info["fields"])
    for name in ([class_field] if class_field is not None else []) + list(size_fields):
        if name not in fields:
            raise InputError(f"{path.name} has no field {name!r}; fields: "
                             f"{', '.join(fields) or '(none)'}")
    columns = ([class_field] if class_field else []) + list(size_fields)
    meta, _, wkb, values = pyogrio.raw.read(str(path), layer=layer, columns=columns)
    column = dict(zip(meta["fields"], values))     # GDAL returns them in the file's order
    geoms = list(shapely.from_wkb(wkb))
    if class_field is not None:
        classes = [_class_text(v) for v in column[class_field]]
    else:
        classes = [str(fixed_class).strip() or None] * len(geoms)
    size_values = [[_metres(v) for v in column[name]] for name in size_fields]
    rows = [k for k, g in enumerate(geoms) if g is not None and not g.is_empty]
    keep = [k for k in rows if classes[k]]
    if not keep:
        what = f"a value in {class_field!r}" if class_field else "a geometry"
        raise InputError(f"{path.name}: no feature with {what}")
    sizes = {name: [col[k] for k in keep] for name, col in zip(size_fields, size_values)}
    return RegionLabels([geoms[k] for k in keep], [classes[k] for k in keep], meta.get("crs"),
                        without_class=len(rows) - len(keep), sizes=sizes or None)


def _metres(value: Any) -> Optional[float]:
    """A size field's value as metres; None where it is missing, not a number or not > 0."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) and v > 0 else None


MAX_LABEL_RASTER_PIXELS = 100_000_000


def is_class_raster(path: Path) -> bool:
    """A file GDAL opens as a raster and not as vector data (a GeoPackage may hold both: its
    vector layers win)."""
    import pyogrio

    try:
        if pyogrio.list_layers(str(path)).size:
            return False
    except Exception:  # noqa: BLE001 - not vector data
        pass
    try:
        with open_raster(path):
            return True
    except Exception:  # noqa: BLE001 - neither: the vector reader says why
        return False


def _raster_labels(path: Path, class_field: Optional[str], fixed_class: Optional[str],
                   layer: Optional[str], pixel_frame: Optional[PixelFrame] = None
                   ) -> RegionLabels:
    """A class raster as polygons: one per connected area of one value (4-connected, on the
    raster's own pixels, so the masks rasterised from them are the raster's); one without a
    georeference in ``pixel_frame``, when it has the image's pixels."""
    import numpy as np
    import shapely
    from rasterio.features import shapes

    if layer is not None:
        raise InputError(f"{path.name} is a raster: it has no layers")
    if class_field is not None and class_field != RASTER_CLASS_FIELD:
        raise InputError(f"{path.name} is a class raster: its classes are its pixel values "
                         f"(--class-field {RASTER_CLASS_FIELD}, codes named by --words), or give "
                         "one class for its non-zero pixels (--class building)")
    with open_raster(path) as src:
        if src.width * src.height > MAX_LABEL_RASTER_PIXELS:
            raise InputError(f"{path.name} has {src.width} x {src.height} px, more than a class "
                             f"raster may have ({MAX_LABEL_RASTER_PIXELS:,} px): crop it to the "
                             "labelled area (gdal_translate -projwin)")
        crs, transform = src.crs, src.transform
        if transform.is_identity or crs is None:
            if pixel_frame is None or (src.width, src.height) != tuple(pixel_frame[1:]):
                size = f" ({pixel_frame[1]} x {pixel_frame[2]} px)" if pixel_frame else ""
                raise CRSError(f"{path.name} has no coordinate reference system or "
                               "geotransform: a class raster must be georeferenced like the "
                               f"image, or be a mask of the image's own pixels{size}")
            crs, transform = None, pixel_frame[0]
        values = src.read(1)
        valid = src.read_masks(1) > 0
    if not np.issubdtype(values.dtype, np.integer):
        whole = np.isfinite(values) & (values == np.round(values))
        if not whole[valid].all():
            raise InputError(f"{path.name} holds fractional values: a class raster holds class "
                             "codes (whole numbers)")
        values = np.where(valid, values, 0).astype(np.int32)
    elif values.dtype.itemsize > 4 or values.dtype == np.uint32:
        values = values.astype(np.int64).clip(-2**31, 2**31 - 1).astype(np.int32)
    if fixed_class is not None:   # a mask: 0 is "not this class"
        valid &= values != 0
        values = valid.astype(np.uint8)
    geoms: List[Any] = []
    classes: List[Optional[str]] = []
    for geom, value in shapes(values, mask=valid, transform=transform):
        geoms.append(shapely.geometry.shape(geom))
        classes.append(str(fixed_class).strip() or None if fixed_class is not None
                       else _class_text(value))
    keep = [(g, c) for g, c in zip(geoms, classes) if c]
    if not keep:
        raise InputError(f"{path.name}: no pixel with a class (all 0 or no data)")
    covered = shapely.box(*bounds_of(transform, values.shape[1], values.shape[0]))
    return RegionLabels([g for g, _ in keep], [c for _, c in keep], crs, covered=covered)


def _class_text(value: Any) -> Optional[str]:
    """A class value as text; None for a missing one. A whole number read as a float (an
    integer field with empty values comes back as floats) is written without ".0", so it
    matches the "1" of a words mapping."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or None


def to_crs(labels: RegionLabels, dst_crs: Any) -> RegionLabels:
    """The labels in ``dst_crs`` (the working grid's projected CRS)."""
    import shapely
    from rasterio.crs import CRS
    from rasterio.warp import transform_geom

    if labels.crs is None:
        raise CRSError("the labels have no coordinate reference system")
    src, dst = CRS.from_user_input(labels.crs), CRS.from_user_input(dst_crs)
    if src == dst:
        return labels
    def project(g: Any) -> Any:
        return shapely.geometry.shape(transform_geom(src, dst, shapely.geometry.mapping(g)))

    return RegionLabels([project(g) for g in labels.geometries], labels.classes, dst,
                        labels.without_class,
                        None if labels.covered is None else project(labels.covered),
                        labels.sizes)


def as_areas(labels: RegionLabels, line_width_m: float, point_radius_m: float,
             metres_per_unit: float = 1.0, line_width_field: Optional[str] = None,
             point_radius_field: Optional[str] = None) -> Tuple[List[Any], List[str]]:
    """Every label as a valid area: polygons as drawn, lines and points buffered in metres:
    by the feature's own width or radius where a field gives one (a road's width, a tree's
    crown radius), else by the one given for all. Lines that are all closed rings are
    outlines (buildings drawn as polylines, a CAD export): the areas they enclose."""
    import shapely

    widths = _sizes(labels, line_width_field, line_width_m)
    radii = _sizes(labels, point_radius_field, point_radius_m)
    lines = [g for g in labels.geometries if _kind(g) == "line"]
    outlines = _outlines(lines)
    if outlines:
        log.info("the %d lines of the labels are all closed: read as the outlines of areas",
                 len(lines))
    out, classes = [], []
    for k, (g, c) in enumerate(zip(labels.geometries, labels.classes)):
        kind = _kind(g)
        if kind == "line" and outlines:
            g = shapely.unary_union([shapely.make_valid(shapely.Polygon(p.coords))
                                     for p in getattr(g, "geoms", [g])])
        elif kind == "line":
            if widths[k] is None:
                raise _missing_size(labels, "lines", "width", "--line-width", line_width_field,
                                    "line")
            g = g.buffer(widths[k] / 2 / metres_per_unit, cap_style="flat")
        elif kind == "point":
            if radii[k] is None:
                raise _missing_size(labels, "points", "radius", "--point-radius",
                                    point_radius_field, "point")
            g = g.buffer(radii[k] / metres_per_unit)
        elif kind == "mixed":
            g = g.buffer(0)
        g = shapely.make_valid(g)
        if not g.is_empty and g.area > 0:
            out.append(g)
            classes.append(c)
    if not out:
        raise InputError("no label has an area after buffering")
    return out, classes


def pixel_frame_of(info: Any) -> PixelFrame:
    """The pixel frame of an image opened in its pixel units (``open_info``'s RasterInfo)."""
    return info.transform, info.width, info.height


def strip_classes(labels: RegionLabels) -> FrozenSet[str]:
    """The classes labelled by lines that :func:`as_areas` buffers into strips (roads,
    rivers; not lines that are all outlines), whose stretches a held-out score finds by the
    predicted area near each (:func:`~rrsis.scores.object_matches`)."""
    lines = [(g, c) for g, c in zip(labels.geometries, labels.classes) if _kind(g) == "line"]
    return frozenset() if _outlines([g for g, _ in lines]) else frozenset(c for _, c in lines)


def _outlines(lines: Sequence[Any]) -> bool:
    """Lines that are all closed rings: the outlines of areas (buildings drawn as polylines)."""
    return bool(lines) and all(_closed(g) for g in lines)


def _closed(line: Any) -> bool:
    """A line (or every part of a multi-line) that ends where it starts and encloses area."""
    parts = getattr(line, "geoms", [line])
    return all(p.is_closed and len(p.coords) >= 4 for p in parts)


def _sizes(labels: RegionLabels, field: Optional[str], default_m: float
           ) -> List[Optional[float]]:
    """Each label's size in metres: its field's value, else ``default_m`` (None: neither)."""
    fallback = float(default_m) if default_m and default_m > 0 else None
    own = (labels.sizes or {}).get(field) if field else None
    if field and own is None:
        raise InputError(f"the size field {field!r} was not read with the labels")
    return [(own[k] if own is not None and own[k] is not None else fallback)
            for k in range(len(labels.geometries))]


def _missing_size(labels: RegionLabels, things: str, size: str, option: str,
                  field: Optional[str], kind: str) -> InputError:
    if field is None:
        return InputError(f"the labels contain {things}: give their {size} in metres ({option} "
                          f"with a number, or with the field that holds it)")
    own = (labels.sizes or {})[field]
    missing = sum(1 for g, v in zip(labels.geometries, own) if _kind(g) == kind and v is None)
    return InputError(f"{missing} {things} have no {size} in {field!r} (empty, not a number or "
                      f"not above 0): fill them in, or give one {size} in metres for those as "
                      f"well (e.g. {option} {field} {option} 3; QGIS: the number beside the "
                      "field)")


WORDS_EXAMPLE = "{1: building, 2: [road, street], 9: null}"


def read_words(spec: Union[None, PathLike, Mapping[str, Any]]
               ) -> Dict[str, Optional[List[str]]]:
    """Class-to-words mapping (YAML or JSON): ``{class: [category, synonym, ...] | word |
    null}`` (null: leave the class out), from a file, given inline as that text, or as a
    mapping already."""
    if isinstance(spec, Mapping):
        return _words(spec, "the words mapping")
    if spec is None or not str(spec).strip():
        return {}
    import yaml

    p = Path(spec)
    inline = not _is_file(p)
    if inline and (str(spec).lower().endswith((".yaml", ".yml", ".json")) or
                   not any(ch in str(spec) for ch in "{[:")):
        raise InputError(f"words file not found: {p} (give a YAML/JSON file, or the mapping "
                         f"itself, e.g. '{WORDS_EXAMPLE}')")
    name = "the words mapping" if inline else p.name
    try:
        # BaseLoader keeps every scalar a string: a class named "yes" or "1" stays that text
        data = yaml.load(str(spec) if inline else p.read_text(), Loader=yaml.BaseLoader) or {}
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0]
        raise InputError(f"{name} is not valid YAML/JSON ({first}); e.g. "
                         f"'{WORDS_EXAMPLE}'") from exc
    return _words(data, name)


def _words(data: Any, name: str) -> Dict[str, Optional[List[str]]]:
    if not isinstance(data, Mapping):
        raise InputError(f"{name}: expected a mapping of class value -> words, e.g. "
                         f"'{WORDS_EXAMPLE}'")
    out: Dict[str, Optional[List[str]]] = {}
    for k, v in data.items():
        key = _class_text(k) or str(k)
        if v is None or v == [] or v in ("", "null", "~", "none"):
            out[key] = None
        elif isinstance(v, str):
            out[key] = [v.strip().lower()]
        elif isinstance(v, list) and all(isinstance(w, str) and w.strip() for w in v):
            out[key] = [w.strip().lower() for w in v]
        else:
            raise InputError(f"{name}: words for {k!r} must be a word, a list of words or null")
    return out


def _is_file(p: Path) -> bool:
    try:
        return p.is_file()
    except OSError:   # inline text longer than a file name can be
        return False


def check_class_words(classes: Sequence[str], mapping: Mapping[str, Any],
                      class_field: Optional[str]) -> None:
    """Class values the model cannot learn as words: codes ("1", "12.5") not named by the
    words mapping. The model learns the text of the class, and an analyst types words."""
    codes = sorted({c for c in classes if c not in mapping and not any(ch.isalpha() for ch in c)},
                   key=lambda c: (len(c), c))
    if codes:
        where = f"the values of {class_field!r}" if class_field else "the class"
        shown = ", ".join(codes[:8]) + (", ..." if len(codes) > 8 else "")
        raise InputError(f"{where} are codes, not words ({shown}): the model learns the words "
                         "you will type; name each class with a words mapping (CLI --words, "
                         f"QGIS 'Class words'), e.g. '{WORDS_EXAMPLE}'")
