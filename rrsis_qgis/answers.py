"""What a segment result tells the analyst, in one plain sentence that starts with the answer.

A run that finds nothing is an answer too ("No object matches …"), not a silent empty layer.
The backend may also report words its model does not know (``unknown_words``, per
expression in ``plans``) or its own
explanation (``message``, e.g. "no object matches"); both are shown when present.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Sequence

from .plans import colour_bands, suggestions, unknown_words
from .provenance import round_gsd


@dataclass
class Answer:
    level: str      # "success" | "info" | "warning"
    text: str       # the message bar line: the answer first, then what to do
    detail: str = ""
    code: str = ""  # what the dock's fix button acts on ("no_match", "unknown_words")


def _quoted(items: Sequence[str]) -> str:
    return ", ".join(f"“{i}”" for i in items)


def _by_category(result: Dict[str, Any], expression: str) -> str:
    """" (20 building, 3 bare land)" where the answer holds objects of several categories
    ("anything red", "cars and trucks"; the plan's ``categories``), else ""."""
    plans = result.get("plans")
    plan = plans.get(expression) if isinstance(plans, dict) else None
    cats = plan.get("categories") if isinstance(plan, dict) else None
    if not isinstance(cats, dict) or len(cats) < 2:
        return ""
    return " (" + ", ".join(f"{n} {c}" for c, n in cats.items()) + ")"


def summarize(result: Dict[str, Any], expressions: Sequence[str]) -> Answer:
    """The message for a finished run."""
    counts = result.get("feature_counts")
    counts = counts if isinstance(counts, dict) else {}
    found = {e: int(counts.get(e, 0) or 0) for e in expressions}
    empty: List[str] = [e for e, n in found.items() if n == 0]
    unknown = unknown_words(result)
    backend_message = str(result.get("message") or "").strip()
    gsd = round_gsd(result.get("gsd_m"))
    detail = f"model {result.get('model')} at {gsd} m on {result.get('device')}"
    if result.get("stretch") == "model":  # a fine-tuned model's own map of 16-bit values
        detail += ", values stretched as in its training data"
    read = colour_bands(result)
    if read:   # the layer's drawn bands
        detail += f", {read}"
    if backend_message:
        detail = f"{backend_message}\n{detail}"

    hits = [f"{n} “{e}”{_by_category(result, e)}" for e, n in found.items() if n]
    parts: List[str] = []
    if hits:
        parts.append("Found " + ", ".join(hits) + ".")
    if empty:
        parts.append(f"No object matches {_quoted(empty)} here"
                     f"{f' at {gsd:g} m' if gsd else ''}.")
    if unknown:
        meant = suggestions(result)
        hint = f" (did you mean {_quoted(meant)}?)" if meant else ""
        parts.append(f"The model does not know {_quoted(unknown)}{hint}: try other words.")
    elif empty:
        parts.append("Try other words, another extent or a lower threshold.")
    if backend_message and not hits:
        parts.append(backend_message.rstrip(".") + ".")
    text = " ".join(parts) or "The run finished."
    if not empty and not unknown:
        return Answer("success", text, detail)
    code = "unknown_words" if unknown else "no_match"
    return Answer("warning" if unknown or not hits else "info", text, detail, code)


__all__ = ["Answer", "summarize"]
