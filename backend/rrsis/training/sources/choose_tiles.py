"""In tiles of which side each category group is segmented, chosen on whole held-out scenes.

    python -m rrsis.training.sources.scenes_eval --tile-px 192 --out runs/scenes-tile192.json
    # and once as the card serves: runs/scenes.json
    python -m rrsis.training.sources.choose_tiles runs/scenes.json runs/scenes-tile192.json \
        --model lgce-lite --out runs/tiles.json [--write-card]

``lgce-lite`` learnt from 192 px crops and serves 480 px tiles (fewer tiles, less overlap per
area). Its two deepest stages mix every position of the tile with every other (the LGCE
blocks attend over the whole tile, with no position embedding), so the tile's side is part
of what the model sees, and crops cannot measure it (they are all 192 px). Each held-out scene
is served once as the card says and once per candidate side (``scenes_eval --tile-px``, every
phrase alike), and per lexicon group (its phrases pooled) the rule of
:func:`.choose_scales.decide` picks: the side nearest to the model's own within
:data:`MIN_GAIN` of the best pooled oIoU, if it adds :data:`MIN_GAIN` and the
leave-one-place-out estimate confirms it. ``--write-card`` stores the chosen sides under
:data:`~rrsis.engine.gsd.TILES_KEY` (``tile_px``), which the engine reads.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ...engine.gsd import TILES_KEY, card_input_size
from .choose_points import group_markdown, per_group
from .choose_scales import MIN_GAIN, Reports, read_reports, scene_tool

__all__ = ["choose", "main"]


def choose(reports: Reports, input_size: int, min_gain: float = MIN_GAIN) -> Dict[str, Any]:
    """Per lexicon group (:func:`.choose_points.per_group`) the side chosen or None."""
    cands = reports.candidates["tile"]
    table = per_group(reports, "tile", lambda sides: min(
        sides, key=lambda v: abs(v - input_size)), min_gain)
    for e in table.values():   # pixels are counts: whole numbers in the card
        e["tile"] = None if e["tile"] is None else int(e["tile"])
    return {"tile_px": {g: e["tile"] for g, e in table.items() if e["tile"]},
            "groups": table, "candidates": sorted(int(v) for v in cands),
            "input_size": input_size, "min_gain": min_gain,
            "calibration": "rrsis.training.sources.choose_tiles on the held-out scenes of "
                           "every source through the engine (scenes_eval, as the card serves "
                           "and once per candidate --tile-px); per lexicon group the side "
                           "nearest to the model's input size within min_gain of the best "
                           "pooled oIoU, if it beats serving as the card does by min_gain and "
                           "the leave-one-place-out estimate confirms it"}


def _decide(paths: Sequence[Path], min_gain: float, card: Dict[str, Any]
            ) -> Tuple[str, Dict[str, Dict[str, Any]]]:
    chosen = choose(read_reports(paths, kinds=("tile",)), card_input_size(card), min_gain)
    return group_markdown(chosen, "tile", "tiles of"), {TILES_KEY: chosen}


def main(argv: Optional[List[str]] = None) -> int:
    return scene_tool(argv, __doc__, "a tile side", "store the chosen tile sides (and the "
                      "measurement) in the model's card", _decide)


if __name__ == "__main__":
    sys.exit(main())
