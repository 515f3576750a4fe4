"""``rrsis`` command line: a thin face over the library, one module per group of commands.

Every command and the module of :mod:`rrsis.cli` it lives in is listed in
:data:`COMMANDS`; that module provides ``add_arguments_<name>(parser)`` and
``run_<name>(args) -> int`` (dashes become underscores). Only the module of the command
being run is imported, so ``rrsis --help`` is fast and never loads torch.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import Callable, Dict, List, Optional, Tuple

from .. import __version__
from ..errors import from_exception

# name -> (module of rrsis.cli, one-line help)
COMMANDS: Dict[str, Tuple[str, str]] = {
    "segment": ("segment", "segment a georeferenced raster by expression into polygons"),
    "estimate": ("segment", "tiles, time and peak memory of a run, before running it"),
    "explain": ("explain", "how an expression is read: what is segmented, kept"),
    "demo": ("demo", "the default model on the bundled sample: polygons and an overlay PNG"),
    "batch": ("batch", "segment many rasters on a Dask cluster into one result"),
    "serve": ("serve", "JSON-lines backend for the QGIS plugin on stdin/stdout"),
    "models": ("models", "list registered architectures and available checkpoints"),
    "convert": ("models", "convert a public LAVT/LGCE checkpoint to the rrsis format"),
    "card": ("models", "print the model card of a checkpoint"),
    "selftest": ("models", "check imports, devices, weights and a forward pass"),
    "export-onnx": ("models", "export a checkpoint to ONNX graphs listed in its card"),
    # the full backend's (torch): build-dataset, train, finetune, evaluate
    "build-dataset": ("training", "raster + labels (polygons, lines, points, a class raster) "
                      "-> RefSegRS-format dataset"),
    "train": ("training", "train a model from a recipe (torchrun for several GPUs)"),
    "finetune": ("training", "fine-tune a checkpoint on a RefSegRS-format dataset"),
    "evaluate": ("training", "oIoU, mIoU and Pr@X of a checkpoint on a dataset split"),
}



def _command_functions(name: str) -> Tuple[Callable[[argparse.ArgumentParser], None],
                                           Callable[[argparse.Namespace], int]]:
    module = importlib.import_module(f"{__package__}.{COMMANDS[name][0]}")
    ident = name.replace("-", "_")
    return getattr(module, f"add_arguments_{ident}"), getattr(module, f"run_{ident}")


def build_parser(command: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rrsis", description="Referring remote sensing image segmentation (LAVT / LGCE).")
    parser.add_argument("--version", action="version", version=f"rrsis {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            add_arguments, _ = _command_functions(name)
            add_arguments(p)
    return parser


#: options whose value may start with "-" (argparse would take "-180,-90,..." for an option)
DASH_VALUE_OPTIONS = ("--extent",)


def _join_dash_values(argv: List[str]) -> List[str]:
    """``--extent -180,-90,180,90`` -> ``--extent=-180,-90,180,90`` before argparse sees it."""
    out: List[str] = []
    i = 0
    while i < len(argv):
        value = argv[i + 1] if i + 1 < len(argv) else ""
        if argv[i] in DASH_VALUE_OPTIONS and len(value) > 1 and value[0] == "-" \
                and value[1] in "0123456789.":
            out.append(f"{argv[i]}={value}")  # a negative number, not an option
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def main(argv: Optional[List[str]] = None) -> int:
    argv = _join_dash_values(list(sys.argv[1:] if argv is None else argv))
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:  # GDAL's messages come back in the one error line, not beside it
        logging.getLogger("rasterio").setLevel(logging.WARNING)
    if not args.command:
        parser.print_help()
        return 2
    _, run = _command_functions(args.command)
    try:
        return int(run(args) or 0)
    except BrokenPipeError:  # the reader went away (`rrsis explain ... | head -3`): no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nor at interpreter exit
        return 1
    except Exception as exc:  # noqa: BLE001 - only a known failure becomes one line
        specific = from_exception(exc)
        if specific is None:
            raise
        print(f"rrsis {args.command}: error: {specific}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"rrsis {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
