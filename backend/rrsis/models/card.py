"""The model card and the weights' integrity, read without torch (pure JSON + hashlib).

A ``.safetensors`` file is an 8-byte little-endian header length, a JSON header
(tensor name -> dtype, shape, byte range; ``__metadata__`` -> strings) and the raw
little-endian tensor bytes. The rrsis card lives in ``__metadata__["rrsis_card"]``.
This module reads and rewrites that header and hashes the tensors with the same recipe
as :func:`rrsis.models.checkpoint.weights_sha256`, so the runtime flavour (no torch)
verifies a checkpoint exactly as the torch flavour does.

ONNX graphs exported from a checkpoint are listed in its card under ``onnx``::

    "onnx": {"graphs": {"image": {"file": "lgce-lite.onnx", "sha256": "..."},
                        "text": {"file": "lgce-lite.text.onnx", "sha256": "..."}},
             "external_weights": "lgce-lite.safetensors", "opset": 17, ...}

File names are relative to the checkpoint's folder; a graph's weights are read from the
checkpoint itself (ONNX external data), so the graph adds no second copy of them.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import struct
from pathlib import Path
from typing import Any, BinaryIO, Dict, Iterator, Optional, Tuple, Union

from ..errors import CheckpointError
from ..paths import replacing

__all__ = ["CARD_KEY", "read_header", "read_card", "check_checkpoint_path", "data_start",
           "weights_sha256_of_file", "file_sha256", "write_card", "onnx_graphs", "TORCH_DTYPE_NAMES"]

CARD_KEY = "rrsis_card"
MAX_HEADER_BYTES = 100 << 20
PathLike = Union[str, "os.PathLike[str]"]

#: safetensors dtype -> ``str(torch.dtype)``, the spelling hashed by ``weights_sha256``.
TORCH_DTYPE_NAMES = {
    "F64": "torch.float64", "F32": "torch.float32", "F16": "torch.float16",
    "BF16": "torch.bfloat16", "I64": "torch.int64", "I32": "torch.int32", "I16": "torch.int16",
    "I8": "torch.int8", "U8": "torch.uint8", "BOOL": "torch.bool",
}


def _read_raw_header(f: BinaryIO, name: str) -> Tuple[Dict[str, Any], int]:
    head = f.read(8)
    if len(head) != 8:
        raise CheckpointError(f"{name} is not a readable safetensors file (too short)")
    (length,) = struct.unpack("<Q", head)
    if length > MAX_HEADER_BYTES:
        raise CheckpointError(f"{name} is not a readable safetensors file (header too large)")
    raw = f.read(length)
    try:
        header = json.loads(raw)
    except ValueError as exc:
        raise CheckpointError(f"{name} is not a readable safetensors file: {exc}") from exc
    if not isinstance(header, dict):
        raise CheckpointError(f"{name} is not a readable safetensors file (header not an object)")
    return header, 8 + length


def read_header(path: PathLike) -> Tuple[Dict[str, Any], int]:
    """(header dict, byte offset where tensor data starts) of a safetensors file."""
    path = Path(path)
    check_checkpoint_path(path)
    try:
        with open(path, "rb") as f:
            return _read_raw_header(f, path.name)
    except OSError as exc:
        raise CheckpointError(f"{path.name} could not be read: {exc}") from exc


def data_start(path: PathLike) -> int:
    return read_header(path)[1]


def read_card(path: PathLike) -> Dict[str, Any]:
    """The model card of an own-format checkpoint; reads the header only, never torch."""
    from .card_check import check_config_bounds
    from .registry import ModelConfig

    path = Path(path)
    header, _ = read_header(path)
    meta = header.get("__metadata__") or {}
    if CARD_KEY not in meta:
        raise CheckpointError(f"{path.name} has no rrsis model card (not an rrsis checkpoint)")
    try:
        card = json.loads(meta[CARD_KEY])
        cfg = ModelConfig.from_dict(card["config"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointError(f"{path.name}: malformed model card: {exc}") from exc
    check_config_bounds(cfg, path.name)  # before anything is built from it
    return card


def check_checkpoint_path(path: Path) -> None:
    """Refuse a missing checkpoint, naming a symlink loop or a dangling link as such."""
    if path.is_file():
        return
    if os.path.islink(path):
        try:
            os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise CheckpointError(f"checkpoint {path} is a symbolic link loop") from None
            raise CheckpointError(f"checkpoint {path} is a symbolic link to "
                                  f"{os.readlink(path)}, which does not exist") from None
    if path.is_dir():
        raise CheckpointError(f"checkpoint {path} is a folder, not a file")
    raise CheckpointError(f"checkpoint not found: {path}")


def _tensor_ranges(header: Dict[str, Any]) -> Iterator[Tuple[str, Dict[str, Any]]]:
    for key in sorted(k for k in header if k != "__metadata__"):
        yield key, header[key]


def weights_sha256_of_file(path: PathLike) -> str:
    """``weights_sha256`` of a checkpoint computed from its bytes (no torch, streamed)."""
    path = Path(path)
    header, start = read_header(path)
    h = hashlib.sha256()
    size = path.stat().st_size
    with open(path, "rb") as f:
        for key, info in _tensor_ranges(header):
            try:
                dtype = TORCH_DTYPE_NAMES[info["dtype"]]
                shape = tuple(int(s) for s in info["shape"])
                begin, end = (int(o) for o in info["data_offsets"])
            except (KeyError, TypeError, ValueError) as exc:
                raise CheckpointError(f"{path.name}: malformed tensor entry {key!r}") from exc
            if start + end > size:
                raise CheckpointError(f"{path.name} is truncated (tensor {key!r})")
            h.update(f"{key}|{dtype}|{shape}\n".encode())
            f.seek(start + begin)
            remaining = end - begin
            while remaining > 0:
                chunk = f.read(min(remaining, 8 << 20))
                if not chunk:
                    raise CheckpointError(f"{path.name} is truncated (tensor {key!r})")
                h.update(chunk)
                remaining -= len(chunk)
    return h.hexdigest()


def file_sha256(path: PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(8 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _encode_header(header: Dict[str, Any]) -> bytes:
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    return raw + b" " * (-len(raw) % 8)  # safetensors pads the header with spaces to 8 bytes


def header_length_with_card(path: PathLike, card: Dict[str, Any]) -> int:
    """Where tensor data would start if ``card`` replaced the card of ``path``."""
    header, _ = read_header(path)
    header = dict(header)
    meta = dict(header.get("__metadata__") or {})
    meta[CARD_KEY] = json.dumps(card)
    header["__metadata__"] = meta
    return 8 + len(_encode_header(header))


def write_card(path: PathLike, card: Dict[str, Any], target: Optional[PathLike] = None) -> None:
    """Rewrite the card of ``path`` (tensors byte-identical) into ``target`` (default: in place).

    Written under a temporary name and renamed, so the original survives any failure.
    """
    path = Path(path)
    target = Path(target) if target else path
    header, start = read_header(path)
    meta = dict(header.get("__metadata__") or {})
    meta[CARD_KEY] = json.dumps(card)
    header = dict(header)
    header["__metadata__"] = meta
    encoded = _encode_header(header)
    mode = (target if target.exists() else path).stat().st_mode & 0o7777
    with replacing(target) as tmp:
        with open(tmp, "wb") as out, open(path, "rb") as src:
            out.write(struct.pack("<Q", len(encoded)))
            out.write(encoded)
            src.seek(start)
            for chunk in iter(lambda: src.read(8 << 20), b""):
                out.write(chunk)
        os.chmod(tmp, mode)


def onnx_graphs(path: PathLike, card: Optional[Dict[str, Any]] = None,
                verify: bool = True) -> Optional[Dict[str, Path]]:
    """{"image": Path, "text": Path} of the ONNX graphs the card lists, or None without any.

    With ``verify`` each graph's sha256 must match the card, else :class:`CheckpointError`.
    """
    path = Path(path)
    card = card if card is not None else read_card(path)
    entry = card.get("onnx") or {}
    graphs = entry.get("graphs") or {}
    if not {"image", "text"} <= set(graphs):
        return None
    out: Dict[str, Path] = {}
    for part in ("image", "text"):
        info = graphs[part]
        file = path.parent / str(info.get("file", ""))
        if Path(str(info.get("file", ""))).name != str(info.get("file", "")):
            raise CheckpointError(f"{path.name}: ONNX graph names must be plain file names")
        if not file.is_file():
            raise CheckpointError(f"{path.name}: its card lists the ONNX graph {file.name}, "
                                  f"which is missing beside it (re-export: rrsis export-onnx)")
        if verify and file_sha256(file) != info.get("sha256"):
            raise CheckpointError(f"{file.name} does not match the sha256 in the card of "
                                  f"{path.name} (corrupt or re-exported; rrsis export-onnx)")
        out[part] = file
    return out
