"""Facts about ARASAAC's public URLs shared by the pictogram client and board import/export
(which must not import each other)."""

from __future__ import annotations

import re

STATIC_BASE = "https://static.arasaac.org/pictograms"


def static_url(pictogram_id: int, resolution: int = 500) -> str:
    """The plain image on ARASAAC's static server (what exported boards link to)."""
    return f"{STATIC_BASE}/{int(pictogram_id)}/{int(pictogram_id)}_{int(resolution)}.png"


_STATIC_RE = re.compile(r"^https?://static\.arasaac\.org/pictograms/(\d+)/\1_[\w-]*\.png$")


def pictogram_id_from_url(url: str) -> int | None:
    """The ARASAAC id in a static image URL, or None (used when importing boards)."""
    m = _STATIC_RE.match(url.strip())
    return int(m.group(1)) if m else None
