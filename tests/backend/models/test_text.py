"""Tokenizer rules of the paper's code and the text encoder's output layout."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from rrsis.errors import InputError
from rrsis.models import Tokenizer, create_model

CLS, SEP = 101, 102


def test_short_expression_is_cls_words_sep_then_zero_padding() -> None:
    tok = Tokenizer(max_tokens=20)
    ids, mask = tok("vehicle along the road")
    ids, mask = ids[0].tolist(), mask[0].tolist()
    n = sum(mask)
    assert ids[0] == CLS and ids[n - 1] == SEP
    assert ids[n:] == [0] * (20 - n) and mask == [1] * n + [0] * (20 - n)
    # lower-casing is part of the uncased vocabulary
    assert tok("VEHICLE along the ROAD")[0][0].tolist() == ids


def test_long_expression_is_sliced_and_loses_its_sep() -> None:
    tok = Tokenizer(max_tokens=20)
    ids, mask = tok(" ".join(["building"] * 40))
    assert ids.shape == (1, 20) and mask.sum() == 20
    assert ids[0, 0] == CLS and SEP not in ids[0].tolist()


@pytest.mark.parametrize("bad", ["", "   ", "x" * 1001])
def test_empty_or_absurd_expression_is_refused(bad: str) -> None:
    with pytest.raises(InputError):
        Tokenizer()(bad)


def test_padding_masks_of_different_lengths_change_the_output() -> None:
    torch.manual_seed(0)
    model = create_model("test-lgce-tiny")
    for layer in model.segmentation.backbone.layers:  # open the language gates
        torch.nn.init.normal_(layer.res_gate[0].weight, std=0.5)
        torch.nn.init.normal_(layer.res_gate[2].weight, std=0.5)
    ids, mask = model.tokenizer(["the largest building next to the road"])
    image = torch.randn(1, 3, 64, 64)
    with torch.inference_mode():
        full = model(image, ids, mask)
        short_mask = mask.clone()
        short_mask[0, 4:] = 0
        short = model(image, ids, short_mask)
    assert not torch.allclose(full, short)


def test_word_features_layout() -> None:
    model = create_model("test-lavt-tiny")
    with torch.inference_mode():
        text = model.encode_expressions(["a", "two cars"])
    assert text.l_feats.shape == (2, 32, 20) and text.l_mask.shape == (2, 20, 1)
    assert text.l_mask.dtype == torch.float32


@pytest.mark.parametrize("text", ["vehicle along the road", "Low-vegetation, surrounded by BUILDINGS!",
                                  "café's roof (red)", "the 2nd largest building", "trees\tnext to\nwater"])
def test_wordpiece_agrees_with_transformers_python_bert_tokenizer(text: str) -> None:
    transformers = pytest.importorskip("transformers")
    legacy = getattr(transformers, "BertTokenizerLegacy", None)
    if legacy is None:
        pytest.skip("this transformers has no pure-Python BertTokenizer to compare with")
    from rrsis.models.text import vocab_path

    reference = legacy(vocab_file=str(vocab_path()), do_lower_case=True)
    want = reference.encode(text, add_special_tokens=True)[:20]
    ids, _ = Tokenizer(max_tokens=20)(text)
    assert ids[0, :len(want)].tolist() == want


def test_vocabulary_is_found_beside_a_model_folder_without_the_minilm_package(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pip-installed backend finds the plugin's resources/tokenizer via RRSIS_MODEL_DIR."""
    import shutil

    from rrsis.models import vocab

    shipped = vocab.bundled_vocab()
    assert shipped is not None and shipped.parent.name == "tokenizer"
    assert (shipped.parent / "LICENSE.md").is_file()
    (tmp_path / "models").mkdir()
    (tmp_path / "tokenizer").mkdir()
    shutil.copy(shipped, tmp_path / "tokenizer" / "vocab.txt")
    monkeypatch.setattr(vocab, "bundled_vocab", lambda: None)
    monkeypatch.setattr(vocab, "minilm_dir", lambda: tmp_path / "no-package")
    monkeypatch.delenv("RRSIS_VOCAB", raising=False)
    monkeypatch.setenv("RRSIS_MODEL_DIR", str(tmp_path / "models"))
    assert vocab.vocab_path() == tmp_path / "tokenizer" / "vocab.txt"
    ids, _ = vocab.WordPieceTokenizer(8, vocab.vocab_path()).encode("vehicles")
    assert ids[0, 0] == 101 and ids[0, 2] == 102
    monkeypatch.setenv("RRSIS_MODEL_DIR", str(tmp_path / "other" / "models"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr("rrsis.models.catalog._bundled_dir", lambda: None)
    with pytest.raises(InputError, match="vocabulary not found"):
        vocab.vocab_path()
