"""What runs on a Dask worker: a warm model per worker process and one task per raster.

:class:`WarmModel` is a ``WorkerPlugin``: registered once by the client, set up in every
worker (also workers that join or restart later), it holds a
:class:`~rrsis.engine.model_cache.ModelCache`, so the model is loaded by the first raster a
worker gets and stays warm for all the others. :func:`segment_raster` is the task: it
calls the same :func:`rrsis.engine.run.segment` as ``rrsis segment`` (the engine
encodes each expression once per raster and writes the GeoPackage atomically) and
returns a plain dict; an :class:`~rrsis.errors.InputError` (a corrupt raster, no CRS,
...) is returned as ``failed`` so that one bad raster never fails the job and is not
retried; anything else (a bad device, out of memory, a bug) is raised, and the client
retries it.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import time
from typing import Any, Dict, Optional

from distributed.diagnostics.plugin import WorkerPlugin

from ..engine.run import ModelCache, SegmentOptions
from ..errors import InputError

__all__ = ["PLUGIN_NAME", "WarmModel", "segment_raster", "worker_device"]

PLUGIN_NAME = "rrsis-warm-model"
_FALLBACK: Dict[str, ModelCache] = {}  # tasks run outside a worker (tests, a sync scheduler)


class WarmModel(WorkerPlugin):
    """One :class:`ModelCache` per worker process; ``threads`` sets torch's thread count."""

    name = PLUGIN_NAME

    def __init__(self, threads: Optional[int] = None) -> None:
        self.threads = threads
        self.models: Optional[ModelCache] = None
        self.worker_name = ""

    def setup(self, worker: Any) -> None:
        from ..device import set_threads

        self.models = ModelCache()
        self.worker_name = str(getattr(worker, "name", "")) or socket.gethostname()
        if self.threads:
            set_threads(self.threads)


def _plugin() -> Optional[WarmModel]:
    try:
        from distributed import get_worker

        plugin = get_worker().plugins.get(PLUGIN_NAME)
    except ValueError:  # not inside a worker
        return None
    return plugin if isinstance(plugin, WarmModel) else None


def worker_device(requested: str, worker_name: str) -> str:
    """``auto`` on a machine with several GPUs: worker N takes GPU N mod count."""
    if requested != "auto":
        return requested
    import torch

    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if count > 1 and worker_name.isdigit():
        return f"cuda:{int(worker_name) % count}"
    return requested


def segment_raster(options: SegmentOptions) -> Dict[str, Any]:
    """Segment one raster on this worker; a dict with ``status`` done or failed."""
    from ..engine.run import segment

    plugin = _plugin()
    models = plugin.models if plugin is not None and plugin.models is not None \
        else _FALLBACK.setdefault("models", ModelCache())
    name = plugin.worker_name if plugin is not None else f"local-{os.getpid()}"
    if plugin is not None and plugin.threads and options.threads is None:
        options = dataclasses.replace(options, threads=plugin.threads)
    options = dataclasses.replace(options, device=worker_device(options.device, name))
    started = time.perf_counter()
    try:
        result = segment(options, models=models)
    except InputError as exc:  # this raster is unusable: recorded, not retried
        return {"status": "failed", "error": f"{exc.code}: {exc}", "worker": name,
                "seconds": round(time.perf_counter() - started, 3)}
    seconds = time.perf_counter() - started
    km2 = result.width_px * result.height_px * result.gsd_m ** 2 / 1e6
    return {"status": "done", "output": result.output, "worker": name,
            "features": int(sum(result.feature_counts.values())), "km2": km2,
            "seconds": round(seconds, 3), "crs": result.crs, "model_sha256": result.model_sha256,
            "gsd_m": result.gsd_m, "pid": os.getpid()}
