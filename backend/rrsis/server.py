"""``rrsis serve``'s dispatch: each request of the wire protocol to the library call behind it.

Why a long-lived child: the plugin never imports torch, and the model stays loaded (warm)
between requests. The wire format is :mod:`rrsis.protocol`; this module decodes a line,
routes it by ``METHODS`` to a handler (:func:`default_handlers`) and turns the outcome
into a reply or a specific error code. Cheap methods (``hello``, ``models``, ``cancel``,
malformed lines) are answered at once; queued ones (``segment``, ``estimate``, ...) go
to the worker of :class:`rrsis.serve_io.JobQueue`, which with stdin/stdout framing,
signals and shutdown is the process plumbing in :mod:`rrsis.serve_io`.

Over 300 lines on purpose: the whole wire-facing half (decode, dispatch, replies, error
codes, progress events, the method handlers) reads top to bottom here.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import time
import traceback
from typing import Any, Callable, Dict, List, Optional

from . import __version__
from ._moved import moved_to
from .errors import MissingDependencyError
from .protocol import (METHODS, PROTOCOL_VERSION, Error, Hello, Message, Progress,
                       ProtocolError, Request, Result, decode)
from .serve_io import Job, JobQueue

log = logging.getLogger("rrsis.server")

#: Progress events closer together than this are merged (the first and the last always go).
PROGRESS_INTERVAL_S = 0.1
Send = Callable[[Message], None]


class Server:
    """Decode, dispatch and run requests; every reply goes through ``send``.

    ``handle_line`` never raises (a fuzz test holds it to that); the worker thread is
    started by :meth:`start_worker`, so tests can drive the dispatch without running jobs.
    Queueing, cancel flags and the worker are :class:`~rrsis.serve_io.JobQueue`'s.
    """

    def __init__(self, send: Send, handlers: Optional[Dict[str, Callable[..., Dict[str, Any]]]]
                 = None) -> None:
        self._send_raw = send
        self._handlers = handlers if handlers is not None else default_handlers()
        self._jobs = JobQueue(self._run_job)
        self._models: Any = None  # rrsis.engine.model_cache.ModelCache, created on first use

    # --- replies ---------------------------------------------------------------------
    def send(self, msg: Message) -> None:
        try:
            self._send_raw(msg)
        except Exception:  # a closed stdout must not kill the worker; the loop will see EOF
            log.exception("could not send %s", type(msg).__name__)

    def error(self, rid: Optional[str], code: str, message: str,
              detail: Optional[str] = None) -> None:
        self.send(Error(rid, code, message, detail))

    # --- reader side -----------------------------------------------------------------
    def handle_line(self, line: Any) -> bool:
        """Handle one input line; False when the server should stop reading (``shutdown``)."""
        try:
            if isinstance(line, (bytes, bytearray, str)) and not line.strip():
                return True
            try:
                req = decode(line)
            except ProtocolError as exc:
                self.error(exc.request_id, exc.code, exc.message)
                return True
            if not isinstance(req, Request):
                kind = type(req).__name__.lower()
                self.error(getattr(req, "id", None) or None, "bad_request",
                           f"'{kind}' is an event the server sends, not a request; send one "
                           f"of: {', '.join(sorted(METHODS))}")
                return True
            if req.method != "cancel" and self.pending(req.id):
                self.error(None, "duplicate_id", f"request id {req.id!r} is already queued or "
                           "running: refused this one (the first goes on); use a fresh id",
                           req.id)
                return True
            return self.dispatch(req)
        except Exception as exc:  # never let one line end the server
            log.exception("failed to handle a line")
            self.error(None, "internal", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return True

    def dispatch(self, req: Request) -> bool:
        if req.method == "cancel":
            self.cancel(req.id)
        elif req.method == "shutdown":
            self.stop()
            self.join(10.0)  # the running request answers "cancelled" before the shutdown reply
            self.send(Result(req.id, {}))
            return False
        elif req.method == "hello":
            theirs = req.params.get("protocol")
            if theirs != PROTOCOL_VERSION:
                self.error(req.id, "version_mismatch",
                           f"client speaks protocol {theirs}, this backend (rrsis {__version__}) "
                           f"speaks {PROTOCOL_VERSION}: update the plugin or the backend")
            else:
                hello = self.hello()
                hello.id = req.id
                self.send(hello)
        elif METHODS[req.method].queued:
            if not self._jobs.submit(Job(req)):
                self.error(req.id, "cancelled", "the server is shutting down")
        else:
            self._run_now(req)
        return True

    def _run_now(self, req: Request) -> None:
        try:
            self.send(Result(req.id, self._handlers[req.method](req.params)))
        except Exception as exc:
            self._report(req.id, exc)

    def pending(self, rid: str) -> bool:
        """Whether a request with this id is queued or running."""
        return self._jobs.pending(rid)

    def cancel(self, rid: str) -> None:
        """Cancel a queued (answered now) or running (the engine stops) request."""
        where = self._jobs.cancel(rid)
        if where == "running":
            log.info("cancelling running request %s", rid)
        elif where is None:
            log.info("cancel for %s: not queued nor running (finished?)", rid)
        else:
            log.info("cancelled queued request %s", rid)
            self.error(rid, "cancelled", "cancelled before it started")

    def stop(self) -> None:
        """Cancel the queue and the running request; the worker then exits."""
        for job in self._jobs.stop():
            self.error(job.request.id, "cancelled", "the server is shutting down")

    def join(self, timeout: Optional[float] = None) -> None:
        self._jobs.join(timeout)

    def start_worker(self) -> None:
        self._jobs.start()

    def _run_job(self, job: Job) -> None:
        rid = job.request.id
        progress = _ProgressSender(rid, self.send)
        started = time.monotonic()
        log.info("%s %s started", job.request.method, rid)
        try:
            result = self._handlers[job.request.method](
                job.request.params, progress=progress, cancel=job.cancel.is_set)
        except Exception as exc:
            self._report(rid, exc)
        else:
            progress.flush()
            self.send(Result(rid, result))
            log.info("%s %s done in %.1f s", job.request.method, rid, time.monotonic() - started)

    def _report(self, rid: Optional[str], exc: BaseException) -> None:
        from .errors import from_exception

        # a full disk, a read-only folder, a missing package (any ImportError): a specific code
        exc = from_exception(exc) or exc
        code = getattr(exc, "code", None)
        if isinstance(exc.__cause__, ImportError) and _is_rrsis_error(exc):
            code = MissingDependencyError.code  # the install is incomplete; the input is fine
        if isinstance(code, str) and _is_rrsis_error(exc):
            log.info("request %s failed: %s: %s", rid, code, exc)
            self.error(rid, code, str(exc) or code)
        elif isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
            log.error("request %s ran out of memory: %s", rid, exc)
            _free_gpu_cache()
            self.error(rid, "out_of_memory", f"out of memory ({exc}); lower batch_size, "
                       "segment a smaller extent, or use another device", repr(exc))
        else:
            log.error("request %s failed", rid, exc_info=exc)
            self.error(rid, "internal", f"{type(exc).__name__}: {exc}",
                       "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))

    # --- payloads --------------------------------------------------------------------
    def hello(self) -> Hello:
        try:
            import torch

            torch_version: Optional[str] = torch.__version__
        except ImportError:  # the runtime flavour (ONNX Runtime) has no torch
            torch_version = None
        payload = self._handlers["models"]({})
        devices: List[Dict[str, Any]] = []
        try:
            from .device import describe_devices

            devices = describe_devices()
        except Exception:  # pragma: no cover - hello must go out even on a broken GPU driver
            log.exception("could not describe devices")
        runtime, device = _default_runtime()
        return Hello(PROTOCOL_VERSION, __version__, torch_version, sys.version.split()[0],
                     os.getpid(), devices, payload.get("models", []),
                     payload.get("architectures", []), runtime=runtime, device=device)


class _ProgressSender:
    """The engine's progress callback: Progress objects -> throttled ``progress`` events."""

    def __init__(self, rid: str, send: Send) -> None:
        self.rid = rid
        self._send = send
        self._last_sent = 0.0
        self._pending: Optional[Progress] = None
        self._stage: Optional[str] = None
        self._fraction = 0.0

    def __call__(self, p: Any) -> None:
        get = p.get if isinstance(p, dict) else (lambda k, d=None: getattr(p, k, d))
        fraction = float(get("fraction", 0.0) or 0.0)
        self._fraction = max(self._fraction, min(1.0, max(0.0, fraction)))  # never goes back
        msg = Progress(self.rid, self._fraction, get("tiles_done"), get("tiles_total"),
                       get("eta_s"), get("stage"))
        now = time.monotonic()
        if (msg.stage != self._stage or self._fraction >= 1.0
                or now - self._last_sent >= PROGRESS_INTERVAL_S):
            self._stage = msg.stage
            self._last_sent = now
            self._pending = None
            self._send(msg)
        else:
            self._pending = msg

    def flush(self) -> None:
        if self._pending is not None:
            self._send(self._pending)
            self._pending = None


def _default_runtime() -> "tuple[Optional[str], Optional[str]]":
    """(runtime, device) that ``runtime: auto`` uses for the default model, for ``hello``."""
    try:
        from .engine.runtime import describe_runtime

        return describe_runtime()
    except Exception:  # pragma: no cover - hello must go out whatever is installed
        log.exception("could not tell the runtime")
        return None, None


def _free_gpu_cache() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:  # pragma: no cover - best effort after an OOM
        log.debug("could not empty the CUDA cache", exc_info=True)


def _is_rrsis_error(exc: BaseException) -> bool:
    from .errors import RrsisError

    return isinstance(exc, RrsisError)


# --- handlers: the library calls behind each method --------------------------------------
def default_handlers() -> Dict[str, Callable[..., Dict[str, Any]]]:
    cache: Dict[str, Any] = {}

    def models_cache() -> Any:
        if "models" not in cache:
            from .engine.model_cache import ModelCache

            cache["models"] = ModelCache()
        return cache["models"]

    def models(params: Dict[str, Any]) -> Dict[str, Any]:
        from .models import list_models
        from .models.catalog import available_models

        return {"models": available_models(), "architectures": list(list_models())}

    def segment(params: Dict[str, Any], progress: Callable[[Any], None],
                cancel: Callable[[], bool]) -> Dict[str, Any]:
        from .engine.run import segment as run_segment

        result = run_segment(segment_options(params), progress=progress, cancel=cancel,
                             models=models_cache())
        return _as_dict(result)

    def estimate(params: Dict[str, Any], progress: Callable[[Any], None],
                 cancel: Callable[[], bool]) -> Dict[str, Any]:
        from .engine.estimation import estimate as run_estimate

        return _as_dict(run_estimate(segment_options(params), models=models_cache()))

    def explain(params: Dict[str, Any]) -> Dict[str, Any]:
        from .engine.explain import explain_plans

        return {"plans": explain_plans(params["expressions"], params.get("model"),
                                       params.get("grounding") or "auto",
                                       params.get("rivals", True))}

    def batch(params: Dict[str, Any], progress: Callable[[Any], None],
              cancel: Callable[[], bool]) -> Dict[str, Any]:
        from .batch.job import batch_options, run_batch

        return _as_dict(run_batch(batch_options(params, segment_options), progress=progress,
                                  cancel=cancel))

    def build_dataset(params: Dict[str, Any], progress: Callable[[Any], None],
                      cancel: Callable[[], bool]) -> Dict[str, Any]:
        from .training.region.serve import build_dataset as run  # full flavour only

        return run(params, progress, cancel)

    def finetune(params: Dict[str, Any], progress: Callable[[Any], None],
                 cancel: Callable[[], bool]) -> Dict[str, Any]:
        from .training.region.serve import finetune as run  # full flavour only

        return run(params, progress, cancel)

    return {"models": models, "segment": segment, "estimate": estimate, "explain": explain,
            "batch": batch,
            "build_dataset": build_dataset, "finetune": finetune}


def segment_options(params: Dict[str, Any]) -> Any:
    """Wire params -> ``SegmentOptions`` (see :func:`rrsis.engine.options.options_from_params`)."""
    from .engine.options import options_from_params

    return options_from_params(params)


def _as_dict(result: Any) -> Dict[str, Any]:
    if hasattr(result, "to_dict"):
        return dict(result.to_dict())
    if dataclasses.is_dataclass(result):
        return dataclasses.asdict(result)
    return dict(result)


# ``rrsis serve``'s options and entry moved to rrsis.cli.serve (deprecated here)
__getattr__ = moved_to(__name__, "rrsis.cli.serve", ("add_arguments_serve", "run_serve"))
