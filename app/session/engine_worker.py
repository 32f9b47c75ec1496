"""The sentence engine on its own thread (Qt-free).

llama.cpp is not thread-safe, so one Python thread owns the SentenceGenerator: loading, warming
up, generating and settings changes all reach it as messages on one queue, in order. A new
request cancels the one in flight (a threading.Event checked between tokens) and requests queued
behind it are skipped, so only the newest strip is decoded. Results go back through `post`, the
owner's way to run a call on its own thread.

The prediction row is scored as soon as a tap changes the strip (`predict`, ~35 ms), while the
session still waits out its debounce before asking for sentences: the row appears well under
0.1 s after a tap and the first sentence is not delayed. A request whose prediction was already
scored does not score it again.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from app.core.keywords import KeywordError, KeywordInput
from app.core.settings import DecodingSettings
from app.generation import Candidate, GenerationResult, ModelLoadError, SentenceGenerator
from app.generation.model_location import release_assembled_base
from app.generation.next_words import NextWordRequest

log = logging.getLogger(__name__)

THREAD_NAME = "sentence-engine"


class EngineListener(Protocol):
    """What the engine reports; every call arrives through `post` on the owner's thread."""

    def engine_loaded(self, description: str) -> None: ...
    def engine_load_failed(self, message: str) -> None: ...
    def engine_notice(self, message: str) -> None: ...
    def engine_candidate(self, request_id: int, candidate: Candidate) -> None: ...
    def engine_finished(self, request_id: int, result: GenerationResult) -> None: ...
    def engine_failed(self, request_id: int, message: str) -> None: ...
    def engine_predictions(self, request: NextWordRequest, scores: dict[str, float]) -> None: ...


@dataclass(frozen=True)
class _Request:
    request_id: int
    keywords: KeywordInput | None  # None: only score `predict` (a tap, before the debounce ends)
    n: int
    cancel: threading.Event
    predict: NextWordRequest | None = None


_STOP = "stop"


class EngineWorker:
    def __init__(
        self,
        generator: SentenceGenerator,
        post: Callable[..., Any],
        listener: EngineListener | None = None,
        *,
        keep_one_model_copy: bool = False,
    ) -> None:
        """`keep_one_model_copy`: once the merged model is loaded, remove the assembled base
        (the app sets it; tests and tools that share a data folder do not)."""
        self.generator = generator
        self.keep_one_model_copy = keep_one_model_copy
        self.listener = listener
        self._post = post
        self._latest = 0
        self._current: _Request | None = None
        self._scored: NextWordRequest | None = None  # the last prediction scored in full
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        self._thread.start()

    # --- intents (any thread; the session calls them from its own) ------------------------------
    def load(self, lang: str) -> None:
        """Load the model and warm the prompt of `lang` up, in the background. Idempotent."""
        self._queue.put(("load", lang))

    def request(
        self, keywords: KeywordInput, n: int, predict: NextWordRequest | None = None
    ) -> int:
        """Candidates for `keywords`; with `predict`, next-word scores too (before the
        sentences, reported by `engine_predictions`) unless `predict` was scored already."""
        return self._submit(_Request(0, keywords, n, threading.Event(), predict))

    def predict(self, request: NextWordRequest) -> None:
        """Score the next keyword now (reported by `engine_predictions`); cancels the work in
        flight, which was for a strip the tap just changed."""
        self._submit(_Request(0, None, 0, threading.Event(), request))

    def _submit(self, req: _Request) -> int:
        self.cancel()
        self._latest += 1
        req = replace(req, request_id=self._latest)
        self._current = req
        self._queue.put(("generate", req))
        return req.request_id

    def cancel(self) -> None:
        if self._current is not None:
            self._current.cancel.set()
            self._current = None

    def set_decoding(self, decoding: DecodingSettings) -> None:
        """New decoding settings, applied on the engine thread between requests (a running
        request finishes with the settings it started with)."""
        self._queue.put(("decoding", decoding.validated()))

    def shutdown(self, timeout_s: float = 10.0) -> None:
        self.cancel()
        self._queue.put((_STOP, None))
        self._thread.join(timeout_s)

    # --- the engine thread ----------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            kind, payload = self._queue.get()
            if kind == _STOP:
                break
            if kind == "load":
                self._load(payload)
            elif kind == "decoding":
                self.generator.decoding = payload
            else:
                self._generate(payload)
        self.generator.close()

    def _emit(self, method: str, *args: Any) -> None:
        if self.listener is not None:
            self._post(getattr(self.listener, method), *args)

    def _load(self, lang: str) -> None:
        try:
            self.generator.load()
            self.generator.warm_up(lang)
        except ModelLoadError as exc:
            self._emit("engine_load_failed", str(exc))
            return
        except Exception as exc:  # the window must hear about anything, and keep working
            log.exception("Model load failed")
            self._emit("engine_load_failed", f"The model could not be loaded: {exc}")
            return
        choice = self.generator.choice
        assert choice is not None
        if choice.notice:  # e.g. the fine-tune was unusable and the base model runs instead
            self._emit("engine_notice", choice.notice)
        if self.keep_one_model_copy and choice.source == "merged":
            release_assembled_base()
        self._emit("engine_loaded", f"{choice.path.name} ({choice.source}, {choice.style})")

    def _generate(self, req: _Request) -> None:
        if req.request_id != self._latest or req.cancel.is_set():
            return  # a newer tap already replaced this request
        # The tap's own scoring usually finished during the debounce: only a request that came
        # first (the model just loaded, or no debounce) scores here, before its sentences.
        if req.predict is not None and (req.keywords is None or req.predict != self._scored):
            self._predict(req)
        if req.keywords is None or req.cancel.is_set():
            return
        try:
            result = self.generator.generate(
                req.keywords,
                req.n,
                cancel=req.cancel,
                on_candidate=lambda c: self._emit("engine_candidate", req.request_id, c),
            )
        except (KeywordError, ModelLoadError) as exc:
            self._emit("engine_failed", req.request_id, str(exc))
            return
        except Exception as exc:  # the UI must survive anything the engine throws
            log.exception("Generation failed")
            self._emit("engine_failed", req.request_id, f"Generation failed: {exc}")
            return
        self._emit("engine_finished", req.request_id, result)

    def _predict(self, req: _Request) -> None:
        assert req.predict is not None
        try:
            scores = self.generator.predict_next(req.predict, req.cancel)
        except Exception:  # the row falls back to history; sentences are unaffected
            log.exception("Prediction failed")
            return
        if req.cancel.is_set():  # may lack its refined words; the newer request scores again
            return
        self._scored = req.predict
        self._emit("engine_predictions", req.predict, scores)
