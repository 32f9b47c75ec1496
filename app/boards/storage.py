"""Board sets on disk: versioned JSON, atomic saves with a backup, safe loading, undo.

A save writes a temp file and renames it over the old one, after copying the old one to
`<name>.bak`. Loading a file that is corrupt, invalid or from a newer PictoVoz moves it aside
(`<name>.bad-<stamp>`, nothing is deleted), says so in `LoadResult.message`, and opens the backup;
if the backup is bad too, the caller's fallback (the default boards) is opened instead.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from app.boards.model import Action, Board, BoardError, BoardSet, Category, Cell, check_grid
from app.core import paths
from app.core.files import atomic_write_text, move_aside

log = logging.getLogger(__name__)

FORMAT = "pictovoz-boards"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 20 * 1024 * 1024  # a 10-board set with 600 cells is ~100 kB
MAX_JSON_DEPTH = 20  # our documents nest 5 deep; anything far deeper is not a board


class BoardFileError(BoardError):
    """A board file cannot be used. `kept_as` is where it was moved aside, if it was."""

    def __init__(self, message: str, path: Path | None = None, kept_as: Path | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.kept_as = kept_as


class NewerVersionError(BoardFileError):
    """The file was written by a newer PictoVoz; this one cannot read it safely."""


# --- JSON helpers (json_depth is shared with obf.py) ----------------------------------------


def parse_json_limited(data: bytes, what: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON from untrusted bytes with a nesting limit. Raises BoardError with `what`."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except RecursionError:
        raise BoardError(f"{what} is nested too deeply to be a board.") from None
    except UnicodeDecodeError as exc:
        raise BoardError(f"{what} is not UTF-8 text ({exc.reason}).") from None
    except ValueError as exc:
        raise BoardError(f"{what} is not valid JSON ({exc}).") from None
    if json_depth(value, max_depth) > max_depth:
        raise BoardError(f"{what} is nested more than {max_depth} levels deep.")
    return value


def json_depth(value: Any, stop_at: int) -> int:
    """Nesting depth of a parsed JSON value, counted without recursion (stops past stop_at)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > stop_at:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


# --- (de)serialisation -------------------------------------------------------------------------


def cell_to_dict(cell: Cell) -> dict[str, Any]:
    data: dict[str, Any] = {"id": cell.id, "label": cell.label, "category": cell.category.value}
    optional = {
        "keywords": cell.keywords,
        "pictogram_id": cell.pictogram_id,
        "link": cell.link,
        "action": cell.action.value if cell.action else None,
        "vocalization": cell.vocalization,
        "image": cell.image,
        "color": cell.color,
        "border_color": cell.border_color,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    return data


def board_to_dict(board: Board) -> dict[str, Any]:
    return {
        "id": board.id,
        "name": board.name,
        "lang": board.lang,
        "rows": board.rows,
        "columns": board.columns,
        "cells": [None if c is None else cell_to_dict(c) for c in board.cells],
    }


def board_set_to_dict(board_set: BoardSet) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "name": board_set.name,
        "lang": board_set.lang,
        "root": board_set.root,
        "boards": [board_to_dict(b) for b in board_set.boards.values()],
    }


def _get(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise BoardError(f"{where}: {key!r} is missing or not a {_kind_name(kind)}.")
    return value


def _opt(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise BoardError(f"{where}: {key!r} must be a {_kind_name(kind)}.")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "text", int: "whole number", list: "list", dict: "object"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def cell_from_dict(data: Any, where: str) -> Cell:
    if not isinstance(data, dict):
        raise BoardError(f"{where}: a cell must be an object or null.")
    cell_id = _get(data, "id", str, where)
    where = f"{where}, cell {cell_id!r}"
    keywords = _opt(data, "keywords", list, where)
    if keywords is not None and not all(isinstance(k, str) for k in keywords):
        raise BoardError(f"{where}: keywords must be a list of text.")
    try:
        category = Category(data.get("category", Category.NOUNS.value))
    except ValueError:
        raise BoardError(f"{where}: unknown category {data.get('category')!r}.") from None
    action_raw = _opt(data, "action", str, where)
    try:
        action = Action(action_raw) if action_raw is not None else None
    except ValueError:
        raise BoardError(f"{where}: unknown action {action_raw!r}.") from None
    return Cell(
        id=cell_id,
        label=_get(data, "label", str, where),
        keywords=keywords,
        pictogram_id=_opt(data, "pictogram_id", int, where),
        category=category,
        link=_opt(data, "link", str, where),
        action=action,
        vocalization=_opt(data, "vocalization", str, where),
        image=_opt(data, "image", str, where),
        color=_opt(data, "color", str, where),
        border_color=_opt(data, "border_color", str, where),
    )


def board_from_dict(data: Any, default_lang: str) -> Board:
    if not isinstance(data, dict):
        raise BoardError("A board must be a JSON object.")
    board_id = _get(data, "id", str, "board")
    where = f"board {board_id!r}"
    rows = _get(data, "rows", int, where)
    columns = _get(data, "columns", int, where)
    check_grid(rows, columns, board_id)
    raw_cells = _get(data, "cells", list, where)
    board = Board(
        id=board_id,
        name=_opt(data, "name", str, where) or board_id,
        rows=rows,
        columns=columns,
        cells=[None if c is None else cell_from_dict(c, where) for c in raw_cells],
        lang=_opt(data, "lang", str, where) or default_lang,
    )
    if len(board.cells) != rows * columns and raw_cells:
        raise BoardError(f"{where} has {len(raw_cells)} slots for a {rows}x{columns} grid.")
    return board


def board_set_from_dict(data: Any, *, validate: bool = True) -> BoardSet:
    """Build (and validate) a board set from its JSON document. Raises BoardError."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BoardError("This is not a PictoVoz board file.")
    lang = _get(data, "lang", str, "board set")
    board_set = BoardSet(
        name=_opt(data, "name", str, "board set") or "Boards",
        lang=lang,
        root=_get(data, "root", str, "board set"),
    )
    for raw in _get(data, "boards", list, "board set"):
        board = board_from_dict(raw, lang)
        if board.id in board_set.boards:
            raise BoardError(f"Two boards have the id {board.id!r}.")
        board_set.boards[board.id] = board
    if validate:
        board_set.validate()
    return board_set


def dumps(board_set: BoardSet) -> str:
    """The document as text, one cell per line (readable, and diffs show one cell per change)."""
    doc = board_set_to_dict(board_set)
    boards = doc.pop("boards")
    head = json.dumps(doc, ensure_ascii=False, indent=1)[: -len("\n}")]
    parts = []
    for board in boards:
        cells = board.pop("cells")
        board_head = json.dumps(board, ensure_ascii=False)[:-1]
        lines = ",\n".join("   " + json.dumps(c, ensure_ascii=False) for c in cells)
        parts.append(f'  {board_head}, "cells": [\n{lines}\n  ]}}')
    return head + ',\n "boards": [\n' + ",\n".join(parts) + "\n ]\n}\n"


def loads(data: bytes | str, what: str = "The board file") -> BoardSet:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    doc = parse_json_limited(raw, what)
    version = doc.get("version") if isinstance(doc, dict) else None
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise NewerVersionError(
            f"{what} was saved by a newer PictoVoz (format {version}; this one reads up to "
            f"{FORMAT_VERSION}). Update PictoVoz to open it."
        )
    if isinstance(doc, dict) and doc.get("format") == FORMAT and version != FORMAT_VERSION:
        raise BoardError(f"{what} has an unknown format version {version!r}.")
    return board_set_from_dict(doc)


# --- files -------------------------------------------------------------------------------------


def save_board_set(board_set: BoardSet, path: Path) -> None:
    """Validate, then write atomically, keeping the previous file as `<name>.bak`."""
    board_set.validate()
    atomic_write_text(Path(path), dumps(board_set), backup=True)
    log.info("Saved %s (%d boards)", path, len(board_set.boards))


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def read_board_set(path: Path) -> BoardSet:
    """Read and validate a board file without any recovery (for tools: nothing is moved)."""
    return _read(Path(path))


def _read(path: Path) -> BoardSet:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BoardError(f"{path.name} is {size} bytes; board files are at most {MAX_FILE_BYTES}.")
    return loads(path.read_bytes(), path.name)


@dataclass
class LoadResult:
    board_set: BoardSet
    path: Path  # where the set belongs (save it back here)
    source: str = "file"  # "file", "backup" or "fallback"
    message: str | None = None  # tell the user once: what went wrong and what was kept
    kept_aside: list[Path] = field(default_factory=list)


def load_board_set(path: Path, fallback: Callable[[], BoardSet] | None = None) -> LoadResult:
    """Open a board set, recovering from a bad file (see module doc). Without a fallback, raises
    BoardFileError when neither the file nor its backup can be used."""
    path = Path(path)
    bak = backup_path(path)
    kept: list[Path] = []
    problems: list[str] = []
    if path.exists():
        try:
            return LoadResult(_read(path), path)
        except (BoardError, OSError) as exc:
            problems.append(str(exc))
            kept.append(move_aside(path, str(exc)))
            newer = isinstance(exc, NewerVersionError)
    else:
        newer = False
    if bak.exists():
        try:
            board_set = _read(bak)
        except (BoardError, OSError) as exc:
            problems.append(f"backup: {exc}")
            kept.append(move_aside(bak, str(exc)))
        else:
            if kept:  # restore the main file from the backup so the next start is clean
                atomic_write_text(path, dumps(board_set))
            return LoadResult(
                board_set,
                path,
                "backup",
                _message(problems, kept, "the previous saved version was opened", newer),
                kept,
            )
    if fallback is not None:
        message = (
            _message(problems, kept, "the default boards were opened", newer) if kept else None
        )
        return LoadResult(fallback(), path, "fallback", message, kept)
    detail = "; ".join(problems) if problems else f"{path} does not exist"
    error_cls = NewerVersionError if newer else BoardFileError
    raise error_cls(f"The boards could not be opened: {detail}.", path, kept[0] if kept else None)


def _message(problems: list[str], kept: list[Path], outcome: str, newer: bool) -> str:
    if not kept:
        return f"The board file was missing; {outcome}."
    names = ", ".join(p.name for p in kept)
    lead = problems[0] if newer else f"The board file could not be read ({problems[0]})"
    return f"{lead.rstrip('.')}. It was kept as {names} and {outcome}."


def user_boards_path(lang: str) -> Path:
    return paths.data_dir() / "boards" / f"{lang}.json"


DEFAULT_LANGS = ("es", "en")


def load_default_boards(lang: str) -> BoardSet:
    """The default board set shipped in `app/boards/defaults/<lang>.json` (a fresh copy)."""
    lang = str(lang).strip().lower()
    if lang not in DEFAULT_LANGS:
        raise BoardError(
            f"There are no default boards for {lang!r}; choose one of {DEFAULT_LANGS}."
        )
    resource = resources.files("app.boards").joinpath("defaults", f"{lang}.json")
    return loads(resource.read_bytes(), f"default boards ({lang})")


def open_user_boards(lang: str) -> LoadResult:
    """The user's boards for `lang`, or the default boards if there are none (or none usable)."""
    return load_board_set(user_boards_path(lang), fallback=lambda: load_default_boards(lang))
