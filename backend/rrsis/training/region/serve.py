"""The server's ``build_dataset`` and ``finetune`` handlers: wire params -> the library calls.

The wire names are the library's keyword names (two renames below), and an absent or null
parameter is simply not passed: the library's signature is the one place its default lives
(a default the protocol table states is checked against it by the tests)."""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping

__all__ = ["build_dataset", "finetune", "parse_floats", "library_kwargs", "WIRE_TO_LIBRARY"]

#: wire name -> keyword of build_region_dataset / finetune_region, where they differ
WIRE_TO_LIBRARY = {"build_dataset": {"split": "split_shares"},
                   "finetune": {"model": "base_model"}}


def parse_floats(text: str, n: int, what: str) -> tuple:
    """"1,2,3" -> (1.0, 2.0, 3.0), exactly ``n`` of them (``what`` names the value in errors)."""
    from ...errors import InputError

    try:
        values = tuple(float(x) for x in text.split(","))
    except ValueError:
        values = ()
    if len(values) != n:
        raise InputError(f"{what} must be {n} comma-separated numbers, got {text!r}")
    return values


def library_kwargs(method: str, params: Mapping[str, Any]) -> Dict[str, Any]:
    """The keyword arguments of ``method``'s library call, under the library's names: the
    required params as sent (an empty path is the library's to refuse), the others where they
    carry a value (null and an empty string mean "not set")."""
    from ...protocol import METHODS

    spec, renames = METHODS[method].params, WIRE_TO_LIBRARY[method]
    return {renames.get(k, k): v for k, v in params.items()
            if spec[k].required or (v is not None and v != "")}


def build_dataset(params: Dict[str, Any], progress: Callable[[Any], None],
                  cancel: Callable[[], bool]) -> Dict[str, Any]:
    from .build import build_region_dataset

    kwargs = library_kwargs("build_dataset", params)
    if "split_shares" in kwargs:
        kwargs["split_shares"] = parse_floats(kwargs["split_shares"], 3, "split")
    raster, labels, output = (kwargs.pop(k) for k in ("raster", "labels", "output"))
    return build_region_dataset(raster, labels, output, progress=progress, cancelled=cancel,
                                **kwargs)


def finetune(params: Dict[str, Any], progress: Callable[[Any], None],
             cancel: Callable[[], bool]) -> Dict[str, Any]:
    from .finetune import finetune_region

    kwargs = library_kwargs("finetune", params)
    dataset, name = kwargs.pop("dataset"), kwargs.pop("name")
    return finetune_region(dataset, name, progress=progress, cancelled=cancel, **kwargs)
