"""``rrsis explain``: print how expressions will be answered, without a model or a raster."""

from __future__ import annotations

import argparse
import json
from typing import Any, Dict, Optional

from ..grounding.engine import GROUNDING_MODES


def add_arguments_explain(p: argparse.ArgumentParser) -> None:
    p.add_argument("expressions", nargs="+", metavar="EXPRESSION",
                   help="referring expression(s), e.g. 'vehicles along the road'")
    p.add_argument("--grounding", default="auto", choices=GROUNDING_MODES,
                   help="auto (default): grounded when understood, end to end when an anchor "
                   "is missing or the model's grounding policy says so; on; off")
    p.add_argument("--model", default=None,
                   help="model name or checkpoint whose card's grounding policy and scales "
                   "apply (default: the default model, if installed); only its card is read")
    p.add_argument("--no-rivals", dest="rivals", action="store_false",
                   help="as segment --no-rivals: no rival categories segmented or contested")
    p.add_argument("--json", action="store_true", help="the plans as JSON on stdout")


def _card(model: Optional[str]) -> Dict[str, Any]:
    """``model``'s card (header only); {} for an absent default model."""
    from ..errors import ModelNotFoundError
    from ..models.card import read_card
    from ..models.catalog import find_model

    try:
        path = find_model(model)
    except ModelNotFoundError:
        if model is not None:
            raise
        return {}
    return read_card(path)


def run_explain(args: argparse.Namespace) -> int:
    from ..engine.gsd import group_gsd_ranges
    from ..grounding.explain import explain_dict, explain_text
    from ..grounding.learnt import unlearnt_words
    from ..grounding.lexicon import vocabulary_of
    from ..grounding.policy import policy_of

    card = _card(args.model)
    facts = (policy_of(card), group_gsd_ranges(card), unlearnt_words(card))
    vocabulary = vocabulary_of(card)
    if args.json:
        print(json.dumps([explain_dict(e, args.grounding, *facts, rivals=args.rivals,
                                       vocabulary=vocabulary)
                          for e in args.expressions], indent=2))
    else:
        print("\n\n".join(explain_text(e, args.grounding, *facts, rivals=args.rivals,
                                        vocabulary=vocabulary)
                           for e in args.expressions))
    return 0
