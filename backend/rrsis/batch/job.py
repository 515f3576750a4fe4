"""``run_batch``: many rasters through the engine on Dask, resumable, merged into one result.

Steps: resolve the inputs -> read the manifest and skip what is settled with the same
file and options (done, or refused as invalid input) -> open the cluster (only when
something is left to do) -> one task per raster, retried up to ``retries`` times when it
fails for a reason other than its input (a lost worker, out of memory, a bug) -> record
each finished raster in the manifest as it arrives -> join objects across tile borders and write ``merged.gpkg`` and
``merged.parquet``. Rasters, not windows of one raster, are the unit of work: a very
large raster is one task (the engine streams it in flat memory).

Over 300 lines on purpose: the job's steps read in order in one file; its parts live beside
it (:mod:`.inputs`, :mod:`.manifest`, :mod:`.worker`, :mod:`.cluster`, :mod:`.merge`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..engine.run import SegmentOptions
from ..errors import Cancelled, InputError
from ..paths import subdataset_file
from .inputs import resolve_inputs
from .manifest import Manifest, file_stamp, options_signature

__all__ = ["BatchOptions", "BatchProgress", "RasterOutcome", "BatchResult", "run_batch",
           "batch_options",
           "RASTERS_DIR", "MERGED_GPKG", "MERGED_PARQUET", "NOT_IN_SIGNATURE"]

log = logging.getLogger(__name__)

RASTERS_DIR = "rasters"
MERGED_GPKG = "merged.gpkg"
MERGED_PARQUET = "merged.parquet"
POLL_S = 0.25
#: SegmentOptions fields that do not change the features (any other field, including ones
#: added later, is part of a raster's "same options" signature)
NOT_IN_SIGNATURE = ("raster", "output", "device", "threads", "batch_size", "probability",
                    "probability_dtype", "mask", "model")


@dataclass
class BatchOptions:
    inputs: List[str]
    output_dir: str
    segment: SegmentOptions  # the options of every raster; ``raster``/``output`` are set per task
    workers: Optional[int] = None
    threads_per_worker: Optional[int] = None
    scheduler: Optional[str] = None
    crs: Optional[str] = None
    retries: int = 2
    join_borders: bool = True


@dataclass
class RasterOutcome:
    path: str
    status: str  # done | skipped | failed
    features: int = 0
    km2: float = 0.0
    seconds: float = 0.0
    error: Optional[str] = None
    output: Optional[str] = None


@dataclass
class BatchProgress:
    """Rasters finished (done, skipped or failed) of the total; the server sends it as is."""

    fraction: float
    tiles_done: int
    tiles_total: int
    eta_s: Optional[float]
    stage: str
    last: Optional[RasterOutcome] = None


@dataclass
class BatchResult:
    output_dir: str
    manifest: str
    merged: Optional[str]
    merged_parquet: Optional[str]
    crs: Optional[str]
    rasters: int
    done: int
    skipped: int
    failed: int
    features: int
    km2: float
    seconds: float
    km2_processed: float = 0.0
    joined: int = 0
    workers: int = 0
    dashboard: Optional[str] = None
    failures: List[Dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


def batch_options(params: Dict[str, Any],
                  segment_options: Callable[[Dict[str, Any]], SegmentOptions]) -> BatchOptions:
    """Wire params (``protocol.BATCH_PARAMS``) -> BatchOptions; ``segment_options`` is the
    server's own params -> SegmentOptions function (one definition of that mapping)."""
    own = {f.name for f in dataclasses.fields(BatchOptions)} - {"segment"}
    kwargs = {k: v for k, v in params.items() if k in own and v is not None}
    segment = segment_options({"raster": "", **{k: v for k, v in params.items()
                                                 if k not in own}})
    return BatchOptions(segment=segment, **kwargs)


def _model_identity(model: Optional[str]) -> Tuple[str, str]:
    """(weights sha256, card sha256): the card's operating points, presence thresholds,
    grounding policy and scales change what is served without changing the weights."""
    from ..models.catalog import find_model
    from ..models.checkpoint import read_card

    path = find_model(model)
    card = read_card(path)
    sha = str(card.get("weights_sha256") or "")
    if not sha:  # an old card: the file's own hash stands in
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        sha = "file:" + digest.hexdigest()
    card_sha = hashlib.sha256(json.dumps(card, sort_keys=True, default=str).encode()).hexdigest()
    return sha, card_sha


def output_name(path: str) -> str:
    """``<stem>-<8 hex of the path>.gpkg``: readable, and unique for equal stems; a table of a
    file is ``<file stem>-<table>`` (``GPKG:/data/site.gpkg:ortho`` -> ``site-ortho-...``)."""
    stem = Path(path).stem
    inner = subdataset_file(path)
    if inner is not None:
        table = path[path.index(inner) + len(inner):].strip('":')
        stem = re.sub(r"[^\w.-]+", "_", f"{Path(inner).stem}-{table}").strip("_")
    return f"{stem}-{hashlib.sha1(path.encode()).hexdigest()[:8]}.gpkg"  # nosec B324


def _signature(template: SegmentOptions, model_sha: str, card_sha: str) -> Dict[str, Any]:
    """What makes two runs of a raster give the same features: the options, the model's
    weights and card, and the rule an unset option stands for (a backend that changes the
    default minimum area redoes the rasters it would answer differently)."""
    from ..engine.gsd import MIN_AREA_FLOOR_M2, MIN_AREA_PIXELS

    opts = {k: v for k, v in dataclasses.asdict(template).items() if k not in NOT_IN_SIGNATURE}
    opts["model_sha256"], opts["model_card_sha256"] = model_sha, card_sha
    if template.min_area_m2 is None:
        opts["min_area_m2"] = f"default: {MIN_AREA_PIXELS} px, >= {MIN_AREA_FLOOR_M2:g} m2"
    return opts


def run_batch(options: BatchOptions, progress: Optional[Callable[[BatchProgress], None]] = None,
              cancel: Optional[Callable[[], bool]] = None, client: Any = None) -> BatchResult:
    """Run the batch; ``client``: an already connected ``distributed.Client`` to use."""
    from ..engine.run import _check_options

    t0 = time.perf_counter()
    _check_options(options.segment)
    if options.retries < 0:
        raise InputError("retries must not be negative")
    if options.crs:
        from .merge import choose_crs

        choose_crs([], options.crs)  # a bad --crs fails now, not after hours of work
    paths = resolve_inputs(options.inputs)
    out = Path(options.output_dir).expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise InputError(f"the output {out} is a file, not a folder")
    if not out.parent.is_dir():
        raise InputError(f"the output's parent folder does not exist: {out.parent}")
    model_sha, card_sha = _model_identity(options.segment.model)
    (out / RASTERS_DIR).mkdir(parents=True, exist_ok=True)
    signature = _signature(options.segment, model_sha, card_sha)
    sig_sha, sig_json = options_signature(signature), json.dumps(signature, sort_keys=True,
                                                                   default=str)
    outcomes: Dict[str, RasterOutcome] = {}
    total = len(paths)

    def report(stage: str, last: Optional[RasterOutcome] = None) -> None:
        if progress is None:
            return
        n = len(outcomes)
        elapsed = time.perf_counter() - t0
        worked = [o for o in outcomes.values() if o.status != "skipped"]
        left = total - n
        eta = elapsed / len(worked) * left if worked and left else (0.0 if not left else None)
        progress(BatchProgress(n / total if total else 1.0, n, total, eta, stage, last))

    with Manifest(out) as manifest:
        todo = []
        for path in paths:
            try:
                stamp = file_stamp(path)
            except OSError as exc:
                outcomes[path] = RasterOutcome(path, "failed", error=f"bad_input: {exc}")
                continue
            entry = manifest.is_done(path, stamp, sig_sha)
            if entry is not None and entry.status == "invalid":
                outcomes[path] = RasterOutcome(path, "failed", error=f"{entry.error} (refused "
                                               "before; not retried until the file changes)")
            elif entry is not None:
                outcomes[path] = RasterOutcome(path, "skipped", entry.features or 0,
                                               entry.km2 or 0.0, entry.seconds or 0.0,
                                               output=entry.output)
            else:
                todo.append(path)
        report("segment")
        workers, dashboard = 0, None
        if todo:
            runner = _Runner(options, out, manifest, sig_sha, sig_json, model_sha, outcomes,
                             report, cancel)
            workers, dashboard = runner.run(todo, client)
        report("merge")
        merged = _merge(options, out, paths, outcomes)
    done = [o for o in outcomes.values() if o.status == "done"]
    skipped = [o for o in outcomes.values() if o.status == "skipped"]
    failed = [o for o in outcomes.values() if o.status == "failed"]
    result = BatchResult(
        output_dir=str(out), manifest=str(manifest.path), merged=merged[0],
        merged_parquet=merged[1], crs=merged[2], rasters=total, done=len(done),
        skipped=len(skipped), failed=len(failed), features=merged[3],
        km2=round(sum(o.km2 for o in done + skipped), 6),
        km2_processed=round(sum(o.km2 for o in done), 6),
        seconds=round(time.perf_counter() - t0, 3), joined=merged[4], workers=workers,
        dashboard=dashboard, failures=[{"path": o.path, "error": o.error or ""} for o in failed])
    report("done")
    return result


class _Runner:
    """Submits the tasks, retries, records each outcome; Ctrl-C/cancel stop cleanly."""

    def __init__(self, options: BatchOptions, out: Path, manifest: Manifest, sig_sha: str,
                 sig_json: str, model_sha: str, outcomes: Dict[str, RasterOutcome],
                 report: Callable[..., None], cancel: Optional[Callable[[], bool]]) -> None:
        self.options, self.out, self.manifest = options, out, manifest
        self.sig_sha, self.sig_json, self.model_sha = sig_sha, sig_json, model_sha
        self.outcomes, self.report, self.cancel = outcomes, report, cancel

    def run(self, todo: List[str], client: Any) -> Tuple[int, Optional[str]]:
        """Process ``todo``; (workers, dashboard link)."""
        from .cluster import open_client, plan_local_cluster

        if client is not None:
            return self._run_on(client, todo, None)
        plan = None if self.options.scheduler else plan_local_cluster(
            len(todo), self.options.workers, self.options.threads_per_worker)
        with open_client(self.options.scheduler, plan) as own:
            return self._run_on(own, todo, plan.torch_threads if plan else None)

    def _run_on(self, client: Any, todo: List[str],
                threads: Optional[int]) -> Tuple[int, Optional[str]]:
        from distributed import wait

        from .cluster import dashboard_link
        from .worker import WarmModel, segment_raster

        client.register_plugin(WarmModel(threads))
        dashboard = dashboard_link(client)
        workers = len(client.scheduler_info().get("workers", {}))
        log.info("batch: %d raster(s) on %d Dask worker(s) at %s; dashboard: %s", len(todo),
                 workers, client.scheduler.address,
                 dashboard or "none (install bokeh for the Dask dashboard)")
        attempts: Dict[str, int] = {}
        pending: Dict[Any, str] = {}

        def submit(path: str) -> None:
            attempts[path] = attempts.get(path, 0) + 1
            # the job owns its output folder: a raster whose output exists but was not recorded
            # as done (cancelled or lost between the write and the manifest) is redone
            opts = dataclasses.replace(self.options.segment, raster=path, overwrite=True,
                                       output=str(self.out / RASTERS_DIR / output_name(path)))
            future = client.submit(segment_raster, opts, pure=False,
                                   key=f"rrsis-{output_name(path)[:-5]}-{attempts[path]}")
            pending[future] = path

        for path in todo:
            submit(path)
        try:
            while pending:
                if self.cancel is not None and self.cancel():
                    raise Cancelled(f"batch cancelled; the rasters finished so far are kept in "
                                    f"{self.out} and a re-run skips them")
                try:
                    finished, _ = wait(list(pending), timeout=POLL_S,
                                       return_when="FIRST_COMPLETED")
                except TimeoutError:  # none finished yet: look at cancel again
                    continue
                for future in finished:
                    path = pending.pop(future)
                    self._finished(future, path, attempts[path], submit)
        finally:
            if pending:
                client.cancel(list(pending), force=True)
        return workers, dashboard

    def _finished(self, future: Any, path: str, attempt: int,
                  submit: Callable[[str], None]) -> None:
        try:
            stamp = file_stamp(path)
        except OSError as exc:
            self._record_failed(path, None, f"bad_input: {exc}", attempt, None)
            return
        if future.status == "finished":
            res = future.result()
            if res["status"] == "done":
                outcome = RasterOutcome(path, "done", res["features"], res["km2"],
                                        res["seconds"], output=res["output"])
                self.manifest.record(path, stamp, self.sig_sha, self.sig_json, self.model_sha,
                                     "done", attempt, output=res["output"],
                                     features=res["features"], km2=res["km2"],
                                     seconds=res["seconds"], worker=res["worker"],
                                     crs=res.get("crs"))
                self.outcomes[path] = outcome
                self.report("segment", outcome)
                return
            self._record_failed(path, stamp, res["error"], attempt, res.get("worker"),
                                "invalid")
            return
        exc = future.exception() if future.status == "error" else None
        error = f"{type(exc).__name__}: {exc}" if exc is not None else f"task {future.status}"
        if attempt <= self.options.retries:
            log.warning("%s failed (%s); retry %d of %d", path, error, attempt,
                        self.options.retries)
            submit(path)
            return
        self._record_failed(path, stamp, error, attempt, None)

    def _record_failed(self, path: str, stamp: Any, error: str, attempt: int,
                       worker: Optional[str], status: str = "failed") -> None:
        log.warning("%s failed: %s", path, error)
        if stamp is not None:
            self.manifest.record(path, stamp, self.sig_sha, self.sig_json, self.model_sha,
                                 status, attempt, error=error, worker=worker)
        outcome = RasterOutcome(path, "failed", error=error)
        self.outcomes[path] = outcome
        self.report("segment", outcome)


def _merge(options: BatchOptions, out: Path, paths: List[str],
           outcomes: Dict[str, RasterOutcome]) -> Tuple[str, str, Optional[str], int, int]:
    """(merged.gpkg, merged.parquet, crs, features, joins) of every raster done or skipped."""
    from .merge import choose_crs, join_tile_borders, read_features, reproject, tile_info
    from .output import write_geoparquet, write_merged_geopackage

    layer = options.segment.layer
    tiles, features = [], []
    for path in paths:
        o = outcomes.get(path)
        if o is None or o.status not in ("done", "skipped") or not o.output:
            continue
        try:
            info = tile_info(path)
        except Exception as exc:  # the raster changed since: leave it out, say so
            log.warning("%s left out of the merged result: %s", path, exc)
            continue
        tiles.append(info)
        features.extend(read_features(o.output, layer, path, len(tiles) - 1))
    joins = 0
    if options.join_borders:
        features, joins = join_tile_borders(tiles, features)
    crs = choose_crs([t.crs for t in tiles], options.crs)
    reproject(features, tiles, crs)
    gpkg, parquet = str(out / MERGED_GPKG), str(out / MERGED_PARQUET)
    write_merged_geopackage(gpkg, layer, features, crs)
    write_geoparquet(parquet, features, crs)
    return gpkg, parquet, crs.to_string() if crs is not None else None, len(features), joins
