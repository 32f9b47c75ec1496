"""A see-through layer over the window that draws the scanning highlight and the dwell progress.

Drawing on top, instead of restyling the lit tiles, leaves the tiles' own look (and the theme)
alone and costs one repaint per step.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QListWidget, QWidget

HIGHLIGHT = QColor("#ffd600")  # yellow, framed in black so it shows on light and dark tiles
OUTLINE = QColor("#000000")
FRAME_PX = 8


def widget_rect(target: QWidget, onto: QWidget, row: int | None = None) -> QRect:
    """`target` (or item `row` of a list widget) in `onto`'s coordinates."""
    if row is not None and isinstance(target, QListWidget):
        item = target.item(row)
        if item is not None:
            rect = target.visualItemRect(item)
            top_left = target.viewport().mapTo(onto, rect.topLeft())
            return QRect(top_left, rect.size())
    return QRect(target.mapTo(onto, QPoint(0, 0)), target.size())


class HighlightOverlay(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName("Highlight")
        self.frames: list[QRect] = []
        self.progress_rect: QRect | None = None
        self.progress = 0.0
        self.follow_parent()

    def follow_parent(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.raise_()

    def show_frames(self, frames: list[QRect]) -> None:
        self.frames = frames
        self.follow_parent()
        self.setVisible(bool(self.frames) or self.progress_rect is not None)
        self.update()

    def show_progress(self, rect: QRect | None, progress: float) -> None:
        self.progress_rect, self.progress = rect, progress
        self.follow_parent()
        self.setVisible(bool(self.frames) or self.progress_rect is not None)
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for rect in self.frames:
            # Around the item, not over it: a switch user must read the sentence or the tile
            # they are about to choose (only the item's own edge and the gap are covered).
            pad = FRAME_PX // 2 - 1
            around = rect.adjusted(-pad, -pad, pad, pad)
            painter.setPen(QPen(OUTLINE, FRAME_PX + 4))
            painter.drawRoundedRect(around, 10, 10)
            painter.setPen(QPen(HIGHLIGHT, FRAME_PX))
            painter.drawRoundedRect(around, 10, 10)
        if self.progress_rect is not None and self.progress > 0:
            # A bar that fills along the bottom of the tile while the pointer rests on it.
            r = self.progress_rect
            bar = QRect(r.left() + 6, r.bottom() - 16, int((r.width() - 12) * self.progress), 10)
            painter.fillRect(bar.adjusted(-2, -2, 2, 2), OUTLINE)
            painter.fillRect(bar, HIGHLIGHT)
        painter.end()
