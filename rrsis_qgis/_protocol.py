"""The wire format between the QGIS plugin and ``rrsis serve``: JSON lines, one source of truth.

Standard library only: the plugin carries a byte-identical copy (``rrsis_qgis/_protocol.py``,
a test holds the two equal) and must never import torch. ``docs/protocol.md`` explains the
format for humans; this module is the authority.

Each line is one JSON object with a ``type``.

Client -> server (requests; ``id`` is chosen by the client and echoed in every reply)::

    {"type": "segment", "id": "r1", "params": {"raster": "...", "expressions": ["..."]}}
    {"type": "cancel", "id": "r1"}            # id names the request to cancel

Server -> client (events)::

    {"type": "hello", "protocol": 1, "backend": "0.1.0", "torch": "2.5.1", ...}
    {"type": "progress", "id": "r1", "fraction": 0.5, "tiles_done": 4, "tiles_total": 8, ...}
    {"type": "result", "id": "r1", "result": {...}}
    {"type": "error", "id": "r1", "code": "bad_input", "message": "...", "detail": null}

:func:`encode` turns a message into one line (no newline); :func:`decode` turns a line back
into a message, validating it against :data:`METHODS` / :data:`EVENTS`, and raises
:class:`ProtocolError` (with a ``code`` from :data:`ERROR_CODES`) for anything else.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Tuple, Union

__all__ = [
    "PROTOCOL_VERSION", "MAX_LINE_CHARS", "MAX_ID_CHARS", "ERROR_CODES", "Field", "MethodSpec",
    "METHODS", "EVENTS", "SEGMENT_PARAMS", "EXPLAIN_PARAMS", "BATCH_PARAMS", "BUILD_DATASET_PARAMS",
    "FINETUNE_PARAMS", "FeatureField", "FEATURE_FIELDS", "ProtocolError", "Request", "Hello",
    "TaskProgress", "Progress", "Result",
    "Error", "Message", "encode", "decode", "validate_params", "params_markdown",
]

#: Bumped on any incompatible change; both sides compare it at ``hello``.
PROTOCOL_VERSION = 1

#: Longer lines are refused (``malformed``) before parsing.
MAX_LINE_CHARS = 16 << 20
#: expressions in one request: each is read (and segmented) apart, so a runaway list would hold
#: the backend for minutes; an analyst's run names a handful
MAX_EXPRESSIONS = 100

#: Protocol-level error codes; the backend adds the ``code`` of its own errors
#: (``bad_input``, ``bad_crs``, ``bad_checkpoint``, ``unknown_model``, ``bad_device``, ...).
ERROR_CODES: Dict[str, str] = {
    "malformed": "the line is not a JSON object with a known shape",
    "unknown_method": "the message type is not one this side understands",
    "bad_params": "the parameters do not match the method's specification",
    "cancelled": "the request was cancelled before it finished; nothing was written",
    "internal": "an unexpected failure inside the backend (a bug: see detail and the log)",
    "out_of_memory": "the device ran out of memory: lower batch_size or use another device",
    "version_mismatch": "the two sides speak different protocol versions",
    "crashed": "the backend process died (client side)",
    "bad_request": "a server event (hello/progress/result/error) was sent to the server",
    "duplicate_id": "a request reuses the id of one still queued or running; the first goes on",
    # the backend's own errors (rrsis.errors), listed so the plugin can name them
    "bad_output": "an output path would destroy the input or another output, or is unusable",
    "output_exists": "the output exists and overwrite was not set",
    "not_writable": "the output folder or file is read-only",
    "disk_full": "the disk is full; nothing was left behind",
    "network_refused": "a URL or remote source: the backend reads local data only",
    "bad_raster": "the raster cannot be read (truncated, corrupt, missing VRT source)",
    "missing_dependency": "a Python package is missing from the backend's environment",
}

#: Request ids are non-empty strings of at most this many characters.
MAX_ID_CHARS = 200


@dataclass(frozen=True)
class Field:
    """One parameter: its JSON kind, whether it must be present, whether null is allowed, and
    what every face (engine, CLI, Processing, dock, settings, docs) derives from it.

    kinds: ``str``, ``int``, ``number``, ``bool``, ``object``, ``str_list`` (non-empty list
    of non-empty strings), ``int_list``, ``extent`` (4 numbers: xmin, ymin, xmax, ymax).

    ``default`` is what an absent (or, when nullable, null) value means; ``default_doc`` says
    it in words where the value is computed (e.g. "16 working pixels"). ``minimum`` /
    ``maximum`` bound a number, each end closed unless ``min_open`` / ``max_open``.
    ``step`` is the resolution a form offers: an open end moves inwards by one step there,
    so a form never offers a value the engine refuses. Forms start at ``default``.
    """

    kind: str
    required: bool = False
    nullable: bool = True
    doc: str = ""
    default: Any = None
    default_doc: str = ""
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    min_open: bool = False
    max_open: bool = False
    unit: str = ""
    choices: Tuple[str, ...] = ()
    max_items: Optional[int] = None        # a list's longest length
    step: Optional[float] = None

    def interval(self) -> str:
        """The accepted range in interval notation, e.g. ``(0, 1)`` or ``[0, inf)``."""
        if self.minimum is None and self.maximum is None:
            return ""
        lo = "(-inf" if self.minimum is None else ("(" if self.min_open else "[") + \
            f"{self.minimum:g}"
        hi = "inf)" if self.maximum is None else f"{self.maximum:g}" + \
            (")" if self.max_open else "]")
        return f"{lo}, {hi}"

    def out_of_range(self, value: Any) -> Optional[str]:
        """None when ``value`` (null, or a number) is within the range and choices, else
        what is wrong, for an error message that names the limits."""
        if value is None:
            return None
        if self.choices and value not in self.choices:
            return f"must be one of {', '.join(self.choices)}, got {value!r}"
        if self.kind == "number" and isinstance(value, float) and not math.isfinite(value):
            return f"must be a finite number{self._in_range()}, got {value!r}"
        if self.minimum is None and self.maximum is None:
            return None
        too_low = self.minimum is not None and (
            value <= self.minimum if self.min_open else value < self.minimum)
        too_high = self.maximum is not None and (
            value >= self.maximum if self.max_open else value > self.maximum)
        return f"must be in {self.interval()}, got {value!r}" if too_low or too_high else None

    def _in_range(self) -> str:
        return f" in {self.interval()}" if self.interval() else ""

    def form_range(self, largest: float = 1e9) -> Tuple[float, float]:
        """The closed range a form offers: open ends moved in by ``step``, no end: ``largest``."""
        step = self.step or 0.0
        lo = -largest if self.minimum is None else self.minimum + (step if self.min_open else 0)
        hi = largest if self.maximum is None else self.maximum - (step if self.max_open else 0)
        return float(lo), float(hi)


@dataclass(frozen=True)
class MethodSpec:
    """A request the server accepts: its params, its reply, and whether it waits in the queue."""

    params: Dict[str, Field]
    result: str
    queued: bool
    doc: str


#: The fields of ``rrsis.engine.options.SegmentOptions`` as they travel on the wire: the one
#: definition of each segment parameter (engine defaults and checks, CLI options, the
#: plugin's forms and settings, the table in docs/protocol.md all come from here).
SEGMENT_PARAMS: Dict[str, Field] = {
    "raster": Field("str", True, False, "raster path or local GDAL dataset name (a .vrt "
                    "file, a table of a file as GPKG:/data/site.gpkg:ortho, a file in an "
                    "archive as /vsizip/...)"),
    "expressions": Field("str_list", True, False,
                         "referring expressions; one layer, told apart by its expression field",
                         max_items=MAX_EXPRESSIONS),
    "output": Field("str", doc="GeoPackage to write (segment needs it; estimate ignores it), "
                               "or GeoJSON (.geojson, in WGS 84) or FlatGeobuf (.fgb); written "
                               "under a temporary name, then renamed"),
    "layer": Field("str", nullable=False, doc="layer name inside the GeoPackage (a GeoJSON or "
                   "FlatGeobuf file holds one layer)",
                   default="rrsis"),
    "extent": Field("extent", doc="area to segment, [xmin, ymin, xmax, ymax] in extent_crs",
                    default_doc="whole raster"),
    "extent_crs": Field("str", doc="CRS of extent, e.g. 'EPSG:32617'",
                        default_doc="the raster's CRS"),
    "model": Field("str", doc="model name (see models) or .safetensors path",
                   default_doc="the default model (lgce-lite)"),
    "device": Field("str", nullable=False, doc="auto, cpu, cuda or cuda:N", default="auto"),
    "threads": Field("int", doc="CPU threads (0: torch's default)", minimum=0,
                     maximum=1024, default_doc="torch's default"),
    "precision": Field("str", nullable=False, default="auto",
                       choices=("auto", "fp32", "fast", "bf16"),
                       doc="auto: exact fp32 on CPU, autocast on CUDA; fast: bf16 decoder on "
                           "CPU; fp32; bf16"),
    "threshold": Field("number", nullable=False, doc="foreground probability threshold of the "
                       "mask (0.5 is each category group's point when the model card has "
                       "operating points)", default=0.5, minimum=0.0, maximum=1.0, min_open=True,
                       max_open=True, step=0.01),
    "min_area_m2": Field("number", doc="drop objects smaller than this; 0 keeps every object",
                         unit="m2", minimum=0.0, step=0.01,
                         default_doc="16 working pixels, at least 1 m2"),
    "simplify_m": Field("number", nullable=False, doc="simplification tolerance", unit="m",
                        default=0.0, minimum=0.0),
    "bands": Field("int_list", doc="1-based band indexes used as RGB",
                   default_doc="first three / RGB"),
    "nir_band": Field("int", minimum=0, doc="1-based band holding near infrared: trees and "
                      "vegetation are kept where NDVI >= 0.25 (rrsis.engine.nir); 0: off",
                      default_doc="a band tagged or described as near infrared, else band 4 "
                                  "of a 4-band raster unless it is an alpha mask"),
    "gsd_m": Field("number", doc="working ground sample distance", unit="m",
                   minimum=1e-3, maximum=1e4, step=0.001,
                   default_doc="the raster's own GSD when the model serves it, else the nearest "
                               "end of the model's GSD range; a category the card serves "
                               "within its own range (roads) is looked for there, unless set"),
    "probability": Field("str", doc="also write the probability raster to this path"),
    "probability_dtype": Field("str", nullable=False, default="uint8",
                               doc="probability raster: uint8 0-255 or float32 0-1",
                               choices=("uint8", "float32")),
    "mask": Field("str", doc="also write the binary mask GeoTIFF to this path"),
    "batch_size": Field("int", nullable=False, doc="tiles per forward pass", default=4,
                        minimum=1),
    "overlap": Field("number", nullable=False, doc="tile overlap as a fraction of the tile",
                     default=0.25, minimum=0.0, maximum=0.9, max_open=True, step=0.01),
    "pixel_coordinates": Field("bool", nullable=False, default=False,
                               doc="accept a raster without a CRS (output in pixel units)"),
    "pixel_size_m": Field("number", doc="ground size of one pixel of a raster without a CRS "
                          "(with pixel_coordinates): the engine serves it at the model's scales "
                          "and measures relations and areas in metres from it", unit="m",
                          minimum=1e-3, maximum=1e4, step=0.001,
                          default_doc="the model's native GSD (the model sees the pixels as "
                                      "they are; the result says so)"),
    "pixel_y": Field("str", nullable=False, default="down", choices=("down", "up"),
                     doc="which way y grows in pixel coordinates (the extent and the outputs): "
                         "down, y is the row (GDAL's pixel/line); up, y is minus the row (how "
                         "QGIS shows a raster without a CRS)"),
    "overwrite": Field("bool", nullable=False, default=False,
                       doc="replace outputs that exist (else error output_exists); the plugin "
                           "sets it only for paths the user accepted in QGIS's overwrite prompt"),
    "grounding": Field("str", nullable=False, default="auto", choices=("auto", "on", "off"),
                       doc="attributes and relations computed explicitly (auto: when the "
                           "expression is understood; see docs/grounding.md) or end to end"),
    "stretch": Field("str", nullable=False, default="auto", choices=("auto", "area"),
                     doc="a raster that is not 8-bit: auto stretches it as the model's training "
                         "data where its card records that (input_stretch: a model fine-tuned "
                         "on such a raster), else 2-98 % over the requested area; area: always "
                         "the area's (a raster of another sensor than the model was tuned on)"),
    "rivals": Field("bool", nullable=False, default=True,
                    doc="also segment the categories that cannot share ground with the one "
                        "asked for (buildings: vehicles and road; vehicles: buildings) and leave "
                        "out an object a rival covers at least half of where the model is surer "
                        "of the rival (see docs/grounding.md)"),
    "regularize": Field("bool", nullable=False, default=False,
                        doc="right-angle outlines: near-rectangles become rectangles, other "
                            "shapes rectilinear when that stays close (IoU >= 0.85); for "
                            "buildings"),
    "flip_average": Field("bool", nullable=False, default=False,
                          doc="average the model over each tile and its three flips "
                              "(test-time augmentation): about 4x the inference time for "
                              "about a point of oIoU (README, 'The default model')"),
    "runtime": Field("str", nullable=False, default="auto", choices=("auto", "onnx", "torch"),
                     doc="auto: ONNX Runtime on the CPU when the model has a graph, else "
                         "torch (always torch on CUDA); the result's runtime says which ran"),
    "presence_check": Field("bool", nullable=False, default=True,
                            doc="drop a phrase's objects when its presence is below the model "
                                "card's calibrated threshold (no object matches)"),
}

#: ``batch``: the fields of ``rrsis.batch.BatchOptions``; its per-raster options are
#: SEGMENT_PARAMS without the single-raster ones.
BATCH_PARAMS: Dict[str, Field] = {
    "inputs": Field("str_list", True, False,
                    "folders, globs, text files of paths, VRTs or tile indexes"),
    "output_dir": Field("str", True, False, "folder for per-raster GeoPackages, "
                        "manifest.sqlite, merged.gpkg and merged.parquet; reused to resume"),
    **{name: f for name, f in SEGMENT_PARAMS.items()
       if name not in ("raster", "output", "probability", "probability_dtype", "mask")},
    "workers": Field("int", doc="local Dask worker processes; null: sized to the machine"),
    "threads_per_worker": Field("int", doc="tasks per local worker; null: 1"),
    "scheduler": Field("str", doc="address of a running Dask scheduler; null: a local cluster"),
    "crs": Field("str", doc="CRS of the merged result; null: the inputs' own, else EPSG:4326"),
    "retries": Field("int", nullable=False, doc="retries of a raster whose task failed"),
    "join_borders": Field("bool", nullable=False, doc="join objects cut by tile borders"),
}

#: the ``class_field`` of a class raster given as labels: its pixel values
RASTER_CLASS_FIELD = "value"
#: ``build_dataset``: ``rrsis.training.region.build_region_dataset`` (CLI ``build-dataset``).
BUILD_DATASET_PARAMS: Dict[str, Field] = {
    "raster": Field("str", True, False, "georeferenced raster (or one without a CRS, with "
                    "pixel_coordinates)"),
    "labels": Field("str", True, False, "polygons, lines or points (any OGR vector file), "
                    "or a class raster (a land-cover map, a mask)"),
    "output": Field("str", True, False, "dataset folder to write (refused if it exists)"),
    "class_field": Field("str", doc="attribute holding the class (a class raster: "
                         f"'{RASTER_CLASS_FIELD}', its pixel values); null: fixed_class"),
    "fixed_class": Field("str", doc="one class for the whole layer, e.g. 'building'"),
    "words": Field("str", doc="class value -> words, YAML/JSON text or a file, e.g. "
                   "'{1: building, 2: [road, street]}' (needed for class codes)"),
    "layer": Field("str", doc="layer inside the labels file"),
    "gsd_m": Field("number", doc="tile GSD; null: the raster's, within the default "
                   "model's served range"),
    "tile_size": Field("int", nullable=False, doc="tile side in pixels"),
    "split": Field("str", nullable=False,
                   doc="train,val,test shares of the area that holds data, as strips"),
    "extent": Field("extent", doc="the area the labels cover completely, in extent_crs "
                                  "(null: the labels' extent and an eighth of a tile around it)"),
    "test_extent": Field("extent", doc="the held-out area, in extent_crs"),
    "extent_crs": Field("str", doc="CRS of the extents; null: the raster's"),
    "line_width_m": Field("number", nullable=False, doc="width of line labels in metres"),
    "point_radius_m": Field("number", nullable=False, doc="radius of point labels in metres"),
    "line_width_field": Field("str", doc="field holding each line's width in metres (else "
                                         "line_width_m)"),
    "point_radius_field": Field("str", doc="field holding each point's radius in metres (else "
                                           "point_radius_m)"),
    "bands": Field("int_list", doc="1-based band indexes used as RGB"),
    "overwrite": Field("bool", nullable=False, doc="replace an existing dataset folder"),
    "negative_tiles": Field("bool", nullable=False,
                            doc="tiles without a labelled object teach the class as absent"),
    "copy_raster": Field("bool", nullable=False, default=False,
                         doc="keep a copy of the raster, the part the dataset covers, in the "
                             "dataset (a raster that exists only for this build: a web layer "
                             "rendered by QGIS)"),
    "copy_labels": Field("bool", nullable=False, default=False,
                         doc="keep a copy of the labels in the dataset (labels that exist only "
                             "for this build: a layer QGIS exported)"),
    # a raster without a CRS (a drone photo): the labels in its pixel units, as segment reads it
    "pixel_coordinates": SEGMENT_PARAMS["pixel_coordinates"],
    "pixel_size_m": replace(SEGMENT_PARAMS["pixel_size_m"], default_doc="none: needed for a "
                            "raster without a CRS (the new model is trained and served at it)"),
    "pixel_y": SEGMENT_PARAMS["pixel_y"],
}

#: ``finetune``: ``rrsis.training.region.finetune.finetune_region`` (CLI ``finetune``).
FINETUNE_PARAMS: Dict[str, Field] = {
    "dataset": Field("str", True, False, "a folder written by build_dataset"),
    "name": Field("str", True, False, "name of the new model (the models list shows it)"),
    "model": Field("str", doc="model to start from; null: the default model"),
    "minutes": Field("number", nullable=False, doc="time budget of the training"),
    "max_iters": Field("int", doc="stop after this many iterations (tests)"),
    "lr": Field("number", doc="learning rate; null: the recipe's"),
    "licence": Field("str", doc="licence of the new weights (model card)"),
    "attribution": Field("str", doc="attribution of the imagery and labels (model card)"),
    "out": Field("str", doc="run folder (logs, state); null: runs/finetune-NAME"),
    "device": Field("str", nullable=False, doc="auto | cpu | cuda"),
    "threads": Field("int", doc="CPU threads; null: torch's default"),
    "overwrite": Field("bool", nullable=False, doc="replace a model of the same name"),
    "base_where_better": Field("bool", nullable=False, default=True,
                               doc="a class the base model segments better on the validation "
                                   "part (IoU higher by 0.05) is left to it (card base_classes); "
                                   "false: the new model answers every class"),
}

@dataclass(frozen=True)
class FeatureField:
    """One attribute of the objects a segment request writes (GeoPackage layer and the
    plugin's layers): ``kind`` ``str`` or ``number``."""

    kind: str
    doc: str


#: The fields of every feature of a segment (and batch) result, in layer order.
FEATURE_FIELDS: Dict[str, FeatureField] = {
    "expression": FeatureField("str", "the expression that found the object"),
    "category": FeatureField("str", "the category it was selected as ('car', 'building': "
                             "'cars and trucks', 'anything red' name several; 'junction', "
                             "'bridge', 'end': a part of the road's outline); empty where the "
                             "model answered the expression whole"),
    "score": FeatureField("number", "mean foreground probability over the object's pixels "
                          "(a junction, a bridge, a dead end: that of the road object it lies "
                          "most on)"),
    "area_m2": FeatureField("number", "area of the polygon in square metres"),
    "model": FeatureField("str", "name of the model"),
    "model_sha256": FeatureField("str", "SHA-256 of the model's weights"),
    "gsd_m": FeatureField("number", "GSD in metres the object was segmented at"),
    "created": FeatureField("str", "when the run wrote it (ISO 8601 UTC)"),
    "plan": FeatureField("str", "how the expression was read (rrsis.grounding)"),
}

#: The params of ``explain``: the segment params that decide how an expression is read.
EXPLAIN_PARAMS: Dict[str, Field] = {k: SEGMENT_PARAMS[k]
                                    for k in ("expressions", "model", "grounding", "rivals")}

#: Every request type. ``hello`` also goes the other way, as the server's first event.
METHODS: Dict[str, MethodSpec] = {
    "hello": MethodSpec({"protocol": Field("int", True, False)}, "the hello payload", False,
                        "check versions; the server replies with its hello or version_mismatch"),
    "models": MethodSpec({}, "{models: [{name, path, card}], architectures: [str]}", False,
                         "checkpoints found and registered architectures"),
    "segment": MethodSpec(SEGMENT_PARAMS, "SegmentResult.to_dict()", True,
                          "segment a raster into polygons; progress events until the result"),
    "estimate": MethodSpec(SEGMENT_PARAMS, "EstimateResult.to_dict()", True,
                           "tiles, time and memory of a segment request, without running it"),
    "explain": MethodSpec(EXPLAIN_PARAMS, "{plans: {expression: {summary, mode, reason, "
                          "unknown_words, suggestions, corrected, notes, targets, segment, "
                          "rivals, text"
                          "[, unlearnt, cautions, base_model, nir_gated]}}}", False,
                          "how a segment request would read its expressions (grounding plans), "
                          "from the model's card alone: no raster, no model run"),
    "batch": MethodSpec(BATCH_PARAMS, "BatchResult.to_dict()", True,
                        "segment many rasters on Dask into one merged result; progress events "
                        "count rasters (tiles_done/tiles_total) until the result; cancel keeps "
                        "the rasters finished so far for a resume"),
    "build_dataset": MethodSpec(BUILD_DATASET_PARAMS, "the dataset summary (parts with area_m2, "
                                "data_area_m2 and objects, samples, warnings)", True,
                                "raster + labels -> training dataset; progress counts tiles; "
                                "cancel leaves no folder"),
    "finetune": MethodSpec(FINETUNE_PARAMS, "{model, export, iterations, stopped_early, gsd_m, "
                           "gsd_range_m, base_classes, before, after, report, warnings}", True,
                           "fine-tune within a time budget; progress stages: before, training "
                           "(with eta_s), export, choosing, after; the new model is in the "
                           "models list"),
    "cancel": MethodSpec({}, "none: the cancelled request gets error 'cancelled'", False,
                         "cancel the queued or running request named by id"),
    "shutdown": MethodSpec({}, "{}", False,
                           "cancel everything, reply, exit"),
}

#: Server -> client message types.
EVENTS = ("hello", "progress", "result", "error")


class ProtocolError(ValueError):
    """A line that cannot be accepted; ``request_id`` is set when the id could be read."""

    def __init__(self, code: str, message: str, request_id: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id


@dataclass
class Request:
    """Client -> server: ``method`` is the message type (``segment``, ``cancel``, ...)."""

    method: str
    id: str
    params: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Hello:
    """Server -> client, sent unprompted once at start (and in reply to a ``hello`` request)."""

    protocol: int
    backend: str
    torch: Optional[str] = None
    python: Optional[str] = None
    pid: Optional[int] = None
    devices: List[Dict[str, Any]] = field(default_factory=list)
    models: List[Dict[str, Any]] = field(default_factory=list)
    architectures: List[str] = field(default_factory=list)
    id: Optional[str] = None
    #: what ``runtime: auto`` will use for the default model: onnx | torch, and on which device
    runtime: Optional[str] = None
    device: Optional[str] = None


@dataclass
class TaskProgress:
    """How far a running task is: what the engine reports, and the body of a progress event.

    ``fraction`` in [0, 1]; tiles (or rasters, iterations) done of total; ``eta_s`` the
    estimated seconds left; ``stage`` what runs now (e.g. ``segment``, ``write``).
    """

    fraction: float
    tiles_done: Optional[int] = None
    tiles_total: Optional[int] = None
    eta_s: Optional[float] = None
    stage: Optional[str] = None


@dataclass
class _Addressed:
    id: str


@dataclass
class Progress(TaskProgress, _Addressed):
    """Server -> client while a queued request runs: the request's ``id`` and its
    :class:`TaskProgress` fields (``Progress(id, fraction, tiles_done, ...)``); fraction is
    non-decreasing."""

    @classmethod
    def of(cls, request_id: str, task: TaskProgress) -> "Progress":
        """The event telling request ``request_id`` how far its task is."""
        return cls(request_id, **_fields(task))


@dataclass
class Result:
    """Server -> client: the request ``id`` succeeded."""

    id: str
    result: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Error:
    """Server -> client: the request ``id`` failed (``id`` is null when the line had none)."""

    id: Optional[str]
    code: str
    message: str
    detail: Optional[str] = None


Message = Union[Request, Hello, Progress, Result, Error]

_TYPE_OF = {Hello: "hello", Progress: "progress", Result: "result", Error: "error"}


def encode(msg: Message) -> str:
    """One message -> one line of ASCII JSON, without the newline. NaN/inf become null."""
    if isinstance(msg, Request):
        obj: Dict[str, Any] = {"type": msg.method, "id": msg.id}
        if msg.params:
            obj["params"] = msg.params
    elif type(msg) in _TYPE_OF:
        obj = {"type": _TYPE_OF[type(msg)]}
        obj.update(_fields(msg))
        if isinstance(msg, Hello) and msg.id is None:
            del obj["id"]
    else:
        raise TypeError(f"not a protocol message: {type(msg).__name__}")
    return json.dumps(_finite(obj), ensure_ascii=True, allow_nan=False,
                      separators=(",", ":"), default=str)


def decode(line: Union[str, bytes]) -> Message:
    """One line -> a validated message, or :class:`ProtocolError` (never anything else)."""
    if isinstance(line, (bytes, bytearray)):
        try:
            line = bytes(line).decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("malformed", "line is not UTF-8") from None
    if len(line) > MAX_LINE_CHARS:
        raise ProtocolError("malformed", f"line longer than {MAX_LINE_CHARS} characters")
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("malformed", f"not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise ProtocolError("malformed", "a message must be a JSON object")
    raw_id = obj.get("id")
    rid = raw_id if _is_id(raw_id) else None
    kind = obj.get("type")
    if not isinstance(kind, str) or not kind:
        raise ProtocolError("malformed", "a message needs a string 'type'", rid)
    if kind in EVENTS and (kind != "hello" or "backend" in obj):
        return _decode_event(kind, obj, rid)
    if kind not in METHODS:
        known = ", ".join(sorted(set(METHODS) | set(EVENTS)))
        raise ProtocolError("unknown_method", f"unknown message type {kind!r} (known: {known})",
                            rid)
    if rid is None:
        if isinstance(raw_id, str) and len(raw_id) > MAX_ID_CHARS:
            raise ProtocolError("malformed", f"'{kind}' has an 'id' of {len(raw_id)} characters: "
                                f"ids are at most {MAX_ID_CHARS} characters", None)
        raise ProtocolError("malformed", f"'{kind}' needs an 'id': a non-empty string of at most "
                            f"{MAX_ID_CHARS} characters", None)
    params = obj.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ProtocolError("bad_params", "'params' must be a JSON object", rid)
    extra = set(obj) - {"type", "id", "params"}
    if extra:
        raise ProtocolError("malformed", f"unexpected keys {sorted(extra)}", rid)
    try:
        validate_params(kind, params)
    except ProtocolError as exc:
        exc.request_id = rid
        raise
    return Request(kind, rid, params)


def validate_params(method: str, params: Dict[str, Any]) -> None:
    """Check ``params`` against :data:`METHODS` (unknown names are refused: typos surface)."""
    spec = METHODS[method].params
    unknown = sorted(set(params) - set(spec))
    if unknown:
        raise ProtocolError("bad_params", f"{method}: unknown parameter(s) {unknown}; "
                                          f"known: {sorted(spec)}")
    for name, fld in spec.items():
        if name not in params:
            if fld.required:
                raise ProtocolError("bad_params", f"{method}: missing parameter '{name}'")
            continue
        problem = _check(fld, params[name])
        if problem:
            raise ProtocolError("bad_params", f"{method}: '{name}' {problem}")


def _decode_event(kind: str, obj: Dict[str, Any], rid: Optional[str]) -> Message:
    body = {k: v for k, v in obj.items() if k != "type"}
    cls = {"hello": Hello, "progress": Progress, "result": Result, "error": Error}[kind]
    try:
        msg = cls(**body)
    except TypeError as exc:
        raise ProtocolError("malformed", f"bad '{kind}' event: {exc}", rid) from None
    if kind == "hello" and not (isinstance(msg.protocol, int) and isinstance(msg.backend, str)):
        raise ProtocolError("malformed", "hello needs an int 'protocol' and a str 'backend'", rid)
    if kind == "progress" and not (rid and _is_number(msg.fraction)):
        raise ProtocolError("malformed", "progress needs an 'id' and a numeric 'fraction'", rid)
    if kind == "result" and not (rid and isinstance(msg.result, dict)):
        raise ProtocolError("malformed", "result needs an 'id' and an object 'result'", rid)
    if kind == "error" and not (isinstance(msg.code, str) and isinstance(msg.message, str)
                                and (msg.id is None or rid)):
        raise ProtocolError("malformed", "error needs string 'code' and 'message'", rid)
    return msg


def _check(fld: Field, value: Any) -> Optional[str]:
    """None when ``value`` fits ``fld``, else what is wrong, for the error message."""
    if value is None:
        return None if fld.nullable else "must not be null"
    kind = fld.kind
    if kind == "str":
        return None if isinstance(value, str) else "must be a string"
    if kind == "int":
        return None if isinstance(value, int) and not isinstance(value, bool) else \
            "must be an integer"
    if kind == "number":
        return None if _is_number(value) and math.isfinite(value) else "must be a finite number"
    if kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "object":
        return None if isinstance(value, dict) else "must be an object"
    if kind == "str_list":
        ok = isinstance(value, list) and value and all(isinstance(v, str) and v.strip()
                                                       for v in value)
        if ok and fld.max_items is not None and len(value) > fld.max_items:
            return f"has {len(value)} items: at most {fld.max_items} in one request"
        return None if ok else "must be a non-empty list of non-empty strings"
    if kind == "int_list":
        ok = isinstance(value, list) and value and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value)
        return None if ok else "must be a non-empty list of integers"
    if kind == "extent":
        ok = isinstance(value, list) and len(value) == 4 and all(
            _is_number(v) and math.isfinite(v) for v in value)
        if not ok:
            return "must be [xmin, ymin, xmax, ymax] (4 finite numbers)"
        return None if value[0] < value[2] and value[1] < value[3] else \
            "must have xmin < xmax and ymin < ymax"
    return f"has an unknown kind {kind!r} in the specification"  # pragma: no cover


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS


def _fields(msg: Any) -> Dict[str, Any]:
    return {k: getattr(msg, k) for k in msg.__dataclass_fields__}


def _finite(obj: Any) -> Any:
    """NaN and infinities are not JSON: replace them with null, recursively."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


_JSON_KINDS = {"str": "string", "int": "int", "number": "number", "bool": "bool",
               "object": "object", "str_list": "list of non-empty strings",
               "int_list": "list of ints", "extent": "`[xmin, ymin, xmax, ymax]`"}


def params_markdown(params: Optional[Dict[str, Field]] = None) -> str:
    """The Markdown table of ``params`` (default: :data:`SEGMENT_PARAMS`) in docs/protocol.md;
    ``python -m rrsis.protocol --markdown`` prints it and a test holds the docs equal."""
    rows = ["| name | JSON | default | range | meaning |",
            "|------|------|---------|-------|---------|"]
    for name, fld in (SEGMENT_PARAMS if params is None else params).items():
        kind = _JSON_KINDS.get(fld.kind, fld.kind)
        if fld.required:
            kind += ", **required**"
        elif fld.nullable:
            kind += " or null"
        if fld.default_doc:
            default = fld.default_doc
        elif fld.default is None:
            default = ""
        else:
            default = f"`{json.dumps(fld.default)}`"
        bounds = fld.interval() or (", ".join(f"`{c}`" for c in fld.choices)) or (
            f"at most {fld.max_items}" if fld.max_items else "")
        unit = f" {fld.unit}" if fld.unit and fld.interval() else ""
        meaning = fld.doc.replace("|", "\\|")
        rows.append(f"| `{name}` | {kind} | {default} | {bounds}{unit} | {meaning} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover - python -m rrsis.protocol --markdown
    import sys

    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m rrsis.protocol --markdown")
    sys.stdout.write(params_markdown())
