"""A board set's own pictures: checked from their headers, stored under content-addressed names.

A cell's custom picture is `Cell.image`, a POSIX path relative to the board set's folder (the
folder of the board file), always `images/<sha256 of the bytes><ext>` for imported pictures.
Pictures arrive from files we did not write, so before one is kept its size is read from its
header, never by decoding it: a 15 KB PNG can declare 7900x7900 pixels (250 MB once decoded).
Storing never overwrites an existing file: the same bytes reuse the file already there, and a
different file that happens to hold the name is left alone (the next free name is used).

Qt-free on purpose (boards never import the UI or app.pictograms); the window decodes the file
that `picture_path` returns, scaled to the tile.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
import struct
import tempfile
from pathlib import Path, PurePosixPath

from app.boards.model import BoardError
from app.core import png

log = logging.getLogger(__name__)

PICTURES_DIR = "images"  # under the board set's folder
MAX_PICTURE_SIDE = png.MAX_SIDE  # one limit for downloads and imports (app/core/png.py)
MAX_PICTURE_PIXELS = png.MAX_PIXELS
MAX_PICTURE_BYTES = 8 * 1024 * 1024

EXTENSIONS = {  # content type -> file extension; the types we keep
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
}
CONTENT_TYPES = {ext: ctype for ctype, ext in EXTENSIONS.items()} | {".jpeg": "image/jpeg"}

PNG_SIGNATURE = png.SIGNATURE
_CONTENT_NAME = re.compile(r"^images/[0-9a-f]{64}(-\d{1,3})?\.(png|jpg|gif|webp|svg)$")


class PictureError(BoardError):
    """A picture that cannot be kept (unknown format, damaged); the message says why."""


class PictureTooLargeError(PictureError):
    """A picture whose header declares more pixels than a tile could ever need."""


# --- what a picture is, from its first bytes ----------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (never what a file claims), or None."""
    if data.startswith(PNG_SIGNATURE):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith((b"<?xml", b"<!--")) and b"<svg" in head):
        return "image/svg+xml"
    return None


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk: 24 bytes read, nothing decoded."""
    try:
        return png.png_size(data)
    except png.PngError as exc:
        raise PictureError(str(exc)) from None


def _png_complete(data: bytes) -> None:
    try:
        png.check_complete(data)
    except png.PngError as exc:
        raise PictureError(str(exc)) from None


def _jpeg_size(data: bytes) -> tuple[int, int]:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise PictureError("The JPEG picture is malformed.")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        # SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG), CC (DAC) do not.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if pos + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        if marker == 0xDA or length < 2:  # scan data before any frame header
            break
        pos += 2 + length
    raise PictureError("The JPEG picture has no frame header.")


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    raise PictureError("The WebP picture is malformed.")


_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
_UNITS_PX = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54,
             "mm": 96 / 25.4, "em": 16.0, "ex": 8.0}  # fmt: skip


def _svg_length(tag: bytes, name: bytes) -> float | None:
    m = re.search(rb"\s" + name + rb"""\s*=\s*["']\s*([0-9.eE+-]+)\s*([a-z%]*)\s*["']""", tag)
    if not m:
        return None
    try:
        value = float(m.group(1))
    except ValueError:
        return None
    factor = _UNITS_PX.get(m.group(2).decode("ascii", "replace").lower())
    return None if factor is None else value * factor  # "%": sized by the tile


def _svg_size(data: bytes) -> tuple[int, int]:
    """The size a renderer would use by default (width/height, else the viewBox), which Qt
    allocates when a file is loaded without a target size. DTDs are refused: entity expansion
    is how a 1 KB XML file becomes gigabytes."""
    if re.search(rb"<!(doctype|entity)", data, re.IGNORECASE):
        raise PictureError("The SVG picture declares a DTD or entities; it was not kept.")
    tag_match = _SVG_TAG.search(data[:65536])
    if tag_match is None:
        raise PictureError("The SVG picture has no <svg> element.")
    tag = tag_match.group(0)
    width, height = _svg_length(tag, b"width"), _svg_length(tag, b"height")
    box = re.search(rb"""\sviewBox\s*=\s*["']([^"']*)["']""", tag)
    if box and (width is None or height is None):
        parts = re.split(rb"[\s,]+", box.group(1).strip())
        try:
            box_w, box_h = float(parts[2]), float(parts[3])
        except (IndexError, ValueError):
            box_w = box_h = 0.0
        width = box_w if width is None else width
        height = box_h if height is None else height
    return int(abs(width or 0)), int(abs(height or 0))


def picture_size(data: bytes, content_type: str) -> tuple[int, int]:
    """(width, height) read from the header of a picture of `content_type` (see `sniff`)."""
    if content_type == "image/png":
        return png_size(data)
    if content_type == "image/jpeg":
        return _jpeg_size(data)
    if content_type == "image/gif":
        if len(data) < 10:
            raise PictureError("The GIF picture is truncated.")
        return struct.unpack("<HH", data[6:10])
    if content_type == "image/webp":
        return _webp_size(data)
    if content_type == "image/svg+xml":
        return _svg_size(data)
    raise PictureError(f"Pictures of type {content_type} are not kept.")


def check_picture(data: bytes) -> str:
    """The content type of a picture that is safe to keep and decode, else PictureError
    (PictureTooLargeError for one over MAX_PICTURE_SIDE a side or MAX_PICTURE_PIXELS)."""
    if len(data) > MAX_PICTURE_BYTES:
        raise PictureTooLargeError(
            f"The picture is {len(data)} bytes; pictures are at most {MAX_PICTURE_BYTES}."
        )
    ctype = sniff(data)
    if ctype is None:
        raise PictureError("The picture is in an unknown format.")
    width, height = picture_size(data, ctype)
    if png.too_large(width, height):
        raise PictureTooLargeError(png.too_large_message(width, height))
    if ctype != "image/svg+xml" and (width == 0 or height == 0):
        raise PictureError("The picture is malformed (zero width or height).")
    if ctype == "image/png":
        _png_complete(data)
    return ctype


def decode_data_url(url: str) -> bytes | None:
    """The bytes of a base64 `data:` URL, or None when it is not one we can read."""
    m = re.match(r"^data:([\w/+.-]*)(;[\w=-]+)*?(;base64)?,(.*)$", url, re.DOTALL)
    if not m or not m.group(3):
        return None
    try:
        return base64.b64decode(m.group(4), validate=False)
    except (binascii.Error, ValueError):
        return None


# --- the board set's pictures folder ------------------------------------------------------------


def content_name(data: bytes, content_type: str) -> str:
    """`images/<sha256><ext>`: the relative path `Cell.image` holds for these bytes."""
    digest = hashlib.sha256(data).hexdigest()
    return f"{PICTURES_DIR}/{digest}{EXTENSIONS[content_type]}"


def is_content_name(rel: str) -> bool:
    return bool(_CONTENT_NAME.match(rel))


def picture_path(base_dir: Path, rel: str) -> Path | None:
    """The file a cell's `image` names, if it stays inside `base_dir` and exists (for the UI)."""
    parts = PurePosixPath(rel).parts
    if not rel or "\\" in rel or PurePosixPath(rel).is_absolute() or ".." in parts:
        return None
    root = Path(base_dir).resolve()
    candidate = (root / rel).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def store_picture(base_dir: Path, data: bytes, content_type: str) -> tuple[str, bool]:
    """Write `data` under its content-addressed name in `base_dir/images/`. Returns the relative
    path for `Cell.image` and whether a file was created. Never replaces an existing file:
    identical bytes already there are reused; another file holding the name keeps it, and
    `<sha>-2<ext>`... is used instead."""
    first = content_name(data, content_type)
    stem, ext = first.rsplit(".", 1)
    folder = Path(base_dir) / PICTURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 100):
        rel = first if n == 1 else f"{stem}-{n}.{ext}"
        target = Path(base_dir) / rel
        if target.is_symlink():
            continue  # not ours to follow or replace
        if _holds(target, data):
            return rel, False
        if target.exists():
            log.warning("%s holds other bytes than its name says; left untouched", target)
            continue
        if _create(target, data):
            return rel, True
        if _holds(target, data):  # another writer created the same picture just now
            return rel, False
    raise PictureError(f"No free name for a picture in {folder}.")


def _holds(path: Path, data: bytes) -> bool:
    try:
        if not path.is_file() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _create(target: Path, data: bytes) -> bool:
    """Create `target` with `data` atomically, only if it does not exist (False if it does)."""
    # Hidden `.name.<random>.tmp`: the temp-file pattern app.core.files cleans up after a kill.
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, target)  # fails if target exists: no window to overwrite anything
        except FileExistsError:
            return False
        except OSError:
            # A filesystem without hard links (FAT, some shares): check, then rename.
            if target.exists():
                return False
            os.replace(tmp, target)
        return True
    finally:
        tmp.unlink(missing_ok=True)
