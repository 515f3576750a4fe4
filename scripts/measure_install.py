#!/usr/bin/env python3
"""Run the plugin's installer by hand against the real package index and measure it.

Drives ``rrsis_qgis.installer.Installer`` (the very steps "Install backend…" runs, through
``QProcess``) into a throw-away venv, streaming pip's lines with their time, then prints the
seconds per step, the wheels downloaded (MB) and the venv's size on disk (MB): the figures
the installer quotes before it starts (``installer.FLAVOURS``) come from here.

Run with QGIS's Python (it needs ``qgis.core``), network on, e.g.::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/measure_install.py /tmp/rrsis-venv

``--self-test`` then runs the plugin's self-test with the new venv (a real segmentation of
a crop of the bundled sample through the client, with the bundled model).

``--simulate-runtime`` installs the runtime flavour's planned dependency set, then the
backend with ``--no-deps``: for a backend source whose ``[runtime]`` extra does not exist
yet (its base dependencies still include torch).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess  # nosec B404: du, fixed argv
import sys
import time
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_PLAN = ["numpy", "rasterio", "shapely", "pyogrio", "onnxruntime", "tokenizers",
                "safetensors", "pyyaml", "tqdm"]


def wheel_megabytes(lines: List[str]) -> float:
    """Sizes pip printed (``Downloading x.whl (12.3 MB)``) plus local wheels it processed."""
    total = 0.0
    for line in lines:
        found = re.search(r"Downloading \S+ \(([\d.]+) (kB|MB|GB)\)", line)
        if found:
            total += float(found.group(1)) * {"kB": 1e-3, "MB": 1.0, "GB": 1e3}[found.group(2)]
        local = re.search(r"Processing (/\S+\.whl)", line)
        if local and Path(local.group(1)).is_file():
            total += Path(local.group(1)).stat().st_size / 1e6
    return total


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("venv", type=Path, help="a new folder for the throw-away venv")
    parser.add_argument("--flavour", default="runtime", choices=("runtime", "full"))
    parser.add_argument("--simulate-runtime", action="store_true")
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--runtime", default="auto", choices=("auto", "onnx", "torch"),
                        help="the self-test's runtime (torch: the full flavour's own path)")
    args = parser.parse_args(argv)
    if args.venv.exists():
        parser.error(f"{args.venv} exists: give a new folder (nothing is overwritten)")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from rrsis_qgis import backend, installer

    source = installer.backend_source_dir()
    assert source is not None
    pip_cache_off = ["--no-cache-dir"]  # measure the download, not pip's cache
    if args.simulate_runtime:
        py = str(backend.venv_python(args.venv))
        pip = [py, "-m", "pip", "install", *pip_cache_off, *installer.PIP_QUIET_UI]
        first = installer.install_steps(sys.executable, args.venv, source)
        steps = [first[0], ("Install the runtime dependencies (planned set)", [*pip, *RUNTIME_PLAN]),
                 ("Install the backend without dependencies", [*pip, "--no-deps", str(source)]),
                 first[-1]]
    else:
        steps = installer.install_steps(sys.executable, args.venv, source, pip_cache_off,
                                        args.flavour, installer.probe_gpu())
    log = args.venv.parent / (args.venv.name + "-install.log")
    runner = installer.Installer(steps, log)
    started = time.monotonic()
    lines: List[str] = []
    marks: List[Tuple[float, str]] = []
    outcome: List[Tuple[bool, str]] = []

    def line(text: str) -> None:
        lines.append(text)
        print(f"{time.monotonic() - started:7.1f} | {text}", flush=True)

    runner.line.connect(line)
    runner.stepStarted.connect(lambda i, n, label: marks.append((time.monotonic() - started,
                                                                 label)))
    runner.finished.connect(lambda ok, message: outcome.append((ok, message)))
    runner.start()
    while not outcome:
        app.processEvents()
        time.sleep(0.02)
    total = time.monotonic() - started
    ends = [t for t, _ in marks[1:]] + [total]
    for (t, label), end in zip(marks, ends):
        print(f"step {end - t:6.1f} s  {label}")
    du = subprocess.run(["du", "-sm", str(args.venv)], capture_output=True,  # nosec B603 B607
                        text=True).stdout.split()
    print(f"{'OK' if outcome[0][0] else 'FAILED'} in {total:.1f} s; wheels "
          f"{wheel_megabytes(lines):.0f} MB; venv {du[0] if du else '?'} MB on disk; "
          f"log {log}")
    if not outcome[0][0]:
        return 1
    if args.self_test:
        from rrsis_qgis import selftest
        from rrsis_qgis.client import BackendClient, BackendError

        client = BackendClient(str(backend.venv_python(args.venv)),
                               env={"RRSIS_MODEL_DIR": str(ROOT / "resources" / "models")})
        started = time.monotonic()
        try:
            options = {"device": "cpu"}
            if args.runtime != "auto":  # sent only when set, as the plugin does
                options["runtime"] = args.runtime
            print(selftest.run_self_test(client, options))
        except BackendError as exc:
            print(selftest.failure_text(exc))
            return 1
        finally:
            client.shutdown()
        print(f"self-test {time.monotonic() - started:.1f} s (start-up included)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
