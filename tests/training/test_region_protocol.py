"""``build_dataset`` and ``finetune`` over the wire: a real ``rrsis serve`` child driven by the
plugin's stdlib client, with progress, cancel, and the new model in the models list."""

from __future__ import annotations

import inspect
import sys
import threading
from pathlib import Path
from typing import Any, Dict, List

import pytest

from helpers.data import REPO
from rrsis.protocol import METHODS
from rrsis.training.region.build import build_region_dataset
from rrsis.training.region.finetune import finetune_region
from rrsis.training.region.serve import WIRE_TO_LIBRARY, library_kwargs

sys.path.insert(0, str(REPO))

from rrsis_qgis.client import BackendClient, BackendError  # noqa: E402
from test_region_finetune import region  # noqa: E402,F401  (raster, labels, tiny model)


def test_every_wire_parameter_reaches_the_library_under_its_default() -> None:
    """The handlers pass what the request sets and nothing else: each wire parameter is a
    keyword of the library call, and a default the protocol table states is the library's."""
    for method, call in (("build_dataset", build_region_dataset),
                         ("finetune", finetune_region)):
        keywords = inspect.signature(call).parameters
        for name, field in METHODS[method].params.items():
            keyword = WIRE_TO_LIBRARY[method].get(name, name)
            assert keyword in keywords, (method, name)
            if field.default is not None:
                assert keywords[keyword].default == field.default, (method, name)
    assert library_kwargs("finetune", {"dataset": "d", "name": "n", "model": "m", "lr": None,
                                       "out": ""}) == {"dataset": "d", "name": "n",
                                                       "base_model": "m"}
    assert library_kwargs("build_dataset", {"raster": "", "labels": "l", "output": "o",
                                            "layer": ""}) == {"raster": "", "labels": "l",
                                                              "output": "o"}


def test_build_and_finetune_through_the_protocol(tmp_path: Path, region: tuple) -> None:
    data, start = region
    raster, labels = data.parent / "scene.tif", data.parent / "houses.gpkg"
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg"), "OMP_NUM_THREADS": "1",
           "RRSIS_MODEL_DIR": str(tmp_path / "models"),
           "PYTHONPATH": str(REPO / "backend")}          # this tree's backend
    client = BackendClient(sys.executable, env=env, startup_timeout=120.0)
    try:
        client.start()
        seen: List[Dict[str, Any]] = []
        summary = client.request("build_dataset", {
            "raster": str(raster), "labels": str(labels), "output": str(tmp_path / "wire"),
            "fixed_class": "house", "tile_size": 64}, timeout=120, on_progress=seen.append)
        assert summary["samples"]["train"] > 0 and seen[-1]["fraction"] == 1.0
        with pytest.raises(BackendError) as info:          # the folder now exists
            client.request("build_dataset", {
                "raster": str(raster), "labels": str(labels), "output": str(tmp_path / "wire"),
                "fixed_class": "house", "tile_size": 64}, timeout=120)
        assert info.value.code == "bad_input" and "exists" in info.value.message
        with pytest.raises(BackendError) as info:          # an empty path: refused, named
            client.request("build_dataset", {
                "raster": "", "labels": str(labels), "output": str(tmp_path / "none"),
                "fixed_class": "house"}, timeout=120)
        assert info.value.code == "bad_input"
        kept = client.request("build_dataset", {
            "raster": str(raster), "labels": str(labels), "output": str(tmp_path / "kept"),
            "fixed_class": "house", "tile_size": 64, "copy_raster": True, "copy_labels": True},
            timeout=120)
        assert kept["source_raster"] == str(tmp_path / "kept" / "source.tif")
        assert kept["source_labels"] == str(tmp_path / "kept" / "labels.gpkg")
        with pytest.raises(BackendError) as info:          # the size field reaches the labels
            client.request("build_dataset", {
                "raster": str(raster), "labels": str(labels), "output": str(tmp_path / "r"),
                "fixed_class": "house", "point_radius_field": "crown_r"}, timeout=120)
        assert info.value.code == "bad_input" and "no field 'crown_r'" in info.value.message
        stages: List[str] = []
        result = client.request("finetune", {
            "dataset": str(tmp_path / "wire"), "name": "wire-model", "model": str(start),
            "minutes": 0.5, "max_iters": 2, "device": "cpu", "out": str(tmp_path / "run")},
            timeout=300, on_progress=lambda p: stages.append(p.get("stage")))
        assert "training" in stages and result["after"]["classes"]["house"]["objects"] > 0
        names = [m["name"] for m in client.request("models", {})["models"]]
        assert "wire-model" in names                        # no restart needed

        started = threading.Event()
        rid = client.submit("finetune", {
            "dataset": str(tmp_path / "wire"), "name": "never", "model": str(start),
            "minutes": 10, "device": "cpu", "out": str(tmp_path / "run2")},
            on_progress=lambda p: started.set() if p.get("stage") == "training" else None)
        assert started.wait(240)
        client.cancel(rid)
        with pytest.raises(BackendError) as info:
            client.wait(rid, timeout=120)
        assert info.value.code == "cancelled"
        assert (tmp_path / "models" / "wire-model.safetensors").is_file()
        assert not (tmp_path / "models" / "never.safetensors").exists()
    finally:
        client.shutdown()
