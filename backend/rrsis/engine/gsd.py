"""The GSD policy: at which ground sample distance a model runs, in tiles of which side, and
the default speck size.

The working GSD is the raster's own GSD when it lies within the model card's
``gsd_range_m`` (the scales it was trained to serve), else the nearest end of that range;
a card without a range means its native ``gsd_m`` always. ``SegmentOptions.gsd_m``
overrides this policy (see :mod:`.run`); :func:`.raster_io.plan_grid` then lays the grid.

The same rule per category: a card's ``group_gsd_range_m`` gives, per lexicon group, the
GSDs its positive training samples were shown at (``lgce-lite`` learnt roads, water and
bare land from 1 m land-cover tiles shown at 0.34-0.6 m only). A phrase of such a group
is segmented at the working GSD clamped into its group's range: "the road" on a 0.075 m
drone image is looked for at 0.34 m, where the model knows roads, instead of at a scale
where it has only ever seen roofs and yards.

A card's ``phrase_gsd_ceilings`` (``ceiling_m``: phrase -> metres, measured on val crops by
:mod:`rrsis.training.sources.calibrate_scales` and on whole held-out scenes through the engine
by :mod:`rrsis.training.sources.choose_scales`) lowers the coarse end for one phrase where
the model finds it better on a finer grid than the coarsest it learnt it at: "vegetation" on
a 1 m land-cover raster is looked for at 0.25 m, "buildings" at 0.4 m, not 0.6 m. Its
``phrase_gsd_floors`` (``floor_m``: phrase -> metres, measured on the scenes by
:mod:`rrsis.training.sources.choose_scales`) raises the fine end where the model finds a
phrase better on a coarser grid than the finest it learnt it at: "buildings" on a 0.075 m
drone image are looked for at 0.15 m, where a house fits the model's view.

A card's ``group_tile_px`` (``tile_px``: lexicon group -> pixels, chosen on whole held-out scenes by
:mod:`rrsis.training.sources.choose_tiles`) gives the tile side a group is segmented with,
where it differs from the model's ``input_size``: ``lgce-lite`` was trained on 192 px crops
and serves 480 px tiles, and finds vehicles better in tiles of the size it learnt them in
(its deepest stages attend over the whole tile, so the tile's size is part of what it sees).
"""

from __future__ import annotations

import math
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from ..errors import InputError

__all__ = ["MIN_AREA_PIXELS", "MIN_AREA_FLOOR_M2", "GROUP_RANGES_KEY", "CEILINGS_KEY",
           "FLOORS_KEY", "working_gsd", "group_gsd_ranges", "phrase_ceilings", "phrase_floors",
           "TILES_KEY", "measured_range", "phrase_gsd_m", "group_tile_px", "card_input_size",
           "phrase_tile_px",
           "default_min_area_m2"]

GROUP_RANGES_KEY = "group_gsd_range_m"
CEILINGS_KEY = "phrase_gsd_ceilings"
FLOORS_KEY = "phrase_gsd_floors"
TILES_KEY = "group_tile_px"
#: a tile side must be a multiple of the encoder's deepest stride, and within these bounds
TILE_STRIDE_PX, TILE_RANGE_PX = 32, (64, 4096)

#: ``min_area_m2=None`` removes objects smaller than this many working pixels (a 4 x 4 speck)
MIN_AREA_PIXELS = 16
#: ... and never less than this: smaller than any vehicle or building, larger than the
#: 4 x 4 specks of a fine run (25 of the 86 "buildings" of the demo sample at 0.15 m)
MIN_AREA_FLOOR_M2 = 1.0


def working_gsd(model: Any, source_gsd: Optional[float]) -> float:
    """The raster's GSD clamped to the range the model serves (its native GSD if no range)."""
    card = getattr(model, "card", {}) or {}
    native = card.get("gsd_m") or model.config.gsd_m
    if not native:
        raise InputError("the model card states no GSD; pass gsd_m explicitly")
    lo, hi = card.get("gsd_range_m") or model.config.gsd_range_m or (native, native)
    if source_gsd is None:
        return float(native)
    return float(min(max(source_gsd, lo), hi))


def _gsd_pair(pair: Any) -> Optional[Tuple[float, float]]:
    """(finest, coarsest) from a card's two-number list; None for anything else."""
    if not isinstance(pair, (list, tuple)) or len(pair) != 2:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
               and v > 0 for v in pair):
        return None
    lo, hi = float(pair[0]), float(pair[1])
    return (lo, hi) if lo <= hi else None


def group_gsd_ranges(card: Optional[Mapping[str, Any]]) -> Dict[str, Tuple[float, float]]:
    """{lexicon group: (finest, coarsest) GSD in m} of a card; unusable entries are ignored."""
    table = (card or {}).get(GROUP_RANGES_KEY)
    if not isinstance(table, Mapping):
        return {}
    pairs = {str(group): _gsd_pair(pair) for group, pair in table.items()}
    return {group: pair for group, pair in pairs.items() if pair is not None}


def phrase_ceilings(card: Optional[Mapping[str, Any]]) -> Dict[str, float]:
    """{phrase: the coarsest GSD (m) it is looked for at} of a card; unusable entries are
    ignored."""
    return _phrase_metres(card, CEILINGS_KEY, "ceiling_m")


def phrase_floors(card: Optional[Mapping[str, Any]]) -> Dict[str, float]:
    """{phrase: the finest GSD (m) it is looked for at} of a card; unusable entries are
    ignored."""
    return _phrase_metres(card, FLOORS_KEY, "floor_m")


def _phrase_metres(card: Optional[Mapping[str, Any]], key: str, name: str) -> Dict[str, float]:
    table = ((card or {}).get(key) or {})
    table = table.get(name) if isinstance(table, Mapping) else None
    if not isinstance(table, Mapping):
        return {}
    return {str(p): float(m) for p, m in table.items()
            if isinstance(m, (int, float)) and not isinstance(m, bool) and math.isfinite(m)
            and m > 0}


def measured_range(lo: float, hi: float, ceiling: Optional[float] = None,
                   floor: Optional[float] = None) -> Tuple[float, float]:
    """A group's (finest, coarsest) with the coarsest lowered to a phrase's ``ceiling`` and
    then the finest raised to its ``floor``, each where it lies inside the range (one outside
    is ignored)."""
    if ceiling is not None and lo <= ceiling < hi:
        hi = ceiling
    if floor is not None and lo < floor <= hi:
        lo = floor
    return lo, hi


def phrase_gsd_m(card: Optional[Mapping[str, Any]], groups: Sequence[str],
                 working_gsd_m: float, phrase: Optional[str] = None, floor: bool = True
                 ) -> float:
    """The GSD a phrase is segmented at: the working GSD clamped into the range of its group
    (a phrase of one group with a range; its ends moved to the ``phrase``'s ceiling and
    floor, :func:`measured_range`) within the model's own range, else the working GSD.
    ``floor=False``: not its floor (a rival only, which the floor was not measured for)."""
    ranges = group_gsd_ranges(card)
    found = {ranges[g] for g in groups if g in ranges}
    if len(set(groups)) != 1 or len(found) != 1:
        return working_gsd_m
    lo, hi = measured_range(*found.pop(), phrase_ceilings(card).get(phrase or ""),
                            phrase_floors(card).get(phrase or "") if floor else None)
    served = _gsd_pair((card or {}).get("gsd_range_m"))
    if served is not None:  # never beyond the scales the model serves at all
        lo, hi = max(lo, served[0]), min(hi, served[1])
    return float(min(max(working_gsd_m, lo), hi)) if lo <= hi else working_gsd_m


def group_tile_px(card: Optional[Mapping[str, Any]]) -> Dict[str, int]:
    """{lexicon group: tile side in pixels} of a card; unusable entries are ignored."""
    table = (card or {}).get(TILES_KEY)
    table = table.get("tile_px") if isinstance(table, Mapping) else None
    if not isinstance(table, Mapping):
        return {}
    lo, hi = TILE_RANGE_PX
    return {str(g): int(px) for g, px in table.items()
            if isinstance(px, int) and not isinstance(px, bool) and lo <= px <= hi
            and px % TILE_STRIDE_PX == 0}


def card_input_size(card: Optional[Mapping[str, Any]]) -> int:
    """The model's own tile side in a card's config (0 if it states none)."""
    config = (card or {}).get("config")
    return int((config.get("input_size") if isinstance(config, Mapping) else None) or 0)


def phrase_tile_px(tiles: Mapping[str, int], groups: Sequence[str], input_size: int) -> int:
    """The tile side a phrase is segmented with: its group's in a card's ``tiles``
    (:func:`group_tile_px`; a phrase of one group), else the model's ``input_size``."""
    found = {tiles[g] for g in groups if g in tiles}
    return found.pop() if len(set(groups)) == 1 and len(found) == 1 else int(input_size)


def default_min_area_m2(gsd_m: float) -> float:
    """The area of :data:`MIN_AREA_PIXELS` working pixels, at least :data:`MIN_AREA_FLOOR_M2`:
    1 m2 at 0.15 m, 5.76 m2 at 0.6 m."""
    return max(MIN_AREA_PIXELS * gsd_m * gsd_m, MIN_AREA_FLOOR_M2)
