"""The "Referring segmentation" dock: reads its widgets into a request and shows the run.

No segmentation logic here: requests are plain dicts (see :func:`build_segment_request`),
the work is a :class:`~rrsis_qgis.task.BackendTask`, results become layers in
:mod:`rrsis_qgis.layers`.

Over 300 lines on purpose: one Qt widget, its layout and its slots; the work it starts
lives in client, render, layers and params.
"""

from __future__ import annotations

import functools
import html
import re
import time
from typing import Any, Dict, List, Optional, Tuple

from qgis.core import (Qgis, QgsApplication, QgsMapLayerProxyModel, QgsProject,
                       QgsRasterLayer, QgsRectangle, QgsVectorLayer)
from qgis.gui import QgsCollapsibleGroupBox, QgsDockWidget, QgsMapLayerComboBox
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout,
                                 QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget)

from . import (answers, backend, bands, diagnosis, extents, layers, log, params, plans, render,
               settings)
from .client import BackendError
from .preview import PlanPreview
from .task import BackendTask

STATE_TEXT = {
    "not_installed": "Backend: not installed",
    "stopped": "Backend: starts when an expression is typed or run",
    "starting": "Backend: starting…",
    "ready": "Backend: ready on {device}",
    "busy": "Backend: busy",
    "crashed": "Backend: crashed → restarting on the next run",
}


def best_device(hello: Optional[Dict[str, Any]], wanted: str) -> str:
    devices = (hello or {}).get("devices") or []
    types = [str(d.get("type", "")).lower() for d in devices]
    if wanted == "cpu":
        return "CPU"
    if "cuda" in types:
        return "CUDA"
    return "CPU"


def output_name(expression: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", expression).strip("-").lower()[:40] or "run"
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{slug}-{int(time.time() * 1000) % 1000:03d}"


class RrsisDock(QgsDockWidget):
    """Expression, raster, extent, model, device; Run/Cancel with progress and ETA."""

    runFinished = pyqtSignal(str, list)    # outcome ("ok"|"failed"|"cancelled"), layers added

    def __init__(self, iface: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(QCoreApplication.translate("RrsisDock", "Referring segmentation"), parent)
        self.setObjectName("RrsisDock")
        self.iface = iface
        self.task: Optional[BackendTask] = None
        self.dialog: Optional[QWidget] = None  # the installer or settings the dock opened
        self._models_loaded = False
        self._model_cards: Dict[str, Any] = {}  # {models: [...]} as in hello
        self._build()
        backend.status_hub().stateChanged.connect(self._show_state)
        backend.status_hub().modelsChanged.connect(self._reload_models)
        self._show_state(None)

    # --- widgets -------------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget(self)
        box = QVBoxLayout(body)
        self.status = QLabel(body)
        self.status.setWordWrap(True)
        box.addWidget(self.status)
        self.install_button = QPushButton(self.tr("Install backend…"), body)
        self.install_button.setVisible(False)
        self.install_button.clicked.connect(self.open_installer)
        box.addWidget(self.install_button)

        form = QFormLayout()
        self.expression = QComboBox(body)
        self.expression.setEditable(True)
        self.expression.setInsertPolicy(QComboBox.NoInsert)
        self.expression.lineEdit().setPlaceholderText(self.tr("e.g. vehicles along the road"))
        self.expression.setToolTip(self.tr(
            "What to find, in words. Understood and computed: categories (buildings, cars, "
            "trucks, trees, roads, water, bare land, parking lots ...), colours (red roofs, "
            "red and white cars), size (small, the 3 largest, the second largest, larger than"
            " 100 m2, between 50 and 200 m2, trucks longer than 10 m, larger than average), "
            "shape (long), orientation (roads running north-south), relations (next to the "
            "road, within 20 m of the river, more than 50 m from buildings, between the "
            "buildings, parking lots with cars, buildings with at least 3 cars nearby, north "
            "of the road, southeast of the building, across the road from the school, cars in"
            " driveways, the building closest to the river, closer to the road than to the "
            "river, isolated buildings, clusters of buildings, dense housing, cars in a row, "
            "terraced houses, cars at the intersection, cars on the bridge, roads crossing the "
            "river, roads with buildings on both sides, buildings with a courtyard, buildings at "
            "the end of the road, the road and the cars on it), junctions, dead ends and "
            "bridges themselves (intersections, cul-de-sacs, bridges), ranks (the building "
            "furthest north, the second car from the left, the largest 10 % of the "
            "buildings), regions (in the top left of the image), "
            "not / except, and / or. Anything else goes to the model whole, as does what the "
            "model answered better in validation (trees along the road). The line under the "
            "box shows how it will be read, and after a run how it was."))
        self.expression.addItems(settings.history())
        self.expression.setCurrentText("")
        form.addRow(self.tr("Expression"), self.expression)
        self.plan = QLabel("", body)  # how the expression reads (preview), or the last run did
        self.plan.setWordWrap(True)
        self._corrections: List[Tuple[str, str]] = []   # the links of the line: see _show_plan
        self.plan.linkActivated.connect(self._use_correction)
        form.addRow("", self.plan)
        # (layer id, its source) -> has such a band; a layer given a new source is judged anew
        self._near_infrared_layers: Dict[Tuple[str, str], bool] = {}
        self.preview = PlanPreview(self, self._explain_request, self._show_plan,
                                   self._start_backend, self._near_infrared)
        self.expression.editTextChanged.connect(self.preview.edited)

        self.raster = QgsMapLayerComboBox(body)
        self.raster.setFilters(QgsMapLayerProxyModel.RasterLayer)
        active = self.iface.activeLayer() if self.iface is not None else None
        if isinstance(active, QgsRasterLayer):
            self.raster.setLayer(active)
        self.raster.layerChanged.connect(self.preview.edited)   # its bands: near infrared?
        form.addRow(self.tr("Raster"), self.raster)

        self.extent = QComboBox(body)
        self.extent.addItem(self.tr("Visible map extent"), extents.VISIBLE)
        self.extent.addItem(self.tr("Whole layer"), extents.WHOLE_LAYER)
        self.extent.addItem(self.tr("Extent of polygon layer / selected features"),
                            extents.FEATURES)
        form.addRow(self.tr("Extent"), self.extent)
        self.polygons = QgsMapLayerComboBox(body)
        self.polygons.setFilters(QgsMapLayerProxyModel.PolygonLayer)
        self.selected_only = QCheckBox(self.tr("Selected features only"), body)
        self.selected_only.setChecked(True)
        poly_row = QHBoxLayout()
        poly_row.addWidget(self.polygons, 1)
        poly_row.addWidget(self.selected_only)
        form.addRow("", poly_row)
        self.extent.currentIndexChanged.connect(self._extent_changed)
        self._extent_changed()

        self.model = QComboBox(body)
        self.model.addItem(self.tr("Backend default"), "")
        if settings.get("default_model"):
            self.model.addItem(settings.get("default_model"), settings.get("default_model"))
            self.model.setCurrentIndex(1)
        form.addRow(self.tr("Model"), self.model)

        self.device = QComboBox(body)
        for value in settings.DEVICES:
            self.device.addItem(value.upper() if value != "auto" else self.tr("Auto"), value)
        self.device.setCurrentIndex(max(0, self.device.findData(settings.get("device"))))
        form.addRow(self.tr("Device"), self.device)
        box.addLayout(form)

        self.advanced = QgsCollapsibleGroupBox(self.tr("Advanced"), body)
        self.advanced.setCollapsed(True)
        adv = QFormLayout(self.advanced)
        self.threshold = QDoubleSpinBox(self.advanced)
        params.configure_spin_box(self.threshold, "threshold")
        self.threshold.setSingleStep(0.05)
        self.threshold.setValue(settings.get("threshold"))
        adv.addRow(self.tr("Threshold"), self.threshold)
        self.min_area = QDoubleSpinBox(self.advanced)
        params.configure_spin_box(self.min_area, "min_area_m2",
                                  self.tr("default (16 px, ≥ 1 m²)"))
        self.min_area.setValue(params.min_area_from_wire(settings.get("min_area_m2")))
        self.min_area.setToolTip(self.tr("Objects smaller than this are dropped; 0 keeps every "
                                         "object; below 0: the backend's default, 16 pixels "
                                         "of the working GSD and at least 1 m²."))
        adv.addRow(self.tr("Minimum object area"), self.min_area)
        self.gsd = QDoubleSpinBox(self.advanced)
        params.configure_spin_box(self.gsd, "gsd_m", self.tr("auto"))
        self.gsd.setSingleStep(0.05)
        self.gsd.setValue(settings.get("gsd_m"))
        self.gsd.setToolTip(self.tr("Ground size of the pixels the model works on. Auto: the "
                                    "raster's own GSD, kept within the range the model serves."))
        adv.addRow(self.tr("Working GSD"), self.gsd)
        self.gsd_hint = QLabel("", self.advanced)
        self.gsd_hint.setWordWrap(True)
        adv.addRow("", self.gsd_hint)
        self.overlap = QDoubleSpinBox(self.advanced)
        params.configure_spin_box(self.overlap, "overlap")
        self.overlap.setSingleStep(0.05)
        self.overlap.setValue(settings.get("overlap"))
        self.overlap.setToolTip(params.OVERLAP_HELP)
        adv.addRow(self.tr("Tile overlap"), self.overlap)
        self.pixel_size = QDoubleSpinBox(self.advanced)
        params.configure_spin_box(self.pixel_size, "pixel_size_m", self.tr("unknown"))
        self.pixel_size.setValue(settings.get("pixel_size_m"))
        self.pixel_size.setToolTip(self.tr(
            "For a raster without a CRS (a drone photo, a scan): the ground size of one of its "
            "pixels, so each category is looked for at its scale and distances and areas are "
            "in metres. Unknown: a pixel is taken as the model's native GSD."))
        adv.addRow(self.tr("Pixel size (no CRS)"), self.pixel_size)
        self.raster.layerChanged.connect(self._show_pixel_size)
        self._show_pixel_size()
        self.model.currentIndexChanged.connect(self._show_gsd_range)
        self.model.activated.connect(self.preview.edited)   # chosen by hand, not reloaded
        option = functools.partial(self._option, adv)
        self.regularize = option("regularize", settings.get("regularize"))
        self.rivals = option("rivals", settings.get("rivals"))
        self.rivals.toggled.connect(self.preview.edited)
        self.stretch_area = option("stretch", settings.get("stretch") == "area",
                                   self.tr("16-bit and float rasters: stretch over the area "
                                           "(not as the model was tuned)"))
        self.nir = option("nir", settings.get("nir"))
        self.nir.toggled.connect(self.preview.edited)
        self.flip_average = option("flip_average", settings.get("flip_average"))
        self.probability = QCheckBox(self.tr("Also add the probability raster"), self.advanced)
        self.probability.setChecked(settings.get("probability"))
        adv.addRow(self.probability)
        box.addWidget(self.advanced)

        buttons = QHBoxLayout()
        self.run_button = QPushButton(self.tr("Run"), body)
        self.cancel_button = QPushButton(self.tr("Cancel"), body)
        self.cancel_button.setEnabled(False)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        box.addLayout(buttons)
        self.progress = QProgressBar(body)
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        box.addWidget(self.progress)
        self.eta = QLabel("", body)
        box.addWidget(self.eta)
        box.addStretch(1)
        self.setWidget(body)

        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)

    def _option(self, form: QFormLayout, name: str, checked: bool,
                label: Optional[str] = None) -> QCheckBox:
        """A check box of the advanced options (:data:`params.OPTIONS` words it), as the
        settings last left it; ``label`` where the dock asks it differently."""
        box = QCheckBox(label or self.tr(params.OPTIONS[name].label), self.advanced)
        box.setToolTip(self.tr(params.OPTIONS[name].help))
        box.setChecked(checked)
        form.addRow(box)
        return box

    def _extent_changed(self) -> None:
        features = self.extent.currentData() == extents.FEATURES
        self.polygons.setEnabled(features)
        self.selected_only.setEnabled(features)

    # --- backend state -------------------------------------------------------------------
    def _show_state(self, state: Optional[str]) -> None:
        client = backend.current_client()
        if client is None:
            key = "stopped" if backend.installed() else "not_installed"
        else:
            key = state or client.state
        device = best_device(client.hello if client is not None else None,
                             self.device.currentData() or "auto")
        self.status.setText(self.tr(STATE_TEXT.get(key, "Backend: {state}")).format(
            device=device, state=key))
        self.install_button.setVisible(key == "not_installed")
        if client is not None and client.hello:
            self._label_devices(client.hello)
            if not self._model_cards:
                self._model_cards = {"models": client.hello.get("models") or []}
                self._show_gsd_range()
        if key == "ready" and not self._models_loaded and (self.task is None):
            self._load_models()
        if key == "ready":
            self.preview.retry()   # an expression typed while it started

    def _label_devices(self, hello: Dict[str, Any]) -> None:
        """Show what the backend found next to each device choice."""
        found = {str(d.get("type", "")).lower(): d for d in hello.get("devices") or []}
        cuda = found.get("cuda")
        labels = {
            "auto": self.tr("Auto ({})").format("CUDA" if cuda else "CPU"),
            "cpu": "CPU",
            "cuda": "CUDA ({})".format(cuda.get("name") if cuda else self.tr("not found")),
        }
        for index in range(self.device.count()):
            self.device.setItemText(index, labels.get(self.device.itemData(index),
                                                      self.device.itemText(index)))

    def _load_models(self) -> None:
        client = backend.current_client()
        if client is None:
            return
        self._models_loaded = True
        task = BackendTask(self.tr("RRSIS: list models"), client, "models", {})
        task.succeeded.connect(self._fill_models)
        self._models_task = task  # keep a Python reference while QGIS runs it
        QgsApplication.taskManager().addTask(task)

    def _start_backend(self) -> None:
        """Typing an expression starts an installed backend that never ran (on a worker
        thread, listing the models as the first ready state would), so the line under the
        box can say how it reads and the first run finds it warm; a crashed one waits for a
        run, as before."""
        if self.task is not None or not backend.installed():
            return
        if backend.shared_client().state == "stopped":
            self._load_models()

    def _reload_models(self) -> None:
        """A model was fine-tuned: list the models again (the backend finds it at once)."""
        running = getattr(self, "_models_task", None)
        if running is not None:  # keep a task QGIS may still run alive (else a crash)
            self._retired_tasks = [t for t in getattr(self, "_retired_tasks", [])
                                   if not sip.isdeleted(t)][-4:] + [running]
        self._models_loaded = False
        self._load_models()

    def _fill_models(self, result: Dict[str, Any]) -> None:
        current = self.model.currentData()
        self._model_cards = {"models": result.get("models", [])}
        for entry in result.get("models", []):
            name = entry.get("name")
            if name and self.model.findData(name) < 0:
                self.model.addItem(name, name)
        index = self.model.findData(current)
        self.model.setCurrentIndex(max(0, index))
        self._show_gsd_range()

    def _show_gsd_range(self, *_: Any) -> None:
        """"lgce-lite serves 0.05–0.6 m (trained at 0.15 m)" under the GSD box."""
        model = self.model.currentData() or settings.get("default_model") or None
        card = render.model_card(self._model_cards, model)
        rng = render.served_range(card)
        if rng is None:
            self.gsd_hint.setText("")
            return
        name = model or render.DEFAULT_MODEL
        text = self.tr("{} serves {:g}–{:g} m").format(name, *rng)
        if isinstance(card.get("gsd_m"), (int, float)):
            text += self.tr(" (trained at {:g} m)").format(card["gsd_m"])
        own = card.get("categories")  # a fine-tuned model's classes: the words to type
        if isinstance(own, dict) and own:
            text += self.tr("; its classes: {}").format(", ".join(map(str, own)))
        self.gsd_hint.setText(text)

    def _show_pixel_size(self, *_: Any) -> None:
        """The pixel size is asked only of a raster without a CRS (another has its GSD)."""
        layer = self.raster.currentLayer()
        self.pixel_size.setEnabled(isinstance(layer, QgsRasterLayer) and params.has_no_crs(layer))

    # --- request -------------------------------------------------------------------------
    def expressions(self) -> List[str]:
        return params.split_expressions(self.expression.currentText())

    def extent_request(self, layer: QgsRasterLayer) -> Dict[str, Any]:
        """``extent`` and ``extent_crs`` for the backend, in the raster layer's CRS."""
        rect = self.extent_rect(layer)
        if rect is None:
            return {"extent": None, "extent_crs": None}
        return {"extent": extents.as_list(rect), "extent_crs": extents.crs_id(layer.crs())}

    def extent_rect(self, layer: QgsRasterLayer) -> Optional[QgsRectangle]:
        """The chosen extent in the raster layer's CRS; None for the whole layer."""
        choice = self.extent.currentData()
        project = QgsProject.instance()
        if choice == extents.WHOLE_LAYER:
            return None
        if choice == extents.FEATURES:
            vector = self.polygons.currentLayer()
            if not isinstance(vector, QgsVectorLayer):
                raise BackendError("bad_input", self.tr("Choose a polygon layer for the extent."))
            box = extents.features_extent(vector, self.selected_only.isChecked())
            rect = extents.to_layer_crs(box, vector.crs(), layer, project)
        else:
            canvas = self.iface.mapCanvas()
            rect = extents.to_layer_crs(canvas.extent(), canvas.mapSettings().destinationCrs(),
                                        layer, project)
        rect = rect.intersect(layer.extent())
        if rect.isEmpty():
            raise BackendError("bad_input",
                               self.tr("The chosen extent does not overlap the raster."))
        return rect

    def _show_plan(self, text: str, corrections: Optional[Dict[str, str]] = None) -> None:
        """The line under the box; an expression with a slip of the keyboard mended by the
        backend ("did you mean 'buildings next to the road'?") gets it as a link that puts
        it in the box in place of what was typed."""
        self._corrections = list((corrections or {}).items())
        if not self._corrections:
            self.plan.setTextFormat(Qt.PlainText)
            self.plan.setText(text)
            return
        shown = html.escape(text)
        for i, (_, fixed) in enumerate(self._corrections):
            link = f'did you mean <a href="{i}">{html.escape(fixed)}</a>?'
            said = html.escape(f"did you mean {fixed!r}?")   # as plans and the backend say it
            shown = shown.replace(said, link) if said in shown else \
                f"{shown}\n{link[0].upper()}{link[1:]}"
        self.plan.setTextFormat(Qt.RichText)
        self.plan.setText(shown.replace("\n", "<br>"))

    def _use_correction(self, link: str) -> None:
        """A mended expression clicked: it replaces the line it mends (asked again as typed)."""
        expression, fixed = self._corrections[int(link)]
        lines = self.expression.currentText().splitlines()
        self.expression.setCurrentText("\n".join(fixed if line.strip() == expression else line
                                                  for line in lines))

    def _near_infrared(self) -> bool:
        """Whether the engine may keep tree and vegetation phrases to what is green on the
        chosen raster: the option is on and the raster has a near-infrared band (judged once
        per layer and source: it may read a sample of the raster)."""
        layer = self.raster.currentLayer()
        if not (self.nir.isChecked() and isinstance(layer, QgsRasterLayer)):
            return False
        key = (layer.id(), layer.source())
        if key not in self._near_infrared_layers:
            self._near_infrared_layers[key] = bands.may_have_near_infrared(layer)
        return self._near_infrared_layers[key]

    def _explain_request(self) -> Optional[Dict[str, Any]]:
        """What reads the typed expressions as a run would (``explain``); None: none typed."""
        exprs = self.expressions()
        return self._reading_request(exprs) if exprs else None

    def _reading_request(self, exprs: List[str]) -> Dict[str, Any]:
        """The expressions, the model and rivals: what decides how they are read, for a run
        and for its preview alike (rivals sent only when off: older backends lack it)."""
        request: Dict[str, Any] = {
            "expressions": exprs,
            "model": self.model.currentData() or settings.get("default_model") or None}
        if not self.rivals.isChecked():
            request["rivals"] = False
        return request

    def build_segment_request(self) -> Dict[str, Any]:
        layer = self.raster.currentLayer()
        if not isinstance(layer, QgsRasterLayer):
            raise BackendError("bad_input", self.tr("Choose a raster layer."), "")
        exprs = self.expressions()
        if not exprs:
            raise BackendError("bad_input",
                               self.tr("Type an expression, e.g. “vehicles along the road”."))
        out = backend.results_dir() / output_name(exprs[0])
        request: Dict[str, Any] = {
            **params.raster_params(layer, float(self.pixel_size.value())),
            **self._reading_request(exprs),
            "output": str(out.with_suffix(".gpkg")),
            "layer": "rrsis",
            "device": self.device.currentData() or "auto",
            "threshold": float(self.threshold.value()),
            "min_area_m2": params.min_area_to_wire(self.min_area.value()),  # 0: no filter
            "gsd_m": float(self.gsd.value()) or None,     # None: the engine's policy
            "probability": str(out) + "-probability.tif" if self.probability.isChecked() else None,
        }
        threads = settings.get("threads")
        if threads:
            request["threads"] = threads
        request.update(backend.runtime_param(settings.get("runtime")))
        if self.regularize.isChecked():  # sent only when asked: older backends lack it
            request["regularize"] = True
        if self.flip_average.isChecked():
            request["flip_average"] = True
        if self.overlap.value() != params.FIELDS["overlap"].default:   # else the engine's
            request["overlap"] = float(self.overlap.value())
        if self.stretch_area.isChecked():  # sent only when asked: older backends lack it
            request["stretch"] = "area"
        if not self.nir.isChecked():  # sent only when off: older backends lack it
            request["nir_band"] = 0
        if request["raster"] is None:  # web, virtual or in-memory layer: QGIS renders it first
            label = {extents.VISIBLE: self.tr("the visible extent"),
                     extents.FEATURES: self.tr("the features' extent")}.get(
                         self.extent.currentData(), self.tr("the whole layer"))
            request["_render"] = render.RenderSource.from_layer(layer, self.extent_rect(layer),
                                                               label)
            request.update({"extent": None, "extent_crs": None})
        else:
            request.update(self.extent_request(layer))
        return request

    # --- run -----------------------------------------------------------------------------
    def run(self) -> None:
        if self.task is not None:
            return
        self.preview.stop()
        try:
            request = self.build_segment_request()
            client = backend.shared_client()
        except BackendError as exc:
            self.show_error(exc.message, exc.detail or "", exc.code)
            return
        for expression in request["expressions"]:
            settings.remember_expression(expression)
        self._refresh_history(request["expressions"][0])
        settings.set("device", request["device"])
        settings.set("threshold", request["threshold"])
        settings.set("probability", bool(request["probability"]))
        settings.set("min_area_m2", self.min_area.value())  # below 0: the default
        settings.set("gsd_m", request["gsd_m"] or 0.0)
        if request.get("pixel_coordinates"):
            settings.set("pixel_size_m", request.get("pixel_size_m") or 0.0)
        settings.set("regularize", bool(request.get("regularize")))
        settings.set("flip_average", bool(request.get("flip_average")))
        settings.set("overlap", float(request.get("overlap", params.FIELDS["overlap"].default)))
        settings.set("rivals", request.get("rivals", True) is not False)
        settings.set("stretch", request.get("stretch") or "auto")
        settings.set("nir", request.get("nir_band") != 0)
        self._show_state(None)
        log.info(f"segment request: {render.wire_params(request)}")
        task = BackendTask(self.tr("RRSIS: {}").format(request["expressions"][0]), client,
                           "segment", request)
        task.progressed.connect(self._on_progress)
        task.succeeded.connect(self._on_result)
        task.failed.connect(self._on_error)
        task.cancelled.connect(self._on_cancelled)
        self.task = task
        self._running(True)
        QgsApplication.taskManager().addTask(task)

    def cancel(self) -> None:
        if self.task is not None:
            self.eta.setText(self.tr("Cancelling…"))
            self.task.cancel()

    def _refresh_history(self, current: str) -> None:
        self.expression.blockSignals(True)
        self.expression.clear()
        self.expression.addItems(settings.history())
        self.expression.setCurrentText(current)
        self.expression.blockSignals(False)

    def _running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        if running:
            self.progress.setValue(0)
        self.eta.setText(self.tr("Starting…") if running else "")

    def _on_progress(self, event: Dict[str, Any]) -> None:
        fraction = event.get("fraction")
        if isinstance(fraction, (int, float)):
            self.progress.setValue(int(round(100 * fraction)))
        eta = event.get("eta_s")
        text = str(event.get("stage") or "")
        if event.get("tiles_total"):
            text += f" {event.get('tiles_done', 0)}/{event['tiles_total']} tiles"
        if isinstance(eta, (int, float)):
            text += self.tr(" — about {} s left").format(int(round(eta)))
        self.eta.setText(text.strip())

    def _finish(self, outcome: str, added: List[Any]) -> None:
        self.task = None
        self._running(False)
        if outcome != "ok":
            self.progress.setValue(0)
        self._show_state(None)
        self.runFinished.emit(outcome, added)

    def _on_result(self, result: Dict[str, Any]) -> None:
        request = self.task.params if self.task is not None else {}
        log.info(f"segment result: {result}")
        try:
            added = layers.add_result_layers(result, request)
        except Exception as exc:  # a broken GeoPackage must not take the dock down
            self.show_error(str(exc), repr(exc))
            self._finish("failed", [])
            return
        self._show_plan(plans.plan_text(result), plans.corrections(result))
        log.info(f"segment result: {result}")
        answer = answers.summarize(result, request.get("expressions") or [])
        if answer.level == "success":
            self.iface.messageBar().pushMessage("RRSIS", answer.text, Qgis.Success, 8)
        else:
            self.show_message(answer.text, answer.detail, Qgis.Warning if answer.level == "warning"
                              else Qgis.Info, answer.code)
        self.progress.setValue(100)
        self._finish("ok", added)

    def _on_error(self, error: Dict[str, Any]) -> None:
        self.show_error(error.get("message") or "", error.get("detail") or "",
                        error.get("code") or "")
        self._finish("failed", [])

    def _on_cancelled(self) -> None:
        log.info("segment run cancelled")
        self._finish("cancelled", [])

    def show_error(self, message: str, detail: str = "", code: str = "") -> None:
        """Message bar error: one line, a button that fixes it (installer or settings) when
        one can, and "Details" opening the log tab "RRSIS" (which has everything)."""
        log.critical(f"{code or 'error'}: {message}\n{detail}".rstrip())
        self.show_message(message, "", Qgis.Critical, code)

    def show_message(self, message: str, detail: str = "", level: Any = Qgis.Info,
                     code: str = "") -> None:
        """The whole message (never elided) with "Details" (the log) and, when there is one,
        a button leading to the fix."""
        if detail:
            log.info(f"{message}\n{detail}")
        bar = self.iface.messageBar()
        widget = bar.createMessage("RRSIS", diagnosis.bar_text(code, message, detail))
        fix = self._fix_for(code, message, detail)
        if fix is not None:
            fix_button = QPushButton(fix[0], widget)
            fix_button.setObjectName("rrsisFix")
            fix_button.clicked.connect(fix[1])
            widget.layout().addWidget(fix_button)
        button = QPushButton(self.tr("Details"), widget)
        button.clicked.connect(self.iface.openMessageLog)
        widget.layout().addWidget(button)
        bar.pushWidget(widget, level, 0 if level == Qgis.Critical else 15)

    def _fix_for(self, code: str, message: str = "", detail: str = "") -> Optional[Any]:
        """(label, action) of the button that leads to the fix of error ``code``, if any:
        the installer or the settings for the backend's problems, else the dock's own field."""
        where = diagnosis.fix_for(code, message, detail)
        if where == "install":
            return self.tr("Install backend…"), self.open_installer
        if where == "settings":
            return self.tr("Settings…"), self.open_settings
        if code in (render.TOO_LARGE, "gsd"):
            return self.tr("Set the GSD…"), self.focus_gsd
        if code in ("no_match", "unknown_words"):
            return self.tr("Edit expression"), self.expression.setFocus
        return None

    def focus_gsd(self) -> None:
        """Open "Advanced" and put the cursor in the working GSD."""
        self.advanced.setCollapsed(False)
        self.show()
        self.gsd.setFocus()
        self.gsd.selectAll()

    def open_installer(self) -> None:
        from .install_dialog import InstallDialog

        self.dialog = InstallDialog(self.iface.mainWindow())
        self.dialog.show()

    def open_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        self.dialog = SettingsDialog(self.iface.mainWindow())
        self.dialog.show()

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.cancel()
        super().closeEvent(event)


__all__ = ["RrsisDock"]
