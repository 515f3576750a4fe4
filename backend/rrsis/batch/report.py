"""What the terminal shows: a progress bar over rasters and a summary table at the end."""

from __future__ import annotations

import sys
from typing import Any, List, Optional, TextIO

from .job import BatchProgress, BatchResult

__all__ = ["ProgressBar", "summary_table"]


class ProgressBar:
    """A tqdm bar over rasters; skipped rasters count as done from the start."""

    def __init__(self, quiet: bool = False, stream: TextIO = sys.stderr) -> None:
        self.quiet, self.stream = quiet, stream
        self._bar: Optional[Any] = None
        self._failed = 0

    def __call__(self, p: BatchProgress) -> None:
        if self.quiet:
            return
        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(total=p.tiles_total, unit="raster", desc="batch", file=self.stream)
        if p.last is not None and p.last.status == "failed":
            self._failed += 1
            self._bar.write(f"failed: {p.last.path}: {p.last.error}", file=self.stream)
        self._bar.set_postfix_str(f"{p.stage}, {self._failed} failed" if self._failed
                                  else p.stage, refresh=False)
        self._bar.update(p.tiles_done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def summary_table(result: BatchResult) -> str:
    """A small fixed-width table: rasters, features, area and speed."""
    per_km2 = (f"{result.seconds / result.km2_processed:.1f}"
               if result.km2_processed > 0 and result.done else "-")
    rows: List[tuple] = [
        ("rasters", str(result.rasters)),
        ("  done now", str(result.done)),
        ("  skipped (done before)", str(result.skipped)),
        ("  failed", str(result.failed)),
        ("features (merged)", str(result.features)),
        ("  joined across tile borders", str(result.joined)),
        ("area km2 (all done)", f"{result.km2:.4f}"),
        ("area km2 (this run)", f"{result.km2_processed:.4f}"),
        ("wall seconds", f"{result.seconds:.1f}"),
        ("seconds per km2 (this run)", per_km2),
        ("workers", str(result.workers)),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{name:<{width}}  {value:>12}" for name, value in rows]
    lines.append(f"merged: {result.merged} and {result.merged_parquet} (CRS {result.crs})")
    lines.append(f"manifest: {result.manifest}")
    if result.dashboard:
        lines.append(f"dashboard: {result.dashboard}")
    for f in result.failures:
        lines.append(f"failed: {f['path']}: {f['error']}")
    return "\n".join(lines)
