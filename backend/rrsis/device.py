"""Device choice, CPU threads and mixed precision, in one place.

``auto`` picks CUDA when a GPU is visible, else the CPU. Precision of a run:

- ``auto``: bf16/fp16 autocast on CUDA; exact float32 on the CPU;
- ``fp32``: exact float32 everywhere;
- ``fast``: on the CPU, the decoder (about half of the arithmetic of the paper
  configurations) runs in bfloat16 while the backbone stays float32; on CUDA as ``auto``;
- ``bf16``: everything in bfloat16 autocast (fastest, least faithful).

``fast`` and ``bf16`` pay off on CPUs with AVX512-BF16 or AMX (see ``bench/``).
"""

from __future__ import annotations

import contextlib
import os
from contextvars import ContextVar
from typing import Any, ContextManager, Dict, Iterator, List, Optional, Union

import torch

from .errors import DeviceError

__all__ = ["resolve_device", "set_threads", "autocast", "decoder_autocast", "describe_devices",
           "PRECISIONS"]

PRECISIONS = ("auto", "fp32", "fast", "bf16")
_LOWP_DECODER: ContextVar[bool] = ContextVar("rrsis_lowp_decoder", default=False)


def resolve_device(name: Union[str, torch.device, None] = "auto") -> torch.device:
    """'auto' | 'cpu' | 'cuda' | 'cuda:N' -> a usable :class:`torch.device`."""
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
    if threads:
        if threads < 0:
            raise DeviceError("threads must be positive")
        torch.set_num_threads(int(threads))
    return torch.get_num_threads()


def autocast(device: torch.device, precision: str = "auto") -> ContextManager[Any]:
    """The precision context of one run on ``device`` (see the module docstring)."""
    if precision not in PRECISIONS:
        raise DeviceError(f"unknown precision {precision!r}: use {', '.join(PRECISIONS)}")
    if device.type == "cuda" and precision in ("auto", "fast", "bf16"):
        dtype = torch.bfloat16 if (precision == "bf16" or torch.cuda.is_bf16_supported()) \
            else torch.float16
        return torch.autocast("cuda", dtype=dtype)
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


def decoder_autocast(device: torch.device) -> ContextManager[Any]:
    """Used by the decoder: bfloat16 autocast inside a ``fast`` run on the CPU, else nothing."""
    if _LOWP_DECODER.get() and device.type == "cpu":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def describe_devices() -> List[Dict[str, Any]]:
    """What this process can run on, with memory, for the ``hello`` message and ``selftest``."""
    devices: List[Dict[str, Any]] = [{
        "name": "cpu", "type": "cpu", "threads": torch.get_num_threads(),
        "cores": os.cpu_count(), "memory_mb": _system_memory_mb(),
    }]
    if torch.cuda.is_available():
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
