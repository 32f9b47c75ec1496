"""A fake ARASAAC API for tests: a real threaded HTTP server on 127.0.0.1 (port 0) that speaks
the API's JSON shape (see Arasaac/public-api, config/openapi_v1.yml) and serves PNGs generated
here. Tests can make it fail: 404, 500, 429, HTML instead of JSON, truncated or cut-off PNGs, or
answers slower than the client's timeout.

    with FakeArasaac() as server:
        client = ArasaacClient(server.base_url, timeout=0.5)
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


def make_png(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small valid RGB PNG (signature, IHDR, IDAT, IEND with correct CRCs)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = b"\x00" + bytes(rgb) * width  # filter byte 0, then the pixels
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def png_for(pictogram_id: int, query: dict[str, str] | None = None) -> bytes:
    """The image the server sends for an id (and options): different ids, different bytes."""
    extra = sum(len(k) + len(v) for k, v in (query or {}).items())
    return make_png(rgb=(pictogram_id % 256, (pictogram_id // 256) % 256, extra % 256))


def picto(
    pid: int,
    *keywords: tuple[str, int],
    aac: bool = False,
    categories: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One pictogram in the API's JSON shape."""
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
        "schematic": aac,
        "published": True,
        "keywords": [
            {"keyword": kw, "type": kind, "meaning": "", "plural": "", "hasLocution": True}
            for kw, kind in keywords
        ],
        "desc": "",
        "categories": list(categories),
        "violence": False,
        "hair": kind_is_verb(keywords),
        "skin": kind_is_verb(keywords),
        "aac": aac,
        "aacColor": False,
    }


def kind_is_verb(keywords: tuple[tuple[str, int], ...]) -> bool:
    return any(kind == 3 for _, kind in keywords)


def default_pictos() -> dict[str, list[dict[str, Any]]]:
    """A handful of pictograms per language (ids as in ARASAAC's own test fixture)."""
    return {
        "es": [
            picto(2349, ("comer", 3), ("tomar", 3), categories=("verb", "food")),
            picto(6456, ("comer", 3), aac=True, categories=("core vocabulary",)),
            picto(2276, ("beber", 3), ("tomar", 3)),
            picto(6061, ("beber", 3), ("tomar", 3), aac=True),
            picto(2248, ("agua", 2)),
            picto(2317, ("casa", 2)),
            picto(2517, ("perro", 2), ("can", 2)),
            picto(2406, ("gato", 2), ("minino", 2)),
            picto(3333, ("gato", 2), categories=("work tool",)),
            picto(3057, ("árbol", 2), aac=True),
            picto(6625, ("yo", 6), aac=True),
            picto(7141, ("querer", 3), aac=True),
            picto(5584, ("sí", 5), aac=True),
            picto(22620, ("por qué", 6), aac=True),
        ],
        "en": [
            picto(2349, ("eat", 3), ("have", 3)),
            picto(6456, ("eat", 3), aac=True),
            picto(6061, ("drink", 3), aac=True),
            picto(2248, ("water", 2)),
            picto(2317, ("house", 2), ("home", 2)),
            picto(6625, ("I", 6), aac=True),
            picto(7141, ("want", 3), aac=True),
        ],
    }


@dataclass
class Failure:
    mode: str  # 404, 500, 429, html, badjson, notpng, truncated, cut, slow
    times: int | None  # None: until cleared
    path_contains: str = ""


class FakeArasaac:
    """The server. `base_url` is what ArasaacClient takes; `requests` logs (path, query)."""

    def __init__(self) -> None:
        self.pictos = default_pictos()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.failures: list[Failure] = []
        self.delay = 1.0  # seconds a "slow" answer waits (tests use client timeouts below it)
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
                super().finish()

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

    def fail(self, mode: str, times: int | None = None, path_contains: str = "") -> None:
        with self._lock:
            self.failures.append(Failure(mode, times, path_contains))

    def heal(self) -> None:
        with self._lock:
            self.failures.clear()

    def count(self, path_contains: str = "") -> int:
        with self._lock:
            return sum(1 for path, _ in self.requests if path_contains in path)

    # -- serving --

    def _failure_for(self, path: str) -> str | None:
        with self._lock:
            for failure in self.failures:
                if failure.path_contains in path and failure.times != 0:
                    if failure.times is not None:
                        failure.times -= 1
                    return failure.mode
        return None

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            self.requests.append((path, query))
        failure = self._failure_for(path)
        if failure == "slow":
            self._stopping.wait(self.delay)
        elif failure in ("404", "500", "429"):
            headers = {"Retry-After": "0"} if failure == "429" else {}
            self._send(h, int(failure), b'{"message":"error"}', "application/json", headers)
            return
        elif failure == "html":
            self._send(h, 200, b"<!doctype html><html><body>Maintenance</body></html>", "text/html")
            return
        elif failure == "badjson":
            self._send(h, 200, b'[{"_id": 1, "keywords": [', "application/json")
            return
        status, body, ctype = self._route(path, query)
        if failure == "notpng" and ctype == "image/png":
            body, ctype = b"<html>not an image</html>", "text/html"
        elif failure == "truncated" and ctype == "image/png":
            body = body[: len(body) // 2]
        elif failure == "cut" and ctype == "image/png":
            # Promise the whole image, send half, hang up.
            h.send_response(200)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.close_connection = True
            return
        self._send(h, status, body, ctype)

    def _route(self, path: str, query: dict[str, str]) -> tuple[int, bytes, str]:
        segments = [s for s in path.split("/") if s]
        not_found = (404, json.dumps({"message": "Not found"}).encode(), "application/json")
        if segments[:2] != ["api", "pictograms"]:
            return not_found
        rest = segments[2:]
        if len(rest) == 1 and rest[0].isdigit():
            pid = int(rest[0])
            if any(p["_id"] == pid for ps in self.pictos.values() for p in ps):
                return 200, png_for(pid, query), "image/png"
            return not_found
        if len(rest) == 3 and rest[1] in ("search", "bestsearch"):
            locale, mode, text = rest
            wanted = text.casefold()
            found = [
                p
                for p in self.pictos.get(locale, [])
                if any(
                    (k["keyword"].casefold() == wanted)
                    if mode == "bestsearch"
                    else (wanted in k["keyword"].casefold())
                    for k in p["keywords"]
                )
            ]
            if not found:
                return not_found  # like the real API: no results is a 404
            return 200, json.dumps(found, ensure_ascii=False).encode(), "application/json"
        if len(rest) == 2 and rest[1].isdigit():
            locale, pid = rest[0], int(rest[1])
            for p in self.pictos.get(locale, []):
                if p["_id"] == pid:
                    return 200, json.dumps(p, ensure_ascii=False).encode(), "application/json"
        return not_found

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
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)


def free_port() -> int:
    """A port nothing listens on (for 'connection refused')."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
