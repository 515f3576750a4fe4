"""Model configurations as data, and the one registry that builds them.

Every size of every architecture is a field here, so tests build small configs of
the same code and the paper configurations are two entries of one table
(as timm does with ``default_cfgs`` and SAM with ``sam_model_registry``).

>>> from rrsis.models import create_model, list_models
>>> "lgce-swin-b" in list_models()
True
>>> model = create_model("test-lgce-tiny")          # random weights, a few MB
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

from ..errors import ModelNotFoundError

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class SwinConfig:
    """Multi-modal Swin backbone (LAVT): PWAM + gate after each stage."""

    kind: str = "swin"
    embed_dim: int = 128
    depths: Tuple[int, ...] = (2, 2, 18, 2)
    num_heads: Tuple[int, ...] = (4, 8, 16, 32)
    window_size: int = 12
    mlp_ratio: float = 4.0
    patch_size: int = 4
    drop_path_rate: float = 0.3
    fusion_heads: Tuple[int, ...] = (1, 1, 1, 1)

    @property
    def stage_dims(self) -> Tuple[int, ...]:
        return tuple(self.embed_dim * 2**i for i in range(len(self.depths)))


@dataclass(frozen=True)
class EfficientNetConfig:
    """timm EfficientNet-Lite backbone with LAVT-style language fusion between stages."""

    kind: str = "efficientnet"
    timm_name: str = "tf_efficientnet_lite0"
    # timm block-stage index after which each output (strides 4, 8, 16, 32) is taken
    out_blocks: Tuple[int, ...] = (1, 2, 4, 6)
    stage_dims: Tuple[int, ...] = (24, 40, 112, 320)
    fusion_heads: Tuple[int, ...] = (1, 1, 1, 1)
    drop_path_rate: float = 0.1


@dataclass(frozen=True)
class TextConfig:
    """BERT-architecture text encoder and its tokenizer rules."""

    hidden_size: int = 768
    num_layers: int = 12
    num_heads: int = 12
    intermediate_size: int = 3072
    vocab_size: int = 30522
    max_position_embeddings: int = 512
    layer_norm_eps: float = 1e-12
    max_tokens: int = 20
    # where pretrained weights can come from without any download ("minilm-package")
    pretrained: Optional[str] = None


@dataclass(frozen=True)
class LGCEConfig:
    """Language-guided cross-scale enhancement on the two deepest stages."""

    depths: Tuple[int, int] = (1, 3)
    num_heads: Tuple[int, int] = (8, 16)
    mlp_ratio: float = 2.0
    # register the modules of the public code that never run, so its checkpoints load strictly
    inert_modules: bool = True


@dataclass(frozen=True)
class ModelConfig:
    """One registered architecture: parts, input conventions and defaults."""

    name: str
    backbone: Union[SwinConfig, EfficientNetConfig]
    text: TextConfig
    decoder_width: int = 512
    lgce: Optional[LGCEConfig] = None
    input_size: int = 480
    mean: Tuple[float, float, float] = IMAGENET_MEAN
    std: Tuple[float, float, float] = IMAGENET_STD
    gsd_m: Optional[float] = None
    gsd_range_m: Optional[Tuple[float, float]] = None
    description: str = ""
    tags: Tuple[str, ...] = field(default_factory=tuple)

    @property
    def stage_dims(self) -> Tuple[int, ...]:
        return tuple(self.backbone.stage_dims)

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "ModelConfig":
        """Inverse of :meth:`to_dict`; tolerant of lists where tuples are expected (JSON)."""
        data = dict(data)
        bb = dict(data.pop("backbone"))
        bb_cls = SwinConfig if bb.get("kind", "swin") == "swin" else EfficientNetConfig
        backbone = bb_cls(**_tuplify(bb))
        text = TextConfig(**_tuplify(dict(data.pop("text"))))
        lg = data.pop("lgce", None)
        lgce = LGCEConfig(**_tuplify(dict(lg))) if lg else None
        return cls(backbone=backbone, text=text, lgce=lgce, **_tuplify(data))

    def replace(self, **changes: Any) -> "ModelConfig":
        return dataclasses.replace(self, **changes)


def _tuplify(d: Dict[str, Any]) -> Dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}


MODELS: Dict[str, ModelConfig] = {}


def register_model(cfg: ModelConfig) -> ModelConfig:
    if cfg.name in MODELS:
        raise ValueError(f"model {cfg.name!r} is already registered")
    MODELS[cfg.name] = cfg
    return cfg


def list_models(include_test: bool = False) -> List[str]:
    return sorted(n for n, c in MODELS.items() if include_test or "test" not in c.tags)


def get_config(name: str) -> ModelConfig:
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(list_models(include_test=True))
        raise ModelNotFoundError(f"unknown model {name!r}; registered: {known}") from None


# --- the paper's configurations (Yuan et al., TGRS 2024; Yang et al., CVPR 2022) -----------------
_SWIN_B = SwinConfig()
_BERT_BASE = TextConfig()

register_model(ModelConfig(
    name="lavt-swin-b", backbone=_SWIN_B, text=_BERT_BASE, gsd_m=0.13, gsd_range_m=(0.1, 0.2),
    description="LAVT: multi-modal Swin-B + BERT-base, as trained on RefSegRS (SkyScapes, 13 cm).",
))
register_model(ModelConfig(
    name="lgce-swin-b", backbone=_SWIN_B, text=_BERT_BASE, lgce=LGCEConfig(), gsd_m=0.13,
    gsd_range_m=(0.1, 0.2),
    description="LGCE (RRSIS paper): LAVT + language-guided cross-scale enhancement.",
))

# --- CPU-scale variant: EfficientNet-Lite0 + MiniLM-L6 -----------------------------------------
_MINILM = TextConfig(hidden_size=384, num_layers=6, num_heads=12, intermediate_size=1536,
                     pretrained="minilm-package")
register_model(ModelConfig(
    name="lgce-lite", backbone=EfficientNetConfig(), text=_MINILM, decoder_width=64,
    lgce=LGCEConfig(depths=(1, 1), num_heads=(4, 8), mlp_ratio=2.0, inert_modules=False),
    gsd_m=0.15, gsd_range_m=(0.05, 0.5),
    description="LGCE at CPU scale: EfficientNet-Lite0 + MiniLM-L6, light decoder.",
))

# the same with EfficientNet-Lite2 (about 1.5x the compute): the backbone comparison of issue 12
register_model(ModelConfig(
    name="lgce-lite2",
    backbone=EfficientNetConfig(timm_name="tf_efficientnet_lite2", stage_dims=(24, 48, 120, 352)),
    text=_MINILM, decoder_width=64,
    lgce=LGCEConfig(depths=(1, 1), num_heads=(4, 8), mlp_ratio=2.0, inert_modules=False),
    gsd_m=0.15, gsd_range_m=(0.05, 0.6),
    description="LGCE at CPU scale: EfficientNet-Lite2 + MiniLM-L6, light decoder.",
))

# --- tiny configurations of the same code, for tests ------------------------------------------
_TINY_SWIN = SwinConfig(embed_dim=16, depths=(1, 2, 2, 1), num_heads=(1, 2, 2, 4), window_size=4,
                        drop_path_rate=0.0)
_TINY_TEXT = TextConfig(hidden_size=32, num_layers=2, num_heads=2, intermediate_size=64,
                        max_position_embeddings=64)
register_model(ModelConfig(
    name="test-lavt-tiny", backbone=_TINY_SWIN, text=_TINY_TEXT, decoder_width=32, input_size=64,
    gsd_m=0.5, description="Tiny LAVT for tests.", tags=("test",),
))
register_model(ModelConfig(
    name="test-lgce-tiny", backbone=_TINY_SWIN, text=_TINY_TEXT, decoder_width=32, input_size=64,
    lgce=LGCEConfig(depths=(1, 2), num_heads=(2, 4)), gsd_m=0.5,
    description="Tiny LGCE for tests.", tags=("test",),
))
