"""A fake Hugging Face Hub for tests: a real threaded HTTP server on 127.0.0.1 (port 0) that
speaks the Hub's file API as huggingface-hub's `hf_hub_download` uses it (read from
huggingface_hub/file_download.py, 2.4):

- `HEAD {endpoint}/{repo_id}/resolve/{revision}/{filename}` -> 200 with `X-Repo-Commit` (the
  commit), `ETag` (git blob sha1, or for an LFS file `X-Linked-Etag` = its sha256) and the size
  (`X-Linked-Size` for LFS, `Content-Length`); 404 with `X-Error-Code` RepoNotFound /
  RevisionNotFound / EntryNotFound otherwise.
- `GET` the same URL -> the bytes; `Range: bytes=N-` -> 206 with `Content-Range`, which is how
  huggingface-hub resumes after a dropped connection.

Tests can make it misbehave: cut the connection mid-body (the first GET only, or every GET), or
serve other bytes than the checksum it announces (a corrupt file).

    with FakeHub() as hub:
        hub.add("pictovoz/test-GGUF", "tiny.gguf", data)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
"""

from __future__ import annotations

import hashlib
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

COMMIT = "0123456789abcdef0123456789abcdef01234567"
_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_RANGE = re.compile(r"^bytes=(\d+)-$")


@dataclass
class HubFile:
    data: bytes
    lfs: bool = True  # LFS files carry their sha256 in X-Linked-Etag; small git files a sha1
    served: bytes | None = None  # what GET sends instead of `data` (a corrupt copy)
    cut_after: int | None = None  # a GET sends this many body bytes, then drops the connection
    cuts: int = 1  # how many GETs are cut (then the file is served whole)

    @property
    def etag(self) -> str:
        if self.lfs:
            return hashlib.sha256(self.data).hexdigest()
        return hashlib.sha1(b"blob %d\0" % len(self.data) + self.data).hexdigest()


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    range: str | None


@dataclass
class FakeHub:
    files: dict[tuple[str, str], HubFile] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    commit: str = COMMIT

    def add(self, repo_id: str, filename: str, data: bytes, **kw: object) -> HubFile:
        f = HubFile(data, **kw)  # type: ignore[arg-type]
        self.files[(repo_id, filename)] = f
        return f

    def gets(self) -> list[Seen]:
        return [r for r in self.requests if r.method == "GET"]

    # --- server ---------------------------------------------------------------------------------
    def __enter__(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"


def unused_url() -> str:
    """An address on 127.0.0.1 where nothing listens (a Hub that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        self.fake.requests.append(Seen(self.command, path, self.headers.get("Range")))
        m = _RESOLVE.match(path)
        if m is None:
            return self._error(404, "RepoNotFound")
        repo, rev, name = m["repo"], m["rev"], m["file"]
        if not any(r == repo for r, _ in self.fake.files):
            return self._error(404, "RepoNotFound")
        if rev not in ("main", self.fake.commit):
            return self._error(404, "RevisionNotFound")
        f = self.fake.files.get((repo, name))
        if f is None:
            return self._error(404, "EntryNotFound", commit=True)
        body = f.data if f.served is None else f.served
        start = 0
        if not head and (rng := _RANGE.match(self.headers.get("Range") or "")):
            start = int(rng.group(1))
        self.send_response(206 if start else 200)
        self.send_header("X-Repo-Commit", self.fake.commit)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        if f.lfs:
            self.send_header("ETag", '"' + hashlib.sha1(b"pointer " + f.data).hexdigest() + '"')
            self.send_header("X-Linked-Etag", f'"{f.etag}"')
            self.send_header("X-Linked-Size", str(len(f.data)))
        else:
            self.send_header("ETag", f'"{f.etag}"')
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.send_header("Content-Length", str(len(body) - start))
        if head:
            self.end_headers()
            return
        chunk = body[start:]
        if f.cut_after is not None and f.cuts > 0:
            f.cuts -= 1
            # Headers promise the whole body; send part of it and drop the connection, as a
            # flaky network does.
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(chunk[: f.cut_after])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.end_headers()
        self.wfile.write(chunk)

    def _error(self, status: int, code: str, commit: bool = False) -> None:
        body = b'{"error": "' + code.encode() + b'"}'
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        if commit:
            self.send_header("X-Repo-Commit", self.fake.commit)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
