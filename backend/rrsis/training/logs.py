"""Training logs: per-iteration loss/LR and per-epoch metrics as CSV (and TensorBoard when
installed), and a PNG of the curves at the end. Only rank 0 writes."""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

__all__ = ["CsvLog", "TrainLogger", "plot_curves", "ITER_FIELDS"]

log = logging.getLogger(__name__)
ITER_FIELDS = ("iter", "epoch", "loss", "lr", "seconds")


class CsvLog:
    """Append-only CSV with a fixed header; on resume, rows past the resumed step are dropped."""

    def __init__(self, path: Path, fields: Sequence[str]) -> None:
        self.path, self.fields = path, list(fields)

    def truncate_after(self, key: str, value: float) -> None:
        if not self.path.is_file():
            return
        with self.path.open(newline="") as f:
            reader = csv.DictReader(f)
            rows = [r for r in reader if float(r[key]) <= value]
            header = list(reader.fieldnames or [])
        # the file's own header: it holds the columns that appeared after the first row
        # (validation metrics), which a resumed process does not know yet
        self.fields = header + [k for k in self.fields if k not in header]
        with self.path.open("w", newline="") as f:
            w = csv.DictWriter(f, self.fields, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)

    def write(self, row: Dict[str, Any]) -> None:
        new = not self.path.is_file()
        if new:
            self.fields = self.fields + [k for k in row if k not in self.fields]
        else:
            with self.path.open(newline="") as f:
                header = next(csv.reader(f), [])
            extra = [k for k in row if k not in header]
            if extra:  # a metric appeared later (e.g. val after a first epoch without it)
                self.fields = header + extra
                with self.path.open(newline="") as f:
                    rows = list(csv.DictReader(f))
                with self.path.open("w", newline="") as f:
                    w = csv.DictWriter(f, self.fields)
                    w.writeheader()
                    w.writerows(rows)
            else:
                self.fields = header
        with self.path.open("a", newline="") as f:
            w = csv.DictWriter(f, self.fields, extrasaction="ignore")
            if new:
                w.writeheader()
            w.writerow(row)

    def read(self) -> List[Dict[str, str]]:
        if not self.path.is_file():
            return []
        with self.path.open(newline="") as f:
            return list(csv.DictReader(f))


class TrainLogger:
    """iterations.csv, epochs.csv, optional TensorBoard events, curves.png."""

    def __init__(self, out_dir: Path, enabled: bool = True) -> None:
        self.enabled = enabled
        self.out_dir = out_dir
        self.iters = CsvLog(out_dir / "iterations.csv", ITER_FIELDS)
        self.epochs = CsvLog(out_dir / "epochs.csv", ("epoch", "iter", "train_loss"))
        self.tb: Optional[Any] = None
        if enabled:
            try:
                from torch.utils.tensorboard import SummaryWriter

                self.tb = SummaryWriter(str(out_dir / "tensorboard"))
            except ImportError:  # tensorboard is optional
                self.tb = None

    def resume_at(self, global_step: int) -> None:
        if self.enabled:
            self.iters.truncate_after("iter", global_step)
            self.epochs.truncate_after("iter", global_step)   # validations are by iteration

    def iteration(self, row: Dict[str, Any]) -> None:
        if not self.enabled:
            return
        self.iters.write(row)
        if self.tb is not None:
            self.tb.add_scalar("train/loss", row["loss"], row["iter"])
            self.tb.add_scalar("train/lr", row["lr"], row["iter"])

    def epoch(self, row: Dict[str, Any]) -> None:
        if not self.enabled:
            return
        self.epochs.write(row)
        if self.tb is not None:
            for k, v in row.items():
                if k not in ("epoch", "iter") and isinstance(v, (int, float)):
                    self.tb.add_scalar(f"epoch/{k}", v, row["iter"])

    def close(self) -> Optional[Path]:
        if not self.enabled:
            return None
        if self.tb is not None:
            self.tb.close()
        return plot_curves(self.out_dir)


def plot_curves(out_dir: Path) -> Optional[Path]:
    """curves.png: loss and LR per iteration, and each validation's metrics."""
    iters = CsvLog(out_dir / "iterations.csv", ITER_FIELDS).read()
    epochs = CsvLog(out_dir / "epochs.csv", ()).read()
    if not iters:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    x = [int(r["iter"]) for r in iters]
    axes[0].plot(x, [float(r["loss"]) for r in iters], lw=0.8)
    axes[0].set(title="training loss", xlabel="iteration")
    axes[1].plot(x, [float(r["lr"]) for r in iters])
    axes[1].set(title="learning rate", xlabel="iteration")
    metric_keys = [k for k in (epochs[0].keys() if epochs else []) if k.startswith("val_")]
    for k in metric_keys:
        pts = [(int(r["iter"]), float(r[k])) for r in epochs if r.get(k) not in (None, "")]
        if pts:   # by iteration: a run stopped mid-epoch validates there too
            axes[2].plot(*zip(*pts), marker="o", label=k[4:])
    axes[2].set(title="validation", xlabel="iteration")
    if metric_keys:
        axes[2].legend(fontsize=7)
    fig.tight_layout()
    path = out_dir / "curves.png"
    tmp = out_dir / ".curves.png.part"
    fig.savefig(tmp, dpi=100, format="png")
    plt.close(fig)
    tmp.replace(path)
    return path
