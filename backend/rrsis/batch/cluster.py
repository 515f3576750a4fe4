"""Where the tasks run: a ``LocalCluster`` sized to this machine, or an existing cluster.

Sizing of the local cluster (``--workers`` / ``--threads-per-worker`` override it):

- with CUDA GPUs: one worker process per GPU (worker N uses ``cuda:N``), one task at a
  time each;
- on CPU: ``min(rasters, max(1, cores // 2))`` worker processes, each running one task
  at a time with ``cores // workers`` torch threads (an inference is already
  multi-threaded; two tasks per process would only fight over the cores and memory).

``--scheduler tcp://HOST:8786`` connects to a running cluster instead (``dask scheduler``
plus ``dask worker tcp://HOST:8786 --nworkers N --nthreads 1`` on each machine, or
dask-jobqueue / dask-kubernetes); its workers need this package, the model, and the
inputs and output folder on a shared file system at the same paths.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from typing import Iterator, Optional

from ..errors import InputError

__all__ = ["ClusterPlan", "plan_local_cluster", "open_client", "dashboard_available",
           "dashboard_link"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClusterPlan:
    workers: int
    threads_per_worker: int  # tasks a worker runs at once
    torch_threads: Optional[int]  # per worker; None: leave torch's default
    gpus: int = 0


def _gpu_count() -> int:
    try:
        import torch

        return torch.cuda.device_count() if torch.cuda.is_available() else 0
    except Exception:  # pragma: no cover - a broken driver is the same as no GPU here
        return 0


def plan_local_cluster(rasters: int, workers: Optional[int] = None,
                       threads_per_worker: Optional[int] = None,
                       cores: Optional[int] = None, gpus: Optional[int] = None) -> ClusterPlan:
    """The local cluster for ``rasters`` tasks on this machine (see the module docstring)."""
    cores = cores or os.cpu_count() or 1
    gpus = _gpu_count() if gpus is None else gpus
    if workers is not None and workers < 1:
        raise InputError("--workers must be at least 1")
    if threads_per_worker is not None and threads_per_worker < 1:
        raise InputError("--threads-per-worker must be at least 1")
    if workers is None:
        workers = gpus if gpus else max(1, cores // 2)
        workers = max(1, min(workers, rasters))
    tasks = threads_per_worker or 1
    torch_threads = max(1, cores // (workers * tasks))
    return ClusterPlan(workers, tasks, torch_threads, gpus)


def dashboard_available() -> bool:
    """Dask's dashboard needs bokeh, which is not a dependency of rrsis."""
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def dashboard_link(client: "Client") -> Optional[str]:  # noqa: F821
    """The scheduler's dashboard address, or None when it serves none (no bokeh there)."""
    try:
        if not client.run_on_scheduler(dashboard_available):
            return None
    except Exception:  # an old or restricted scheduler: do not guess
        return None
    return client.dashboard_link if "dashboard" in client.scheduler_info().get("services", {}) \
        else None


def _quiet_dask_logs() -> None:
    """Dask logs every worker start and stop at INFO; the progress bar says enough."""
    logging.getLogger("distributed").setLevel(logging.WARNING)
    logging.getLogger("distributed.nanny").setLevel(logging.ERROR)


@contextlib.contextmanager
def open_client(scheduler: Optional[str], plan: Optional[ClusterPlan]) -> Iterator["Client"]:  # noqa: F821
    """A connected ``distributed.Client``; a local cluster is closed on exit."""
    from distributed import Client, LocalCluster

    _quiet_dask_logs()
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    if plan is None:
        raise ValueError("a local cluster needs a ClusterPlan (plan_local_cluster)")
    dashboard = ":0" if dashboard_available() else None
    cluster = LocalCluster(n_workers=plan.workers, threads_per_worker=plan.threads_per_worker,
                           processes=True, dashboard_address=dashboard, host="127.0.0.1",
                           silence_logs=logging.WARNING)
    try:
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()
