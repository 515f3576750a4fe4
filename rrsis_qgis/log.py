"""Messages to the QGIS log panel, tab "RRSIS"."""

from __future__ import annotations

from qgis.core import Qgis, QgsMessageLog

TAG = "RRSIS"


def info(message: str) -> None:
    QgsMessageLog.logMessage(message, TAG, Qgis.Info)


def warning(message: str) -> None:
    QgsMessageLog.logMessage(message, TAG, Qgis.Warning)


def critical(message: str) -> None:
    QgsMessageLog.logMessage(message, TAG, Qgis.Critical)
