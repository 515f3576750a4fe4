"""Run inside the real QGIS desktop (``qgis --code``) by test_screenshot.py.

Adds the raster named by RRSIS_SHOT_RASTER (or the XYZ layer RRSIS_SHOT_XYZ, a data-source
URI), opens the RRSIS dock through the installed plugin, runs one segmentation per
expression of RRSIS_SHOT_EXPRESSION ("|"-separated) with the model RRSIS_SHOT_MODEL on the
visible extent, and once the result layers are drawn grabs the X screen into
RRSIS_SHOT_PNG, writes RRSIS_SHOT_STATUS and quits.
"""

import json
import os
import subprocess  # nosec B404: xwd and convert, fixed argv
import traceback

import qgis.utils
from qgis.core import QgsApplication, QgsProject, QgsRasterLayer, QgsRectangle
from qgis.PyQt.QtCore import QTimer

STATUS = os.environ["RRSIS_SHOT_STATUS"]
_keep = []


def _write_status(**status):
    with open(STATUS, "w", encoding="utf-8") as f:
        json.dump(status, f)


def _quit(**status):
    _write_status(**status)
    QTimer.singleShot(200, QgsApplication.exit)


def _tidy():
    """Results group open; QGIS's own "Task complete" notes off the bar, so the dock's answer shows."""
    iface = qgis.utils.iface
    group = QgsProject.instance().layerTreeRoot().findGroup("RRSIS results")
    if group is not None:
        group.setExpanded(True)
    iface.layerTreeView().expandAll()
    bar = iface.messageBar()
    for item in list(bar.items()):
        if "Task complete" in item.title():
            bar.popWidget(item)


def _grab(added):
    try:
        iface = qgis.utils.iface
        iface.mapCanvas().refreshAllLayers()
        xwd = subprocess.run(["xwd", "-root", "-silent"], capture_output=True, check=True,  # nosec B603 B607
                             timeout=60).stdout
        subprocess.run(["/usr/bin/convert", "xwd:-", "-colors", "256", "PNG8:" + os.environ["RRSIS_SHOT_PNG"]],  # nosec B603
                       input=xwd, check=True, timeout=60)
        _quit(ok=True, layers=[layer.name() for layer in added],
              features=[layer.featureCount() for layer in added if hasattr(layer, "featureCount")])
    except Exception:
        _quit(ok=False, error=traceback.format_exc())


_pending = []


def _zoom():
    """The canvas on RRSIS_SHOT_EXTENT (QGIS zooms to the full extent of a first layer later)."""
    if os.environ.get("RRSIS_SHOT_EXTENT"):
        canvas = qgis.utils.iface.mapCanvas()
        canvas.setExtent(QgsRectangle(*map(float, os.environ["RRSIS_SHOT_EXTENT"].split(","))))
        canvas.refresh()


def _finished(outcome, added):
    if outcome != "ok":
        bar = [item.text() for item in qgis.utils.iface.messageBar().items()]
        _quit(ok=False, error=f"run {outcome}: {bar}")
        return
    _keep.extend(added)
    if _pending:  # the next expression, as an analyst would type it after the first answer
        dock = qgis.utils.plugins["rrsis_qgis"].dock
        QTimer.singleShot(1500, lambda: (_zoom(), dock.expression.setCurrentText(_pending.pop(0)),
                                         dock.run_button.click()))
        return
    group = QgsProject.instance().layerTreeRoot().findGroup("RRSIS results")
    if group is not None:
        group.setExpanded(True)
    QTimer.singleShot(3000, _tidy)
    QTimer.singleShot(4500, lambda: _grab(list(_keep)))  # let the canvas draw the new layer


def _start():
    try:
        iface = qgis.utils.iface
        window = iface.mainWindow()
        window.setGeometry(0, 0, 1600, 1000)  # no window manager under Xvfb: size it ourselves
        if os.environ.get("RRSIS_SHOT_XYZ"):
            raster = QgsRasterLayer(os.environ["RRSIS_SHOT_XYZ"], "Kampala orthophoto (XYZ)",
                                    "wms")
            QgsProject.instance().addMapLayer(raster)
            iface.mapCanvas().setDestinationCrs(raster.crs())
            _zoom()
        else:
            raster = QgsRasterLayer(os.environ["RRSIS_SHOT_RASTER"], "aerial scene")
            QgsProject.instance().addMapLayer(raster)
            iface.mapCanvas().setExtent(raster.extent())
        iface.setActiveLayer(raster)
        plugin = qgis.utils.plugins["rrsis_qgis"]
        plugin.show_dock(True)
        dock = plugin.dock
        dock.raster.setLayer(raster)
        dock.extent.setCurrentIndex(dock.extent.findData(
            "visible" if os.environ.get("RRSIS_SHOT_XYZ") else "layer"))
        model = os.environ["RRSIS_SHOT_MODEL"]
        dock.model.addItem(model, model)
        dock.model.setCurrentIndex(dock.model.findData(model))
        expressions = os.environ.get("RRSIS_SHOT_EXPRESSION", "vehicles along the road").split("|")
        _pending.extend(expressions[1:])
        dock.expression.setCurrentText(expressions[0])
        dock.advanced.setCollapsed(False)
        dock.threshold.setValue(float(os.environ.get("RRSIS_SHOT_THRESHOLD", "0.5")))
        dock.runFinished.connect(_finished)
        dock.run_button.click()
    except Exception:
        _quit(ok=False, error=traceback.format_exc())


QTimer.singleShot(3000, _start)
