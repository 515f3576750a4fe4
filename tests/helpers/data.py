"""Where the repository and the optional real data are; tests skip cleanly without the data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["REPO", "SHARED_DATA", "SAMPLE", "shared_data"]

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("RRSIS_SHARED_DATA", REPO.parent / "shared" / "data"))
#: the real georeferenced orthophoto shipped in resources/ (OpenAerialMap, CC BY 4.0)
SAMPLE = REPO / "resources" / "samples" / "kampala_oam.tif"


def shared_data(*parts: str) -> Path:
    """Path inside ../shared/data, or skip the test cleanly when it is absent (a user's clone)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real aerial data not available: {path}")
    return path
