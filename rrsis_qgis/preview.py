"""How the typed expression will be read, shown under the box before a run.

After a pause in typing, the running backend is asked (``explain``: answered at once, even
during a segmentation; no raster, no model run) how a segment request would read the
expressions, so "the boat near the building" says "no object matches (unknown word 'boat')"
before anyone waits for it. A backend that has not started yet is started for it (``start``:
the dock does it on a worker thread) and asked once it is ready (:meth:`PlanPreview.retry`).
"""

from __future__ import annotations

import json
import weakref
from typing import Any, Callable, Dict, Optional

from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from . import backend, log, plans
from .client import BackendError

__all__ = ["PlanPreview", "DELAY_MS"]

DELAY_MS = 400   # a pause in typing this long asks the backend


class PlanPreview(QObject):
    """Asks, after :data:`DELAY_MS` without an edit, and shows the answer if it still
    matches what is typed (a newer edit or a run in between makes it stale)."""

    answered = pyqtSignal(str, dict)   # the request it answers (as JSON), the result

    def __init__(self, parent: QObject, request: Callable[[], Optional[Dict[str, Any]]],
                 show: Callable[..., None], start: Callable[[], None],
                 near_infrared: Optional[Callable[[], bool]] = None) -> None:
        super().__init__(parent)
        # weakly: the dock owns this, and a cycle back to it would outlive its deletion
        self._request = weakref.WeakMethod(request)   # type: ignore[arg-type]
        self._show = weakref.WeakMethod(show)         # type: ignore[arg-type]
        self._start = weakref.WeakMethod(start)       # type: ignore[arg-type]
        # whether the chosen raster may have a near-infrared band the engine would use
        self._near_infrared = weakref.WeakMethod(near_infrared) if near_infrared else None
        self._waiting = False   # asked while the backend was not ready: ask again when it is
        self._asked: Optional[str] = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.ask)
        self.answered.connect(self._answered)

    def edited(self, *_: Any) -> None:
        """The expression (or what reads it: the model, rivals) changed."""
        self._asked = None
        self.timer.start()

    def stop(self) -> None:
        """A run starts: its own plans will answer."""
        self.timer.stop()
        self._asked = None

    def ask(self) -> None:
        make, show = self._request(), self._show()
        if make is None or show is None:
            return
        request = make()
        if not request:
            show("")
            return
        client = backend.current_client()
        if client is None or client.hello is None or client.state not in ("ready", "busy"):
            self._waiting = True
            begin = self._start()
            if begin is not None:
                begin()
            return
        key = json.dumps(request, sort_keys=True)
        self._asked = key

        def deliver(result: Dict[str, Any]) -> None:   # the client's reader thread
            try:
                self.answered.emit(key, result)
            except RuntimeError:   # the dock was closed meanwhile
                pass

        try:
            client.submit("explain", request, on_result=deliver, on_error=_ignore)
        except BackendError as exc:   # an older backend, or it just stopped: no preview
            log.info(f"no plan preview: {exc.message}")
            self._asked = None

    def retry(self) -> None:
        """The backend is ready: answer what was typed while it was not."""
        if self._waiting:
            self._waiting = False
            self.ask()

    def _answered(self, key: str, result: Dict[str, Any]) -> None:
        show = self._show()
        if key == self._asked and show is not None:
            show(plans.preview_text(result, near_infrared=self._gated(result)
                                    and self._raster_has_near_infrared()),
                 plans.corrections(result))

    @staticmethod
    def _gated(result: Dict[str, Any]) -> bool:
        """Whether any plan has phrases a near-infrared band would keep to what is green."""
        return any(isinstance(p, dict) and p.get("nir_gated")
                   for p in (result.get("plans") or {}).values())

    def _raster_has_near_infrared(self) -> bool:
        nir = self._near_infrared() if self._near_infrared is not None else None
        return bool(nir and nir())


def _ignore(error: Dict[str, Any]) -> None:
    log.info(f"no plan preview: {error.get('message', error)}")
