"""Operating points of a model card: where each category group becomes foreground.

A network trained on weak and incomplete labels (tree boxes drawn as ellipses, crowns left
unboxed, cars as ellipses) is under-confident for some categories: its probability for
"trees" rarely reaches 0.5 where trees stand, while buildings are well placed. The card's
``operating_points`` (written by :mod:`rrsis.training.calibrate_operating_points`, chosen
on the validation split) give, per category group of the grounding lexicon, the logit
difference at which that group is foreground. The engine subtracts it from the blended
logit difference of every phrase of that group before the sigmoid, so probability 0.5
means the calibrated point for every output alike: the probability raster, the mask,
the objects and their scores, and the presence statistic. A card without the block, or a
phrase of no single group (unknown words, "cars and trees"), keeps the raw model.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Mapping, Optional, Sequence

import numpy as np

__all__ = ["CARD_KEY", "MAX_OFFSET", "group_thresholds", "phrase_offsets"]

CARD_KEY = "operating_points"
MAX_OFFSET = 4.0  # |logit| beyond this (p 0.018 / 0.982) is a broken card, not a calibration


def group_thresholds(card: Optional[Mapping[str, Any]]) -> Dict[str, float]:
    """{lexicon group: logit threshold} of a card; empty without a usable block."""
    block = (card or {}).get(CARD_KEY)
    table = block.get("logit_threshold") if isinstance(block, Mapping) else None
    if not isinstance(table, Mapping):
        return {}
    out: Dict[str, float] = {}
    for group, value in table.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool) \
                and math.isfinite(value) and abs(value) <= MAX_OFFSET:
            out[str(group)] = float(value)
    return out


def phrase_offsets(card: Optional[Mapping[str, Any]], phrases: Sequence[str],
                   groups_of: Mapping[str, Sequence[str]]) -> Optional[np.ndarray]:
    """(E,) float32 logit offsets of ``phrases`` in order, or None when all are 0.

    ``groups_of``: phrase -> the lexicon groups of what it asks for; a phrase whose
    groups have one calibrated threshold gets it, any other phrase 0.
    """
    table = group_thresholds(card)
    if not table:
        return None
    offsets = np.zeros(len(phrases), np.float32)
    for i, phrase in enumerate(phrases):
        values = {table.get(g, 0.0) for g in groups_of.get(phrase, ())}
        if len(values) == 1:
            offsets[i] = values.pop()
    return offsets if offsets.any() else None
