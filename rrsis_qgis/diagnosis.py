"""What a backend failure means for the analyst: which piece is missing, and where to fix it.

Pure functions over an error's ``code``, ``message`` and ``detail`` (the client's or the
backend's), shared by the self-test report, the installer dialog and the dock's message bar.
"""

from __future__ import annotations

import re
from typing import Optional

INSTALL_HINT = ("RRSIS settings → “Install backend…” (it installs the backend bundled with this "
                "plugin)")
FIX_INSTALL = f"Fix: {INSTALL_HINT}."


def missing_module(text: str) -> Optional[str]:
    """The package a failed import names in ``text``: Python's ``No module named 'x.y'``
    (its top level) or the backend's ``... package 'x' ...`` (``missing_dependency``)."""
    found = re.findall(r"No module named '?([\w.]+)'?", text or "")
    if found:
        return found[-1].split(".")[0]
    named = re.findall(r"package '([\w.-]+)'", text or "")
    return named[0] if named else None


def explain_failure(code: str, message: str, detail: str = "") -> str:
    """What is missing and how to fix it, in the analyst's words (the code is not repeated)."""
    missing = missing_module(f"{message}\n{detail}")
    if code == "not_installed":
        return f"No backend is installed. {FIX_INSTALL}"
    if code == "spawn_failed":
        return (f"The backend interpreter cannot be started ({message}). Choose another "
                f"“Backend Python”, or use {INSTALL_HINT}.")
    if missing == "rrsis":
        return ("This interpreter has no RRSIS backend (no module “rrsis”). Choose the "
                f"installer's venv as “Backend Python”, or use {INSTALL_HINT}.")
    if missing:
        return f"The backend lacks the Python package “{missing}”. {FIX_INSTALL}"
    if code == "missing_dependency":  # missing, or installed but not working (a mismatch)
        return f"The backend's packages are incomplete or broken: {message}. {FIX_INSTALL}"
    if code == "version_mismatch":
        return f"{message}. {FIX_INSTALL}"
    if code == "needs_full_backend":  # the runtime flavour has no torch
        return (f"{message}. This needs the full backend (torch): {INSTALL_HINT}, choose "
                f"“Full”; or set Runtime and Device to “auto”.")
    if code in ("unknown_model", "bad_checkpoint"):
        return (f"{message}. Check “Model folder” and “Default model” (empty: the model "
                f"bundled with the plugin).")
    if code == "bad_params" and "runtime" in message:
        return ("The backend is older than this plugin: it does not know the “runtime” "
                f"setting. Set Runtime to “auto”, or reinstall it: {INSTALL_HINT}.")
    if code == "bad_device":
        return f"{message}. Choose the device “auto” or “cpu”."
    if code == "startup_timeout":
        return f"{message}. The machine may be busy: try again; the backend log says more."
    tail = "\n".join((detail or "").strip().splitlines()[-8:])
    return f"{message}" + (f"\nLast lines of the backend's log:\n{tail}" if tail else "")


#: Failures an install fixes, and failures the settings fix (the error bar's button).
INSTALL_CODES = ("not_installed", "missing_dependency", "spawn_failed", "version_mismatch",
                 "needs_full_backend")
SETTINGS_CODES = ("unknown_model", "bad_checkpoint", "bad_device", "startup_timeout")


def fix_for(code: str, message: str = "", detail: str = "") -> Optional[str]:
    """``"install"``, ``"settings"`` or None: where the analyst fixes this failure."""
    if code in INSTALL_CODES or missing_module(f"{message}\n{detail}"):
        return "install"
    if code in SETTINGS_CODES or (code == "bad_params" and "runtime" in message):
        return "settings"
    return None


#: The message bar shows one line of about this many characters beside its buttons; a longer
#: backend error is cut (the log, behind "Details", has it whole).
BAR_CHARS = 60
#: The plugin's own answers: each is one sentence whose end says what to do, never cut.
WHOLE_TEXT_CODES = frozenset({"too_large", "render_failed", "no_match", "unknown_words"})


def bar_text(code: str, message: str, detail: str = "") -> str:
    """The message bar's line: what is wrong, short, with the fix; the button beside it does
    the fix and "Details" opens the whole message in the log."""
    missing = missing_module(f"{message}\n{detail}")
    click = "click “Install backend…”."
    if code == "not_installed":
        text = f"No backend installed: {click}"
    elif missing == "rrsis":
        text = f"No RRSIS backend in this Python: {click}"
    elif missing:
        text = f"The backend lacks “{missing}”: {click}"
    elif code == "spawn_failed":
        text = f"The backend cannot start: {click}"
    elif code == "version_mismatch":
        text = f"Backend and plugin do not match: {click}"
    elif code == "needs_full_backend":
        text = "This needs the full backend (torch): “Install backend…”."
    else:  # the first line, without a trailing "(interpreter ..., args ...)"
        text = re.sub(r"\s*\([^()]*\)\s*$", "", (message.strip().splitlines() or [""])[0])
        text = text[:1].upper() + text[1:]
    if code in WHOLE_TEXT_CODES or len(text) <= BAR_CHARS:
        return text
    return text[:BAR_CHARS - 1].rstrip() + "…"
