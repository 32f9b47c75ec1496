"""What Open Board Format says, shared by import and export: names, actions, colours.

OBF (https://www.openboardformat.org): `.obf` is one board as JSON; `.obz` is a zip holding
`manifest.json`, `boards/*.obf` and `images/*`. Fields named `ext_<vendor>_*` are reserved for
extensions; ours (`ext_pictovoz_*`) carry what OBF has no field for.
"""

from __future__ import annotations

import colorsys
import re
from typing import Any

from app.boards.model import Action, BoardError, Category, slug

OBF_FORMAT = "open-board-0.1"
EXT = "ext_pictovoz_"

ARASAAC_LICENSE = {
    "type": "CC BY-NC-SA",
    "copyright_notice_url": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "source_url": "https://arasaac.org",
    "author_name": "Sergio Palao (ARASAAC, Gobierno de Aragón)",
    "author_url": "https://arasaac.org",
}

OBF_ACTIONS = {
    ":speak": Action.SPEAK,
    ":clear": Action.CLEAR,
    ":backspace": Action.BACKSPACE,
    ":home": Action.HOME,
}
ACTION_TO_OBF = {v: k for k, v in OBF_ACTIONS.items()}


class ObfError(BoardError):
    """The file cannot be imported (or exported); the message says why."""


def file_id(board_id: str) -> str:
    """The file name stem of a board inside a package."""
    return slug(board_id) or "board"


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


def darker(colour: str, factor: float = 0.7) -> str:
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
