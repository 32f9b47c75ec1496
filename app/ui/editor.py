"""Edit mode: the caregiver's board editor (opened behind the lock).

It renders the boards of an app.session.editing.BoardEditor as a grid of slot buttons and forwards
every change to it (one undo step each, saved at once). Pictogram search runs on a worker thread
and comes back through MainThreadInbox; `on_changed()` tells the window to re-render.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.boards.asterics import import_asterics_file, is_asterics_file
from app.boards.model import MAX_GRID_SIDE, BoardError, Category, Cell
from app.boards.obf import export_obf, export_obz, import_board_file
from app.session.editing import BoardEditor
from app.ui.caregiver_texts import ct
from app.ui.lock_dialog import caregiver_button, named
from app.ui.workers import PictogramSearch

log = logging.getLogger(__name__)

THUMB = QSize(72, 72)


def needs_pictogram(cell: Cell) -> bool:
    """A word cell with neither an ARASAAC id nor a picture of its own: search found no exact
    keyword or plural match, so it waits for the caregiver to choose one."""
    return (
        cell.pictogram_id is None and not cell.image and cell.action is None and cell.link is None
    )


class EditorDialog(QDialog):
    def __init__(
        self,
        parent: QWidget,
        editor: BoardEditor,
        lang: str,
        *,
        board_id: str | None = None,
        cache=None,  # PictogramCache: search and thumbnails; None: no search
        on_changed: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self.editor = editor
        self.lang = lang
        self.cache = cache
        self.on_changed = on_changed
        self.board_id = board_id or editor.boards.root
        self.selected: tuple[int, int] | None = (0, 0)
        self.slot_buttons: dict[tuple[int, int], QPushButton] = {}
        self.search_query = 0
        self.search = PictogramSearch(cache, self) if cache is not None else None
        if self.search is not None:
            self.search.on_result = self._search_result
            self.search.on_done = self._search_done
        self.setWindowTitle(self._t("editor_title"))
        named(self, self._t("editor_title"), self._t("editor_desc"))
        self._build()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1280, 760)
        self.render()

    def _t(self, key: str) -> str:
        return ct(self.lang, key)

    def _button(self, key: str, slot, desc_key: str | None = None) -> QPushButton:
        return caregiver_button(self.lang, key, slot, desc_key)

    # --- construction --------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.board_combo = named(QComboBox(), self._t("board"), self._t("board_desc"))
        self.board_combo.activated.connect(self._board_chosen)
        top.addWidget(QLabel(self._t("board")))
        top.addWidget(self.board_combo, 1)
        self.rows_spin = named(QSpinBox(), self._t("rows"))
        self.cols_spin = named(QSpinBox(), self._t("columns"))
        for spin in (self.rows_spin, self.cols_spin):
            spin.setRange(1, MAX_GRID_SIDE)
        top.addWidget(QLabel(self._t("rows")))
        top.addWidget(self.rows_spin)
        top.addWidget(QLabel(self._t("columns")))
        top.addWidget(self.cols_spin)
        self.resize_button = self._button("resize", self.apply_resize, "resize_desc")
        self.folder_button = self._button("new_folder", self.ask_new_folder, "new_folder_desc")
        self.undo_button = self._button("undo", self.undo)
        self.redo_button = self._button("redo", self.redo)
        self.undo_button.setShortcut("Ctrl+Z")
        self.redo_button.setShortcut("Ctrl+Y")
        self.import_button = self._button("import", self.ask_import, "import_desc")
        self.export_button = self._button("export", self.ask_export, "export_desc")
        self.close_button = self._button("close", lambda *_: self.close())
        for b in (
            self.resize_button,
            self.folder_button,
            self.undo_button,
            self.redo_button,
            self.import_button,
            self.export_button,
            self.close_button,
        ):
            top.addWidget(b)
        outer.addLayout(top)

        middle = QHBoxLayout()
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setSpacing(4)
        scroll = named(QScrollArea(), self._t("grid"), self._t("grid_desc"))
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_host)
        middle.addWidget(scroll, 3)

        side = QVBoxLayout()
        cell_box = QGroupBox(self._t("cell"))
        form = QFormLayout(cell_box)
        self.label_edit = named(QLineEdit(), self._t("label"), self._t("label_desc"))
        self.keywords_edit = named(QLineEdit(), self._t("keywords"), self._t("keywords_desc"))
        self.category_combo = named(QComboBox(), self._t("category"), self._t("category_desc"))
        for cat in Category:
            self.category_combo.addItem(self._t(f"cat_{cat.value}"), cat.value)
        self.link_combo = named(QComboBox(), self._t("link"), self._t("link_desc"))
        form.addRow(self._t("label"), self.label_edit)
        form.addRow(self._t("keywords"), self.keywords_edit)
        form.addRow(self._t("category"), self.category_combo)
        form.addRow(self._t("link"), self.link_combo)
        colour_row = QHBoxLayout()
        self.colour_button = self._button("colour", self.ask_colour, "colour_desc")
        self.colour_reset_button = self._button("colour_reset", self.reset_colour)
        colour_row.addWidget(self.colour_button)
        colour_row.addWidget(self.colour_reset_button)
        form.addRow(colour_row)
        actions = QHBoxLayout()
        self.apply_button = self._button("apply", self.apply_cell, "apply_desc")
        self.add_button = self._button("add", self.add_cell, "add_desc")
        self.remove_button = self._button("remove", self.remove_cell)
        for b in (self.apply_button, self.add_button, self.remove_button):
            actions.addWidget(b)
        form.addRow(actions)
        arrows = QHBoxLayout()
        self.move_buttons: dict[str, QPushButton] = {}
        for key, (dr, dc) in (
            ("move_left", (0, -1)),
            ("move_up", (-1, 0)),
            ("move_down", (1, 0)),
            ("move_right", (0, 1)),
        ):
            b = self._button(key, lambda *_, d=(dr, dc): self.move_selected(*d))
            b.setText({"move_left": "←", "move_up": "↑", "move_down": "↓", "move_right": "→"}[key])
            arrows.addWidget(b)
            self.move_buttons[key] = b
        form.addRow(self._t("move"), arrows)
        side.addWidget(cell_box)

        picto_box = QGroupBox(self._t("pictogram"))
        pv = QVBoxLayout(picto_box)
        search_row = QHBoxLayout()
        self.search_edit = named(QLineEdit(), self._t("search"), self._t("search_desc"))
        self.search_edit.returnPressed.connect(self.start_search)
        self.search_button = self._button("search_button", self.start_search)
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.search_button)
        pv.addLayout(search_row)
        self.results = named(QListWidget(), self._t("results"), self._t("results_desc"))
        self.results.setViewMode(QListView.ViewMode.IconMode)
        self.results.setIconSize(THUMB)
        self.results.setGridSize(QSize(THUMB.width() + 30, THUMB.height() + 34))
        self.results.setResizeMode(QListView.ResizeMode.Adjust)
        self.results.setMovement(QListView.Movement.Static)
        self.results.itemActivated.connect(lambda *_: self.use_pictogram())
        pv.addWidget(self.results, 1)
        self.use_button = self._button("use_pictogram", self.use_pictogram, "use_pictogram_desc")
        self.no_picto_button = self._button("no_pictogram", self.clear_pictogram)
        use_row = QHBoxLayout()
        use_row.addWidget(self.use_button)
        use_row.addWidget(self.no_picto_button)
        pv.addLayout(use_row)
        if self.search is None:
            for w in (self.search_edit, self.search_button, self.use_button):
                w.setEnabled(False)
        side.addWidget(picto_box, 1)
        middle.addLayout(side, 2)
        outer.addLayout(middle, 1)

        self.message = named(QLabel(), self._t("message"))
        self.message.setWordWrap(True)
        outer.addWidget(self.message)

    # --- rendering -----------------------------------------------------------------------------
    @property
    def board(self):
        return self.editor.board(self.board_id)

    def selected_cell(self) -> Cell | None:
        if self.selected is None:
            return None
        row, col = self.selected
        board = self.board
        if row >= board.rows or col >= board.columns:
            return None
        return board.cell_at(row, col)

    def render(self) -> None:
        boards = self.editor.boards
        if self.board_id not in boards.boards:
            self.board_id = boards.root
        self.board_combo.clear()
        self.link_combo.clear()
        self.link_combo.addItem(self._t("no_link"), None)
        for b in boards.boards.values():
            self.board_combo.addItem(f"{b.name} ({b.rows}x{b.columns})", b.id)
            self.link_combo.addItem(b.name, b.id)
        self.board_combo.setCurrentIndex(self.board_combo.findData(self.board_id))
        board = self.board
        self.rows_spin.setValue(board.rows)
        self.cols_spin.setValue(board.columns)
        self._render_grid()
        self._render_cell()
        self.undo_button.setEnabled(self.editor.can_undo)
        self.redo_button.setEnabled(self.editor.can_redo)
        desc = self.editor.history.undo_description
        undo = self._t("undo")
        self.undo_button.setAccessibleDescription(f"{undo}: {desc}" if desc else undo)

    def _render_grid(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        self.slot_buttons.clear()
        board = self.board
        if self.selected is not None and (
            self.selected[0] >= board.rows or self.selected[1] >= board.columns
        ):
            self.selected = (0, 0)
        for i in range(max(self.grid.columnCount(), board.columns)):
            self.grid.setColumnStretch(i, 1 if i < board.columns else 0)
        for i in range(max(self.grid.rowCount(), board.rows)):
            self.grid.setRowStretch(i, 1 if i < board.rows else 0)
        for row in range(board.rows):
            for col in range(board.columns):
                cell = board.cell_at(row, col)
                b = QPushButton()
                b.setMinimumSize(56, 48)
                # Ignored: equal columns whatever the label's length (the stretch shares it out)
                b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
                if cell is None:
                    text, colour = "+", "#eeeeee"
                    name = self._t("empty_slot").format(r=row + 1, c=col + 1)
                else:
                    text = f"{cell.label} ▸" if cell.link else cell.label
                    colour = cell.background
                    name = f"{cell.label} ({row + 1}, {col + 1})"
                    if needs_pictogram(cell):  # no exact ARASAAC match: the caregiver chooses
                        text = f"⚠ {text}"
                        name = f"{name}: {self._t('no_exact_picto')}"
                b.setText(text)
                chosen = self.selected == (row, col)
                border = "5px solid #0050ef" if chosen else "2px solid #616161"
                b.setStyleSheet(f"background: {colour}; color: #000; border: {border};")
                b.setCheckable(True)
                b.setChecked(chosen)
                named(b, name, self._t("slot_desc"))
                b.setToolTip(name)  # long labels are clipped on small slots
                b.clicked.connect(lambda *_, rc=(row, col): self.select(*rc))
                self.grid.addWidget(b, row, col)
                self.slot_buttons[(row, col)] = b

    def _render_cell(self) -> None:
        cell = self.selected_cell()
        has_cell = cell is not None
        for w in (
            self.apply_button,
            self.remove_button,
            self.colour_button,
            self.colour_reset_button,
            self.no_picto_button,
            *self.move_buttons.values(),
        ):
            w.setEnabled(has_cell)
        self.add_button.setEnabled(not has_cell)
        self.use_button.setEnabled(has_cell and self.search is not None)
        if cell is None:
            self.label_edit.clear()
            self.keywords_edit.clear()
            self.category_combo.setCurrentIndex(self.category_combo.findData("nouns"))
            self.link_combo.setCurrentIndex(0)
            return
        self.label_edit.setText(cell.label)
        self.keywords_edit.setText(", ".join(cell.keywords or []))
        self.category_combo.setCurrentIndex(self.category_combo.findData(cell.category.value))
        self.link_combo.setCurrentIndex(max(self.link_combo.findData(cell.link), 0))
        if not self.search_edit.text():
            self.search_edit.setText(cell.search_text)
        if needs_pictogram(cell):
            self.message.setText(self._t("no_exact_picto"))

    # --- intents -------------------------------------------------------------------------------
    def select(self, row: int, col: int) -> None:
        self.selected = (row, col)
        self.search_edit.clear()
        self._render_grid()
        self._render_cell()
        button = self.slot_buttons.get((row, col))
        if button is not None:
            button.setFocus()

    def select_cell(self, cell_id: str) -> None:
        pos = self.board.position_of(cell_id)
        if pos is not None:
            self.select(*pos)

    def show_board(self, board_id: str) -> None:
        self.board_id = board_id
        self.selected = (0, 0)
        self.search_edit.clear()
        self.render()

    def _board_chosen(self, index: int) -> None:
        board_id = self.board_combo.itemData(index)
        if board_id:
            self.show_board(board_id)

    def _do(self, action: Callable[[], object], done_key: str) -> object | None:
        """Run one edit; show what happened or why not, then re-render here and in the window."""
        try:
            result = action()
        except (BoardError, OSError) as exc:
            self.message.setText(str(exc))
            return None
        self.message.setText(self._t(done_key))
        self.render()
        self.on_changed()
        return result if result is not None else True

    def _keywords(self) -> list[str] | None:
        words = [w.strip() for w in self.keywords_edit.text().split(",")]
        return [w for w in words if w] or None

    def apply_cell(self) -> None:
        cell = self.selected_cell()
        if cell is None:
            return
        self._do(
            lambda: self.editor.update_cell(
                self.board_id,
                cell.id,
                label=self.label_edit.text(),
                keywords=self._keywords(),
                category=Category(self.category_combo.currentData()),
                link=self.link_combo.currentData(),
            ),
            "done_apply",
        )

    def add_cell(self) -> None:
        if self.selected_cell() is not None or self.selected is None:
            return
        label = self.label_edit.text().strip() or self._t("new_cell")
        self._do(
            lambda: self.editor.add_cell(
                self.board_id,
                label,
                at=self.selected,
                keywords=self._keywords(),
                category=Category(self.category_combo.currentData()),
            ),
            "done_add",
        )

    def remove_cell(self) -> None:
        cell = self.selected_cell()
        if cell is not None:
            self._do(lambda: self.editor.remove_cell(self.board_id, cell.id), "done_remove")

    def move_selected(self, d_row: int, d_col: int) -> None:
        cell = self.selected_cell()
        if cell is None:
            return
        new = self._do(
            lambda: self.editor.move_by(self.board_id, cell.id, d_row, d_col), "done_move"
        )
        if isinstance(new, tuple):
            self.select(*new)

    def apply_resize(self) -> None:
        rows, cols = self.rows_spin.value(), self.cols_spin.value()
        self._do(lambda: self.editor.resize(self.board_id, rows, cols), "done_resize")

    def ask_new_folder(self) -> None:
        name, ok = QInputDialog.getText(self, self._t("new_folder"), self._t("folder_name"))
        if ok and name.strip():
            self.new_folder(name)

    def new_folder(self, name: str) -> str | None:
        """A folder at the selected empty slot (or the first free one). Returns its board id."""
        at = self.selected if self.selected_cell() is None else None
        made = self._do(
            lambda: self.editor.create_folder(self.board_id, name, at=at), "done_folder"
        )
        if isinstance(made, tuple):
            board, cell = made
            self.select_cell(cell.id)
            return board.id
        return None

    def ask_colour(self) -> None:
        cell = self.selected_cell()
        if cell is None:
            return
        colour = QColorDialog.getColor(QColor(cell.background), self, self._t("colour"))
        if colour.isValid():
            self.set_colour(colour.name())

    def set_colour(self, colour: str | None) -> None:
        cell = self.selected_cell()
        if cell is not None:
            self._do(lambda: self.editor.set_colour(self.board_id, cell.id, colour), "done_colour")

    def reset_colour(self) -> None:
        self.set_colour(None)

    def undo(self) -> None:
        self._do(self.editor.undo, "done_undo")

    def redo(self) -> None:
        self._do(self.editor.redo, "done_redo")

    # --- pictograms ----------------------------------------------------------------------------
    def start_search(self) -> None:
        text = " ".join(self.search_edit.text().split())
        if not text or self.search is None:
            return
        self.results.clear()
        self.message.setText(self._t("searching"))
        self.search_query = self.search.search(text, self.lang)

    def _search_result(self, query: int, pid: int, label: str, path) -> None:
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, pid)
        item.setToolTip(f"{label} (ARASAAC {pid})")
        if path:
            item.setIcon(QIcon(QPixmap(str(path))))
        self.results.addItem(item)
        if self.results.count() == 1:
            self.results.setCurrentRow(0)

    def _search_done(self, query: int, message: str | None) -> None:
        if message is None:
            self.message.setText(self._t("found").format(n=self.results.count()))
        else:
            self.message.setText(self._t("not_found"))

    def use_pictogram(self) -> None:
        cell, item = self.selected_cell(), self.results.currentItem()
        if cell is None or item is None:
            return
        pid = int(item.data(Qt.ItemDataRole.UserRole))
        self._do(lambda: self.editor.set_pictogram(self.board_id, cell.id, pid), "done_picto")

    def clear_pictogram(self) -> None:
        cell = self.selected_cell()
        if cell is not None:
            self._do(lambda: self.editor.set_pictogram(self.board_id, cell.id, None), "done_picto")

    # --- files ---------------------------------------------------------------------------------
    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self._t("import"),
            "",
            "Open Board Format (*.obz *.obf);;AsTeRICS Grid (*.grd *.grd.json *.json)",
        )
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> bool:
        base = self.editor.path.parent if self.editor.path is not None else None
        try:  # pictures go to new files beside the boards; the ARASAAC cache is never written
            if is_asterics_file(path):
                board_set, report = import_asterics_file(path, self.editor.boards.lang)
                result = SimpleNamespace(board_set=board_set, unmapped=report.lines())
            else:
                result = import_board_file(path, base, default_lang=self.editor.boards.lang)
        except (BoardError, OSError, ValueError) as exc:
            self.message.setText(self._t("import_failed").format(error=exc))
            return False
        written = getattr(result, "images_written", [])
        done = self._do(
            lambda: self.editor.replace_all(result.board_set, new_pictures=written), "done_import"
        )
        if done and result.unmapped:
            unmapped = "; ".join(result.unmapped)
            self.message.setText(f"{self._t('done_import')} {self._t('unmapped')} {unmapped}")
        return bool(done)

    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self._t("export"), "boards.obz", "Open Board package (*.obz);;Open Board (*.obf)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        """`.obf` writes the board on screen; anything else the whole set as `.obz`."""
        base = self.editor.path.parent if self.editor.path is not None else None

        def picture(pid: int) -> bytes | None:
            found = self.cache.cached_image_path(pid) if self.cache is not None else None
            return found.read_bytes() if found is not None else None

        try:
            if path.suffix.lower() == ".obf":
                export_obf(
                    self.editor.boards, self.board_id, path, base_dir=base, pictogram_image=picture
                )
            else:
                path = path if path.suffix else path.with_suffix(".obz")
                export_obz(self.editor.boards, path, base_dir=base, pictogram_image=picture)
        except (BoardError, OSError) as exc:
            self.message.setText(str(exc))
            return False
        self.message.setText(self._t("exported").format(path=path))
        return True

    def done(self, result: int) -> None:
        if self.search is not None:
            self.search.close()
        super().done(result)

    def closeEvent(self, event) -> None:
        if self.search is not None:
            self.search.close()
        super().closeEvent(event)
