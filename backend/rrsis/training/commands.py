"""Deprecated: these commands moved to :mod:`rrsis.cli.training` (warns here)."""

from .._moved import moved_to

__getattr__ = moved_to(__name__, "rrsis.cli.training")
