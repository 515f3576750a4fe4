"""Batch segmentation of many rasters on Dask: ``rrsis batch`` and the server's ``batch``.

Modules: :mod:`.inputs` (which rasters), :mod:`.manifest` (what is done), :mod:`.cluster`
(where it runs), :mod:`.worker` (what a worker does), :mod:`.job` (the orchestration),
:mod:`.merge` and :mod:`.output` (one merged result), :mod:`.report` (what the user sees).
"""

from .job import BatchOptions, BatchProgress, BatchResult, RasterOutcome, run_batch

__all__ = ["BatchOptions", "BatchProgress", "BatchResult", "RasterOutcome", "run_batch"]
