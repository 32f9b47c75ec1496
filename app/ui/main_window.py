"""The communicator window: board grid, breadcrumb, sentence strip, markers, live candidates,
history and favourites. It renders the session's state (app.session) and forwards intents to it;
nothing here decides."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.boards.model import Cell
from app.boards.pictures import picture_path
from app.boards.storage import user_boards_path
from app.core.arasaac import attribution
from app.session.session import MARKER_GREY, MARKER_KEYS, Change, Session
from app.ui.access import AccessController  # theme, scanning, dwell
from app.ui.board_view import BoardView, cell_key
from app.ui.caregiver import CaregiverMenu  # settings, edit mode, lock
from app.ui.caregiver_texts import ct
from app.ui.prediction_row import PredictionRow
from app.ui.strip_view import StripView
from app.ui.texts import install_qt_translations, text
from app.ui.theme import apply_theme
from app.ui.tiles import TOUCH_PX
from app.ui.touch_list import TouchList
from app.ui.word_search import WordSearchDialog

log = logging.getLogger(__name__)


class QtTimer:
    """The session's debounce timer on the GUI thread (app.session.session.Timer)."""

    def __init__(self, parent) -> None:
        self._timer = QTimer(parent, singleShot=True)
        self._timer.timeout.connect(self._fire)
        self._fn = None

    def start(self, delay_s: float, fn) -> None:
        self._fn = fn
        self._timer.start(int(delay_s * 1000))

    def stop(self) -> None:
        self._timer.stop()

    def _fire(self) -> None:
        if self._fn is not None:
            self._fn()


SHORT_SCREEN_PX = 720  # below this the prediction row shows one row of tiles


class MainWindow(QMainWindow):
    def __init__(self, session: Session, *, pictograms=None, inbox=None) -> None:
        """`pictograms`: a PictogramLoader (None: labels on colours); `inbox`: the
        MainThreadInbox that runs the engine's results on this thread."""
        super().__init__()
        self.session = session
        self.pictograms = pictograms
        self.inbox = inbox
        session.timer = QtTimer(self)
        for helper in (pictograms, inbox):
            if helper is not None:
                helper.setParent(self)  # Qt deletes them with the window, in a known order
        self._build()
        # Access features and the caregiver menu live in their own modules.
        self.access = AccessController(self)
        self.caregiver = CaregiverMenu(self)
        if self.pictograms is not None:
            self.pictograms.on_ready = self._picture_ready
        session.subscribe(self._session_changed)
        self.render_all()
        self.access.apply()
        self.fit_to_screen()

    # --- the session's state, for the access, caregiver and test code ---------------------------
    @property
    def comm(self):
        return self.session.comm

    @property
    def settings(self):
        return self.session.settings

    @property
    def speaker(self):
        return self.session.speaker

    @speaker.setter
    def speaker(self, speaker) -> None:
        self.session.speaker = speaker

    @property
    def candidates(self):
        return self.session.candidates

    @property
    def last_result(self):
        return self.session.last_result

    @property
    def model_ready(self) -> bool:
        return self.session.model_ready

    @property
    def first_candidate_latency(self):
        return self.session.first_candidate_latency

    @property
    def lang(self) -> str:
        return self.session.lang

    # --- construction --------------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(6, 4, 6, 4)
        outer.setSpacing(4)

        # Notices stay until the user dismisses them (start-up and save problems).
        self.notice_bar = QWidget()
        self.notice_bar.setStyleSheet("background: #fff3cd; color: #222;")
        notice_row = QHBoxLayout(self.notice_bar)
        notice_row.setContentsMargins(6, 2, 6, 2)
        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        self.notice_label.setAccessibleName("Notices")
        notice_row.addWidget(self.notice_label, 1)
        self.notice_button = self._button("dismiss", lambda: self.session.dismiss_notices())
        notice_row.addWidget(self.notice_button)
        self.notice_bar.hide()
        outer.addWidget(self.notice_bar)

        # The body: the message and the board on one side, sentences and phrases on the other.
        # Side by side on a landscape screen, one above the other on a portrait one.
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.setSpacing(6)
        outer.addLayout(self.body, 1)
        left = QWidget()
        left_col = QVBoxLayout(left)
        left_col.setContentsMargins(0, 0, 0, 0)
        left_col.setSpacing(4)

        nav = QHBoxLayout()
        self.home_button = self._button("home", lambda: self.session.go_home())
        self.back_button = self._button("back", lambda: self.session.go_back())
        self.breadcrumb = QLabel()
        self.breadcrumb.setAccessibleName("Breadcrumb")
        self.breadcrumb.setWordWrap(True)
        self.breadcrumb.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.language_button = self._button("language", self.switch_language)
        self.word_button = self._button("word_search", self.open_word_search)
        nav.addWidget(self.home_button)
        nav.addWidget(self.back_button)
        nav.addWidget(self.breadcrumb, 1)
        nav.addWidget(self.word_button)
        nav.addWidget(self.language_button)
        left_col.addLayout(nav)

        strip_row = QHBoxLayout()
        self.strip_view = StripView()
        self.strip_view.remove_requested.connect(lambda i: self.session.remove_strip_item(i))
        strip_row.addWidget(self.strip_view, 1)
        strip_buttons = QVBoxLayout()
        self.backspace_button = self._button("backspace", self._backspace)
        self.clear_button = self._button("clear", self._clear)
        strip_buttons.addWidget(self.backspace_button)
        strip_buttons.addWidget(self.clear_button)
        strip_row.addLayout(strip_buttons)
        left_col.addLayout(strip_row)

        self.marker_row = QHBoxLayout()
        self.marker_buttons: dict[str, QPushButton] = {}
        for key in MARKER_KEYS:
            b = QPushButton()
            b.setMinimumHeight(TOUCH_PX)
            b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            b.setStyleSheet(f"background: {MARKER_GREY}; font-size: 13pt; font-weight: bold;")
            b.clicked.connect(lambda *_, k=key: self.add_marker(k))
            self.marker_row.addWidget(b)
            self.marker_buttons[key] = b
        left_col.addLayout(self.marker_row)

        self.board_view = BoardView()
        self.board_view.cell_pressed.connect(self.press_cell)
        left_col.addWidget(self.board_view, 1)
        self.body.addWidget(left, 3)

        side = QWidget()
        self.side = side
        side_col = QVBoxLayout(side)
        side_col.setContentsMargins(0, 0, 0, 0)
        side_col.setSpacing(4)
        # The likeliest next words first: the cheapest place to reach, by touch or scanning.
        self.prediction_row = PredictionRow()
        self.prediction_row.pressed.connect(lambda i: self.session.tap_prediction(i))
        side_col.addWidget(self.prediction_row)
        self.spoken_label = QLabel()
        self.spoken_label.setWordWrap(True)
        self.spoken_label.setAccessibleName("Last spoken sentence")
        self.spoken_label.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.spoken_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        side_col.addWidget(self.spoken_label)
        # First start: the model takes a while to be ready; say so where sentences will appear.
        self.loading_panel = QWidget()
        loading_col = QVBoxLayout(self.loading_panel)
        loading_col.setContentsMargins(4, 4, 4, 4)
        self.loading_label = QLabel()
        self.loading_label.setWordWrap(True)
        self.loading_label.setAccessibleName("Preparing")
        self.loading_label.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.loading_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.loading_bar = QProgressBar()
        self.loading_bar.setRange(0, 0)  # busy: llama.cpp reports no progress while it loads
        self.loading_bar.setAccessibleName("Preparing the voice model")
        loading_col.addWidget(self.loading_label)
        loading_col.addWidget(self.loading_bar)
        self.loading_panel.hide()
        side_col.addWidget(self.loading_panel)
        self.candidate_list = TouchList()
        self.candidate_list.setStyleSheet("font-size: 15pt;")
        self.candidate_list.setAccessibleName("Candidate sentences")
        self.candidate_list.itemClicked.connect(self._candidate_clicked)
        self.candidate_list.itemActivated.connect(self._candidate_clicked)
        side_col.addWidget(self.candidate_list, 3)
        actions = QGridLayout()  # two rows: a narrow side panel never cuts a button's words
        self.speak_keywords_button = self._button("speak_keywords", self.speak_keywords)
        self.pin_button = self._button("pin", self.pin_selected)
        self.stop_button = self._button("stop", self._stop_speaking)
        actions.addWidget(self.speak_keywords_button, 0, 0)
        actions.addWidget(self.stop_button, 0, 1)
        actions.addWidget(self.pin_button, 1, 0, 1, 2)
        side_col.addLayout(actions)
        self.side_tabs = QTabWidget()
        self.history_list = TouchList()
        self.favourites_list = TouchList()
        for lst, name in ((self.history_list, "History"), (self.favourites_list, "Favourites")):
            lst.setStyleSheet("font-size: 12pt;")
            lst.setAccessibleName(name)
            lst.itemClicked.connect(self._phrase_clicked)
            lst.itemActivated.connect(self._phrase_clicked)
        self.side_tabs.addTab(self.favourites_list, "")
        self.side_tabs.addTab(self.history_list, "")
        side_col.addWidget(self.side_tabs, 2)
        phrase_row = QHBoxLayout()
        self.unpin_button = self._button("unpin", self._unpin_selected)
        self.fav_up_button = self._button("move_up", lambda: self._move_favourite(-1))
        self.fav_down_button = self._button("move_down", lambda: self._move_favourite(1))
        self.clear_history_button = self._button("clear_history", self.confirm_clear_history)
        for b in (self.unpin_button, self.fav_up_button, self.fav_down_button):
            phrase_row.addWidget(b)
        phrase_row.addWidget(self.clear_history_button)
        side_col.addLayout(phrase_row)
        self.side_tabs.currentChanged.connect(lambda *_: self._phrase_buttons())
        side.setMinimumWidth(200)
        side.setMaximumWidth(460)
        self.body.addWidget(side, 1)
        self.setCentralWidget(central)

        self.status_label = QLabel()
        self.status_label.setAccessibleName("Status")
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.attribution = QLabel()
        self.attribution.setAccessibleName("Pictogram attribution")
        self.attribution.setStyleSheet("font-size: 8pt;")
        # ARASAAC's wording is long: it may wrap, it must never widen the window past the screen
        self.attribution.setWordWrap(True)
        self.attribution.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.statusBar().addWidget(self.status_label, 1)
        side_col.addWidget(self.attribution)  # under the phrases: the status bar stays one line

        self.quiet_action = QAction(self, checkable=True)
        self.quiet_action.setChecked(not self.session.comm.speak_each_tile)
        self.quiet_action.toggled.connect(lambda quiet: self.session.set_quiet(quiet))
        self.menuBar().addAction(self.quiet_action)
        self.help_action = QAction(self)
        self.help_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.help_action.triggered.connect(self.show_help)
        self.menuBar().addAction(self.help_action)
        for seq, _, slot in self.shortcuts():
            act = QAction(self)
            act.setShortcut(QKeySequence(seq))
            act.triggered.connect(slot)
            self.addAction(act)

    def shortcuts(self) -> list[tuple[str, str, object]]:
        """(key sequence, what it does: a texts key, slot): the window's keys and the help."""
        return [
            ("Backspace", "backspace", self._backspace),
            ("Ctrl+L", "clear", self._clear),
            ("Ctrl+Return", "speak_best", self.speak_best),
            ("Ctrl+Shift+Return", "speak_keywords", self.speak_keywords),
            ("Escape", "stop", self._stop_speaking),
            ("Ctrl+D", "pin", self.pin_selected),
            ("Alt+Home", "home", self._go_home),
            ("Alt+Left", "back", lambda: self.session.go_back()),
            ("Ctrl+Shift+L", "language", self.switch_language),
            ("Ctrl+F", "word_search", self.open_word_search),
        ]

    def open_word_search(self) -> WordSearchDialog:
        """A word that is not on the board: find its pictogram (or take the word alone)."""
        cache = self.pictograms.cache if self.pictograms is not None else None
        dialog = WordSearchDialog(self, self.lang, cache, self.session.add_word)
        apply_theme(dialog, self.settings)
        self.word_dialog = dialog
        dialog.open()
        return dialog

    def show_help(self) -> QMessageBox:
        """F1: every key the window knows, in the interface's language."""
        lang = self.lang
        lines = [f"<b>{text(lang, 'help_keys')}</b>", "<table>"]
        rows = [(seq, text(lang, key)) for seq, key, _ in self.shortcuts()]
        rows += [
            ("Tab / ↑ ↓ ← →", text(lang, "help_move")),
            ("Space / Enter", text(lang, "help_press")),
            ("Ctrl+,", ct(lang, "menu_settings")),
            ("Ctrl+E", ct(lang, "menu_edit")),
            ("F1", text(lang, "help")),
        ]
        for seq, what in rows:
            native = QKeySequence(seq).toString(QKeySequence.SequenceFormat.NativeText) or seq
            lines.append(f"<tr><td><b>{native}</b>&nbsp;&nbsp;</td><td>{what}</td></tr>")
        lines.append("</table>")
        box = QMessageBox(self)
        box.setWindowTitle(text(lang, "help"))
        box.setText("".join(lines))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def fit_to_screen(self) -> None:
        """Open as large as the screen allows, never larger: a 1366x768 laptop or a 1024x600
        tablet shows every row, the strip and the candidates."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        self.prediction_row.set_rows(1 if avail.height() < SHORT_SCREEN_PX else 2)
        self.session.set_row_size(self.prediction_row.capacity)
        self.render_predictions()
        self.setMaximumSize(avail.size())
        self.resize(avail.size())
        self.move(avail.topLeft())

    def _button(self, key: str, slot) -> QPushButton:
        b = QPushButton()
        b.setProperty("text_key", key)
        b.setMinimumHeight(TOUCH_PX)
        b.setStyleSheet("font-size: 12pt;")
        b.clicked.connect(slot)
        return b

    # --- rendering -----------------------------------------------------------------------------
    def _session_changed(self, what: Change) -> None:
        if Change.LANGUAGE in what:
            self.render_all()
            return
        if Change.BOARD in what:
            self.render_board()
        if Change.STRIP in what:
            self.render_strip()
        if Change.CANDIDATES in what:
            self.render_candidates()
        if Change.PHRASES in what:
            self.render_phrases()
        if Change.PREDICTIONS in what or Change.SETTINGS in what:
            self.render_predictions()
        if Change.SPOKEN in what:
            self.spoken_label.setText(self.session.spoken)
        if Change.SETTINGS in what:
            self.quiet_action.setChecked(not self.settings.speak_each_tile)
            self.access.apply(self.settings)
            self.caregiver.render()
        if Change.STATUS in what:
            self.render_status()
        if Change.NOTICES in what:
            self.render_notices()

    def render_notices(self) -> None:
        lines = [*([self.session.speech_problem] if self.session.speech_problem else [])]
        lines += self.session.notices
        self.notice_label.setText("\n".join(lines))
        self.notice_bar.setVisible(bool(lines))
        self.notice_button.setVisible(bool(self.session.notices))  # speech clears by itself

    def render_all(self) -> None:
        lang = self.lang
        self.setWindowTitle(text(lang, "title"))
        for b in self.findChildren(QPushButton):
            key = b.property("text_key")
            if key:
                b.setText(text(lang, key))
                b.setAccessibleName(text(lang, key))
        for key in MARKER_KEYS:
            word = self.session.marker_word(key)
            self.marker_buttons[key].setText(text(lang, key))
            self.marker_buttons[key].setAccessibleName(f"{text(lang, key)} ({word})")
        self.side_tabs.setTabText(0, text(lang, "favourites"))
        self.side_tabs.setTabText(1, text(lang, "history"))
        self.quiet_action.setText(text(lang, "quiet"))
        self.help_action.setText(text(lang, "help"))
        more = self.menuBar().findChild(QToolButton, "qt_menubar_ext_button")
        if more is not None:  # Qt's "»" when the menus do not fit the width
            more.setAccessibleName(text(lang, "more_menus"))
        self.caregiver.render()
        self.attribution.setText(attribution(lang))  # ARASAAC's own wording
        self.spoken_label.setText(self.session.spoken)
        self.render_board()
        self.render_strip()
        self.render_candidates()
        self.render_predictions()
        self.render_phrases()
        self.render_status()
        self.render_notices()
        self._phrase_buttons()
        install_qt_translations(lang)  # Qt's own dialogs (colour, file, message boxes)

    def render_status(self) -> None:
        status, lang = self.session.status, self.lang
        if status.key in ("settings_saved", "settings_saved_restart"):
            words = ct(lang, "settings_saved")
            if status.key == "settings_saved_restart":
                words += " " + ct(lang, "restart_needed")
        elif status.key == "model_ready":
            words = text(lang, "model_ready").format(model=status.detail)
        elif status.key == "model_failed":
            words = f"{status.detail} {text(lang, 'no_model')}"
        elif status.key:
            words = text(lang, status.key) + (f" {status.detail}" if status.detail else "")
        else:
            words = status.detail
        self.status_label.setText(words)
        preparing = status.key == "loading"
        self.loading_label.setText(text(lang, "preparing_model"))
        self.loading_panel.setVisible(preparing)
        # The preparing panel takes the place of the prediction row and the sentences for the
        # few seconds it shows (a 1024x600 screen has no room for all three).
        self.candidate_list.setVisible(not preparing)
        self.render_predictions()

    def render_board(self) -> None:
        board = self.comm.board
        self.board_view.show_board(board)
        self.breadcrumb.setText(" › ".join(b.name for b in self.comm.breadcrumb))
        self.back_button.setEnabled(len(self.comm.path) > 1)
        self.access.board_rendered()  # theme the new tiles, rescan
        self._request_pictures((cell_key(board, cell), cell) for _, _, cell in board.iter_cells())

    def _request_pictures(self, cells: Iterable[tuple[str, Cell]]) -> None:
        """Ask for each cell's picture (its own image, else its ARASAAC pictogram); it arrives
        in `_picture_ready` under the key given."""
        if self.pictograms is None:
            return
        base = user_boards_path(self.lang).parent  # imported pictures live beside the boards
        for key, cell in cells:
            own = picture_path(base, cell.image) if cell.image else None
            self.pictograms.request(
                key, cell.pictogram_id, cell.search_text, self.lang, cell.keyword_type,
                image_file=own,
            )  # fmt: skip

    def render_strip(self) -> None:
        self.strip_view.show_strip(
            self.comm.strip, text(self.lang, "strip_hint"), self.session.pictures
        )
        self.access.strip_rendered()

    def render_candidates(self) -> None:
        self.candidate_list.set_items([c.text for c in self.candidates])
        if self.candidates:
            self.candidate_list.setCurrentRow(0)
        self.access.candidates_rendered()  # the sentence row is scanned

    def render_predictions(self) -> None:
        row = self.prediction_row
        # The first start's preparing panel takes the row's place for the seconds it shows.
        row.setVisible(self.settings.predictions and self.session.status.key != "loading")
        if row.show_predictions(self.session.predictions):
            self.access.predictions_rendered()
            self._request_pictures(row.wanted_pictures())

    def render_phrases(self) -> None:
        for lst, phrases in (
            (self.history_list, self.session.phrases.recent(self.lang)),
            (self.favourites_list, self.session.phrases.pinned(self.lang)),
        ):
            lst.set_items([p.text for p in phrases])

    # --- intents: forwarded to the session -----------------------------------------------------
    def press_cell(self, cell: Cell) -> None:
        self.session.tap(cell)

    def add_marker(self, key: str) -> None:
        self.session.add_marker(key, text(self.lang, key))

    def _backspace(self) -> None:
        self.session.backspace()

    def _clear(self) -> None:
        self.session.clear()

    def _go_home(self) -> None:
        self.session.go_home()

    def speak_candidate(self, index: int) -> None:
        self.session.speak_candidate(index)

    def speak_best(self) -> None:
        self.session.speak_best(self.candidate_list.currentRow())

    def speak_keywords(self) -> None:
        self.session.speak_keywords()

    def _candidate_clicked(self, item: QListWidgetItem) -> None:
        self.session.speak_candidate(self.candidate_list.row(item))

    def _phrase_clicked(self, item: QListWidgetItem) -> None:
        self.session.speak_phrase(item.text())

    def pin_selected(self) -> None:
        sentence = self.session.candidate_text(self.candidate_list.currentRow())
        if sentence is None and self.history_list.currentItem() is not None:
            sentence = self.history_list.currentItem().text()
        self.session.pin(sentence)

    def _stop_speaking(self) -> None:
        self.session.stop_speaking()

    def _selected_favourite(self) -> str | None:
        item = self.favourites_list.currentItem()
        return item.text() if item is not None else None

    def _unpin_selected(self) -> None:
        self.session.unpin(self._selected_favourite())

    def _move_favourite(self, step: int) -> None:
        chosen = self._selected_favourite()
        self.session.move_favourite(chosen, step)
        matches = self.favourites_list.findItems(chosen or "", Qt.MatchFlag.MatchExactly)
        if matches:
            self.favourites_list.setCurrentItem(matches[0])  # keep moving the same one

    def confirm_clear_history(self) -> QMessageBox:
        """Clearing the history cannot be undone: ask first."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(text(self.lang, "clear_history"))
        box.setText(text(self.lang, "clear_history_confirm"))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(self.session.clear_history)
        self.confirm_box = box
        box.open()
        return box

    def _phrase_buttons(self) -> None:
        favourites = self.side_tabs.currentWidget() is self.favourites_list
        for b in (self.unpin_button, self.fav_up_button, self.fav_down_button):
            b.setVisible(favourites)
        self.clear_history_button.setVisible(not favourites)

    def switch_language(self) -> None:
        self.session.switch_language()

    def _picture_ready(self, key: str, pictogram_id: int | None, path, picture) -> None:
        board_id, _, cell_id = key.partition("/")
        if self.session.picture_resolved(board_id, cell_id, pictogram_id, path):
            self.board_view.set_picture(key, picture)  # decoded and scaled off this thread
        self.prediction_row.set_picture(key, picture)  # a predicted cell of any board

    def save_boards(self) -> None:
        self.session.save_boards()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        portrait = self.height() > self.width()
        direction = (
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        if self.body.direction() != direction:
            self.body.setDirection(direction)
            if portrait:  # the phrases go under the board, full width, a third of the height
                self.side.setMaximumWidth(16_777_215)
                self.side.setMaximumHeight(max(self.height() // 3, 240))
            else:
                self.side.setMaximumSize(460, 16_777_215)
        self.access.resized()  # the highlight layer covers the window

    def closeEvent(self, event) -> None:
        self.caregiver.close()
        self.access.shutdown()
        if self.pictograms is not None:
            self.pictograms.clear_pending()
            self.pictograms.cache.cancel()  # a slow download must not hold the window open
            self.pictograms.wait()
        self.session.close()
        super().closeEvent(event)
