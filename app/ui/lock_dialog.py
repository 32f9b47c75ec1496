"""The caregiver lock as a dialog: hold a button, answer a sum, or type the PIN (app.core.lock).

On success it closes and calls `on_unlocked()` (a plain callback, not a signal into the window).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.lock import HoldLock, challenge_for, effective_mode
from app.core.settings import Settings
from app.ui.caregiver_texts import ct


def named(widget: QWidget, name: str, description: str = "") -> QWidget:
    """Give a control the name and description screen readers (AT-SPI) announce."""
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(description or name)
    if description:
        widget.setToolTip(description)
    return widget


def caregiver_button(lang: str, key: str, slot, desc_key: str | None = None) -> QPushButton:
    """A caregiver-dialog button with its words, accessible name and description."""
    b = QPushButton(ct(lang, key))
    named(b, ct(lang, key), ct(lang, desc_key) if desc_key else "")
    b.setMinimumHeight(36)
    b.clicked.connect(slot)
    return b


class LockDialog(QDialog):
    def __init__(
        self,
        parent: QWidget,
        settings: Settings,
        lang: str,
        on_unlocked: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.lang = lang
        self.on_unlocked = on_unlocked
        self.clock = clock
        self.unlocked = False
        self.mode = effective_mode(settings.caregiver_lock, settings.caregiver_pin)
        self.challenge = challenge_for(settings.caregiver_lock, settings.caregiver_pin)
        self.hold = HoldLock(settings.lock_hold_ms / 1000.0)
        self.setWindowTitle(ct(lang, "lock_title"))
        named(self, ct(lang, "lock_title"), ct(lang, "lock_why"))
        layout = QVBoxLayout(self)
        why = QLabel(ct(lang, "lock_why"))
        why.setWordWrap(True)
        layout.addWidget(why)

        self.message = named(QLabel(), ct(lang, "lock_message"))
        self.answer = named(QLineEdit(), ct(lang, "lock_answer"))
        self.hold_button = named(
            QPushButton(ct(lang, "lock_hold").format(s=settings.lock_hold_ms / 1000)),
            ct(lang, "lock_hold").format(s=settings.lock_hold_ms / 1000),
        )
        self.progress = named(QProgressBar(), ct(lang, "lock_progress"))
        self.progress.setRange(0, 100)
        self._timer = QTimer(self, interval=50)
        self._timer.timeout.connect(self._hold_tick)
        if self.mode == "hold":
            self.hold_button.setMinimumHeight(60)
            self.hold_button.pressed.connect(self._hold_pressed)
            self.hold_button.released.connect(self._hold_released)
            layout.addWidget(self.hold_button)
            layout.addWidget(self.progress)
            self.answer.hide()
        else:
            assert self.challenge is not None
            question = ct(lang, "lock_pin") if self.mode == "pin" else self.challenge.question
            self.question = named(QLabel(question), ct(lang, "lock_question"), question)
            self.question.setStyleSheet("font-size: 16pt;")  # scaled with the text size
            layout.addWidget(self.question)
            if self.mode == "pin":
                self.answer.setEchoMode(QLineEdit.EchoMode.Password)
            self.answer.returnPressed.connect(self.check)
            layout.addWidget(self.answer)
            self.hold_button.hide()
            self.progress.hide()
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.ok_button = named(QPushButton(ct(lang, "ok")), ct(lang, "ok"), ct(lang, "lock_ok"))
        self.ok_button.clicked.connect(self.check)
        self.ok_button.setVisible(self.mode != "hold")
        self.cancel_button = named(QPushButton(ct(lang, "cancel")), ct(lang, "cancel"))
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def check(self) -> bool:
        if self.challenge is not None and self.challenge.check(self.answer.text()):
            self._open()
            return True
        self.message.setText(ct(self.lang, "lock_wrong"))
        self.answer.clear()
        if self.mode == "arithmetic":  # a new sum: guessing the same one again does not help
            self.challenge = challenge_for("arithmetic", "")
            self.question.setText(self.challenge.question)
        return False

    def _hold_pressed(self) -> None:
        self.hold.press(self.clock())
        self._timer.start()

    def _hold_released(self) -> None:
        self._timer.stop()
        if self.hold.release(self.clock()):
            self._open()
        else:
            self.progress.setValue(0)
            self.message.setText(ct(self.lang, "lock_hold_longer"))

    def _hold_tick(self) -> None:
        now = self.clock()
        self.progress.setValue(int(self.hold.progress(now) * 100))
        if self.hold.update(now):
            self._timer.stop()
            self._open()

    def _open(self) -> None:
        if self.unlocked:
            return
        self.unlocked = True
        self._timer.stop()
        self.accept()
        self.on_unlocked()
