"""Suite-wide pytest setup. Helpers live in the importable ``tests/helpers`` package; the
names below stay for the plugin tests that read them from here."""

from __future__ import annotations

from helpers.data import REPO, SHARED_DATA, shared_data  # noqa: F401


def pytest_configure(config) -> None:
    # rasterio's own windows and transforms still multiply affines with `*`, which affine 3
    # warns of thousands of times a run; ours use `@`, and a `*` of ours still warns
    config.addinivalue_line(
        "filterwarnings", r"ignore:Use `@` matmul:PendingDeprecationWarning:rasterio\..*")
