"""How a model reads expressions, from its card alone: ``rrsis explain`` and the server's
``explain`` (the dock's preview) share this; no raster, no weights loaded."""

from __future__ import annotations

from typing import Any, Dict, NamedTuple, Optional, Sequence

from ..errors import ModelNotFoundError, RrsisError
from ..grounding.engine import GroundedRun
from ..grounding.explain import BaseScales, Scales, explain_dict, explain_text
from ..grounding.learnt import Unlearnt, unlearnt_words
from ..grounding.lexicon import Vocabulary, vocabulary_of
from ..grounding.policy import policy_of
from .checks import check_expressions
from .gsd import (card_input_size, group_gsd_ranges, group_tile_px, phrase_ceilings,
                  phrase_floors, phrase_tile_px)
from .nir import explain_line, gated_phrases

__all__ = ["ModelFacts", "model_facts", "explain_plans"]


class ModelFacts(NamedTuple):
    """What a model's card says about reading expressions (see :func:`explain_text`)."""

    policy: Dict[str, Dict[str, Any]]
    scales: Scales
    unlearnt: Unlearnt
    vocabulary: Vocabulary
    name: str = ""
    base: Optional[str] = None   # the installed model a fine-tuned one was made from
    ceilings: Dict[str, float] = {}   # per phrase, the coarsest GSD it is looked for at
    floors: Dict[str, float] = {}     # per phrase, the finest GSD it is looked for at
    base_scales: Optional[BaseScales] = None   # the base's, for the phrases left to it
    tiles: Dict[str, int] = {}        # per lexicon group, the tile side it is segmented in
    input_size: int = 0               # the model's own tile side
    base_tiles: Dict[str, int] = {}   # the base's, for the phrases left to it
    base_input_size: int = 0


def model_facts(model: Optional[str] = None) -> ModelFacts:
    """The facts of ``model``'s card, read from the checkpoint's header alone; the lexicon's
    for an absent default model (a named model that cannot be found is an error)."""
    from ..models.card import read_card
    from ..models.catalog import find_model

    try:
        card = read_card(find_model(model))
    except ModelNotFoundError:
        if model is not None:
            raise
        card = {}
    base, base_scales, base_tiles = card.get("finetuned_from"), None, ({}, 0)
    try:
        base_card = read_card(find_model(str(base))) if base else None
    except RrsisError:
        base_card = None   # not installed: the fine-tuned model is asked for everything
    if base_card is None:
        base = None
    else:
        base, base_scales = str(base), BaseScales(group_gsd_ranges(base_card),
                                                  phrase_ceilings(base_card),
                                                  phrase_floors(base_card))
        base_tiles = (group_tile_px(base_card), card_input_size(base_card))
    return ModelFacts(policy_of(card), group_gsd_ranges(card), unlearnt_words(card),
                      vocabulary_of(card), str(card.get("name") or model or ""), base,
                      phrase_ceilings(card), phrase_floors(card), base_scales,
                      group_tile_px(card), card_input_size(card), *base_tiles)


def explain_plans(expressions: Sequence[str], model: Optional[str] = None, mode: str = "auto",
                  rivals: bool = True) -> Dict[str, Dict[str, Any]]:
    """Per expression, :func:`explain_dict` and its ``text``, as ``model`` would read it."""
    check_expressions(expressions)   # as a segment request would refuse them
    facts = model_facts(model)
    out: Dict[str, Dict[str, Any]] = {}
    for e in expressions:
        d = explain_dict(e, mode, facts.policy, facts.scales, facts.unlearnt, rivals,
                         facts.vocabulary, facts.base, facts.ceilings, facts.floors,
                         facts.base_scales)
        d["text"] = explain_text(e, mode, facts.policy, facts.scales, facts.unlearnt, rivals,
                                 facts.vocabulary, facts.base, facts.name, facts.ceilings,
                                 facts.floors, facts.base_scales)
        run = GroundedRun([e], mode, policy=facts.policy, rivals=rivals,
                          vocabulary=facts.vocabulary)
        phrases = run.segmented_phrases(e)
        gated = [phrases[i] for i in gated_phrases(phrases, run.phrase_groups())]
        if gated:   # the same phrases the engine gates on a raster with the band
            d["nir_gated"] = gated
            d["text"] += "\n  " + explain_line(gated)
        _explain_tiles(d, run, phrases, facts)
        out[e] = d
    return out


def _explain_tiles(d: Dict[str, Any], run: GroundedRun, phrases: Sequence[str],
                   facts: ModelFacts) -> None:
    """The phrases the engine segments in tiles of another side than their model's (the
    base's, for a phrase left to it), as it would (``phrase_tile_px`` and a line)."""
    groups, left = run.phrase_groups(), set(run.untaught_phrases()) if facts.base else set()
    sides = {p: (facts.base_tiles, facts.base_input_size, f"{facts.base}'s") if p in left
             else (facts.tiles, facts.input_size, "the model's") for p in phrases}
    tiled = {p: phrase_tile_px(tiles, groups.get(p, []), own)
             for p, (tiles, own, _) in sides.items()}
    tiled = {p: t for p, t in tiled.items() if t != sides[p][1]}
    if tiled:
        d["phrase_tile_px"] = tiled
        d["text"] += "".join(f"\n  {p!r} is looked for in {t} px tiles ({sides[p][2]} are "
                             f"{sides[p][1]} px), the side chosen for its category on "
                             f"held-out scenes" for p, t in tiled.items())
