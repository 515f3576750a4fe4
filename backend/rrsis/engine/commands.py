"""Deprecated: ``rrsis segment`` and ``estimate`` moved to :mod:`rrsis.cli.segment`.

This path warns, for one release."""

from .._moved import moved_to

__getattr__ = moved_to(__name__, "rrsis.cli.segment")
