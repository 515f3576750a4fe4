"""One backend request run to completion from a worker thread, cancellable by polling.

Shared by the dock's task and the Processing algorithms: both poll their own "cancelled?"
flag (``QgsTask.isCanceled``, ``QgsProcessingFeedback.isCanceled``) and forward it to the
backend as a cancel message naming the request.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, Optional

from .client import BackendClient, BackendError

POLL_S = 0.1
CANCEL_GRACE_S = 30.0


def run_request(client: BackendClient, method: str, params: Dict[str, Any],
                is_canceled: Callable[[], bool],
                on_progress: Optional[Callable[[Dict[str, Any]], None]] = None) -> Dict[str, Any]:
    """Submit ``method`` and block the calling (worker) thread until it ends.

    Raises :class:`BackendError` (code ``cancelled`` after a cancel) on failure.
    Never call this on the GUI thread.
    """
    if client.state in ("stopped", "crashed") or client.hello is None:
        client.start()  # blocking: this is a worker thread
    done = threading.Event()
    outcome: Dict[str, Any] = {}

    def result(payload: Dict[str, Any]) -> None:
        outcome["result"] = payload
        done.set()

    def error(payload: Dict[str, Any]) -> None:
        outcome["error"] = payload
        done.set()

    rid = client.submit(method, params, on_progress=on_progress, on_result=result, on_error=error)
    cancelled_at = None
    while not done.wait(POLL_S):
        if cancelled_at is None and is_canceled():
            cancelled_at = True
            client.cancel(rid)
            if not done.wait(CANCEL_GRACE_S):
                raise BackendError("cancelled", "Cancelled (the backend did not confirm in time).")
    if "error" in outcome:
        err = outcome["error"]
        raise BackendError(err.get("code", "internal"), err.get("message", "backend error"),
                           err.get("detail", ""))
    if cancelled_at:
        raise BackendError("cancelled", "Cancelled.")
    return outcome["result"]
