"""PWAM and the language gate against the formulas of the paper's code, written out by hand."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from rrsis.models.pwam import PWAM, LanguageGate


def _instance_norm(x: torch.Tensor) -> torch.Tensor:  # (C, N): normalise each channel over N
    return (x - x.mean(1, keepdim=True)) / torch.sqrt(x.var(1, unbiased=False, keepdim=True) + 1e-5)


def _conv(seq: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:  # 1×1 Conv1d on (Cin, N)
    conv = seq[0]
    return conv.weight[:, :, 0] @ x + conv.bias[:, None]


def test_pwam_equals_hand_written_formula() -> None:
    torch.manual_seed(0)
    c, ct, hw, t = 8, 6, 10, 5
    pwam = PWAM(c, ct).eval()
    x = torch.randn(2, hw, c)
    words = torch.randn(2, ct, t)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.float32)[..., None]
    with torch.no_grad():
        got = pwam(x, words, mask)
        att = pwam.image_lang_att
        for b in range(2):
            xb = x[b].T  # C, HW
            q = _instance_norm(_conv(att.f_query, xb))
            k = _conv(att.f_key, words[b]) * mask[b, :, 0]
            v = _conv(att.f_value, words[b]) * mask[b, :, 0]
            scores = (q.T @ k) * c ** -0.5 + (1e4 * mask[b, :, 0] - 1e4)
            lang = _instance_norm(_conv(att.W, v @ scores.softmax(-1).T))
            vis = F.gelu(_conv(pwam.vis_project, xb))
            want = F.gelu(_conv(pwam.project_mm, vis * lang)).T
            assert torch.allclose(got[b], want, atol=1e-5)


def test_padded_words_are_ignored() -> None:
    torch.manual_seed(0)
    pwam = PWAM(8, 6).eval()
    x, words = torch.randn(1, 10, 8), torch.randn(1, 6, 5)
    mask = torch.tensor([[1, 1, 0, 0, 0]], dtype=torch.float32)[..., None]
    other = words.clone()
    other[..., 2:] = torch.randn(1, 6, 3)  # change only the padded positions
    with torch.no_grad():
        assert torch.allclose(pwam(x, words, mask), pwam(x, other, mask), atol=1e-6)


def test_gate_starts_closed_and_is_tanh_bounded() -> None:
    gate = LanguageGate(4)
    x = torch.randn(3, 4)
    assert torch.equal(gate(x), torch.zeros(3, 4))
    torch.nn.init.normal_(gate[0].weight, std=10)
    torch.nn.init.normal_(gate[2].weight, std=10)
    assert gate(x).abs().max() <= 1
