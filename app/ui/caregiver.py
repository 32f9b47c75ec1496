"""The caregiver menu of the window: Settings… and Edit boards… (both behind the lock), and quick
switches for scanning and dwell. It opens the dialogs and applies what they change; MainWindow
only creates it and asks it to render its words."""

from __future__ import annotations

import contextlib
import logging

from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QWidget

from app.core.settings import Settings
from app.ui.caregiver_texts import ct
from app.ui.editor import EditorDialog
from app.ui.lock_dialog import LockDialog
from app.ui.prefetch_dialog import PrefetchDialog
from app.ui.settings_dialog import SettingsDialog
from app.ui.texts import text
from app.ui.theme import apply_theme

log = logging.getLogger(__name__)


class CaregiverMenu:
    def __init__(self, window) -> None:
        self.window = window
        self.menu = window.menuBar().addMenu("")
        self.settings_action = self._action("Ctrl+,", self.open_settings)
        self.edit_action = self._action("Ctrl+E", self.open_editor)
        self.prefetch_action = self._action(None, self.show_prefetch)
        self.menu.addSeparator()
        # Access toggles are caregiver actions too: a user must not turn off their own access.
        self.scanning_action = self._action(
            None, lambda: self._locked_toggle(self.scanning_action, "scanning"), checkable=True
        )
        self.dwell_action = self._action(
            None, lambda: self._locked_toggle(self.dwell_action, "dwell"), checkable=True
        )
        self.lock_dialog: LockDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.editor_dialog: EditorDialog | None = None
        self.prefetch_dialog: PrefetchDialog | None = None

    def _action(self, shortcut: str | None, slot, *, checkable: bool = False) -> QAction:
        action = QAction(self.window, checkable=checkable)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda *_: slot())
        self.menu.addAction(action)
        return action

    def render(self) -> None:
        lang, s = self.window.lang, self.window.settings
        self.menu.setTitle(ct(lang, "caregiver_menu"))
        self.settings_action.setText(ct(lang, "menu_settings"))
        self.edit_action.setText(ct(lang, "menu_edit"))
        self.prefetch_action.setText(ct(lang, "menu_prefetch"))
        self.scanning_action.setText(ct(lang, "menu_scanning"))
        self.dwell_action.setText(ct(lang, "menu_dwell"))
        self.scanning_action.setChecked(s.scan_mode != "off")
        self.dwell_action.setChecked(s.dwell)

    # --- behind the lock -----------------------------------------------------------------------
    def unlock(self, then) -> LockDialog:
        def opened() -> None:
            self.lock_dialog = None  # the dialog deletes itself on close
            then()

        def closed(*_args) -> None:
            if self.lock_dialog is dialog:
                self.lock_dialog = None

        dialog = LockDialog(self.window, self.window.settings, self.window.lang, opened)
        dialog.rejected.connect(closed)
        self._theme(dialog)
        self.lock_dialog = dialog
        dialog.open()
        return dialog

    def open_settings(self) -> None:
        self.unlock(self.show_settings)

    def open_editor(self) -> None:
        self.unlock(self.show_editor)

    def show_settings(self) -> SettingsDialog:
        w = self.window
        voices = w.speaker.voices if w.speaker is not None else ()
        dialog = SettingsDialog(w, w.settings, w.lang, self.apply_settings, voices=voices)
        dialog.finished.connect(lambda *_: setattr(self, "settings_dialog", None))
        self._theme(dialog)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def show_editor(self) -> EditorDialog:
        w = self.window
        editor = w.session.open_editor()
        cache = w.pictograms.cache if w.pictograms is not None else None
        dialog = EditorDialog(
            w,
            editor,
            w.lang,
            board_id=w.comm.board.id,
            cache=cache,
            on_changed=w.session.boards_edited,
        )
        dialog.finished.connect(lambda *_: setattr(self, "editor_dialog", None))
        self._theme(dialog)
        self.editor_dialog = dialog
        dialog.open()
        return dialog

    def show_prefetch(self) -> PrefetchDialog | None:
        """Download every pictogram of the open boards now (for later offline use)."""
        w = self.window
        if w.pictograms is None:
            return None
        w.pictograms.cache.go_online()  # the user asked: try the network again now

        def done(report) -> None:
            self.prefetch_dialog = None
            summary = text(w.lang, "prefetch_summary").format(
                downloaded=report.downloaded,
                cached=report.cached,
                missing=len(report.unresolved),
                failed=len(report.failed),
            )
            if report.stopped:
                summary += f" ({report.stopped})"
            w.session.prefetch_finished(summary)

        dialog = PrefetchDialog(
            w.comm.boards, w.pictograms.cache, done, w, ct(w.lang, "menu_prefetch")
        )
        self._theme(dialog)
        self.prefetch_dialog = dialog
        dialog.show()
        return dialog

    # --- applying changes ----------------------------------------------------------------------
    def apply_settings(self, old: Settings, new: Settings) -> None:
        self.window.session.apply_settings(new)

    def _locked_toggle(self, action, which: str) -> None:
        wanted = action.isChecked()
        action.setChecked(not wanted)  # unchanged until the lock opens

        def toggle() -> None:
            if which == "scanning":
                self.window.session.set_access(scanning=wanted)
            else:
                self.window.session.set_access(dwell=wanted)

        self.unlock(toggle)

    def _theme(self, dialog: QWidget) -> None:
        apply_theme(dialog, self.window.settings)
        fit_to_screen(dialog)

    def close(self) -> None:
        dialogs = (self.lock_dialog, self.settings_dialog, self.editor_dialog, self.prefetch_dialog)
        for dialog in dialogs:
            if dialog is not None:
                with contextlib.suppress(RuntimeError):  # already deleted by Qt
                    dialog.close()


def fit_to_screen(dialog: QWidget) -> None:
    """A dialog is never larger than the screen it opens on (its buttons stay reachable)."""
    screen = dialog.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    avail = screen.availableGeometry().size()
    dialog.setMaximumSize(avail)
    hint = dialog.sizeHint().expandedTo(dialog.size())
    dialog.resize(min(hint.width(), avail.width()), min(hint.height(), avail.height()))
