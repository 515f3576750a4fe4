"""Engine test helpers and fixtures: real GeoTIFFs written with rasterio, real tiny torch models.

Test modules import what they use from here (fixtures included).

``bright`` is a ReferringSegmenter built from the tiny test config whose segmentation
network is replaced by a fixed rule, foreground logit = 8 * (mean RGB - 0.5): a
deterministic model whose output follows image brightness, so a bright square in a
raster must come back as a polygon at that place. The text encoder is the real tiny
BERT, so expressions are still tokenized and encoded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import numpy as np
import pytest
import rasterio
import torch
from rasterio.transform import Affine, from_origin
from torch import Tensor, nn

from helpers.data import shared_data  # noqa: F401 (re-exported for the engine tests)
from helpers.features import layer_crs, read_features  # noqa: F401 (re-exported)
from rrsis.engine.model_cache import ModelCache
from rrsis.engine.run import SegmentOptions
from rrsis.models import create_model
from rrsis.models.checkpoint import save_checkpoint, weights_sha256
from rrsis.models.lavt import ReferringSegmenter

ORIGIN = (500_000.0, 5_000_100.0)  # top-left corner, EPSG:32633


class BrightnessNet(nn.Module):
    """(image, l_feats, l_mask) -> logits: background 0, foreground 8 * (brightness - 0.5)."""

    def __init__(self, mean: Tensor, std: Tensor) -> None:
        super().__init__()
        self.register_buffer("mean", mean.clone())
        self.register_buffer("std", std.clone())

    def forward(self, image: Tensor, l_feats: Tensor, l_mask: Tensor) -> Tensor:
        brightness = (image * self.std + self.mean).mean(1, keepdim=True)
        fg = 8.0 * (brightness - 0.5)
        return torch.cat([torch.zeros_like(fg), fg], dim=1)


@pytest.fixture(scope="session", autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


def bright_cache(name: str = "bright", **card: Any) -> ModelCache:
    """A model cache holding the bright model as ``name``; ``card`` adds card fields."""
    torch.manual_seed(0)
    tiny = create_model("test-lgce-tiny")
    model = ReferringSegmenter(tiny.config, BrightnessNet(tiny.pixel_mean, tiny.pixel_std),
                               tiny.text_encoder).eval()
    model.card = {"name": name, "gsd_m": 0.5,  # type: ignore[assignment]
                  "weights_sha256": weights_sha256(model.state_dict()), **card}
    cache = ModelCache()
    cache.add(name, model)
    return cache


@pytest.fixture(scope="session")
def bright_models() -> ModelCache:
    return bright_cache()


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("models") / "tiny.safetensors"
    save_checkpoint(create_model("test-lgce-tiny"), path, card={"name": "tiny"})
    return path


def write_tif(path: Path, data: np.ndarray, crs: Optional[str] = "EPSG:32633",
              transform: Optional[Affine] = None, nodata: Optional[float] = None,
              **extra: Any) -> Path:
    """Write (bands, rows, cols) ``data`` as a GeoTIFF; default 0.5 m pixels at ORIGIN."""
    if data.ndim == 2:
        data = data[None]
    profile: Dict[str, Any] = dict(driver="GTiff", width=data.shape[2], height=data.shape[1],
                                   count=data.shape[0], dtype=data.dtype.name, nodata=nodata)
    if crs is not None:
        profile["crs"] = crs
        profile["transform"] = transform or from_origin(*ORIGIN, 0.5, 0.5)
    profile.update(extra)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
    return path


def scene(size: int = 200, box: tuple = (60, 80, 100, 130), bands: int = 3, dark: float = 40,
          bright: float = 230, dtype: str = "uint8") -> np.ndarray:
    """A dark raster with one bright rectangle at rows box[0]:box[1], cols box[2]:box[3]."""
    data = np.full((bands, size, size), dark, dtype=np.float64)
    r0, r1, c0, c1 = box
    data[:, r0:r1, c0:c1] = bright
    return data.astype(dtype)


def box_polygon(box: tuple, transform: Affine):
    """The map polygon of pixel rows r0:r1, cols c0:c1 under ``transform``."""
    from shapely.geometry import box as sbox

    r0, r1, c0, c1 = box
    x0, y0 = transform @ (c0, r0)
    x1, y1 = transform @ (c1, r1)
    return sbox(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def options(raster: Path, out_dir: Path, **kw: Any) -> SegmentOptions:
    kw.setdefault("expressions", ["bright square"])
    kw.setdefault("model", "bright")
    kw.setdefault("device", "cpu")
    kw.setdefault("threads", 1)  # the CI machine has 2 shared cores
    kw.setdefault("overwrite", True)  # tests reuse out.gpkg; refusal is tested on its own
    kw.setdefault("output", str(out_dir / "out.gpkg"))
    return SegmentOptions(raster=str(raster), **kw)
