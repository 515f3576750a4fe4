"""CLI commands about models: ``models``, ``convert``, ``card``, ``selftest``, ``export-onnx``."""

from __future__ import annotations

import argparse
import json
import platform

import time
from pathlib import Path

from ..errors import InputError


def add_arguments_models(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--all", action="store_true", help="include tiny test architectures")


def run_models(args: argparse.Namespace) -> int:
    from ..models import get_config, list_models
    from ..models.catalog import available_models, model_dirs

    archs = list_models(include_test=args.all)
    found = available_models()
    if args.json:
        print(json.dumps({"architectures": archs, "models": found}, indent=2))
        return 0
    print("Architectures (registry):")
    for name in archs:
        print(f"  {name:16s} {get_config(name).description}")
    print("Checkpoints found in " + ", ".join(str(d) for d in model_dirs()) + ":")
    if not found:
        print("  (none)")
    for entry in found:
        card = entry["card"]
        own = card.get("categories")   # a fine-tuned model's classes (lexicon.vocabulary_of)
        classes = f"  classes: {', '.join(map(str, own))}" if isinstance(own, dict) else ""
        print(f"  {entry['name']:16s} {card.get('architecture')}  gsd {card.get('gsd_m')} m  "
              f"{entry['path']}{classes}")
    return 0


def add_arguments_convert(p: argparse.ArgumentParser) -> None:
    p.add_argument("checkpoint", help="public LAVT/LGCE checkpoint (torch.save dict)")
    p.add_argument("-o", "--output", required=True, help="output .safetensors")
    p.add_argument("--arch", default="lgce-swin-b", help="registered architecture (default lgce-swin-b)")
    p.add_argument("--name", help="model name shown in model lists (default: output file stem)")
    p.add_argument("--gsd", type=float, help="native ground sample distance in metres")
    p.add_argument("--training-data", help="what the model was trained on (for the card)")
    p.add_argument("--licence", help="licence of the weights (for the card)")
    p.add_argument("--fp16", action="store_true", help="store weights as float16 (half the size)")


def run_convert(args: argparse.Namespace) -> int:
    import torch

    from ..models.checkpoint import load_public_checkpoint, save_checkpoint

    out = Path(args.output)
    if out.suffix != ".safetensors":
        raise InputError("the output must be a .safetensors file")
    model = load_public_checkpoint(args.checkpoint, args.arch)
    card = {"name": args.name or out.stem, "source": f"converted from {Path(args.checkpoint).name}"}
    if args.gsd:
        card["gsd_m"] = args.gsd
    if args.training_data:
        card["training_data"] = args.training_data
    if args.licence:
        card["licence"] = args.licence
    written = save_checkpoint(model, out, card, dtype=torch.float16 if args.fp16 else None)
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MB, sha256 {written['weights_sha256'][:12]}…)")
    return 0


def add_arguments_card(p: argparse.ArgumentParser) -> None:
    p.add_argument("checkpoint", help="model name or .safetensors path")
    p.add_argument("--set-presence", metavar="JSON",
                   help="store a presence threshold in the card: the report written by "
                   "'python -m rrsis.training.calibrate_presence' (or its 'presence' block); "
                   "ONNX graphs listed in the card are re-exported")


def run_card(args: argparse.Namespace) -> int:
    from ..models.catalog import find_model
    from ..models.card import read_card

    path = find_model(args.checkpoint)
    if getattr(args, "set_presence", None):
        from ..training.calibrate_presence import read_presence, write_presence

        write_presence(path, read_presence(Path(args.set_presence)))
    print(json.dumps(read_card(path), indent=2))
    return 0


def add_arguments_selftest(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="model name or .safetensors path (default: the default model)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--runtime", default="auto", choices=("auto", "onnx", "torch"),
                   help="auto: ONNX Runtime on the CPU when the model has a graph, else torch")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run_selftest(args: argparse.Namespace) -> int:
    """Imports, devices, weights hash and a forward pass of one tile, inside this interpreter."""
    import numpy as np

    from .. import __version__
    from ..device import describe_devices, torch_available
    from ..engine.runtime import choose_runtime, load_model, make_predictor
    from ..errors import from_exception
    from ..models.catalog import find_model

    report: dict = {"backend": __version__, "python": platform.python_version(),
                    "torch_version": _version("torch") if torch_available() else None,
                    "onnxruntime_version": _version("onnxruntime"),
                    "devices": describe_devices()}
    ok = True
    try:
        path = find_model(args.model)
        runtime, device = choose_runtime(args.runtime, args.device, path)
        t0 = time.perf_counter()
        model = load_model(runtime, path, device, None)
        report["model"] = {"path": str(path), "name": model.card.get("name"),
                           "weights_sha256": model.card["weights_sha256"],
                           "load_s": round(time.perf_counter() - t0, 3)}
        predictor = make_predictor(runtime, model, device, ["buildings"], "auto", None)
        size = predictor.input_size
        t0 = time.perf_counter()
        diff = predictor.logit_difference(np.zeros((1, 3, size, size), np.float32))
        report["forward"] = {"runtime": runtime, "device": device, "shape": list(diff.shape),
                             "seconds": round(time.perf_counter() - t0, 3),
                             "finite": bool(np.isfinite(diff).all())}
        ok = report["forward"]["finite"]
    except Exception as exc:  # noqa: BLE001 - a known failure is the report's error
        specific = from_exception(exc)
        if specific is None:
            raise
        report["error"] = {"code": specific.code, "message": str(specific)}
        ok = False
    report["ok"] = ok
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0 if ok else 1


def _version(module: str) -> "str | None":
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return None


# --- export-onnx ----------------------------------------------------------------------------------

def add_arguments_export_onnx(p: argparse.ArgumentParser) -> None:
    p.epilog = ("Writes FILE (image encoder + fusion + decoder) and FILE with .text.onnx "
                "(text encoder) beside the checkpoint, and lists both, with their sha256, "
                "in the checkpoint's card (its tensors are left byte-identical).")
    p.add_argument("model", help="model name or .safetensors path")
    p.add_argument("-o", "--output", help="image graph .onnx (default: beside the checkpoint, "
                   "same stem)")


def run_export_onnx(args: argparse.Namespace) -> int:
    from ..models.catalog import find_model
    from ..onnx_export import export_onnx

    checkpoint = find_model(args.model)
    output = Path(args.output) if args.output else checkpoint.with_suffix(".onnx")
    done = export_onnx(checkpoint, output)
    for part in ("image", "text"):
        s = done["stats"][part]
        print(f"wrote {done[part]} ({s['bytes'] / 2**20:.1f} MB, {s['external']} tensors read "
              f"from {checkpoint.name}, {s['embedded']} embedded, sha256 "
              f"{done['card']['graphs'][part]['sha256'][:12]}…)")
    print(f"card of {checkpoint} lists both graphs")
    return 0
