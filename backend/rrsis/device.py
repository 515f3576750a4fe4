"""Device choice, CPU threads and mixed precision, in one place.

``auto`` picks CUDA when a GPU is visible, else the CPU. On CUDA, inference runs
under autocast (bfloat16 where the GPU supports it, else float16); on the CPU it
runs in float32 unless the caller asks for the bfloat16 fast path explicitly.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, ContextManager, Dict, List, Optional, Union

import torch

from .errors import DeviceError

__all__ = ["resolve_device", "set_threads", "autocast", "describe_devices"]


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
    """Mixed-precision context: 'auto' = bf16/fp16 on CUDA, fp32 on CPU; 'fp32'; 'bf16'."""
    if precision == "fp32" or (precision == "auto" and device.type != "cuda"):
        return contextlib.nullcontext()
    if device.type == "cuda":
        dtype = torch.bfloat16 if (precision == "bf16" or torch.cuda.is_bf16_supported()) \
            else torch.float16
        return torch.autocast("cuda", dtype=dtype)
    if precision == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    raise DeviceError(f"unknown precision {precision!r}: use auto, fp32 or bf16")


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
