"""``rrsis export-onnx``: a checkpoint -> two ONNX graphs that read their weights from it.

Graphs (opset 17, batch dimension dynamic, the tile size fixed by the card):

* image: ``rgb`` (B, 3, S, S) float32 in [0, 1], ``l_feats`` (B, Ct, T), ``l_mask``
  (B, T, 1) -> ``logit_difference`` (B, S, S) = ``l_fg - l_bg``; the pixel normalisation
  is inside the graph;
* text: ``input_ids``, ``attention_mask`` (B, T) int64 -> ``l_feats``, ``l_mask``.

Exported with the TorchScript exporter (``dynamo=False``): it keeps every parameter as
an initializer under its state-dict name (constant folding off), which is what lets
step two work; the dynamo exporter of torch 2.14 renames and folds them.

Step two, no second copy of the weights: every initializer equal to a tensor of the
checkpoint becomes ONNX *external data* pointing into the ``.safetensors`` file itself
(same folder, byte offset of that tensor), with a ``Cast`` to float32 when the checkpoint
stores float16. ONNX Runtime folds the casts at session start, so arithmetic is float32
and the graph computes exactly what torch computes from the same stored weights. The
graphs are then ~1 MB of structure; the checkpoint's card lists them with their sha256
and the byte offset of its tensor data (:mod:`rrsis.models.card`).
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any, Dict, Tuple

import numpy as np

from ._moved import moved_to
from .errors import InputError
from .paths import scratch_folder

log = logging.getLogger(__name__)

__all__ = ["export_onnx", "update_card", "text_graph_path", "OPSET"]

OPSET = 17
PREFIX = "m."  # the wrapper modules' attribute name: initializer "m.<state-dict key>"
_NUMPY_OF = {"F32": np.float32, "F16": np.float16, "BF16": None, "F64": np.float64,
             "I64": np.int64, "I32": np.int32, "U8": np.uint8, "I8": np.int8, "BOOL": np.bool_}


def text_graph_path(image_graph: Path) -> Path:
    """``x.onnx`` -> ``x.text.onnx`` (the text encoder's graph beside the image graph)."""
    return image_graph.with_name(image_graph.name[: -len(".onnx")] + ".text.onnx")


def _wrappers(model: Any) -> Tuple[Any, Any]:
    import torch

    class ImageGraph(torch.nn.Module):
        def __init__(self, m: Any) -> None:
            super().__init__()
            self.m = m

        def forward(self, rgb: Any, l_feats: Any, l_mask: Any) -> Any:
            logits = self.m.segmentation(self.m.normalize(rgb), l_feats, l_mask)
            return logits[:, 1] - logits[:, 0]

    class TextGraph(torch.nn.Module):
        def __init__(self, m: Any) -> None:
            super().__init__()
            self.m = m

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            text = self.m.encode_text(input_ids, attention_mask)
            return text.l_feats, text.l_mask

    return ImageGraph(model).eval(), TextGraph(model).eval()


def _torch_export(module: Any, args: Tuple[Any, ...], path: Path, inputs: list,
                  outputs: list) -> None:
    import torch

    axes = {name: {0: "batch"} for name in inputs + outputs}
    for name in ("rgb", "logit_difference"):  # the image graph takes tiles of any side
        if name in axes:
            axes[name].update({2: "height", 3: "width"})
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, args, str(path), dynamo=False, opset_version=OPSET,
                          do_constant_folding=False, input_names=inputs, output_names=outputs,
                          dynamic_axes=axes)


def _externalise(graph_path: Path, checkpoint: Path, start: int, out: Path) -> Dict[str, int]:
    """Initializers equal to checkpoint tensors -> external data in the checkpoint (+ Cast)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from .models.card import read_header

    header, _ = read_header(checkpoint)
    model = onnx.load(str(graph_path))
    graph = model.graph
    casts, kept, moved = [], [], 0
    with open(checkpoint, "rb") as f:
        for init in graph.initializer:
            key = init.name[len(PREFIX):] if init.name.startswith(PREFIX) else None
            info = header.get(key) if key else None
            np_dtype = _NUMPY_OF.get(info["dtype"]) if info else None
            if info is None or np_dtype is None:
                kept.append(init)
                continue
            begin, end = info["data_offsets"]
            f.seek(start + begin)  # current offsets: the stored layout is the same data
            stored = np.frombuffer(f.read(end - begin), dtype=np_dtype).reshape(info["shape"])
            value = numpy_helper.to_array(init)
            if value.shape != stored.shape or not np.array_equal(
                    value, stored.astype(value.dtype)):
                kept.append(init)
                continue
            ext = numpy_helper.from_array(np.zeros(0, np_dtype))
            ext.ClearField("raw_data")
            del ext.dims[:]
            ext.dims.extend(stored.shape)
            ext.name = init.name if stored.dtype == value.dtype else init.name + ".stored"
            ext.data_location = TensorProto.EXTERNAL
            for k, v in (("location", checkpoint.name), ("offset", str(start + begin)),
                         ("length", str(end - begin))):
                entry = ext.external_data.add()
                entry.key, entry.value = k, v
            kept.append(ext)
            if ext.name != init.name:
                to = helper.np_dtype_to_tensor_dtype(value.dtype)
                casts.append(helper.make_node("Cast", [ext.name], [init.name], to=to,
                                              name=f"cast:{init.name}"))
            moved += 1
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    for node in graph.node:  # no machine-specific paths or stack traces in the file
        node.doc_string = ""
    onnx.save(model, str(out))
    return {"external": moved, "embedded": len(kept) - moved}


def export_onnx(checkpoint: Path, output: Path, opset: int = OPSET) -> Dict[str, Any]:
    """Export ``checkpoint`` to ``output`` (+ ``.text.onnx``) and list both in its card."""
    import torch

    from .models.card import file_sha256, header_length_with_card, read_card, write_card
    from .models.checkpoint import load_checkpoint

    checkpoint, output = Path(checkpoint), Path(output)
    if output.suffix != ".onnx":
        raise InputError("the output must be a .onnx file")
    if output.resolve().parent != checkpoint.resolve().parent:
        raise InputError(f"the graph must be written beside its weights, in "
                         f"{checkpoint.parent} (it reads them from {checkpoint.name})")
    text_out = text_graph_path(output)
    card = read_card(checkpoint)
    model = load_checkpoint(checkpoint)
    cfg = model.config
    size, tokens = cfg.input_size, cfg.text.max_tokens
    entry: Dict[str, Any] = {
        "graphs": {"image": {"file": output.name, "sha256": "0" * 64},
                   "text": {"file": text_out.name, "sha256": "0" * 64}},
        "external_weights": checkpoint.name, "opset": opset, "exporter": "torch.onnx (TorchScript)",
        "torch": torch.__version__, "input_size": size, "token_count": tokens, "data_start": 0,
    }
    new_card = dict(card, onnx=entry)
    # the offsets baked into the graphs are those of the rewritten checkpoint: its header
    # grows by the card entry, whose length is fixed (sha256 hex and data_start digits)
    start = header_length_with_card(checkpoint, new_card)
    for _ in range(3):
        entry["data_start"] = start
        again = header_length_with_card(checkpoint, new_card)
        if again == start:
            break
        start = again
    image_graph, text_graph = _wrappers(model)
    ids = torch.zeros(1, tokens, dtype=torch.long)
    ids[0, :3] = torch.tensor([101, 3121, 102])
    mask = (ids > 0).long()
    with torch.no_grad():
        text = model.encode_text(ids, mask)
    rgb = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(0))
    stats: Dict[str, Any] = {}
    with scratch_folder("onnx") as tmp:
        raw_text, raw_image = Path(tmp) / "text.onnx", Path(tmp) / "image.onnx"
        _torch_export(text_graph, (ids, mask), raw_text, ["input_ids", "attention_mask"],
                      ["l_feats", "l_mask"])
        _torch_export(image_graph, (rgb, text.l_feats, text.l_mask), raw_image,
                      ["rgb", "l_feats", "l_mask"], ["logit_difference"])
        current = read_header(checkpoint)[1]
        for raw, final, part in ((raw_text, text_out, "text"), (raw_image, output, "image")):
            part_tmp = final.with_name(f".{final.name}.part")
            try:
                counts = _externalise(raw, checkpoint, current, part_tmp)
                _rebase(part_tmp, current, start)
                os.replace(part_tmp, final)
            finally:
                if part_tmp.exists():
                    part_tmp.unlink()
            entry["graphs"][part]["sha256"] = file_sha256(final)
            stats[part] = dict(counts, bytes=final.stat().st_size)
    write_card(checkpoint, new_card)
    if read_header(checkpoint)[1] != start:  # pragma: no cover - a bug in the layout maths
        raise RuntimeError("checkpoint layout changed unexpectedly; export again")
    return {"image": str(output), "text": str(text_out), "card": entry, "stats": stats}


def update_card(checkpoint: Path, changes: Dict[str, Any]) -> None:
    """Set top-level ``changes`` in the card of ``checkpoint`` (tensors untouched) and
    re-export the ONNX graphs the card lists, whose weight offsets move with the card."""
    from .models.card import read_card, write_card

    card = read_card(checkpoint)
    card.update(changes)
    write_card(checkpoint, card)
    graphs = (card.get("onnx") or {}).get("graphs") or {}
    if "image" in graphs:
        export_onnx(checkpoint, Path(checkpoint).parent / graphs["image"]["file"])


def read_header(path: Path) -> Tuple[Dict[str, Any], int]:
    from .models.card import read_header as _read

    return _read(path)


def _rebase(graph: Path, old_start: int, new_start: int) -> None:
    """Shift every external-data offset by the growth of the checkpoint's header."""
    import onnx

    if old_start == new_start:
        return
    model = onnx.load(str(graph), load_external_data=False)
    for init in model.graph.initializer:
        for entry in init.external_data:
            if entry.key == "offset":
                entry.value = str(int(entry.value) - old_start + new_start)
    onnx.save(model, str(graph))


# the ``export-onnx`` command moved to rrsis.cli.models (deprecated here)
__getattr__ = moved_to(__name__, "rrsis.cli.models", ("add_arguments_export_onnx",
                                                      "run_export_onnx"))
