"""Training progress an analyst can watch: a bar with ETA on stderr, and a time-budget planner.

The planner measures the step time over a few iterations after the first (which pays
for allocations) and turns the budget into a number of iterations, so the LR schedule
decays to its end within the budget instead of being cut mid-way.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Callable, Dict, Optional

__all__ = ["BudgetPlanner", "ProgressReporter", "format_duration"]

log = logging.getLogger("rrsis.training")
EVAL_RESERVE = 0.12          # share of the budget kept for validations and the final export


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    m, s = divmod(seconds, 60)
    return f"{m}m{s:02d}s" if m else f"{s}s"


class BudgetPlanner:
    """Turns the budget into a total iteration count, and corrects it as the run goes.

    The first answer comes after ``probe`` measured iterations (the first one, which pays
    for allocations, is not measured); then the plan is checked every ``recheck`` share of
    it, so a machine that gets busier finishes the schedule instead of being cut mid-way.
    """

    def __init__(self, budget_s: float, started: float, probe: int = 6,
                 recheck: float = 0.1) -> None:
        self.budget_s, self.started, self.probe, self.recheck = float(budget_s), started, \
            probe, recheck
        self._t0: Optional[float] = None
        self._n0 = 0
        self.total: Optional[int] = None
        self._next_check = 0

    def step(self, global_step: int) -> Optional[int]:
        """A new total iteration count when the plan changes, else None."""
        now = time.monotonic()
        if self._t0 is None:
            self._t0, self._n0 = now, global_step
            return None
        done = global_step - self._n0
        if done < self.probe or (self.total is not None and global_step < self._next_check):
            return None
        per_step = (now - self._t0) / done
        left = self.budget_s * (1 - EVAL_RESERVE) - (now - self.started)
        total = global_step + max(1, int(left / per_step))
        changed = self.total is None or abs(total - self.total) > 0.05 * self.total
        self._next_check = global_step + max(self.probe, int(self.recheck * total))
        if changed:
            self.total = total
            return total
        return None


class ProgressReporter:
    """A progress line on stderr at most every ``every_s`` seconds (never silent for long)."""

    def __init__(self, total: int, start_step: int,
                 callback: Optional[Callable[[Dict[str, Any]], None]] = None,
                 enabled: bool = True, every_s: float = 10.0,
                 budget_s: Optional[float] = None) -> None:
        self.total, self.start_step = max(1, total), start_step
        self.callback, self.enabled, self.every_s = callback, enabled, every_s
        self.t0 = time.monotonic()
        self._last = 0.0
        #: a time budget whose plan (:class:`BudgetPlanner`) is not made yet: until then the
        #: total is the recipe's epochs, not what the budget allows, so the budget is the ETA
        self.budget_s = budget_s

    def planned(self, total: int) -> None:
        """The budget's iteration count is known (and may change as the run goes)."""
        self.total, self.budget_s = max(1, total), None

    def step(self, global_step: int, loss: float) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        frac = min(1.0, global_step / max(1, self.total))
        done = global_step - self.start_step
        if self.budget_s is not None:   # measuring the step time: the budget says the end
            frac = min(1.0, (now - self.t0) / max(1.0, self.budget_s))
            eta: Optional[float] = max(0.0, self.budget_s - (now - self.t0))
            of = "(planning)"
        else:
            eta = (now - self.t0) / done * (self.total - global_step) if done > 0 else None
            of = str(self.total)
        text = (f"training {frac:4.0%} it {global_step}/{of} loss {loss:.3f}"
                + (f" eta {format_duration(eta)}" if eta is not None else ""))
        if self.callback is not None:   # the server's progress event fields
            self.callback({"fraction": frac, "stage": "training", "eta_s": eta,
                           "tiles_done": global_step, "tiles_total": self.total,
                           "message": text})
        if now - self._last >= self.every_s or global_step >= self.total:
            self._last = now
            bar = "#" * int(frac * 20)
            print(f"[{bar:<20}] {text}", file=sys.stderr, flush=True)
