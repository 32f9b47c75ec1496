"""Board sets on disk: versioned JSON, atomic saves with a backup, safe loading, undo.

A save writes a temp file and renames it over the old one, after copying the old one to
`<name>.bak`. Loading a file that is corrupt or invalid moves it aside (`<name>.bad-<stamp>`,
nothing is deleted), says so in `LoadResult.message`, and opens the backup; if the backup is bad
too, the caller's fallback (the default boards) is opened instead. A file from a newer PictoVoz
is left where it is, untouched, for the updated app to open; this one opens the backup (or the
fallback) and refuses to save over it.

A save refuses to overwrite a file that changed on disk since this process loaded or saved it
(another PictoVoz window, a tool): it compares the file's revision (sha-256 of its bytes) with
the one expected, writes the unsaved version next to it (`<name>.conflict-<stamp>`) and raises
BoardsChangedError. Neither side is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from app.boards.model import Action, Board, BoardError, BoardSet, Category, Cell, check_grid
from app.boards.untrusted import parse_json, read_file_limited
from app.core import paths
from app.core.files import atomic_write_text, backup_path, file_lock, move_aside, write_aside

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


class BoardsChangedError(BoardFileError):
    """The file changed on disk since it was loaded (another PictoVoz window or a tool), so the
    save was refused. `kept_as` holds the version that was not saved; `path` is untouched."""


# --- JSON limits: the one reader of untrusted JSON lives in app.boards.untrusted ---------------


def parse_json_limited(data: bytes, what: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON from untrusted bytes with a nesting limit. Raises BoardError with `what`."""
    return parse_json(data, what, max_depth=max_depth)


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


# --- revisions: what this process last saw of each file ------------------------------------

MISSING_REVISION = "missing"  # the revision of a file that does not exist
_seen: dict[Path, str] = {}  # resolved path -> revision this process last loaded or saved
_conflicts: dict[Path, tuple[str, Path]] = {}  # resolved path -> (revision, copy) last kept


def revision_of(data: bytes | None) -> str:
    return MISSING_REVISION if data is None else hashlib.sha256(data).hexdigest()


def file_revision(path: Path) -> str:
    """The revision of the file now on disk: sha-256 of its bytes, or MISSING_REVISION."""
    try:
        return revision_of(Path(path).read_bytes())
    except FileNotFoundError:
        return MISSING_REVISION


def _key(path: Path) -> Path:
    return Path(path).resolve()


def _remember(path: Path, revision: str) -> str:
    _seen[_key(path)] = revision
    return revision


def known_revision(path: Path) -> str | None:
    """The revision this process last loaded or saved at `path` (None: never)."""
    return _seen.get(_key(path))


def lock_path(path: Path) -> Path:
    """Held while a save checks and replaces `path`, so two processes cannot interleave."""
    return path.with_name(f".{path.name}.lock")


def save_board_set(board_set: BoardSet, path: Path, *, expected_revision: str | None = None) -> str:
    """Validate, then write atomically, keeping the previous file as `<name>.bak`. Returns the
    new revision (pass it as `expected_revision` next time).

    `expected_revision`: the revision the caller's boards came from (`LoadResult.revision`, or
    what the previous save returned). Left out, the revision this process last loaded or saved
    at `path` is expected; a path this process never saw is written without a check.
    Raises BoardsChangedError when the file on disk is another revision (the boards are written
    next to it instead), NewerVersionError when it is from a newer PictoVoz, OSError when the
    disk refuses the write.
    """
    board_set.validate()
    path = Path(path)
    text = dumps(board_set)
    path.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(lock_path(path)):
        try:
            current_bytes: bytes | None = path.read_bytes()
        except FileNotFoundError:
            current_bytes = None
        current = revision_of(current_bytes)
        if current_bytes is not None and _newer_format(current_bytes):
            raise NewerVersionError(
                f"{path.name} was saved by a newer PictoVoz and is kept safe, untouched, at "
                f"{path}; these changes cannot be saved over it. Update PictoVoz.",
                path,
            )
        expected = expected_revision if expected_revision is not None else known_revision(path)
        if expected is not None and current != expected:
            kept = _keep_conflict(path, text)
            raise BoardsChangedError(
                f"The boards were changed by another PictoVoz window or program since they were "
                f"opened, so they were not saved over. The other version stays in {path.name}; "
                f"the version shown here was saved as {kept.name}.",
                path,
                kept,
            )
        atomic_write_text(path, text, backup=True)
    log.info("Saved %s (%d boards)", path, len(board_set.boards))
    return _remember(path, revision_of(text.encode("utf-8")))


def _newer_format(data: bytes) -> bool:
    try:
        doc = parse_json_limited(data, "the board file")
    except BoardError:
        return False  # corrupt is not newer; the revision check decides about it
    version = doc.get("version") if isinstance(doc, dict) else None
    return isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION


def _keep_conflict(path: Path, text: str) -> Path:
    """Write the version that could not be saved next to `path` (once per distinct version)."""
    data = text.encode("utf-8")
    revision = revision_of(data)
    previous = _conflicts.get(_key(path))
    if previous is not None and previous[0] == revision and previous[1].exists():
        return previous[1]
    kept = write_aside(path, data, "changed on disk by another process", "conflict")
    _conflicts[_key(path)] = (revision, kept)
    return kept


def read_board_set(path: Path) -> BoardSet:
    """Read and validate a board file without any recovery (for tools: nothing is moved). The
    revision read is remembered, so a later save by this process will not overwrite a newer
    change by another."""
    board_set, revision = _read(Path(path))
    _remember(Path(path), revision)
    return board_set


def _read(path: Path) -> tuple[BoardSet, str]:
    data = read_file_limited(path, MAX_FILE_BYTES, "board files")
    return loads(data, path.name), revision_of(data)


@dataclass
class LoadResult:
    board_set: BoardSet
    path: Path  # where the set belongs (save it back here)
    source: str = "file"  # "file", "backup" or "fallback"
    message: str | None = None  # tell the user once: what went wrong and what was kept
    kept_aside: list[Path] = field(default_factory=list)
    # The revision of the file at `path` when it was opened: `save_board_set(...,
    # expected_revision=result.revision)` refuses to overwrite a change made since elsewhere.
    revision: str = MISSING_REVISION
    # A file from a newer PictoVoz left untouched at `path`: saving there is refused, so callers
    # may skip automatic saves while it is set.
    newer_file: Path | None = None


def load_board_set(path: Path, fallback: Callable[[], BoardSet] | None = None) -> LoadResult:
    """Open a board set, recovering from a bad file (see module doc). Without a fallback, raises
    BoardFileError when neither the file nor its backup can be used."""
    path = Path(path)
    bak = backup_path(path)
    kept: list[Path] = []
    problems: list[str] = []
    newer = False
    if path.exists():
        try:
            board_set, revision = _read(path)
            return LoadResult(board_set, path, revision=_remember(path, revision))
        except NewerVersionError as exc:
            # Left in place, untouched: the updated PictoVoz will open it again.
            newer = True
            problems.append(str(exc))
        except (BoardError, OSError) as exc:
            problems.append(str(exc))
            _move_aside(path, str(exc), kept, problems)
    newer_file = path if newer else None
    if bak.exists():
        try:
            board_set, _ = _read(bak)
        except (BoardError, OSError) as exc:
            problems.append(f"backup: {exc}")
            if not isinstance(exc, NewerVersionError):
                _move_aside(bak, str(exc), kept, problems)
        else:
            if kept and not newer:  # restore the main file from the backup: a clean next start
                _restore(path, board_set)
            return LoadResult(
                board_set,
                path,
                "backup",
                _message(problems, kept, "the previous saved version was opened", newer_file),
                kept,
                _remember(path, file_revision(path)),
                newer_file,
            )
    if fallback is not None:
        message = (
            _message(problems, kept, "the default boards were opened", newer_file)
            if problems
            else None
        )
        revision = _remember(path, file_revision(path))
        return LoadResult(fallback(), path, "fallback", message, kept, revision, newer_file)
    detail = "; ".join(problems) if problems else f"{path} does not exist"
    error_cls = NewerVersionError if newer else BoardFileError
    raise error_cls(f"The boards could not be opened: {detail}.", path, kept[0] if kept else None)


def _move_aside(path: Path, reason: str, kept: list[Path], problems: list[str]) -> None:
    try:
        kept.append(move_aside(path, reason))
    except OSError as exc:  # a read-only folder: the file stays where it is, still not lost
        log.warning("Could not move %s aside: %s", path, exc)
        problems.append(f"{path.name} could not be moved aside ({exc.strerror or exc})")


def _restore(path: Path, board_set: BoardSet) -> None:
    try:
        atomic_write_text(path, dumps(board_set))
    except OSError as exc:  # best effort: the backup is still there for the next start
        log.warning("Could not restore %s from its backup: %s", path, exc)


def _message(problems: list[str], kept: list[Path], outcome: str, newer: Path | None) -> str:
    if newer is not None:
        lead = problems[0].rstrip(".")
        return (
            f"{lead}. That file is kept safe, untouched, at {newer}, and {outcome}; "
            "changes made now cannot be saved until PictoVoz is updated."
        )
    if not problems:
        return f"The board file was missing; {outcome}."
    lead = f"The board file could not be read ({problems[0].rstrip('.')})"
    if not kept:  # it could not be moved: it stays where it was
        return f"{lead}; {outcome}."
    return f"{lead}. It was kept as {', '.join(p.name for p in kept)} and {outcome}."


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
