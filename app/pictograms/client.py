"""ARASAAC HTTP client: search, metadata and PNG images, with timeouts, retries and clear errors.

The API is public and read-only. Every call goes through one `requests.Session` (connection reuse)
with a urllib3 `Retry` that backs off on 429/5xx and connection errors. Read timeouts are not
retried: a server that hangs should cost one timeout, not several. Callers that must never wait
(the UI) go through `PictogramCache`, which answers from disk and remembers when we are offline.
"""

from __future__ import annotations

import json
import logging
import re
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.arasaac.org/api"
LOCALES = ("es", "en")
USER_AGENT = "PictoVoz/0.1 (offline AAC communicator)"

# Seconds: (connect, read). Short on purpose; the cache remembers failures so they are paid once.
DEFAULT_TIMEOUT = (3.0, 8.0)
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # a 2500 px ARASAAC PNG is well under 1 MB
MAX_JSON_BYTES = 16 * 1024 * 1024
# A server asking us to wait longer than this (Retry-After) is treated as unavailable.
MAX_RETRY_AFTER = 10.0

ATTRIBUTION = (
    "Pictographic symbols: Sergio Palao. Origin: ARASAAC (https://arasaac.org). "
    "Licence: CC BY-NC-SA 4.0. Owner: Gobierno de Aragón (Spain)."
)
LICENCE_URL = "https://creativecommons.org/licenses/by-nc-sa/4.0/"


class KeywordType(IntEnum):
    """ARASAAC's `keywords[].type` codes (its Fitzgerald-style word classes)."""

    PROPER_NOUN = 1
    NOUN = 2
    VERB = 3
    DESCRIPTOR = 4
    SOCIAL = 5
    MISC = 6


# --- errors -------------------------------------------------------------------------------------


class ArasaacError(Exception):
    """Anything that kept us from getting a pictogram; the message is fit to show a caregiver."""


class ArasaacUnavailable(ArasaacError):
    """The server could not be reached (no network, DNS, refused, timed out)."""


class ArasaacOffline(ArasaacUnavailable):
    """We recently failed to reach the server and are not trying again yet."""


class ArasaacHTTPError(ArasaacError):
    def __init__(self, message: str, status: int, url: str) -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class ArasaacNotFound(ArasaacHTTPError):
    """404: no such pictogram."""


class ArasaacBadResponse(ArasaacError):
    """The server answered 200 with something we cannot use (HTML, bad JSON, broken PNG)."""


# --- data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PictogramKeyword:
    keyword: str
    type: int | None = None
    plural: str = ""


@dataclass(frozen=True)
class Pictogram:
    """The part of ARASAAC's pictogram JSON the app uses."""

    id: int
    keywords: tuple[PictogramKeyword, ...] = ()
    aac: bool = False
    aac_color: bool = False
    schematic: bool = False
    sex: bool = False
    violence: bool = False
    skin: bool = False  # the pictogram shows skin that can be recoloured
    hair: bool = False
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.keywords[0].keyword if self.keywords else str(self.id)

    @classmethod
    def from_json(cls, data: Any) -> Pictogram:
        if not isinstance(data, dict):
            raise ArasaacBadResponse("A pictogram entry is not a JSON object.")
        raw_id = data.get("_id", data.get("id"))
        if isinstance(raw_id, bool) or not isinstance(raw_id, int | str):
            raise ArasaacBadResponse(f"A pictogram entry has no usable id: {raw_id!r}.")
        try:
            pid = int(raw_id)
        except ValueError:
            raise ArasaacBadResponse(f"A pictogram entry has no usable id: {raw_id!r}.") from None
        keywords = []
        for kw in data.get("keywords") or []:
            if isinstance(kw, dict) and isinstance(kw.get("keyword"), str):
                ktype = kw.get("type")
                keywords.append(
                    PictogramKeyword(
                        keyword=kw["keyword"],
                        type=ktype
                        if isinstance(ktype, int) and not isinstance(ktype, bool)
                        else None,
                        plural=kw.get("plural") if isinstance(kw.get("plural"), str) else "",
                    )
                )

        def flag(name: str) -> bool:
            return data.get(name) is True

        def strings(name: str) -> tuple[str, ...]:
            return tuple(s for s in data.get(name) or [] if isinstance(s, str))

        return cls(
            id=pid,
            keywords=tuple(keywords),
            aac=flag("aac"),
            aac_color=flag("aacColor"),
            schematic=flag("schematic"),
            sex=flag("sex"),
            violence=flag("violence"),
            skin=flag("skin"),
            hair=flag("hair"),
            categories=strings("categories"),
            tags=strings("tags"),
        )

    def to_json(self) -> dict[str, Any]:
        """The same shape as the API (a subset), so cached files read back with `from_json`."""
        return {
            "_id": self.id,
            "keywords": [
                {"keyword": k.keyword, "type": k.type, "plural": k.plural} for k in self.keywords
            ],
            "aac": self.aac,
            "aacColor": self.aac_color,
            "schematic": self.schematic,
            "sex": self.sex,
            "violence": self.violence,
            "skin": self.skin,
            "hair": self.hair,
            "categories": list(self.categories),
            "tags": list(self.tags),
        }


SKIN_COLOURS = ("white", "black", "assian", "mulatto", "aztec")  # the API's own spelling
HAIR_COLOURS = ("blonde", "brown", "darkBrown", "gray", "darkGray", "red", "black")
ACTIONS = ("past", "future")
RESOLUTIONS = (500, 2500)


@dataclass(frozen=True)
class ImageOptions:
    """How a pictogram is drawn: the `/pictograms/{id}` PNG endpoint's query options."""

    plural: bool = False
    action: str | None = None  # "past" / "future" adds the tense mark to a verb
    color: bool = True  # False: black and white
    skin: str | None = None
    hair: str | None = None
    resolution: int = 500

    def __post_init__(self) -> None:
        # Validated here because the values also name cache files.
        if self.action is not None and self.action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, not {self.action!r}")
        if self.skin is not None and self.skin not in SKIN_COLOURS:
            raise ValueError(f"skin must be one of {SKIN_COLOURS}, not {self.skin!r}")
        if self.hair is not None and self.hair not in HAIR_COLOURS:
            raise ValueError(f"hair must be one of {HAIR_COLOURS}, not {self.hair!r}")
        if self.resolution not in RESOLUTIONS:
            raise ValueError(f"resolution must be one of {RESOLUTIONS}, not {self.resolution!r}")

    def params(self) -> dict[str, str]:
        params: dict[str, str] = {"resolution": str(self.resolution)}
        if self.plural:
            params["plural"] = "true"
        if not self.color:
            params["color"] = "false"
        if self.action:
            params["action"] = self.action
        if self.skin:
            params["skin"] = self.skin
        if self.hair:
            params["hair"] = self.hair
        return params

    @property
    def variant(self) -> str:
        """A short file-name-safe name for this combination (e.g. `500_plural_nocolor`)."""
        parts = [str(self.resolution)]
        if self.plural:
            parts.append("plural")
        if not self.color:
            parts.append("nocolor")
        if self.action:
            parts.append(f"action-{self.action}")
        if self.skin:
            parts.append(f"skin-{self.skin}")
        if self.hair:
            parts.append(f"hair-{self.hair}")
        return "_".join(parts)


# --- PNG checks ---------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_png(data: bytes) -> None:
    """Raise ArasaacBadResponse unless `data` is a complete PNG (walks the chunks, checks CRCs).

    A truncated download keeps its signature, so the chunk walk up to IEND is what catches it.
    """
    if not data.startswith(PNG_SIGNATURE):
        head = data[:40].decode("latin-1", "replace").strip()
        raise ArasaacBadResponse(f"Expected a PNG image, got something else ({head!r}...).")
    pos = len(PNG_SIGNATURE)
    first = True
    while True:
        if pos + 8 > len(data):
            raise ArasaacBadResponse("The PNG image is truncated (download cut short).")
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 8 + length + 4
        if end > len(data):
            raise ArasaacBadResponse("The PNG image is truncated (download cut short).")
        if first and ctype != b"IHDR":
            raise ArasaacBadResponse("The PNG image is malformed (no header chunk).")
        first = False
        body = data[pos + 4 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : end])
        if zlib.crc32(body) & 0xFFFFFFFF != crc:
            raise ArasaacBadResponse("The PNG image is corrupt (checksum mismatch).")
        pos = end
        if ctype == b"IEND":
            return


# --- ranking ------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def rank_results(
    results: Iterable[Pictogram], text: str, kind: int | None = None
) -> list[Pictogram]:
    """Order search results for a board cell: exact keyword first, then AAC-style pictograms
    (`aac: true`), then the keyword type that fits the cell; the server's order breaks ties."""
    wanted = _norm(text)

    def score(item: tuple[int, Pictogram]) -> tuple[int, ...]:
        index, p = item
        exact = [k for k in p.keywords if _norm(k.keyword) == wanted]
        exact_type = kind is not None and any(k.type == kind for k in exact)
        any_type = kind is not None and any(k.type == kind for k in p.keywords)
        first_is_exact = bool(p.keywords) and _norm(p.keywords[0].keyword) == wanted
        return (
            -int(bool(exact)),
            -int(exact_type),
            -int(p.aac),
            -int(any_type),
            -int(first_is_exact),
            int(p.violence),
            index,
        )

    return [p for _, p in sorted(enumerate(results), key=score)]


def best_match(
    results: Sequence[Pictogram], text: str, kind: int | None = None
) -> Pictogram | None:
    ranked = rank_results(results, text, kind)
    return ranked[0] if ranked else None


# --- client -------------------------------------------------------------------------------------


class _CappedRetry(Retry):
    """Retry policy: honour Retry-After but never sleep for minutes because a server asked us
    to; retry a dropped keep-alive connection once, but never a read timeout, which already
    cost a full timeout (a hanging server must cost the user one wait, not three)."""

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, MAX_RETRY_AFTER)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        if isinstance(error, ReadTimeoutError):
            raise MaxRetryError(_pool, url or "", error) from error
        return super().increment(method, url, response, error, _pool, _stacktrace)


def make_session(retries: int = 2, backoff: float = 0.3) -> requests.Session:
    retry = _CappedRetry(
        total=retries,
        connect=retries,
        read=1,  # a connection the server dropped; read timeouts are refused in increment()
        status=retries,
        other=0,
        backoff_factor=backoff,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,  # the last response comes back and we raise our own error
        respect_retry_after_header=True,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=8)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


@dataclass
class ArasaacClient:
    """Talks to the ARASAAC API. Thread-safe enough for a few worker threads (one Session)."""

    base_url: str = DEFAULT_API_BASE
    timeout: tuple[float, float] | float = DEFAULT_TIMEOUT
    retries: int = 2
    backoff: float = 0.3
    session: requests.Session | None = None
    _session: requests.Session = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self._session = self.session or make_session(self.retries, self.backoff)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> ArasaacClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- endpoints --

    def search(self, text: str, lang: str, *, best: bool = False) -> list[Pictogram]:
        """`/pictograms/{locale}/search/{text}` (or `bestsearch`). No results is an empty list."""
        text = " ".join(str(text).split())
        if not text:
            return []
        kind = "bestsearch" if best else "search"
        url = f"{self.base_url}/pictograms/{_locale(lang)}/{kind}/{quote(text, safe='')}"
        try:
            data = self._get_json(url)
        except ArasaacNotFound:
            return []  # the API answers 404 when nothing matches
        if not isinstance(data, list):
            raise ArasaacBadResponse(f"Search for {text!r} did not return a list of pictograms.")
        results = []
        for entry in data:
            try:
                results.append(Pictogram.from_json(entry))
            except ArasaacBadResponse as exc:
                log.debug("Skipping a search result: %s", exc)
        return results

    def pictogram(self, pictogram_id: int, lang: str) -> Pictogram:
        """`/pictograms/{locale}/{id}`: keywords and flags of one pictogram."""
        url = f"{self.base_url}/pictograms/{_locale(lang)}/{_pid(pictogram_id)}"
        return Pictogram.from_json(self._get_json(url))

    def image(self, pictogram_id: int, options: ImageOptions | None = None) -> bytes:
        """`/pictograms/{id}` PNG with the given options; raises unless it is a complete PNG."""
        options = options or ImageOptions()
        url = f"{self.base_url}/pictograms/{_pid(pictogram_id)}"
        data = self._get(url, options.params(), MAX_IMAGE_BYTES, "image")
        check_png(data)
        return data

    # -- plumbing --

    def _get_json(self, url: str) -> Any:
        data = self._get(url, None, MAX_JSON_BYTES, "json")
        try:
            return _loads(data)
        except ValueError:
            head = data[:60].decode("utf-8", "replace").strip()
            raise ArasaacBadResponse(
                f"The pictogram server sent something that is not JSON ({head!r}...)."
            ) from None

    def _get(self, url: str, params: dict[str, str] | None, limit: int, expect: str) -> bytes:
        accept = "image/png" if expect == "image" else "application/json"
        try:
            with self._session.get(
                url, params=params, timeout=self.timeout, stream=True, headers={"Accept": accept}
            ) as resp:
                if resp.status_code >= 400:
                    _raise_for_status(resp, url)
                declared = resp.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise ArasaacBadResponse(f"The server sent {declared} bytes; too large.")
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise ArasaacBadResponse(f"The server sent more than {limit} bytes.")
                    chunks.append(chunk)
                return b"".join(chunks)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ArasaacUnavailable(
                f"The pictogram server cannot be reached ({_network_reason(exc)})."
            ) from exc
        except requests.exceptions.RetryError as exc:
            raise ArasaacUnavailable(f"The pictogram server keeps failing ({_why(exc)}).") from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise ArasaacBadResponse("The download was cut short.") from exc
        except requests.RequestException as exc:
            raise ArasaacError(f"Request to the pictogram server failed ({_why(exc)}).") from exc


def _raise_for_status(resp: requests.Response, url: str) -> None:
    status = resp.status_code
    if status == 404:
        raise ArasaacNotFound(f"Not found on the pictogram server ({url}).", status, url)
    if status == 429:
        raise ArasaacHTTPError("The pictogram server is busy (too many requests).", status, url)
    if status >= 500:
        raise ArasaacHTTPError(f"The pictogram server had an error (HTTP {status}).", status, url)
    raise ArasaacHTTPError(
        f"The pictogram server refused the request (HTTP {status}).", status, url
    )


def _loads(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(str(exc)) from None


def _network_reason(exc: BaseException) -> str:
    """A short reason a caregiver can act on, instead of urllib3's nested repr."""
    text = str(exc)
    if isinstance(exc, requests.Timeout) or "timed out" in text.lower():
        return "no answer in time"
    if any(s in text for s in ("NameResolution", "getaddrinfo", "Name or service", "nodename")):
        return "the server name could not be looked up; is the network on?"
    if "refused" in text.lower() or "NewConnectionError" in text:
        return "connection refused; is the network on?"
    if "aborted" in text.lower() or "RemoteDisconnected" in text or "reset" in text.lower():
        return "the connection was dropped"
    return _why(exc)


def _why(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) < 160 else text[:157] + "..."


def _locale(lang: str) -> str:
    value = str(lang).strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}", value):
        raise ValueError(f"Not a language code: {lang!r}")
    return value


def _pid(pictogram_id: int) -> int:
    if isinstance(pictogram_id, bool) or int(pictogram_id) <= 0:
        raise ValueError(f"Not a pictogram id: {pictogram_id!r}")
    return int(pictogram_id)
