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
                   "is missing; on; off")
    p.add_argument("--json", action="store_true", help="the plans as JSON on stdout")


def run_explain(args: argparse.Namespace) -> int:
    from ..grounding.explain import explain_dict, explain_text

    if args.json:
        print(json.dumps([explain_dict(e, args.grounding) for e in args.expressions], indent=2))
    else:
        print("\n\n".join(explain_text(e, args.grounding) for e in args.expressions))
    return 0
