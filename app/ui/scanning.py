"""Switch scanning in the window: the Qt glue around app.session.scanning.Scanner.

What is scanned, in order (app.session.scanning.window_rows): the prediction row (when it
shows words), the sentence row (the candidates, then "Say words", once the strip has words), the
board's rows, then a controls row (delete last, clear, back, home, the markers). A QTimer drives
the one-switch highlight; the switch keys are caught by an application event filter while the main
window is active, so they work whatever has the keyboard focus (and a focused button does not
also react to Space).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from app.core.settings import Settings
from app.session.scanning import SAY, ScanConfig, Scanner, Switch, window_rows
from app.ui.board_view import cell_key
from app.ui.highlight import HighlightOverlay, widget_rect

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Target:
    """One scanned thing: a button, or item `row` of a list widget."""

    widget: QWidget
    activate: Callable[[], None] = field(repr=False)
    row: int | None = None


def button_target(button: QAbstractButton) -> Target:
    return Target(button, button.click)


def key_of(text: str) -> int | None:
    """The key code of a QKeySequence text ("Space", "F1"), modifiers included; None if empty."""
    seq = QKeySequence(text)
    if seq.isEmpty():
        return None
    return seq[0].toCombined()


class ScanController(QObject):
    def __init__(self, window, overlay: HighlightOverlay) -> None:
        super().__init__(window)
        self.window = window
        self.overlay = overlay
        self.active = False
        self.scanner: Scanner[Target] = Scanner([])
        self._keys: dict[int, Switch] = {}
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._filtering = False

    # --- configuration -------------------------------------------------------------------------
    def configure(self, settings: Settings) -> None:
        scan = ScanConfig.from_settings(settings)
        self.active = scan is not None
        config = scan or ScanConfig(switches=settings.scan_switches)
        self.scanner = Scanner([], config)
        self._keys = {}
        select = key_of(settings.scan_select_key)
        if select is not None:
            self._keys[select] = Switch.SELECT
        nxt = key_of(settings.scan_next_key)
        if config.switches == 2 and nxt is not None and nxt != select:
            self._keys[nxt] = Switch.NEXT
        self._timer.setInterval(settings.scan_interval_ms)
        app = QApplication.instance()
        if self.active and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True
        elif not self.active and self._filtering:
            app.removeEventFilter(self)
            self._filtering = False
        self.refresh(reset=True)

    def shutdown(self) -> None:
        self._timer.stop()
        if self._filtering:
            QApplication.instance().removeEventFilter(self)
            self._filtering = False
        self.active = False

    def stop_timer(self) -> None:
        """Hold the highlight still (tests, and a paused scan)."""
        self._timer.stop()

    # --- what is scanned -----------------------------------------------------------------------
    def rows(self) -> list[list[Target]]:
        w = self.window
        board = w.board_view.board
        if board is None:
            return []
        named = {
            SAY: w.speak_keywords_button,
            "backspace": w.backspace_button,
            "clear": w.clear_button,
            "back": w.back_button,
            "home": w.home_button,
            "word": w.word_button,
            **w.marker_buttons,
        }
        out: list[list[Target]] = []
        predicted = w.prediction_row.tiles if not w.prediction_row.isHidden() else []
        layout = window_rows(
            board,
            w.candidate_list.count(),
            w.back_button.isEnabled(),
            len(predicted),
            has_words=not w.comm.strip.empty,
        )
        for names in layout:
            row: list[Target] = []
            for thing in names:
                if isinstance(thing, str) and thing.startswith("prediction:"):
                    row.append(button_target(predicted[int(thing.partition(":")[2])]))
                elif isinstance(thing, str) and thing.startswith("candidate:"):
                    i = int(thing.partition(":")[2])
                    row.append(Target(w.candidate_list, lambda i=i: w.speak_candidate(i), row=i))
                elif isinstance(thing, str):
                    row.append(button_target(named[thing]))
                elif cell_key(board, thing) in w.board_view.tiles:
                    row.append(button_target(w.board_view.tiles[cell_key(board, thing)]))
            out.append(row)
        return out

    def refresh(self, *, reset: bool = False) -> None:
        """The window changed (new board, new candidates): scan what is there now."""
        if not self.active:
            self._timer.stop()
            self.overlay.show_frames([])
            return
        self.scanner.set_rows(self.rows(), keep_position=not reset)
        if self.scanner.config.switches == 1 and not self._timer.isActive():
            self._timer.start()
        self._paint()

    def lit(self) -> list[Target]:
        return self.scanner.highlighted() if self.active else []

    def lit_widgets(self) -> list[QWidget]:
        return [t.widget for t in self.lit()]

    # --- input ---------------------------------------------------------------------------------
    def _tick(self) -> None:
        self.scanner.tick()
        self._paint()

    def press(self, switch: Switch) -> None:
        if self.scanner.config.switches == 1 and self._timer.isActive():
            self._timer.start()  # a full step on the new highlight after each press
        chosen = self.scanner.press(switch)
        if chosen is not None:
            chosen.activate()
            self.refresh(reset=True)
        else:
            self._paint()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride):
            return False
        if not isinstance(obj, QWidget) or obj.window() is not self.window:
            return False  # dialogs (settings, editor, lock) keep their keys
        switch = self._keys.get(event.keyCombination().toCombined())
        if switch is None:
            return False
        if kind is QEvent.Type.ShortcutOverride:
            event.accept()  # ours, not a window shortcut's
            return True
        if kind is QEvent.Type.KeyPress and not event.isAutoRepeat():
            self.press(switch)
        return True

    def _paint(self) -> None:
        onto = self.overlay.parentWidget()
        lit = self.lit()
        if not lit:
            self.overlay.show_frames([])
            return
        for target in (lit[0], lit[-1]):  # a board that scrolls brings the lit row into view
            self.window.board_view.show_widget(target.widget)
        one_place = len({t.widget.parentWidget() for t in lit}) == 1
        if self.scanner.items_lit or not one_place:
            frames = [widget_rect(t.widget, onto, t.row) for t in lit]
        else:  # a row of tiles: one frame around it
            rect = widget_rect(lit[0].widget, onto, lit[0].row)
            for t in lit[1:]:
                rect = rect.united(widget_rect(t.widget, onto, t.row))
            frames = [rect]
        self.overlay.show_frames(frames)
