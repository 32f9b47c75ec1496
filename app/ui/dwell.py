"""Dwell selection in the window: the Qt glue around app.session.dwell.DwellSelector.

An application event filter follows the pointer over the main window's buttons (tiles, strip,
controls) and the items of its lists (candidates, history, favourites); a QTimer asks the
selector every 40 ms whether the pointer has rested long enough, and draws the filling bar.
Menus and dialogs are not dwell targets: the caregiver lock cannot be opened by resting on it.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QAbstractButton, QApplication, QListWidget, QWidget

from app.core.settings import Settings
from app.session.dwell import DwellConfig, DwellSelector
from app.ui.highlight import HighlightOverlay, widget_rect

log = logging.getLogger(__name__)

POLL_MS = 40
TOLERANCE_PX = 24  # head pointers jitter by a few pixels; more than this is moving, not resting

DwellTarget = tuple[QWidget, int | None]  # a button, or (list widget, item row)


class DwellController(QObject):
    def __init__(self, window, overlay: HighlightOverlay, clock=time.monotonic) -> None:
        super().__init__(window)
        self.window = window
        self.overlay = overlay
        self.clock = clock
        self.active = False
        self.selector: DwellSelector[DwellTarget] = DwellSelector()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._filtering = False
        self._armed = False
        self._start_pos = None

    @property
    def target(self) -> QWidget | None:
        """The widget the pointer rests on now (for tests and the progress bar)."""
        return self.selector.target[0] if self.selector.target else None

    def configure(self, settings: Settings) -> None:
        self.active = settings.dwell
        self.selector = DwellSelector(DwellConfig(settings.dwell_ms / 1000.0, TOLERANCE_PX))
        # Armed only once the pointer has moved: a pointer resting on a tile when the window
        # opens (or when dwell is turned on) must not select it.
        self._armed = False
        self._start_pos = QCursor.pos()
        app = QApplication.instance()
        if self.active and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True
            self._timer.start()
        elif not self.active:
            self.shutdown()

    def shutdown(self) -> None:
        self._timer.stop()
        if self._filtering:
            QApplication.instance().removeEventFilter(self)
            self._filtering = False
        self.active = False
        self.overlay.show_progress(None, 0.0)

    def forget(self) -> None:
        """The window re-rendered: the widget under the pointer may be gone."""
        self.selector.leave()
        self.overlay.show_progress(None, 0.0)

    # --- pointer -------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.Enter, QEvent.Type.Leave, QEvent.Type.MouseMove):
            return False
        if not isinstance(obj, QWidget) or obj.window() is not self.window:
            return False
        if not self._armed:
            if QCursor.pos() == self._start_pos:
                return False
            self._armed = True
        now = self.clock()
        if isinstance(obj, QAbstractButton):
            if kind is QEvent.Type.Leave:
                if self.target is obj:
                    self.selector.leave(now)
            elif obj.isEnabled():
                pos = event.position() if kind is QEvent.Type.MouseMove else None
                point = (pos.x(), pos.y()) if pos is not None else None
                self.selector.enter((obj, None), now, point)
                if point is not None:
                    self.selector.move(point, now)
            return False
        lst = obj.parentWidget()
        if isinstance(lst, QListWidget) and obj is lst.viewport():
            if kind is QEvent.Type.Leave:
                self.selector.leave(now)
            elif kind is QEvent.Type.MouseMove:
                pos = event.position().toPoint()
                item = lst.itemAt(pos)
                if item is None:
                    self.selector.leave(now)
                else:
                    self.selector.enter((lst, lst.row(item)), now, (pos.x(), pos.y()))
                    self.selector.move((pos.x(), pos.y()), now)
        return False

    def _poll(self) -> None:
        now = self.clock()
        target = self.selector.target
        chosen = self.selector.update(now)
        if target is None or chosen is not None:
            self.overlay.show_progress(None, 0.0)
        else:
            widget, row = target
            rect = widget_rect(widget, self.overlay.parentWidget(), row)
            self.overlay.show_progress(rect, self.selector.progress(now))
        if chosen is not None:
            self._activate(chosen)

    def _activate(self, target: DwellTarget) -> None:
        widget, row = target
        if isinstance(widget, QAbstractButton):
            if widget.isVisible() and widget.isEnabled():
                widget.click()
        elif isinstance(widget, QListWidget) and row is not None:
            item = widget.item(row)
            if item is not None:
                widget.setCurrentItem(item)
                widget.itemClicked.emit(item)
