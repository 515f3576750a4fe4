"""Per-tile latency of every model configuration, exact fp32 path and the bf16 fast path.

    .venv/bin/python bench/bench_models.py [--models lgce-swin-b lgce-lite] [--threads 2]

For each model: seconds per 480×480 tile of the segmentation network (text encoded
once per expression, measured apart) for each precision of ``rrsis.device.autocast``:
the exact ``fp32`` path, ``fast`` (bfloat16 decoder, float32 backbone) and ``bf16``
(everything bfloat16); and for the last two the share of pixels whose predicted class
agrees with the exact path. bfloat16 needs AVX512-BF16/AMX to be fast. Paper configurations have no public
trained weights here, so they run with random weights (language gates opened so that
the words matter); the shipped ``lgce-lite`` checkpoint is used when present.
This is a benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from typing import Dict, List

import torch

from rrsis.device import autocast, set_threads
from rrsis.models import create_model
from rrsis.models.catalog import find_model
from rrsis.models.checkpoint import load_checkpoint

EXPRESSION = "vehicles along the road"


def _model(name: str) -> tuple[torch.nn.Module, str]:
    try:
        path = find_model(name)
        return load_checkpoint(path), f"trained checkpoint {path.name}"
    except Exception:  # noqa: BLE001 - fall back to random weights, and say so
        torch.manual_seed(0)
        model = create_model(name)
        for layer in getattr(model.segmentation.backbone, "layers", []):
            torch.nn.init.normal_(layer.res_gate[0].weight, std=0.02)
            torch.nn.init.normal_(layer.res_gate[2].weight, std=0.02)
        return model, "random weights"


def _time(fn, repeat: int) -> List[float]:  # type: ignore[no-untyped-def]
    fn()  # warm-up (allocations, oneDNN kernel selection)
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def bench(name: str, size: int, repeat: int, image: torch.Tensor) -> Dict[str, object]:
    model, weights = _model(name)
    cpu = torch.device("cpu")
    with torch.inference_mode():
        text_s = _time(lambda: model.encode_expressions([EXPRESSION]), repeat)
        text = model.encode_expressions([EXPRESSION])
        exact = model.segment(image, text)
        result: Dict[str, object] = {"model": name, "weights": weights, "tile": size,
                                     "text_s": statistics.median(text_s)}
        for precision in ("fp32", "fast", "bf16"):
            with autocast(cpu, precision):
                out = model.segment(image, text).float()
                runs = _time(lambda: model.segment(image, text), repeat)
            result[f"{precision}_s"] = statistics.median(runs)
            result[f"{precision}_runs"] = runs
            result[f"{precision}_agreement"] = (out.argmax(1) == exact.argmax(1)).float().mean().item()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["lgce-swin-b", "lavt-swin-b", "lgce-lite"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--size", type=int, default=480)
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    set_threads(args.threads)
    torch.manual_seed(0)
    # a smooth, image-like input rather than white noise
    image = torch.nn.functional.interpolate(torch.randn(1, 3, args.size // 16, args.size // 16),
                                            size=(args.size, args.size), mode="bilinear")
    print(f"# {platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, tile {args.size}², median of {args.repeat}")
    print(f"{'model':14s} {'weights':28s} {'text s':>7s} {'fp32 s':>7s} {'fast s':>7s} {'agree':>7s}"
          f" {'bf16 s':>7s} {'agree':>7s}")
    results = []
    for name in args.models:
        try:
            r = bench(name, args.size, args.repeat, image)
        except Exception as exc:  # noqa: BLE001 - a config not built yet is reported, not fatal
            print(f"{name:14s} skipped: {exc}")
            continue
        results.append(r)
        print(f"{name:14s} {r['weights'][:28]:28s} {r['text_s']:7.3f} {r['fp32_s']:7.3f} "
              f"{r['fast_s']:7.3f} {100 * r['fast_agreement']:6.2f}% "
              f"{r['bf16_s']:7.3f} {100 * r['bf16_agreement']:6.2f}%")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
