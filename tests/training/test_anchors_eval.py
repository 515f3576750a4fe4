"""anchors_eval on a synthetic Dubai-coded mask: a block ringed by road, a car-sized building in
a lane (the colours of the source's PROVENANCE table)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from rrsis.training.sources.dubai import COLOURS
from rrsis.training.sources.anchors_eval import count, main


def _write_mask(root: Path) -> None:
    land, road, building = (COLOURS[c] for c in ("land", "road", "building"))
    rgb = np.zeros((120, 120, 3), np.uint8)
    rgb[:] = road
    rgb[10:110, 10:110] = land                 # the block inside a 10 m ring road
    rgb[30:50, 30:60] = building               # a house 20 m from the road
    rgb[70:90, 60:100] = building              # and one 10 m from it: next to it
    rgb[3:6, 60:65] = building                 # a small one the road wraps round
    folder = root / "dubai-landcover" / "tile-1" / "masks"
    folder.mkdir(parents=True)
    Image.fromarray(rgb).save(folder / "image_part_001.png")


def test_counts_under_both_rules(tmp_path: Path, capsys) -> None:
    _write_mask(tmp_path)
    c = count(tmp_path)
    assert c["masks"] == 1 and c["buildings"] == 3
    assert c["on_every_hole"] == 3 and c["next_to_every_hole"] == 0   # the block swallowed
    assert c["on_as_labelled"] == 0 and c["next_to_as_labelled"] == 2   # the small one too
    assert c["on_occluders"] == 1 and c["next_to_occluders"] == 1
    assert main(["--data-root", str(tmp_path)]) == 0
    assert "on the road 1" in capsys.readouterr().out
