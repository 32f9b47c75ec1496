"""Pictogram tiles: a big button with the picture above the label, framed in its Fitzgerald
colour. Without a picture the label stands alone on the colour.

The tile paints its own label: Qt's tool button cuts a long label with "…" ("sent…os ▸"),
which a user who cannot read the rest of the word cannot guess. Here the label wraps at spaces
and shrinks until it fits, never cut.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QIcon, QImage, QKeyEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QSizePolicy,
    QStyle,
    QStyleOptionToolButton,
    QStylePainter,
    QToolButton,
    QWidget,
)

TOUCH_PX = 48  # the smallest target a tap or a head pointer should have to hit (at 100 %)
TILE_MIN = QSize(TOUCH_PX, TOUCH_PX)
MIN_LABEL_PT = 6.0
PAD = 5  # from the tile's edge to its content (the frame is 3-4 px of it)


def _darker(colour: str) -> str:
    """A darker shade of the cell colour for the frame, so it reads as the category colour."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"#{int(r * 0.6):02x}{int(g * 0.6):02x}{int(b * 0.6):02x}"


def fit_label(text: str, font: QFont, width: int, height: int) -> QFont:
    """The largest font (down to MIN_LABEL_PT) at which `text`, wrapped at spaces, fits the box.
    Below that, `label_flags` lets the word break rather than be cut: never "…"."""
    fitted = QFont(font)
    size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    flags = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap)
    while size > MIN_LABEL_PT:
        fitted.setPointSizeF(size)
        fm = QFontMetrics(fitted)
        widest = max((fm.horizontalAdvance(w) for w in text.split()), default=0)
        box = fm.boundingRect(QRect(0, 0, max(width, 1), 10_000), flags, text)
        if widest <= width and box.height() <= height:
            return fitted
        size -= 0.5
    fitted.setPointSizeF(MIN_LABEL_PT)
    return fitted


def label_flags(text: str, font: QFont, width: int) -> int:
    """Wrap at spaces; a word wider than the tile even at the smallest size breaks anywhere."""
    fm = QFontMetrics(font)
    wrap = Qt.TextFlag.TextWordWrap
    if max((fm.horizontalAdvance(w) for w in text.split()), default=0) > width:
        wrap = Qt.TextFlag.TextWrapAnywhere
    return int(Qt.AlignmentFlag.AlignCenter) | int(wrap)


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
        self.setText(label)  # what assistive technology and tests read; painted by paintEvent
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(TILE_MIN)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(label)
        self.setAccessibleDescription(description or label)
        self.setToolTip(description or label)
        self.background = background
        self.grid_pos: tuple[int, int] | None = None  # (row, column) on its board
        self.on_arrow = None  # callable(d_row, d_col): the board moves the focus
        self._picture: QPixmap | None = None
        self._layout_cache: tuple | None = None
        self.setStyleSheet(
            f"QToolButton {{ background: {background}; color: #000; border: 3px solid "
            f"{_darker(background)}; border-radius: 8px; font-size: {font_pt}pt; "
            "font-weight: bold; padding: 2px; }"
            "QToolButton:focus { border: 6px solid #0050ef; }"
            "QToolButton:pressed { background: #ffffff; }"
        )

    def sizeHint(self) -> QSize:
        return TILE_MIN  # the board gives tiles the space there is; this is only a floor

    def minimumSizeHint(self) -> QSize:
        return self.minimumSize()

    def set_picture(self, picture: Path | str | QImage | None) -> bool:
        """A file path (decoded here) or a QImage already decoded and scaled off this thread."""
        if picture is None or picture == "":
            return False
        if isinstance(picture, QImage):
            pixmap = QPixmap.fromImage(picture)
        else:
            pixmap = QPixmap(str(picture))
        if pixmap.isNull():
            return False
        self._picture = pixmap
        self._layout_cache = None
        self.setIcon(QIcon(pixmap))  # also read by the strip and tests
        self.update()
        return True

    @property
    def has_picture(self) -> bool:
        return self._picture is not None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.isAutoRepeat():
            self.animateClick()  # Enter presses a focused tile, as Space does
            return
        arrows = {
            Qt.Key.Key_Up: (-1, 0),
            Qt.Key.Key_Down: (1, 0),
            Qt.Key.Key_Left: (0, -1),
            Qt.Key.Key_Right: (0, 1),
        }
        if key in arrows and self.on_arrow is not None:
            self.on_arrow(*arrows[key])
            return
        super().keyPressEvent(event)

    def _layout(self) -> tuple[QFont, QRect, QPixmap | None, QRect | None, int]:
        """Label font and box, scaled picture and its box, text flags: worked out once per size,
        text, font and picture (paints come on every hover and press; fitting takes a loop)."""
        key = (self.size().toTuple(), self.text(), self.font().key(), self._picture is not None)
        if self._layout_cache is not None and self._layout_cache[0] == key:
            return self._layout_cache[1]
        inner = self.rect().adjusted(PAD, PAD, -PAD, -PAD)
        text = self.text()
        picture, pic_box = None, None
        if self._picture is not None:
            font = fit_label(text, self.font(), inner.width(), max(inner.height() * 2 // 5, 12))
            lines = QFontMetrics(font).boundingRect(
                QRect(0, 0, inner.width(), 10_000),
                int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap),
                text,
            )
            label_h = min(lines.height(), inner.height() // 2)
            box = QRect(inner.left(), inner.top(), inner.width(), inner.height() - label_h)
            side = max(min(box.width(), box.height()), 1)
            picture = self._picture.scaled(
                side,
                side,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            x = box.left() + (box.width() - picture.width()) // 2
            y = box.top() + (box.height() - picture.height()) // 2
            pic_box = QRect(x, y, picture.width(), picture.height())
            label_box = QRect(inner.left(), inner.bottom() - label_h, inner.width(), label_h + 1)
        else:
            font = fit_label(text, self.font(), inner.width(), inner.height())
            label_box = inner
        layout = (font, label_box, picture, pic_box, label_flags(text, font, label_box.width()))
        self._layout_cache = (key, layout)
        return layout

    def paintEvent(self, event) -> None:
        painter = QStylePainter(self)
        opt = QStyleOptionToolButton()
        self.initStyleOption(opt)
        opt.text = ""
        opt.icon = QIcon()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ToolButton, opt)
        font, label_box, picture, pic_box, flags = self._layout()
        if picture is not None and pic_box is not None:
            painter.drawPixmap(pic_box.topLeft(), picture)
        painter.setFont(font)
        painter.setPen(opt.palette.color(QPalette.ColorRole.ButtonText))
        painter.drawText(label_box, flags, self.text())
