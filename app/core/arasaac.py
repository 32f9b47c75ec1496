"""Facts about ARASAAC shared by the pictogram client and board import/export (which must not
import each other): its static image URLs, the ids and locales it accepts, its attribution."""

from __future__ import annotations

import re

STATIC_BASE = "https://static.arasaac.org/pictograms"

# ARASAAC's ids are small positive integers (about 40,000 in 2025). The bound is generous and
# exists so that an id from a server, a board file or a URL can never be -5 or 10**30.
MAX_PICTOGRAM_ID = 10**7

# The locales ARASAAC's API accepts (Arasaac/public-api, src/utils/languages.js, the longest of
# its versions: the OpenAPI enum lags behind it); any other answers HTTP 400. `val` is Valencian,
# `br` Brazilian Portuguese.
LOCALES = (
    "an", "ar", "bg", "br", "ca", "cs", "da", "de", "el", "en", "es", "et", "eu", "fa", "fr",
    "gl", "he", "hi", "hr", "hu", "is", "it", "ko", "lt", "lv", "mk", "nb", "nl", "pl", "pt",
    "ro", "ru", "sk", "sq", "sr", "sv", "tr", "uk", "val", "zh",
)  # fmt: skip

# ARASAAC's short attribution, verbatim (arasaac.org, "Terms of use").
ATTRIBUTIONS = {
    "en": "Pictograms author: Sergio Palao. Origin: ARASAAC (https://arasaac.org). "
    "License: CC (BY-NC-SA). Owner: Government of Aragon (Spain).",
    "es": "Autor pictogramas: Sergio Palao. Origen: ARASAAC (https://arasaac.org). "
    "Licencia: CC (BY-NC-SA). Propiedad: Gobierno de Aragón (España).",
}
LICENCE_URL = "https://creativecommons.org/licenses/by-nc-sa/4.0/"


def attribution(lang: str) -> str:
    """ARASAAC's attribution in `lang` (English for languages ARASAAC gives no wording in)."""
    return ATTRIBUTIONS.get(str(lang).strip().lower(), ATTRIBUTIONS["en"])


class UnsupportedLanguage(ValueError):
    """A language ARASAAC has no pictogram keywords in."""


def check_locale(lang: object) -> str:
    """The ARASAAC locale for `lang` ("ES " -> "es"), or UnsupportedLanguage saying which exist."""
    value = str(lang).strip().lower()
    if value not in LOCALES:
        raise UnsupportedLanguage(
            f"ARASAAC has no pictograms in the language {str(lang)[:20]!r}; "
            f"it offers: {', '.join(sorted(LOCALES))}."
        )
    return value


def valid_pictogram_id(value: object) -> int | None:
    """`value` as an ARASAAC id (a positive int below MAX_PICTOGRAM_ID, or its digits), else None.
    Booleans and floats are refused: JSON `true` or `2.5` is no id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 8:
            return None
        value = int(text)
    if not isinstance(value, int):
        return None
    return value if 0 < value < MAX_PICTOGRAM_ID else None


def check_pictogram_id(value: object) -> int:
    """Like `valid_pictogram_id`, raising ValueError for anything that is not an id."""
    pid = valid_pictogram_id(value)
    if pid is None:
        raise ValueError(f"Not an ARASAAC pictogram id: {str(value)[:40]!r}")
    return pid


def static_url(pictogram_id: int, resolution: int = 500, base: str = STATIC_BASE) -> str:
    """The plain image on ARASAAC's static server (what exported boards link to)."""
    pid = check_pictogram_id(pictogram_id)
    return f"{base.rstrip('/')}/{pid}/{pid}_{int(resolution)}.png"


_STATIC_RE = re.compile(r"^https?://static\.arasaac\.org/pictograms/(\d{1,8})/\1_[\w-]*\.png$")


def pictogram_id_from_url(url: str) -> int | None:
    """The ARASAAC id in a static image URL, or None (used when importing boards)."""
    m = _STATIC_RE.match(url.strip())
    return valid_pictogram_id(m.group(1)) if m else None
