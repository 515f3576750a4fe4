"""Device choice and precision contexts."""

from __future__ import annotations

import os

import pytest
import torch

from rrsis import device as device_module
from rrsis.device import (autocast, cpu_bf16_native, decoder_autocast, describe_devices,
                          resolve_device, set_threads)
from rrsis.errors import DeviceError


def test_auto_picks_cuda_only_when_present() -> None:
    want = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == want
    assert resolve_device(None).type == want
    assert resolve_device("CPU") == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_gpu_is_a_clear_error() -> None:
    with pytest.raises(DeviceError, match="no CUDA device"):
        resolve_device("cuda")


def test_unknown_device_and_precision() -> None:
    with pytest.raises(DeviceError, match="unknown device"):
        resolve_device("tpu")
    with pytest.raises(DeviceError, match="unknown precision"):
        autocast(torch.device("cpu"), "fp8")


@pytest.mark.skipif(not cpu_bf16_native(), reason="this CPU has no native bfloat16 (fp32 fallback)")
def test_cpu_runs_fp32_unless_bf16_is_asked_for() -> None:
    x = torch.randn(4, 4)
    with autocast(torch.device("cpu")):
        assert (x @ x).dtype == torch.float32
    with autocast(torch.device("cpu"), "bf16"):
        assert (x @ x).dtype == torch.bfloat16
    with autocast(torch.device("cpu"), "fast"):  # only the decoder goes bfloat16
        assert (x @ x).dtype == torch.float32
        with decoder_autocast(torch.device("cpu")):
            assert (x @ x).dtype == torch.bfloat16
    with decoder_autocast(torch.device("cpu")):
        assert (x @ x).dtype == torch.float32


@pytest.mark.skipif(not cpu_bf16_native(), reason="this CPU has no native bfloat16 (fp32 fallback)")
def test_fast_path_changes_only_the_decoder_precision() -> None:
    from rrsis.models import create_model

    torch.manual_seed(0)
    model = create_model("test-lgce-tiny")
    ids, mask = model.tokenizer("cars")
    image = torch.randn(1, 3, 64, 64)
    with torch.inference_mode():
        exact = model(image, ids, mask)
        with autocast(torch.device("cpu"), "fast"):
            fast = model(image, ids, mask)
    assert fast.dtype == torch.float32
    assert not torch.equal(fast, exact) and torch.allclose(fast, exact, atol=0.1)


def test_threads_and_description() -> None:
    before = torch.get_num_threads()
    try:
        assert set_threads(1) == 1
        assert set_threads(None) == 1
    finally:
        torch.set_num_threads(before)
    cpu = describe_devices()[0]
    assert cpu["type"] == "cpu" and cpu["memory_mb"] > 0


def test_bf16_falls_back_to_fp32_with_a_warning_where_it_is_not_native(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(device_module, "cpu_bf16_native", lambda: False)
    monkeypatch.setattr(device_module, "_WARNED", set())
    x = torch.randn(4, 4)
    for precision in ("bf16", "fast"):
        with caplog.at_level("WARNING", logger="rrsis.device"):
            with autocast(torch.device("cpu"), precision):
                assert (x @ x).dtype == torch.float32
                with decoder_autocast(torch.device("cpu")):
                    assert (x @ x).dtype == torch.float32
        assert f"precision {precision} needs native bfloat16" in caplog.text
    caplog.clear()
    with autocast(torch.device("cpu"), "bf16"):  # warned once per process and precision
        pass
    assert "native bfloat16" not in caplog.text


def test_cpu_description_says_whether_bf16_is_native() -> None:
    cpu = describe_devices()[0]
    assert cpu["bf16_native"] == cpu_bf16_native()
    assert cpu["capability"] == torch.backends.cpu.get_cpu_capability()
    flags = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
    if flags and " avx512_bf16" not in flags and " amx_bf16" not in flags:
        assert not cpu["bf16_native"]
