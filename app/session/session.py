"""The communicator session: everything the app decides, Qt-free (mu-editor's `Editor`).

It owns the language and boards, the strip, requests to the sentence engine and their ranked
results, speaking, history and favourites, settings changes, board saving and the pictogram ids
the window resolved. Widgets subscribe to its changes and forward intents; tests drive it with
no widgets at all.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Flag, auto
from pathlib import Path
from typing import Any, Protocol

from app.boards.model import BoardSet, Cell
from app.boards.storage import open_user_boards, save_board_set, user_boards_path
from app.core.history import HistorySaveError, PhraseStore
from app.core.keywords import (
    KeywordError,
    KeywordInput,
    Lang,
    keyword_text,
    prepare_keywords,
)
from app.core.settings import Settings, save_settings
from app.core.strip import StripItem
from app.generation.candidates import Candidate, GenerationResult, rank
from app.generation.engine import fallback_result
from app.generation.next_words import NextWordRequest
from app.generation.text import dedupe_key
from app.session.communicator import Communicator
from app.session.editing import BoardEditor
from app.session.engine_worker import EngineWorker
from app.session.prediction import ROW_SIZE, PredictedCell, Predictor, Usage
from app.session.reach import marker_words
from app.session.scanning import ScanConfig

log = logging.getLogger(__name__)

DEBOUNCE_S = 0.15  # taps in quick succession make one request, not one each
PERSONAL_MIN_COUNT = 2  # a sentence said this often for the same keywords comes first
SAVE_EVERY_S = 2.0  # resolved pictogram ids are saved at most this often (and at close)
MARKER_GREY = "#cfd8dc"
MARKER_KEYS = ("past", "future", "not", "question")
# Changed only by a restart: the engine and the speaker read these once, at start.
RESTART_FIELDS = ("model_path", "gpu_layers", "threads", "voices")
NO_SOUND = {
    "es": "No se pudo reproducir el sonido: {reason}. La frase se muestra en grande.",
    "en": "The sound could not be played: {reason}. The sentence is shown large instead.",
}
SAVE_FAILED = {
    "es": "No se pudo guardar: el cambio se perderá al cerrar PictoVoz.",
    "en": "Could not save: the change will be lost when PictoVoz closes.",
}


class Change(Flag):
    """What a change touched, so a view re-renders only that."""

    BOARD = auto()
    STRIP = auto()
    CANDIDATES = auto()
    PHRASES = auto()
    STATUS = auto()
    SPOKEN = auto()
    SETTINGS = auto()
    LANGUAGE = auto()
    NOTICES = auto()  # also the speech problem
    PREDICTIONS = auto()
    ALL = (
        BOARD | STRIP | CANDIDATES | PHRASES | STATUS | SPOKEN | SETTINGS | LANGUAGE | NOTICES
        | PREDICTIONS
    )  # fmt: skip


@dataclass(frozen=True)
class Status:
    """The status line: a message key the view words in the interface language, and details
    that are already words (a model name, an error)."""

    key: str = ""
    detail: str = ""


class Timer(Protocol):
    """A restartable one-shot timer owned by the session's thread (a QTimer in the window)."""

    def start(self, delay_s: float, fn: Callable[[], None]) -> None: ...
    def stop(self) -> None: ...


class ImmediateTimer:
    """For headless use: the debounced call runs at once."""

    def start(self, delay_s: float, fn: Callable[[], None]) -> None:
        fn()

    def stop(self) -> None:
        pass


class SpeakerLike(Protocol):
    available: bool | None
    unavailable_reason: str | None

    def say(self, text: str, lang: str, *, interrupt: bool = False) -> Any: ...
    def stop(self) -> None: ...
    def set_rate(self, wpm: float) -> None: ...
    def set_volume(self, volume: float) -> None: ...
    def close(self) -> Any: ...


class Session:
    def __init__(
        self,
        settings: Settings,
        boards: BoardSet,
        phrases: PhraseStore,
        *,
        settings_path: Path | None = None,
        engine: EngineWorker | None = None,
        speaker: SpeakerLike | None = None,
        timer: Timer | None = None,
        post: Callable[..., Any] | None = None,
    ) -> None:
        """`post(fn, *args)` runs a call on the session's own thread (the window's inbox);
        workers (speech) report through it. None: called directly (headless, single thread)."""
        self.settings = settings
        self.settings_path = settings_path
        self.comm = Communicator(boards, speak_each_tile=settings.speak_each_tile)
        self.phrases = phrases
        self.engine = engine
        self.speaker = speaker
        self.timer: Timer = timer or ImmediateTimer()
        self.candidates: list[Candidate] = []
        self._streamed: list[Candidate] = []  # the engine's candidates so far, this request
        self.last_result: GenerationResult | None = None
        self.model_ready = False
        self.status = Status("loading") if engine is not None else Status("no_model")
        self.spoken = ""  # the last spoken sentence, shown large: speech may be unavailable
        self.first_candidate_latency: float | None = None  # last tap -> first candidate
        self.predictions: list[PredictedCell] = []  # the prediction row, likeliest first
        self.prediction_latency: float | None = None  # last tap -> the model's row drawn
        self.row_size = ROW_SIZE  # tiles the window shows (set_row_size)
        self._predictor: Predictor | None = None  # built on first use, again when data changes
        self._model_scores: dict[str, float] = {}  # the last prediction, re-ranked per board
        self._wanted: NextWordRequest | None = None  # the prediction the strip is waiting for
        self.pictures: dict[int, str] = {}  # pictogram id -> image file, for the strip
        self.boards_dirty = False
        # Problems the user must read (start-up, failed saves): they stay until dismissed,
        # unlike the status line, which the next request overwrites.
        self.notices: list[str] = []
        self.speech_problem: str | None = None  # shown until speech works again
        self._post = post or (lambda fn, *args: fn(*args))
        self._request_id = 0
        self._requested_at = 0.0
        self._saved_at = time.monotonic()
        self._listeners: list[Callable[[Change], None]] = []
        self._update_predictions({})  # an empty strip: the user's usual first words
        if engine is not None:
            engine.listener = self
            engine.load(self.lang)

    # --- observing -----------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[Change], None]) -> None:
        self._listeners.append(listener)

    def _changed(self, what: Change) -> None:
        for listener in list(self._listeners):
            listener(what)

    def _set_status(self, key: str = "", detail: str = "") -> None:
        self.status = Status(key, detail)
        self._changed(Change.STATUS)

    @property
    def lang(self) -> str:
        return self.comm.lang

    def _words(self, table: dict[str, str]) -> str:
        return table.get(self.lang, table["en"])

    # --- the strip and the boards ---------------------------------------------------------------
    def tap(self, cell: Cell) -> None:
        outcome = self.comm.tap(cell)
        if outcome.board_changed:
            self._board_opened()
        if outcome.speak_text:
            self._say(outcome.speak_text, record=False)
        if outcome.speak_sentence:
            self.speak_best()
        if outcome.strip_changed:
            self._strip_changed()

    def marker_word(self, key: str) -> str:
        return marker_words(Lang(self.lang))[key]

    def add_marker(self, key: str, label: str | None = None) -> None:
        word = self.marker_word(key)
        self.comm.strip.add(StripItem(label or word, (word,), None, MARKER_GREY, True))
        self._strip_changed()

    def add_word(self, label: str, pictogram_id: int | None = None) -> None:
        """A word that is on no board (typed, or found by searching): into the strip like a
        tapped tile; `prepare_keywords` applies the keyword convention to it as to any other."""
        words = tuple(label.lower().split())
        if not words:
            return
        self.comm.strip.add(StripItem(label, words, pictogram_id, "#ffffff"))
        self._strip_changed()

    def remove_strip_item(self, index: int) -> None:
        if self.comm.remove_strip_item(index):
            self._strip_changed()

    def backspace(self) -> None:
        if self.comm.strip.remove_last() is not None:
            self._strip_changed()

    def clear(self) -> None:
        self.comm.strip.clear()
        self._strip_changed()

    def go_home(self) -> None:
        if self.comm.go_home():
            self._board_opened()

    def go_back(self) -> None:
        if self.comm.go_back():
            self._board_opened()

    def _board_opened(self) -> None:
        self._changed(Change.BOARD)
        self._update_predictions(self._model_scores)  # near and far changed

    def _strip_changed(self) -> None:
        self._requested_at = time.perf_counter()
        self.first_candidate_latency = None
        self.prediction_latency = None
        self._request_id += 1  # the old strip's late candidates must not pass for this one's
        self._changed(Change.STRIP)
        if self.comm.strip.empty:
            self.timer.stop()
            if self.engine is not None:
                self.engine.cancel()
            self._wanted = None
            self.candidates, self.last_result = [], None
            self._changed(Change.CANDIDATES)
            self._update_predictions({})  # the user's usual first words
            return
        if self._wants_model_predictions():  # now: the row needs no debounce (see EngineWorker)
            assert self.engine is not None
            self._wanted = self.predictor.request(self.strip_words())
            self.engine.predict(self._wanted)
        self.timer.start(DEBOUNCE_S, self.request_candidates)

    def _wants_model_predictions(self) -> bool:
        return self.engine is not None and self.model_ready and self.settings.predictions

    def keyword_input(self) -> KeywordInput | None:
        """The strip as the model's input (the keyword convention applied once, here)."""
        try:
            return prepare_keywords(self.comm.strip.keywords, self.lang)
        except KeywordError:
            return None

    def strip_words(self) -> tuple[str, ...]:
        """One normalised keyword text per strip item, in tap order: the prediction prefix and
        what history keeps (as `reach.cell_word` names a cell's words)."""
        lang = Lang(self.lang)
        return tuple(keyword_text(item.words, lang) for item in self.comm.strip.items)

    # --- predictions ----------------------------------------------------------------------------
    @property
    def predictor(self) -> Predictor:
        if self._predictor is None or self._predictor.lang != self.lang:
            usage = Usage.from_phrases(self.phrases.history, self.lang)
            scan = ScanConfig.from_settings(self.settings)
            self._predictor = Predictor(
                self.comm.boards, self.lang, usage, size=self.row_size, scan=scan
            )
        return self._predictor

    def set_row_size(self, size: int) -> None:
        """How many tiles the window's prediction row shows (4 on a short screen): the row is
        ranked for them, so what it saves a switch user is what they see and scan."""
        if size != self.row_size:
            self.row_size = size
            self._forget_predictor()
            self._update_predictions(self._model_scores)

    def _forget_predictor(self) -> None:
        """Boards, scanning or language changed: rebuild the vocabulary, counts and reach
        costs on next use."""
        self._predictor = None

    def _recount_usage(self) -> None:
        """The history changed: new counts (the vocabulary and reach costs still hold)."""
        if self._predictor is not None:
            self._predictor.usage = Usage.from_phrases(self.phrases.history, self.lang)

    def _update_predictions(self, model_scores: dict[str, float]) -> None:
        self._model_scores = model_scores
        if self.settings.predictions:
            p = self.predictor
            path = tuple(self.comm.path)
            # A switch user: what each word costs to reach, with sentences once words are in;
            # by touch: how many selections each word is away.
            n_candidates = 0 if self.comm.strip.empty else self.settings.n_candidates
            scan = p.scan_costs(path, n_candidates)
            far = p.extra_selections(self.comm.boards, path) if scan is None else None
            self.predictions = p.rank(self.strip_words(), model_scores, far, scan)
        else:
            self.predictions = []
        self._changed(Change.PREDICTIONS)

    def engine_predictions(self, request: NextWordRequest, scores: dict[str, float]) -> None:
        if request != self._wanted:
            return  # a newer tap: its own prediction is on the way
        self._update_predictions(scores)  # the window draws the row in here
        self.prediction_latency = time.perf_counter() - self._requested_at

    def tap_prediction(self, index: int) -> None:
        """A predicted tile adds its word as tapping the cell on its own board would; a
        completion adds each of its cells so, as one change of the strip (one request, one
        prediction) that speaks their words together when tiles speak. A folder tile opens its
        folder."""
        if not 0 <= index < len(self.predictions):
            return
        tile = self.predictions[index]
        if tile.opens:  # a folder tile: the folder opens as from home (Back goes home)
            if self.comm.open_path(tile.opens):
                self._board_opened()
            return
        if not tile.then:
            self.tap(tile.cell)
            return
        spoken = [self.comm.tap(cell).speak_text for cell in tile.cells]  # word cells only
        if any(spoken):
            self._say(" ".join(t for t in spoken if t), record=False)
        self._strip_changed()

    def _personal(self, cands: list[Candidate]) -> list[Candidate]:
        """Sentences the user said often for exactly these keywords go first."""
        words = self.strip_words()
        said = sorted(
            (p for p in self.phrases.history
             if p.lang == self.lang and p.keywords == words and p.count >= PERSONAL_MIN_COUNT),
            key=lambda p: -p.count,
        )  # fmt: skip
        if not said:
            return cands
        model = {dedupe_key(c.text): c for c in cands}
        first = [
            replace(model.get(dedupe_key(p.text)) or Candidate(p.text, 0.0, 0), personal=True)
            for p in said
        ]
        keys = {dedupe_key(c.text) for c in first}
        rest = [c for c in cands if dedupe_key(c.text) not in keys]
        return [*first, *rest][: max(self.settings.n_candidates, len(first))]

    # --- candidates -----------------------------------------------------------------------------
    def request_candidates(self) -> None:
        kinput = self.keyword_input()
        if kinput is None:
            return
        self.candidates, self.last_result, self._streamed = [], None, []
        if self.engine is not None and self.model_ready:
            # Scored already when the tap's own prediction finished (the engine skips it then).
            self._wanted = (
                self.predictor.request(self.strip_words()) if self.settings.predictions else None
            )
            self._request_id = self.engine.request(kinput, self.settings.n_candidates, self._wanted)
            self.status = Status("thinking")
            self._changed(Change.CANDIDATES | Change.STATUS)
            return
        self._request_id += 1  # no model: offer the raw keywords at once
        self._finish(fallback_result(kinput))
        self._update_predictions({})  # from the user's history alone

    def engine_candidate(self, request_id: int, cand: Candidate) -> None:
        if request_id != self._request_id:
            return
        if self.first_candidate_latency is None:
            self.first_candidate_latency = time.perf_counter() - self._requested_at
        self._streamed.append(cand)
        self.candidates = self._personal(rank(self._streamed, len(self._streamed)))
        self._changed(Change.CANDIDATES)

    def engine_finished(self, request_id: int, result: GenerationResult) -> None:
        if request_id == self._request_id:
            self._finish(result)

    def _finish(self, result: GenerationResult) -> None:
        self.last_result = result
        if self.first_candidate_latency is None and result.candidates:
            self.first_candidate_latency = time.perf_counter() - self._requested_at
        self.candidates = self._personal(list(result.candidates))
        notes = " ".join(result.notices)
        if notes:
            self.status = Status("", notes)
        elif self.model_ready:
            self.status = Status()
        else:
            self.status = Status("no_model")
        self._changed(Change.CANDIDATES | Change.STATUS)

    def engine_failed(self, request_id: int, message: str) -> None:
        if request_id == self._request_id:
            self._set_status("", message)

    def engine_loaded(self, description: str) -> None:
        self.model_ready = True
        self._set_status("model_ready", description)
        if not self.comm.strip.empty:
            self.request_candidates()

    def engine_notice(self, message: str) -> None:
        self.add_notice(message)

    def engine_load_failed(self, message: str) -> None:
        self.model_ready = False
        self._set_status("model_failed", message)
        if not self.comm.strip.empty:
            self.request_candidates()

    # --- speech, history, favourites ------------------------------------------------------------
    def _say(self, sentence: str, *, record: bool = True, keywords: tuple[str, ...] = ()) -> None:
        self.spoken = sentence
        self._changed(Change.SPOKEN)
        if self.speaker is not None:
            if self.speaker.available is False:  # None: still starting; it queues the request
                self.report_speech(False, self.speaker.unavailable_reason or "")
            else:
                future = self.speaker.say(sentence, self.lang, interrupt=True)
                future.add_done_callback(self._speech_done)
        if record:
            try:
                self.phrases.add_spoken(sentence, self.lang, keywords)
            except HistorySaveError as exc:  # kept in memory; the user is told it is not saved
                self.add_notice(exc.message)
            self._recount_usage()  # what was just said counts for the next predictions
            self._changed(Change.PHRASES)

    def _speech_done(self, future) -> None:
        """On the speech thread: hand the outcome to the session's thread."""
        try:
            result = future.result()
        except Exception as exc:  # a cancelled or broken future still gets reported
            self._post(self.report_speech, False, str(exc))
            return
        status = str(getattr(result, "status", ""))
        if status == "stopped":
            return  # interrupted by the user or a newer sentence: says nothing about audio
        self._post(self.report_speech, status == "done", getattr(result, "message", ""))

    def report_speech(self, ok: bool, reason: str) -> None:
        problem = None if ok else self._words(NO_SOUND).format(reason=reason or "?")
        if problem != self.speech_problem:
            self.speech_problem = problem
            self._changed(Change.NOTICES)

    def speak_candidate(self, index: int) -> None:
        if 0 <= index < len(self.candidates):
            self._say(self.candidates[index].text, keywords=self.strip_words())

    def speak_best(self, selected: int = 0) -> None:
        if self.candidates:
            self.speak_candidate(max(selected, 0))
        else:
            self.speak_keywords()

    def speak_keywords(self) -> None:
        kinput = self.keyword_input()
        if kinput is not None:
            self._say(fallback_result(kinput).candidates[0].text, keywords=self.strip_words())

    def speak_phrase(self, sentence: str) -> None:
        self._say(sentence)

    def stop_speaking(self) -> None:
        if self.speaker is not None:
            self.speaker.stop()

    def pin(self, sentence: str | None) -> None:
        if sentence:
            try:
                self.phrases.pin(sentence, self.lang)
            except HistorySaveError as exc:
                self.add_notice(exc.message)
            self._changed(Change.PHRASES)

    def _phrases_changed(self, change) -> None:
        try:
            change()
        except HistorySaveError as exc:
            self.add_notice(exc.message)
        self._recount_usage()  # clearing the history resets what predictions learnt
        self._changed(Change.PHRASES)

    def unpin(self, sentence: str | None) -> None:
        if sentence:
            self._phrases_changed(lambda: self.phrases.unpin(sentence, self.lang))

    def move_favourite(self, sentence: str | None, step: int) -> None:
        if sentence:
            self._phrases_changed(lambda: self.phrases.move_favourite(sentence, self.lang, step))

    def clear_history(self) -> None:
        """The window asks the user to confirm first."""
        self._phrases_changed(lambda: self.phrases.clear_history(self.lang))

    def candidate_text(self, index: int) -> str | None:
        return self.candidates[index].text if 0 <= index < len(self.candidates) else None

    # --- language, settings ---------------------------------------------------------------------
    def switch_language(self, lang: str | None = None) -> None:
        new_lang = lang or ("en" if self.lang == "es" else "es")
        if new_lang == self.lang:
            return
        self.save_boards()
        loaded = open_user_boards(new_lang)
        self.comm.replace_boards(loaded.board_set)
        self.comm.strip.clear()
        self.timer.stop()
        if self.engine is not None:
            self.engine.cancel()
            self.engine.load(new_lang)  # idempotent load; the new prompt prefix is warmed up
        self._request_id += 1
        self.candidates, self.last_result, self.spoken = [], None, ""
        self.settings.language = new_lang
        self._forget_predictor()
        self._update_predictions({})
        self.save_settings()
        if loaded.message:
            self.notices.append(loaded.message)
        self._changed(Change.ALL)

    def save_settings(self) -> bool:
        try:
            save_settings(self.settings, self.settings_path)
        except OSError as exc:
            log.warning("Could not save settings: %s", exc)
            self.add_notice(f"{SAVE_FAILED.get(self.lang, SAVE_FAILED['en'])} ({exc})")
            return False
        return True

    def apply_settings(self, new: Settings) -> None:
        """The caregiver saved the settings dialog: one Settings object app-wide, each part
        applied where it lives (the engine on its own thread)."""
        old = copy.deepcopy(self.settings)
        language = new.language
        for name, value in vars(new).items():
            setattr(self.settings, name, copy.deepcopy(value))
        self.settings.language = old.language  # switch_language does the switch
        s = self.settings
        self.comm.speak_each_tile = s.speak_each_tile
        if self.speaker is not None:
            if s.speech_rate > 0:
                self.speaker.set_rate(s.speech_rate)
            self.speaker.set_volume(s.speech_volume)
        if self.engine is not None:
            self.engine.set_decoding(s.decoding)
        if language != old.language:
            self.switch_language(language)
        if (s.scan_mode, s.scan_switches) != (old.scan_mode, old.scan_switches):
            self._forget_predictor()  # the row saves a switch user other words
            self._update_predictions(self._model_scores)
        if s.predictions != old.predictions:
            self._update_predictions({})  # on: from history now, the model after the next tap
        if self.save_settings():
            restart = any(getattr(old, f) != getattr(s, f) for f in RESTART_FIELDS)
            self.status = Status("settings_saved_restart" if restart else "settings_saved")
        else:
            self.status = Status()  # "saved" would be untrue; the notice says what happened
        self._changed(Change.SETTINGS | Change.STATUS)

    def set_quiet(self, quiet: bool) -> None:
        self.comm.speak_each_tile = not quiet
        self.settings.speak_each_tile = not quiet
        self.save_settings()

    def set_access(self, *, scanning: bool | None = None, dwell: bool | None = None) -> None:
        if scanning is not None:
            self.settings.scan_mode = "row-column" if scanning else "off"
        if dwell is not None:
            self.settings.dwell = dwell
        self.save_settings()
        self._changed(Change.SETTINGS)

    # --- pictures and board saving --------------------------------------------------------------
    def picture_resolved(self, board_id: str, cell_id: str, pictogram_id: int | None, path) -> bool:
        """A pictogram was found for a cell: remember its id in the cell (no search next time).
        Returns True when the cell is on the open board (the view shows the picture)."""
        board = self.comm.boards.boards.get(board_id)
        cell = board.find_cell(cell_id) if board else None
        if cell is not None and cell.pictogram_id is None and pictogram_id is not None:
            cell.pictogram_id = int(pictogram_id)
            self.boards_dirty = True
            if time.monotonic() - self._saved_at >= SAVE_EVERY_S:  # a burst makes one save
                self.save_boards()
        if path and pictogram_id is not None:
            self.pictures[int(pictogram_id)] = str(path)
        return board is not None and board is self.comm.board

    def save_boards(self) -> bool:
        if not self.boards_dirty:
            return True
        try:
            save_board_set(self.comm.boards, user_boards_path(self.lang))
        except (OSError, ValueError) as exc:
            log.warning("Could not save boards: %s", exc)
            self.add_notice(f"{SAVE_FAILED.get(self.lang, SAVE_FAILED['en'])} ({exc})")
            return False
        self.boards_dirty = False
        self._saved_at = time.monotonic()
        return True

    # --- caregiver actions ----------------------------------------------------------------------
    def open_editor(self) -> BoardEditor:
        self.save_boards()  # pictogram ids found since the last save go into the first undo step
        return BoardEditor(self.comm.boards, user_boards_path(self.lang))

    def boards_edited(self) -> None:
        """The editor changed the boards in place: show them (an undone folder may be open)."""
        comm = self.comm
        if any(b not in comm.boards.boards for b in comm.path) or comm.boards.root != comm.path[0]:
            comm.replace_boards(comm.boards)
        self._forget_predictor()
        self._changed(Change.BOARD)

    def prefetch_finished(self, summary: str) -> None:
        self.boards_dirty = True  # resolved pictogram ids were stored in the cells
        self.save_boards()
        self._set_status("", summary)
        self._changed(Change.BOARD)

    def add_notice(self, message: str) -> None:
        """A problem the user must read; it stays on screen until dismissed."""
        if message and message not in self.notices:
            log.warning("Notice: %s", message)
            self.notices.append(message)
            self._changed(Change.NOTICES)

    def dismiss_notices(self) -> None:
        if self.notices:
            self.notices.clear()
            self._changed(Change.NOTICES)

    def close(self) -> None:
        self.timer.stop()
        self.save_boards()
        if self.engine is not None:
            self.engine.shutdown()
        if self.speaker is not None:
            self.speaker.close()
