"""Deprecated: these commands moved to :mod:`rrsis.cli.explain` (warns here)."""

from .._moved import moved_to

__getattr__ = moved_to(__name__, "rrsis.cli.explain")
