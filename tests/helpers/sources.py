"""Shared by the source adapter tests (tests/training/sources): a recording RNG, the RefSegRS
folder read back, and label operations recomputed independently of the adapters."""

from __future__ import annotations

import math
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

SIZE = 96  # small output tiles keep the file fast; the adapters take ``size`` as a parameter


class RecordingRng:
    """Delegates to a ``random.Random`` (same stream) and records every ``randint`` call."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.calls: list[tuple[int, int, int]] = []

    def randint(self, a: int, b: int) -> int:
        v = self._rng.randint(a, b)
        self.calls.append((a, b, v))
        return v

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._rng, name)


def read_dataset(root: Path) -> dict[int, dict[str, object]]:
    """RefSegRS folder -> {image index n: {split, prefix, image, exprs: {expr: bool mask}}}."""
    out: dict[int, dict[str, object]] = {}
    for split in ("train", "val", "test"):
        f = root / f"output_phrase_{split}.txt"
        if not f.is_file():
            continue
        for line in f.read_text().splitlines():
            if not line.strip():
                continue
            sid, expr = line.split(" ", 1)
            prefix, n, _k = sid.rsplit("_", 2)
            rec = out.setdefault(int(n), {"split": split, "prefix": prefix, "exprs": {},
                                          "sid": sid})
            assert rec["split"] == split, f"image {n} appears in two splits"
            mask = np.asarray(Image.open(root / "masks" / f"{sid}.png").convert("L")) > 50
            assert expr not in rec["exprs"], f"duplicate expression {expr!r} for image {n}"
            rec["exprs"][expr] = mask
            assert (root / "images" / f"{sid}.jpg").is_file()
    for rec in out.values():
        rec["image"] = np.asarray(Image.open(root / "images" / f"{rec['sid']}.jpg").convert("RGB"))
    return out


def label4(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """4-connected component labelling by min-label propagation (independent of the adapter)."""
    h, w = mask.shape
    big = h * w + 1
    lab = np.where(mask, np.arange(1, h * w + 1).reshape(h, w), big)
    while True:
        new = lab.copy()
        new[1:] = np.minimum(new[1:], lab[:-1])
        new[:-1] = np.minimum(new[:-1], lab[1:])
        new[:, 1:] = np.minimum(new[:, 1:], lab[:, :-1])
        new[:, :-1] = np.minimum(new[:, :-1], lab[:, 1:])
        new[~mask] = big
        if np.array_equal(new, lab):
            break
        lab = new
    lab = np.where(mask, lab, 0)
    ids = np.unique(lab[lab > 0])
    remap = np.zeros(big + 1, np.int64)
    remap[ids] = np.arange(1, len(ids) + 1)
    return remap[lab], len(ids)


def disk_dilate(mask: np.ndarray, radius: float) -> np.ndarray:
    """Pixels within Euclidean distance ``radius`` (in pixels) of a ``mask`` pixel."""
    r = math.floor(radius)
    h, w = mask.shape
    pad = np.pad(mask, r)
    out = np.zeros_like(mask)
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            if dy * dy + dx * dx <= radius * radius:
                out |= pad[r + dy:r + dy + h, r + dx:r + dx + w]
    return out


def nearest_resize_index(side: int, size: int) -> np.ndarray:
    return np.minimum(((np.arange(size) + 0.5) * side / size).astype(int), side - 1)


# ---------------------------------------------------------------------------- cars


def street_frames(root: Path, names: tuple) -> None:
    """KIT-named street frames under ``root/aerial-cars``, 120 x 96 px of noise, each with a
    car box and a bus box (YOLO lines): what the car source's held-out tools read."""
    folder = root / "aerial-cars"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in names:
        Image.fromarray(rng.integers(0, 255, (96, 120, 3), dtype=np.uint8)).save(
            folder / f"{name}.png")
        (folder / f"{name}.txt").write_text("0 0.25 0.5 0.1 0.05\n2 0.75 0.5 0.2 0.08\n")


def tiny_served_checkpoint(path: Path) -> Path:
    """A real tiny checkpoint whose card serves 0.05-0.6 m around 0.15 m, as lgce-lite's."""
    import torch

    from rrsis.models import create_model
    from rrsis.models.checkpoint import save_checkpoint

    torch.manual_seed(0)
    save_checkpoint(create_model("test-lgce-tiny"), path,
                    card={"name": "tiny", "gsd_m": 0.15, "gsd_range_m": [0.05, 0.6]})
    return path


def run_tool(module: str, *args: str, timeout: int = 600) -> "subprocess.CompletedProcess[str]":
    """``python -m module args`` as a user runs a measuring tool: a real subprocess."""
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True,
                          text=True, timeout=timeout)
