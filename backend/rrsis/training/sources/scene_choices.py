"""The card choices made on held-out scenes, carried from one export of ``lgce-lite`` to the
next.

``export_lite`` measures everything it can on the val crops (operating points, presence,
scale ceilings, relations); the floors, the scene ceilings, the scene operating points and the
tile sides were chosen afterwards on whole held-out scenes (``choose_scales``,
``choose_points``, ``choose_tiles``, each about an hour of ``scenes_eval``). A re-export that
dropped them would silently serve worse, so ``export_lite --scene-choices-from CARD`` applies
them to the new card the way each tool writes them: floors and tiles as chosen, the scene
ceilings over the new crop ceilings, the scene points as a shift of the new crop points. Each
carried block says so (``carried_from``): its table was measured with the other weights, and
``scenes_eval`` as served is what tells whether they still hold.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

from ...engine.gsd import CEILINGS_KEY, FLOORS_KEY, TILES_KEY
from ...engine.operating import CARD_KEY as POINTS_KEY
from .choose_points import card_blocks as point_blocks
from .choose_scales import card_blocks as scale_blocks

__all__ = ["carry_scene_choices"]


def carry_scene_choices(old: Mapping[str, Any], new: Mapping[str, Any]) -> Dict[str, Any]:
    """{card key: block} to store in ``new``: ``old``'s scene choices, each marked with the
    weights it was measured with (``old``'s ``weights_sha256``)."""
    chosen: Dict[str, Dict[str, Any]] = {}
    if isinstance(old.get(FLOORS_KEY), Mapping):
        chosen["floor"] = dict(old[FLOORS_KEY])
    scenes = (old.get(CEILINGS_KEY) or {}).get("scenes")
    if isinstance(scenes, Mapping):
        chosen["ceiling"] = dict(scenes)
    blocks: Dict[str, Any] = scale_blocks(chosen, new) if chosen else {}
    points = (old.get(POINTS_KEY) or {}).get("scenes")
    if isinstance(points, Mapping) and points.get("logit_shift"):
        blocks.update(point_blocks(dict(points), {**new, **blocks}))
    if isinstance(old.get(TILES_KEY), Mapping):
        blocks[TILES_KEY] = dict(old[TILES_KEY])
    mark = {"weights_sha256": old.get("weights_sha256"),
            "note": "chosen on the held-out scenes with these other weights and carried by "
                    "export_lite --scene-choices-from; not measured again for these"}
    for key in (FLOORS_KEY, TILES_KEY):
        if key in blocks:
            blocks[key] = {**blocks[key], "carried_from": mark}
    for key in (CEILINGS_KEY, POINTS_KEY):
        if key in blocks:
            blocks[key] = {**blocks[key], "scenes": {**blocks[key]["scenes"],
                                                     "carried_from": mark}}
    return blocks
