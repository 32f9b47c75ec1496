"""The caregiver menu of the window: Settings… and Edit boards… (both behind the lock), and quick
switches for scanning and dwell. It opens the dialogs and applies what they change; MainWindow
only creates it and asks it to render its words."""

from __future__ import annotations

import contextlib
import copy
import logging

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from app.boards.storage import user_boards_path
from app.core.editing import BoardEditor
from app.core.settings import Settings, save_settings
from app.ui.caregiver_texts import ct
from app.ui.editor import EditorDialog
from app.ui.lock_dialog import LockDialog
from app.ui.prefetch_dialog import PrefetchDialog
from app.ui.settings_dialog import SettingsDialog
from app.ui.theme import apply_theme

log = logging.getLogger(__name__)

# Changed only by a restart: the engine and the speaker read these once, at start.
RESTART_FIELDS = ("model_path", "gpu_layers", "threads", "voices")


class CaregiverMenu:
    def __init__(self, window) -> None:
        self.window = window
        self.menu = window.menuBar().addMenu("")
        self.settings_action = self._action("Ctrl+,", self.open_settings)
        self.edit_action = self._action("Ctrl+E", self.open_editor)
        self.prefetch_action = self._action(None, self.show_prefetch)
        self.menu.addSeparator()
        self.scanning_action = self._action(None, self._toggle_scanning, checkable=True)
        self.dwell_action = self._action(None, self._toggle_dwell, checkable=True)
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
        w.save_boards()  # pictogram ids found since the last save go into the first undo step
        editor = BoardEditor(w.comm.boards, user_boards_path(w.lang))
        cache = w.pictograms.cache if w.pictograms is not None else None
        dialog = EditorDialog(
            w, editor, w.lang, board_id=w.comm.board.id, cache=cache, on_changed=self.boards_edited
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
            w._boards_dirty = True  # resolved pictogram ids were stored in the cells
            w.save_boards()
            w.render_board()
            w.status_label.setText(report.summary())

        dialog = PrefetchDialog(
            w.comm.boards, w.pictograms.cache, done, w, ct(w.lang, "menu_prefetch")
        )
        self._theme(dialog)
        self.prefetch_dialog = dialog
        dialog.show()
        return dialog

    # --- applying changes ----------------------------------------------------------------------
    def boards_edited(self) -> None:
        """The editor changed the boards in place: show them (an undone folder may be open)."""
        comm = self.window.comm
        if any(b not in comm.boards.boards for b in comm.path) or comm.boards.root != comm.path[0]:
            comm.replace_boards(comm.boards)
        self.window.render_board()

    def apply_settings(self, old: Settings, new: Settings) -> None:
        w = self.window
        language_changed = new.language != old.language
        new.language = old.language  # switch_language does the switch (boards, voice, prompt)
        for name, value in vars(new).items():
            setattr(w.settings, name, copy.deepcopy(value))  # one Settings object app-wide
        s = w.settings
        if language_changed:
            w.switch_language()  # also saves the settings
        else:
            self.save()
        w.quiet_action.setChecked(not s.speak_each_tile)
        if w.speaker is not None:
            if s.speech_rate > 0:
                w.speaker.set_rate(s.speech_rate)
            w.speaker.set_volume(s.speech_volume)
        if w.service is not None:
            w.service.generator.decoding = s.decoding.validated()  # read per request
        w.access.apply(s)
        self.render()
        message = ct(w.lang, "settings_saved")
        if any(getattr(old, f) != getattr(s, f) for f in RESTART_FIELDS):
            message += " " + ct(w.lang, "restart_needed")
        w.status_label.setText(message)

    def save(self) -> None:
        try:
            save_settings(self.window.settings, self.window._settings_path)  # as switch_language
        except OSError as exc:
            log.warning("Could not save settings: %s", exc)

    def _toggle_scanning(self) -> None:
        s = self.window.settings
        s.scan_mode = "row-column" if self.scanning_action.isChecked() else "off"
        self.save()
        self.window.access.apply(s)

    def _toggle_dwell(self) -> None:
        s = self.window.settings
        s.dwell = self.dwell_action.isChecked()
        self.save()
        self.window.access.apply(s)

    def _theme(self, dialog: QWidget) -> None:
        apply_theme(dialog, self.window.settings)

    def close(self) -> None:
        dialogs = (self.lock_dialog, self.settings_dialog, self.editor_dialog, self.prefetch_dialog)
        for dialog in dialogs:
            if dialog is not None:
                with contextlib.suppress(RuntimeError):  # already deleted by Qt
                    dialog.close()
