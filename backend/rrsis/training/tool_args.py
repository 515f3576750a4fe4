"""The arguments every measuring tool shares (``python -m rrsis.training...``): which model,
which built datasets, where the report goes, and whether the result is stored in the card.

One declaration, so that the calibrations and the evaluations read the same options the same
way (``--datasets runs/data`` everywhere, as README's commands write it).
"""

from __future__ import annotations

import argparse

__all__ = ["measuring_parser"]


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
