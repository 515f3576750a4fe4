"""Grounded vs end to end, measured on every relational expression of the validation split.

    python -m rrsis.training.sources.relations_eval \
        --model resources/models/lgce-lite.safetensors --datasets runs/data --out relations.json

Every val triplet whose expression has a relation family (:func:`rrsis.grounding.policy.
families`: "vehicle along road", "building next to road", "the largest building", ...) is
answered three ways by the engine's own code, on the same crop:

- ``end_to_end``: the model on the whole expression (``grounding=off``);
- ``grounded``: the grounding executor alone (``grounding=on``): the model segments the
  plan's category phrases, the relations are computed in metres; a missing anchor gives
  nothing;
- ``grounded_auto``: what ``grounding=auto`` serves for a grounded family: grounded, with
  the end-to-end answer where the anchor was not found.

Pipeline, identical for the three: :class:`rrsis.engine.predictor.Predictor` on the crop
at its recorded GSD (``gsd_m.txt``, else the folder's nominal ``gsd_m``), as the engine
serves it: a phrase whose group the card serves coarser (``group_gsd_range_m``, e.g. "road"
on a 0.1 m crop) is looked for on the crop shrunk to that GSD (mirrored into the input, as
the engine does with a small raster) and its logits brought back; each phrase's logit is
shifted by its group's operating point; then the engine's vectoriser at probability 0.5
with its default minimum area (of the scale the phrase was seen at) and its group's core
rule (touching buildings and vehicles split among their cores, :mod:`rrsis.engine.split`),
then :meth:`rrsis.grounding.engine.GroundedRun.select` in a synthetic north-up metric frame
(pixel size = GSD, 1 unit = 1 m); the selected polygons are burnt back onto the crop
and scored against the mask (I and U per sample, oIoU and mIoU as the paper). The
policy (:func:`rrsis.grounding.policy.decide`) picks ``end_to_end`` for a family only
where it beats ``grounded_auto`` on both oIoU and mIoU, on at least ``MIN_SAMPLES`` samples.

Only labels that follow the relation can decide: a source whose relational expressions
label every object of the category whatever the anchor does (the car source: every
vehicle is "along the road"; its module's ``RELATION_LABELS = "every object"``) is
measured and reported, but its samples do not count towards the decision; a family with
fewer than ``MIN_SAMPLES`` deciding samples stays grounded.

Over 300 lines on purpose: sample reading, the two ways of answering, scoring and the
report table are one measurement and are read together.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
from affine import Affine
from PIL import Image

from ...errors import InputError, run_tool
from ...paths import write_text_atomic
from ..tool_args import markdown_table, measuring_parser
from ...grounding.engine import GroundedRun
from ...grounding.kinds import is_kind_family
from ...grounding.lexicon import BASE_VOCABULARY, Vocabulary, vocabulary_of
from ...grounding.parser import parse
from ...grounding.policy import MIN_SAMPLES, decide, families
from ..datasets.refsegrs import load_image, load_mask, read_split
from ..metrics import MetricAccumulator
from . import SOURCES
from .common import GSD_FILE, read_gsd_table

__all__ = ["WAYS", "RelationalSample", "relational_samples", "split_samples", "measure",
           "relations_card", "relations_markdown", "main", "CropSegmenter", "CropView",
           "measured_vocabulary"]

log = logging.getLogger(__name__)

WAYS = ("end_to_end", "grounded", "grounded_auto")
_RUN_MODES = {"end_to_end": "off", "grounded": "on", "grounded_auto": "auto"}
EVERY_OBJECT = "every object"  # a source's RELATION_LABELS when its labels ignore the relation


def labels_follow_relations(source: str) -> bool:
    """Whether ``source``'s relational labels were computed from the relation (its module's
    ``RELATION_LABELS``; sources without one, and folders of no known source, do)."""
    import importlib

    if source not in SOURCES:
        return True
    module = importlib.import_module(f"{__package__}.{source}")
    return getattr(module, "RELATION_LABELS", "computed") != EVERY_OBJECT


DECIDED_ON = "grounded_auto"  # the grounded figure the policy compares: what auto serves


@dataclass(frozen=True)
class RelationalSample:
    source: str
    id: str
    expression: str
    image: Path
    mask: Path
    gsd_m: float
    families: Tuple[str, ...]


def relational_samples(datasets: Path, split: str = "val",
                       sources: Sequence[str] = SOURCES, limit: Optional[int] = None,
                       model: Any = None) -> Tuple[List[RelationalSample], Dict[str, str]]:
    """The split's triplets with a relation family, read with the vocabulary :func:`measure`
    reads them with (:func:`measured_vocabulary` of ``model``: which kinds it reads by
    length, "bus by length"; without a model, the base vocabulary), and how each folder's
    GSD was known (see :func:`split_samples`)."""
    vocabulary = measured_vocabulary(model) if model is not None else BASE_VOCABULARY
    tagged, gsd_from = split_samples(datasets, lambda e: families(parse(e, vocabulary)), split,
                                     sources, limit)
    return [replace(s, families=f) for s, f in tagged], gsd_from


def split_samples(datasets: Path, tag: Callable[[str], Any], split: str = "val",
                  sources: Sequence[str] = SOURCES, limit: Optional[int] = None
                  ) -> Tuple[List[Tuple[RelationalSample, Any]], Dict[str, str]]:
    """(sample, tag) for each triplet of ``split`` whose expression ``tag`` gives a truthy
    value for, and how each folder's GSD was known.

    ``datasets`` is one RefSegRS folder, or the parent of several (every subfolder with the
    split: the adapters' ``sources`` first, in that order, then any other by name).
    ``limit`` keeps at most that many samples per expression (in file order).
    """
    datasets = Path(datasets)
    if (datasets / f"output_phrase_{split}.txt").is_file():
        roots = [(datasets.name, datasets)]
    else:
        found = sorted({p.parent.name for p in datasets.glob(f"*/output_phrase_{split}.txt")},
                       key=lambda n: (n not in sources, sources.index(n) if n in sources else 0, n))
        roots = [(n, datasets / n) for n in found]
    if not roots:
        raise InputError(f"{datasets}: no dataset folder ({', '.join(sources)}) with a "
                         f"'{split}' split")
    out: List[Tuple[RelationalSample, Any]] = []
    gsd_from: Dict[str, str] = {}
    per_expression: Dict[str, int] = {}
    for name, root in roots:
        per, nominal = read_gsd_table(root)
        gsd_from[name] = f"per triplet ({GSD_FILE})" if per else f"nominal {nominal} m"
        for s in read_split(root, split):
            value = tag(s.expression)
            if not value:
                continue
            if limit is not None and per_expression.get(s.expression, 0) >= limit:
                continue
            gsd = per.get(s.id, nominal)
            if gsd is None or gsd <= 0:
                raise InputError(f"{root}: no GSD for {s.id} (no {GSD_FILE}, no gsd_m in "
                                 "dataset.json)")
            per_expression[s.expression] = per_expression.get(s.expression, 0) + 1
            out.append((RelationalSample(name, s.id, s.expression, s.image, s.mask, gsd, ()),
                        value))
    return out, gsd_from


def measured_vocabulary(model: Any) -> Vocabulary:
    """``model``'s vocabulary with every kind its card shows unlearnt read by length, whatever
    its current policy decided: the reading is measured again, not taken from the last one."""
    return vocabulary_of(getattr(model, "card", None), policy=False)


class _ArrayReader:
    """The engine's window-reader interface over one in-memory crop (colour attributes)."""

    def __init__(self, rgb: np.ndarray) -> None:
        self.rgb = rgb  # (3, H, W) float32 in [0, 1]

    def __enter__(self) -> "_ArrayReader":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def read(self, row: int, col: int, h: int, w: int) -> Tuple[np.ndarray, np.ndarray]:
        out = np.zeros((3, h, w), np.float32)
        valid = np.zeros((h, w), bool)
        H, W = self.rgb.shape[1:]
        r0, c0, r1, c1 = max(row, 0), max(col, 0), min(row + h, H), min(col + w, W)
        if r1 > r0 and c1 > c0:
            out[:, r0 - row:r1 - row, c0 - col:c1 - col] = self.rgb[:, r0:r1, c0:c1]
            valid[r0 - row:r1 - row, c0 - col:c1 - col] = True
        return out, valid


def _objects(diff: np.ndarray, transform: Affine, min_area_m2: float,
             groups: Sequence[str] = ()) -> List[Any]:
    """The engine's objects of one phrase (of these lexicon ``groups``) on one crop (metric
    frame), from its logit difference (``.geometry``, ``.score``)."""
    from ...engine.split import core_rule
    from ...engine.tiling import sigmoid
    from ...engine.vectorize import StripVectorizer

    vec = StripVectorizer(0.5, core_rule(groups, 0.5))
    vec.add(0, sigmoid(diff), np.ones(diff.shape, bool))
    return list(vec.objects(transform, 1.0, min_area_m2))


def at_gsd(predictor: Any, rgb: np.ndarray, scale: float) -> np.ndarray:
    """The logit difference of ``predictor``'s one phrase on ``rgb`` (3, H, W) resized by
    ``scale`` as the engine resamples (averaged when shrinking, bilinear when enlarging),
    brought back to (H, W); a shrunk crop is mirrored into an input of the same size."""
    from ...engine.tiling import mirror_beyond

    h, w = rgb.shape[1:]
    sh, sw = max(1, round(h * scale)), max(1, round(w * scale))
    resample = Image.BOX if scale < 1 else Image.BILINEAR
    scaled = np.stack([np.asarray(Image.fromarray(c).resize((sw, sh), resample)) for c in rgb])
    if scale < 1:
        canvas = np.zeros_like(rgb)
        canvas[:, :sh, :sw] = scaled
        mirror_beyond(canvas, sh, sw)
    else:
        canvas = scaled
    diff = predictor.logit_difference(canvas[None])[0, 0, :sh, :sw]
    return np.asarray(Image.fromarray(diff.astype(np.float32)).resize((w, h), Image.BILINEAR))


def _answer(run: GroundedRun, objects: Dict[str, List[Any]], transform: Affine,
            bounds: Tuple[float, float, float, float], rgb: np.ndarray, shape: Tuple[int, int]
            ) -> Tuple[np.ndarray, Dict[str, Any]]:
    """The mask ``run`` selects on this crop, and its report for the one expression."""
    from rasterio.features import rasterize

    picks, reports = run.select({p: [o.geometry for o in objects.get(p, [])] for p in run.phrases},
                                transform, 1.0, bounds, lambda: _ArrayReader(rgb),
                                {p: [o.score for o in objects.get(p, [])] for p in run.phrases})
    geoms = [pick.part if pick.part is not None else objects[pick.phrase][pick.index].geometry
             for _, pick in picks]
    mask = rasterize([(g, 1) for g in geoms], out_shape=shape, transform=transform,
                     dtype="uint8") > 0 if geoms else np.zeros(shape, bool)
    return mask, reports[run.expressions[0]]


def _batches(items: Sequence[RelationalSample], n: int) -> Iterator[Sequence[RelationalSample]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


class CropSegmenter:
    """The engine's objects of several phrases on val crops, as the engine serves them.

    One predictor for the phrases at the crop's GSD, and one per phrase whose group the
    card serves coarser (looked for on the crop shrunk to that GSD); each phrase's logit
    shifted by its group's operating point; the engine's vectoriser at probability 0.5 with
    its default minimum area (of the scale the phrase was seen at).
    """

    def __init__(self, model: Any, phrases: Sequence[str], groups: Dict[str, List[str]]) -> None:
        import torch

        from ...engine.operating import phrase_offsets
        from ...models.predictor import Predictor

        self.model, self.phrases, self.groups = model, list(phrases), groups
        self.card = getattr(model, "card", None)
        self.predictor = Predictor(model, torch.device("cpu"), self.phrases, "fp32") \
            if self.phrases else None
        self.offsets = phrase_offsets(self.card, self.phrases, groups)
        self.rescaled: Dict[str, Any] = {}  # per phrase served at another GSD, its predictor

    def views(self, batch: Sequence[Any]) -> Iterator["CropView"]:
        """Each sample of ``batch`` (``.image``, ``.mask``, ``.gsd_m``) as the model sees it:
        every phrase's logit difference at the scale the engine looks for it, operating
        point applied."""
        import torch

        from ...engine.gsd import phrase_gsd_m
        from ...models.predictor import Predictor

        rgbs = [np.asarray(load_image(s.image), np.float32).transpose(2, 0, 1) / 255.0
                for s in batch]
        predictor = self.predictor
        if len({r.shape for r in rgbs}) > 1:  # crops of one folder share a size; else 1 by 1
            diffs = [predictor.logit_difference(r[None])[:, 0] for r in rgbs] \
                if predictor else [None] * len(batch)
        else:
            stacked = predictor.logit_difference(np.stack(rgbs)) if predictor else None
            diffs = [stacked[:, j] if stacked is not None else None for j in range(len(batch))]
        for s, rgb, diff in zip(batch, rgbs, diffs):
            h, w = rgb.shape[1:]
            gt = load_mask(s.mask)
            if gt.shape != (h, w):
                gt = np.asarray(Image.fromarray(gt).resize((w, h), Image.NEAREST))
            logits: Dict[str, Tuple[np.ndarray, float]] = {}
            for k, p in enumerate(self.phrases if diff is not None else []):
                gsd = phrase_gsd_m(self.card, self.groups.get(p, []), s.gsd_m, p)
                if gsd != s.gsd_m:   # served coarser ("road" on a 0.1 m crop) or finer
                    if p not in self.rescaled:
                        self.rescaled[p] = Predictor(self.model, torch.device("cpu"), [p],
                                                     "fp32")
                    d = at_gsd(self.rescaled[p], rgb, s.gsd_m / gsd)
                else:
                    d = diff[k]
                if self.offsets is not None:
                    d = d - self.offsets[k]
                logits[p] = (d, gsd)
            yield CropView(s, rgb, gt > 0 if gt.dtype != bool else gt,
                           Affine(s.gsd_m, 0.0, 0.0, 0.0, -s.gsd_m, h * s.gsd_m), logits)

    def crops(self, batch: Sequence[Any]) -> Iterator[Tuple[Any, "_Crop"]]:
        """(sample, crop) for each sample of ``batch``, with the engine's objects."""
        from ...engine.run import default_min_area_m2

        for v in self.views(batch):
            h, w = v.gt.shape
            objects = {p: _objects(d, v.transform, default_min_area_m2(gsd),
                                   self.groups.get(p, []))
                       for p, (d, gsd) in v.logits.items()}
            yield v.sample, _Crop(v.rgb, v.gt, v.transform,
                                  (0.0, 0.0, w * v.sample.gsd_m, h * v.sample.gsd_m), objects)

    @staticmethod
    def for_runs(model: Any, runs: Sequence[GroundedRun]) -> "CropSegmenter":
        """A segmenter for every phrase any of ``runs`` segments."""
        phrases = list(dict.fromkeys(p for r in runs for p in r.phrases))
        groups: Dict[str, List[str]] = {}
        for r in runs:
            groups.update(r.phrase_groups())
        return CropSegmenter(model, phrases, groups)


@dataclass
class CropView:
    """A val sample as the engine's model sees it: per phrase, (logit difference at the
    operating point, the GSD it was looked for at)."""

    sample: Any
    rgb: np.ndarray
    gt: np.ndarray
    transform: Affine
    logits: Dict[str, Tuple[np.ndarray, float]]


@dataclass
class _Crop:
    rgb: np.ndarray
    gt: np.ndarray
    transform: Affine
    bounds: Tuple[float, float, float, float]
    objects: Dict[str, List[Any]]

    def score(self, run: GroundedRun) -> Tuple[int, int, Dict[str, Any]]:
        """(intersection, union, report) of ``run``'s answer on this crop."""
        pred, report = _answer(run, self.objects, self.transform, self.bounds, self.rgb,
                               self.gt.shape)
        return int((pred & self.gt).sum()), int((pred | self.gt).sum()), report


def measure(model: Any, samples: Sequence[RelationalSample], batch_size: int = 8,
            min_samples: int = MIN_SAMPLES,
            progress: Optional[Callable[[int, int], None]] = None,
            cancel: Optional[Callable[[], bool]] = None) -> Dict[str, Any]:
    """Score every sample the three ways; per family, per expression, and the policy.

    ``model`` is a loaded torch ``ReferringSegmenter``. ``progress(done, total)`` is called
    after each batch; ``cancel()`` returning True raises :class:`~rrsis.errors.Cancelled`.
    """
    from ...errors import Cancelled

    deciding = functools.lru_cache(maxsize=None)(labels_follow_relations)
    vocabulary = measured_vocabulary(model)
    fam_acc: Dict[Tuple[str, str], MetricAccumulator] = {}
    dec_acc: Dict[Tuple[str, str], MetricAccumulator] = {}  # samples whose labels can decide
    expr_acc: Dict[Tuple[str, str], MetricAccumulator] = {}
    missing: Dict[str, int] = {}
    expr_info: Dict[str, Dict[str, Any]] = {}
    by_expression: Dict[str, List[RelationalSample]] = {}
    for s in samples:
        by_expression.setdefault(s.expression, []).append(s)
    done = 0
    for expr, group in by_expression.items():
        runs = {way: GroundedRun([expr], mode, vocabulary=vocabulary)
                for way, mode in _RUN_MODES.items()}
        segmenter = CropSegmenter.for_runs(model, list(runs.values()))
        expr_info[expr] = {"count": 0, "sources": [], "families": list(group[0].families),
                           "plan": runs["grounded"].plans()[expr].summary(), "anchor_missing": 0}
        for batch in _batches(group, batch_size):
            if cancel is not None and cancel():
                raise Cancelled("relations evaluation cancelled; nothing was written")
            for s, crop in segmenter.crops(batch):
                info = expr_info[expr]
                info["count"] += 1
                if s.source not in info["sources"]:
                    info["sources"].append(s.source)
                for way, run in runs.items():
                    inter, union, report = crop.score(run)
                    if way == "grounded" and report.get("uncertain"):
                        info["anchor_missing"] += 1
                        for f in s.families:
                            missing[f] = missing.get(f, 0) + 1
                    expr_acc.setdefault((expr, way), MetricAccumulator()).add_counts(inter, union)
                    for f in s.families:
                        fam_acc.setdefault((f, way), MetricAccumulator()).add_counts(inter, union)
                        if deciding(s.source) or is_kind_family(f):   # a kind's labels
                            #                         are the kind, whatever the relations
                            dec_acc.setdefault((f, way), MetricAccumulator()).add_counts(
                                inter, union)
            done += len(batch)
            if progress is not None:
                progress(done, len(samples))
    return _report(fam_acc, dec_acc, expr_acc, expr_info, missing, min_samples)


def _short(acc: MetricAccumulator) -> Dict[str, float]:
    r = acc.result()
    return {"oIoU": round(r["oIoU"], 4), "mIoU": round(r["mIoU"], 4)}


def _report(fam_acc: Dict[Tuple[str, str], MetricAccumulator],
            dec_acc: Dict[Tuple[str, str], MetricAccumulator],
            expr_acc: Dict[Tuple[str, str], MetricAccumulator], expr_info: Dict[str, Dict[str, Any]],
            missing: Dict[str, int], min_samples: int) -> Dict[str, Any]:
    fams: Dict[str, Dict[str, Any]] = {}
    policy: Dict[str, Dict[str, Any]] = {}
    for f in dict.fromkeys(k[0] for k in fam_acc):
        count = len(fam_acc[(f, "end_to_end")].inters)
        ways = {w: _short(fam_acc[(f, w)]) for w in WAYS}
        deciding = len(dec_acc[(f, "end_to_end")].inters) if (f, "end_to_end") in dec_acc else 0
        basis = {w: _short(dec_acc[(f, w)]) for w in WAYS} if deciding else ways
        decision = decide(basis[DECIDED_ON], basis["end_to_end"], deciding, min_samples,
                          model_by_default=is_kind_family(f))
        fams[f] = {"count": count, **ways, "anchor_missing": missing.get(f, 0),
                   "deciding_count": deciding, "decision": decision,
                   "expressions": {e: i["count"] for e, i in expr_info.items()
                                   if f in i["families"]}}
        policy[f] = {"decision": decision, "count": deciding, "grounded": basis[DECIDED_ON],
                     "grounded_strict": basis["grounded"], "end_to_end": basis["end_to_end"]}
    exprs = {e: {**info, **{w: _short(expr_acc[(e, w)]) for w in WAYS}}
             for e, info in expr_info.items() if info["count"]}
    return {"families": fams, "expressions": exprs, "grounding_policy": policy,
            "min_samples": min_samples, "decided_on": DECIDED_ON,
            "protocol": "val crops at their recorded GSD; engine vectoriser (p >= 0.5, default "
                        "minimum area) and GroundedRun.select in metres; selected polygons "
                        "burnt back and scored against the mask (oIoU, mIoU as the paper)"}


def relations_card(model: Any, datasets: Path, split: str = "val"
                   ) -> Tuple[Dict[str, Any], Dict[str, Dict[str, Any]]]:
    """(``metrics.relations``, ``grounding_policy``) of a model card, measured on ``datasets``."""
    samples, gsd_from = relational_samples(datasets, split, model=model)
    report = measure(model, samples)
    policy = report.pop("grounding_policy")
    report.update({"split": split, "gsd": gsd_from})
    return report, policy


def relations_markdown(report: Dict[str, Any]) -> str:
    """The family table (and the per-expression one) as Markdown."""
    def fmt(d: Dict[str, float]) -> str:
        return f"{d['oIoU']:.3f} / {d['mIoU']:.3f}"

    lines = markdown_table(
        ["family", "n", "end to end oIoU / mIoU", "grounded (auto)", "grounded (executor only)",
         "anchor not found", "deciding n", "default"],
        ([f, r["count"], fmt(r["end_to_end"]), fmt(r["grounded_auto"]), fmt(r["grounded"]),
          r["anchor_missing"], r.get("deciding_count", r["count"]), r["decision"]]
         for f, r in report["families"].items()))
    lines += [""] + markdown_table(
        ["expression", "source", "n", "end to end", "grounded (auto)", "grounded (executor only)"],
        ([e, ", ".join(r["sources"]), r["count"], fmt(r["end_to_end"]), fmt(r["grounded_auto"]),
          fmt(r["grounded"])] for e, r in report["expressions"].items()))
    text = "\n".join(lines) + "\n"
    text += ("\nA family is answered end to end by default only where that beats grounded (auto)"
             f" on both oIoU and mIoU over at least {report['min_samples']} deciding samples: "
             "those whose labels follow the relation (the car source labels every vehicle as "
             "on/along the road: measured, not deciding; its labels of a kind, \"bus\", decide "
             "the kind's family, \"bus by length\": the vehicles of that length, or the model "
             "asked for buses, which stays the default unless the length reading wins).\n")
    return text


def _write_json(path: Path, data: Dict[str, Any]) -> None:
    write_text_atomic(path, json.dumps(data, indent=2) + "\n")


def run(model_path: Path, datasets: Path, split: str = "val", limit: Optional[int] = None,
        batch_size: int = 8) -> Dict[str, Any]:
    """Load ``model_path`` and measure every relational expression of ``split``."""
    from ...models.catalog import find_model
    from ...models.checkpoint import load_checkpoint

    model = load_checkpoint(find_model(str(model_path)), "cpu")
    samples, gsd_from = relational_samples(datasets, split, limit=limit, model=model)

    def progress(done: int, total: int) -> None:
        log.info("relations: %d/%d samples", done, total)

    report = measure(model, samples, batch_size, progress=progress)
    card = getattr(model, "card", {}) or {}
    report.update({"model": str(model_path), "weights_sha256": card.get("weights_sha256"),
                   "split": split, "gsd": gsd_from, "limit_per_expression": limit})
    return report


def _write_card(model: Path, report: Dict[str, Any], split: str) -> None:
    """The card's ``metrics.relations`` and ``grounding_policy`` from a report of :func:`run`
    (as :func:`relations_card` gives them to the export)."""
    from ...models.card import read_card
    from ...models.catalog import find_model
    from ...onnx_export import update_card

    path = find_model(str(model))
    not_card = ("grounding_policy", "model", "weights_sha256", "limit_per_expression")
    relations = {k: v for k, v in report.items() if k not in not_card}
    relations["split"] = split
    metrics = dict(read_card(path).get("metrics") or {}, relations=relations)
    update_card(path, {"metrics": metrics, "grounding_policy": report["grounding_policy"]})


def main(argv: Optional[List[str]] = None) -> int:
    p = measuring_parser(__doc__, write_card="store the report as the model's metrics.relations "
                         "and its grounding_policy (what an export does; ONNX graphs re-exported)")
    p.add_argument("--split", default="val")
    p.add_argument("--limit", type=int, default=None,
                   help="at most this many samples per expression (a quicker, partial measure)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    import torch

    torch.set_num_threads(args.threads)
    if args.write_card and args.limit is not None:
        print("relations_eval: error: --write-card needs the whole split (no --limit)",
              file=sys.stderr)
        return 2

    def body() -> int:
        report = run(Path(args.model), Path(args.datasets), args.split, args.limit)
        _write_json(Path(args.out), report)
        if args.write_card:
            _write_card(Path(args.model), report, args.split)
        print(relations_markdown(report))
        print(f"wrote {args.out}")
        return 0

    return run_tool(body, "relations_eval")


if __name__ == "__main__":
    raise SystemExit(main())
