"""The settings dialog: every setting in four tabs. It edits a copy; "Save" writes the file and
hands the old and new settings to `on_saved(old, new)`, which applies what can change live."""

from __future__ import annotations

import copy
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.settings import (
    GPU_LAYERS_AUTO,
    LOCK_MODES,
    SCAN_MODES,
    DecodingSettings,
    Settings,
)
from app.ui.caregiver_texts import ct
from app.ui.lock_dialog import caregiver_button, named

LANGS = ("es", "en")
GPU_CHOICES = ((GPU_LAYERS_AUTO, "gpu_auto"), (0, "gpu_cpu"), (-1, "gpu_all"), (1, "gpu_n"))


def scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


class SettingsDialog(QDialog):
    def __init__(
        self,
        parent: QWidget,
        settings: Settings,
        lang: str,
        on_saved: Callable[[Settings, Settings], None],
        voices: tuple = (),  # app.speech VoiceInfo of the running Speaker, if any
    ) -> None:
        super().__init__(parent)
        self.lang = lang
        self.original = settings
        self.on_saved = on_saved
        self.voices = voices
        self.saved: Settings | None = None
        self.setWindowTitle(ct(lang, "settings_title"))
        named(self, ct(lang, "settings_title"))
        self.tabs = QTabWidget()
        named(self.tabs, ct(lang, "settings_title"))
        # Each tab scrolls: with large text the dialog still fits a 768 px screen and its Save
        # and Cancel buttons stay on it.
        self.tabs.addTab(scrolled(self._general_tab(settings)), ct(lang, "tab_general"))
        self.tabs.addTab(scrolled(self._speech_tab(settings)), ct(lang, "tab_speech"))
        self.tabs.addTab(scrolled(self._model_tab(settings)), ct(lang, "tab_model"))
        self.tabs.addTab(scrolled(self._access_tab(settings)), ct(lang, "tab_access"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.message = named(QLabel(), ct(lang, "message"))
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.save_button = self._button("save", self.save, "save_desc")
        self.cancel_button = self._button("cancel", self.reject)
        self.save_button.setDefault(True)
        row.addStretch(1)
        row.addWidget(self.save_button)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(560, 520)

    # --- helpers -------------------------------------------------------------------------------
    def _t(self, key: str) -> str:
        return ct(self.lang, key)

    def _button(self, key: str, slot, desc_key: str | None = None) -> QPushButton:
        return caregiver_button(self.lang, key, slot, desc_key)

    def _row(self, form: QFormLayout, key: str, widget: QWidget, desc_key: str = "") -> QWidget:
        named(widget, self._t(key), self._t(desc_key) if desc_key else "")
        label = QLabel(self._t(key))
        label.setBuddy(widget)
        form.addRow(label, widget)
        return widget

    @staticmethod
    def _combo(items: list[tuple[object, str]], current: object) -> QComboBox:
        box = QComboBox()
        for value, text in items:
            box.addItem(text, value)
        index = box.findData(current)
        box.setCurrentIndex(max(index, 0))
        return box

    @staticmethod
    def _spin(low: int, high: int, value: int, step: int = 1, suffix: str = "") -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setSingleStep(step)
        spin.setValue(min(max(value, low), high))
        spin.setSuffix(suffix)
        return spin

    # --- tabs ----------------------------------------------------------------------------------
    def _general_tab(self, s: Settings) -> QWidget:
        page, form = QWidget(), QFormLayout()
        page.setLayout(form)
        names = [(code, ct(code, "language_name")) for code in LANGS]
        self.language = self._row(form, "language", self._combo(names, s.language), "language_desc")
        self.quiet = self._row(form, "quiet", QCheckBox(), "quiet_desc")
        self.quiet.setChecked(not s.speak_each_tile)
        self.n_candidates = self._row(form, "n_candidates", self._spin(1, 6, s.n_candidates))
        self.predictions = self._row(form, "predictions", QCheckBox(), "predictions_desc")
        self.predictions.setChecked(s.predictions)
        self.lock_mode = self._row(
            form,
            "lock_mode",
            self._combo([(m, self._t(f"lock_{m}_mode")) for m in LOCK_MODES], s.caregiver_lock),
            "lock_mode_desc",
        )
        self.pin = self._row(form, "pin", QLineEdit(s.caregiver_pin), "pin_desc")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(12)
        self.hold_s = self._row(
            form, "hold_s", self._spin(1, 10, round(s.lock_hold_ms / 1000), suffix=" s")
        )
        return page

    def _speech_tab(self, s: Settings) -> QWidget:
        page, form = QWidget(), QFormLayout()
        page.setLayout(form)
        self.voice_boxes: dict[str, QComboBox] = {}
        for code in LANGS:
            items: list[tuple[object, str]] = [("", self._t("voice_auto"))]
            items += [(v.id, f"{v.name} ({', '.join(v.languages) or v.id})") for v in self.voices]
            current = s.voices.get(code, "")
            if current and all(v.id != current for v in self.voices):
                items.append((current, current))  # keep a choice whose voice is not loaded now
            box = self._row(form, f"voice_{code}", self._combo(items, current), "voice_desc")
            self.voice_boxes[code] = box
        self.rate = self._row(
            form, "rate", self._spin(0, 450, s.speech_rate, 10, " wpm"), "rate_desc"
        )
        self.rate.setSpecialValueText(self._t("rate_default"))
        self.volume = self._row(
            form, "volume", self._spin(0, 100, round(s.speech_volume * 100), 5, " %")
        )
        return page

    def _model_tab(self, s: Settings) -> QWidget:
        page, form = QWidget(), QFormLayout()
        page.setLayout(form)
        model_row = QWidget()
        line = QHBoxLayout(model_row)
        line.setContentsMargins(0, 0, 0, 0)
        self.model_path = named(
            QLineEdit(s.model_path or ""), self._t("model"), self._t("model_desc")
        )
        self.model_path.setPlaceholderText(self._t("model_embedded"))
        self.browse_button = self._button("browse", self._browse_model, "browse_desc")
        self.embedded_button = self._button("use_embedded", self.model_path.clear)
        line.addWidget(self.model_path, 1)
        line.addWidget(self.browse_button)
        line.addWidget(self.embedded_button)
        label = QLabel(self._t("model"))
        label.setBuddy(self.model_path)
        named(model_row, self._t("model"))
        form.addRow(label, model_row)
        mode = s.gpu_layers if s.gpu_layers in (GPU_LAYERS_AUTO, 0, -1) else 1
        self.gpu_mode = self._row(
            form,
            "gpu",
            self._combo([(v, self._t(k)) for v, k in GPU_CHOICES], mode),
            "gpu_desc",
        )
        self.gpu_layers = self._row(form, "gpu_layers", self._spin(1, 999, max(s.gpu_layers, 1)))
        self.gpu_mode.currentIndexChanged.connect(self._gpu_mode_changed)
        self._gpu_mode_changed()
        d = s.decoding
        self.greedy = self._row(form, "greedy", QCheckBox(), "greedy_desc")
        self.greedy.setChecked(d.temperature <= 0)
        self.temperature = self._row(form, "temperature", QDoubleSpinBox(), "temperature_desc")
        self.temperature.setRange(0.05, 2.0)
        self.temperature.setSingleStep(0.05)
        self.temperature.setValue(d.temperature if d.temperature > 0 else 0.8)
        self.top_k = self._row(form, "top_k", self._spin(0, 500, d.top_k), "top_k_desc")
        self.top_p = self._row(form, "top_p", QDoubleSpinBox(), "top_p_desc")
        self.top_p.setRange(0.01, 1.0)
        self.top_p.setSingleStep(0.05)
        self.top_p.setValue(d.top_p)
        self.greedy.toggled.connect(self._greedy_changed)
        self._greedy_changed()
        note = QLabel(self._t("model_restart"))
        note.setWordWrap(True)
        form.addRow(note)
        return page

    def _access_tab(self, s: Settings) -> QWidget:
        page, form = QWidget(), QFormLayout()
        page.setLayout(form)
        self.high_contrast = self._row(form, "high_contrast", QCheckBox(), "high_contrast_desc")
        self.high_contrast.setChecked(s.high_contrast)
        self.large_text = self._row(form, "large_text", QCheckBox())
        self.large_text.setChecked(s.large_text)
        self.zoom = self._row(form, "zoom", self._spin(50, 300, s.zoom, 10, " %"), "zoom_desc")
        self.scan_mode = self._row(
            form,
            "scan_mode",
            self._combo([(m, self._t(f"scan_{m}")) for m in SCAN_MODES], s.scan_mode),
            "scan_mode_desc",
        )
        self.scan_switches = self._row(
            form,
            "scan_switches",
            self._combo(
                [(1, self._t("one_switch")), (2, self._t("two_switches"))], s.scan_switches
            ),
        )
        self.scan_interval = self._row(
            form, "scan_interval", self._spin(200, 10_000, s.scan_interval_ms, 100, " ms")
        )
        self.select_key = self._row(
            form, "select_key", QKeySequenceEdit(QKeySequence(s.scan_select_key)), "key_desc"
        )
        self.next_key = self._row(
            form, "next_key", QKeySequenceEdit(QKeySequence(s.scan_next_key)), "key_desc"
        )
        for edit in (self.select_key, self.next_key):
            edit.setMaximumSequenceLength(1)
        self.dwell = self._row(form, "dwell", QCheckBox(), "dwell_desc")
        self.dwell.setChecked(s.dwell)
        self.dwell_ms = self._row(form, "dwell_ms", self._spin(200, 10_000, s.dwell_ms, 100, " ms"))
        return page

    # --- behaviour -----------------------------------------------------------------------------
    def _gpu_mode_changed(self, *_args) -> None:
        self.gpu_layers.setEnabled(self.gpu_mode.currentData() == 1)

    def _greedy_changed(self, *_args) -> None:
        sampling = not self.greedy.isChecked()
        for w in (self.temperature, self.top_k, self.top_p):
            w.setEnabled(sampling)

    def _browse_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self._t("model"), self.model_path.text(), "GGUF (*.gguf)"
        )
        if path:
            self.model_path.setText(path)

    def collect(self) -> Settings:
        """The settings as the dialog shows them (a new object; the original is untouched)."""
        s = copy.deepcopy(self.original)
        s.language = self.language.currentData()
        s.speak_each_tile = not self.quiet.isChecked()
        s.predictions = self.predictions.isChecked()
        s.n_candidates = self.n_candidates.value()
        s.caregiver_lock = self.lock_mode.currentData()
        s.caregiver_pin = "".join(self.pin.text().split())
        s.lock_hold_ms = self.hold_s.value() * 1000
        s.voices = {
            code: box.currentData() for code, box in self.voice_boxes.items() if box.currentData()
        }
        s.speech_rate = self.rate.value()
        s.speech_volume = self.volume.value() / 100.0
        path = self.model_path.text().strip()
        if path != (self.original.model_path or ""):
            s.model_path, s.model_style = path or None, None  # a new file: detect its style
        mode = self.gpu_mode.currentData()
        s.gpu_layers = self.gpu_layers.value() if mode == 1 else mode
        greedy = self.greedy.isChecked()
        s.decoding = DecodingSettings(
            temperature=0.0 if greedy else self.temperature.value(),
            top_k=self.top_k.value(),
            top_p=self.top_p.value(),
            max_tokens=self.original.decoding.max_tokens,
            seed=self.original.decoding.seed,
        ).validated()
        s.high_contrast = self.high_contrast.isChecked()
        s.large_text = self.large_text.isChecked()
        s.zoom = self.zoom.value()
        s.scan_mode = self.scan_mode.currentData()
        s.scan_switches = self.scan_switches.currentData()
        s.scan_interval_ms = self.scan_interval.value()
        select = self.select_key.keySequence().toString()
        s.scan_select_key = select or self.original.scan_select_key
        s.scan_next_key = self.next_key.keySequence().toString() or self.original.scan_next_key
        s.dwell = self.dwell.isChecked()
        s.dwell_ms = self.dwell_ms.value()
        return s

    def save(self) -> None:
        new = self.collect()
        if new.caregiver_lock == "pin" and not new.caregiver_pin.isdigit():
            self.message.setText(self._t("pin_needed"))
            self.tabs.setCurrentIndex(0)
            self.pin.setFocus()
            return
        two_keys = new.scan_mode != "off" and new.scan_switches == 2
        if two_keys and new.scan_select_key == new.scan_next_key:
            self.message.setText(self._t("keys_differ"))
            return
        self.saved = new
        self.accept()
        self.on_saved(self.original, new)
