"""Look: the high-contrast theme and text / tile scaling (zoom, large text).

High contrast: black background, white text, thick yellow focus frames. Tiles turn black with
white labels and keep their Fitzgerald colour as a thick border, so the colour coding the user
learnt still reads.

Text size is applied once, from the settings: the application font is set to the platform's
size times the factor (menus, dialogs and lists follow it), and the sizes written in widgets'
own style sheets are scaled from the sheet each widget was made with. Nothing reads a size that
was already scaled, so applying twice, or restarting, never multiplies it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from app.core.settings import Settings
from app.ui.tiles import TILE_MIN, Tile

LARGE_TEXT = 1.3
FOCUS = "#ffd600"
_FONT_RE = re.compile(r"font-size:\s*(\d+(?:\.\d+)?)pt")
_BACKGROUND_RE = re.compile(r"background:\s*(#[0-9a-fA-F]{6})")

FOCUS_NORMAL = "#0050ef"
# A visible focus ring (3 px) on everything a keyboard user can reach.
NORMAL_SHEET = f"""
QPushButton {{ border: 1px solid #8a8a8a; border-radius: 6px; padding: 4px 8px;
    background: #f4f4f4; color: #000000; }}
QPushButton:pressed {{ background: #dddddd; }}
QPushButton:disabled {{ color: #9e9e9e; }}
QPushButton:focus {{ border: 3px solid {FOCUS_NORMAL}; }}
QListWidget:focus, QTabBar::tab:focus, QLineEdit:focus, QComboBox:focus, QSpinBox:focus {{
    border: 3px solid {FOCUS_NORMAL}; }}
QCheckBox:focus {{ border: 3px solid {FOCUS_NORMAL}; }}
QListWidget::item {{ border-bottom: 1px solid #dddddd; padding: 4px; }}
QListWidget::item:selected {{ background: #cfe3ff; color: #000000; }}
QScrollArea#strip {{ border: 2px solid #8a8a8a; border-radius: 6px; }}
"""

HIGH_CONTRAST_SHEET = f"""
QWidget {{ background: #000000; color: #ffffff; }}
QPushButton, QToolButton {{ background: #000000; color: #ffffff; border: 3px solid #ffffff;
    border-radius: 6px; padding: 6px; }}
QPushButton:focus, QToolButton:focus, QListWidget:focus, QLineEdit:focus, QComboBox:focus,
QSpinBox:focus, QCheckBox:focus, QTabBar::tab:focus {{ border: 5px solid {FOCUS}; }}
QPushButton:disabled {{ color: #9e9e9e; border-color: #9e9e9e; }}
QListWidget {{ border: 2px solid #ffffff; }}
QListWidget::item:selected {{ background: {FOCUS}; color: #000000; }}
QTabBar::tab {{ background: #000000; color: #ffffff; border: 2px solid #ffffff; padding: 6px; }}
QTabBar::tab:selected {{ background: #ffffff; color: #000000; }}
QMenuBar, QMenu {{ background: #000000; color: #ffffff; }}
QMenuBar::item:selected, QMenu::item:selected {{ background: {FOCUS}; color: #000000; }}
QStatusBar, QStatusBar QLabel {{ color: #ffffff; }}
QCheckBox::indicator {{ width: 22px; height: 22px; border: 3px solid #ffffff;
    background: #000000; }}
QCheckBox::indicator:checked {{ background: {FOCUS}; }}
QScrollArea#strip {{ border: 3px solid #ffffff; border-radius: 6px; }}
"""


def scale_factor(settings: Settings) -> float:
    return settings.zoom / 100.0 * (LARGE_TEXT if settings.large_text else 1.0)


def scaled_sheet(sheet: str, factor: float) -> str:
    return _FONT_RE.sub(lambda m: f"font-size: {float(m.group(1)) * factor:.1f}pt", sheet)


def tile_sheet(background: str, font_pt: float) -> str:
    """The tile style in high contrast: black face, white label, a thick category-colour frame."""
    return (
        f"QToolButton {{ background: #000000; color: #ffffff; border: 6px solid {background}; "
        f"border-radius: 10px; font-size: {font_pt:.1f}pt; font-weight: bold; padding: 4px; }}"
        f"QToolButton:focus {{ border: 9px solid {FOCUS}; }}"
        "QToolButton:pressed { background: #333333; }"
    )


_BASE_APP_PT: float | None = None  # the platform's own size, read once


def apply_app_font(settings: Settings) -> None:
    """The one text size: the application font, from the platform's size (never from a size
    this function set before)."""
    global _BASE_APP_PT
    app = QApplication.instance()
    if app is None:
        return
    font = app.font()
    if _BASE_APP_PT is None:
        _BASE_APP_PT = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(_BASE_APP_PT * scale_factor(settings))
    app.setFont(font)


def _base_sheet(widget: QWidget) -> str:
    if widget.property("theme_base_sheet") is None:
        widget.setProperty("theme_base_sheet", widget.styleSheet())
    return str(widget.property("theme_base_sheet") or "")


def style_widget(widget: QWidget, settings: Settings) -> None:
    """Scale the sizes in a widget's own style sheet, and give a button with its own colours
    the high-contrast look."""
    base_sheet = _base_sheet(widget)
    factor = scale_factor(settings)
    if isinstance(widget, Tile):
        if settings.high_contrast:
            match = _FONT_RE.search(base_sheet)
            font_pt = (float(match.group(1)) if match else 10.0) * factor
            widget.setStyleSheet(tile_sheet(widget.background, font_pt))
        else:
            widget.setStyleSheet(scaled_sheet(base_sheet, factor))
        return
    if not base_sheet:
        return  # nothing of its own: the window's sheet and the application font are enough
    sheet = scaled_sheet(base_sheet, factor)
    colour = _BACKGROUND_RE.search(base_sheet)
    if settings.high_contrast and isinstance(widget, QAbstractButton) and colour:
        # A coloured button (the markers): black face, its colour as the frame.
        sheet = _BACKGROUND_RE.sub("background: #000000", sheet)
        sheet += f" color: #ffffff; border: 5px solid {colour.group(1)}; border-radius: 6px;"
    widget.setStyleSheet(sheet)


def style_tiles(tiles: Iterable[Tile], settings: Settings, *, fixed: QSize | None = None) -> None:
    """Tiles are made anew on every render, so they are styled after each one."""
    for tile in tiles:
        style_widget(tile, settings)
        if fixed is not None:  # the strip: its tiles grow with the text
            factor = scale_factor(settings)
            tile.setFixedSize(int(fixed.width() * factor), int(fixed.height() * factor))
        else:  # the board fills the window anyway; only the zoom sets its smallest tile
            factor = settings.zoom / 100.0
            tile.setMinimumSize(int(TILE_MIN.width() * factor), int(TILE_MIN.height() * factor))


def apply_theme(root: QWidget, settings: Settings) -> None:
    """The whole window (or a dialog): theme sheet on the root, every child scaled."""
    apply_app_font(settings)
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, Tile) or widget is root:
            continue  # style_tiles knows their sizes; the root gets the theme sheet
        style_widget(widget, settings)
    root.setStyleSheet(HIGH_CONTRAST_SHEET if settings.high_contrast else NORMAL_SHEET)
