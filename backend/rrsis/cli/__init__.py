"""``rrsis`` command line: one module per group of commands, listed in :data:`.main.COMMANDS`.

- :mod:`.segment`: ``segment``, ``estimate`` (over :mod:`rrsis.engine`)
- :mod:`.explain`: ``explain`` (over :mod:`rrsis.grounding`)
- :mod:`.batch`: ``batch`` (over :mod:`rrsis.batch`)
- :mod:`.serve`: ``serve`` (over :mod:`rrsis.server` and :mod:`rrsis.serve_io`)
- :mod:`.models`: ``models``, ``convert``, ``card``, ``selftest``, ``export-onnx``
- :mod:`.training`: ``build-dataset``, ``train``, ``finetune``, ``evaluate`` (full backend)

:mod:`.main` parses the command line and imports only the module of the command run.
"""

from .main import COMMANDS, build_parser, main

__all__ = ["COMMANDS", "build_parser", "main"]
