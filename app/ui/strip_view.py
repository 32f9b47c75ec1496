"""The sentence strip: tapped pictograms in order; tapping one removes it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QWidget

from app.core.strip import SentenceStrip
from app.ui.tiles import Tile


class StripView(QScrollArea):
    remove_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFixedHeight(84)
        self.setObjectName("strip")  # the theme draws its border
        self.setAccessibleName("Sentence strip")
        self._inner = QWidget()
        self._row = QHBoxLayout(self._inner)
        self._row.setContentsMargins(4, 4, 4, 4)
        self.setWidget(self._inner)
        self.tiles: list[Tile] = []
        self._hint = QLabel()

    def show_strip(self, strip: SentenceStrip, hint: str, pictures: dict[int, str]) -> None:
        while self._row.count():
            item = self._row.takeAt(0)
            widget = item.widget()
            if widget is not None and widget is not self._hint:
                widget.hide()  # gone from the screen now; Qt frees it later
                widget.deleteLater()
        self.tiles = []
        if strip.empty:
            self._hint.setText(hint)
            self._row.addWidget(self._hint)
            self._hint.show()
        else:
            self._hint.hide()
        for i, item in enumerate(strip.items):
            tile = Tile(
                item.label,
                item.background,
                description=f"{item.label}: tap to remove",
                parent=self._inner,
                font_pt=11,
            )
            tile.setFixedSize(72, 72)
            if item.pictogram_id is not None:
                tile.set_picture(pictures.get(item.pictogram_id))
            tile.clicked.connect(lambda *_, idx=i: self.remove_requested.emit(idx))
            self._row.addWidget(tile)
            self.tiles.append(tile)
        self._row.addStretch(1)
