"""The objects measurement (rrsis.training.sources.objects_eval) on real Kampala crops."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.data import REPO, shared_data


def test_splitting_only_adds_objects_and_the_tool_writes_its_table(tmp_path: Path,
                                                                   capsys) -> None:
    from rrsis.engine.split import CORE_RULES
    from rrsis.models.checkpoint import load_checkpoint
    from rrsis.training.sources.kampala import build_kampala
    from rrsis.training.sources.objects_eval import main, measure

    build_kampala(shared_data("kampala-buildings"), tmp_path / "kampala", seed=0)
    model = load_checkpoint(REPO / "resources" / "models" / "lgce-lite.safetensors", "cpu")
    rep = measure(model, tmp_path, {"whole": None, "cores": CORE_RULES["building"]}, limit=12)
    whole, cores = rep["whole"], rep["cores"]
    assert whole["labelled"] == cores["labelled"] > 0
    assert cores["polygons"] >= whole["polygons"]   # a split object gives one piece or more
    for r in (whole, cores):
        assert 0 <= r["found"] <= min(r["polygons"], r["labelled"])
        assert 0.0 <= r["F1"] <= 1.0
    out = tmp_path / "objects.json"
    assert main(["--model", str(REPO / "resources" / "models" / "lgce-lite.safetensors"),
                 "--datasets", str(tmp_path), "--out", str(out)]) == 0
    table = capsys.readouterr().out
    assert "| whole objects |" in table and "(the engine's)" in table
    assert set(json.loads(out.read_text())) >= {"whole objects"}
