"""Grounding: an explicit interpretation of referring expressions.

The network finds *what* (category phrases such as "cars", "road"); this package
computes *which ones* (colour, size, shape, relations in ground metres), visibly:
:func:`parse` turns an expression into a :class:`Plan`, :mod:`.execute` applies it to
the objects the engine vectorised, :mod:`.engine` is the glue the engine calls. See
``docs/grounding.md``.
"""

from .parser import parse, tokenize
from .plan import Attribute, Plan, Region, Relation, Target

__all__ = ["parse", "tokenize", "Plan", "Target", "Relation", "Attribute", "Region"]
