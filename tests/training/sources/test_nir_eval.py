"""The near-infrared figure of the README comes from this command: it runs, on real NAIP crops,
and the gate does not lose ground on them (skipped without ../shared/data)."""

from __future__ import annotations

from helpers.data import shared_data
from rrsis.engine import nir
from rrsis.training.sources.nir_eval import main, trees_oiou


def test_trees_with_and_without_near_infrared_on_real_naip_crops(capsys) -> None:
    root = shared_data("urban-trees")
    scores = trees_oiou(root, ["bishop"], thresholds=[0.15])
    assert set(scores) == {"rgb", "nir", "nir>0.15"}
    assert all(0.0 < v < 1.0 for v in scores.values())
    assert scores["nir"] >= scores["rgb"] - 0.01
    assert nir.NDVI_VEGETATION == 0.25                   # the patched gate is put back


def test_an_unknown_city_is_one_readable_line(tmp_path, capsys) -> None:
    (tmp_path / "urban-trees" / "images").mkdir(parents=True)
    assert main(["--data-root", str(tmp_path)]) != 0
    err = capsys.readouterr().err
    assert "no crop of claremont, eureka" in err and "Traceback" not in err
