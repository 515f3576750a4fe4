"""RefSegRS reader: ``images/<id>.tif``, ``masks/<id>.tif`` (foreground = value > 50) and
``output_phrase_<split>.txt`` with one ``<id> <expression>`` per line.

Several dataset folders can be read as one (e.g. RefSegRS + a region built by
``rrsis build-dataset``). A mask with no foreground is a valid sample ("absent target").
Input pipeline as the paper: RGB in [0, 1], the model's normalisation, image resized to
``size``² bilinear (PIL, antialiased), mask nearest. Optional augmentation (random
rescale + random crop, horizontal flip) is seeded by (seed, epoch, index), so a resumed
run sees exactly the batches an uninterrupted one would.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset

from ...errors import InputError

__all__ = ["Sample", "REFSEGRS_CATEGORIES", "MASK_THRESHOLD", "IGNORE_INDEX", "read_split", "read_splits",
           "read_categories", "category_of", "RefSegRSDataset", "load_image", "load_mask"]

MASK_THRESHOLD = 50
IGNORE_INDEX = -100      # target pixels outside the data (``valid/<id>.png`` is 0): no loss
IMAGE_SUFFIXES = (".tif", ".tiff", ".png", ".jpg", ".jpeg")
# the 14 category words of RefSegRS (lgce.md, "RefSegRS on disk")
REFSEGRS_CATEGORIES: Tuple[str, ...] = (
    "road", "vehicle", "car", "van", "building", "truck", "trailer", "bus", "road marking",
    "bikeway", "sidewalk", "tree", "low vegetation", "impervious surface")
CATEGORIES_FILE = "categories.txt"
PathLike = Union[str, Path]


@dataclass(frozen=True)
class Sample:
    """One (image, expression, mask) triplet."""

    id: str
    expression: str
    image: Path
    mask: Path
    category: Optional[str] = None
    root: Optional[Path] = None


def _find(folder: Path, stem: str) -> Path:
    for suffix in IMAGE_SUFFIXES:
        path = folder / f"{stem}{suffix}"
        if path.is_file():
            return path
    raise InputError(
        f"no file for id {stem!r} in {folder} (looked for {', '.join(IMAGE_SUFFIXES)})")


def read_categories(root: PathLike) -> Tuple[str, ...]:
    """Category words of a dataset: ``categories.txt`` (one per line), else RefSegRS's."""
    path = Path(root) / CATEGORIES_FILE
    if path.is_file():
        words = tuple(w.strip().lower() for w in path.read_text().splitlines() if w.strip())
        if words:
            return words
    return REFSEGRS_CATEGORIES


def category_of(expression: str, categories: Sequence[str] = REFSEGRS_CATEGORIES) -> Optional[str]:
    """The category word an expression refers to: the earliest mention, longest at that position.

    "low vegetation surrounded by building" -> "low vegetation"; "car on the road" -> "car".
    """
    text = " " + re.sub(r"[^a-z0-9]+", " ", expression.lower()) + " "
    best: Optional[Tuple[int, int, str]] = None
    for word in categories:
        for variant in {word, word + "s", word + "es"}:
            pos = text.find(" " + variant + " ")
            if pos >= 0:
                key = (pos, -len(word), word)
                if best is None or key < best:
                    best = key
    return best[2] if best else None


def read_split(root: PathLike, split: str, check_files: bool = True) -> List[Sample]:
    """All samples of ``output_phrase_<split>.txt`` under ``root``, in file order."""
    root = Path(root)
    phrase = root / f"output_phrase_{split}.txt"
    if not phrase.is_file():
        raise InputError(f"{root} has no split {split!r} (missing {phrase.name})")
    categories = read_categories(root)
    samples: List[Sample] = []
    for n, line in enumerate(phrase.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2 or not parts[1].strip():
            raise InputError(f"{phrase.name}:{n}: expected '<id> <expression>', got {line!r}")
        sid, expr = parts[0], parts[1].strip()
        if check_files:
            image, mask = _find(root / "images", sid), _find(root / "masks", sid)
        else:
            image, mask = root / "images" / f"{sid}.tif", root / "masks" / f"{sid}.tif"
        samples.append(Sample(sid, expr, image, mask, category_of(expr, categories), root))
    return samples


def read_splits(roots: Union[PathLike, Sequence[PathLike]], split: str) -> List[Sample]:
    """Samples of ``split`` from one or several dataset folders, concatenated in order."""
    if isinstance(roots, (str, Path)):
        roots = [roots]
    out: List[Sample] = []
    for r in roots:
        out.extend(read_split(r, split))
    return out


def load_image(path: Path) -> Image.Image:
    """Any 8-bit image file -> PIL RGB."""
    try:
        with Image.open(path) as im:
            return im.convert("RGB")
    except OSError as exc:
        raise InputError(f"cannot read image {path}: {exc}") from exc


def load_mask(path: Path) -> np.ndarray:
    """Mask file -> bool (H, W): foreground where the (first) channel is > 50."""
    try:
        with Image.open(path) as im:
            arr = np.asarray(im)
    except OSError as exc:
        raise InputError(f"cannot read mask {path}: {exc}") from exc
    if arr.ndim == 3:
        arr = arr[..., 0]
    return arr > MASK_THRESHOLD


class RefSegRSDataset(Dataset):
    """Samples -> dict(image (3,S,S) normalised, mask (S,S) int64, input_ids,
    attention_mask, index)."""

    def __init__(self, samples: Sequence[Sample], size: int, tokenizer: "object",
                 mean: Sequence[float], std: Sequence[float], *,
                 scale_range: Optional[Tuple[float, float]] = None, random_crop: bool = False,
                 hflip: bool = False, seed: int = 0, rot90: bool = False,
                 use_valid: bool = False, grayscale_p: float = 0.0,
                 stretch_jitter: float = 0.0, copy_paste: float = 0.0,
                 gamma_jitter: float = 0.0) -> None:
        if not samples:
            raise InputError("the dataset split is empty")
        self.samples = list(samples)
        self.size = int(size)
        self.mean = torch.tensor(mean, dtype=torch.float32).view(3, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(3, 1, 1)
        self.scale_range = tuple(scale_range) if scale_range else None
        self.random_crop = random_crop
        self.hflip = hflip
        self.rot90 = rot90
        self.grayscale_p = float(grayscale_p)  # panchromatic rasters reach the model as grey RGB
        self.stretch_jitter = float(stretch_jitter)  # the engine's stretch depends on the area
        self.gamma_jitter = float(gamma_jitter)  # tones: dark roofs, shadows, haze
        self.use_valid = use_valid   # training: pixels marked invalid are IGNORE_INDEX
        self.copy_paste = float(copy_paste)   # share of samples with objects pasted in
        self.bank = None
        if self.copy_paste > 0:
            from .copy_paste import ObjectBank, sample_gsds

            self.bank = ObjectBank(self.samples, load_image, load_mask,
                                   sample_gsds(self.samples))
        self.seed = seed
        self.epoch = 0
        ids, mask = tokenizer([s.expression for s in self.samples])  # type: ignore[operator]
        self.input_ids: Tensor = ids
        self.attention_mask: Tensor = mask

    @property
    def augmented(self) -> bool:
        return bool(self.scale_range or self.random_crop or self.hflip or self.rot90)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.samples)

    def _generator(self, index: int) -> torch.Generator:
        g = torch.Generator()
        g.manual_seed((self.seed * 1_000_003 + self.epoch) * 10_000_019 + index)
        return g

    def _geometry(self, index: int) -> Tuple[int, Tuple[int, int], bool]:
        """Resized side, crop offset (may be negative = pad) and flip for this (epoch, index)."""
        if not self.augmented:
            return self.size, (0, 0), False
        return self._geometry_flip(index)

    def _turns(self, index: int) -> int:
        """Quarter turns for this (epoch, index): its own stream, so other draws are unchanged."""
        if not self.rot90:
            return 0
        g = torch.Generator()
        g.manual_seed(self._generator(index).initial_seed() ^ 0x5EED)
        return int(torch.randint(0, 4, (1,), generator=g))

    def _grey(self, index: int) -> bool:
        """Whether this (epoch, index) is shown in grey: its own stream, other draws unchanged."""
        if self.grayscale_p <= 0:
            return False
        g = torch.Generator()
        g.manual_seed(self._generator(index).initial_seed() ^ 0x6EE7)
        return bool(torch.rand(1, generator=g).item() < self.grayscale_p)

    def _stretch(self, index: int) -> Optional[Tuple[float, float]]:
        """(low, high) of a re-stretch for this (epoch, index), or None: its own stream.

        The engine stretches a non-byte raster 2-98 % over the area it is asked for (the
        view in QGIS), so the same ground reaches the model with another gain and offset
        from one request to the next; training tiles carry the stretch of the whole build
        area. Re-stretching each sample by ``stretch_jitter`` of the range teaches the model
        to ignore it.
        """
        a = self.stretch_jitter
        if a <= 0:
            return None
        g = torch.Generator()
        g.manual_seed(self._generator(index).initial_seed() ^ 0x57E7)
        u = torch.rand(2, generator=g)
        return float((2 * u[0] - 1) * a), float(1 + (2 * u[1] - 1) * a)

    def _gamma(self, index: int) -> Optional[float]:
        """The gamma of this (epoch, index), exp(U(-a, a)), or None: its own stream.

        A region of a few dozen objects shows few roof tones and little shade; a random gamma
        shows the same shapes darker or lighter in their mid-tones, which a gain and offset
        (the re-stretch) does not.
        """
        a = self.gamma_jitter
        if a <= 0:
            return None
        g = torch.Generator()
        g.manual_seed(self._generator(index).initial_seed() ^ 0x6A77)
        return float(math.exp((2 * torch.rand(1, generator=g).item() - 1) * a))

    def _pasted(self, index: int) -> Optional[torch.Generator]:
        """The generator of this (epoch, index)'s copy-paste, or None: its own stream."""
        if self.bank is None:
            return None
        g = torch.Generator()
        g.manual_seed(self._generator(index).initial_seed() ^ 0xC0B1)
        return g if torch.rand(1, generator=g).item() < self.copy_paste else None

    def _geometry_flip(self, index: int) -> Tuple[int, Tuple[int, int], bool]:
        g = self._generator(index)
        side = self.size
        if self.scale_range:
            lo, hi = self.scale_range
            u = torch.rand(1, generator=g).item()
            side = max(8, int(round(self.size * (lo + (hi - lo) * u))))
        oy = ox = (side - self.size) // 2
        if self.random_crop and side != self.size:
            span, sign = abs(side - self.size), (1 if side > self.size else -1)
            oy = int(torch.randint(0, span + 1, (1,), generator=g)) * sign
            ox = int(torch.randint(0, span + 1, (1,), generator=g)) * sign
        flip = bool(self.hflip and torch.rand(1, generator=g).item() < 0.5)
        return side, (oy, ox), flip

    def __getitem__(self, index: int) -> Dict[str, Tensor]:
        s = self.samples[index]
        side, (oy, ox), flip = self._geometry(index)
        img, raw_mask = load_image(s.image), load_mask(s.mask)
        g = self._pasted(index)
        if g is not None and self.bank is not None and raw_mask.shape == img.size[::-1]:
            rgb, raw_mask = self.bank.paste(index, np.asarray(img), raw_mask, g)
            img = Image.fromarray(rgb)
        img = img.resize((side, side), Image.BILINEAR)
        if self._grey(index):
            img = img.convert("L").convert("RGB")
        mask = Image.fromarray(raw_mask.astype(np.uint8)).resize((side, side), Image.NEAREST)
        image = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
        stretch = self._stretch(index)
        if stretch is not None:
            low, high = stretch
            image = ((image - low) / (high - low)).clamp_(0.0, 1.0)
        gamma = self._gamma(index)
        if gamma is not None:
            image = image.pow_(gamma)
        target = torch.from_numpy(np.asarray(mask, dtype=np.int64))
        pad = 0
        if self.use_valid and s.root is not None:
            vpath = s.root / "valid" / f"{s.id}.png"
            if vpath.is_file():
                valid = Image.fromarray(load_mask(vpath).astype(np.uint8)).resize(
                    (side, side), Image.NEAREST)
                target[torch.from_numpy(np.asarray(valid) == 0)] = IGNORE_INDEX
                pad = IGNORE_INDEX
        image = (image - self.mean) / self.std
        if side != self.size:
            image, target = _crop_or_pad(image, target, self.size, oy, ox, pad)
        if flip:
            image, target = image.flip(-1), target.flip(-1)
        turns = self._turns(index)
        if turns:
            image, target = image.rot90(turns, (-2, -1)), target.rot90(turns, (-2, -1))
        return {"image": image.contiguous(), "mask": target.contiguous(),
                "input_ids": self.input_ids[index], "attention_mask": self.attention_mask[index],
                "index": torch.tensor(index)}


def _crop_or_pad(image: Tensor, target: Tensor, size: int, oy: int, ox: int, pad: int = 0
                 ) -> Tuple[Tensor, Tensor]:
    """Crop a larger rescaled sample at (oy, ox), or paste a smaller one at (-oy, -ox) on zeros."""
    side = image.shape[-1]
    if side > size:
        return image[:, oy:oy + size, ox:ox + size], target[oy:oy + size, ox:ox + size]
    out_i = torch.zeros(3, size, size, dtype=image.dtype)   # 0 = the mean colour after normalising
    out_t = torch.full((size, size), pad, dtype=target.dtype)
    py, px = -oy, -ox
    out_i[:, py:py + side, px:px + side] = image
    out_t[py:py + side, px:px + side] = target
    return out_i, out_t
