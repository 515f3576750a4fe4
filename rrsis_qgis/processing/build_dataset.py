"""Algorithm ``rrsis:build_dataset`` — "Build referring dataset".

Runs ``rrsis build-dataset`` (raster + labelled polygons -> RefSegRS-format folder, ready for
``rrsis finetune``) with the backend's interpreter, as a child process of this algorithm's
thread; cancelling the algorithm terminates the child (the backend writes under a temporary
name, so nothing half-written remains).
"""

from __future__ import annotations

import subprocess  # nosec B404: the backend CLI, fixed argv, no shell
import tempfile
import time
from typing import Any, Dict, List

from qgis.core import (QgsProcessing, QgsProcessingException,
                       QgsProcessingParameterField, QgsProcessingParameterFolderDestination,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterLayer,
                       QgsProcessingParameterVectorLayer, QgsProviderRegistry)

from .. import backend
from ..client import clean_env
from .common import AlgorithmBase


class BuildDatasetAlgorithm(AlgorithmBase):
    INPUT = "INPUT"
    LABELS = "LABELS"
    CLASS_FIELD = "CLASS_FIELD"
    GSD = "GSD"
    TILE_SIZE = "TILE_SIZE"
    OUTPUT = "OUTPUT"

    def name(self) -> str:
        return "build_dataset"

    def displayName(self) -> str:  # noqa: N802
        return self.tr("Build referring dataset")

    def shortHelpString(self) -> str:  # noqa: N802
        return self.tr(
            "Cuts a raster and polygons labelled with a class attribute into tiles, masks and "
            "referring expressions in the RefSegRS layout, split into train/val/test by area, "
            "for fine-tuning a model on your own data with “rrsis finetune”.")

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, self.tr("Raster")))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.LABELS, self.tr("Labelled polygons"), [QgsProcessing.TypeVectorPolygon]))
        self.addParameter(QgsProcessingParameterField(
            self.CLASS_FIELD, self.tr("Class field"), parentLayerParameterName=self.LABELS))
        self.addParameter(QgsProcessingParameterNumber(
            self.GSD, self.tr("Tile GSD in metres (0: the raster's)"),
            QgsProcessingParameterNumber.Double, defaultValue=0.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.TILE_SIZE, self.tr("Tile size (pixels)"), QgsProcessingParameterNumber.Integer,
            defaultValue=480, minValue=32))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT, self.tr("Dataset folder")))

    def processAlgorithm(self, parameters: Dict[str, Any], context: Any,  # noqa: N802
                         feedback: Any) -> Dict[str, Any]:
        raster = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        if raster is None:
            raise QgsProcessingException(self.invalidRasterError(parameters, self.INPUT))
        raster_path = QgsProviderRegistry.instance().decodeUri(
            raster.providerType(), raster.source()).get("path") or raster.source()
        labels = self.parameterAsCompatibleSourceLayerPath(
            parameters, self.LABELS, context, ["gpkg", "geojson", "shp"], "gpkg", feedback)
        python = backend.backend_python()
        if python is None:
            raise QgsProcessingException(self.tr("The RRSIS backend is not installed."))
        out = self.parameterAsString(parameters, self.OUTPUT, context)
        argv: List[str] = [python, "-m", "rrsis", "build-dataset", raster_path, labels,
                           "--class-field", self.parameterAsString(parameters, self.CLASS_FIELD,
                                                                   context),
                           "-o", out, "--overwrite",
                           "--tile-size", str(self.parameterAsInt(parameters, self.TILE_SIZE,
                                                                  context))]
        gsd = self.parameterAsDouble(parameters, self.GSD, context)
        if gsd > 0:
            argv += ["--gsd", repr(gsd)]
        feedback.pushCommandInfo(" ".join(argv))
        with tempfile.TemporaryFile("w+", encoding="utf-8") as log:  # a pipe could fill up
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,  # nosec B603
                                    env=clean_env(backend.backend_env()))
            while proc.poll() is None:
                if feedback.isCanceled():
                    proc.terminate()
                    try:
                        proc.wait(10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                    raise QgsProcessingException(self.tr("Cancelled."))
                time.sleep(0.1)
            log.seek(0)
            output = log.read()
        for line in output.splitlines():
            feedback.pushConsoleInfo(line)
        if proc.returncode != 0:
            raise QgsProcessingException(self.tr("rrsis build-dataset failed ({}): {}").format(
                proc.returncode, output.strip().splitlines()[-1:] or ""))
        return {self.OUTPUT: out}
