"""Command-line options generated from the protocol's parameter table.

Why: a parameter's default, range, choices and help are written once, in
:data:`rrsis.protocol.SEGMENT_PARAMS`; ``rrsis segment``, ``estimate`` and ``batch`` add
their options from it here, so the CLI cannot drift from the server or the plugin. The
option's ``dest`` is the parameter's name, so parsed arguments map to options by name.
"""

from __future__ import annotations

import argparse
from typing import Any, Dict, Iterable, Optional

from .protocol import SEGMENT_PARAMS, Field

__all__ = ["FLAGS", "flag_of", "add_param_options", "param_values", "help_of"]

#: parameters whose option is not ``--`` + the name with dashes (shorter, and historical)
FLAGS: Dict[str, str] = {"gsd_m": "--gsd", "min_area_m2": "--min-area",
                         "simplify_m": "--simplify", "pixel_size_m": "--pixel-size"}

_TYPES = {"number": float, "int": int, "str": str}


def flag_of(name: str, params: Optional[Dict[str, Field]] = None) -> str:
    """The option of parameter ``name``: ``--batch-size`` for ``batch_size``; a bool that is on
    by default is turned off by its option: ``--no-presence-check``."""
    fld = (SEGMENT_PARAMS if params is None else params).get(name)
    if fld is not None and fld.kind == "bool" and fld.default:
        return "--no-" + name.replace("_", "-")
    return FLAGS.get(name, "--" + name.replace("_", "-"))


def help_of(fld: Field) -> str:
    """The table's help, its range and what the default is, in one line for ``--help``."""
    text = fld.doc
    if fld.interval():
        text += f"; range {fld.interval()}" + (f" {fld.unit}" if fld.unit else "")
    if fld.default_doc:
        text += f" (default: {fld.default_doc})"
    elif fld.default is not None and fld.default is not False:
        text += f" (default: {fld.default})"
    return text.replace("%", "%%")  # argparse formats help with %


def add_param_options(parser: argparse.ArgumentParser, names: Iterable[str],
                      params: Optional[Dict[str, Field]] = None) -> None:
    """Add one option per parameter in ``names`` (table order is the caller's): type,
    default, choices and help from the table; a bool parameter is a flag."""
    table = SEGMENT_PARAMS if params is None else params
    for name in names:
        fld = table[name]
        kwargs: Dict[str, Any] = {"dest": name, "help": help_of(fld)}
        if fld.kind == "bool" and fld.default:  # on by default: the option turns it off
            kwargs.update(action="store_false", default=True)
        elif fld.kind == "bool":
            kwargs.update(action="store_true", default=bool(fld.default))
        elif fld.kind in _TYPES:
            kwargs.update(type=_TYPES[fld.kind], default=fld.default)
            if fld.choices:
                kwargs["choices"] = fld.choices
        else:
            raise ValueError(f"parameter {name!r} of kind {fld.kind!r} needs its own option")
        parser.add_argument(flag_of(name, table), **kwargs)


def param_values(args: argparse.Namespace,
                 params: Optional[Dict[str, Field]] = None) -> Dict[str, Any]:
    """The parsed value of every table parameter the parser had an option for."""
    table = SEGMENT_PARAMS if params is None else params
    return {name: getattr(args, name) for name in table if hasattr(args, name)}
