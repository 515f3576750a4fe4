"""Category words a model was taught but did not learn, read from its card.

A card's ``metrics.val.categories`` gives, per training word, the validation oIoU and the
number of samples. A word with enough samples and next to no overlap (``lgce-lite``: bus,
truck and van, box-labelled and few) is one the model cannot tell from its neighbours:
asked for buses it marks cars. Its objects are still returned (the model may be right, and
a user looking for trucks wants to see what it found), but the result says so, as the
engine says at which scale it looked: a message in the expression's report (CLI, server,
dock) and a ``caution:`` line in ``rrsis explain``.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

__all__ = ["UNLEARNT_MAX_OIOU", "UNLEARNT_MIN_SAMPLES", "unlearnt_words", "unlearnt_message",
           "unlearnt_in", "base_message"]

#: at most this validation oIoU ...
UNLEARNT_MAX_OIOU = 0.05
#: ... on at least this many validation samples: the word was not learnt
UNLEARNT_MIN_SAMPLES = 20

Unlearnt = Mapping[str, Tuple[float, int]]


def unlearnt_words(card: Optional[Mapping[str, Any]]) -> Dict[str, Tuple[float, int]]:
    """word -> (validation oIoU, samples) for each word the card shows was not learnt."""
    try:
        categories = card["metrics"]["val"]["categories"]  # type: ignore[index]
    except (KeyError, TypeError):
        return {}
    out: Dict[str, Tuple[float, int]] = {}
    if not isinstance(categories, Mapping):
        return out
    for word, m in categories.items():
        try:
            oiou, count = float(m["oIoU"]), int(m["count"])
        except (KeyError, TypeError, ValueError):
            continue
        if count >= UNLEARNT_MIN_SAMPLES and oiou <= UNLEARNT_MAX_OIOU:
            out[str(word).lower()] = (oiou, count)
    return out


def unlearnt_message(word: str, oiou: float, count: int) -> str:
    return (f"the model did not learn {word!r} (validation IoU {oiou:.2f} on {count} "
            "examples): what it finds may be other objects it knows")


def unlearnt_in(phrases: Sequence[str], unlearnt: Unlearnt) -> Dict[str, Tuple[float, int]]:
    """The unlearnt words among ``phrases`` (a category's model phrase, "trucks", is its
    card word, "truck"; a whole expression is looked up as it is), keyed by card word."""
    from .lexicon import BY_NAME

    if not unlearnt:
        return {}
    word_of = {c.model_phrase.lower(): name for name, c in BY_NAME.items()}
    out: Dict[str, Tuple[float, int]] = {}
    for p in phrases:
        word = word_of.get(p.strip().lower(), p.strip().lower())
        if word in unlearnt:
            out[word] = unlearnt[word]
    return out


def base_message(phrase: str, base: str, model: str, better: bool = False) -> str:
    """Why ``phrase`` is asked of ``base``, the model ``model`` was fine-tuned from: its
    category was not taught, or (``better``) the base segmented it better on the validation
    part of the fine-tuning."""
    why = ("it segmented that category better on the validation part of the fine-tuning"
           if better else "it was not taught that category")
    return f"{phrase!r} asked of {base}, the model {model} was fine-tuned from: {why}"
