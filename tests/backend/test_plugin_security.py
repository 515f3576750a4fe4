"""The security scan plugins.qgis.org runs (Bandit), over the plugin, as part of the suite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_bandit_finds_nothing_in_the_plugin() -> None:
    pytest.importorskip("bandit")
    out = subprocess.run([sys.executable, "-m", "bandit", "-q", "-r", str(REPO / "rrsis_qgis"),
                          "-f", "json"], capture_output=True, text=True, timeout=300)
    report = json.loads(out.stdout)
    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
                for r in report["results"]]
    assert findings == []
