"""Pictogram tiles: a big button with the picture above the label, framed in its Fitzgerald
colour. Without a picture the label stands alone on the colour."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QSizePolicy, QToolButton, QWidget

TILE_MIN = QSize(88, 88)


def _darker(colour: str) -> str:
    """A darker shade of the cell colour for the frame, so it reads as the category colour."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"#{int(r * 0.6):02x}{int(g * 0.6):02x}{int(b * 0.6):02x}"


class Tile(QToolButton):
    def __init__(
        self,
        label: str,
        background: str,
        *,
        description: str = "",
        parent: QWidget | None = None,
        font_pt: int = 10,
    ) -> None:
        super().__init__(parent)
        self.setText(label)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(TILE_MIN)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(label)
        self.setAccessibleDescription(description or label)
        self.setToolTip(description or label)
        self.background = background
        self.setStyleSheet(
            f"QToolButton {{ background: {background}; color: #000; border: 4px solid "
            f"{_darker(background)}; border-radius: 10px; font-size: {font_pt}pt; "
            "font-weight: bold; padding: 4px; }"
            "QToolButton:focus { border: 5px solid #0050ef; }"
            "QToolButton:pressed { background: #ffffff; }"
        )

    def set_picture(self, path: Path | str | None) -> bool:
        if not path:
            return False
        pixmap = QPixmap(str(path))
        if pixmap.isNull():
            return False
        self.setIcon(QIcon(pixmap))
        self._fit_icon()
        return True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_icon()

    def _fit_icon(self) -> None:
        side = max(24, min(self.width() - 16, self.height() - self.fontMetrics().height() - 20))
        self.setIconSize(QSize(side, side))
