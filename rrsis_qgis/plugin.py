"""``RrsisPlugin``: actions, the dock and the Processing provider; everything removed on unload."""

from __future__ import annotations

from typing import Any, List, Optional

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from . import settings
from .resources import icon_path

MENU = "&RRSIS"


class RrsisPlugin:
    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.actions: List[QAction] = []
        self.dock: Optional[Any] = None
        self.provider: Optional[Any] = None
        self.settings_dialog: Optional[Any] = None

    @staticmethod
    def tr(text: str) -> str:
        return QCoreApplication.translate("RrsisPlugin", text)

    def initProcessing(self) -> None:  # noqa: N802 (QGIS calls it by this name)
        from .processing.provider import RrsisProvider

        provider = RrsisProvider()
        # the registry refuses (and deletes) a second provider with the same id
        if QgsApplication.processingRegistry().addProvider(provider):
            self.provider = provider

    def initGui(self) -> None:  # noqa: N802
        self.initProcessing()
        icon = QIcon(icon_path())
        dock_action = QAction(icon, self.tr("Referring segmentation"), self.iface.mainWindow())
        dock_action.setCheckable(True)
        dock_action.toggled.connect(self.show_dock)
        settings_action = QAction(QIcon(icon_path("settings.svg")), self.tr("Settings…"),
                                  self.iface.mainWindow())
        settings_action.triggered.connect(self.show_settings)
        self.iface.addToolBarIcon(dock_action)
        for action in (dock_action, settings_action):
            self.iface.addPluginToRasterMenu(MENU, action)
        self.actions = [dock_action, settings_action]
        if settings.get("dock_visible"):   # as the user left it; open at the first start
            dock_action.setChecked(True)    # after installing: a panel, not an icon to find

    def show_dock(self, visible: bool = True) -> None:
        if self.dock is None:
            if not visible:
                return
            from .dock import RrsisDock

            self.dock = RrsisDock(self.iface, self.iface.mainWindow())
            self.iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
            self.dock.visibilityChanged.connect(self._dock_visibility)
        self.dock.setVisible(visible)
        if visible:
            self.dock.raise_()

    def _dock_visibility(self, visible: bool) -> None:
        """Opened or closed by the user, remembered for the next start. A dock tabbed behind
        another panel is not visible but still open (Qt's own view action stays checked), so
        what counts is whether it is hidden, not whether it shows."""
        is_open = self.dock is not None and not self.dock.isHidden()
        settings.set("dock_visible", is_open)
        if self.actions:
            self.actions[0].blockSignals(True)
            self.actions[0].setChecked(is_open)
            self.actions[0].blockSignals(False)

    def show_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        self.settings_dialog = SettingsDialog(self.iface.mainWindow())
        self.settings_dialog.show()

    def unload(self) -> None:
        from . import backend

        for dialog in (getattr(self.dock, "dialog", None),
                       getattr(self.settings_dialog, "install_dialog", None)):
            if dialog is not None:
                dialog.close()  # an installer still running is cancelled
        if self.dock is not None:
            self.dock.cancel()
            self.dock.visibilityChanged.disconnect(self._dock_visibility)   # not the user's
            self.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None
        for action in self.actions:
            self.iface.removePluginRasterMenu(MENU, action)
            self.iface.removeToolBarIcon(action)
            action.deleteLater()
        self.actions = []
        if self.settings_dialog is not None:
            self.settings_dialog.close()
            self.settings_dialog = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        backend.reset()
