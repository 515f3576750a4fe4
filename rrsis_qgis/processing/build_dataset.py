"""Algorithm ``rrsis:build_dataset`` — "Build referring dataset".

Sends ``build_dataset`` to the shared backend (raster + labels -> a training folder whose
tiles are prepared exactly as the engine serves them, split into train/val/test areas),
with progress and cancel like every RRSIS algorithm; cancelling leaves no folder.
"""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import QgsProcessingParameterFolderDestination, QgsProcessingParameterNumber

from .labels_params import LabelsAlgorithm, add_label_parameters, report_dataset


class BuildDatasetAlgorithm(LabelsAlgorithm):
    TILE_SIZE = "TILE_SIZE"
    OUTPUT = "OUTPUT"

    def name(self) -> str:
        return "build_dataset"

    def displayName(self) -> str:  # noqa: N802
        return self.tr("Build referring dataset")

    def shortHelpString(self) -> str:  # noqa: N802
        return self.tr(
            "Cuts a raster and its labels (polygons; lines with a width; points with a radius; "
            "a class field, with words for coded classes, or one class; or a class raster) "
            "into tiles, masks and "
            "referring expressions, split "
            "into train/val/test areas, for “Fine-tune model” or “rrsis finetune”. The log "
            "states each part's area and warns when the data is too small. Only the labels' "
            "area is used (ground nobody labelled is not taught as empty) unless an area is "
            "given; a web layer (XYZ, WMS) is rendered there and kept in the dataset.")

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802
        add_label_parameters(self)
        self.addParameter(QgsProcessingParameterNumber(
            self.TILE_SIZE, self.tr("Tile size (pixels)"), QgsProcessingParameterNumber.Integer,
            defaultValue=192, minValue=32))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT, self.tr("Dataset folder")))

    def processAlgorithm(self, parameters: Dict[str, Any], context: Any,  # noqa: N802
                         feedback: Any) -> Dict[str, Any]:
        request = dict(self.layers_read())
        out = self.parameterAsString(parameters, self.OUTPUT, context)
        request.update({"output": out, "overwrite": True,  # a destination the user accepted
                        "tile_size": self.parameterAsInt(parameters, self.TILE_SIZE, context)})
        summary = self.call_backend("build_dataset", request, feedback)
        report_dataset(self, summary, feedback)
        return {self.OUTPUT: out}
