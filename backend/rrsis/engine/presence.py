"""Is the target there at all? One presence statistic per phrase per run, and the card's decision.

A segmentation network always paints *something*: asked for a category that is absent
(or for gibberish, end to end) it returns low-confidence specks that vectorise into
polygons with scores like real objects. The engine therefore measures, for every
phrase it segments, how strongly the model answers over the whole requested area, and
a model whose card carries a calibrated threshold (``presence``, written by
:mod:`rrsis.training.calibrate_presence`) drops every object of a phrase whose
statistic falls below it: the expression then says "no object matches (presence 0.12
< 0.31)". The threshold may be one for every phrase or one per lexicon group (``groups``:
"building" only, say, where the validation split separates absent from present buildings);
a phrase without a threshold is never rejected. A card without ``presence`` keeps every
object, as before.

The statistic is computed here only, from the blended probability strips the engine
already produces (so it is the same for the torch and the ONNX runtime) and from the
vectorised objects: a 1024-bin histogram per phrase, with the probability sum per bin,
streamed strip by strip (memory and time negligible next to inference).

Candidates (the calibration measures all of them and the card names the one chosen):

- ``topK`` (``top16``, ``top64``, ``top256``, ``top1024``): mean probability of the K most
  probable valid working pixels: "is there at least one confident blob of K pixels",
  independent of the size of the area;
- ``q99``, ``q999``: that quantile of the probability over the area (falls as the area
  grows around a small target);
- ``best_object``: the highest object score (mean probability inside one object, after
  the area filter); 0 without objects;
- ``object_mass``: the best object's score times its share of the valid area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

import numpy as np

__all__ = ["CARD_KEY", "BINS", "STATISTICS", "DEFAULT_STATISTIC", "PresenceMeter", "PresenceRule",
           "PhrasePresence", "measure", "annotate", "no_match_message"]

CARD_KEY = "presence"
BINS = 1024
TOP_K = {"top16": 16, "top64": 64, "top256": 256, "top1024": 1024}
QUANTILES = {"q99": 0.99, "q999": 0.999}
STATISTICS = tuple(TOP_K) + tuple(QUANTILES) + ("best_object", "object_mass")
DEFAULT_STATISTIC = "top256"  # reported for models whose card has no presence block


class PresenceMeter:
    """Streaming histogram of one phrase's foreground probability over valid pixels."""

    def __init__(self) -> None:
        self.counts = np.zeros(BINS, np.int64)
        self.sums = np.zeros(BINS, np.float64)

    def add(self, prob: np.ndarray, valid: np.ndarray) -> None:
        """prob (H, W) in [0, 1]; valid (H, W) bool: only valid pixels count."""
        p = np.asarray(prob, np.float32)[np.asarray(valid, bool)]
        if p.size == 0:
            return
        p = np.clip(p, 0.0, 1.0)
        idx = np.minimum((p * BINS).astype(np.int64), BINS - 1)
        self.counts += np.bincount(idx, minlength=BINS)
        self.sums += np.bincount(idx, weights=p.astype(np.float64), minlength=BINS)

    @property
    def pixels(self) -> int:
        return int(self.counts.sum())

    def top_mean(self, k: int) -> float:
        """Mean of the ``k`` highest probabilities (all of them if fewer; 0 without pixels)."""
        n = self.pixels
        if n == 0:
            return 0.0
        k = max(1, min(int(k), n))
        taken, total = 0, 0.0
        for b in range(BINS - 1, -1, -1):
            c = int(self.counts[b])
            if c == 0:
                continue
            use = min(c, k - taken)
            total += self.sums[b] * (use / c)  # a partly used bin contributes its mean
            taken += use
            if taken >= k:
                break
        return float(total / k)

    def quantile(self, q: float) -> float:
        """The ``q`` quantile (upper edge of the bin where it falls; 0 without pixels)."""
        n = self.pixels
        if n == 0:
            return 0.0
        cum = np.cumsum(self.counts)
        b = int(np.searchsorted(cum, q * n, side="left"))
        return float(min(b + 1, BINS) / BINS)


def _object_values(objects: Sequence[Any], valid_area_m2: float) -> Dict[str, float]:
    if not objects:
        return {"best_object": 0.0, "object_mass": 0.0}
    best = max(objects, key=lambda o: float(o.score))
    share = float(best.area_m2) / valid_area_m2 if valid_area_m2 > 0 else 0.0
    return {"best_object": float(best.score), "object_mass": float(best.score) * min(1.0, share)}


def statistics(meter: PresenceMeter, objects: Sequence[Any], gsd_m: float) -> Dict[str, float]:
    """Every candidate statistic of one phrase (``objects``: with ``score`` and ``area_m2``)."""
    out = {name: meter.top_mean(k) for name, k in TOP_K.items()}
    out.update({name: meter.quantile(q) for name, q in QUANTILES.items()})
    out.update(_object_values(objects, meter.pixels * gsd_m * gsd_m))
    return {k: round(v, 6) for k, v in out.items()}


@dataclass(frozen=True)
class PresenceRule:
    """The card's decision: objects of a phrase are kept when ``statistic >= threshold``.

    ``groups``: thresholds of single lexicon groups (``building``, ``water``...), chosen
    where the validation split separates that group's absent and present cases; a phrase
    of one such group uses it, any other phrase ``threshold`` (None: never rejected).
    """

    statistic: str
    threshold: Optional[float]
    groups: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_card(cls, card: Optional[Mapping[str, Any]]) -> Optional["PresenceRule"]:
        """The rule of a model card, or None when it has no (usable) ``presence`` block."""
        block = (card or {}).get(CARD_KEY)
        if not isinstance(block, Mapping) or block.get("statistic") not in STATISTICS:
            return None
        thr = block.get("threshold")
        groups = block.get("groups") if isinstance(block.get("groups"), Mapping) else {}
        rule = cls(str(block["statistic"]), float(thr) if _unit(thr) else None,
                   {str(g): float(v) for g, v in groups.items() if _unit(v)})
        return rule if rule.threshold is not None or rule.groups else None

    def threshold_for(self, groups: Sequence[str] = ()) -> Optional[float]:
        """The threshold of a phrase of these lexicon groups."""
        own = {self.groups[g] for g in groups if g in self.groups}
        if len(own) == 1 and len(set(groups)) == 1:
            return own.pop()
        return self.threshold


def _unit(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and 0.0 <= float(value) <= 1.0


@dataclass(frozen=True)
class PhrasePresence:
    value: float
    statistic: str
    threshold: Optional[float]  # None: the card has no presence rule, or the check is off

    @property
    def present(self) -> bool:
        return self.threshold is None or self.value >= self.threshold

    def to_dict(self) -> Dict[str, Any]:
        return {"statistic": self.statistic, "value": round(self.value, 4),
                "threshold": self.threshold, "present": self.present}


def measure(card: Optional[Mapping[str, Any]], meters: Mapping[str, PresenceMeter],
            objects: Mapping[str, Sequence[Any]], gsd_m: float, check: bool = True,
            groups_of: Optional[Mapping[str, Sequence[str]]] = None
            ) -> Dict[str, PhrasePresence]:
    """Each phrase's presence under the card's rule (``check`` False: measured, never applied).

    ``groups_of``: phrase -> its lexicon groups (:meth:`GroundedRun.phrase_groups`), for
    the rule's per-group thresholds."""
    rule = PresenceRule.from_card(card)
    name = rule.statistic if rule is not None else DEFAULT_STATISTIC
    groups_of = groups_of or {}
    return {phrase: PhrasePresence(
        statistics(meter, objects.get(phrase, ()), gsd_m)[name], name,
        rule.threshold_for(groups_of.get(phrase, ())) if (rule is not None and check) else None)
        for phrase, meter in meters.items()}


def no_match_message(presence: PhrasePresence) -> str:
    return f"no object matches (presence {presence.value:.2f} < {presence.threshold:.2f})"


def annotate(reports: Dict[str, Dict[str, Any]], phrases_of: Mapping[str, Iterable[str]],
             presence: Mapping[str, PhrasePresence], no_match: str) -> None:
    """Add ``presence`` to each expression's report and say why an absent target gave nothing.

    ``phrases_of``: expression -> the phrases whose objects answer it. The expression's
    presence is that of its strongest phrase; when it yields no object and a phrase was
    rejected, the plain ``no_match`` message becomes "no object matches (presence v < t)".
    """
    for expr, report in reports.items():
        mine: List[PhrasePresence] = [presence[p] for p in phrases_of.get(expr, ())
                                      if p in presence]
        if not mine:
            continue
        best = max(mine, key=lambda x: x.value)
        report["presence"] = best.to_dict()
        if report.get("objects"):
            continue
        rejected = [x for x in mine if not x.present]
        if rejected:
            why = no_match_message(max(rejected, key=lambda x: x.value))
            messages = [m for m in report.get("messages", []) if m != no_match]
            report["messages"] = messages + [why]
