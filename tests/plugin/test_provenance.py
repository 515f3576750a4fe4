"""provenance.py: layer sources stored in results without credentials or API keys (pure stdlib)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rrsis_qgis.provenance import REDACTED, round_gsd, strip_credentials  # noqa: E402


@pytest.mark.parametrize("source, secrets, kept", [
    ("type=xyz&url=https://tiles.example.com/%7Bz%7D/%7Bx%7D/%7By%7D.png?api_key%3DSECRET1"
     "%26style%3Dsatellite&zmax=19&zmin=0",
     ["SECRET1"], ["tiles.example.com/{z}/{x}/{y}.png", "style%3Dsatellite", "zmax=19"]),
    ("type=xyz&url=https://alice:pa55@t.example.com/{z}/{x}/{y}.jpg?access_token=tok123&zmax=20",
     ["alice", "pa55", "tok123"], ["t.example.com/{z}/{x}/{y}.jpg"]),
    ("contextualWMSLegend=0&crs=EPSG:3857&format=image/png&layers=ortho&password=hunter2"
     "&styles&username=bob&authcfg=ab12cd3&url=https://wms.example.com/wms?map%3Dx%26TOKEN%3Dzz9",
     ["hunter2", "bob", "ab12cd3", "zz9"], ["layers=ortho", "crs=EPSG:3857", "styles"]),
    ("https://u:p@services.example.com/arcgis/rest/services/Ortho/ImageServer?token=T0K&f=json",
     ["u:p", "T0K"], ["services.example.com/arcgis/rest/services/Ortho/ImageServer", "f=json"]),
    ("crs='EPSG:3857' format='PNG32' layer='0' url='https://x.example/MapServer' "
     "referer='' password='pw1' username='me' authcfg='x9y8z7'",
     ["pw1", "me'", "x9y8z7"], ["url='https://x.example/MapServer'", "layer='0'"]),
])
def test_secrets_leave_and_the_rest_stays(source, secrets, kept):
    cleaned = strip_credentials(source)
    for secret in secrets:
        assert secret not in cleaned
    for part in kept:
        assert part in cleaned


def test_redacted_parameters_say_so_and_plain_paths_are_untouched():
    assert strip_credentials("https://example.com/a?key=1&b=2") == \
        f"https://example.com/a?key={REDACTED}&b=2"
    assert strip_credentials("/data/scene.tif") == "/data/scene.tif"
    assert strip_credentials("file:///tmp/tiles/{z}/{x}/{y}.png") == \
        "file:///tmp/tiles/{z}/{x}/{y}.png"


def test_gsd_is_rounded_to_two_significant_digits():
    assert round_gsd(0.07436600960392922) == 0.074
    assert round_gsd(0.15) == 0.15 and round_gsd(1.234) == 1.2
    assert round_gsd(None) is None and round_gsd(0) is None
