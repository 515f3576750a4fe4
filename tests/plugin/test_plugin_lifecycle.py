"""classFactory / initGui / unload leave nothing behind: actions, menus, dock, provider."""

from __future__ import annotations

from qgis.core import QgsApplication


def _rrsis_providers():
    return [p for p in QgsApplication.processingRegistry().providers() if p.id() == "rrsis"]


def test_load_show_dock_and_unload_twice(iface):
    import rrsis_qgis

    for _ in range(2):
        plugin = rrsis_qgis.classFactory(iface)
        plugin.initGui()
        assert len(_rrsis_providers()) == 1
        algs = {a.id() for a in _rrsis_providers()[0].algorithms()}
        assert algs == {"rrsis:segment", "rrsis:estimate", "rrsis:explain", "rrsis:evaluate",
                        "rrsis:build_dataset", "rrsis:segment_many", "rrsis:finetune"}
        assert len(iface.toolbar.actions()) == 1
        assert len(iface.raster_menus["&RRSIS"].actions()) == 2
        plugin.actions[0].setChecked(True)  # the toolbar action opens the dock
        assert len(iface.docks) == 1 and iface.docks[0].isVisible()
        assert iface.docks[0].windowTitle() == "Referring segmentation"
        plugin.unload()
        assert _rrsis_providers() == []
        assert iface.toolbar.actions() == []
        assert iface.raster_menus == {}
        assert iface.docks == []
        assert plugin.actions == [] and plugin.dock is None


def test_the_dock_opens_as_the_user_left_it(iface):
    """Open at the first start after installing (a panel, not an icon to find); closed by the
    user, it stays closed at the next start; opened again, it opens again."""
    import rrsis_qgis
    from rrsis_qgis import settings

    old = settings.get("dock_visible")
    settings.set("dock_visible", settings.DEFAULTS["dock_visible"])   # a new profile
    try:
        for expected, user_leaves_it in ((True, False), (False, True), (True, True)):
            plugin = rrsis_qgis.classFactory(iface)
            plugin.initGui()
            assert plugin.actions[0].isChecked() == expected
            assert (len(iface.docks) == 1 and iface.docks[0].isVisible()) == expected
            plugin.actions[0].setChecked(user_leaves_it)   # the toolbar button
            assert settings.get("dock_visible") == user_leaves_it
            plugin.unload()
            assert iface.docks == [] and settings.get("dock_visible") == user_leaves_it
    finally:
        settings.set("dock_visible", old)


def test_a_dock_tabbed_behind_another_panel_is_still_open(iface):
    """Tabbed with another panel and not the front tab, the dock is out of sight but open:
    the toolbar button stays checked and the next start opens it, as QGIS's own panels do."""
    import rrsis_qgis
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtWidgets import QDockWidget
    from rrsis_qgis import settings

    old = settings.get("dock_visible")
    settings.set("dock_visible", True)
    other = QDockWidget("Layer styling")
    try:
        plugin = rrsis_qgis.classFactory(iface)
        plugin.initGui()
        shown = []
        plugin.dock.visibilityChanged.connect(shown.append)
        iface.window.addDockWidget(Qt.RightDockWidgetArea, other)
        iface.window.tabifyDockWidget(plugin.dock, other)
        other.show()
        other.raise_()
        QgsApplication.processEvents()
        assert shown[-1] is False                                # behind the other tab
        assert plugin.actions[0].isChecked() and settings.get("dock_visible") is True
        plugin.dock.raise_()
        QgsApplication.processEvents()
        assert shown[-1] is True and plugin.actions[0].isChecked()
        plugin.actions[0].setChecked(False)                      # closed by the user
        assert settings.get("dock_visible") is False
        plugin.unload()
    finally:
        iface.window.removeDockWidget(other)
        other.deleteLater()
        settings.set("dock_visible", old)


def test_provider_explains_a_missing_backend(qgis_app, monkeypatch, tmp_path):
    from rrsis_qgis import settings
    from rrsis_qgis.processing.provider import RrsisProvider

    monkeypatch.delenv("RRSIS_BACKEND_PYTHON", raising=False)
    old = settings.get("backend_python")
    settings.set("backend_python", str(tmp_path / "missing" / "python"))
    try:
        assert "not installed" in RrsisProvider().warningMessage()
    finally:
        settings.set("backend_python", old)


def test_algorithms_run_in_their_own_thread(qgis_app):
    from qgis.core import QgsProcessingAlgorithm
    from rrsis_qgis.processing.estimate import EstimateAlgorithm
    from rrsis_qgis.processing.segment import SegmentAlgorithm

    for alg in (SegmentAlgorithm(), EstimateAlgorithm()):
        alg.initAlgorithm()
        assert not alg.flags() & QgsProcessingAlgorithm.FlagNoThreading
        assert alg.shortHelpString()
        assert {"INPUT", "EXPRESSION", "EXTENT", "MODEL", "DEVICE", "THRESHOLD", "MIN_AREA"} <= {
            p.name() for p in alg.parameterDefinitions()}
