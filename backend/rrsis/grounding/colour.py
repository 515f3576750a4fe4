"""Colour names measured on pixels: sRGB -> CIELAB (D65), named ranges from the lexicon.

CIELAB is perceptual: lightness L* separates white/grey/black whatever the hue, and
chroma C*ab with hue angle h separate red from orange from brown far better than RGB
thresholds. An object's colour is the per-channel median Lab of its pixels (robust to
shadows and edges).
"""

from __future__ import annotations

import math
from typing import Tuple

import numpy as np

from .lexicon import COLOURS, ColourRange

__all__ = ["srgb_to_lab", "median_lab", "has_colour", "lch", "colour_range", "towards_hue",
           "colour_difference", "SAME_COLOUR_DELTA_E"]

_M = np.array([[0.4124564, 0.3575761, 0.1804375],
               [0.2126729, 0.7151522, 0.0721750],
               [0.0193339, 0.1191920, 0.9503041]])
_WHITE = np.array([0.95047, 1.0, 1.08883])


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) sRGB in [0, 1] -> (..., 3) L*a*b* (L in 0-100)."""
    c = np.clip(np.asarray(rgb, dtype=np.float64), 0.0, 1.0)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = lin @ _M.T / _WHITE
    eps = 216 / 24389
    f = np.where(xyz > eps, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def median_lab(rgb_pixels: np.ndarray) -> np.ndarray:
    """(N, 3) sRGB pixels in [0, 1] -> median (L, a, b); NaNs when there are none."""
    if rgb_pixels.size == 0:
        return np.full(3, np.nan)
    return np.median(srgb_to_lab(rgb_pixels.reshape(-1, 3)), axis=0)


def lch(lab: np.ndarray) -> Tuple[float, float, float]:
    """(L*, chroma, hue angle in degrees 0-360)."""
    L, a, b = (float(v) for v in lab)
    L = min(max(L, 0.0), 100.0)  # pure white computes to 100.00000004
    return L, math.hypot(a, b), math.degrees(math.atan2(b, a)) % 360.0


#: how far a blend of two hues ("red-brown") reaches past their centres (degrees of h)
BLEND_PAD_DEG = 10.0


def _hue_centre(hue: Tuple[float, float]) -> float:
    """The centre of a hue range in degrees, wrapping through 0."""
    lo, hi = hue
    return (lo + ((hi - lo) % 360.0) / 2) % 360.0


def colour_range(name: str) -> ColourRange:
    """The range of a colour name; "red-brown" (two hues, :func:`~.lexicon.is_hue`) is every
    hue from the one's centre to the other's the short way round, widened by
    :data:`BLEND_PAD_DEG`, at the lightness and chroma of either: a reddish brown is neither
    quite red nor brown."""
    if name in COLOURS:
        return COLOURS[name]
    first, second = (COLOURS[n] for n in name.split("-", 1))
    c1, c2 = _hue_centre(first.hue), _hue_centre(second.hue)  # type: ignore[arg-type]
    arc = (c2 - c1) % 360.0
    start, end = (c1, c2) if arc <= 180.0 else (c2, c1)
    return ColourRange((min(first.lightness[0], second.lightness[0]),
                        max(first.lightness[1], second.lightness[1])),
                       (min(first.chroma[0], second.chroma[0]),
                        max(first.chroma[1], second.chroma[1])),
                       ((start - BLEND_PAD_DEG) % 360.0, (end + BLEND_PAD_DEG) % 360.0))


def has_colour(lab: np.ndarray, name: str) -> bool:
    """Whether a median Lab falls in the named range (False when unmeasured); ``name`` as
    :func:`colour_range` reads it, or a shade and a colour ("light grey")."""
    if np.isnan(lab).any():
        return False
    if " " in name:   # a shade of a colour, "light grey": both
        return all(has_colour(lab, part) for part in name.split())
    spec = colour_range(name)
    L, C, h = lch(lab)
    if not (spec.lightness[0] <= L <= spec.lightness[1] and spec.chroma[0] <= C <= spec.chroma[1]):
        return False
    if spec.hue is None:
        return True
    lo, hi = spec.hue
    return lo <= h <= hi if lo <= hi else (h >= lo or h <= hi)


def towards_hue(lab: np.ndarray, name: str) -> float:
    """How far a median Lab goes towards the hue ``name`` (a hue of the lexicon): its chroma
    along the direction of the hue range's centre in the a*b* plane, negative the other way.
    "The reddest roof" is the one with the most red, not the one nearest a red swatch: a
    saturated red beats a pale one, and a grey roof (no chroma) scores 0."""
    angle = math.radians(_hue_centre(COLOURS[name].hue))  # type: ignore[arg-type]
    return float(lab[1]) * math.cos(angle) + float(lab[2]) * math.sin(angle)


#: "the same colour as the bus": a median colour within this CIELAB distance (CIE76 Delta E)
#: of the anchor's. About half the distance between the closest two named colours a user
#: tells apart (red and dark red, 28; beige and light grey, 23), so a match keeps to one name
#: and its shades (white and light grey, 12, are one)
SAME_COLOUR_DELTA_E = 15.0


def colour_difference(lab: np.ndarray, other: np.ndarray) -> float:
    """The CIE76 Delta E of two CIELAB colours: their straight distance (NaN if either is
    unknown)."""
    return float(np.linalg.norm(np.asarray(lab, dtype=np.float64)
                                - np.asarray(other, dtype=np.float64)))
