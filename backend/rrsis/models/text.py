"""Tokenizer and BERT-architecture text encoder -> word features for PWAM and LGCE.

Rules of the paper's code: ``[CLS] … [SEP]`` with the bert-base-uncased WordPiece
vocabulary, truncated by slicing to ``max_tokens`` ids (a long sentence loses its
``[SEP]``), right-padded with id 0; attention mask 1 on real tokens; no token types.

The tokenizer itself (and where its vocabulary is found) is :mod:`.vocab`, which needs
no torch. Nothing is ever fetched from a hub.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Tuple

import torch
from torch import Tensor
from transformers import BertConfig, BertModel

from .registry import TextConfig
from .vocab import MAX_EXPRESSION_CHARS, WordPieceTokenizer, minilm_dir, vocab_path

__all__ = ["TextFeatures", "Tokenizer", "build_text_encoder", "minilm_dir", "vocab_path",
           "encode_text", "MAX_EXPRESSION_CHARS"]


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


class Tokenizer(WordPieceTokenizer):
    """Expressions -> (input_ids, attention_mask), both (B, max_tokens) int64 tensors."""

    def __call__(self, texts: Sequence[str] | str) -> Tuple[Tensor, Tensor]:
        ids, mask = self.encode(texts)
        return torch.from_numpy(ids), torch.from_numpy(mask)


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
