"""Run inside the real QGIS desktop (``qgis --code``) by test_screenshot.py.

Adds the raster named by RRSIS_SHOT_RASTER, opens the RRSIS dock through the installed
plugin, runs a segmentation with the model RRSIS_SHOT_MODEL, and once the result layer is
drawn grabs the X screen into RRSIS_SHOT_PNG, writes RRSIS_SHOT_STATUS and quits.
"""

import json
import os
import subprocess  # nosec B404: xwd and convert, fixed argv
import traceback

import qgis.utils
from qgis.core import QgsApplication, QgsProject, QgsRasterLayer
from qgis.PyQt.QtCore import QTimer

STATUS = os.environ["RRSIS_SHOT_STATUS"]
_keep = []


def _write_status(**status):
    with open(STATUS, "w", encoding="utf-8") as f:
        json.dump(status, f)


def _quit(**status):
    _write_status(**status)
    QTimer.singleShot(200, QgsApplication.exit)


def _grab(added):
    try:
        iface = qgis.utils.iface
        iface.layerTreeView().expandAll()
        iface.mapCanvas().refreshAllLayers()
        xwd = subprocess.run(["xwd", "-root", "-silent"], capture_output=True, check=True,  # nosec B603 B607
                             timeout=60).stdout
        subprocess.run(["/usr/bin/convert", "xwd:-", "-colors", "256", "PNG8:" + os.environ["RRSIS_SHOT_PNG"]],  # nosec B603
                       input=xwd, check=True, timeout=60)
        _quit(ok=True, layers=[layer.name() for layer in added],
              features=[layer.featureCount() for layer in added if hasattr(layer, "featureCount")])
    except Exception:
        _quit(ok=False, error=traceback.format_exc())


def _finished(outcome, added):
    if outcome != "ok":
        _quit(ok=False, error=f"run {outcome}")
        return
    _keep.extend(added)
    group = QgsProject.instance().layerTreeRoot().findGroup("RRSIS results")
    if group is not None:
        group.setExpanded(True)
    QTimer.singleShot(4000, lambda: _grab(added))  # let the canvas draw the new layer


def _start():
    try:
        iface = qgis.utils.iface
        window = iface.mainWindow()
        window.setGeometry(0, 0, 1600, 1000)  # no window manager under Xvfb: size it ourselves
        raster = QgsRasterLayer(os.environ["RRSIS_SHOT_RASTER"], "aerial scene")
        QgsProject.instance().addMapLayer(raster)
        iface.setActiveLayer(raster)
        iface.mapCanvas().setExtent(raster.extent())
        plugin = qgis.utils.plugins["rrsis_qgis"]
        plugin.show_dock(True)
        dock = plugin.dock
        dock.raster.setLayer(raster)
        dock.extent.setCurrentIndex(dock.extent.findData("layer"))
        model = os.environ["RRSIS_SHOT_MODEL"]
        dock.model.addItem(model, model)
        dock.model.setCurrentIndex(dock.model.findData(model))
        dock.expression.setCurrentText(os.environ.get("RRSIS_SHOT_EXPRESSION", "vehicles along the road"))
        dock.advanced.setCollapsed(False)
        dock.threshold.setValue(float(os.environ.get("RRSIS_SHOT_THRESHOLD", "0.5")))
        dock.runFinished.connect(_finished)
        dock.run_button.click()
    except Exception:
        _quit(ok=False, error=traceback.format_exc())


QTimer.singleShot(3000, _start)
