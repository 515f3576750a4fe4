"""NEON plots with tree boxes -> tree triplets (``rrsis.training.sources.neon_trees``)."""

from __future__ import annotations

import numpy as np
from helpers.data import shared_data
from PIL import Image
from rrsis.training.sources import neon_trees


def test_boxes_are_clipped_to_the_image(tmp_path):
    xml = tmp_path / "p.xml"
    xml.write_text("<annotation><object><name></name><bndbox><xmin>-5</xmin><ymin>10</ymin>"
                   "<xmax>30</xmax><ymax>500</ymax></bndbox></object><object><name>Tree"
                   "</name><bndbox><xmin>90</xmin><ymin>1</ymin><xmax>91</xmax><ymax>9</ymax>"
                   "</bndbox></object></annotation>")
    assert neon_trees.read_boxes(xml, 83, 400) == [(0.0, 10.0, 30.0, 400.0)]


def test_build_splits_by_site_and_tree_masks_lie_in_boxes(tmp_path):
    src = shared_data("neon-trees")
    meta = neon_trees.build_neon_trees(src, tmp_path / "n", size=96)
    root = tmp_path / "n"
    val = (root / "output_phrase_val.txt").read_text().splitlines()
    train = (root / "output_phrase_train.txt").read_text().splitlines()
    assert val and all(line.startswith("neon-OSBS") for line in val)
    assert train and all(line.startswith("neon-SJER") for line in train)
    assert meta["split_rule"] == {"SJER": "train", "OSBS": "val"}
    trees = negatives = 0
    for line in train + val:
        sid, expr = line.split(" ", 1)
        mask = np.asarray(Image.open(root / "masks" / f"{sid}.png")) > 50
        if expr in neon_trees.NEGATIVES:
            negatives += 1
            assert not mask.any(), line
        else:
            assert expr in neon_trees.TREE_WORDS
            trees += int(mask.any())
    assert negatives > 0 and trees > 0.8 * (len(train) + len(val) - negatives)
