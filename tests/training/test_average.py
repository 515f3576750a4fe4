"""The weight average the export can ship: exact arithmetic, a record of its parts, and a
clear refusal of models that do not fit together."""

from __future__ import annotations

import pytest
import torch

from rrsis.errors import CheckpointError, InputError
from rrsis.models import create_model
from rrsis.models.checkpoint import weights_sha256
from rrsis.training.average import average_into


def _pair():
    torch.manual_seed(0)
    a, b = create_model("test-lgce-tiny"), create_model("test-lgce-tiny")
    return a, b


@pytest.mark.parametrize("share", [0.5, 0.25])
def test_average_is_the_weighted_mean_of_every_float_tensor(share: float) -> None:
    a, b = _pair()
    before_a = {k: v.clone() for k, v in a.state_dict().items()}
    before_b = {k: v.clone() for k, v in b.state_dict().items()}
    record = average_into(a, b, share)
    floats = [k for k, v in before_a.items() if v.is_floating_point()]
    assert floats and any(not torch.equal(before_a[k], before_b[k]) for k in floats)
    for key, value in a.state_dict().items():
        if value.is_floating_point():
            expected = (1 - share) * before_a[key] + share * before_b[key]
            torch.testing.assert_close(value, expected, rtol=0, atol=1e-6)
        else:
            assert torch.equal(value, before_a[key])
    assert record == {"share": share, "weights_sha256": weights_sha256(before_a),
                      "with_weights_sha256": weights_sha256(before_b)}
    assert all(torch.equal(v, before_b[k]) for k, v in b.state_dict().items())


def test_average_with_itself_changes_nothing() -> None:
    a, _ = _pair()
    before = weights_sha256(a.state_dict())
    twin = create_model("test-lgce-tiny")
    twin.load_state_dict(a.state_dict())
    average_into(a, twin)
    theirs = twin.state_dict()
    assert all(torch.allclose(v, theirs[k], atol=1e-7) for k, v in a.state_dict().items())
    assert before == weights_sha256(twin.state_dict())


def test_models_of_another_architecture_are_refused_by_name() -> None:
    a = create_model("test-lgce-tiny")
    other = create_model("lgce-lite")
    before = weights_sha256(a.state_dict())
    with pytest.raises(CheckpointError, match="the model to average with does not fit"):
        average_into(a, other)
    assert weights_sha256(a.state_dict()) == before


@pytest.mark.parametrize("share", [0.0, 1.0, -0.5, 2.0])
def test_a_share_outside_the_open_interval_is_refused(share: float) -> None:
    a, b = _pair()
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        average_into(a, b, share)


def _run_dir(root, arch: str = "test-lgce-tiny"):
    from rrsis.models.checkpoint import save_checkpoint

    run = root / "run"
    run.mkdir()
    save_checkpoint(create_model(arch), run / "best.safetensors", card={"name": "run"})
    (run / "recipe.json").write_text('{"input_size": 48}')
    return run


@pytest.mark.parametrize("other, message", [
    (None, "checkpoint not found"),                      # a path that is not there
    ("test-lavt-tiny", "does not fit"),                  # another architecture
])
def test_export_refuses_what_it_cannot_average_in_one_line(tmp_path, capsys, other,
                                                            message: str) -> None:
    """Before any measurement, and nothing written: the export's errors are one line."""
    from rrsis.models.checkpoint import save_checkpoint
    from rrsis.training.sources.export_lite import main

    run = _run_dir(tmp_path)
    partner = tmp_path / "partner.safetensors"
    if other:
        save_checkpoint(create_model(other), partner, card={"name": "partner"})
    out = tmp_path / "out" / "lgce-lite.safetensors"
    code = main(["--run", str(run), "--datasets", str(tmp_path / "data"), "--out", str(out),
                 "--docs", "", "--average-with", str(partner)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and len(err) == 1 and message in err[0].lower(), err
    assert not out.parent.exists()
