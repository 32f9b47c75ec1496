"""Import Open Board Format files from other apps (CoughDrop, Cboard, AsTeRICS Grid...).

What can be kept is kept; what cannot is reported per item and skipped, never a reason to refuse
the set: a link to a board outside the package (the button stays, without the link), a web-only
picture (nothing is downloaded), a sound, a spelling or other unsupported action, a button with
a blank label and no picture, a picture that is damaged or declares too many pixels.

What is refused whole is input that is never innocent or cannot be a board set: unsafe or
oversized packages (see app.boards.untrusted), JSON nested too deep, duplicate ids, a grid larger
than PictoVoz shows, a file that is not OBF at all.

Pictures that come with a board (data URLs, files in the package) are checked from their headers
and written under new content-addressed names in `<dest_dir>/images/` (see app.boards.pictures),
after the whole set has been read; an existing file is never replaced. A picture that names an
ARASAAC pictogram (our `ext_pictovoz_pictogram_id`, or a static.arasaac.org URL) is imported as
that id: the app draws it from its ARASAAC cache, which only the ARASAAC client writes.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.boards.model import (
    MAX_GRID_SIDE,
    MAX_LABEL_CHARS,
    Action,
    Board,
    BoardSet,
    Category,
    Cell,
)
from app.boards.obf_format import (
    EXT,
    OBF_ACTIONS,
    ObfError,
    guess_category,
    parse_colour,
)
from app.boards.pictures import (
    PictureError,
    PictureTooLargeError,
    check_picture,
    content_name,
    decode_data_url,
    store_picture,
)
from app.boards.untrusted import (
    LimitedZip,
    parse_json,
    read_file_limited,
    safe_member_name,
)
from app.core.arasaac import pictogram_id_from_url, valid_pictogram_id

log = logging.getLogger(__name__)

MAX_OBF_BYTES = 20 * 1024 * 1024  # a single board with embedded (data URL) images
MAX_OBZ_BYTES = 300 * 1024 * 1024  # the archive on disk
MAX_MEMBER_BYTES = 20 * 1024 * 1024  # one file inside it, uncompressed
MAX_TOTAL_BYTES = 600 * 1024 * 1024  # everything inside it, uncompressed (zip bombs)
MAX_MEMBERS = 10_000
MAX_BOARDS = 1_000
MAX_JSON_DEPTH = 32
MAX_ID_CHARS = 200


class Skip(StrEnum):
    """Why an item of an imported board was left out (the board and the rest were kept)."""

    EXTERNAL_LINK = "link to a board outside the package"
    WEB_IMAGE = "web-only picture"
    MISSING_IMAGE = "picture not in the file"
    BAD_IMAGE = "unreadable picture"
    LARGE_IMAGE = "picture too large"
    SOUND = "sound"
    SPELLING = "spelling action"
    ACTION = "unsupported action"
    BLANK = "blank label and no picture"
    NO_ROOM = "button that did not fit the grid"


@dataclass(frozen=True)
class Skipped:
    """One item left out: on which board, which button, why, and the summary line it adds to."""

    reason: Skip
    board: str
    item: str
    message: str
    detail: str = ""

    def __str__(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.board} / {self.item}: {self.reason.value}{extra}"


@dataclass
class ImportResult:
    board_set: BoardSet
    # For the caregiver, one line per kind of problem ("... (x12)"): skipped items and changes.
    unmapped: list[str] = field(default_factory=list)
    images_written: list[Path] = field(default_factory=list)  # files this import created
    skipped: list[Skipped] = field(default_factory=list)  # every item left out, one by one

    def skipped_by_reason(self) -> dict[Skip, int]:
        return dict(Counter(s.reason for s in self.skipped))


class _Report:
    """Skipped items (kept one by one) and notes about changes (merged, with a count)."""

    def __init__(self) -> None:
        self.skipped: list[Skipped] = []
        self._lines: dict[str, int] = {}

    def skip(self, reason: Skip, board: str, item: str, message: str, detail: str = "") -> None:
        self.skipped.append(Skipped(reason, board, item, message, detail))
        self.note(message)

    def note(self, message: str) -> None:
        self._lines[message] = self._lines.get(message, 0) + 1

    def lines(self) -> list[str]:
        return [m if n == 1 else f"{m} (x{n})" for m, n in self._lines.items()]


# --- small readers ------------------------------------------------------------------------------


def _parse(data: bytes, what: str) -> Any:
    return parse_json(data, what, max_depth=MAX_JSON_DEPTH, error=ObfError, unique_keys=True)


def _norm_ref(path: Any) -> str | None:
    """A path referenced inside the package -> the member name, or None if it cannot be one."""
    if not isinstance(path, str) or not safe_member_name(path.removeprefix("./")):
        return None
    return path.removeprefix("./")


def _as_id(value: Any, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ObfError(f"{what} has no usable id ({value!r}).")
    text = str(value).strip()
    if not text or len(text) > MAX_ID_CHARS:
        raise ObfError(f"{what} has no usable id ({value!r}).")
    return text


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return value


# --- mapping ------------------------------------------------------------------------------------


@dataclass
class _Picture:
    """A picture to write once the whole set has been read, and the cells that show it."""

    data: bytes
    content_type: str
    cells: list[Cell] = field(default_factory=list)


@dataclass
class _RawBoard:
    board: Board
    links: list[tuple[Cell, dict[str, Any]]]


@dataclass
class _ImageResult:
    pictogram_id: int | None = None
    picture: _Picture | None = None


class _Importer:
    def __init__(self, report: _Report, default_lang: str, archive: LimitedZip | None) -> None:
        self.report = report
        self.default_lang = default_lang
        self.archive = archive
        self.pictures: dict[str, _Picture] = {}  # content name -> picture

    def board(self, doc: Any, what: str) -> _RawBoard:
        if not isinstance(doc, dict):
            raise ObfError(f"{what} is not a board (expected a JSON object).")
        fmt = doc.get("format")
        if isinstance(fmt, str) and not fmt.startswith("open-board-"):
            raise ObfError(f"{what} is not an Open Board Format file (format {fmt!r}).")
        board_id = _as_id(doc.get("id"), what)
        name = doc.get("name") if isinstance(doc.get("name"), str) else board_id
        locale = doc.get("locale")
        lang = (
            locale.split("-")[0].split("_")[0].lower()
            if isinstance(locale, str) and locale
            else self.default_lang
        )
        images = self._images(doc.get("images"), what)
        buttons = doc.get("buttons")
        if not isinstance(buttons, list):
            raise ObfError(f"{what} has no list of buttons.")
        cells: dict[str, Cell] = {}
        seen: set[str] = set()
        links: list[tuple[Cell, dict[str, Any]]] = []
        checked: dict[str, _ImageResult] = {}  # image id -> result, so each is reported once
        for raw in buttons:
            if not isinstance(raw, dict):
                raise ObfError(f"{what} has a button that is not an object.")
            button_id = _as_id(raw.get("id"), f"A button on {what}")
            if button_id in seen:
                raise ObfError(f"{what} has two buttons with the id {button_id!r}.")
            seen.add(button_id)
            cell = self._cell(raw, button_id, name, images, checked)
            if cell is None:
                continue
            cells[button_id] = cell
            if isinstance(raw.get("load_board"), dict):
                links.append((cell, raw["load_board"]))
        board = self._grid(doc.get("grid"), cells, board_id, name, lang, what)
        return _RawBoard(board, links)

    def _images(self, raw: Any, what: str) -> dict[str, dict[str, Any]]:
        images: dict[str, dict[str, Any]] = {}
        for image in raw if isinstance(raw, list) else []:
            if not isinstance(image, dict):
                continue
            image_id = _as_id(image.get("id"), f"An image on {what}")
            if image_id in images:
                raise ObfError(f"{what} has two images with the id {image_id!r}.")
            images[image_id] = image
        return images

    def _cell(
        self,
        raw: dict[str, Any],
        button_id: str,
        board_name: str,
        images: dict[str, dict[str, Any]],
        checked: dict[str, _ImageResult],
    ) -> Cell | None:
        ours = f"{EXT}category" in raw
        label = raw.get("label") if isinstance(raw.get("label"), str) else ""
        if not label.strip():
            label = ""  # " " (a space-bar key) says nothing and would add nothing
        vocalization = raw.get("vocalization") if isinstance(raw.get("vocalization"), str) else None
        item = label or vocalization or f"button {button_id}"
        background = parse_colour(raw.get("background_color"))
        border = parse_colour(raw.get("border_color"))
        if raw.get("background_color") is not None and background is None:
            self.report.note(f"Colour {raw.get('background_color')!r} is not understood; ignored")
        try:
            category = Category(raw[f"{EXT}category"]) if ours else guess_category(background)
        except ValueError:
            category = guess_category(background)
        keywords = raw.get(f"{EXT}keywords")
        if not (isinstance(keywords, list) and all(isinstance(k, str) for k in keywords)):
            keywords = None
        action = self._action(raw, board_name, item)
        pictogram_id = valid_pictogram_id(raw.get(f"{EXT}pictogram_id"))
        picture: _Picture | None = None
        image_id = raw.get("image_id")
        if image_id is not None and image_id != "":  # "" is how some apps say "no picture"
            key = str(image_id)
            if key not in checked:
                checked[key] = self._image(images.get(key), key, board_name, item)
            found = checked[key]
            pictogram_id = pictogram_id or found.pictogram_id
            picture = found.picture
        if raw.get("sound_id") is not None:
            self.report.skip(
                Skip.SOUND,
                board_name,
                item,
                "Recorded sounds are not imported; the label is spoken instead",
                str(raw.get("sound_id")),
            )
        if not label and vocalization and vocalization.strip():
            label = vocalization
        if len(label) > MAX_LABEL_CHARS:
            self.report.note(f"Labels longer than {MAX_LABEL_CHARS} characters were shortened")
            label = label[: MAX_LABEL_CHARS - 1].rstrip() + "…"
        if not label and picture is None and pictogram_id is None:
            self.report.skip(
                Skip.BLANK,
                board_name,
                f"button {button_id}",
                "A button with no label and no picture was skipped",
            )
            return None
        if ours:
            color = parse_colour(raw.get(f"{EXT}color"))
            border_color = parse_colour(raw.get(f"{EXT}border_color"))
        else:
            color, border_color = background, border
        cell = Cell(
            id=button_id,
            label=label,
            keywords=keywords,
            pictogram_id=pictogram_id,
            category=category,
            action=action,
            vocalization=vocalization,
            color=color,
            border_color=border_color,
        )
        if picture is not None:
            # Named by content now; `store_picture` may pick another free name when writing.
            cell.image = content_name(picture.data, picture.content_type)
            picture.cells.append(cell)
        return cell

    def _action(self, raw: dict[str, Any], board_name: str, item: str) -> Action | None:
        ours = raw.get(f"{EXT}action")
        if isinstance(ours, str):
            try:
                return Action(ours)
            except ValueError:
                pass
        names: list[str] = []
        if isinstance(raw.get("action"), str):
            names.append(raw["action"])
        if isinstance(raw.get("actions"), list):
            names.extend(a for a in raw["actions"] if isinstance(a, str))
        mapped = None
        for name in names:
            if name in OBF_ACTIONS and mapped is None:
                mapped = OBF_ACTIONS[name]
            elif name.startswith("+"):
                self.report.skip(
                    Skip.SPELLING,
                    board_name,
                    item,
                    "Spelling actions (+letters) are not supported; the label is used",
                    name,
                )
            else:
                self.report.skip(
                    Skip.ACTION, board_name, item, f"Action {name!r} is not supported; ignored"
                )
        return mapped

    def _image(
        self, image: dict[str, Any] | None, image_id: str, board_name: str, item: str
    ) -> _ImageResult:
        """An ARASAAC pictogram becomes its id; any other picture that came with the board is
        kept (checked first); a picture only on the web is reported."""
        if image is None:
            self.report.skip(
                Skip.MISSING_IMAGE,
                board_name,
                item,
                "A button refers to a picture the board does not have; ignored",
                image_id,
            )
            return _ImageResult()
        url = image.get("url") if isinstance(image.get("url"), str) else None
        pid = valid_pictogram_id(image.get(f"{EXT}pictogram_id"))
        if pid is None and url:
            pid = pictogram_id_from_url(url)
        if pid is not None:
            return _ImageResult(pictogram_id=pid)
        data_url = image.get("data")
        embedded = isinstance(data_url, str) and data_url.startswith("data:")
        packaged = isinstance(image.get("path"), str) and self.archive is not None
        if not (embedded or packaged):
            if url:
                self.report.skip(
                    Skip.WEB_IMAGE,
                    board_name,
                    item,
                    "Images that are only web links were not downloaded",
                    url[:200],
                )
            else:
                self.report.skip(
                    Skip.MISSING_IMAGE,
                    board_name,
                    item,
                    "A button image has no data; it was left out",
                    image_id,
                )
            return _ImageResult()
        data = self._image_bytes(image, board_name, item, image_id)
        if data is None:  # reported by _image_bytes
            return _ImageResult()
        try:
            ctype = check_picture(data)
        except PictureTooLargeError as exc:
            self.report.skip(
                Skip.LARGE_IMAGE,
                board_name,
                item,
                "Pictures too large to show safely were left out",
                str(exc),
            )
            return _ImageResult()
        except PictureError as exc:
            self.report.skip(
                Skip.BAD_IMAGE,
                board_name,
                item,
                "Pictures that could not be read were left out",
                str(exc),
            )
            return _ImageResult()
        rel = content_name(data, ctype)
        picture = self.pictures.setdefault(rel, _Picture(data, ctype))
        return _ImageResult(picture=picture)

    def _image_bytes(
        self, image: dict[str, Any], board_name: str, item: str, image_id: str
    ) -> bytes | None:
        """The bytes of an embedded or packaged picture; None (reported) when they are not."""
        data_url = image.get("data")
        if isinstance(data_url, str) and data_url.startswith("data:"):
            decoded = decode_data_url(data_url)
            if decoded is None:
                self.report.skip(
                    Skip.BAD_IMAGE,
                    board_name,
                    item,
                    "An embedded image could not be decoded",
                    image_id,
                )
            return decoded
        path = image.get("path")
        if isinstance(path, str) and self.archive is not None:
            member = _norm_ref(path)
            if member is None or member not in self.archive.members:
                self.report.skip(
                    Skip.MISSING_IMAGE,
                    board_name,
                    item,
                    "A picture named by the board is not in the package; it was left out",
                    path[:200],
                )
                return None
            return self.archive.read(member)
        return None

    def _grid(
        self,
        grid: Any,
        cells: dict[str, Cell],
        board_id: str,
        name: str,
        lang: str,
        what: str,
    ) -> Board:
        rows = grid.get("rows") if isinstance(grid, dict) else None
        columns = grid.get("columns") if isinstance(grid, dict) else None
        order = grid.get("order") if isinstance(grid, dict) else None
        if not (_positive_int(rows) and _positive_int(columns)):
            n = max(len(cells), 1)
            columns = min(MAX_GRID_SIDE, max(1, round(n**0.5)))
            rows = min(MAX_GRID_SIDE, -(-n // columns))
            self.report.note(f"Board {name!r} had no grid size; {rows}x{columns} was used")
        if rows > MAX_GRID_SIDE or columns > MAX_GRID_SIDE:
            raise ObfError(
                f"{what} has a {rows}x{columns} grid; PictoVoz shows at most "
                f"{MAX_GRID_SIDE}x{MAX_GRID_SIDE}."
            )
        slots: list[Cell | None] = [None] * (rows * columns)
        placed: set[str] = set()
        if isinstance(order, list):
            if len(order) != rows:
                self.report.note(f"Board {name!r}: the grid order did not match its size")
            for r, row in enumerate(order[:rows]):
                if not isinstance(row, list):
                    continue
                for c, button_id in enumerate(row[:columns]):
                    if button_id is None:
                        continue
                    key = str(button_id)
                    cell = cells.get(key)
                    if cell is None:
                        self.report.note(f"Board {name!r}: the grid names a missing button")
                    elif key in placed:
                        self.report.note(f"Board {name!r}: a button appeared twice in the grid")
                    else:
                        slots[r * columns + c] = cell
                        placed.add(key)
        leftover = [cell for key, cell in cells.items() if key not in placed]
        if leftover:
            free = [i for i, slot in enumerate(slots) if slot is None]
            for i, cell in zip(free, leftover, strict=False):
                slots[i] = cell
            if isinstance(order, list) and len(free) >= len(leftover):
                self.report.note(
                    f"Board {name!r}: {len(leftover)} buttons missing from the grid were put "
                    "in free places"
                )
            for cell in leftover[len(free) :]:
                self.report.skip(
                    Skip.NO_ROOM,
                    name,
                    cell.label or cell.id,
                    f"Board {name!r}: buttons that did not fit the grid were left out",
                )
                if cell.image is not None:
                    self._forget(cell)
        return Board(id=board_id, name=name, rows=rows, columns=columns, cells=slots, lang=lang)

    def _forget(self, cell: Cell) -> None:
        """A cell left out of the grid no longer needs its picture written."""
        for rel, picture in list(self.pictures.items()):
            picture.cells = [c for c in picture.cells if c is not cell]  # identity, not equality
            if not picture.cells:
                del self.pictures[rel]

    def link(
        self,
        cell: Cell,
        load: dict[str, Any],
        board: Board,
        raws: dict[str, _RawBoard],
        by_member: dict[str, str],
    ) -> str | None:
        """The id of the board a button opens, if it is in this set; else reported, None."""
        target_id = load.get("id")
        known = isinstance(target_id, str | int) and not isinstance(target_id, bool)
        if known and str(target_id) in raws:
            return str(target_id)
        member = _norm_ref(load.get("path"))
        if member is not None and member in by_member:
            return by_member[member]
        wanted = target_id if target_id is not None else load.get("path") or load.get("url")
        self.report.skip(
            Skip.EXTERNAL_LINK,
            board.name,
            cell.label or cell.id,
            "Links to boards that are not in the file were removed (the buttons were kept)",
            str(wanted)[:200],
        )
        return None

    def write_pictures(self, dest_dir: Path | None) -> list[Path]:
        """Write the pictures kept (after the whole set was read) and point their cells at the
        names used. Returns the files this import created."""
        if not self.pictures:
            return []
        if dest_dir is None:
            raise ObfError("This board has pictures; choose a folder to import it into.")
        created: list[Path] = []
        for picture in self.pictures.values():
            rel, new = store_picture(Path(dest_dir), picture.data, picture.content_type)
            if new:
                created.append(Path(dest_dir) / rel)
            for cell in picture.cells:
                cell.image = rel
        return created


# --- entry points -------------------------------------------------------------------------------


def _finish(
    importer: _Importer, report: _Report, board_set: BoardSet, dest_dir: Path | None
) -> ImportResult:
    board_set.validate()
    written = importer.write_pictures(dest_dir)
    return ImportResult(board_set, report.lines(), written, report.skipped)


def import_obf(
    path: Path,
    dest_dir: Path | None = None,
    *,
    default_lang: str = "en",
    pictogram_sink: object = None,
) -> ImportResult:
    """Import one `.obf` board as a one-board set; its pictures go to `dest_dir/images/`.
    Links to other boards cannot be followed from a single file; they are reported and dropped.
    `pictogram_sink` is ignored (the ARASAAC cache is written only by the ARASAAC client)."""
    del pictogram_sink
    path = Path(path)
    data = read_file_limited(path, MAX_OBF_BYTES, "single boards", ObfError)
    doc = _parse(data, path.name)
    report = _Report()
    importer = _Importer(report, default_lang, None)
    raw = importer.board(doc, path.name)
    board = raw.board
    for cell, load in raw.links:
        cell.link = board.id if load.get("id") == board.id else None
        if cell.link is None:
            wanted = load.get("id") or load.get("path") or load.get("url")
            report.skip(
                Skip.EXTERNAL_LINK,
                board.name,
                cell.label or cell.id,
                "Links to other boards were removed (a single .obf holds one board)",
                str(wanted)[:200],
            )
    board_set = BoardSet(name=board.name, lang=board.lang, root=board.id, boards={board.id: board})
    return _finish(importer, report, board_set, dest_dir)


def import_obz(
    path: Path,
    dest_dir: Path | None = None,
    *,
    default_lang: str = "en",
    pictogram_sink: object = None,
) -> ImportResult:
    """Import an `.obz` package (all its boards, links between them, pictures).

    Raises ObfError for unsafe or oversized packages, duplicate ids and packages with no usable
    home board. Nothing is written unless the whole package imports.
    `pictogram_sink` is ignored (the ARASAAC cache is written only by the ARASAAC client)."""
    del pictogram_sink
    with LimitedZip(
        Path(path),
        max_archive_bytes=MAX_OBZ_BYTES,
        max_member_bytes=MAX_MEMBER_BYTES,
        max_total_bytes=MAX_TOTAL_BYTES,
        max_members=MAX_MEMBERS,
        error=ObfError,
        file_kind=".obz (zip)",
    ) as archive:
        return _import_package(archive, dest_dir, default_lang)


def _import_package(archive: LimitedZip, dest_dir: Path | None, default_lang: str) -> ImportResult:
    if "manifest.json" not in archive.members:
        raise ObfError(f"{archive.name} has no manifest.json; it is not an .obz package.")
    manifest = _parse(archive.read("manifest.json"), "manifest.json")
    if not isinstance(manifest, dict):
        raise ObfError("manifest.json is not a JSON object.")
    paths = manifest.get("paths") if isinstance(manifest.get("paths"), dict) else {}
    board_paths = paths.get("boards") if isinstance(paths.get("boards"), dict) else {}
    if not board_paths:
        board_paths = {m: m for m in archive.members if m.endswith(".obf")}
    if len(board_paths) > MAX_BOARDS:
        raise ObfError(f"{archive.name} has {len(board_paths)} boards; at most {MAX_BOARDS}.")
    root_ref = manifest.get("root")
    if not isinstance(root_ref, str):
        raise ObfError("manifest.json does not say which board is the home board (root).")
    root_member = _norm_ref(root_ref)
    if root_member is None:
        raise ObfError(f"The manifest root points outside the package ({root_ref!r}).")
    listed: list[str] = []
    for ref in board_paths.values():
        member = _norm_ref(ref)
        if member is None:
            raise ObfError(f"A board path points outside the package ({ref!r}).")
        listed.append(member)
    if root_member not in listed:
        listed.append(root_member)
    lang = manifest.get(f"{EXT}lang")
    report = _Report()
    importer = _Importer(report, lang if isinstance(lang, str) else default_lang, archive)
    raws: dict[str, _RawBoard] = {}
    by_member: dict[str, str] = {}
    for member in sorted(set(listed)):
        raw = importer.board(_parse(archive.read(member), member), member)
        if raw.board.id in raws:
            raise ObfError(f"Two boards in {archive.name} have the id {raw.board.id!r}.")
        raws[raw.board.id] = raw
        by_member[member] = raw.board.id
    for raw in raws.values():
        for cell, load in raw.links:
            cell.link = importer.link(cell, load, raw.board, raws, by_member)
    root_id = by_member[root_member]
    name = manifest.get(f"{EXT}name")
    board_set = BoardSet(
        name=name if isinstance(name, str) else raws[root_id].board.name,
        lang=lang if isinstance(lang, str) else raws[root_id].board.lang,
        root=root_id,
        boards={},
    )
    # Keep the manifest's board order (our export writes home first).
    for member in listed:
        board_id = by_member[member]
        if board_id not in board_set.boards:
            board_set.boards[board_id] = raws[board_id].board
    return _finish(importer, report, board_set, dest_dir)


def import_board_file(
    path: Path,
    dest_dir: Path | None = None,
    *,
    default_lang: str = "en",
    pictogram_sink: object = None,
) -> ImportResult:
    """`.obz` or `.obf`, told apart by content (a zip starts with PK), not by the name.
    `pictogram_sink` is ignored (the ARASAAC cache is written only by the ARASAAC client)."""
    del pictogram_sink
    path = Path(path)
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        return import_obz(path, dest_dir, default_lang=default_lang)
    return import_obf(path, dest_dir, default_lang=default_lang)
