"""A list whose rows are touch targets: sentences wrap instead of running off the side, and no
row is lower than a tile's height class (the most used targets must not be the smallest)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QWidget

from app.ui.tiles import TOUCH_PX

ROW_PAD = 14


class TouchList(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setSpacing(2)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.min_row_px = TOUCH_PX

    def refit(self) -> None:
        """Row heights for the current width and font (after a change of either)."""
        width = max(self.viewport().width() - 2 * ROW_PAD, 40)
        fm = QFontMetrics(self.font())
        flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        for i in range(self.count()):
            item = self.item(i)
            text = fm.boundingRect(QRect(0, 0, width, 10_000), flags, item.text())
            item.setSizeHint(QSize(width, max(self.min_row_px, text.height() + ROW_PAD)))

    def set_items(self, texts: list[str]) -> None:
        """Replace the rows, and size them once (not once per row)."""
        self.clear()
        self.addItems(texts)
        self.refit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.refit()
