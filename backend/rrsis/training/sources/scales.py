"""At which GSDs each category was learnt: the card's ``group_gsd_range_m``.

    python -m rrsis.training.sources.scales --datasets runs/data \
        [--write-card resources/models/lgce-lite.safetensors]

A category is only as good as the scales its labelled examples were shown at: the sources
give roads, water and bare land only as 1 m land-cover tiles (shown at 0.35-0.6 m), so the
model has never seen a road at drone resolution, where its "road" is specks on roofs and
yards. The engine serves each phrase at the working GSD clamped into its group's range
(:func:`rrsis.engine.gsd.phrase_gsd_m`); this module measures those ranges from the training
split itself: per lexicon group, the finest and the coarsest GSD at which a triplet with a
non-empty mask of that group was written (absent targets do not count: they teach where the
category is not, not what it looks like).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from ...engine.gsd import GROUP_RANGES_KEY
from ...errors import InputError, run_tool
from ...grounding.parser import target_groups
from ..datasets.refsegrs import load_mask, read_split
from . import SOURCES
from .common import GSD_RANGE_M, read_gsd_table

__all__ = ["group_gsd_ranges", "main"]


def group_gsd_ranges(datasets: Path, split: str = "train",
                     sources: Sequence[str] = SOURCES) -> Dict[str, List[float]]:
    """{lexicon group: [finest, coarsest] GSD in m} of the split's positive triplets, widened
    to the centimetre and kept inside the model's served range."""
    seen: Dict[str, List[float]] = {}
    roots = [Path(datasets) / name for name in sources
             if (Path(datasets) / name / f"output_phrase_{split}.txt").is_file()]
    if not roots:
        raise InputError(f"{datasets}: no dataset folder ({', '.join(sources)}) with a "
                         f"{split} split")
    for root in roots:
        per, nominal = read_gsd_table(root)
        for sample in read_split(root, split):
            groups = target_groups(sample.expression)
            gsd = per.get(sample.id, nominal)
            if len(groups) != 1 or gsd is None or not load_mask(sample.mask).any():
                continue
            seen.setdefault(groups[0], []).append(gsd)

    def served(metres: float) -> float:
        return min(max(metres, GSD_RANGE_M[0]), GSD_RANGE_M[1])

    # to the centimetre outward (rounded first: 0.55 * 100 is 55.000000000000007)
    return {group: [served(math.floor(round(min(v) * 100, 6)) / 100),
                    served(math.ceil(round(max(v) * 100, 6)) / 100)]
            for group, v in sorted(seen.items())}


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--datasets", required=True, help="the folder of built source folders")
    p.add_argument("--write-card", metavar="CHECKPOINT",
                   help="store the ranges in this model's card (its ONNX graphs re-exported)")
    args = p.parse_args(argv)

    def body() -> int:
        ranges = group_gsd_ranges(Path(args.datasets))
        if args.write_card:
            from ...onnx_export import update_card

            update_card(Path(args.write_card), {GROUP_RANGES_KEY: ranges})
        print(json.dumps({GROUP_RANGES_KEY: ranges}, indent=2))
        return 0

    return run_tool(body)


if __name__ == "__main__":
    sys.exit(main())
