"""ARASAAC HTTP client: search, metadata and PNG images, with timeouts, retries and clear errors.

The API is public and read-only. Every call goes through one `requests.Session` (connection reuse)
with a urllib3 `Retry` that backs off on 429/5xx and connection errors. Read timeouts are not
retried: a server that hangs should cost one timeout, not several. Each request also has an
overall deadline (a watchdog hangs up on a server that trickles bytes), follows redirects only
on the same host, and is cut at once by `close()`. Plain images come from ARASAAC's static
server. Callers that must never wait (the UI) go through `PictogramCache`, which answers from
disk and remembers when we are offline.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from enum import IntEnum
from importlib import metadata
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

from app import __version__
from app.core import png
from app.core.arasaac import (
    ATTRIBUTIONS,
    STATIC_BASE,
    UnsupportedLanguage,
    check_locale,
    check_pictogram_id,
    static_url,
    valid_pictogram_id,
)
from app.core.arasaac import LICENCE_URL as LICENCE_URL  # re-exported for the UI
from app.core.arasaac import LOCALES as LOCALES
from app.core.arasaac import MAX_PICTOGRAM_ID as MAX_PICTOGRAM_ID
from app.core.arasaac import attribution as attribution

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.arasaac.org/api"
DEFAULT_STATIC_BASE = STATIC_BASE
# Used when the installed package names no home page of its own (pyproject [project.urls]).
PROJECT_URL = "https://github.com/pictovoz/pictovoz"

# Seconds: (connect, read). Short on purpose; the cache remembers failures so they are paid once.
DEFAULT_TIMEOUT = (3.0, 8.0)
# Seconds for a whole request (connect, redirects, headers and body): a server sending one byte
# a second never trips the read timeout, so only this bounds it.
DEFAULT_DEADLINE = 20.0
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # a 2500 px ARASAAC PNG is well under 1 MB
MAX_JSON_BYTES = 16 * 1024 * 1024
# A server asking us to wait longer than this (Retry-After) is treated as unavailable.
MAX_RETRY_AFTER = 10.0
MAX_REDIRECTS = 5
# Pictures larger than ARASAAC's biggest (2500 px) are refused before anything decodes them
# (app/core/png.py): a 20000x20000 PNG is a few KB on the wire and gigabytes in memory.

# Kept for the UI: the attribution per language ({"es": ..., "en": ...}); see `attribution()`.
ATTRIBUTION = ATTRIBUTIONS


def _project_url() -> str:
    try:
        meta = metadata.metadata("pictovoz")
    except metadata.PackageNotFoundError:
        return PROJECT_URL
    for entry in meta.get_all("Project-URL") or []:
        _label, _, url = entry.partition(",")
        if url.strip().startswith("http"):
            return url.strip()
    home = meta.get("Home-page")
    return home if home and home.startswith("http") else PROJECT_URL


USER_AGENT = f"PictoVoz/{__version__} (+{_project_url()}; offline AAC communicator)"


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
    """The server could not be reached (no network, DNS, refused, connection timed out)."""


class ArasaacOffline(ArasaacUnavailable):
    """We recently failed to reach the server and are not trying again yet."""


class ArasaacTimeout(ArasaacError):
    """The server was reached but did not finish answering in time (read timeout or the
    request's deadline). One slow answer says little about the next, so this is not
    ArasaacUnavailable: the cache does not go offline for it alone."""


class ArasaacCancelled(ArasaacError):
    """The request was cut because the client was closed (the app is closing)."""


class ArasaacHTTPError(ArasaacError):
    def __init__(self, message: str, status: int, url: str) -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class ArasaacNotFound(ArasaacHTTPError):
    """No such pictogram: 404, or 500 from the image endpoint (how ARASAAC says it)."""


class ArasaacUnsupportedLanguage(ArasaacError, UnsupportedLanguage):
    """A language outside ARASAAC's locales (also a ValueError: it is the caller's input)."""


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
        pid = valid_pictogram_id(raw_id)
        if pid is None:
            raise ArasaacBadResponse(f"A pictogram entry has no usable id: {str(raw_id)[:40]!r}.")
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
    def is_plain(self) -> bool:
        """The default drawing, which ARASAAC's static server has pre-rendered."""
        return self == ImageOptions(resolution=self.resolution)

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


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header, without decoding it (ArasaacBadResponse if none)."""
    try:
        return png.png_size(data)
    except png.PngError as exc:
        raise ArasaacBadResponse(str(exc)) from None


def check_png(data: bytes) -> None:
    """Raise ArasaacBadResponse unless `data` is a complete PNG of a size we can show (the size
    from the header, before anything decodes the pixels; then every chunk's CRC)."""
    try:
        png.check_png(data)
    except png.PngError as exc:
        raise ArasaacBadResponse(str(exc)) from None


# --- ranking ------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """How ARASAAC compares keywords: case, accents and spacing ignored ("Tú " == "tu")."""
    decomposed = unicodedata.normalize("NFD", str(text).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def is_exact(pictogram: Pictogram, text: str) -> bool:
    """True when one of the pictogram's keywords, or its plural, is `text` (folded)."""
    wanted = fold(text)
    return bool(wanted) and any(
        fold(k.keyword) == wanted or (k.plural and fold(k.plural) == wanted)
        for k in pictogram.keywords
    )


def exact_matches(results: Iterable[Pictogram], text: str) -> list[Pictogram]:
    """The results that match `text` exactly; `search` also answers related pictures ("grape"
    finds "grape juice"), which must never be taken for the word itself."""
    return [p for p in results if is_exact(p, text)]


def rank_results(
    results: Iterable[Pictogram], text: str, kind: int | None = None
) -> list[Pictogram]:
    """Order search results for a board cell: exact keyword first, then AAC-style pictograms
    (`aac: true`), then the keyword type that fits the cell; the server's order breaks ties."""
    wanted = fold(text)

    def score(item: tuple[int, Pictogram]) -> tuple[int, ...]:
        index, p = item
        exact = [
            k for k in p.keywords if wanted in (fold(k.keyword), fold(k.plural) if k.plural else "")
        ]
        exact_type = kind is not None and any(k.type == kind for k in exact)
        any_type = kind is not None and any(k.type == kind for k in p.keywords)
        first_is_exact = bool(p.keywords) and fold(p.keywords[0].keyword) == wanted
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


# --- deadlines and cancelling ------------------------------------------------------------------

_current = threading.local()  # the _Watch of the request this thread is making


class _Watch:
    """One request's deadline and cancel switch. When either fires it hangs up the request's
    socket, which wakes a thread blocked in connect/recv at once (a read timeout alone restarts
    with every byte, so a trickling server could hold a request for minutes)."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.why: str | None = None  # "deadline" or "cancelled" once fired
        self._conn: HTTPConnection | None = None
        self._lock = threading.Lock()
        self._fired = threading.Event()
        self._timer = threading.Timer(max(0.0, seconds), self.fire, args=("deadline",))
        self._timer.daemon = True

    @property
    def fired(self) -> bool:
        return self._fired.is_set()

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._conn = None

    def wait(self, seconds: float) -> None:
        """Sleep (a retry back-off) unless the watch fires first."""
        self._fired.wait(max(0.0, min(seconds, self.deadline - time.monotonic())))

    def attach(self, conn: HTTPConnection) -> None:
        with self._lock:
            self._conn = conn
        if self.fired:
            _hang_up(conn)

    def fire(self, why: str) -> None:
        with self._lock:
            if self.why is None:
                self.why = why
            self._fired.set()
            conn = self._conn
        if conn is not None:
            _hang_up(conn)


def _hang_up(conn: HTTPConnection) -> None:
    sock = getattr(conn, "sock", None)
    if sock is not None:
        # socket.socket.shutdown, not SSLSocket's: no TLS goodbye, just wake the reader.
        with suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watch_of_this_thread() -> _Watch | None:
    return getattr(_current, "watch", None)


class _WatchedConnectionMixin:
    """Lets the current request's watch reach the socket (connect and request run in the
    calling thread, so a thread-local finds the right watch)."""

    def connect(self) -> None:
        watch = _watch_of_this_thread()
        if watch is not None:
            watch.attach(self)  # type: ignore[arg-type]
            if watch.fired:
                raise ConnectionAbortedError(f"request stopped ({watch.why})")
        super().connect()  # type: ignore[misc]
        if watch is not None and watch.fired:
            _hang_up(self)  # type: ignore[arg-type]

    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = _watch_of_this_thread()
        if watch is not None:
            watch.attach(self)  # type: ignore[arg-type]
            if watch.fired:
                raise ConnectionAbortedError(f"request stopped ({watch.why})")
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_WatchedConnectionMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnectionMixin, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOL_CLASSES = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOL_CLASSES)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(_POOL_CLASSES)
        return manager


# --- client -------------------------------------------------------------------------------------

# The image endpoint (`/pictograms/{id}`): ARASAAC answers 500 there for an id it does not have.
_IMAGE_PATH = re.compile(r"/pictograms/\d+(?:\?|$)")


class _CappedRetry(Retry):
    """Retry policy: honour Retry-After but never sleep for minutes because a server asked us
    to; retry a dropped keep-alive connection once, but never a read timeout, which already
    cost a full timeout (a hanging server must cost the user one wait, not three); never retry
    the image endpoint's 500 (it means "no such pictogram") or a request whose deadline passed
    or that was cancelled."""

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
        watch = _watch_of_this_thread()
        if isinstance(error, ReadTimeoutError) or (watch is not None and watch.fired):
            raise MaxRetryError(_pool, url or "", error) from error
        if response is not None and response.status == 500 and _IMAGE_PATH.search(url or ""):
            raise MaxRetryError(_pool, url or "", error)  # the 500 response comes back as is
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: Any = None) -> None:
        watch = _watch_of_this_thread()
        if watch is None:
            super().sleep(response)
            return
        delay = self.get_retry_after(response) if response is not None else None
        watch.wait(self.get_backoff_time() if delay is None else delay)


def make_session(retries: int = 2, backoff: float = 0.3) -> requests.Session:
    retry = _CappedRetry(
        total=retries,
        connect=retries,
        read=1,  # a connection the server dropped; read timeouts are refused in increment()
        status=retries,
        other=0,
        redirect=0,  # redirects are followed by ArasaacClient, same host only
        backoff_factor=backoff,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,  # the last response comes back and we raise our own error
        respect_retry_after_header=True,
    )
    session = requests.Session()
    adapter = _WatchedAdapter(max_retries=retry, pool_connections=4, pool_maxsize=8)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


@dataclass
class ArasaacClient:
    """Talks to the ARASAAC API. Thread-safe enough for a few worker threads (one Session).

    `static_base`: where plain images come from; None means ARASAAC's static server when
    `base_url` is ARASAAC's own API, and the API itself otherwise (a test server, a mirror);
    "" turns it off. `deadline`: seconds a whole request may take, whatever the server does.
    """

    base_url: str = DEFAULT_API_BASE
    timeout: tuple[float, float] | float = DEFAULT_TIMEOUT
    retries: int = 2
    backoff: float = 0.3
    session: requests.Session | None = None
    static_base: str | None = None
    deadline: float = DEFAULT_DEADLINE
    _session: requests.Session = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if self.static_base is None:
            self.static_base = DEFAULT_STATIC_BASE if self.base_url == DEFAULT_API_BASE else ""
        self.static_base = self.static_base.rstrip("/")
        self._session = self.session or make_session(self.retries, self.backoff)
        self._closed = threading.Event()
        self._watches: set[_Watch] = set()
        self._watches_lock = threading.Lock()

    def cancel(self) -> None:
        """Cut every request in flight now (they raise ArasaacCancelled); later ones still run."""
        with self._watches_lock:
            watches = list(self._watches)
        for watch in watches:
            watch.fire("cancelled")

    def close(self) -> None:
        """Cut every request in flight and refuse new ones (the window is closing)."""
        self._closed.set()
        self.cancel()
        self._session.close()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def __enter__(self) -> ArasaacClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- endpoints --

    def search(self, text: str, lang: str, *, best: bool = False) -> list[Pictogram]:
        """`/pictograms/{locale}/search/{text}` (or `bestsearch`). No results is an empty list.
        Entries without a valid id are skipped."""
        locale = _locale(lang)
        text = " ".join(str(text).split())
        if not text:
            return []
        kind = "bestsearch" if best else "search"
        url = f"{self.base_url}/pictograms/{locale}/{kind}/{quote(text, safe='')}"
        try:
            data = self._get_json(url)
        except ArasaacNotFound:
            return []  # the API answers 404 (body `[]`) when nothing matches
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

    def image_url(self, pictogram_id: int, options: ImageOptions | None = None) -> str:
        """Where `image` fetches from (the static server for plain images when there is one)."""
        options = options or ImageOptions()
        pid = _pid(pictogram_id)
        if self.static_base and options.is_plain:
            return static_url(pid, options.resolution, base=self.static_base)
        return f"{self.base_url}/pictograms/{pid}"

    def image(self, pictogram_id: int, options: ImageOptions | None = None) -> bytes:
        """The PNG for an id; raises unless it is a complete PNG of a sane size. ArasaacNotFound
        when ARASAAC has no such pictogram (its image endpoint says so with a 500)."""
        options = options or ImageOptions()
        pid = _pid(pictogram_id)
        url = self.image_url(pid, options)
        static = not url.startswith(self.base_url + "/")
        try:
            data = self._get(url, None if static else options.params(), MAX_IMAGE_BYTES, "image")
        except ArasaacHTTPError as exc:
            if exc.status in (404, 500):
                raise ArasaacNotFound(
                    f"ARASAAC has no pictogram {pid} (HTTP {exc.status}).", exc.status, exc.url
                ) from None
            raise
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

    @contextmanager
    def _watched(self) -> Iterator[_Watch]:
        if self.closed:
            raise ArasaacCancelled("Pictogram downloads are stopped (the app is closing).")
        watch = _Watch(self.deadline)
        with self._watches_lock:
            self._watches.add(watch)
        _current.watch = watch
        watch.start()
        try:
            yield watch
        finally:
            watch.stop()
            _current.watch = None
            with self._watches_lock:
                self._watches.discard(watch)

    def _get(self, url: str, params: dict[str, str] | None, limit: int, expect: str) -> bytes:
        accept = "image/png" if expect == "image" else "application/json"
        with self._watched() as watch:
            try:
                return self._fetch(url, params, limit, accept, watch)
            except ArasaacError:
                if watch.fired:
                    raise _stopped(watch, url) from None
                raise
            except (requests.RequestException, OSError) as exc:
                if watch.fired:
                    raise _stopped(watch, url) from exc
                raise _translate(exc) from exc

    def _fetch(
        self, url: str, params: dict[str, str] | None, limit: int, accept: str, watch: _Watch
    ) -> bytes:
        origin = _origin(url)
        for _hop in range(MAX_REDIRECTS + 1):
            with self._session.get(
                url,
                params=params,
                timeout=self.timeout,
                stream=True,
                allow_redirects=False,
                headers={"Accept": accept},
            ) as resp:
                if resp.is_redirect:
                    target = urljoin(resp.url, resp.headers.get("Location", ""))
                    if _origin(target) != origin:
                        raise ArasaacBadResponse(
                            f"The pictogram server sent us to another address ({target[:80]}); "
                            "not followed."
                        )
                    url, params = target, None  # the Location carries its own query
                    continue
                if resp.status_code >= 400:
                    _raise_for_status(resp, url)
                declared = resp.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise ArasaacBadResponse(f"The server sent {declared} bytes; too large.")
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_content(64 * 1024):
                    if watch.fired:
                        break
                    size += len(chunk)
                    if size > limit:
                        raise ArasaacBadResponse(f"The server sent more than {limit} bytes.")
                    chunks.append(chunk)
                if watch.fired:  # the watchdog hung up: what arrived is not the answer
                    raise _stopped(watch, url)
                return b"".join(chunks)
        raise ArasaacBadResponse("The pictogram server redirected too many times.")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _stopped(watch: _Watch, url: str) -> ArasaacError:
    if watch.why == "cancelled":
        return ArasaacCancelled("The download was stopped (the app is closing).")
    return ArasaacTimeout(
        "The pictogram server did not finish answering in time (no answer in time)."
    )


def _translate(exc: BaseException) -> ArasaacError:
    if isinstance(exc, requests.ConnectTimeout):
        return ArasaacUnavailable(
            f"The pictogram server cannot be reached ({_network_reason(exc)})."
        )
    if isinstance(exc, requests.Timeout) or _timed_out(exc):
        return ArasaacTimeout(
            f"The pictogram server is too slow to answer ({_network_reason(exc)})."
        )
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return ArasaacBadResponse("The download was cut short.")
    if isinstance(exc, requests.ConnectionError | OSError):
        return ArasaacUnavailable(
            f"The pictogram server cannot be reached ({_network_reason(exc)})."
        )
    if isinstance(exc, requests.exceptions.RetryError):
        return ArasaacUnavailable(f"The pictogram server keeps failing ({_why(exc)}).")
    return ArasaacError(f"Request to the pictogram server failed ({_why(exc)}).")


def _timed_out(exc: BaseException) -> bool:
    """A read timeout wrapped in a ConnectionError (urllib3's MaxRetryError does that)."""
    text = str(exc)
    return "Read timed out" in text or "ReadTimeoutError" in text


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
    try:
        return check_locale(lang)
    except UnsupportedLanguage as exc:
        raise ArasaacUnsupportedLanguage(str(exc)) from None


def _pid(pictogram_id: int) -> int:
    return check_pictogram_id(pictogram_id)
