"""The grounding plans of a segment result, as the short text the dock shows under the expression.

The backend's result carries ``plans``: per expression ``{"plan", "mode", "uncertain",
"messages", "objects"}`` (docs/protocol.md). Stdlib only: this runs inside QGIS.
"""

from __future__ import annotations

from typing import Any, Dict, List

__all__ = ["plan_text", "objects_text", "plan_of", "unknown_words", "suggestions",
           "corrections", "preview_text", "PREVIEW_PREFIX"]

PREVIEW_PREFIX = "Reads as: "   # a preview (explain), not the plan of a finished run


def objects_text(n: int) -> str:
    """``1 object``, ``15 objects``: a count as a reader says it."""
    return f"{n} object" if n == 1 else f"{n} objects"


def plan_text(result: Dict[str, Any]) -> str:
    """One line per expression: ``plan — N objects; message; ...``, the count after the plan
    (inside its parentheses it read as the last anchor's); empty without plans."""
    lines: List[str] = []
    for expression, report in (result.get("plans") or {}).items():
        if not isinstance(report, dict):
            continue
        notes = [objects_text(int(report.get("objects") or 0))]
        if report.get("uncertain"):
            notes.append("uncertain")
        notes += [str(m) for m in report.get("messages") or [] if m != "no object matches"
                  or not report.get("objects")]
        plan = str(report.get("plan") or "")
        prefix = f"{expression}: " if len(result.get("plans") or {}) > 1 else ""
        lines.append(f"{prefix}{plan} — {'; '.join(dict.fromkeys(notes))}")
    read = colour_bands(result)
    if lines and read:   # the layer's drawn bands, which the analyst may have forgotten
        lines.append(read[:1].upper() + read[1:])
    return "\n".join(lines)


def colour_bands(result: Dict[str, Any]) -> str:
    """"bands 3, 2, 1 as red, green, blue" where a run did not read its colours from the first
    three bands (the layer's drawn bands, or the file's colour tags); "" for 1, 2, 3 and grey."""
    bands = result.get("bands")
    if not isinstance(bands, list) or len(bands) != 3 or bands in ([1, 2, 3], [1, 1, 1]):
        return ""
    return "bands " + ", ".join(str(b) for b in bands) + " as red, green, blue"


def plan_of(result: Dict[str, Any], expression: str) -> str:
    """The plan text of one expression ("" when the backend sent none)."""
    report = (result.get("plans") or {}).get(expression)
    return str(report.get("plan") or "") if isinstance(report, dict) else ""


def unknown_words(result: Dict[str, Any]) -> List[str]:
    """Words the backend did not know, over every expression, in order, once each."""
    return _over_plans(result, "unknown_words")


def suggestions(result: Dict[str, Any]) -> List[str]:
    """Known words the unknown words were likely typos of ("buildings"), in order, once each."""
    return _over_plans(result, "suggestions")


def corrections(result: Dict[str, Any]) -> Dict[str, str]:
    """Expression -> the same with its slips of the keyboard mended ("biuldings next to the
    raod" -> "buildings next to the road"), where the backend offers one (``corrected``)."""
    out: Dict[str, str] = {}
    for expression, plan in (result.get("plans") or {}).items():
        fixed = plan.get("corrected") if isinstance(plan, dict) else None
        if isinstance(fixed, str) and fixed.strip() and fixed != expression:
            out[str(expression)] = fixed
    return out


def _over_plans(result: Dict[str, Any], key: str) -> List[str]:
    """The result's own ``key`` list, then every plan's, in order, once each."""
    words: List[str] = [str(w) for w in result.get(key) or []]
    for report in (result.get("plans") or {}).values():
        if isinstance(report, dict):
            words += [str(w) for w in report.get(key) or []]
    return list(dict.fromkeys(words))


def preview_text(result: Dict[str, Any], near_infrared: bool = False) -> str:
    """The ``explain`` answer as the line under the box: ``Reads as: plan (message; ...)``,
    one line per expression; with ``near_infrared`` (the chosen raster may have such a band
    and the option is on) it says which phrases that band keeps to what is green."""
    lines: List[str] = []
    found = result.get("plans") or {}
    for expression, plan in found.items():
        if not isinstance(plan, dict):
            continue
        notes = [] if plan.get("mode") == "nothing" else [   # its summary names them
            f"unknown word {w!r}" for w in plan.get("unknown_words") or []]
        meant = [plan["corrected"]] if plan.get("corrected") else plan.get("suggestions") or []
        notes += [f"did you mean {w!r}?" for w in meant]   # as the backend's messages say it
        notes += [str(c) for c in plan.get("cautions") or []]   # words the model did not learn
        base = plan.get("base_model") or {}   # categories its base answers (not taught)
        if isinstance(base, dict) and base:
            models = ", ".join(sorted({str(b) for b in base.values()}))
            notes.append(f"{', '.join(map(repr, base))} asked of {models}")
        notes += [str(n) for n in plan.get("notes") or [] if n != "no object matches"]
        gated = [str(p) for p in plan.get("nir_gated") or []]
        if near_infrared and gated:   # the engine's own list (explain's nir_gated)
            notes.append(f"{' and '.join(map(repr, gated))} kept where the raster's "
                         "near-infrared band shows vegetation")
        prefix = f"{expression}: " if len(found) > 1 else ""
        text = f"{PREVIEW_PREFIX}{prefix}{plan.get('summary') or ''}"
        if plan.get("mode") == "grounded" and plan.get("rivals"):   # as the run's plan says
            text += f"; rivals: {', '.join(map(str, plan['rivals']))}"
        lines.append(text + (f" ({'; '.join(dict.fromkeys(notes))})" if notes else ""))
    return "\n".join(lines)
