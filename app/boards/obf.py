"""Open Board Format: `.obf` (one board, JSON) and `.obz` (zip: manifest.json, boards/, images/).

Export keeps labels, vocalizations, colours, grid order, images and links; what OBF has no field
for (keywords, Fitzgerald category, ARASAAC id, marker action) travels in `ext_pictovoz_*`
fields, which the spec reserves for extensions, so our own boards come back unchanged.

Import reads boards from other apps (CoughDrop, Cboard, AsTeRICS Grid...) and lists what could
not be mapped (sounds, spelling actions, web-only images...). Import files are untrusted: sizes
are checked before reading, JSON nesting and zip member names are checked, duplicate ids and
links to missing boards are errors, and images are written only inside the target folder, under
names we choose, after the whole package has been validated.
"""

from __future__ import annotations

import base64
import binascii
import colorsys
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from app.boards.model import (
    MAX_GRID_SIDE,
    MAX_LABEL_CHARS,
    Action,
    Board,
    BoardError,
    BoardSet,
    Category,
    Cell,
    slug,
)
from app.boards.storage import json_depth
from app.core.arasaac import pictogram_id_from_url, static_url
from app.core.files import atomic_write_bytes, atomic_write_text

log = logging.getLogger(__name__)

OBF_FORMAT = "open-board-0.1"
EXT = "ext_pictovoz_"

MAX_OBF_BYTES = 20 * 1024 * 1024  # a single board with embedded (data URL) images
MAX_OBZ_BYTES = 300 * 1024 * 1024  # the archive on disk
MAX_MEMBER_BYTES = 20 * 1024 * 1024  # one file inside it, uncompressed
MAX_TOTAL_BYTES = 600 * 1024 * 1024  # everything inside it, uncompressed (zip bombs)
MAX_MEMBERS = 10_000
MAX_BOARDS = 1_000
MAX_JSON_DEPTH = 32
MAX_ID_CHARS = 200

ARASAAC_LICENSE = {
    "type": "CC BY-NC-SA",
    "copyright_notice_url": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "source_url": "https://arasaac.org",
    "author_name": "Sergio Palao (ARASAAC, Gobierno de Aragón)",
    "author_url": "https://arasaac.org",
}

_OBF_ACTIONS = {
    ":speak": Action.SPEAK,
    ":clear": Action.CLEAR,
    ":backspace": Action.BACKSPACE,
    ":home": Action.HOME,
}
_ACTION_TO_OBF = {v: k for k, v in _OBF_ACTIONS.items()}

_IMAGE_TYPES = {  # content type -> extension; other types are reported, not imported
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
}
_EXT_TYPES = {ext: ctype for ctype, ext in _IMAGE_TYPES.items()} | {".jpeg": "image/jpeg"}
_SAFE_IMAGE_REL = re.compile(r"^images/[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


class ObfError(BoardError):
    """The file cannot be imported (or exported); the message says why."""


PictogramImage = Callable[[int], bytes | None]
PictogramSink = Callable[[int, bytes], None]


@dataclass
class ImportResult:
    board_set: BoardSet
    unmapped: list[str] = field(default_factory=list)  # for the caregiver: what was left out
    images_written: list[Path] = field(default_factory=list)


class _Report:
    """Collects "could not map" notes, merging repeats into one line with a count."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def add(self, message: str) -> None:
        self._counts[message] = self._counts.get(message, 0) + 1

    def lines(self) -> list[str]:
        return [m if n == 1 else f"{m} (x{n})" for m, n in self._counts.items()]


# --- colours -----------------------------------------------------------------------------------

_RGB_RE = re.compile(
    r"^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[\d.]+\s*)?\)$"
)


def parse_colour(value: Any) -> str | None:
    """OBF colours ("rgb(255, 255, 170)", "rgba(...)", "#fa0", "#ffaa00") -> "#rrggbb"."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    m = _RGB_RE.match(text)
    if m:
        r, g, b = (int(x) for x in m.groups())
        if max(r, g, b) > 255:
            return None
        return f"#{r:02x}{g:02x}{b:02x}"
    if re.fullmatch(r"#[0-9a-f]{6}", text):
        return text
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        return "#" + "".join(ch * 2 for ch in text[1:])
    return None


def rgb_string(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _darker(colour: str, factor: float = 0.7) -> str:
    r, g, b = (int(int(colour[i : i + 2], 16) * factor) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"


def guess_category(colour: str | None) -> Category:
    """The Fitzgerald category a foreign board's button colour most likely means (by hue)."""
    if colour is None:
        return Category.NOUNS
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, sat, val = colorsys.rgb_to_hsv(r, g, b)
    if sat < 0.12:
        return Category.NOUNS if val > 0.95 else Category.MARKERS
    deg = hue * 360
    for upper, category in (
        (15, Category.NEGATION),
        (42, Category.NOUNS),
        (70, Category.PEOPLE),
        (170, Category.VERBS),
        (250, Category.DESCRIPTORS),
        (300, Category.QUESTIONS),
        (345, Category.SOCIAL),
    ):
        if deg < upper:
            return category
    return Category.NEGATION


# --- export ------------------------------------------------------------------------------------


@dataclass
class _ImageRef:
    id: str
    zip_path: str
    data: bytes | None
    content_type: str
    url: str | None = None
    pictogram_id: int | None = None
    local: str | None = None  # our relative path, for ext_pictovoz_image


class _Exporter:
    def __init__(
        self,
        board_set: BoardSet,
        base_dir: Path | None,
        pictogram_image: PictogramImage | None,
    ) -> None:
        self.board_set = board_set
        self.base_dir = base_dir
        self.pictogram_image = pictogram_image
        self.images: dict[str, _ImageRef] = {}

    def image_for(self, cell: Cell) -> _ImageRef | None:
        if cell.image and self.base_dir is not None:
            key = f"file:{cell.image}"
            if key not in self.images:
                path = _inside(self.base_dir, cell.image)
                if path is None or not path.is_file():
                    log.warning(
                        "Image %s of cell %r is missing; exported without it", cell.image, cell.id
                    )
                else:
                    ctype = _EXT_TYPES.get(path.suffix.lower(), "image/png")
                    name = PurePosixPath(cell.image).name
                    self.images[key] = _ImageRef(
                        id=f"file-{slug(name) or len(self.images)}",
                        zip_path=f"images/{name}",
                        data=path.read_bytes(),
                        content_type=ctype,
                        local=cell.image,
                    )
            if key in self.images:
                return self.images[key]
        if cell.pictogram_id is not None:
            key = f"arasaac:{cell.pictogram_id}"
            if key not in self.images:
                data = self.pictogram_image(cell.pictogram_id) if self.pictogram_image else None
                self.images[key] = _ImageRef(
                    id=f"arasaac-{cell.pictogram_id}",
                    zip_path=f"images/arasaac-{cell.pictogram_id}.png",
                    data=data,
                    content_type="image/png",
                    url=static_url(cell.pictogram_id),
                    pictogram_id=cell.pictogram_id,
                )
            return self.images[key]
        return None

    def board(self, board: Board, in_package: bool) -> dict[str, Any]:
        used: dict[str, _ImageRef] = {}
        buttons = []
        for cell in board.filled():
            button: dict[str, Any] = {
                "id": cell.id,
                "label": cell.label,
                "background_color": rgb_string(cell.background),
                "border_color": rgb_string(cell.border_color or _darker(cell.background)),
                f"{EXT}category": cell.category.value,
            }
            if cell.vocalization is not None:
                button["vocalization"] = cell.vocalization
            if cell.keywords is not None:
                button[f"{EXT}keywords"] = list(cell.keywords)
            if cell.pictogram_id is not None:
                button[f"{EXT}pictogram_id"] = cell.pictogram_id
            if cell.color is not None:
                button[f"{EXT}color"] = cell.color
            if cell.border_color is not None:
                button[f"{EXT}border_color"] = cell.border_color
            if cell.image is not None:
                button[f"{EXT}image"] = cell.image
            if cell.action is not None:
                button[f"{EXT}action"] = cell.action.value
                if cell.action in _ACTION_TO_OBF:
                    button["action"] = _ACTION_TO_OBF[cell.action]
            if cell.link is not None:
                target = self.board_set.boards.get(cell.link)
                load: dict[str, Any] = {"id": cell.link, "name": target.name if target else ""}
                if in_package:
                    load["path"] = f"boards/{_file_id(cell.link)}.obf"
                button["load_board"] = load
            image = self.image_for(cell)
            if image is not None:
                button["image_id"] = image.id
                used[image.id] = image
            buttons.append(button)
        order = [
            [
                None if c is None else c.id
                for c in board.cells[r * board.columns : (r + 1) * board.columns]
            ]
            for r in range(board.rows)
        ]
        images = [self._image_json(ref, in_package) for ref in used.values()]
        return {
            "format": OBF_FORMAT,
            "id": board.id,
            "locale": board.lang,
            "name": board.name,
            "buttons": buttons,
            "grid": {"rows": board.rows, "columns": board.columns, "order": order},
            "images": images,
            "sounds": [],
        }

    def _image_json(self, ref: _ImageRef, in_package: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"id": ref.id, "content_type": ref.content_type}
        if ref.url:
            data["url"] = ref.url
        if ref.data is not None:
            if in_package:
                data["path"] = ref.zip_path
            else:
                encoded = base64.b64encode(ref.data).decode("ascii")
                data["data"] = f"data:{ref.content_type};base64,{encoded}"
        if ref.pictogram_id is not None:
            data[f"{EXT}pictogram_id"] = ref.pictogram_id
            data["license"] = dict(ARASAAC_LICENSE)
        return data


def export_obf(
    board_set: BoardSet,
    board_id: str,
    path: Path,
    *,
    base_dir: Path | None = None,
    pictogram_image: PictogramImage | None = None,
) -> None:
    """Write one board as `.obf`. Images are embedded as data URLs when available (custom images
    from `base_dir`; ARASAAC ones from `pictogram_image`), else linked to static.arasaac.org."""
    board_set.validate()
    board = board_set.board(board_id)
    exporter = _Exporter(board_set, base_dir, pictogram_image)
    doc = exporter.board(board, in_package=False)
    atomic_write_text(Path(path), json.dumps(doc, ensure_ascii=False, indent=1))


def export_obz(
    board_set: BoardSet,
    path: Path,
    *,
    base_dir: Path | None = None,
    pictogram_image: PictogramImage | None = None,
) -> None:
    """Write the whole board set as `.obz` (manifest.json, boards/*.obf, images/*)."""
    board_set.validate()
    exporter = _Exporter(board_set, base_dir, pictogram_image)
    boards_paths: dict[str, str] = {}
    docs: dict[str, dict[str, Any]] = {}
    for board in board_set.boards.values():
        zip_path = f"boards/{_file_id(board.id)}.obf"
        if zip_path in docs:
            raise ObfError(f"Two boards would share the file name {zip_path}.")
        docs[zip_path] = exporter.board(board, in_package=True)
        boards_paths[board.id] = zip_path
    images_paths = {
        ref.id: ref.zip_path for ref in exporter.images.values() if ref.data is not None
    }
    manifest = {
        "format": OBF_FORMAT,
        "root": boards_paths[board_set.root],
        "paths": {"boards": boards_paths, "images": images_paths, "sounds": {}},
        f"{EXT}name": board_set.name,
        f"{EXT}lang": board_set.lang,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        for zip_path, doc in docs.items():
            zf.writestr(zip_path, json.dumps(doc, ensure_ascii=False))
        written: set[str] = set()
        for ref in exporter.images.values():
            if ref.data is not None and ref.zip_path not in written:
                # PNGs are already compressed; storing them saves time for nothing lost.
                zf.writestr(ref.zip_path, ref.data, compress_type=zipfile.ZIP_STORED)
                written.add(ref.zip_path)
    atomic_write_bytes(Path(path), buffer.getvalue())


def _file_id(board_id: str) -> str:
    return slug(board_id) or "board"


# --- import: reading untrusted input -----------------------------------------------------------


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ObfError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _parse_json(data: bytes, what: str) -> Any:
    try:
        value = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_no_duplicate_keys)
    except RecursionError:
        raise ObfError(f"{what} is nested too deeply to be a board.") from None
    except ObfError as exc:
        raise ObfError(f"{what} has a {exc}; ids must be unique.") from None
    except UnicodeDecodeError:
        raise ObfError(f"{what} is not UTF-8 text.") from None
    except ValueError as exc:
        raise ObfError(f"{what} is not valid JSON ({exc}).") from None
    if json_depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise ObfError(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep.")
    return value


def _safe_member_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    if re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in PurePosixPath(name).parts


def _norm_ref(path: str, what: str) -> str:
    """A path referenced inside the package (manifest, image path) -> the member name."""
    if not isinstance(path, str) or not _safe_member_name(path):
        raise ObfError(f"{what} points outside the package ({path!r}).")
    return path[2:] if path.startswith("./") else path


class _Zip:
    """Bounded, validated access to an .obz archive's members (nothing is extracted)."""

    def __init__(self, path: Path) -> None:
        size = path.stat().st_size
        if size > MAX_OBZ_BYTES:
            raise ObfError(f"{path.name} is {size} bytes; packages are at most {MAX_OBZ_BYTES}.")
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ObfError(f"{path.name} is not a valid .obz (zip) file ({exc}).") from None
        infos = self.zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ObfError(f"{path.name} has {len(infos)} files; at most {MAX_MEMBERS}.")
        self.members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            if not _safe_member_name(info.filename):
                raise ObfError(
                    f"{path.name} contains an unsafe path {info.filename!r} (it would be written "
                    "outside the import folder); the package was rejected."
                )
            if info.filename in self.members:
                raise ObfError(f"{path.name} contains {info.filename!r} twice.")
            if info.flag_bits & 0x1:
                raise ObfError(f"{path.name} is encrypted; PictoVoz cannot read it.")
            if info.file_size > MAX_MEMBER_BYTES:
                raise ObfError(
                    f"{info.filename} in {path.name} is {info.file_size} bytes; "
                    f"files in a package are at most {MAX_MEMBER_BYTES}."
                )
            total += info.file_size
            self.members[info.filename] = info
        if total > MAX_TOTAL_BYTES:
            raise ObfError(f"{path.name} unpacks to {total} bytes; at most {MAX_TOTAL_BYTES}.")
        self.name = path.name

    def read(self, member: str) -> bytes:
        info = self.members.get(member)
        if info is None:
            raise ObfError(f"{self.name} has no {member!r}.")
        try:
            with self.zf.open(info) as fh:
                # The declared size can lie: read one byte past the limit to catch that.
                data = fh.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise ObfError(f"{member} in {self.name} is damaged ({exc}).") from None
        if len(data) > MAX_MEMBER_BYTES:
            raise ObfError(f"{member} in {self.name} is larger than {MAX_MEMBER_BYTES} bytes.")
        return data

    def close(self) -> None:
        self.zf.close()


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "image/svg+xml"
    return None


def _decode_data_url(url: str) -> bytes | None:
    m = re.match(r"^data:([\w/+.-]*)(;[\w=-]+)*?(;base64)?,(.*)$", url, re.DOTALL)
    if not m or not m.group(3):
        return None
    try:
        return base64.b64decode(m.group(4), validate=False)
    except (binascii.Error, ValueError):
        return None


def _as_id(value: Any, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ObfError(f"{what} has no usable id ({value!r}).")
    text = str(value).strip()
    if not text or len(text) > MAX_ID_CHARS:
        raise ObfError(f"{what} has no usable id ({value!r}).")
    return text


# --- import: mapping ---------------------------------------------------------------------------


@dataclass
class _PendingImage:
    rel: str
    data: bytes


@dataclass
class _RawBoard:
    doc: dict[str, Any]
    board: Board
    links: list[tuple[Cell, dict[str, Any]]]


class _Importer:
    def __init__(
        self,
        report: _Report,
        default_lang: str,
        read_member: Callable[[str], bytes] | None,
        pictogram_sink: PictogramSink | None,
    ) -> None:
        self.report = report
        self.default_lang = default_lang
        self.read_member = read_member
        self.pictogram_sink = pictogram_sink
        self.pending: dict[str, _PendingImage] = {}

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
        links: list[tuple[Cell, dict[str, Any]]] = []
        for raw in buttons:
            if not isinstance(raw, dict):
                raise ObfError(f"{what} has a button that is not an object.")
            button_id = _as_id(raw.get("id"), f"A button on {what}")
            if button_id in cells:
                raise ObfError(f"{what} has two buttons with the id {button_id!r}.")
            cell = self._cell(raw, button_id, board_id, images)
            if cell is None:
                continue
            cells[button_id] = cell
            if isinstance(raw.get("load_board"), dict):
                links.append((cell, raw["load_board"]))
        board = self._grid(doc.get("grid"), cells, board_id, name, lang, what)
        return _RawBoard(doc, board, links)

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
        self, raw: dict[str, Any], button_id: str, board_id: str, images: dict[str, dict[str, Any]]
    ) -> Cell | None:
        ours = f"{EXT}category" in raw
        label = raw.get("label") if isinstance(raw.get("label"), str) else ""
        vocalization = raw.get("vocalization") if isinstance(raw.get("vocalization"), str) else None
        background = parse_colour(raw.get("background_color"))
        border = parse_colour(raw.get("border_color"))
        if raw.get("background_color") is not None and background is None:
            self.report.add(f"Colour {raw.get('background_color')!r} is not understood; ignored")
        try:
            category = Category(raw[f"{EXT}category"]) if ours else guess_category(background)
        except ValueError:
            category = guess_category(background)
        keywords = raw.get(f"{EXT}keywords")
        if not (isinstance(keywords, list) and all(isinstance(k, str) for k in keywords)):
            keywords = None
        action = self._action(raw)
        pictogram_id = _positive_int(raw.get(f"{EXT}pictogram_id"))
        image_rel: str | None = None
        image_id = raw.get("image_id")
        if image_id is not None:
            image = images.get(str(image_id))
            if image is None:
                self.report.add("A button refers to an image the board does not have; ignored")
            else:
                pid, image_rel = self._image(image, raw, board_id)
                pictogram_id = pictogram_id or pid
        if raw.get("sound_id") is not None:
            self.report.add("Recorded sounds are not imported; the label is spoken instead")
        if not label and vocalization:
            label = vocalization
        if len(label) > MAX_LABEL_CHARS:
            self.report.add(f"Labels longer than {MAX_LABEL_CHARS} characters were shortened")
            label = label[: MAX_LABEL_CHARS - 1].rstrip() + "…"
        if not label and image_rel is None and pictogram_id is None:
            self.report.add("A button with no label and no picture was skipped")
            return None
        if ours:
            color = parse_colour(raw.get(f"{EXT}color"))
            border_color = parse_colour(raw.get(f"{EXT}border_color"))
        else:
            color, border_color = background, border
        return Cell(
            id=button_id,
            label=label,
            keywords=keywords,
            pictogram_id=pictogram_id,
            category=category,
            action=action,
            vocalization=vocalization,
            image=image_rel,
            color=color,
            border_color=border_color,
        )

    def _action(self, raw: dict[str, Any]) -> Action | None:
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
            if name in _OBF_ACTIONS and mapped is None:
                mapped = _OBF_ACTIONS[name]
            elif name.startswith("+"):
                self.report.add("Spelling actions (+letters) are not supported; the label is used")
            else:
                self.report.add(f"Action {name!r} is not supported; ignored")
        return mapped

    def _image(
        self, image: dict[str, Any], button: dict[str, Any], board_id: str
    ) -> tuple[int | None, str | None]:
        """(ARASAAC id, custom image path) for a button's image: an ARASAAC pictogram is kept
        as its id (the cache draws it), any other picture is saved as a custom image."""
        pid = _positive_int(image.get(f"{EXT}pictogram_id"))
        url = image.get("url") if isinstance(image.get("url"), str) else None
        if pid is None and url:
            pid = pictogram_id_from_url(url)
        data = self._image_bytes(image)
        if pid is not None:
            if (
                data is not None
                and self.pictogram_sink is not None
                and _sniff_image(data) == "image/png"
            ):
                try:
                    self.pictogram_sink(pid, data)
                except Exception as exc:  # a bad cached copy must not fail the import
                    log.info("Could not cache pictogram %s from the package: %s", pid, exc)
            return pid, None
        if data is None:
            if url:
                self.report.add("Images that are only web links were not downloaded")
            else:
                self.report.add("A button image has no data; it was left out")
            return None, None
        ctype = _sniff_image(data)
        if ctype is None:
            self.report.add("An image in an unknown format was left out")
            return None, None
        wanted = button.get(f"{EXT}image")
        if isinstance(wanted, str) and _SAFE_IMAGE_REL.match(wanted) and not wanted.endswith("."):
            rel = wanted
        else:
            rel = f"images/{slug(board_id) or 'board'}-{slug(str(image.get('id'))) or 'image'}"
            rel += _IMAGE_TYPES[ctype]
        previous = self.pending.get(rel)
        if previous is not None and previous.data != data:
            n = 2
            stem, dot, ext = rel.rpartition(".")
            while f"{stem}-{n}{dot}{ext}" in self.pending:
                n += 1
            rel = f"{stem}-{n}{dot}{ext}"
        self.pending[rel] = _PendingImage(rel, data)
        return None, rel

    def _image_bytes(self, image: dict[str, Any]) -> bytes | None:
        data_url = image.get("data")
        if isinstance(data_url, str) and data_url.startswith("data:"):
            decoded = _decode_data_url(data_url)
            if decoded is None:
                self.report.add("An embedded image could not be decoded")
            return decoded
        path = image.get("path")
        if isinstance(path, str) and self.read_member is not None:
            return self.read_member(_norm_ref(path, "An image path"))
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
            self.report.add(f"Board {name!r} had no grid size; {rows}x{columns} was used")
        if rows > MAX_GRID_SIDE or columns > MAX_GRID_SIDE:
            raise ObfError(
                f"{what} has a {rows}x{columns} grid; PictoVoz shows at most "
                f"{MAX_GRID_SIDE}x{MAX_GRID_SIDE}."
            )
        slots: list[Cell | None] = [None] * (rows * columns)
        placed: set[str] = set()
        if isinstance(order, list):
            if len(order) != rows:
                self.report.add(f"Board {name!r}: the grid order did not match its size")
            for r, row in enumerate(order[:rows]):
                if not isinstance(row, list):
                    continue
                for c, button_id in enumerate(row[:columns]):
                    if button_id is None:
                        continue
                    key = str(button_id)
                    cell = cells.get(key)
                    if cell is None:
                        self.report.add(f"Board {name!r}: the grid names a missing button")
                    elif key in placed:
                        self.report.add(f"Board {name!r}: a button appeared twice in the grid")
                    else:
                        slots[r * columns + c] = cell
                        placed.add(key)
        leftover = [cell for key, cell in cells.items() if key not in placed]
        if leftover:
            free = [i for i, slot in enumerate(slots) if slot is None]
            for i, cell in zip(free, leftover, strict=False):
                slots[i] = cell
            if isinstance(order, list) and len(free) >= len(leftover):
                self.report.add(
                    f"Board {name!r}: {len(leftover)} buttons missing from the grid were put "
                    "in free places"
                )
            if len(free) < len(leftover):
                self.report.add(
                    f"Board {name!r}: {len(leftover) - len(free)} buttons did not fit the grid "
                    "and were left out"
                )
        return Board(id=board_id, name=name, rows=rows, columns=columns, cells=slots, lang=lang)


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return value


def _inside(base: Path, rel: str) -> Path | None:
    """`base/rel` if it stays inside `base` (refuses `..` and absolute paths)."""
    candidate = (base / rel).resolve()
    root = base.resolve()
    return candidate if candidate.is_relative_to(root) else None


def _write_images(pending: dict[str, _PendingImage], dest_dir: Path | None) -> list[Path]:
    if not pending:
        return []
    if dest_dir is None:
        raise ObfError("This board has pictures; choose a folder to import it into.")
    written = []
    for item in pending.values():
        target = _inside(dest_dir, item.rel)
        if target is None:  # cannot happen with our names; checked anyway
            raise ObfError(f"Refusing to write {item.rel!r} outside {dest_dir}.")
        atomic_write_bytes(target, item.data)
        written.append(target)
    return written


def import_obf(
    path: Path,
    dest_dir: Path | None = None,
    *,
    default_lang: str = "en",
    pictogram_sink: PictogramSink | None = None,
) -> ImportResult:
    """Import one `.obf` board as a one-board set. Embedded pictures go to `dest_dir/images/`.
    Links to other boards cannot be followed from a single file; they are reported and dropped."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_OBF_BYTES:
        raise ObfError(f"{path.name} is {size} bytes; single boards are at most {MAX_OBF_BYTES}.")
    doc = _parse_json(path.read_bytes(), path.name)
    report = _Report()
    importer = _Importer(report, default_lang, None, pictogram_sink)
    raw = importer.board(doc, path.name)
    for cell, _load in raw.links:
        report.add("Links to other boards were removed (a single .obf holds one board)")
        cell.link = None
    board = raw.board
    board_set = BoardSet(name=board.name, lang=board.lang, root=board.id, boards={board.id: board})
    board_set.validate()
    written = _write_images(importer.pending, dest_dir)
    return ImportResult(board_set, report.lines(), written)


def import_obz(
    path: Path,
    dest_dir: Path | None = None,
    *,
    default_lang: str = "en",
    pictogram_sink: PictogramSink | None = None,
) -> ImportResult:
    """Import an `.obz` package (all its boards, links between them, pictures).

    Raises ObfError for unsafe or oversized packages, duplicate ids and links to boards that are
    not in the package. Nothing is written unless the whole package imports."""
    archive = _Zip(Path(path))
    try:
        if "manifest.json" not in archive.members:
            raise ObfError(f"{archive.name} has no manifest.json; it is not an .obz package.")
        manifest = _parse_json(archive.read("manifest.json"), "manifest.json")
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
        root_member = _norm_ref(root_ref, "The manifest root")
        lang = manifest.get(f"{EXT}lang")
        report = _Report()
        importer = _Importer(
            report, lang if isinstance(lang, str) else default_lang, archive.read, pictogram_sink
        )
        raws: dict[str, _RawBoard] = {}
        by_member: dict[str, str] = {}
        members = {_norm_ref(p, "A board path") for p in board_paths.values() if isinstance(p, str)}
        if root_member not in members:
            members.add(root_member)
        for member in sorted(members):
            raw = importer.board(_parse_json(archive.read(member), member), member)
            if raw.board.id in raws:
                raise ObfError(f"Two boards in {archive.name} have the id {raw.board.id!r}.")
            raws[raw.board.id] = raw
            by_member[member] = raw.board.id
        for raw in raws.values():
            for cell, load in raw.links:
                cell.link = _link_target(load, raws, by_member, raw.board, cell)
        root_id = by_member[root_member]
        name = manifest.get(f"{EXT}name")
        board_set = BoardSet(
            name=name if isinstance(name, str) else raws[root_id].board.name,
            lang=lang if isinstance(lang, str) else raws[root_id].board.lang,
            root=root_id,
            boards={},
        )
        # Keep the manifest's board order (our export writes home first).
        for member in [_norm_ref(p, "A board path") for p in board_paths.values()] + [root_member]:
            board_id = by_member[member]
            if board_id not in board_set.boards:
                board_set.boards[board_id] = raws[board_id].board
        board_set.validate()
        written = _write_images(importer.pending, dest_dir)
        return ImportResult(board_set, report.lines(), written)
    finally:
        archive.close()


def _link_target(
    load: dict[str, Any],
    raws: dict[str, _RawBoard],
    by_member: dict[str, str],
    board: Board,
    cell: Cell,
) -> str:
    target_id = load.get("id")
    if (
        isinstance(target_id, str | int)
        and not isinstance(target_id, bool)
        and str(target_id) in raws
    ):
        return str(target_id)
    target_path = load.get("path")
    if isinstance(target_path, str):
        member = _norm_ref(target_path, "A board link")
        if member in by_member:
            return by_member[member]
    wanted = target_id if target_id is not None else target_path or load.get("url")
    raise ObfError(
        f"Button {cell.label or cell.id!r} on board {board.name!r} opens board {wanted!r}, "
        "which is not in the package."
    )


def import_board_file(
    path: Path,
    dest_dir: Path | None = None,
    *,
    default_lang: str = "en",
    pictogram_sink: PictogramSink | None = None,
) -> ImportResult:
    """`.obz` or `.obf`, told apart by content (a zip starts with PK), not by the name."""
    path = Path(path)
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        return import_obz(path, dest_dir, default_lang=default_lang, pictogram_sink=pictogram_sink)
    return import_obf(path, dest_dir, default_lang=default_lang, pictogram_sink=pictogram_sink)
