"""PNG facts and the one picture-size limit, shared by the ARASAAC client (downloads) and board
import (pictures that come with a board), which must not import each other.

Everything here reads the header and the chunk list; nothing decodes pixels, so a picture bomb
(a 15 KB file declaring 7900x7900) costs nothing to refuse."""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
# ARASAAC's largest pictograms are 2500 px; nothing a tile shows needs more.
MAX_SIDE = 2500
MAX_PIXELS = 2500 * 2500


class PngError(ValueError):
    """Not a PNG, or a damaged one; the message says which, in words for a user."""


def too_large(width: int, height: int) -> bool:
    return width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS


def too_large_message(width: int, height: int) -> str:
    return f"The picture is too large ({width}x{height} pixels; at most {MAX_SIDE}x{MAX_SIDE})."


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk: 24 bytes read."""
    if not data.startswith(SIGNATURE):
        head = data[:40].decode("latin-1", "replace").strip()
        raise PngError(f"Expected a PNG image, got something else ({head!r}...).")
    if len(data) < 33:
        raise PngError("The PNG image is truncated.")
    length, ctype, width, height = struct.unpack(">I4sII", data[8:24])
    if ctype != b"IHDR" or length != 13:
        raise PngError("The PNG image is malformed (no header chunk).")
    return width, height


def check_complete(data: bytes) -> None:
    """Walk the chunks to IEND checking each CRC: a truncated download keeps its signature, so
    this is what catches it."""
    pos = len(SIGNATURE)
    while True:
        if pos + 8 > len(data):
            raise PngError("The PNG image is truncated.")
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise PngError("The PNG image is truncated.")
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(data[pos + 4 : end - 4]) & 0xFFFFFFFF != crc:
            raise PngError("The PNG image is corrupt (checksum mismatch).")
        if ctype == b"IEND":
            return
        pos = end


def check_png(data: bytes) -> tuple[int, int]:
    """A complete PNG of a size we can show, else PngError; returns its size."""
    width, height = png_size(data)
    if width == 0 or height == 0:
        raise PngError("The PNG image is malformed (zero width or height).")
    if too_large(width, height):
        raise PngError(too_large_message(width, height))
    check_complete(data)
    return width, height
