"""Say a word that is not on the board: type it, pick its pictogram (cached ones first, ARASAAC
when online) or take the word alone, and it joins the sentence strip like a tapped tile."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.texts import text
from app.ui.tiles import TOUCH_PX, Tile
from app.ui.workers import PictogramSearch

COLUMNS = 4
MAX_SHOWN = 12
WORD_COLOUR = "#ffffff"


class WordSearchDialog(QDialog):
    """`on_chosen(label, pictogram_id or None)` adds the word; the dialog then closes."""

    def __init__(
        self,
        parent: QWidget,
        lang: str,
        cache,
        on_chosen: Callable[[str, int | None], None],
    ) -> None:
        super().__init__(parent)
        self.lang = lang
        self.on_chosen = on_chosen
        self.setWindowTitle(text(lang, "word_search"))
        self.setAccessibleName(text(lang, "word_search"))
        self.search = PictogramSearch(cache, self) if cache is not None else None
        if self.search is not None:
            self.search.on_result = self._result
            self.search.on_done = self._done
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.edit = QLineEdit()
        self.edit.setAccessibleName(text(lang, "word_search_field"))
        self.edit.setPlaceholderText(text(lang, "word_search_field"))
        self.edit.setMinimumHeight(TOUCH_PX)
        self.edit.returnPressed.connect(self.run_search)
        row.addWidget(self.edit, 1)
        self.find_button = self._button("word_search_find", self.run_search)
        row.addWidget(self.find_button)
        layout.addLayout(row)
        self.results = QWidget()
        self.grid = QGridLayout(self.results)
        layout.addWidget(self.results, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(text(lang, "word_search"))
        layout.addWidget(self.message)
        self.plain_button = self._button("word_search_plain", self.choose_plain)
        self.cancel_button = self._button("word_search_cancel", self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.plain_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.tiles: list[Tile] = []
        self._query = 0
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.finished.connect(self._closed)
        self.resize(560, 460)

    def _button(self, key: str, slot) -> QPushButton:
        b = QPushButton(text(self.lang, key))
        b.setAccessibleName(text(self.lang, key))
        b.setMinimumHeight(TOUCH_PX)
        b.clicked.connect(slot)
        return b

    @property
    def word(self) -> str:
        return " ".join(self.edit.text().split())

    def run_search(self) -> None:
        for tile in self.tiles:
            tile.hide()
            tile.deleteLater()
        self.tiles = []
        if not self.word:
            return
        if self.search is None:
            self.message.setText(text(self.lang, "word_search_offline"))
            return
        self.message.setText(text(self.lang, "word_search_searching"))
        self._query = self.search.search(self.word, self.lang)

    def _result(self, query: int, pid: int, label: str, path) -> None:
        if query != self._query or len(self.tiles) >= MAX_SHOWN:
            return
        tile = Tile(label, WORD_COLOUR, description=f"{label} (ARASAAC {pid})", parent=self)
        tile.set_picture(path)
        tile.clicked.connect(lambda *_, p=pid, lb=label: self.choose(lb, p))
        i = len(self.tiles)
        self.grid.addWidget(tile, i // COLUMNS, i % COLUMNS)
        self.tiles.append(tile)

    def _done(self, query: int, message: str | None) -> None:
        if query != self._query:
            return
        if self.tiles:
            self.message.setText(text(self.lang, "word_search_pick"))
        else:  # offline or nothing found: the word can still be said
            self.message.setText(text(self.lang, "word_search_none"))

    def choose(self, label: str, pictogram_id: int | None) -> None:
        # The user typed the word they mean; the picture's label may be a longer phrase.
        self.on_chosen(self.word or label, pictogram_id)
        self.accept()

    def choose_plain(self) -> None:
        if self.word:
            self.choose(self.word, None)

    def _closed(self, *_args) -> None:
        if self.search is not None:
            self.search.close()
