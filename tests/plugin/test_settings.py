"""settings.py over real QgsSettings (a temporary profile)."""

from __future__ import annotations

import pytest
from qgis.core import QgsSettings




def test_defaults_have_their_types(clean_settings):
    from rrsis_qgis import settings

    for key, default in settings.DEFAULTS.items():
        value = settings.get(key)
        assert type(value) is type(default), key
        assert value == default


def test_values_round_trip_with_types(clean_settings):
    from rrsis_qgis import settings

    settings.set("threads", 3)
    settings.set("threshold", 0.35)
    settings.set("probability", True)
    settings.set("device", "cuda")
    assert settings.get("threads") == 3
    assert settings.get("threshold") == pytest.approx(0.35)
    assert settings.get("probability") is True
    assert settings.get("device") == "cuda"
    assert QgsSettings().value("rrsis/device") == "cuda"  # stored under the plugin prefix


def test_unknown_key_is_refused(clean_settings):
    from rrsis_qgis import settings

    with pytest.raises(KeyError):
        settings.set("no_such_key", 1)


def test_history_is_newest_first_unique_and_bounded(clean_settings):
    from rrsis_qgis import settings

    for i in range(settings.HISTORY_SIZE + 5):
        settings.remember_expression(f"expression {i}")
    settings.remember_expression("expression 3")
    items = settings.history()
    assert items[0] == "expression 3"
    assert items.count("expression 3") == 1
    assert len(items) == settings.HISTORY_SIZE
    assert items[1] == f"expression {settings.HISTORY_SIZE + 4}"
    QgsSettings().setValue("rrsis/history", "not json")
    assert settings.history() == []
