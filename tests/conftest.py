"""Suite-wide pytest setup. Helpers live in the importable ``tests/helpers`` package; the
names below stay for the plugin tests that read them from here."""

from __future__ import annotations

from helpers.data import REPO, SHARED_DATA, shared_data  # noqa: F401
