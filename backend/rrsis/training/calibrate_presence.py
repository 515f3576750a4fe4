"""Calibrate the per-run presence decision of a model on the validation split.

    python -m rrsis.training.calibrate_presence --model resources/models/lgce-lite.safetensors \
        --datasets runs/data --out runs/presence.json [--write-card]

Every val image of every RefSegRS-format folder under ``--datasets`` goes through the
engine itself (:func:`rrsis.engine.run.segment`, grounding off so that each request is
exactly one phrase, presence check off), and every candidate statistic of
:mod:`rrsis.engine.presence` is computed from the run's own probability raster and
objects, as the engine computes it. Cases:

- ``present``: the target categories of a val expression whose mask is not empty (the
  phrase the engine would segment for it: "the largest building" -> "buildings");
- ``absent``: the category of a plain val expression (no attribute, relation or region
  that could empty it while the category is there) whose mask is empty;
- ``gibberish``: random letter strings, two per image, end to end;
- ``unknown``: nouns surely absent from that source ("ships" on street scenes,
  "icebergs" anywhere here), end to end.

For each statistic the threshold is the lowest that rejects ``--reject`` (0.9) of the
absent + gibberish + unknown cases; the statistic that keeps the most present targets
at that threshold is chosen. The result (JSON) has every statistic's rates, the chosen
``presence`` block for the model card, and per-source rates; ``--write-card`` stores the
block in the model's card (``rrsis card MODEL --set-presence JSON`` does the same later).
``--per-group`` refines it per lexicon group (:func:`calibrate_groups`): a group's own
threshold where it keeps ``--keep`` (0.95) of the group's present targets, none for a group
the global threshold would cut below that.

Over 300 lines on purpose: case generation, the engine runs, the threshold choice and the
report are one calibration; splitting them would scatter one procedure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import string
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from ..engine.presence import STATISTICS, PresenceMeter, statistics
from ..errors import InputError, run_tool
from .tool_args import markdown_table, measuring_parser
from ..paths import write_text_atomic

__all__ = ["Case", "choose_threshold", "choose_statistic", "val_cases", "collect", "calibrate",
           "calibrate_groups", "case_group",
           "main"]

REJECT = 0.9
KEEP = 0.95            # per group: a rule must keep this share of present targets
MIN_GROUP_CASES = 10   # per group: present and absent val cases needed to set a rule
KINDS_NEGATIVE = ("absent", "gibberish", "unknown")
#: Out-of-vocabulary nouns surely absent from each source's val scenes (inland streets,
#: residential drone tiles, forest plots, summer NAIP of inland/coastal towns, desert city).
SURELY_ABSENT: Dict[str, Tuple[str, ...]] = {
    "cars": ("ships", "icebergs"),
    "kampala": ("ships", "icebergs"),
    "more_buildings": ("icebergs", "snowfields"),
    "neon_trees": ("ships", "icebergs"),
    "urban_trees": ("icebergs", "snowfields"),
    "dubai": ("icebergs", "snowfields"),
}
DEFAULT_ABSENT = ("icebergs",)


@dataclass
class Case:
    source: str
    image: str
    phrase: str
    kind: str  # present | absent | gibberish | unknown
    values: Dict[str, float]


# --- the threshold ------------------------------------------------------------------------

def choose_threshold(present: Sequence[float], negative: Sequence[float],
                     reject: float = REJECT) -> Dict[str, Any]:
    """The lowest threshold rejecting at least ``reject`` of ``negative`` (value < threshold).

    Returns {threshold, absent_rejected, present_kept}. The threshold lies just above the
    negative value at the ``reject`` rank (midway to the next observed value, capped at
    1e-3 above it), so a present value equal to it is kept only if strictly above it.
    """
    neg = np.sort(np.asarray(negative, np.float64))
    pos = np.asarray(present, np.float64)
    if neg.size == 0:
        raise InputError("no absent or gibberish case to calibrate on")
    m = int(math.ceil(reject * neg.size - 1e-9))
    if m <= 0:
        threshold = 0.0
    else:
        edge = float(neg[m - 1])
        above = np.concatenate([neg, pos])
        above = above[above > edge]
        gap = (float(above.min()) - edge) / 2 if above.size else 1e-3
        threshold = min(1.0, edge + min(max(gap, 1e-6), 1e-3))
    return {"threshold": round(threshold, 6),
            "absent_rejected": round(float((neg < threshold).mean()), 4),
            "present_kept": round(float((pos >= threshold).mean()), 4) if pos.size else None}


def choose_statistic(cases: Sequence[Case], reject: float = REJECT,
                     candidates: Sequence[str] = STATISTICS,
                     negatives: Sequence[str] = KINDS_NEGATIVE
                     ) -> Tuple[str, Dict[str, Dict[str, Any]]]:
    """(best statistic, {statistic: threshold choice}): most present kept, then listed order.

    ``negatives``: the kinds of case the threshold must reject (default all three).
    """
    table: Dict[str, Dict[str, Any]] = {}
    for name in candidates:
        pos = [c.values[name] for c in cases if c.kind == "present"]
        neg = [c.values[name] for c in cases if c.kind in negatives]
        table[name] = choose_threshold(pos, neg, reject)
    best = max(candidates, key=lambda n: (table[n]["present_kept"] or 0.0,
                                          -candidates.index(n)))
    return best, table


def rates(cases: Iterable[Case], statistic: str, threshold: Optional[float],
          groups: Optional[Dict[str, float]] = None) -> Dict[str, Any]:
    """Per kind: n and the share kept (present) or rejected (the others), under ``threshold``
    and the per-group thresholds ``groups`` (:class:`~rrsis.engine.presence.PresenceRule`:
    a case of one such group uses it; without any threshold a case is kept)."""
    from ..engine.presence import PresenceRule

    rule = PresenceRule(statistic, threshold, dict(groups or {}))
    out: Dict[str, Any] = {}
    cases = list(cases)
    for kind in ("present",) + KINDS_NEGATIVE:
        mine = [c for c in cases if c.kind == kind]
        if not mine:
            continue
        kept = []
        for c in mine:
            group = case_group(c.phrase) if rule.groups else None
            t = rule.threshold_for([group] if group else [])
            kept.append(t is None or c.values[statistic] >= t)
        share = np.mean(kept) if kind == "present" else 1.0 - np.mean(kept)
        out[kind] = {"n": len(mine),
                     ("kept" if kind == "present" else "rejected"): round(float(share), 4)}
    return out


# --- the cases ------------------------------------------------------------------------------

def gibberish(rng: random.Random) -> str:
    """One to three random lower-case 'words' of 3-7 letters."""
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 7)))
                    for _ in range(rng.randint(1, 3)))


def _label(expression: str, mask_path: Path) -> Tuple[Optional[str], List[str]]:
    """(kind, phrases) of one val triplet; kind None when it says nothing about presence."""
    from PIL import Image

    from ..grounding.engine import GroundedRun
    from ..grounding.lexicon import BY_NAME
    from .datasets.refsegrs import MASK_THRESHOLD

    plan = GroundedRun([expression], "auto").uses[expression].plan
    with Image.open(mask_path) as im:
        present = bool((np.asarray(im.convert("L")) > MASK_THRESHOLD).any())
    if plan.mode == "end_to_end":
        return ("present" if present else None), [expression]
    if plan.mode != "grounded":
        return None, []
    phrases = list(dict.fromkeys(BY_NAME[c].model_phrase for t in plan.targets
                                 for c in t.categories))
    if present:
        return "present", phrases
    plain = all(not t.attributes and not t.relations and t.region is None for t in plan.targets)
    return ("absent" if plain else None), phrases


def val_cases(folder: Path, rng: random.Random, gibberish_per_image: int = 2
              ) -> Dict[str, Dict[str, str]]:
    """{image path: {phrase: kind}} of one RefSegRS folder's val split.

    Triplets showing the same image (same bytes: the adapters hard-link one crop to all
    its expressions) are one run; a phrase present by one triplet is present.
    """
    from .datasets.refsegrs import read_split

    images: Dict[str, Dict[str, str]] = {}
    path_of: Dict[str, str] = {}
    for sample in read_split(folder, "val"):
        kind, phrases = _label(sample.expression, sample.mask)
        digest = hashlib.sha1(sample.image.read_bytes()).hexdigest()
        path = path_of.setdefault(digest, str(sample.image))
        entry = images.setdefault(path, {})
        for p in phrases:
            if kind == "present" or (kind == "absent" and entry.get(p) != "present"):
                entry[p] = kind
    absent = SURELY_ABSENT.get(folder.name, DEFAULT_ABSENT)
    for entry in images.values():
        for _ in range(gibberish_per_image):
            entry.setdefault(gibberish(rng), "gibberish")
        for noun in absent:
            entry.setdefault(noun, "unknown")
    return images


def _image_values(image: str, phrases: Sequence[str], model: str, runtime: str,
                  threads: Optional[int], models: Any, tmp: Path) -> Dict[str, Dict[str, float]]:
    """Every statistic of each phrase on one image, through the engine."""
    import pyogrio.raw
    import rasterio

    from ..engine.run import SegmentOptions, segment

    out_gpkg, prob = tmp / "o.gpkg", tmp / "p.tif"
    result = segment(SegmentOptions(
        raster=image, expressions=list(phrases), output=str(out_gpkg), probability=str(prob),
        probability_dtype="float32", model=model, device="cpu", runtime=runtime,
        threads=threads, pixel_coordinates=True, grounding="off", presence_check=False,
        overwrite=True), models=models)
    _, _, _, fields = pyogrio.raw.read(str(out_gpkg), columns=["expression", "score", "area_m2"])
    objects: Dict[str, List[Any]] = {p: [] for p in phrases}
    for expr, score, area in zip(*fields):
        objects[str(expr)].append(_Object(float(score), float(area)))
    values: Dict[str, Dict[str, float]] = {}
    with rasterio.open(prob) as src:
        for i, phrase in enumerate(phrases):
            band = src.read(i + 1)
            meter = PresenceMeter()
            meter.add(np.nan_to_num(band, nan=0.0), ~np.isnan(band))
            values[phrase] = statistics(meter, objects[phrase], result.gsd_m)
    return values


@dataclass(frozen=True)
class _Object:
    score: float
    area_m2: float


def collect(model: str, datasets: Path, max_images: Optional[int] = None, seed: int = 0,
            runtime: str = "auto", threads: Optional[int] = None,
            progress: Optional[Callable[[str], None]] = None,
            holdout: Optional[int] = None) -> List[Case]:
    """Run the engine on the val images of every folder under ``datasets`` -> cases.

    ``holdout``: instead, up to that many images per folder that the calibration sample
    (``max_images`` with ``seed``) left out: a check of a threshold on other scenes.
    """
    from ..engine.run import ModelCache

    folders = sorted(p for p in ([datasets] + sorted(datasets.iterdir()) if datasets.is_dir()
                                 else []) if (p / "output_phrase_val.txt").is_file())
    if not folders:
        raise InputError(f"no RefSegRS-format folder with output_phrase_val.txt in {datasets}")
    rng = random.Random(seed)
    models = ModelCache()
    cases: List[Case] = []
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # val images have no georeference, on purpose
        for folder in folders:
            images = val_cases(folder, rng)
            keys = all_keys = sorted(images)
            if max_images is not None and len(keys) > max_images:
                keys = sorted(random.Random(seed).sample(keys, max_images))
            if holdout is not None:
                rest = [k for k in all_keys if k not in set(keys)]
                keys = sorted(random.Random(seed + 1).sample(rest, min(holdout, len(rest))))
            t0 = time.perf_counter()
            for key in keys:
                entry = images[key]
                values = _image_values(key, list(entry), model, runtime, threads, models,
                                       Path(tmp))
                cases += [Case(folder.name, Path(key).stem, p, k, values[p])
                          for p, k in entry.items()]
            if progress is not None:
                progress(f"{folder.name}: {len(keys)} images, "
                         f"{time.perf_counter() - t0:.0f} s")
    return cases


def calibrate(cases: Sequence[Case], reject: float = REJECT,
              negatives: Sequence[str] = KINDS_NEGATIVE) -> Dict[str, Any]:
    """The full report: every statistic's threshold and rates, the chosen card block."""
    best, table = choose_statistic(cases, reject, negatives=negatives)
    thr = table[best]["threshold"]
    kinds = rates(cases, best, thr)
    counts = {k: v["n"] for k, v in kinds.items()}
    presence = {"statistic": best, "threshold": thr,
                "absent_rejected": table[best]["absent_rejected"],
                "present_kept": table[best]["present_kept"], "n": counts,
                "target_rejection": reject, "rejects": list(negatives), "per_kind": kinds,
                "calibration": "rrsis.training.calibrate_presence on the val split"}
    sources = sorted({c.source for c in cases})
    return {"presence": presence, "statistics": table,
            "sources": {s: rates([c for c in cases if c.source == s], best, thr)
                        for s in sources}}


def case_group(phrase: str) -> Optional[str]:
    """The one lexicon group a case's phrase asks for ("buildings" -> building), else None."""
    from ..grounding.parser import target_groups

    groups = target_groups(phrase)
    return groups[0] if len(groups) == 1 else None


def calibrate_groups(cases: Sequence[Case], statistic: str, reject: float = REJECT,
                     keep: float = KEEP, min_cases: int = MIN_GROUP_CASES) -> Dict[str, Any]:
    """The presence block: one threshold for every phrase, refined per lexicon group.

    The global threshold rejects ``reject`` of all labelled absent cases. A group with at
    least ``min_cases`` absent and present cases whose own threshold (``reject`` of its
    absent cases) keeps ``keep`` of its present ones gets that threshold; a group that the
    global threshold clearly cuts below ``keep`` (the 95 % Wilson upper bound of its kept
    share under ``keep``, at least ``min_cases`` present cases) and that has no own
    threshold gets none (0: never rejected): a rule that drops real objects is worse than
    the specks it removes. Every other group follows the global one, which is dropped if,
    after all that, it still keeps under ``keep`` of present targets.
    """
    def values(rows: Iterable[Case], kind: str) -> List[float]:
        return [c.values[statistic] for c in rows if c.kind == kind]

    overall = choose_threshold(values(cases, "present"), values(cases, "absent"), reject)
    glob = overall["threshold"]
    report: Dict[str, Any] = {}
    groups: Dict[str, float] = {}
    for group in sorted({g for g in (case_group(c.phrase) for c in cases) if g}):
        mine = [c for c in cases if case_group(c.phrase) == group]
        pos, neg = values(mine, "present"), values(mine, "absent")
        entry: Dict[str, Any] = {"present": len(pos), "absent": len(neg)}
        if pos:
            entry["kept_by_global"] = round(float(np.mean(np.asarray(pos) >= glob)), 4)
        own = choose_threshold(pos, neg, reject) if min(len(pos), len(neg)) >= min_cases \
            else None
        if own is not None:
            entry["own"] = own
        if own is not None and (own["present_kept"] or 0.0) >= keep:
            groups[group], entry["rule"] = own["threshold"], "own"
        elif len(pos) >= min_cases and _wilson_upper(entry["kept_by_global"], len(pos)) < keep:
            groups[group] = 0.0
            entry["rule"] = f"none: the global threshold keeps under {keep:.0%} of its targets"
        else:
            entry["rule"] = "global"
        report[group] = entry
    block: Dict[str, Any] = {"statistic": statistic, "threshold": glob, "groups": groups}
    final = rates(cases, statistic, glob, groups)
    if final.get("present", {}).get("kept", 1.0) < keep:
        block["threshold"] = None
        final = rates(cases, statistic, None, groups)
    block.update({"absent_rejected": final.get("absent", {}).get("rejected"),
                  "present_kept": final.get("present", {}).get("kept"),
                  "per_group": report, "target_rejection": reject, "keep": keep,
                  "rejects": ["absent"], "min_cases": min_cases,
                  "calibration": "rrsis.training.calibrate_presence --per-group on the val split"})
    return block


def _wilson_upper(share: float, n: int, z: float = 1.96) -> float:
    """Upper end of the Wilson score interval of a share observed on ``n`` cases."""
    if n <= 0:
        return 1.0
    centre = share + z * z / (2 * n)
    spread = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return min(1.0, (centre + spread) / (1 + z * z / n))


def read_cases(path: Path) -> List[Case]:
    """The cases of an earlier report."""
    try:
        rows = json.loads(Path(path).read_text())["cases"]
        return [Case(**row) for row in rows]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"cannot read the cases of {path}: {exc}") from None


def read_presence(path: Path) -> Dict[str, Any]:
    """The presence block of a calibration report (or a bare block) in a JSON file."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the presence calibration {path}: {exc}") from None
    block = data.get("presence", data) if isinstance(data, dict) else None
    if not isinstance(block, dict):
        raise InputError(f"{path} holds no presence block")
    return block


def write_presence(model: Path, presence: Dict[str, Any]) -> None:
    """Store ``presence`` in the card of ``model`` (atomic); re-export listed ONNX graphs,
    whose weight offsets move with the card."""
    from ..engine.presence import PresenceRule
    from ..onnx_export import update_card

    if PresenceRule.from_card({"presence": presence}) is None:
        raise InputError("the presence block needs a known statistic and a threshold in [0, 1] "
                         "(or group thresholds)")
    update_card(model, {"presence": presence})


def format_table(report: Dict[str, Any]) -> str:
    chosen = report["presence"]["statistic"]
    rows = markdown_table(
        ["statistic", "threshold", "absent/gibberish rejected", "present kept"],
        ([f"`{name}`" + (" **(chosen)**" if name == chosen else ""), f"{r['threshold']:.4f}",
          f"{r['absent_rejected']:.1%}", f"{(r['present_kept'] or 0):.1%}"]
         for name, r in report["statistics"].items()))
    per_source = []
    for source, kinds in report["sources"].items():
        cells = [f"{kinds['present']['kept']:.0%} of {kinds['present']['n']}"
                 if "present" in kinds else "-"]
        cells += [f"{kinds[k]['rejected']:.0%} of {kinds[k]['n']}" if k in kinds else "-"
                  for k in KINDS_NEGATIVE]
        per_source.append([source, *cells])
    rows += [""] + markdown_table(
        ["source", "present kept", *(f"{k} rejected" for k in KINDS_NEGATIVE)], per_source)
    return "\n".join(rows)


def main(argv: Optional[List[str]] = None) -> int:
    p = measuring_parser(__doc__, write_card="store the chosen presence block in the model's card")
    p.add_argument("--reject", type=float, default=REJECT,
                   help="share of absent/gibberish cases to reject (0.9)")
    p.add_argument("--negatives", default=",".join(KINDS_NEGATIVE),
                   help="kinds the threshold must reject: absent (labelled empty masks), "
                   "gibberish, unknown (default all; with grounding on, gibberish and unknown "
                   "nouns never reach the model)")
    p.add_argument("--per-group", action="store_true",
                   help="refine the threshold per lexicon group (building, water...): a "
                   "group's own threshold where it keeps --keep of its present targets, no "
                   "rule for a group the global one would cut below that")
    p.add_argument("--keep", type=float, default=KEEP,
                   help="--per-group: least share of present targets a rule keeps (0.95)")
    p.add_argument("--cases", metavar="REPORT",
                   help="reuse the cases of an earlier report (no engine run): recalibrate "
                   "with other --reject/--negatives")
    p.add_argument("--max-images", type=int, help="sample at most this many images per folder")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--runtime", default="auto", choices=("auto", "onnx", "torch"))
    args = p.parse_args(argv)
    return run_tool(lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    from ..models.catalog import find_model

    if not 0.0 < args.reject < 1.0:
        raise InputError(f"--reject must be in (0, 1), got {args.reject}")
    negatives = tuple(k.strip() for k in args.negatives.split(",") if k.strip())
    if not negatives or set(negatives) - set(KINDS_NEGATIVE):
        raise InputError(f"--negatives: a comma list of {', '.join(KINDS_NEGATIVE)}")
    model = find_model(args.model)
    datasets = Path(args.datasets)
    t0 = time.perf_counter()
    if args.cases:
        cases = read_cases(Path(args.cases))
    elif not datasets.is_dir():
        raise InputError(f"dataset folder not found: {datasets}")
    else:
        cases = collect(str(model), datasets, args.max_images, args.seed, args.runtime,
                        args.threads, progress=lambda m: print(m, file=sys.stderr))
    report = calibrate(cases, args.reject, negatives)
    if args.per_group:
        report["presence"] = calibrate_groups(cases, report["presence"]["statistic"],
                                              args.reject, args.keep)
    report["presence"]["max_images_per_folder"] = args.max_images
    report["wall_time_s"] = round(time.perf_counter() - t0, 1)
    report["model"] = str(model)
    report["cases"] = [c.__dict__ for c in cases]
    write_text_atomic(Path(args.out), json.dumps(report, indent=1))
    print(format_table(report))
    block = report["presence"]
    rule = ", ".join(([f">= {block['threshold']:.4f}"] if block.get("threshold") is not None
                      else []) + [f"{g} >= {t:.4f}" for g, t in block.get("groups", {}).items()])
    print(f"chosen: {block['statistic']} {rule} ({len(cases)} cases, "
          f"{report['wall_time_s']:.0f} s); wrote {args.out}")
    if args.write_card:
        write_presence(model, report["presence"])
        print(f"stored in the card of {model}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
