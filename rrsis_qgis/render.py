"""Any raster layer as input: web and virtual layers are rendered by QGIS into a GeoTIFF first.

A file-backed GDAL layer goes to the backend as its file. Every other raster layer (XYZ,
WMS, WMTS, ArcGIS Map/ImageServer, virtual or in-memory rasters) is read through a clone of
its data provider, exactly as QGIS draws it, into a temporary GeoTIFF in the layer's CRS;
the backend then runs on that file like on any raster and the file is removed afterwards.
The user's layer and canvas are never touched.

The dock and the Processing algorithms share one path, :func:`run_with_rendering`, on
their worker thread: :class:`RenderSource` is captured on the calling thread, the plan is
made once the backend's model card (its served GSD range) is known, the size is checked
against :data:`MAX_RENDER_PIXELS` before anything is fetched, and cancel and progress work
during rendering as during inference.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransformContext,
                       QgsDistanceArea, QgsPointXY, QgsProject, QgsProviderRegistry,
                       QgsRasterBlockFeedback, QgsRasterDataProvider, QgsRasterFileWriter,
                       QgsRasterLayer, QgsRasterPipe, QgsRectangle)

from . import extents
from .client import BackendClient, BackendError
from .provenance import describe_source, round_gsd
from .runner import run_request

#: Largest render, in pixels (8192 x 8192). Above it the request is refused before anything
#: is fetched: that is about 1,000 web tiles of 256 x 256 px (more than tile servers' usage
#: policies allow in one go), a 256 MB temporary RGBA GeoTIFF, and about two minutes of
#: inference on a 2-core CPU (48 s per km2 at 0.2 m, bench/bench_engine.py). Zooming in or
#: a coarser GSD always gets under it.
MAX_RENDER_PIXELS = 8192 * 8192

#: The backend's default model (``rrsis.models.catalog.DEFAULT_MODEL``), used to find the
#: served GSD range when the request names no model.
DEFAULT_MODEL = "lgce-lite"

TOO_LARGE = "too_large"
RENDER_FAILED = "render_failed"

Progress = Callable[[Dict[str, Any]], None]


def file_path(layer: QgsRasterLayer) -> Optional[str]:
    """The local file behind a GDAL layer, in GDAL's words, or None when the layer must be
    rendered: the file; a raster inside a local archive (``/vsizip//data/a.zip/o.tif``); a
    table of a GeoPackage (``GPKG:/data/site.gpkg:ortho``: the file alone is all its tables)."""
    if layer.providerType() != "gdal":
        return None
    parts = QgsProviderRegistry.instance().decodeUri("gdal", layer.source())
    path = parts.get("path") or ""
    if not (path and os.path.isfile(path)):
        return None
    if parts.get("vsiPrefix"):
        return f"{parts['vsiPrefix']}{path}{parts.get('vsiSuffix') or ''}"
    if parts.get("layerName"):
        return layer.source().split("|", 1)[0]   # without QGIS's own |option: suffixes
    return path


def source_path(layer: QgsRasterLayer) -> str:
    """The local file behind a GDAL layer, else the layer's source as QGIS gives it (for
    the backend to read or refuse: it reads local files only)."""
    return file_path(layer) or layer.source()


def needs_render(layer: QgsRasterLayer) -> bool:
    return file_path(layer) is None


def metres_per_unit(crs: QgsCoordinateReferenceSystem, rect: QgsRectangle,
                    context: Optional[QgsCoordinateTransformContext] = None) -> float:
    """Ground metres per CRS unit along x at the centre of ``rect`` (ellipsoidal)."""
    area = QgsDistanceArea()
    area.setSourceCrs(crs, context or QgsProject.instance().transformContext())
    area.setEllipsoid("EPSG:7030")
    centre = rect.center()
    half = max(rect.width(), 1e-9) / 2.0
    length = area.measureLine(QgsPointXY(centre.x() - half, centre.y()),
                              QgsPointXY(centre.x() + half, centre.y()))
    return length / (2.0 * half) if length > 0 else 1.0


@dataclass
class RenderSource:
    """What is needed from a layer to render it off the GUI thread (captured on it)."""

    name: str
    provider: QgsRasterDataProvider       # a clone: the user's layer is not used off-thread
    crs: QgsCoordinateReferenceSystem
    extent: QgsRectangle                  # in ``crs``, already clipped to the layer
    extent_label: str                     # "the visible extent", "the whole layer", ...
    native_resolutions: List[float]       # in CRS units per pixel (zoom levels), finest first
    described: Dict[str, str] = field(default_factory=dict)
    grid_origin: Optional[Tuple[float, float]] = None  # top-left of the provider's pixel grid
    too_large_advice: str = "zoom in or choose a coarser GSD"   # what to do when it is

    @classmethod
    def from_layer(cls, layer: QgsRasterLayer, extent: Optional[QgsRectangle] = None,
                   extent_label: str = "the requested extent") -> "RenderSource":
        provider = layer.dataProvider()
        rect = QgsRectangle(layer.extent()) if extent is None else extent.intersect(layer.extent())
        if rect.isEmpty():
            raise BackendError("bad_input", "The chosen extent does not overlap the layer.")
        natives = sorted(r for r in (provider.nativeResolutions() or []) if r > 0)
        if not natives and provider.capabilities() & QgsRasterDataProvider.Size \
                and provider.xSize() > 0 and not provider.extent().isEmpty():
            natives = [provider.extent().width() / provider.xSize()]
        full = provider.extent()
        origin = None if full.isEmpty() else (full.xMinimum(), full.yMaximum())
        return cls(layer.name(), provider.clone(), QgsCoordinateReferenceSystem(layer.crs()),
                   QgsRectangle(rect), extent_label if extent is not None else "the whole layer",
                   natives, describe_source(layer.name(), layer.source(), layer.providerType()),
                   origin)


@dataclass
class RenderPlan:
    source: RenderSource
    extent: QgsRectangle     # what is rendered: the source's extent, on the pixel grid
    resolution: float        # CRS units per pixel of the render
    width: int
    height: int
    render_gsd_m: float      # ground size of a rendered pixel
    working_gsd_m: float     # what the engine will work at (informative)

    @property
    def pixels(self) -> int:
        return self.width * self.height


def model_card(hello: Optional[Dict[str, Any]], model: Optional[str]) -> Dict[str, Any]:
    """The card of ``model`` (name or path; None: the default) among the backend's models."""
    entries = (hello or {}).get("models") or []
    wanted = model or DEFAULT_MODEL
    for entry in entries:
        if wanted in (entry.get("name"), entry.get("path")):
            return entry.get("card") or {}
    return (entries[0].get("card") or {}) if entries and not model else {}


def served_range(card: Dict[str, Any]) -> Optional[Tuple[float, float]]:
    """The GSD range (m) the model card says the model serves, if it says one."""
    rng = card.get("gsd_range_m")
    if isinstance(rng, (list, tuple)) and len(rng) == 2 and all(
            isinstance(v, (int, float)) and v > 0 for v in rng):
        return float(rng[0]), float(rng[1])
    native = card.get("gsd_m")
    return (float(native), float(native)) if isinstance(native, (int, float)) and native > 0 \
        else None


def working_gsd(native_gsd_m: Optional[float], card: Dict[str, Any],
                requested_m: Optional[float]) -> float:
    """The engine's policy: the requested GSD, else the source's own clamped to the served range."""
    if requested_m:
        return float(requested_m)
    rng = served_range(card)
    if native_gsd_m is None:
        if isinstance(card.get("gsd_m"), (int, float)) and card["gsd_m"] > 0:
            return float(card["gsd_m"])
        return rng[0] if rng else 0.15
    if rng is None:
        return native_gsd_m
    return min(max(native_gsd_m, rng[0]), rng[1])


def choose_resolution(natives: Sequence[float], wanted: float) -> float:
    """The coarsest zoom level at least as fine as ``wanted`` (units per pixel); never finer
    than the finest level the provider has (no over-zoom); ``wanted`` when it has no levels."""
    if not natives:
        return wanted
    fine_enough = [r for r in natives if r <= wanted * (1 + 1e-6)]
    return max(fine_enough) if fine_enough else min(natives)


def plan_render(source: RenderSource, card: Dict[str, Any],
                requested_gsd_m: Optional[float] = None,
                max_pixels: int = MAX_RENDER_PIXELS) -> RenderPlan:
    """Size of the render; :class:`BackendError` ``too_large`` above ``max_pixels``."""
    mpu = metres_per_unit(source.crs, source.extent)
    native_gsd = min(source.native_resolutions) * mpu if source.native_resolutions else None
    working = working_gsd(native_gsd, card, requested_gsd_m)
    resolution = choose_resolution(source.native_resolutions, working / mpu)
    extent = QgsRectangle(source.extent)
    if source.grid_origin and any(abs(resolution - r) <= 1e-9 * r
                                  for r in source.native_resolutions):
        extent = snap_to_grid(extent, source.grid_origin, resolution)
    width = max(1, int(math.ceil(extent.width() / resolution - 1e-6)))
    height = max(1, int(math.ceil(extent.height() / resolution - 1e-6)))
    plan = RenderPlan(source, extent, resolution, width, height, resolution * mpu, working)
    if plan.pixels > max_pixels:
        raise BackendError(TOO_LARGE, too_large_message(plan, max_pixels))
    return plan


def snap_to_grid(rect: QgsRectangle, origin: Tuple[float, float],
                 resolution: float) -> QgsRectangle:
    """``rect`` grown to whole pixels of the grid starting at ``origin`` (top-left): the
    render then copies the provider's pixels instead of resampling them by a fraction."""
    ox, oy = origin
    x0 = ox + math.floor((rect.xMinimum() - ox) / resolution + 1e-6) * resolution
    x1 = ox + math.ceil((rect.xMaximum() - ox) / resolution - 1e-6) * resolution
    y1 = oy - math.floor((oy - rect.yMaximum()) / resolution + 1e-6) * resolution
    y0 = oy - math.ceil((oy - rect.yMinimum()) / resolution - 1e-6) * resolution
    return QgsRectangle(x0, y0, x1, y1)


def too_large_message(plan: RenderPlan, max_pixels: int = MAX_RENDER_PIXELS) -> str:
    return (f"{plan.source.extent_label.capitalize()} of “{plan.source.name}” at "
            f"{round_gsd(plan.render_gsd_m):g} m is {plan.width:,} × {plan.height:,} px; "
            f"{plan.source.too_large_advice} (at most {max_pixels / 1e6:.0f} million px).")


def render_to_geotiff(plan: RenderPlan, path: str, is_canceled: Callable[[], bool],
                      on_progress: Optional[Progress] = None) -> str:
    """Write the plan's extent as a GeoTIFF at ``path`` (worker thread); cancellable."""
    pipe = QgsRasterPipe()
    if not pipe.set(plan.source.provider.clone()):
        raise BackendError(RENDER_FAILED, f"QGIS cannot read the layer “{plan.source.name}”.")
    feedback = QgsRasterBlockFeedback()
    label = f"rendering “{plan.source.name}” ({plan.width} × {plan.height} px)"

    def progressed(value: float) -> None:
        if is_canceled():
            feedback.cancel()
        if on_progress is not None:
            on_progress({"stage": label, "fraction": max(0.0, min(1.0, value / 100.0))})

    feedback.progressChanged.connect(progressed)
    if on_progress is not None:
        on_progress({"stage": label, "fraction": 0.0})
    writer = QgsRasterFileWriter(path)
    writer.setOutputFormat("GTiff")
    writer.setCreateOptions(["COMPRESS=DEFLATE", "TILED=YES", "BIGTIFF=IF_SAFER"])
    error = writer.writeRaster(pipe, plan.width, plan.height, plan.extent,
                               plan.source.crs, QgsProject.instance().transformContext(), feedback)
    if is_canceled() or feedback.isCanceled():
        raise BackendError("cancelled", "Cancelled.")
    if error != QgsRasterFileWriter.NoError or not os.path.isfile(path):
        raise BackendError(RENDER_FAILED,
                           f"QGIS could not render “{plan.source.name}” (error {int(error)}).",
                           plan.source.described.get("source", ""))
    return path


def wire_params(params: Dict[str, Any]) -> Dict[str, Any]:
    """The request as the backend sees it: the plugin's own ``_`` keys left out."""
    return {k: v for k, v in params.items() if not k.startswith("_")}


def run_with_rendering(client: BackendClient, method: str, params: Dict[str, Any],
                       is_canceled: Callable[[], bool],
                       on_progress: Optional[Progress] = None) -> Dict[str, Any]:
    """:func:`~rrsis_qgis.runner.run_request`, rendering ``params["_render"]`` first if set.

    Worker thread only. The temporary GeoTIFF is removed whatever happens.
    """
    source: Optional[RenderSource] = params.get("_render")
    wire = wire_params(params)
    if source is None:
        return run_request(client, method, wire, is_canceled, on_progress)
    if client.state in ("stopped", "crashed") or client.hello is None:
        client.start()
    plan = plan_render(source, model_card(client.hello, wire.get("model")), wire.get("gsd_m"))
    remove_stale_renders()
    folder = tempfile.mkdtemp(prefix=f"rrsis-render-{os.getpid()}-")
    try:
        wire["raster"] = render_to_geotiff(plan, os.path.join(folder, "layer.tif"), is_canceled,
                                           on_progress)
        wire["extent"], wire["extent_crs"] = None, None  # the file is the extent
        if params.get("_render_extent"):   # ... and says so (build_dataset: labelled there)
            wire["extent"] = extents.as_list(plan.extent)
            wire["extent_crs"] = extents.crs_id(source.crs)
        return run_request(client, method, wire, is_canceled, on_progress)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale_renders(root: Optional[str] = None) -> List[str]:
    """Remove the render folders (``rrsis-render-PID-XXXX``) of QGIS processes that are gone
    (a crash mid-run leaves a rendered GeoTIFF of up to :data:`MAX_RENDER_PIXELS`). POSIX
    only: on Windows ``os.kill(pid, 0)`` is not a harmless probe."""
    if os.name != "posix":
        return []
    root = root or tempfile.gettempdir()
    removed = []
    for name in os.listdir(root):
        parts = name.split("-")
        if len(parts) != 4 or parts[:2] != ["rrsis", "render"] or not parts[2].isdigit():
            continue
        path = os.path.join(root, name)
        try:
            os.kill(int(parts[2]), 0)
            continue   # still running (or another user's: not ours to remove)
        except ProcessLookupError:
            pass
        except OSError:
            continue
        if os.path.isdir(path) and not os.path.islink(path) and \
                os.stat(path).st_uid == os.getuid():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(name)
    return removed


__all__ = ["MAX_RENDER_PIXELS", "RenderSource", "RenderPlan", "needs_render", "file_path",
           "plan_render", "render_to_geotiff", "run_with_rendering", "model_card",
           "served_range", "working_gsd", "choose_resolution", "wire_params",
           "remove_stale_renders"]
