"""ONNX Runtime inference of a checkpoint's exported graphs, with :class:`Predictor`'s interface.

No torch: the card comes from the safetensors header (:mod:`rrsis.models.card`), the
tokenizer from :mod:`rrsis.models.vocab`, the arithmetic from ``onnxruntime`` on the CPU.
The image graph normalises pixels itself, so ``logit_difference`` takes RGB in [0, 1]
exactly like the torch predictor.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ..errors import CheckpointError
from ..models.card import data_start, onnx_graphs, read_card, weights_sha256_of_file
from ..models.registry import ModelConfig
from ..models.vocab import WordPieceTokenizer

__all__ = ["OnnxModel", "OnnxPredictor", "onnxruntime_available"]


def onnxruntime_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class OnnxModel:
    """A checkpoint's card + ONNX Runtime sessions of its two graphs (CPU)."""

    runtime = "onnx"

    def __init__(self, path: Path, threads: Optional[int] = None, verify: bool = True) -> None:
        import onnxruntime as ort

        self.path = Path(path)
        self.card: Dict[str, Any] = read_card(self.path)
        self.config = ModelConfig.from_dict(self.card["config"])
        graphs = onnx_graphs(self.path, self.card, verify=verify)
        if graphs is None:
            raise CheckpointError(f"{self.path.name} has no ONNX graph (rrsis export-onnx "
                                  f"{self.path.name}, or use runtime torch)")
        if self.card["onnx"].get("data_start") != data_start(self.path):
            raise CheckpointError(f"the ONNX graphs of {self.path.name} no longer match its "
                                  f"layout (card rewritten?): export them again")
        if verify and self.card.get("weights_sha256") and \
                weights_sha256_of_file(self.path) != self.card["weights_sha256"]:
            raise CheckpointError(f"{self.path.name}: weights do not match the sha256 in its "
                                  f"card (corrupt)")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(threads or 0)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        # activations underflow into float32 denormals, which x86 computes in microcode:
        # flushing them to zero made a tile 3x faster (192 -> 66 ms, bench_runtime.py) and
        # changes logits by far less than the 1e-3 the tests hold against torch. ONNX Runtime
        # sets flush-to-zero in the processor state of the threads it uses, the calling one
        # included: in the backend process subnormal floats then read as 0 (harmless there)
        opts.add_session_config_entry("session.set_denormal_as_zero", "1")
        try:
            self.image = ort.InferenceSession(str(graphs["image"]), opts,
                                              providers=["CPUExecutionProvider"])
            self.text = ort.InferenceSession(str(graphs["text"]), opts,
                                             providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
            raise CheckpointError(f"ONNX Runtime could not load the graphs of "
                                  f"{self.path.name}: {exc}") from exc
        self.threads = threads or os.cpu_count() or 1
        side = self.image.get_inputs()[0].shape[-1]   # a name where the graph takes any size
        self.fixed_size: Optional[int] = side if isinstance(side, int) else None
        self._tokenizer: Optional[WordPieceTokenizer] = None

    @property
    def tokenizer(self) -> WordPieceTokenizer:
        if self._tokenizer is None:
            self._tokenizer = WordPieceTokenizer(self.config.text.max_tokens)
        return self._tokenizer

    def encode_expressions(self, texts: Sequence[str]) -> List[np.ndarray]:
        """Expressions -> [l_feats (B, Ct, T), l_mask (B, T, 1)] float32."""
        ids, mask = self.tokenizer.encode(list(texts))
        return self.text.run(None, {"input_ids": ids, "attention_mask": mask})


class OnnxPredictor:
    """Same interface as :class:`rrsis.models.predictor.Predictor`, on ONNX Runtime."""

    def __init__(self, model: OnnxModel, expressions: Sequence[str],
                 tile_px: Optional[int] = None) -> None:
        self.model = model
        self.tile_px = tile_px
        self.device = "cpu"
        self.precision = "fp32"
        self.expressions = list(expressions)
        self.texts = [model.encode_expressions([e]) for e in self.expressions]

    @property
    def input_size(self) -> int:
        """``tile_px``, else the model's input size; a graph exported for one size (before
        2026-12-05) takes only that one."""
        return int(self.model.fixed_size or self.tile_px or self.model.config.input_size)

    def logit_difference(self, rgb: np.ndarray) -> np.ndarray:
        """rgb (B, 3, S, S) float32 in [0, 1] -> (E, B, S, S) float32 ``l_fg - l_bg``."""
        rgb = np.ascontiguousarray(rgb, dtype=np.float32)
        b = rgb.shape[0]
        out = np.empty((len(self.texts), b) + rgb.shape[2:], dtype=np.float32)
        for i, (feats, mask) in enumerate(self.texts):
            out[i] = self.model.image.run(None, {
                "rgb": rgb, "l_feats": np.repeat(feats, b, axis=0),
                "l_mask": np.repeat(mask, b, axis=0)})[0]
        return out
