"""Processing provider "RRSIS" (id ``rrsis``): id, name, icon and the algorithm list."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .. import backend
from ..resources import icon_path


class RrsisProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "rrsis"

    def name(self) -> str:
        return "RRSIS"

    def longName(self) -> str:  # noqa: N802
        return self.tr("Referring remote sensing image segmentation")

    def icon(self) -> QIcon:
        return QIcon(icon_path())

    def svgIconPath(self) -> str:  # noqa: N802
        return icon_path()

    def warningMessage(self) -> str:  # noqa: N802
        if backend.installed():
            return ""
        return self.tr("The RRSIS backend is not installed: Plugins → RRSIS → Settings → "
                       "Install backend…, or set RRSIS_BACKEND_PYTHON.")

    def loadAlgorithms(self) -> None:  # noqa: N802
        from .build_dataset import BuildDatasetAlgorithm
        from .estimate import EstimateAlgorithm
        from .evaluate import EvaluateAlgorithm
        from .explain import ExplainAlgorithm
        from .finetune import FinetuneAlgorithm
        from .segment import SegmentAlgorithm
        from .segment_many import SegmentManyAlgorithm

        for alg in (SegmentAlgorithm(), EstimateAlgorithm(), ExplainAlgorithm(),
                    EvaluateAlgorithm(), BuildDatasetAlgorithm(), SegmentManyAlgorithm(),
                    FinetuneAlgorithm()):
            self.addAlgorithm(alg)
