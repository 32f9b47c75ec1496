"""The communicator window: board grid, breadcrumb, sentence strip, markers, live candidates,
history and favourites. It renders state and forwards intents to app.core / the services."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.boards.model import Cell
from app.boards.storage import open_user_boards, save_board_set, user_boards_path
from app.core.communicator import Communicator
from app.core.history import PhraseStore
from app.core.keywords import MARKERS, KeywordError, Lang, prepare_keywords
from app.core.settings import Settings, save_settings
from app.core.strip import StripItem
from app.generation import Candidate, GenerationResult, fallback_result
from app.ui.access import AccessController  # theme, scanning, dwell
from app.ui.board_view import BoardView, cell_key
from app.ui.caregiver import CaregiverMenu  # settings, edit mode, lock
from app.ui.strip_view import StripView
from app.ui.texts import text

log = logging.getLogger(__name__)

DEBOUNCE_MS = 150  # taps in quick succession make one request, not one each
MARKER_GREY = "#cfd8dc"


class MainWindow(QMainWindow):
    def __init__(
        self,
        settings: Settings,
        communicator: Communicator,
        phrases: PhraseStore,
        *,
        service=None,  # SentenceService; None runs without a model (raw keywords)
        speaker=None,  # app.speech Speaker; None: text only
        pictograms=None,  # PictogramLoader; None: labels on colours
        settings_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.comm = communicator
        self.phrases = phrases
        self.service = service
        self.speaker = speaker
        self.pictograms = pictograms
        self._settings_path = settings_path
        self.candidates: list[Candidate] = []
        self.last_result: GenerationResult | None = None
        self.model_ready = False
        self._request_id = 0
        self._requested_at = 0.0
        self.first_candidate_latency: float | None = None  # last tap -> first candidate shown
        self._pictures: dict[int, str] = {}
        self._boards_dirty = False

        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self._start_generation)
        self._save_boards_timer = QTimer(self, singleShot=True, interval=2000)
        self._save_boards_timer.timeout.connect(self.save_boards)

        for helper in (service, pictograms):
            if helper is not None:
                helper.setParent(self)  # Qt deletes them with the window, in a known order
        self._build()
        # Access features and the caregiver menu live in their own modules.
        self.access = AccessController(self)
        self.caregiver = CaregiverMenu(self)
        self._connect_services()
        self.render_all()
        self.access.apply()

    # --- construction --------------------------------------------------------------------------
    def _build(self) -> None:
        big = QFont()
        big.setPointSize(18)
        central = QWidget()
        outer = QVBoxLayout(central)

        nav = QHBoxLayout()
        self.home_button = self._button("home", self._go_home)
        self.back_button = self._button("back", self._go_back)
        self.breadcrumb = QLabel()
        self.breadcrumb.setAccessibleName("Breadcrumb")
        self.language_button = self._button("language", self.switch_language)
        nav.addWidget(self.home_button)
        nav.addWidget(self.back_button)
        nav.addWidget(self.breadcrumb, 1)
        nav.addWidget(self.language_button)
        outer.addLayout(nav)

        strip_row = QHBoxLayout()
        self.strip_view = StripView()
        self.strip_view.remove_requested.connect(self._remove_strip_item)
        strip_row.addWidget(self.strip_view, 1)
        self.backspace_button = self._button("backspace", self._backspace)
        self.clear_button = self._button("clear", self._clear)
        strip_row.addWidget(self.backspace_button)
        strip_row.addWidget(self.clear_button)
        outer.addLayout(strip_row)

        self.marker_row = QHBoxLayout()
        self.marker_buttons: dict[str, QPushButton] = {}
        for key in ("past", "future", "not", "question"):
            b = QPushButton()
            b.setMinimumHeight(44)
            b.setStyleSheet(f"background: {MARKER_GREY}; font-size: 13pt; font-weight: bold;")
            b.clicked.connect(lambda *_, k=key: self.add_marker(k))
            self.marker_row.addWidget(b)
            self.marker_buttons[key] = b
        outer.addLayout(self.marker_row)

        middle = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_col = QVBoxLayout(left)
        left_col.setContentsMargins(0, 0, 0, 0)
        self.candidate_list = QListWidget()
        self.candidate_list.setFont(big)
        self.candidate_list.setAccessibleName("Candidate sentences")
        self.candidate_list.setMinimumHeight(120)
        self.candidate_list.itemClicked.connect(self._candidate_clicked)
        self.candidate_list.itemActivated.connect(self._candidate_clicked)
        left_col.addWidget(self.candidate_list)
        actions = QHBoxLayout()
        self.speak_keywords_button = self._button("speak_keywords", self.speak_keywords)
        self.pin_button = self._button("pin", self.pin_selected)
        self.stop_button = self._button("stop", self._stop_speaking)
        for b in (self.speak_keywords_button, self.pin_button, self.stop_button):
            actions.addWidget(b)
        left_col.addLayout(actions)
        self.spoken_label = QLabel()
        self.spoken_label.setWordWrap(True)
        self.spoken_label.setAccessibleName("Last spoken sentence")
        spoken_font = QFont()
        spoken_font.setPointSize(22)
        spoken_font.setBold(True)
        self.spoken_label.setFont(spoken_font)
        left_col.addWidget(self.spoken_label)
        middle.addWidget(left)

        self.side_tabs = QTabWidget()
        self.history_list = QListWidget()
        self.favourites_list = QListWidget()
        for lst, name in ((self.history_list, "History"), (self.favourites_list, "Favourites")):
            lst.setAccessibleName(name)
            lst.itemClicked.connect(self._phrase_clicked)
            lst.itemActivated.connect(self._phrase_clicked)
        self.side_tabs.addTab(self.favourites_list, "")
        self.side_tabs.addTab(self.history_list, "")
        middle.addWidget(self.side_tabs)
        middle.setStretchFactor(0, 3)
        middle.setStretchFactor(1, 1)
        outer.addWidget(middle, 1)

        self.board_view = BoardView()
        self.board_view.cell_pressed.connect(self.press_cell)
        outer.addWidget(self.board_view, 4)
        self.setCentralWidget(central)

        self.status_label = QLabel()
        self.status_label.setAccessibleName("Status")
        self.attribution = QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.attribution)

        self.quiet_action = QAction(self, checkable=True)
        self.quiet_action.setChecked(not self.comm.speak_each_tile)
        self.quiet_action.toggled.connect(self._set_quiet)
        self.menuBar().addAction(self.quiet_action)
        for seq, slot in (
            (QKeySequence(Qt.Key.Key_Backspace), self._backspace),
            (QKeySequence(Qt.Key.Key_Escape), self._stop_speaking),
            (QKeySequence("Ctrl+L"), self._clear),
            (QKeySequence("Ctrl+Return"), self.speak_best),
        ):
            act = QAction(self)
            act.setShortcut(seq)
            act.triggered.connect(slot)
            self.addAction(act)
        self.resize(1100, 820)

    def _button(self, key: str, slot) -> QPushButton:
        b = QPushButton()
        b.setProperty("text_key", key)
        b.setMinimumHeight(44)
        b.setStyleSheet("font-size: 12pt;")
        b.clicked.connect(slot)
        return b

    def _connect_services(self) -> None:
        if self.service is not None:
            self.service.loaded.connect(self._model_loaded)
            self.service.load_failed.connect(self._model_failed)
            self.service.candidate.connect(self._candidate_arrived)
            self.service.finished.connect(self._generation_finished)
            self.service.failed.connect(self._generation_failed)
            self.status_label.setText(text(self.lang, "loading"))
            self.service.start(self.lang)
        else:
            self.status_label.setText(text(self.lang, "no_model"))
        if self.pictograms is not None:
            self.pictograms.on_ready = self._picture_ready

    # --- rendering -----------------------------------------------------------------------------
    @property
    def lang(self) -> str:
        return self.comm.lang

    def render_all(self) -> None:
        lang = self.lang
        self.setWindowTitle(text(lang, "title"))
        for b in self.findChildren(QPushButton):
            key = b.property("text_key")
            if key:
                b.setText(text(lang, key))
                b.setAccessibleName(text(lang, key))
        markers = MARKERS[Lang(lang)]
        for key, word in zip(
            ("past", "future", "not", "question"),
            (markers.past, markers.future, markers.negation, markers.question),
            strict=True,
        ):
            self.marker_buttons[key].setText(text(lang, key))
            self.marker_buttons[key].setAccessibleName(f"{text(lang, key)} ({word})")
        self.side_tabs.setTabText(0, text(lang, "favourites"))
        self.side_tabs.setTabText(1, text(lang, "history"))
        self.quiet_action.setText(text(lang, "quiet"))
        self.caregiver.render()
        self.attribution.setText(text(lang, "attribution"))
        self.render_board()
        self.render_strip()
        self.render_candidates()
        self.render_phrases()

    def render_board(self) -> None:
        board = self.comm.board
        self.board_view.show_board(board)
        self.breadcrumb.setText(" › ".join(b.name for b in self.comm.breadcrumb))
        self.back_button.setEnabled(len(self.comm.path) > 1)
        self.access.board_rendered()  # theme the new tiles, rescan
        if self.pictograms is not None:
            for _, _, cell in board.iter_cells():
                self.pictograms.request(
                    cell_key(board, cell),
                    cell.pictogram_id,
                    cell.search_text,
                    self.lang,
                    cell.keyword_type,
                )

    def render_strip(self) -> None:
        self.strip_view.show_strip(self.comm.strip, text(self.lang, "strip_hint"), self._pictures)
        self.access.strip_rendered()

    def render_candidates(self) -> None:
        self.candidate_list.clear()
        for cand in self.candidates:
            item = QListWidgetItem(cand.text)
            item.setData(Qt.ItemDataRole.UserRole, cand.text)
            self.candidate_list.addItem(item)
        if self.candidates:
            self.candidate_list.setCurrentRow(0)
        self.access.candidates_rendered()  # the sentence row is scanned

    def render_phrases(self) -> None:
        for lst, phrases in (
            (self.history_list, self.phrases.recent(self.lang)),
            (self.favourites_list, self.phrases.pinned(self.lang)),
        ):
            lst.clear()
            for p in phrases:
                lst.addItem(p.text)

    # --- intents -------------------------------------------------------------------------------
    def press_cell(self, cell: Cell) -> None:
        outcome = self.comm.tap(cell)
        if outcome.board_changed:
            self.render_board()
        if outcome.speak_text:
            self._say(outcome.speak_text, record=False)
        if outcome.speak_sentence:
            self.speak_best()
        if outcome.strip_changed:
            self._strip_changed()

    def add_marker(self, key: str) -> None:
        m = MARKERS[Lang(self.lang)]
        word = {"past": m.past, "future": m.future, "not": m.negation, "question": m.question}[key]
        self.comm.strip.add(StripItem(text(self.lang, key), (word,), None, MARKER_GREY, True))
        self._strip_changed()

    def _remove_strip_item(self, index: int) -> None:
        if self.comm.remove_strip_item(index):
            self._strip_changed()

    def _backspace(self) -> None:
        if self.comm.strip.remove_last() is not None:
            self._strip_changed()

    def _clear(self) -> None:
        self.comm.strip.clear()
        self._strip_changed()

    def _go_home(self) -> None:
        if self.comm.go_home():
            self.render_board()

    def _go_back(self) -> None:
        if self.comm.go_back():
            self.render_board()

    def _strip_changed(self) -> None:
        self.render_strip()
        self._requested_at = time.perf_counter()
        self.first_candidate_latency = None
        if self.comm.strip.empty:
            self._debounce.stop()
            if self.service is not None:
                self.service.cancel()
            self.candidates = []
            self.render_candidates()
            return
        self._debounce.start()

    def _start_generation(self) -> None:
        keywords = self.comm.strip.keywords
        if self.service is not None and self.model_ready:
            self.candidates = []
            self.status_label.setText(text(self.lang, "thinking"))
            self._request_id = self.service.request(keywords, self.lang, self.settings.n_candidates)
            self.render_candidates()
            return
        try:  # no model: offer the raw keywords at once
            result = fallback_result(prepare_keywords(keywords, self.lang))
        except KeywordError:
            return
        self._generation_finished(self._request_id, result)

    def _candidate_arrived(self, request_id: int, cand: Candidate) -> None:
        if request_id != self._request_id or self.service is None:
            return
        if self.first_candidate_latency is None:
            self.first_candidate_latency = time.perf_counter() - self._requested_at
        self.candidates = sorted(
            [*self.candidates, cand], key=lambda c: (c.on_topic, c.score), reverse=True
        )
        self.render_candidates()

    def _generation_finished(self, request_id: int, result: GenerationResult) -> None:
        if request_id != self._request_id:
            return
        self.last_result = result
        if self.first_candidate_latency is None and result.candidates:
            self.first_candidate_latency = time.perf_counter() - self._requested_at
        self.candidates = list(result.candidates)
        self.render_candidates()
        notes = " ".join(result.notices)
        self.status_label.setText(
            notes or ("" if self.model_ready else text(self.lang, "no_model"))
        )

    def _generation_failed(self, request_id: int, message: str) -> None:
        if request_id == self._request_id:
            self.status_label.setText(message)

    def _model_loaded(self, description: str) -> None:
        self.model_ready = True
        self.status_label.setText(description)
        if not self.comm.strip.empty:
            self._start_generation()

    def _model_failed(self, message: str) -> None:
        self.model_ready = False
        self.status_label.setText(f"{message} {text(self.lang, 'no_model')}")
        if not self.comm.strip.empty:
            self._start_generation()

    # --- speech, history, favourites -----------------------------------------------------------
    def _say(self, sentence: str, *, record: bool = True, keywords: tuple[str, ...] = ()) -> None:
        self.spoken_label.setText(sentence)  # always on screen, large: speech may be unavailable
        if self.speaker is not None:
            if self.speaker.available is False:  # None: still starting; it queues the request
                self.status_label.setText(
                    f"{text(self.lang, 'no_tts')} ({self.speaker.unavailable_reason})"
                )
            else:
                self.speaker.say(sentence, self.lang, interrupt=True)
        if record:
            self.phrases.add_spoken(sentence, self.lang, keywords)
            self.render_phrases()

    def speak_candidate(self, index: int) -> None:
        if 0 <= index < len(self.candidates):
            self._say(self.candidates[index].text, keywords=tuple(self.comm.strip.keywords))

    def speak_best(self) -> None:
        row = max(self.candidate_list.currentRow(), 0)
        if self.candidates:
            self.speak_candidate(row)
        else:
            self.speak_keywords()

    def speak_keywords(self) -> None:
        try:
            k = prepare_keywords(self.comm.strip.keywords, self.lang)
        except KeywordError:
            return
        self._say(fallback_result(k).candidates[0].text, keywords=k.keywords)

    def _candidate_clicked(self, item: QListWidgetItem) -> None:
        self.speak_candidate(self.candidate_list.row(item))

    def _phrase_clicked(self, item: QListWidgetItem) -> None:
        self._say(item.text())

    def pin_selected(self) -> None:
        row = self.candidate_list.currentRow()
        sentence = None
        if 0 <= row < len(self.candidates):
            sentence = self.candidates[row].text
        elif self.history_list.currentItem() is not None:
            sentence = self.history_list.currentItem().text()
        if sentence:
            self.phrases.pin(sentence, self.lang)
            self.render_phrases()

    def _stop_speaking(self) -> None:
        if self.speaker is not None:
            self.speaker.stop()

    def _set_quiet(self, quiet: bool) -> None:
        self.comm.speak_each_tile = not quiet

    # --- language, pictures, saving ------------------------------------------------------------
    def switch_language(self) -> None:
        self.save_boards()
        new_lang = "en" if self.lang == "es" else "es"
        loaded = open_user_boards(new_lang)
        self.comm.replace_boards(loaded.board_set)
        self.comm.strip.clear()
        self.candidates, self.last_result = [], None
        self.spoken_label.clear()
        self.settings.language = new_lang
        save_settings(self.settings, self._settings_path)
        if self.service is not None:
            self.service.warm_up(new_lang)
        self.render_all()
        if loaded.message:
            self.status_label.setText(loaded.message)

    def _picture_ready(self, key: str, pictogram_id: int | None, path) -> None:
        board_id, _, cell_id = key.partition("/")
        board = self.comm.boards.boards.get(board_id)
        cell = board.find_cell(cell_id) if board else None
        if cell is not None and cell.pictogram_id is None and pictogram_id is not None:
            cell.pictogram_id = int(pictogram_id)  # remembered per cell: no search next time
            self._boards_dirty = True
            self._save_boards_timer.start()
        if path and pictogram_id is not None:
            self._pictures[int(pictogram_id)] = str(path)
        if board is not None and board is self.comm.board:
            self.board_view.set_picture(key, path)

    def save_boards(self) -> None:
        if not self._boards_dirty:
            return
        try:
            save_board_set(self.comm.boards, user_boards_path(self.lang))
            self._boards_dirty = False
        except (OSError, ValueError) as exc:
            log.warning("Could not save boards: %s", exc)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.access.resized()  # the highlight layer covers the window

    def closeEvent(self, event) -> None:
        self.caregiver.close()
        self.access.shutdown()
        self.save_boards()
        if self.service is not None:
            self.service.shutdown()
        if self.pictograms is not None:
            self.pictograms.clear_pending()
            self.pictograms.wait()
        if self.speaker is not None:
            self.speaker.close()
        super().closeEvent(event)
