"""rrsis.models.decoder: LAVT's top-down decoder (with LGCE on the deepest stages)."""

from __future__ import annotations

from typing import Any, Dict

import pytest
import torch

from rrsis.models import create_model
from rrsis.models.decoder import SegmentationDecoder


def test_plain_decoder_gives_two_logits_at_the_finest_resolution() -> None:
    torch.manual_seed(0)
    dec = SegmentationDecoder(stage_dims=(8, 16, 32, 64), width=16, text_dim=24).eval()
    feats = [torch.randn(2, c, s, s) for c, s in ((8, 16), (16, 8), (32, 4), (64, 2))]
    with torch.no_grad():
        out = dec(feats)
    assert out.shape == (2, 2, 16, 16)
    # the public key layout, in the public order (checkpoints load strictly)
    keys = list(dec.state_dict())
    assert keys[0] == "conv1_4.weight" and "conv1_1.bias" in keys
    assert not any(k.startswith("lg_layer") for k in keys)
    # each output pixel depends on the coarsest map: it is not ignored
    feats[3] = feats[3] + 1.0
    with torch.no_grad():
        assert not torch.allclose(dec(feats), out)


def test_lgce_decoder_needs_and_uses_the_word_features() -> None:
    torch.manual_seed(0)
    model = create_model("test-lgce-tiny").eval()
    dec = model.segmentation.classifier
    assert isinstance(dec, SegmentationDecoder) and dec.lgce is not None
    seen: Dict[str, Any] = {}
    dec.register_forward_hook(lambda m, args, out: seen.update(args=args, out=out))
    ids, mask = model.tokenizer(["cars next to the road"])
    image = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        model(model.normalize(image), ids, mask)
        feats, l_feats = seen["args"]
        with pytest.raises(ValueError, match="word features"):
            dec(feats)
        assert torch.equal(dec(feats, l_feats), seen["out"])
