"""rrsis_qgis.request_table: ids, requests in flight, outcomes and callbacks (stdlib only)."""

from __future__ import annotations

import threading
from typing import Any, Dict, List

import pytest

from rrsis_qgis.backend_error import BackendError
from rrsis_qgis.request_table import DONE_KEPT, Pending, RequestTable


def _table(notes: List[str], idle: List[str]) -> RequestTable:
    return RequestTable(threading.RLock(), notes.append, lambda: True,
                        lambda: idle.append("ready"))


def test_outcomes_reach_callbacks_and_waiters_and_idle_is_announced_once() -> None:
    notes: List[str] = []
    idle: List[str] = []
    table = _table(notes, idle)
    seen: Dict[str, Any] = {}
    a, b = table.new_id(), table.new_id()
    assert a != b
    table.add(Pending(a, "segment", lambda p: seen.setdefault("progress", p),
                      lambda r: seen.setdefault("result", r), None))
    table.add(Pending(b, "estimate", None, None, lambda e: seen.setdefault("error", e)))
    table.progress(a, {"fraction": 0.5})
    assert table.finish(a, result={"output": "x.gpkg"})
    assert idle == []  # b still runs
    table.fail("crashed", "the backend process died", "stderr tail")
    assert idle == ["ready"]
    assert seen == {"progress": {"fraction": 0.5}, "result": {"output": "x.gpkg"},
                    "error": {"id": b, "code": "crashed", "message": "the backend process died",
                              "detail": "stderr tail"}}
    assert table.wait(a) == {"output": "x.gpkg"}  # a late wait still gets it
    with pytest.raises(BackendError) as info:
        table.wait(b)
    assert (info.value.code, info.value.detail) == ("crashed", "stderr tail")
    assert not table.finish(a, result={})  # once only


def test_a_failing_callback_is_noted_not_raised_and_old_outcomes_are_forgotten() -> None:
    notes: List[str] = []
    table = _table(notes, [])

    def broken(_: Dict[str, Any]) -> None:
        raise RuntimeError("callback bug")

    first = table.new_id()
    table.add(Pending(first, "segment", None, broken, None))
    table.finish(first, result={})
    assert len(notes) == 1 and "callback bug" in notes[0]
    for _ in range(DONE_KEPT):
        rid = table.new_id()
        table.add(Pending(rid, "models", None, None, None))
        table.finish(rid, result={})
    with pytest.raises(BackendError, match="no request"):
        table.wait(first)
    rid = table.new_id()
    table.add(Pending(rid, "segment", None, None, None))
    with pytest.raises(BackendError) as info:
        table.wait(rid, timeout=0.05)
    assert info.value.code == "timeout" and table.in_flight(rid)
