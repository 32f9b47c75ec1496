"""A local ARASAAC for tests: a real threaded HTTP server on 127.0.0.1 (port 0) that answers like
the real API (Arasaac/public-api: config/openapi_v1.yml, src/api/v1/controllers/pictograms.ts),
from ARASAAC's real data in ../shared/data/arasaac/ (read by path, never copied):

- English pictograms: `catalogue.en.jsonl` (id, keywords, tags); Spanish: the labels of ARASAAC's
  own Global-Core communicator (`global-core-communicator.es.tsv`, label -> id), the only Spanish
  label -> id facts there are; `/keywords/es` answers `keywords.es.txt`. Keyword types come from
  the communicator's colour category when the id is on it, else from the catalogue's tags; `aac`
  is true for the pictograms ARASAAC's communicator uses (the data has no such flag).
- `search` / `bestsearch` match a keyword or its plural ignoring case and accents ("tu" finds
  "tú"); `search` then falls back to word-level full-text search ("grape" finds "grape juice");
  no result: 404 with the body `[]`.
- `GET /api/pictograms/{id}`: a PNG; an unknown id answers 500; `resolution` only 500 or 2500;
  an unknown query parameter or value answers 400 (on every endpoint), as does an unknown locale.
- `GET /static/pictograms/{id}/{id}_{300|500|2500}.png`: the static server's plain images.
- Images are real PNGs drawn here: the pictogram id in large digits inside a frame (grey for
  `color=false`), so a screenshot shows which picture a cell got.

Tests can make it fail: 404, 500, 429, HTML instead of JSON, truncated or cut-off PNGs, answers
slower than the client's timeout, bodies trickled a byte at a time, redirects.

    with FakeArasaac() as server:
        client = ArasaacClient(server.base_url, static_base=server.static_base, timeout=0.5)
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import re
import socket
import struct
import threading
import time
import unicodedata
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "arasaac"

# Arasaac/public-api, src/utils/languages.js (the same list as app.core.arasaac.LOCALES, kept
# separate so the server checks the client instead of agreeing with it by construction).
LOCALES = frozenset(
    "an ar bg br ca cs da de el en es et eu fa fr gl he hi hr hu is it ko lt lv mk nb nl pl pt "
    "ro ru sk sq sr sv tr uk val zh".split()
)
# The image endpoint's query parameters (openapi_v1.yml) and the values each accepts
# (None: any string).
IMAGE_PARAMS: dict[str, frozenset[str] | None] = {
    "plural": frozenset({"true", "false"}),
    "color": frozenset({"true", "false"}),
    "backgroundColor": None,
    "action": frozenset({"past", "future"}),
    "resolution": frozenset({"500", "2500"}),
    "skin": frozenset({"white", "black", "assian", "mulatto", "aztec"}),
    "hair": frozenset({"blonde", "brown", "darkBrown", "gray", "darkGray", "red", "black"}),
    "url": frozenset({"true", "false"}),
    "download": frozenset({"true", "false"}),
    "identifier": frozenset({"classroom", "health", "library", "office"}),
    "identifierPosition": frozenset({"left", "right"}),
}
STATIC_RESOLUTIONS = (300, 500, 2500)
# MongoDB's text index drops these before matching (a few of its stop words per language).
STOP_WORDS = {
    "en": frozenset("a an and the of to in on for at by with is are be it or i".split()),
    "es": frozenset("a al de del el la las los lo un una unos unas y o en con por para".split()),
}
CATEGORY_TYPES = {  # AsTeRICS colour category -> ARASAAC keyword type
    "CC_VERB": 3,
    "CC_NOUN": 2,
    "CC_DESCRIPTOR": 4,
    "CC_SOCIAL_EXPRESSIONS": 5,
    "CC_PRONOUN_PERSON_NAME": 6,
}


# --- ARASAAC's data -------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case, accents and spacing ignored, like the server's collation ("Tú" == "tu")."""
    return _fold(str(text))


@functools.lru_cache(maxsize=200_000)
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@functools.lru_cache(maxsize=200_000)
def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.split(r"[^\w]+", _fold(text)) if w)


def _type_from_tags(tags: list[str]) -> int:
    if "verb" in tags:
        return 3
    if "adjective" in tags or "adverb" in tags:
        return 4
    if "pronoun" in tags:
        return 6
    return 2


@functools.cache
def _data() -> tuple[dict[str, list[tuple[int, tuple[tuple[str, int], ...]]]], dict[int, list]]:
    """(lang -> [(id, ((keyword, type), ...))] sorted by id, id -> tags), read once per run."""
    if not DATA_DIR.is_dir():
        raise FileNotFoundError(f"ARASAAC test data not found in {DATA_DIR}")
    tags: dict[int, list[str]] = {}
    english: list[tuple[int, list[str]]] = []
    with (DATA_DIR / "catalogue.en.jsonl").open(encoding="utf-8") as f:
        for line in f:
            entry = json.loads(line)
            tags[entry["id"]] = list(entry.get("tags") or [])
            english.append((entry["id"], list(entry["keywords"])))
    communicator_types: dict[str, dict[int, int]] = {}
    spanish: dict[int, list[tuple[str, int]]] = {}
    for lang in ("es", "en"):
        types: dict[int, int] = {}
        with (DATA_DIR / f"global-core-communicator.{lang}.tsv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                pid = int(row["pictogram_id"])
                kind = CATEGORY_TYPES.get(row["colour_category"], 6)
                types.setdefault(pid, kind)
                if lang == "es":
                    label = " ".join(row["label"].lower().split())
                    labels = spanish.setdefault(pid, [])
                    if label and label not in [k for k, _ in labels]:
                        labels.append((label, kind))
        communicator_types[lang] = types
    by_lang: dict[str, list[tuple[int, tuple[tuple[str, int], ...]]]] = {
        "en": [
            (
                pid,
                tuple(
                    (kw, communicator_types["en"].get(pid) or _type_from_tags(tags[pid]))
                    for kw in keywords
                ),
            )
            for pid, keywords in english
        ],
        "es": sorted((pid, tuple(labels)) for pid, labels in spanish.items()),
    }
    return by_lang, tags


@functools.cache
def aac_ids() -> frozenset[int]:
    ids: set[int] = set()
    for lang in ("es", "en"):
        with (DATA_DIR / f"global-core-communicator.{lang}.tsv").open(encoding="utf-8") as f:
            ids.update(int(row["pictogram_id"]) for row in csv.DictReader(f, delimiter="\t"))
    return frozenset(ids)


@functools.cache
def spanish_keywords() -> tuple[str, ...]:
    text = (DATA_DIR / "keywords.es.txt").read_text(encoding="utf-8")
    return tuple(line for line in text.splitlines() if line.strip())


def picto(
    pid: int,
    *keywords: tuple[str, int] | tuple[str, int, str],
    aac: bool = False,
    categories: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One pictogram in the API's JSON shape; a keyword is (keyword, type[, plural])."""
    return {
        "_id": pid,
        "available": True,
        "validated": True,
        "created": "2008-12-01T12:03:31.000Z",
        "downloads": 0,
        "tags": list(categories),
        "synsets": [],
        "sex": False,
        "lastUpdated": "2024-12-09T11:41:24.584Z",
        "schematic": False,
        "published": True,
        "keywords": [
            {
                "keyword": kw[0],
                "type": kw[1],
                "meaning": "",
                "plural": kw[2] if len(kw) > 2 else "",
                "hasLocution": False,
            }
            for kw in keywords
        ],
        "desc": "",
        "categories": list(categories),
        "violence": False,
        "hair": kind_is_verb(keywords),
        "skin": kind_is_verb(keywords),
        "aac": aac,
        "aacColor": aac,
    }


def kind_is_verb(keywords: tuple[tuple[Any, ...], ...]) -> bool:
    return any(kw[1] == 3 for kw in keywords)


def default_pictos() -> dict[str, list[dict[str, Any]]]:
    """Every pictogram of the shared data, per language, in the API's shape (a fresh copy:
    tests may add or change entries)."""
    by_lang, tags = _data()
    aac = aac_ids()
    return {
        lang: [
            picto(pid, *keywords, aac=pid in aac, categories=tuple(tags.get(pid, ())))
            for pid, keywords in entries
        ]
        for lang, entries in by_lang.items()
    }


def search(pictos: list[dict[str, Any]], text: str, *, best: bool) -> list[dict[str, Any]]:
    """The server's search: exact keyword or plural (folded); then, for `search` only, every
    pictogram sharing a word with the text, most shared words first."""
    wanted = fold(text)
    exact = [
        p
        for p in pictos
        if any(
            _fold(str(k.get("keyword", ""))) == wanted
            or (k.get("plural") and _fold(str(k["plural"])) == wanted)
            for k in p.get("keywords", [])
        )
    ]
    if exact or best:
        return exact
    words = _words(text)
    if not words:
        return []
    scored = []
    for p in pictos:
        keyword_words: set[str] = set()
        for k in p.get("keywords", []):
            keyword_words |= _words(str(k.get("keyword", "")))
            if k.get("plural"):
                keyword_words |= _words(str(k["plural"]))
        score = len(words & keyword_words)
        if score:
            scored.append((-score, len(scored), p))
    return [p for _, _, p in sorted(scored, key=lambda t: t[:2])]


# --- images --------------------------------------------------------------------------------------

# 3x5 digits: each row is three bits, left to right.
_GLYPHS = {
    "0": (7, 5, 5, 5, 7),
    "1": (2, 6, 2, 2, 7),
    "2": (7, 1, 7, 4, 7),
    "3": (7, 1, 7, 1, 7),
    "4": (5, 5, 7, 1, 1),
    "5": (7, 4, 7, 1, 7),
    "6": (7, 4, 7, 5, 7),
    "7": (7, 1, 1, 1, 1),
    "8": (7, 5, 7, 5, 7),
    "9": (7, 5, 7, 1, 7),
}


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def make_png(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small valid RGB PNG of one colour (signature, IHDR, IDAT, IEND with correct CRCs)."""
    row = b"\x00" + bytes(rgb) * width  # filter byte 0, then the pixels
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(row * height))
        + _chunk(b"IEND", b"")
    )


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` in its header (a "picture bomb" when large): valid
    chunks and CRCs, but only a token IDAT; a decoder would allocate the full size."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


@functools.lru_cache(maxsize=256)
def placeholder_png(
    pictogram_id: int, size: int = 500, color: bool = True, note: str = ""
) -> bytes:
    """A `size` px square palette PNG: the id in large black digits inside a frame whose colour
    comes from the id (grey without colour). `note` goes into a tEXt chunk, so every variant of
    a pictogram is a different file."""
    digits = str(pictogram_id)
    seed = zlib.crc32(digits.encode())
    frame = (60 + seed % 160, 60 + (seed >> 8) % 160, 60 + (seed >> 16) % 160)
    if not color:
        grey = sum(frame) // 3
        frame = (grey, grey, grey)
    palette = bytes((255, 255, 255)) + bytes(frame) + bytes((0, 0, 0))  # 0 white, 1 frame, 2 ink
    border = max(2, size // 25)
    units = 4 * len(digits) - 1  # 3 columns a digit and 1 between
    scale = max(1, min((size - 4 * border) // units, (size // 2) // 5))
    text_w, text_h = units * scale, 5 * scale
    left, top = (size - text_w) // 2, (size - text_h) // 2

    full = b"\x00" + b"\x01" * size
    blank = b"\x00" + b"\x01" * border + b"\x00" * (size - 2 * border) + b"\x01" * border
    glyph_rows = []
    for r in range(5):
        row = bytearray(blank)
        for i, ch in enumerate(digits):
            bits = _GLYPHS[ch][r]
            for c in range(3):
                if bits & (4 >> c):
                    x = 1 + left + (4 * i + c) * scale
                    row[x : x + scale] = b"\x02" * scale
        glyph_rows.append(bytes(row))
    rows = []
    for y in range(size):
        if y < border or y >= size - border:
            rows.append(full)
        elif top <= y < top + text_h:
            rows.append(glyph_rows[(y - top) // scale])
        else:
            rows.append(blank)
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 3, 0, 0, 0)
    text = f"Comment\x00ARASAAC test pictogram {pictogram_id} {note}".encode("latin-1")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"PLTE", palette)
        + _chunk(b"tEXt", text)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
        + _chunk(b"IEND", b"")
    )


def png_for(pictogram_id: int, query: dict[str, str] | None = None) -> bytes:
    """The image the server sends for an id and the image endpoint's options."""
    query = dict(query or {})
    size = int(query.pop("resolution", "500"))
    color = query.pop("color", "true") != "false"
    note = " ".join(f"{k}={v}" for k, v in sorted(query.items()))
    return placeholder_png(pictogram_id, size, color, note)


# --- the server ----------------------------------------------------------------------------------


@dataclass
class Failure:
    mode: str  # 404 500 429 html badjson notpng bomb truncated cut slow trickle redirect
    times: int | None  # None: until cleared
    path_contains: str = ""
    location: str = ""  # where "redirect" sends the client


class FakeArasaac:
    """The server. `base_url` is what ArasaacClient takes, `static_base` its `static_base`;
    `requests` logs (path, query)."""

    def __init__(self, pictos: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.pictos = default_pictos() if pictos is None else pictos
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.user_agents: list[str] = []
        self.failures: list[Failure] = []
        self.delay = 1.0  # seconds a "slow" answer waits (tests use client timeouts below it)
        self.trickle_interval = 0.2  # seconds between the bytes of a "trickle" answer
        self.trickled = 0  # bytes a trickled answer got out before the client hung up
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- control --

    def start(self) -> FakeArasaac:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server._connections.add(self.connection)

            def finish(self) -> None:
                with server._lock:
                    server._connections.discard(self.connection)
                with contextlib.suppress(OSError):
                    super().finish()

            def handle(self) -> None:
                # A client that hangs up (a deadline, a cancel) is not the server's error.
                with contextlib.suppress(ConnectionError):
                    super().handle()

            def do_GET(self) -> None:
                server._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering; the port is closed, so clients get 'connection refused'. Open
        keep-alive connections are cut too, or a "stopped" server would go on answering."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        self.drop_connections()

    def drop_connections(self) -> None:
        """Hang up on every open (keep-alive) connection, as servers do when idle."""
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for conn in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)

    def restart(self) -> None:
        """Come back on the same port (the network is back)."""
        self.start()

    def __enter__(self) -> FakeArasaac:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def static_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/static/pictograms"

    def fail(
        self, mode: str, times: int | None = None, path_contains: str = "", location: str = ""
    ) -> None:
        with self._lock:
            self.failures.append(Failure(mode, times, path_contains, location))

    def heal(self) -> None:
        with self._lock:
            self.failures.clear()

    def count(self, path_contains: str = "") -> int:
        with self._lock:
            return sum(1 for path, _ in self.requests if path_contains in path)

    def wait_for(self, path_contains: str, timeout_s: float = 5.0) -> bool:
        """Until a request for `path_contains` has arrived (e.g. one the server now holds)."""
        deadline = time.monotonic() + timeout_s
        while not self.count(path_contains):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def ids(self, lang: str, text: str, *, best: bool = False) -> list[int]:
        """What a search answers, as ids (for tests to compare with)."""
        return [p["_id"] for p in search(self.pictos.get(lang, []), text, best=best)]

    # -- serving --

    def _failure_for(self, path: str) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.path_contains in path and failure.times != 0:
                    if failure.times is not None:
                        failure.times -= 1
                    return failure
        return None

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with self._lock:
            self.requests.append((path, query))
            self.user_agents.append(h.headers.get("User-Agent", ""))
        failure = self._failure_for(path)
        mode = failure.mode if failure else None
        if mode == "slow":
            self._stopping.wait(self.delay)
        elif mode in ("404", "500", "429"):
            headers = {"Retry-After": "0"} if mode == "429" else {}
            self._send(h, int(mode), b'{"message":"error"}', "application/json", headers)
            return
        elif mode == "html":
            self._send(h, 200, b"<!doctype html><html><body>Maintenance</body></html>", "text/html")
            return
        elif mode == "badjson":
            self._send(h, 200, b'[{"_id": 1, "keywords": [', "application/json")
            return
        elif mode == "redirect" and failure is not None:
            self._send(h, 302, b"", "text/plain", {"Location": failure.location})
            return
        status, body, ctype = self._route(path, query)
        if mode == "notpng" and ctype == "image/png":
            body, ctype = b"<html>not an image</html>", "text/html"
        elif mode == "bomb" and ctype == "image/png":
            body = png_header(20000, 20000)  # a few bytes that claim 400 megapixels
        elif mode == "truncated" and ctype == "image/png":
            body = body[: len(body) // 2]
        elif mode == "cut" and ctype == "image/png":
            # Promise the whole image, send half, hang up.
            h.send_response(200)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.close_connection = True
            return
        elif mode == "trickle":
            self._trickle(h, status, body, ctype)
            return
        self._send(h, status, body, ctype)

    def _trickle(self, h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str) -> None:
        """Headers at once, then the body one byte at a time: each byte arrives well within any
        read timeout, so only an overall deadline stops the client waiting."""
        self.trickled = 0
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.flush()
            for i in range(len(body)):
                if self._stopping.wait(self.trickle_interval):
                    break
                h.wfile.write(body[i : i + 1])
                h.wfile.flush()
                self.trickled += 1
        except OSError:
            pass  # the client hung up
        h.close_connection = True

    def _route(self, path: str, query: dict[str, str]) -> tuple[int, bytes, str]:
        segments = [s for s in path.split("/") if s]
        if segments[:2] == ["static", "pictograms"]:
            return self._static(segments[2:], query)
        if segments[:1] != ["api"] or len(segments) < 3:
            return _error(404, "Not found")
        rest = segments[2:]
        if segments[1] == "keywords" and len(rest) == 1:
            if query:
                return _bad_query(query)
            return self._keywords(rest[0])
        if segments[1] != "pictograms":
            return _error(404, "Not found")
        if len(rest) == 1:  # the image endpoint
            return self._image(rest[0], query)
        if query:
            return _bad_query(query)
        locale = rest[0]
        if locale not in LOCALES:
            return _error(400, f"Unknown language: {locale}")
        if len(rest) == 3 and rest[1] in ("search", "bestsearch"):
            found = search(self.pictos.get(locale, []), rest[2], best=rest[1] == "bestsearch")
            if not found:
                return 404, b"[]", "application/json"  # the real API: no results is 404 `[]`
            return 200, json.dumps(found, ensure_ascii=False).encode(), "application/json"
        if len(rest) == 2:
            if not re.fullmatch(r"-?\d+", rest[1]):
                return _error(400, "idPictogram must be an integer")
            pid = int(rest[1])
            for p in self.pictos.get(locale, []):
                if p.get("_id") == pid:
                    return 200, json.dumps(p, ensure_ascii=False).encode(), "application/json"
            return 404, b"[]", "application/json"
        return _error(404, "Not found")

    def _known(self, pid: int) -> bool:
        return any(p.get("_id") == pid for ps in self.pictos.values() for p in ps)

    def _image(self, raw_id: str, query: dict[str, str]) -> tuple[int, bytes, str]:
        if not re.fullmatch(r"-?\d+", raw_id):
            return _error(400, "idPictogram must be an integer")
        for key, value in query.items():
            if key not in IMAGE_PARAMS:
                return _bad_query({key: value})
            allowed = IMAGE_PARAMS[key]
            if allowed is not None and value not in allowed:
                return _error(400, f"request/query/{key} must be one of the allowed values")
        pid = int(raw_id)
        if not self._known(pid):
            # The real server fails to render a file it does not have: 500, not 404.
            return _error(500, "Error generating pictogram")
        wanted = {k: v for k, v in query.items() if k in ("resolution", "color", "plural",
                                                         "action", "skin", "hair")}  # fmt: skip
        return 200, png_for(pid, wanted), "image/png"

    def _static(self, rest: list[str], query: dict[str, str]) -> tuple[int, bytes, str]:
        not_found = (404, b"<html><body>404 Not Found</body></html>", "text/html")
        if len(rest) != 2 or not rest[0].isdigit():
            return not_found
        m = re.fullmatch(rf"{rest[0]}_(\d+)\.png", rest[1])
        pid = int(rest[0])
        if not m or int(m.group(1)) not in STATIC_RESOLUTIONS or not self._known(pid):
            return not_found
        return 200, placeholder_png(pid, int(m.group(1))), "image/png"

    def _keywords(self, locale: str) -> tuple[int, bytes, str]:
        if locale not in LOCALES:
            return _error(400, f"Unknown language: {locale}")
        if locale == "es":
            words = list(spanish_keywords())
        else:
            pictos = self.pictos.get(locale, [])
            words = sorted({k["keyword"] for p in pictos for k in p["keywords"]})
        doc = {"locale": locale, "words": words}
        return 200, json.dumps(doc, ensure_ascii=False).encode(), "application/json"

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        ctype: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                h.send_header(key, value)
            h.end_headers()
            h.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout tests)


def _error(status: int, message: str) -> tuple[int, bytes, str]:
    return status, json.dumps({"message": message}).encode(), "application/json"


def _bad_query(query: dict[str, str]) -> tuple[int, bytes, str]:
    name = next(iter(query))
    return _error(400, f"Unknown query parameter '{name}'")


def free_port() -> int:
    """A port nothing listens on (for 'connection refused')."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
