"""Training tests: one torch thread each, and the tiny dataset fixture."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from helpers.refsegrs import write_refsegrs


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Path:
    root = tmp_path / "tiny"
    write_refsegrs(root, {"train": 8, "val": 4, "test": 4})
    return root
