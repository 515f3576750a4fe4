#!/usr/bin/env python3
"""Drive ``rrsis serve`` through the plugin's client, outside QGIS (standard library only).

Segments a georeferenced raster by expression into a GeoPackage, showing progress; can
cancel the run after N seconds (and checks nothing was written), and can SIGKILL the
backend mid-run to show that the failure is reported and the next request works.

    python docs/examples/drive_backend.py RASTER.tif -e "trees" --python .venv/bin/python
    python docs/examples/drive_backend.py RASTER.tif --demo-model --cancel-after 1
    python docs/examples/drive_backend.py RASTER.tif --demo-model --kill-after 1

``--demo-model`` asks the backend interpreter to save a tiny randomly initialised
checkpoint (no trained weights are needed to exercise the plumbing; its polygons mean
nothing). Run from the repository root, or put the root on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess  # nosec B404 - only to run the backend interpreter we were given
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Dict

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rrsis_qgis.client import BackendClient, BackendError  # noqa: E402

DEMO_MODEL = ("import sys; from rrsis.models import create_model, save_checkpoint; "
              "save_checkpoint(create_model('test-lgce-tiny'), sys.argv[1], "
              "card={'name': 'demo-tiny'})")


def show_progress(event: Dict[str, Any]) -> None:
    fraction = float(event.get("fraction") or 0.0)
    bar = "#" * int(30 * fraction)
    eta = event.get("eta_s")
    eta_text = f" eta {eta:5.1f} s" if isinstance(eta, (int, float)) else ""
    sys.stderr.write(f"\r[{bar:<30}] {100 * fraction:5.1f}% tiles {event.get('tiles_done')}/"
                     f"{event.get('tiles_total')} {event.get('stage') or ''}{eta_text}   ")
    sys.stderr.flush()


def make_demo_model(python: str, folder: Path) -> str:
    path = folder / "demo-tiny.safetensors"
    subprocess.run([python, "-c", DEMO_MODEL, str(path)], check=True)  # nosec B603
    return str(path)


def run(client: BackendClient, params: Dict[str, Any], cancel_after: float,
        kill_after: float) -> Dict[str, Any]:
    """One segment request; optionally cancel it or kill the child after some seconds."""
    rid = client.submit("segment", params, on_progress=show_progress)
    if cancel_after:
        threading.Timer(cancel_after, client.cancel, args=(rid,)).start()
    if kill_after:
        pid = client.pid
        threading.Timer(kill_after, os.kill, args=(pid, signal.SIGKILL)).start()
    try:
        return client.wait(rid)
    finally:
        sys.stderr.write("\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raster")
    parser.add_argument("-e", "--expression", action="append", dest="expressions",
                        help="referring expression (repeat for several); default 'vehicles'")
    parser.add_argument("--python", default=os.environ.get("RRSIS_BACKEND_PYTHON", sys.executable),
                        help="backend interpreter (the venv with rrsis installed)")
    parser.add_argument("--model", help="model name or .safetensors path (default: backend's)")
    parser.add_argument("--demo-model", action="store_true",
                        help="use a tiny random checkpoint made on the fly")
    parser.add_argument("--output", help="GeoPackage to write (default: next to a temp dir)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--gsd-m", type=float, help="override the working GSD (metres)")
    parser.add_argument("--threads", type=int, help="CPU threads of the backend")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--cancel-after", type=float, default=0.0, metavar="S",
                        help="cancel the run after S seconds and check nothing was written")
    parser.add_argument("--kill-after", type=float, default=0.0, metavar="S",
                        help="SIGKILL the backend after S seconds, then run again")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="rrsis-drive-"))
    output = Path(args.output or work / (Path(args.raster).stem + "-rrsis.gpkg"))
    model = make_demo_model(args.python, work) if args.demo_model else args.model
    params: Dict[str, Any] = {"raster": str(Path(args.raster).resolve()),
                              "expressions": args.expressions or ["vehicles"],
                              "output": str(output), "model": model, "device": args.device,
                              "batch_size": args.batch_size, "gsd_m": args.gsd_m,
                              "threads": args.threads}
    client = BackendClient(args.python, log_path=str(work / "backend.log"))
    client.add_state_listener(lambda state: print(f"backend: {state}", file=sys.stderr))
    try:
        hello = client.start()
        print(f"backend rrsis {hello['backend']} (torch {hello['torch']}, protocol "
              f"{hello['protocol']}, pid {hello['pid']}); devices: "
              f"{', '.join(d['name'] for d in hello['devices'])}; models: "
              f"{', '.join(m['name'] for m in hello['models']) or 'none installed'}")
        try:
            result = run(client, params, args.cancel_after, args.kill_after)
        except BackendError as exc:
            print(f"request failed: {exc.code}: {exc.message}")
            if exc.code == "cancelled":
                left = [p.name for p in output.parent.glob(output.name + "*")]
                print(f"cancelled; files left behind: {left or 'none'}")
                return 0 if not left else 1
            if exc.code != "crashed" or not args.kill_after:
                return 1
            print("the backend died as intended; the next request restarts it ...")
            result = run(client, params, 0.0, 0.0)
        print(f"wrote {result['output']} layer {result['layer']}: "
              f"{result['feature_counts']} on {result['device']} in "
              f"{result['timings'].get('total', 0):.1f} s ({result['tiles']} tiles)")
        return 0
    except BackendError as exc:
        print(f"backend error {exc.code}: {exc.message}\n{exc.detail or ''}", file=sys.stderr)
        return 1
    finally:
        client.shutdown()


if __name__ == "__main__":
    sys.exit(main())
