"""``rrsis serve``: the JSON-lines backend for the QGIS plugin on stdin/stdout.

The options only; the dispatch is :mod:`rrsis.server`, the process plumbing
:mod:`rrsis.serve_io`.
"""

from __future__ import annotations

import argparse
import os

__all__ = ["add_arguments_serve", "run_serve"]


def add_arguments_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--parent-death-signal", action="store_true",
                        default=os.environ.get("RRSIS_PARENT_DEATHSIG") == "1",
                        help="Linux: also get SIGTERM the moment the spawning thread ends "
                             "(only safe when the parent spawned from a long-lived thread)")
    parser.add_argument("--log-file", default=os.environ.get("RRSIS_LOG_FILE"),
                        help="also append logs to this file (default: $RRSIS_LOG_FILE; "
                             "logs always go to stderr, never to stdout)")


def run_serve(args: argparse.Namespace) -> int:
    """Serve until EOF on stdin, ``shutdown``, SIGTERM or the parent's death."""
    from ..serve_io import serve

    return serve(args.log_file, bool(getattr(args, "verbose", False)), args.parent_death_signal)
