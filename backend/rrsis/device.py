"""Device choice, CPU threads and mixed precision, in one place.

``auto`` picks CUDA when a GPU is visible, else the CPU. Precision of a run:

- ``auto``: bf16/fp16 autocast on CUDA; exact float32 on the CPU;
- ``fp32``: exact float32 everywhere;
- ``fast``: on the CPU, the decoder (about half of the arithmetic of the paper
  configurations) runs in bfloat16 while the backbone stays float32; on CUDA as ``auto``;
- ``bf16``: everything in bfloat16 autocast (fastest, least faithful).

``fast`` and ``bf16`` pay off only on CPUs with native bfloat16 (AVX512-BF16 or AMX);
elsewhere (e.g. AVX2-only CPUs) bfloat16 is emulated and one decoder convolution took
163 s instead of 0.68 s, so on such a CPU they fall back to float32 with a warning
(:func:`cpu_bf16_native`).

torch is imported on first use: the runtime flavour (ONNX Runtime, no torch) still
uses :func:`describe_devices` and :data:`PRECISIONS`.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ContextManager, Dict, Iterator, List, Optional, Union

from .errors import DeviceError
from .protocol import SEGMENT_PARAMS

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["resolve_device", "set_threads", "autocast", "decoder_autocast", "describe_devices",
           "PRECISIONS", "torch_available", "cpu_capability", "cpu_bf16_native"]

log = logging.getLogger(__name__)

PRECISIONS = SEGMENT_PARAMS["precision"].choices  # the protocol table is the definition
_WARNED: set = set()
_LOWP_DECODER: ContextVar[bool] = ContextVar("rrsis_lowp_decoder", default=False)


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def cpu_capability() -> str:
    """The CPU's vector ISA as torch's kernels see it (``AVX2``, ``AVX512``...), else cpuinfo."""
    if torch_available():
        import torch

        return str(torch.backends.cpu.get_cpu_capability())
    flags = _cpu_flags()
    return "AVX512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "DEFAULT"


@functools.lru_cache(maxsize=1)
def cpu_bf16_native() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX), not by emulation."""
    if torch_available():
        import torch

        probes = [getattr(torch.cpu, name, None) for name in
                  ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
        probes = [p for p in probes if p is not None]
        if probes:
            return any(bool(p()) for p in probes)
    flags = _cpu_flags()
    return bool({"avx512_bf16", "amx_bf16"} & flags)


def _cpu_flags() -> set:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def resolve_device(name: Union[str, "torch.device", None] = "auto") -> "torch.device":
    """'auto' | 'cpu' | 'cuda' | 'cuda:N' -> a usable :class:`torch.device`."""
    import torch

    if isinstance(name, torch.device):
        name = str(name)
    name = (name or "auto").strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceError("CUDA was requested but no CUDA device is available "
                              "(check the NVIDIA driver and that torch is a CUDA build)")
        dev = torch.device(name)
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise DeviceError(f"{name} requested but only {torch.cuda.device_count()} GPU(s) exist")
        return dev
    if name == "cpu":
        return torch.device("cpu")
    raise DeviceError(f"unknown device {name!r}: use auto, cpu, cuda or cuda:N")


def set_threads(threads: Optional[int]) -> int:
    """Set torch's intra-op CPU threads (None or 0: leave the default); return the count in use."""
    import torch

    if threads:
        if threads < 0:
            raise DeviceError("threads must be positive")
        torch.set_num_threads(int(threads))
    return torch.get_num_threads()


def cpu_precision(precision: str) -> str:
    """``fast``/``bf16`` on a CPU without native bfloat16 -> ``fp32``, with a warning."""
    if precision in ("fast", "bf16") and not cpu_bf16_native():
        if precision not in _WARNED:
            _WARNED.add(precision)
            log.warning("precision %s needs native bfloat16 (AVX512-BF16 or AMX); this CPU "
                        "(%s) would emulate it, many times slower: running fp32 instead",
                        precision, cpu_capability())
        return "fp32"
    return precision


def autocast(device: "torch.device", precision: str = "auto") -> ContextManager[Any]:
    """The precision context of one run on ``device`` (see the module docstring)."""
    import torch

    if precision not in PRECISIONS:
        raise DeviceError(f"unknown precision {precision!r}: use {', '.join(PRECISIONS)}")
    if device.type == "cuda" and precision in ("auto", "fast", "bf16"):
        dtype = torch.bfloat16 if (precision == "bf16" or torch.cuda.is_bf16_supported()) \
            else torch.float16
        return torch.autocast("cuda", dtype=dtype)
    if device.type == "cpu":
        precision = cpu_precision(precision)
    if device.type == "cpu" and precision == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    if device.type == "cpu" and precision == "fast":
        return _lowp_decoder()
    return contextlib.nullcontext()


@contextlib.contextmanager
def _lowp_decoder() -> Iterator[None]:
    token = _LOWP_DECODER.set(True)
    try:
        yield
    finally:
        _LOWP_DECODER.reset(token)


def decoder_autocast(device: "torch.device") -> ContextManager[Any]:
    """Used by the decoder: bfloat16 autocast inside a ``fast`` run on the CPU, else nothing."""
    if _LOWP_DECODER.get() and device.type == "cpu":
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def describe_devices() -> List[Dict[str, Any]]:
    """What this process can run on, with memory, for the ``hello`` message and ``selftest``."""
    has_torch = torch_available()
    if has_torch:
        import torch
    devices: List[Dict[str, Any]] = [{
        "name": "cpu", "type": "cpu",
        "threads": torch.get_num_threads() if has_torch else os.cpu_count(),
        "cores": os.cpu_count(), "memory_mb": _system_memory_mb(),
        "capability": cpu_capability(), "bf16_native": cpu_bf16_native(),
    }]
    if has_torch and torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            devices.append({"name": f"cuda:{i}", "type": "cuda", "label": p.name,
                            "memory_mb": int(p.total_memory / 2**20)})
    return devices


def _system_memory_mb() -> Optional[int]:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20)
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return None
