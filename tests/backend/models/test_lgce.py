"""LGCE: guide tokens through the deepest stages; the public code's extra modules are inert."""

from __future__ import annotations

import torch

from rrsis.models import create_model
from rrsis.models.lgce import enhance, guide_vector


def _open_gates(model: torch.nn.Module) -> None:
    for layer in model.segmentation.backbone.layers:
        torch.nn.init.normal_(layer.res_gate[0].weight, std=0.3)
        torch.nn.init.normal_(layer.res_gate[2].weight, std=0.3)


def _inputs(model):  # type: ignore[no-untyped-def]
    ids, mask = model.tokenizer(["building along the road"])
    return torch.randn(1, 3, 64, 48), ids, mask


def test_guide_is_the_unmasked_mean_over_all_positions() -> None:
    feats = torch.arange(12.0).view(1, 2, 6)
    assert torch.equal(guide_vector(feats), torch.tensor([[2.5, 8.5]]))


def test_inert_modules_do_not_change_the_output() -> None:
    torch.manual_seed(0)
    model = create_model("test-lgce-tiny")
    _open_gates(model)
    image, ids, mask = _inputs(model)
    with torch.no_grad():
        before = model(image, ids, mask)
        dec = model.segmentation.classifier
        inert = [dec.msb2, dec.msb3, dec.msb1.patch_embed, dec.msb1.msb.projs, dec.msb1.msb.fusion,
                 dec.msb1.msb.revert_projs, dec.lg_layer1, dec.lg_layer2]
        for module in inert:
            for p in module.parameters():
                p.add_(torch.randn_like(p))
        after = model(image, ids, mask)
        assert torch.equal(before, after)
        for p in dec.msb1.msb.blocks.parameters():  # the part that runs does matter
            p.add_(0.5 * torch.randn_like(p))
        assert not torch.allclose(before, model(image, ids, mask))


def test_enhance_prepends_runs_and_drops_the_guide_token() -> None:
    torch.manual_seed(0)
    model = create_model("test-lgce-tiny")
    branches = model.segmentation.classifier.msb1.msb.blocks
    maps = [torch.randn(2, 64, 3, 5), torch.randn(2, 128, 2, 3)]
    guides = [torch.randn(2, 64), torch.randn(2, 128)]
    with torch.no_grad():
        out = enhance(maps, guides, branches)
        for x, g, blocks, y in zip(maps, guides, branches, out):
            tokens = torch.cat([g[:, None], x.flatten(2).transpose(1, 2)], 1)
            for blk in blocks:  # timm pre-norm block, written out
                tokens = tokens + blk.attn(blk.norm1(tokens))
                tokens = tokens + blk.mlp(blk.norm2(tokens))
            assert torch.allclose(y, tokens[:, 1:].transpose(1, 2).reshape(x.shape), atol=1e-5)


def test_lavt_and_lgce_differ_only_by_the_enhancement() -> None:
    torch.manual_seed(0)
    lgce = create_model("test-lgce-tiny")
    lavt = create_model("test-lavt-tiny")
    state = {k: v for k, v in lgce.state_dict().items() if k in lavt.state_dict()}
    lavt.load_state_dict(state, strict=True)
    image, ids, mask = _inputs(lgce)
    with torch.no_grad():
        for blocks in lgce.segmentation.classifier.msb1.msb.blocks:  # make the LGCE blocks identity
            for blk in blocks:
                torch.nn.init.zeros_(blk.attn.proj.weight)
                torch.nn.init.zeros_(blk.attn.proj.bias)
                torch.nn.init.zeros_(blk.mlp.fc2.weight)
                torch.nn.init.zeros_(blk.mlp.fc2.bias)
        assert torch.allclose(lgce(image, ids, mask), lavt(image, ids, mask), atol=1e-6)
