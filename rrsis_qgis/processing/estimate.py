"""Algorithm ``rrsis:estimate`` ("Estimate run time"): tiles, seconds, peak memory, before a run."""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import QgsProcessingOutputNumber, QgsProcessingOutputString

from .common import RrsisAlgorithm


class EstimateAlgorithm(RrsisAlgorithm):
    TILES = "TILES"
    SECONDS = "SECONDS"
    PEAK_MEMORY_MB = "PEAK_MEMORY_MB"
    GSD_M = "GSD_M"
    DEVICE_USED = "DEVICE_USED"

    def name(self) -> str:
        return "estimate"

    def displayName(self) -> str:  # noqa: N802
        return self.tr("Estimate run time")

    def shortHelpString(self) -> str:  # noqa: N802
        return self.tr(
            "Estimates, without segmenting, how many tiles a run of “Segment raster by "
            "expression” with the same parameters needs, how many seconds it should take on the "
            "chosen device and its peak memory, so a large run can be planned.")

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802
        self.add_common_parameters()
        self.addOutput(QgsProcessingOutputNumber(self.TILES, self.tr("Tiles")))
        self.addOutput(QgsProcessingOutputNumber(self.SECONDS, self.tr("Seconds")))
        self.addOutput(QgsProcessingOutputNumber(self.PEAK_MEMORY_MB, self.tr("Peak memory (MB)")))
        self.addOutput(QgsProcessingOutputNumber(self.GSD_M, self.tr("Model GSD (m)")))
        self.addOutput(QgsProcessingOutputString(self.DEVICE_USED, self.tr("Device")))

    def processAlgorithm(self, parameters: Dict[str, Any], context: Any,  # noqa: N802
                         feedback: Any) -> Dict[str, Any]:
        request = dict(self.layers_read())
        result = self.call_backend("estimate", request, feedback)
        feedback.pushInfo(self.tr("{} tiles, about {:.0f} s, peak {:.0f} MB on {}").format(
            result.get("tiles"), float(result.get("seconds") or 0),
            float(result.get("peak_memory_mb") or 0), result.get("device")))
        return {self.TILES: result.get("tiles"), self.SECONDS: result.get("seconds"),
                self.PEAK_MEMORY_MB: result.get("peak_memory_mb"), self.GSD_M: result.get("gsd_m"),
                self.DEVICE_USED: result.get("device")}
