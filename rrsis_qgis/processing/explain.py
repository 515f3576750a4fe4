"""Algorithm ``rrsis:explain`` ("Explain expressions"): how a run would read its expressions.

The same plans the dock shows under its box and ``rrsis explain`` prints, for Processing's
toolbox, models and ``qgis_process``: no raster, no model run (the backend's ``explain``).
"""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import QgsProcessingOutputString, QgsProcessingParameterString

from .common import RrsisAlgorithm


class ExplainAlgorithm(RrsisAlgorithm):
    PLANS = "PLANS"
    TEXT = "TEXT"

    def name(self) -> str:
        return "explain"

    def displayName(self) -> str:  # noqa: N802
        return self.tr("Explain expressions")

    def shortHelpString(self) -> str:  # noqa: N802
        return self.tr(
            "How “Segment raster by expression” would read each expression with this model: "
            "what it segments, which attributes and relations it computes in metres (“cars "
            "within 20 m of the river”), what goes to the model whole, and which words the "
            "model does not know (“no object matches”). Nothing is segmented: no raster, no "
            "model run.")

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterString(
            self.EXPRESSION, self.tr("Expression(s), one per line"), multiLine=True))
        self.add_model_parameter()
        self.add_rivals_parameter(advanced=False)
        self.addOutput(QgsProcessingOutputString(self.PLANS, self.tr("Plans (one line each)")))
        self.addOutput(QgsProcessingOutputString(self.TEXT, self.tr("Explanation")))

    def processAlgorithm(self, parameters: Dict[str, Any], context: Any,  # noqa: N802
                         feedback: Any) -> Dict[str, Any]:
        result = self.call_backend("explain", self.reading_request(parameters, context), feedback)
        plans = result.get("plans") or {}
        text = "\n\n".join(str(p.get("text") or "") for p in plans.values())
        for line in text.splitlines():
            feedback.pushInfo(line)
        summary = "\n".join(f"{e}: {p.get('summary')}" for e, p in plans.items())
        return {self.PLANS: summary, self.TEXT: text}
