"""Algorithm ``rrsis:segment_many`` — "Segment many rasters".

A folder and/or a list of raster layers go to the backend's ``batch`` method, which
runs them on a local Dask cluster (one model kept warm per worker process), records
each raster in a manifest in the output folder (a re-run with the same folder resumes:
finished rasters are skipped) and merges all objects into one layer, joining objects cut
by the borders of adjacent tiles. Progress counts rasters; cancel stops the batch and
keeps what is finished.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from qgis.core import (QgsProcessing, QgsProcessingException, QgsProcessingOutputNumber,
                       QgsProcessingParameterCrs, QgsProcessingParameterFeatureSink,
                       QgsProcessingParameterFile,
                       QgsProcessingParameterFolderDestination,
                       QgsProcessingParameterMultipleLayers, QgsProcessingParameterNumber,
                       QgsProcessingParameterString, QgsProcessingUtils)

from .. import layers, render
from ..params import QGIS_PIXEL_FRAME, as_advanced
from ..plans import objects_text
from .common import RrsisAlgorithm


class SegmentManyAlgorithm(RrsisAlgorithm):
    FOLDER = "FOLDER"
    LAYERS = "LAYERS"
    WORKERS = "WORKERS"
    CRS = "CRS"
    OUTPUT_DIR = "OUTPUT_DIR"
    OUTPUT = "OUTPUT"
    FEATURE_COUNT = "FEATURE_COUNT"
    RASTERS_DONE = "RASTERS_DONE"
    RASTERS_FAILED = "RASTERS_FAILED"

    def name(self) -> str:
        return "segment_many"

    def displayName(self) -> str:  # noqa: N802
        return self.tr("Segment many rasters")

    def shortHelpString(self) -> str:  # noqa: N802
        return self.tr(
            "Segments every raster of a folder and/or a list of raster layers by the same "
            "expression(s), in parallel worker processes on this machine (a local Dask "
            "cluster, the model loaded once per worker), and merges all objects into one layer "
            "with a 'source' field. Objects cut by the borders of adjacent tiles of one grid "
            "(same CRS and pixel size, aligned) are joined. The output folder keeps one "
            "GeoPackage per raster, merged.gpkg, merged.parquet and manifest.sqlite: run again "
            "with the same folder to resume after a cancel or a failure; finished rasters are "
            "skipped. A raster that cannot be read is reported and does not stop the others. "
            "Rasters without a CRS (drone photos) are segmented in the pixel units QGIS draws "
            "them in, at the pixel size given (advanced), and their objects come back without a "
            "CRS, each with its photo in 'source'.")

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            self.FOLDER, self.tr("Folder of rasters"),
            behavior=QgsProcessingParameterFile.Folder, optional=True))
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.LAYERS, self.tr("Raster layers"), QgsProcessing.TypeRaster, optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.EXPRESSION, self.tr("Expression(s), one per line"), multiLine=True))
        self.add_model_parameters()
        self.add_pixel_size_parameter()
        self.addParameter(as_advanced(QgsProcessingParameterNumber(
            self.WORKERS, self.tr("Worker processes (0: sized to this machine)"),
            QgsProcessingParameterNumber.Integer, defaultValue=0, minValue=0, optional=True)))
        self.addParameter(as_advanced(QgsProcessingParameterCrs(
            self.CRS, self.tr("CRS of the result (default: the rasters' own, else EPSG:4326)"),
            optional=True)))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_DIR, self.tr("Output folder (per-raster results, manifest; reuse it "
                                     "to resume)")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Segmented objects (all rasters)"),
            QgsProcessing.TypeVectorPolygon))
        self.addOutput(QgsProcessingOutputNumber(self.FEATURE_COUNT, self.tr("Number of objects")))
        self.addOutput(QgsProcessingOutputNumber(self.RASTERS_DONE, self.tr("Rasters done")))
        self.addOutput(QgsProcessingOutputNumber(self.RASTERS_FAILED, self.tr("Rasters failed")))

    def read_layers(self, parameters: Dict[str, Any], context: Any,
                    feedback: Any) -> List[str]:
        """The folder and the files of the raster layers chosen."""
        inputs: List[str] = []
        folder = self.parameterAsFile(parameters, self.FOLDER, context)
        if folder:
            inputs.append(folder)
        for layer in self.parameterAsLayerList(parameters, self.LAYERS, context) or []:
            inputs.append(render.source_path(layer))
        if not inputs:
            raise QgsProcessingException(self.tr("Give a folder of rasters or raster layers."))
        return inputs

    def processAlgorithm(self, parameters: Dict[str, Any], context: Any,  # noqa: N802
                         feedback: Any) -> Dict[str, Any]:
        request = self.model_request(parameters, context)
        request["inputs"] = list(self.layers_read())
        request["output_dir"] = self.parameterAsString(parameters, self.OUTPUT_DIR, context)
        workers = self.parameterAsInt(parameters, self.WORKERS, context)
        if workers > 0:
            request["workers"] = workers
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        if crs.isValid():
            request["crs"] = crs.authid() or crs.toWkt()
        # a raster without a CRS (drone photos) in the pixel units QGIS draws it in
        request.update(QGIS_PIXEL_FRAME)
        pixel_size = self.parameterAsDouble(parameters, self.PIXEL_SIZE, context)
        if pixel_size:
            request["pixel_size_m"] = pixel_size
        result = self.call_backend("batch", request, feedback)
        feedback.pushInfo(self.tr("{} raster(s): {} done, {} skipped (done before), {} failed; "
                                  "{}, {:.4f} km², {:.1f} s").format(
            result.get("rasters"), result.get("done"), result.get("skipped"),
            result.get("failed"), objects_text(int(result.get("features") or 0)),
            float(result.get("km2") or 0),
            float(result.get("seconds") or 0)))
        for failure in result.get("failures") or []:
            feedback.reportError(self.tr("{}: {}").format(failure.get("path"),
                                                          failure.get("error")), fatalError=False)
        dest_id, count = self.copy_to_sink(f"{result['merged']}|layername=rrsis", parameters,
                                           self.OUTPUT, context, feedback)
        self._pixel_frame = dest_id if not result.get("crs") else None
        return {self.OUTPUT: dest_id, self.FEATURE_COUNT: count,
                self.RASTERS_DONE: int(result.get("done", 0)) + int(result.get("skipped", 0)),
                self.RASTERS_FAILED: int(result.get("failed", 0)),
                self.OUTPUT_DIR: result.get("output_dir")}

    _pixel_frame: Optional[str] = None   # the output, when its objects have no CRS

    def postProcessAlgorithm(self, context: Any, feedback: Any) -> Dict[str, Any]:  # noqa: N802
        """Objects of rasters without a CRS get none either: Processing gives a memory output
        EPSG:4326 where the sink has none."""
        if self._pixel_frame:
            layer = QgsProcessingUtils.mapLayerFromString(self._pixel_frame, context)
            if layer is not None and layer.isValid():
                layers.keep_pixel_frame(layer, QGIS_PIXEL_FRAME)
        return {}
