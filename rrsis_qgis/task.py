"""Background work of the dock: one ``QgsTask`` per backend request.

``run()`` executes on a QGIS worker thread (starting the backend if needed, rendering a
non-file layer first (:mod:`rrsis_qgis.render`), then waiting for the reply while polling
``isCanceled()``); ``finished()`` runs on the GUI thread and
emits exactly one of :attr:`succeeded`, :attr:`failed`, :attr:`cancelled`.
"""

from __future__ import annotations

import time
from typing import Any, Dict, Optional

from qgis.core import QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from .client import BackendClient, BackendError
from .render import run_with_rendering


class BackendTask(QgsTask):
    """Runs ``client.<method>(params)``; progress and outcome reach the GUI thread by signals."""

    progressed = pyqtSignal(dict)   # the backend's progress event (fraction, eta_s, stage, ...)
    succeeded = pyqtSignal(dict)    # the result
    failed = pyqtSignal(dict)       # {code, message, detail}
    cancelled = pyqtSignal()

    def __init__(self, description: str, client: BackendClient, method: str,
                 params: Dict[str, Any]) -> None:
        super().__init__(description, QgsTask.CanCancel)
        self.client = client
        self.method = method
        self.params = params
        self.result: Optional[Dict[str, Any]] = None
        self.error: Optional[Dict[str, Any]] = None
        self.started_at = 0.0

    def run(self) -> bool:  # worker thread
        self.started_at = time.monotonic()
        try:
            self.result = run_with_rendering(self.client, self.method, self.params,
                                             self.isCanceled, self._progress)
            return True
        except BackendError as exc:
            self.error = {"code": exc.code, "message": exc.message, "detail": exc.detail or ""}
        except Exception as exc:  # a bug here must reach the user, not vanish in the worker thread
            self.error = {"code": "internal", "message": str(exc), "detail": repr(exc)}
        return False

    def _progress(self, event: Dict[str, Any]) -> None:  # client's reader thread
        fraction = event.get("fraction")
        if isinstance(fraction, (int, float)):
            self.setProgress(max(0.0, min(100.0, 100.0 * fraction)))
        self.progressed.emit(dict(event))

    def finished(self, ok: bool) -> None:  # GUI thread
        if ok and self.result is not None:
            self.succeeded.emit(self.result)
        elif self.isCanceled() or (self.error or {}).get("code") == "cancelled":
            self.cancelled.emit()
        else:
            self.failed.emit(self.error or {"code": "internal", "message": "unknown failure",
                                            "detail": ""})
