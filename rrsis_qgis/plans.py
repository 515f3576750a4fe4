"""The grounding plans of a segment result, as the short text the dock shows under the expression.

The backend's result carries ``plans``: per expression ``{"plan", "mode", "uncertain",
"messages", "objects"}`` (docs/protocol.md). Stdlib only: this runs inside QGIS.
"""

from __future__ import annotations

from typing import Any, Dict, List

__all__ = ["plan_text"]


def plan_text(result: Dict[str, Any]) -> str:
    """One line per expression: ``plan (N objects; message; ...)``; empty without plans."""
    lines: List[str] = []
    for expression, report in (result.get("plans") or {}).items():
        if not isinstance(report, dict):
            continue
        notes = [f"{report.get('objects', 0)} object(s)"]
        if report.get("uncertain"):
            notes.append("uncertain")
        notes += [str(m) for m in report.get("messages") or [] if m != "no object matches"
                  or not report.get("objects")]
        plan = str(report.get("plan") or "")
        prefix = f"{expression}: " if len(result.get("plans") or {}) > 1 else ""
        lines.append(f"{prefix}{plan} ({'; '.join(dict.fromkeys(notes))})")
    return "\n".join(lines)
