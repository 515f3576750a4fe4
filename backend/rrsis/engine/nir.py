"""Near infrared: tree and vegetation phrases are kept where the ground is green in NIR.

Leaves reflect near infrared and absorb red, so NDVI = (NIR - red) / (NIR + red) is high on
vegetation and low on roofs, roads, shadows and water. An RGB model takes dark roofs and
shadows for tree crowns; where the raster carries a near-infrared band (NAIP, most 4-band
aerial and satellite products) the engine keeps a vegetation phrase's probability only where
NDVI >= :data:`NDVI_VEGETATION`, on the output grid, before thresholding and vectorising.

The band: ``nir_band`` when given (0: off), else a band tagged or described as near infrared,
else band 4 of a 4-band raster unless it is an alpha mask (R, G, B, NIR and B, G, R, NIR both
put it there; a band tagged alpha whose values run across the range is data:
:func:`~.raster_io.open_info`). The red band is the one read as red. NDVI is taken on the
raw values, resampled onto the output grid as the colour bands are.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import InputError
from .raster_io import RasterInfo, Stretch, WindowReader, WorkGrid

__all__ = ["NDVI_VEGETATION", "GATED_GROUPS", "nir_band", "ndvi", "gated_phrases", "NdviGate",
           "gate_message"]

#: the NDVI below which a vegetation phrase's pixel is dropped. Chosen on the five training
#: cities of the urban-trees source (NAIP 0.6 m, 205 crops; "trees" oIoU through the engine
#: 0.414 ungated, 0.452 / 0.459 / 0.465 / 0.463 / 0.447 gated at 0.15 / 0.2 / 0.25 / 0.3 /
#: 0.35); on its two validation cities 0.452 -> 0.518 (:mod:`rrsis.training.sources.nir_eval`;
#: README, "Near infrared")
NDVI_VEGETATION = 0.25

#: lexicon groups whose phrases are gated: what is green in NIR
GATED_GROUPS = frozenset({"vegetation"})


def nir_band(info: RasterInfo, requested: Optional[int], rgb: Tuple[int, int, int]
             ) -> Optional[int]:
    """The band read as near infrared, or None (no gating)."""
    if requested is not None:
        band = int(requested)
        if band == 0:
            return None
        if not 1 <= band <= info.count:
            raise InputError(f"nir_band {band} does not exist: {info.path} has {info.count} "
                             "band(s)")
        if band == rgb[0]:
            raise InputError(f"nir_band {band} is the band read as red: NDVI needs both")
        return band
    if info.nir_tagged is not None and info.nir_tagged != rgb[0]:
        return info.nir_tagged
    if info.count == 4 and info.alpha_band is None and 4 not in rgb:
        return 4
    return None


def ndvi(red: np.ndarray, nir: np.ndarray) -> np.ndarray:
    """(NIR - red) / (NIR + red) in float32; 0 where both are 0."""
    r, n = red.astype(np.float32), nir.astype(np.float32)
    total = n + r
    return np.divide(n - r, total, out=np.zeros_like(total), where=total > 0)


def gated_phrases(phrases: Sequence[str], groups: Dict[str, List[str]]) -> List[int]:
    """Indexes of the phrases that ask only for vegetation groups."""
    return [i for i, p in enumerate(phrases)
            if groups.get(p) and all(g in GATED_GROUPS for g in groups[p])]


class NdviGate:
    """Drops the gated phrases' probability where NDVI < :data:`NDVI_VEGETATION`, strip by
    strip of the output grid. A context manager (one open reader for the run)."""

    def __init__(self, info: RasterInfo, grid: WorkGrid, red: int, nir: int,
                 index: Sequence[int]) -> None:
        self.index = list(index)
        # raw values only: an identity stretch spares the reader fitting one
        self._reader = WindowReader(info, grid, (red, nir, nir),
                                    stretch=Stretch((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)))
        self.width = grid.width

    def __enter__(self) -> "NdviGate":
        return self

    def __exit__(self, *exc: object) -> None:
        self._reader.close()

    def apply(self, row0: int, prob: np.ndarray) -> None:
        """``prob`` (phrases, h, width) of the strip starting at ``row0``, in place."""
        raw, _ = self._reader.read_raw(row0, 0, prob.shape[1], self.width)
        green = ndvi(raw[0], raw[1]) >= NDVI_VEGETATION
        prob[self.index] *= green


def explain_line(phrases: Sequence[str]) -> str:
    """What ``rrsis explain`` says of the phrases a near-infrared band would gate: it reads
    no raster, so it says when."""
    verb = "is" if len(phrases) == 1 else "are"
    return (f"near infrared: on a raster with a near-infrared band, "
            f"{' and '.join(map(repr, phrases))} {verb} kept where that band shows vegetation "
            f"(NDVI >= {NDVI_VEGETATION}; the near-infrared option, --nir-band 0, turns this "
            "off)")


def gate_message(band: int) -> str:
    return (f"kept where band {band} shows vegetation in near infrared (NDVI >= "
            f"{NDVI_VEGETATION}; the near-infrared option, --nir-band 0, turns this off)")
