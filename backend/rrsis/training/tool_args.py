"""The arguments every measuring tool shares (``python -m rrsis.training...``): which model,
which built datasets, where the report goes, and whether the result is stored in the card.

One declaration, so that the calibrations and the evaluations read the same options the same
way (``--datasets runs/data`` everywhere, as README's commands write it).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence

__all__ = ["measuring_parser", "write_report", "write_blocks", "markdown_table"]


def measuring_parser(doc: str, *, write_card: str = "",
                     threads: bool = True) -> argparse.ArgumentParser:
    """``--model``, ``--datasets``, ``--out`` (and ``--threads``, and ``--write-card`` with
    ``write_card`` as its help when given); the tool adds its own options."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--model", required=True, help="checkpoint (.safetensors) or model name")
    p.add_argument("--datasets", default="runs/data",
                   help="the built source folders (build_all), or one RefSegRS-format folder")
    p.add_argument("--out", required=True, help="JSON report (written via a temporary name)")
    if threads:
        p.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    if write_card:
        p.add_argument("--write-card", action="store_true", help=write_card)
    return p


def write_report(out: str, key: str, block: Dict[str, Any], model: Path, started: float,
                 write_card: bool = False) -> Dict[str, Any]:
    """A calibration's JSON report, ``{key: block, model, wall_time_s}`` (written via a
    temporary name), said on stdout; with ``write_card`` also ``block`` under ``key`` in the
    model's card (its ONNX graphs re-exported)."""
    return write_blocks(out, {key: block}, model, started, write_card)


def write_blocks(out: str, blocks: Dict[str, Dict[str, Any]], model: Path, started: float,
                 write_card: bool = False) -> Dict[str, Any]:
    """:func:`write_report` of a calibration that decides several card keys at once."""
    from ..onnx_export import update_card
    from ..paths import write_text_atomic

    report = {**blocks, "model": str(model),
              "wall_time_s": round(time.perf_counter() - started, 1)}
    write_text_atomic(Path(out), json.dumps(report, indent=1))
    print(f"wrote {out} ({report['wall_time_s']:.0f} s)")
    if write_card:
        update_card(model, blocks)
        print(f"stored in the card of {model}")
    return report


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> List[str]:
    """The lines of a Markdown table (a header, its rule, a line per row of cells): the
    measuring tools' reports print their tables this one way."""
    def line(cells: Sequence[Any]) -> str:
        return "|" + "|".join(f" {c} " if str(c) else " " for c in cells) + "|"

    return [line(header), "|---" * len(header) + "|"] + [line(row) for row in rows]
