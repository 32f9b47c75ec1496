"""Background work for the window, off the GUI thread: the inbox that brings worker results
back to the GUI thread, and pictogram loading. (The sentence engine's thread is Qt-free:
app/session/engine_worker.py.)"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QImage, QImageReader

from app.core import png
from app.session.inbox import Inbox

log = logging.getLogger(__name__)

MAX_RESULTS = 24  # thumbnails per search: enough choice, few downloads
PICTURE_SIDE = 320  # decoded size: a tile is rarely larger; the file stays as it is


class MainThreadInbox(QObject):
    """Runs the calls worker threads `post` on the GUI thread, from a timer. Signals emitted
    straight from Python threads crashed PySide6 6.12 at interpreter exit once two windows had
    lived (reproduced with a 20-line script)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 10) -> None:
        super().__init__(parent)
        self._inbox = Inbox()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.drain)
        self._timer.start()

    def post(self, fn, *args) -> None:
        self._inbox.post(fn, *args)

    def drain(self) -> None:
        self._inbox.drain()


# --- pictograms -----------------------------------------------------------------------------------
def decode_scaled(path: Path | str | None, side: int = PICTURE_SIDE) -> QImage | None:
    """Decode a picture at most `side` pixels a side, on the calling (worker) thread; a picture
    whose header claims more than app/core/png.py allows is refused before anything is decoded."""
    if not path:
        return None
    reader = QImageReader(str(path))
    size = reader.size()
    if not size.isValid() or png.too_large(size.width(), size.height()):
        log.warning("Picture %s refused (%sx%s)", path, size.width(), size.height())
        return None
    if size.width() > side or size.height() > side:
        reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return None if image.isNull() else image


class PictogramLoader(QObject):
    """Finds and fetches pictograms on two worker threads and decodes them there, scaled to a
    tile; never blocks the GUI thread. Each result is handed to `on_ready(cell key, pictogram id
    or None, image path or None, QImage or None)` on the GUI thread (a plain callback: a Qt
    signal here crashed PySide6 at exit after re-renders)."""

    def __init__(self, cache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self.on_ready = lambda key, pictogram_id, path, picture: None
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pictograms")
        self._inbox = MainThreadInbox(self)
        self._generation = 0  # bumped by clear_pending: older jobs return without working

    def request(
        self,
        key: str,
        pictogram_id: int | None,
        text: str,
        lang: str,
        kind: int | None = None,
        image_file: Path | None = None,
    ) -> None:
        """`image_file`: the cell's own picture (imported with a board): shown as it is, never
        replaced by an ARASAAC search."""
        self._pool.submit(
            self._job, self._generation, key, pictogram_id, text, lang, kind, image_file
        )

    def _job(
        self,
        generation: int,
        key: str,
        pictogram_id: int | None,
        text: str,
        lang: str,
        kind: int | None,
        image_file: Path | None,
    ) -> None:
        if generation != self._generation:
            return
        try:
            pid, path = pictogram_id, image_file
            if path is None:
                if pid is None:
                    pid = self.cache.resolve(text, lang, kind)
                path = self.cache.image_path(pid) if pid is not None else None
            picture = decode_scaled(path)
        except Exception:  # a broken cache entry must not end the worker
            log.exception("Pictogram for %r failed", text)
            pid, path, picture = pictogram_id, None, None
        self._inbox.post(self._deliver, key, pid, path, picture)

    def _deliver(self, key: str, pictogram_id: int | None, path, picture) -> None:
        self.on_ready(key, pictogram_id, path, picture)

    def clear_pending(self) -> None:
        self._generation += 1

    def wait(self, timeout_s: float = 5.0) -> None:
        self._generation += 1
        self._pool.shutdown(wait=True, cancel_futures=True)


# --- pictogram search (the board editor) ----------------------------------------------------
class PictogramSearch(QObject):
    """ARASAAC search plus thumbnails on one worker thread. Results go to the plain callback
    `on_result(query id, pictogram id, label, image path or None)` on the GUI thread, one by one
    as images arrive; `on_done(query id, message or None)` ends a search."""

    def __init__(self, cache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self.on_result: Callable[[int, int, str, object], None] = lambda *a: None
        self.on_done: Callable[[int, str | None], None] = lambda *a: None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="picto-search")
        self._inbox = MainThreadInbox(self)
        self._query = 0
        self._closed = False

    def search(self, text: str, lang: str) -> int:
        self._query += 1
        if not self._closed:
            self._pool.submit(self._job, self._query, text, lang)
        return self._query

    def _job(self, query: int, text: str, lang: str) -> None:
        try:
            results = self.cache.search(text, lang)
        except Exception as exc:  # offline, nothing found (404), a broken answer...
            log.info("Pictogram search %r failed: %s", text, exc)
            self._inbox.post(self._done, query, str(exc) or type(exc).__name__)
            return
        for picto in results[:MAX_RESULTS]:
            if query != self._query or self._closed:
                return  # a newer search replaced this one
            try:
                path = self.cache.image_path(picto.id)
            except Exception:
                log.exception("Thumbnail %s failed", picto.id)
                path = None
            self._inbox.post(self._result, query, picto.id, picto.label, path)
        self._inbox.post(self._done, query, None if results else "")

    def _result(self, query: int, pid: int, label: str, path) -> None:
        if query == self._query:
            self.on_result(query, pid, label, path)

    def _done(self, query: int, message: str | None) -> None:
        if query == self._query:
            self.on_done(query, message)

    def close(self) -> None:
        """Stop at once: a running job sees `_closed` before its next download and ends."""
        self._closed = True
        self._query += 1
        self._pool.shutdown(wait=False, cancel_futures=True)
