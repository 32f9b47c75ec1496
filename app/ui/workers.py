"""Background work for the window, off the GUI thread: the inbox that brings worker results
back to the GUI thread, and pictogram loading. (The sentence engine's thread is Qt-free:
app/session/engine_worker.py.)"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer

from app.session.inbox import Inbox

log = logging.getLogger(__name__)


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
class PictogramLoader(QObject):
    """Finds and fetches pictograms on two worker threads; never blocks the GUI thread. Each
    result is handed to `on_ready(cell key, pictogram id or None, image path or None)` on the GUI
    thread (a plain callback: a Qt signal here crashed PySide6 6.12 at exit after re-renders)."""

    def __init__(self, cache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self.on_ready = lambda key, pictogram_id, path: None
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pictograms")
        self._inbox = MainThreadInbox(self)
        self._generation = 0  # bumped by clear_pending: older jobs return without working

    def request(
        self, key: str, pictogram_id: int | None, text: str, lang: str, kind: int | None = None
    ) -> None:
        self._pool.submit(self._job, self._generation, key, pictogram_id, text, lang, kind)

    def _job(
        self,
        generation: int,
        key: str,
        pictogram_id: int | None,
        text: str,
        lang: str,
        kind: int | None,
    ) -> None:
        if generation != self._generation:
            return
        try:
            pid = pictogram_id
            if pid is None:
                pid = self.cache.resolve(text, lang, kind)
            path = self.cache.image_path(pid) if pid is not None else None
        except Exception:  # a broken cache entry must not end the worker
            log.exception("Pictogram for %r failed", text)
            pid, path = pictogram_id, None
        self._inbox.post(self._deliver, key, pid, path)

    def _deliver(self, key: str, pictogram_id: int | None, path) -> None:
        self.on_ready(key, pictogram_id, path)

    def clear_pending(self) -> None:
        self._generation += 1

    def wait(self, timeout_s: float = 5.0) -> None:
        self._generation += 1
        self._pool.shutdown(wait=True, cancel_futures=True)
