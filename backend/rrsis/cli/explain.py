"""``rrsis explain``: print how expressions will be answered, without a model or a raster."""

from __future__ import annotations

import argparse
import json

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


def run_explain(args: argparse.Namespace) -> int:
    from ..engine.explain import explain_plans

    plans = explain_plans(args.expressions, args.model, args.grounding, args.rivals)
    if args.json:
        print(json.dumps(list(plans.values()), indent=2))
    else:
        print("\n\n".join(p["text"] for p in plans.values()))
    return 0
