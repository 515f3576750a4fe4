"""The engine's side of grounding: what to segment, and which objects each expression keeps.

:class:`GroundedRun` is built from the run's expressions and the ``grounding`` option
(``auto`` | ``on`` | ``off``) before inference: its :attr:`~GroundedRun.phrases` are
what the model segments (each category phrase once for all expressions, plus the
whole expression where it is answered end to end). After vectorising,
:meth:`~GroundedRun.select` applies every plan to the per-phrase objects and reports
per expression (``plan``, ``mode``, ``uncertain``, ``messages``).

Policy, ``auto`` (default): an expression the parser understands fully is grounded; a
relational one is also segmented end to end in the same pass, and when an anchor is
not found ("no road found") the end-to-end answer is used and the report says so.
Under ``auto`` the model card's ``grounding_policy`` (:mod:`.policy`, measured on the
validation split) sends the relation families where the model whole scored higher
end to end; the plan says so. ``on``: grounded whenever understood; a missing anchor
leaves the answer uncertain (flagged), with no fallback. ``off``: every expression end to
end, as before grounding. Any expression left with no object is reported as "no object matches".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import (Any, Callable, ContextManager, Dict, FrozenSet, List, Mapping,
                    NamedTuple, Optional, Sequence, Tuple)

import numpy as np
from affine import Affine
from shapely.affinity import affine_transform
from shapely.geometry.base import BaseGeometry

from ..errors import InputError
from ..protocol import SEGMENT_PARAMS
from .colour import median_lab
from .execute import Scene, execute
from .lexicon import BASE_VOCABULARY, Vocabulary, group_of
from .parser import parse, target_groups
from .plan import Plan, Target
from .policy import end_to_end_reason
from .rivals import claimed, overlap_pairs, rival_names, rivals_of

__all__ = ["GROUNDING_MODES", "GroundedRun", "Pick", "NO_MATCH"]

GROUNDING_MODES = SEGMENT_PARAMS["grounding"].choices  # the protocol table is the definition
NO_MATCH = "no object matches"

class Pick(NamedTuple):
    """One object an expression keeps: object ``index`` of ``phrase``'s, or a part found in
    their outlines ("the intersections": ``part``, in the working CRS, with the mean
    probability of the object it lies most on)."""

    phrase: str
    index: int
    plan: str       # the plan's text, for the feature
    category: str   # what it was selected as: "" where the model answered it whole
    part: Optional[BaseGeometry] = None
    part_score: float = 0.0


@dataclass
class _Use:
    plan: Plan
    grounded: bool             # answered from the plan (else end to end, or nothing)
    fallback_phrase: Optional[str] = None  # the whole expression, segmented too (auto)


@dataclass
class GroundedRun:
    expressions: List[str]
    mode: str = "auto"
    uses: Dict[str, _Use] = field(default_factory=dict)
    phrases: List[str] = field(default_factory=list)
    policy: Optional[Mapping[str, Mapping[str, Any]]] = None  # card's grounding_policy (auto)
    rivals: bool = True  # segment the rivals of grounded categories too (see .rivals)
    vocabulary: Vocabulary = BASE_VOCABULARY  # the lexicon plus the model card's categories

    def __post_init__(self) -> None:
        if self.mode not in GROUNDING_MODES:
            raise InputError(f"grounding must be one of {', '.join(GROUNDING_MODES)}, "
                             f"got {self.mode!r}")
        for expr in self.expressions:
            plan = parse(expr, self.vocabulary)
            if self.mode == "off":
                plan = Plan(plan.expression, "end_to_end", reason="grounding off")
            elif self.mode == "auto" and plan.mode == "grounded":
                reason = end_to_end_reason(plan, self.policy)
                if reason:
                    plan = Plan(plan.expression, "end_to_end", reason=reason)
            use = _Use(plan, plan.mode == "grounded")
            if use.grounded:
                for cat in plan.categories():
                    self._add(self.vocabulary.by_name[cat].model_phrase)
                if self.mode == "auto" and _model_may_answer(plan):
                    use.fallback_phrase = self._add(expr)
            elif plan.mode == "end_to_end":
                self._add(expr)
            self.uses[expr] = use
        if self.rivals:  # one category per rival group none of the run's categories is in
            grounded = [c for u in self.uses.values() if u.grounded for c in u.plan.categories()]
            for cat in self.rival_categories(grounded):
                self._add(self.vocabulary.by_name[cat].model_phrase)

    def rival_categories(self, categories: Sequence[str]) -> List[str]:
        """The categories segmented for the rival groups of ``categories``
        (:func:`.rivals.rival_names`), among the groups the model learnt."""
        return [c for c in rival_names(categories) if self.vocabulary.learnt(group_of(c))]

    def rivals_for(self, plan: Plan) -> List[str]:
        """The groups rivalling ``plan``'s categories (:data:`.rivals.RIVALS`, among those the
        model learnt; none with ``rivals`` off): what its plan text names."""
        if not (self.rivals and plan.mode == "grounded"):
            return []
        return [g for g in rivals_of(plan.categories(), overlap_pairs(plan))
                if self.vocabulary.learnt(g)]

    def _add(self, phrase: str) -> str:
        if phrase not in self.phrases:
            self.phrases.append(phrase)
        return phrase

    def plans(self) -> Dict[str, Plan]:
        return {e: u.plan for e, u in self.uses.items()}

    def answer_phrases(self) -> Dict[str, List[str]]:
        """expression -> the phrases whose objects can answer it (its targets' categories,
        and its end-to-end fallback; never a relation's anchor): what the presence
        decision of :mod:`rrsis.engine.presence` is reported against."""
        out: Dict[str, List[str]] = {}
        for expr, use in self.uses.items():
            if use.grounded:
                phrases = [self.vocabulary.by_name[c].model_phrase for t in use.plan.targets
                           for c in t.categories]
                if use.fallback_phrase is not None:
                    phrases.append(use.fallback_phrase)
            else:
                phrases = [expr] if use.plan.mode == "end_to_end" else []
            out[expr] = list(dict.fromkeys(phrases))
        return out

    def segmented_phrases(self, expr: str) -> List[str]:
        """The phrases segmented for ``expr``: its plan's categories (targets and anchors)
        and its end-to-end fallback, or the whole expression when answered end to end."""
        use = self.uses[expr]
        if use.grounded:
            phrases = [self.vocabulary.by_name[c].model_phrase for c in use.plan.categories()]
            if use.fallback_phrase is not None:
                phrases.append(use.fallback_phrase)
            return list(dict.fromkeys(phrases))
        return [expr] if use.plan.mode == "end_to_end" else []

    def phrase_groups(self) -> Dict[str, List[str]]:
        """phrase -> the lexicon groups of what it asks for (the key of the card's operating
        points): a category phrase its category's group; a whole expression the groups of
        its targets as the parser reads them (none when it does not understand it)."""
        by_phrase = {c.model_phrase: c.group for c in self.vocabulary.by_name.values()}
        out: Dict[str, List[str]] = {}
        for phrase in self.phrases:
            if phrase in self.uses:  # segmented whole (end to end, or the auto fallback)
                out[phrase] = list(target_groups(phrase, self.vocabulary))
            else:
                out[phrase] = [by_phrase[phrase]] if phrase in by_phrase else []
        return out

    def untaught_phrases(self) -> List[str]:
        """The phrases of categories a fine-tuned model was not taught (its card's classes:
        ``Vocabulary.learnt_groups``), or leaves to its base (``Vocabulary.base_groups``): the
        engine asks the model it was made from for them. None for a model that was taught
        every group (the default model)."""
        learnt = self.vocabulary.learnt_groups
        if learnt is None:
            return []
        return [p for p, groups in self.phrase_groups().items()
                if groups and not any(g in learnt for g in groups)]

    def base_phrase(self, phrase: str) -> str:
        """``phrase`` in the base model's own words: a category the fine-tuned model is asked
        in its trained word ("building") is asked of the base by the lexicon's phrase
        ("buildings"), so a class left to the base answers as the base alone does."""
        for name, cat in self.vocabulary.by_name.items():
            if cat.model_phrase == phrase and name in BASE_VOCABULARY.by_name:
                return BASE_VOCABULARY.by_name[name].model_phrase
        return phrase

    def left_to_base(self, phrase: str) -> bool:
        """Whether ``phrase`` goes to the base model by the fine-tuning's choice (its class
        was taught, and the base segmented it better on the validation part), not because
        its class was never taught."""
        base_groups = self.vocabulary.base_groups
        return bool(base_groups) and any(g in base_groups
                                         for g in self.phrase_groups().get(phrase, []))

    def select(self, objects: Dict[str, Sequence[BaseGeometry]], transform: Affine,
               metres_per_unit: float, bounds: Tuple[float, float, float, float],
               open_reader: Optional[Callable[[], ContextManager[Any]]] = None,
               scores: Optional[Mapping[str, Sequence[float]]] = None
               ) -> Tuple[List[Tuple[str, Pick]], Dict[str, Dict[str, Any]]]:
        """Apply the plans to ``objects`` (per phrase, geometries in the working CRS).

        ``transform`` is the working grid's (for colour sampling with ``open_reader``,
        which returns a context manager whose ``read(row, col, h, w)`` gives that grid's
        RGB). ``scores`` (per phrase, the objects' mean probabilities) lets rival categories
        settle objects both claim (:mod:`.rivals`); without it nothing is contested.
        Returns ([(expression, pick)], {expression: report}).
        """
        x0, y0 = bounds[0], bounds[1]
        m = metres_per_unit
        # working CRS -> local ground metres, north up: a grid whose y grows down the rows
        # (pixel coordinates of a raster without a CRS, GDAL's way) is turned over
        ym, yoff = (-m, bounds[3]) if transform.e > 0 else (m, y0)
        coeffs = [m, 0.0, 0.0, ym, -x0 * m, -yoff * ym]
        metric = {p: [affine_transform(g, coeffs) for g in geoms] for p, geoms in objects.items()}
        metric_bounds = (0.0, 0.0, (bounds[2] - x0) * m, (bounds[3] - y0) * m)
        needs_colour = any(u.grounded and any(t.needs_colour() for t in u.plan.targets)
                           for u in self.uses.values())
        reader_cm = open_reader() if (needs_colour and open_reader is not None) else None
        reader = reader_cm.__enter__() if reader_cm is not None else None
        try:
            return self._select(objects, metric, metric_bounds, transform, reader, scores or {},
                                [1.0 / m, 0.0, 0.0, 1.0 / ym, x0, yoff])   # metres -> working
        finally:
            if reader_cm is not None:
                reader_cm.__exit__(None, None, None)

    def _select(self, objects: Dict[str, Sequence[BaseGeometry]],
                metric: Dict[str, List[BaseGeometry]], bounds: Tuple[float, float, float, float],
                transform: Affine, reader: Any, scores: Mapping[str, Sequence[float]],
                to_working: List[float]
                ) -> Tuple[List[Tuple[str, Pick]], Dict[str, Dict[str, Any]]]:
        cats = self.vocabulary.by_name
        by_category = {c.name: metric.get(c.model_phrase, []) for c in cats.values()}
        by_score = {c.name: scores[c.model_phrase] for c in cats.values()
                    if c.model_phrase in scores}

        def colour_of(category: str, index: int) -> np.ndarray:
            return _object_lab(objects[cats[category].model_phrase][index], transform, reader)

        lab: Dict[Tuple[str, int], np.ndarray] = {}  # one colour cache for every scene
        scenes: Dict[FrozenSet[FrozenSet[str]], Scene] = {}

        def scene_for(plan: Plan) -> Scene:
            """The scene with what rivals claim, but for the pairs the plan says overlap."""
            exempt = overlap_pairs(plan)
            if exempt not in scenes:
                dropped = claimed(by_category, by_score, exempt) if self.rivals else set()
                scenes[exempt] = Scene(by_category, bounds,
                                       colour_of if reader is not None else None,
                                       dropped=dropped, _lab=lab)
            return scenes[exempt]

        picks: List[Tuple[str, Pick]] = []
        reports: Dict[str, Dict[str, Any]] = {}
        for expr, use in self.uses.items():
            plan = use.plan
            messages = plan.messages()
            uncertain = False
            mode = plan.mode if use.grounded or plan.mode == "nothing" else "end_to_end"
            text = plan.summary()
            chosen: List[Pick] = []
            if use.grounded:
                scene = scene_for(plan)
                sel = execute(plan, scene)
                uncertain = sel.uncertain
                messages += sel.notes + _rival_notes(plan, scene, sel.picks, cats)
                rivals = self.rivals_for(plan)
                if rivals:
                    text += f"; rivals: {', '.join(rivals)}"
                if sel.uncertain and use.fallback_phrase is not None and sel.missing_objects:
                    mode = "end_to_end"
                    text = f"end to end: {expr!r} (fallback: {', '.join(sel.missing_anchors)} " \
                           f"not found)"
                    messages.append("answered end to end: the anchor of the relation was "
                                    "not found")
                    phrase = use.fallback_phrase
                    kept, said = _own_filters(plan, metric.get(phrase, []), bounds, (
                        lambda _, i: _object_lab(objects[phrase][i], transform, reader))
                        if reader is not None else None)
                    if said:
                        messages.append(f"of that answer, {len(kept)} of "
                                        f"{len(metric.get(phrase, []))} objects are {said}")
                    chosen = [Pick(phrase, i, text, "") for i in kept]
                else:
                    chosen = [self._pick(plan, scene, key, text, by_score, to_working)
                              for key in sel.picks]
            elif plan.mode == "end_to_end":
                chosen = [Pick(expr, i, text, "") for i in range(len(objects.get(expr, [])))]
            if not chosen and NO_MATCH not in messages:
                messages.append(NO_MATCH)
            picks += [(expr, pick) for pick in chosen]
            reports[expr] = {"plan": text, "mode": mode, "uncertain": uncertain,
                             "messages": messages, "objects": len(chosen),
                             # what they were selected as: "anything red" names several
                             "categories": dict(Counter(p.category for p in chosen
                                                        if p.category)),
                             "unknown_words": list(plan.unknown_words),
                             "suggestions": list(plan.suggestions),
                             "corrected": plan.corrected}
        return picks, reports

    def _pick(self, plan: Plan, scene: Scene, key: Tuple[str, int], text: str,
              by_score: Mapping[str, Sequence[float]], to_working: List[float]) -> Pick:
        """The :class:`Pick` of a selected object, or of a part of the objects of the plan's
        target (a junction of the roads: its outline back in the working CRS, with the score
        of the object it lies most on, or nearest: an island lies on no water)."""
        cats = self.vocabulary.by_name
        category, index = key
        if category not in scene.derived:
            return Pick(cats[category].model_phrase, index, text, category)
        part = scene.derived[category][index]
        if category in scene.sources:   # cut out of an object, or of a part found in one:
            cut_from = self._pick(plan, scene, scene.sources[category][index], text,   # its
                                  by_score, to_working)                   # phrase and score
            scores = by_score.get(cut_from.category, [])
            score = cut_from.part_score if cut_from.part is not None else float(
                scores[cut_from.index]) if cut_from.index < len(scores) else 0.0
            return cut_from._replace(index=index, part=affine_transform(part, to_working),
                                     part_score=score)
        owner = next(c for t in plan.targets if t.part and t.part_key() == category
                     for c in t.categories)
        owners = scene.objects.get(owner, [])
        scores = by_score.get(owner, [])
        best = min(range(len(owners)), key=lambda i: (-part.intersection(owners[i]).area,
                                                      part.distance(owners[i])), default=-1)
        score = float(scores[best]) if 0 <= best < len(scores) else 0.0
        return Pick(cats[owner].model_phrase, index, text, category,
                    affine_transform(part, to_working), score)


def _model_may_answer(plan: Plan) -> bool:
    """Whether the model, asked the whole expression, could stand in for an anchor that is not
    found: one of its anchors is an object the model segments, not only a part found in the
    masks (a junction, a bridge: words the model was never taught)."""
    return any(not a.part for t in plan.targets for a in t.anchors())


def _rival_notes(plan: Plan, scene: Scene, picks: Sequence[Tuple[str, int]],
                 cats: Mapping[str, Any]) -> List[str]:
    """A message per target category that lost objects of this answer to a rival: those the
    plan selects when nothing is left out, and does not now."""
    targets = {c for t in plan.targets for c in t.categories}
    if not any(c in targets for c, _ in scene.dropped):   # only a target's own can be lost
        return []
    lost = [k for k in execute(plan, replace(scene, dropped=frozenset(), _sizes={}, derived={},
                                             sources={}, _terciles={})).picks
            if k in scene.dropped and k not in picks]
    out = []
    for cat in dict.fromkeys(c for c, _ in lost):
        n = sum(1 for c, _ in lost if c == cat)
        out.append(f"{n} object{'s' if n > 1 else ''} found as '{cats[cat].model_phrase}' "
                   f"left out: the model was surer of another category there")
    return out


MAX_COLOUR_PIXELS = 2048 * 2048  # bigger objects are sampled: memory stays bounded
SAMPLE_WINDOWS, SAMPLE_SIDE = 16, 128


def _own_filters(plan: Plan, objects: Sequence[BaseGeometry],
                 bounds: Tuple[float, float, float, float],
                 colour_of: Optional[Callable[[str, int], np.ndarray]]
                 ) -> Tuple[List[int], str]:
    """The indexes of an end-to-end fallback's ``objects`` (metric) that pass what the plan's
    targets say of the objects themselves (colour, shape, measures, image region, a rank by
    size or place: nothing that needs the anchor that was not found), and those words ("red
    building"); every index and "" when they say nothing. The model was not taught colours,
    so "red buildings next to the river" with no river found keeps the red ones of its
    answer."""
    if not plan.filters_its_fallback():   # all kept
        return list(range(len(objects))), ""
    own = [Target(("fallback",), t.attributes, rank=t.own_rank(),
                  region=t.region if t.region is None or not t.region.own else None,
                  rank_skip=t.rank_skip if t.own_rank() else 0,
                  rank_share=t.rank_share if t.own_rank() else 0.0) for t in plan.targets]
    sel = execute(Plan(plan.expression, "grounded", tuple(own)),
                  Scene({"fallback": list(objects)}, bounds, colour_of))
    said = " or ".join(dict.fromkeys(replace(o, categories=t.categories).text()
                                     for o, t in zip(own, plan.targets)))
    return sorted(i for _, i in sel.picks), said


def _object_lab(geom: BaseGeometry, transform: Affine, reader: Any) -> np.ndarray:
    """Median CIELAB of the working-grid pixels inside ``geom`` (working CRS).

    An object larger than :data:`MAX_COLOUR_PIXELS` in its bounding box is measured on a
    regular 16 x 16 sample of 128-pixel windows over that box.
    """
    inv = ~transform
    xmin, ymin, xmax, ymax = geom.bounds
    cols, rows = zip(*(inv @ (x, y) for x, y in ((xmin, ymin), (xmax, ymax))))
    c0, c1 = int(np.floor(min(cols))), int(np.ceil(max(cols)))
    r0, r1 = int(np.floor(min(rows))), int(np.ceil(max(rows)))
    h, w = max(1, r1 - r0), max(1, c1 - c0)
    if h * w <= MAX_COLOUR_PIXELS:
        windows = [(r0, c0, h, w)]
    else:
        side = SAMPLE_SIDE
        windows = [(int(r), int(c), min(side, h), min(side, w))
                   for r in np.linspace(r0, max(r0, r1 - side), SAMPLE_WINDOWS)
                   for c in np.linspace(c0, max(c0, c1 - side), SAMPLE_WINDOWS)]
    pixels = [_pixels_inside(geom, transform, reader, *win) for win in windows]
    return median_lab(np.concatenate(pixels) if pixels else np.empty((0, 3)))


def _pixels_inside(geom: BaseGeometry, transform: Affine, reader: Any, row: int, col: int,
                   h: int, w: int) -> np.ndarray:
    from rasterio.features import geometry_mask

    rgb, valid = reader.read(row, col, h, w)
    window_transform = transform @ Affine.translation(col, row)
    inside = geometry_mask([geom], out_shape=(h, w), transform=window_transform, invert=True)
    return np.moveaxis(rgb, 0, -1)[inside & valid]
