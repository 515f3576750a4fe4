"""Deprecated: these commands moved to :mod:`rrsis.cli.models` (warns here)."""

from ._moved import moved_to

__getattr__ = moved_to(__name__, "rrsis.cli.models")
