"""Memory probes of this process for :func:`rrsis.engine.estimation.estimate`, from /proc.

Linux reports the peak resident set (``VmHWM``) and lets a process reset it
(``/proc/self/clear_refs``), so the estimate measures the peak of its calibration batches
only; elsewhere the lifetime peak from ``getrusage`` is the (larger) fallback.
"""

from __future__ import annotations

import resource

__all__ = ["peak_rss_mb", "reset_peak_rss"]


def _proc_status_mb(key: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process from /proc, else the peak RSS."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB (since the last :func:`reset_peak_rss`)."""
    return _proc_status_mb("VmHWM")


def reset_peak_rss() -> bool:
    """Restart the peak count at the current RSS; False where the system does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False
