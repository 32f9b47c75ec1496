"""Background work for the window: the sentence engine and pictogram loading, off the GUI thread.

The engine lives on one thread (llama.cpp is not thread-safe; one owner). A new request cancels
the one in flight (a threading.Event checked between tokens) and requests that were queued behind
it are skipped, so only the newest strip is ever decoded.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.keywords import KeywordError
from app.core.settings import Settings
from app.generation import ModelLoadError, SentenceGenerator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationRequest:
    request_id: int
    keywords: tuple[str, ...]
    lang: str
    n: int
    cancel: threading.Event


_STOP = object()


class MainThreadInbox(QObject):
    """Hands results from worker threads to the GUI thread: workers `post` a call, a timer on the
    GUI thread runs it. Signals emitted straight from Python threads crashed PySide6 6.12 at
    interpreter exit once two windows had lived (reproduced with a 20-line script)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 10) -> None:
        super().__init__(parent)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.drain)
        self._timer.start()

    def post(self, fn, *args) -> None:
        self._queue.put((fn, args))

    def drain(self) -> None:
        while True:
            try:
                fn, args = self._queue.get_nowait()
            except queue.Empty:
                return
            fn(*args)


class SentenceService(QObject):
    """The window's handle on the engine: `request(keywords, lang)` returns at once; results come
    back as signals on the GUI thread. One Python thread owns the generator."""

    loaded = Signal(str)  # a description of the model
    load_failed = Signal(str)
    candidate = Signal(int, object)  # request id, Candidate
    finished = Signal(int, object)  # request id, GenerationResult
    failed = Signal(int, str)

    def __init__(self, generator: SentenceGenerator, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.generator = generator
        self.available = False
        self._latest = 0
        self._current: GenerationRequest | None = None
        self._queue: queue.Queue = queue.Queue()
        self._inbox = MainThreadInbox(self)
        self._thread = threading.Thread(target=self._run, name="sentence-engine", daemon=True)
        self._thread.start()

    @classmethod
    def from_settings(cls, settings: Settings, parent: QObject | None = None) -> SentenceService:
        return cls(SentenceGenerator.from_settings(settings), parent)

    def start(self, lang: str) -> None:
        """Load the model and evaluate the prompt prefix of `lang`, in the background."""
        self._queue.put(("load", lang))

    warm_up = start  # a newly chosen language: load is idempotent, the prefix is new

    def request(self, keywords: list[str], lang: str, n: int = 3) -> int:
        self.cancel()
        self._latest += 1
        req = GenerationRequest(self._latest, tuple(keywords), lang, n, threading.Event())
        self._current = req
        self._queue.put(("generate", req))
        return req.request_id

    def cancel(self) -> None:
        if self._current is not None:
            self._current.cancel.set()
            self._current = None

    def shutdown(self, timeout_s: float = 10.0) -> None:
        self.cancel()
        self._queue.put((_STOP, None))
        self._thread.join(timeout_s)

    # --- the engine thread ---------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            kind, payload = self._queue.get()
            if kind is _STOP:
                break
            if kind == "load":
                self._load(payload)
            else:
                self._generate(payload)
        self.generator.close()

    def _load(self, lang: str) -> None:
        try:
            self.generator.load()
            self.generator.warm_up(lang)
        except ModelLoadError as exc:
            self._inbox.post(self.load_failed.emit, str(exc))
            return
        except Exception as exc:  # the window must hear about anything, and keep working
            log.exception("Model load failed")
            self._inbox.post(self.load_failed.emit, f"The model could not be loaded: {exc}")
            return
        choice = self.generator.choice
        assert choice is not None
        self.available = True
        self._inbox.post(self.loaded.emit, f"{choice.path.name} ({choice.source}, {choice.style})")

    def _generate(self, req: GenerationRequest) -> None:
        if req.request_id != self._latest or req.cancel.is_set():
            return  # a newer tap already replaced this request
        try:
            result = self.generator.generate(
                req.keywords,
                req.lang,
                req.n,
                cancel=req.cancel,
                on_candidate=lambda c: self._inbox.post(self.candidate.emit, req.request_id, c),
            )
        except (KeywordError, ModelLoadError) as exc:
            self._inbox.post(self.failed.emit, req.request_id, str(exc))
            return
        except Exception as exc:  # the UI must survive anything the engine throws
            log.exception("Generation failed")
            self._inbox.post(self.failed.emit, req.request_id, f"Generation failed: {exc}")
            return
        self._inbox.post(self.finished.emit, req.request_id, result)


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
