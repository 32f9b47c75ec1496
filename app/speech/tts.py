"""Speaker: text-to-speech on one worker thread that owns the one pyttsx3 engine.

Every call returns at once with a `concurrent.futures.Future[SpeechResult]`. Requests run one at
a time in call order. None is dropped: each future completes, with DONE, STOPPED, NO_AUDIO,
UNAVAILABLE or FAILED. None is mixed: a request starts only when the previous one is fully done.
Errors come back as results and are never raised on the worker. Done callbacks
(`future.add_done_callback`) run on the worker thread, so a Qt UI should forward them through a
signal.

If no engine can start, the Speaker says so once (`unavailable_reason`, `on_unavailable`), and
every request completes as UNAVAILABLE, so the app keeps working and shows the text instead.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from app.speech import engine as engine_module
from app.speech.engine import Pyttsx3Synth, SynthesisError
from app.speech.playback import NO_PLAYER_MESSAGE, PlayStatus, find_player, play_wav, wav_duration
from app.speech.voices import VoiceChoice, VoiceInfo, normalise_lang, pick_voice

log = logging.getLogger(__name__)

DEFAULT_RATE = 175  # words per minute: espeak-ng's own default (pyttsx3 starts it at 200)
MIN_RATE, MAX_RATE = 80, 450  # the range espeak-ng accepts
PLAYBACK_SLACK_S = 30.0  # a player gets the WAV's duration plus this before it is killed


class SpeechStatus(StrEnum):
    DONE = "done"  # spoken aloud, or the WAV written
    STOPPED = "stopped"  # dropped by stop(), say(interrupt=True) or close()
    NO_AUDIO = "no-audio"  # synthesised, but no sound could be played (no player or device)
    UNAVAILABLE = "unavailable"  # no TTS engine here, or the Speaker is closed
    FAILED = "failed"  # this request failed; the Speaker keeps working


@dataclass(frozen=True)
class SpeechResult:
    status: SpeechStatus
    text: str
    lang: str
    message: str = ""  # why, for anything but DONE: fit to show to a user or log
    path: Path | None = None  # the WAV written by save_to_wav
    voice_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is SpeechStatus.DONE


@dataclass(frozen=True)
class _Request:
    text: str
    lang: str
    path: Path | None  # None: speak aloud
    rate: int
    volume: float
    generation: int  # stop() moves the Speaker to a new generation; older requests are stale
    future: Future[SpeechResult]

    def result(
        self,
        status: SpeechStatus,
        message: str = "",
        *,
        path: Path | None = None,
        voice_id: str | None = None,
    ) -> SpeechResult:
        return SpeechResult(status, self.text, self.lang, message, path, voice_id)


def _resolve(future: Future[SpeechResult], result: SpeechResult) -> None:
    with contextlib.suppress(InvalidStateError):  # the caller cancelled it first
        future.set_result(result)


def clamp_rate(wpm: float) -> int:
    return int(min(max(round(wpm), MIN_RATE), MAX_RATE))


def clamp_volume(volume: float) -> float:
    return float(min(max(volume, 0.0), 1.0))


class Speaker:
    """Text-to-speech with one engine on one worker thread.

    `voice_ids` maps a language to a preferred voice id (for example from settings). `player` is
    the audio player command (None finds one, and an empty sequence plays nothing).
    `engine_factory` defaults to `app.speech.engine.create_engine`, looked up when the worker
    starts. `on_unavailable(message)` is called once, on the worker, if no engine can start.
    """

    def __init__(
        self,
        *,
        rate: float = DEFAULT_RATE,
        volume: float = 1.0,
        voice_ids: Mapping[str, str] | None = None,
        player: Sequence[str] | None = None,
        engine_factory: Callable[[], Pyttsx3Synth] | None = None,
        on_unavailable: Callable[[str], None] | None = None,
    ) -> None:
        self._rate = clamp_rate(rate)
        self._volume = clamp_volume(volume)
        self._voice_ids = {normalise_lang(k): v for k, v in (voice_ids or {}).items()}
        self._player = list(player) if player is not None else find_player()
        self._engine_factory = engine_factory
        self._on_unavailable = on_unavailable

        self._cond = threading.Condition()
        self._pending: deque[_Request] = deque()
        self._generation = 0
        self._closing = False

        self._ready = threading.Event()
        self._unavailable_reason: str | None = None
        self._audio_problem: str | None = None
        self._voices: tuple[VoiceInfo, ...] = ()
        self._default_voice_id: str | None = None
        # Worker-only state.
        self._synth: Pyttsx3Synth | None = None
        self._choices: dict[str, VoiceChoice] = {}
        self._tmpdir: Path | None = None
        self._counter = itertools.count(1)

        self._thread = threading.Thread(target=self._run, name="pictovoz-speech", daemon=True)
        self._thread.start()

    # ----- public API (any thread) -----

    def say(self, text: str, lang: str, *, interrupt: bool = False) -> Future[SpeechResult]:
        """Speak `text` aloud in `lang` ("es", "en"). With `interrupt`, first stop() what is
        playing and drop what is waiting (a new message replaces the old one)."""
        return self._enqueue(text, lang, None, interrupt)

    def save_to_wav(
        self, text: str, lang: str, path: str | os.PathLike[str]
    ) -> Future[SpeechResult]:
        """Write `text` spoken in `lang` to the WAV file `path`. The folder must exist. The file
        appears complete or not at all (it is written aside, then renamed)."""
        return self._enqueue(text, lang, Path(path), False)

    def stop(self) -> None:
        """Stop what is playing and complete every waiting request as STOPPED. A synthesis in
        progress runs to its end (espeak cannot cancel it; it takes a fraction of a second for
        a sentence) and is thrown away."""
        with self._cond:
            dropped = self._drop_pending_locked()
        for req in dropped:
            _resolve(req.future, req.result(SpeechStatus.STOPPED, "stopped"))

    def set_rate(self, wpm: float) -> None:
        """Speaking rate in words per minute, clamped to 80-450. Applies to later requests."""
        with self._cond:
            self._rate = clamp_rate(wpm)

    def set_volume(self, volume: float) -> None:
        """Volume 0.0-1.0 (clamped). Applies to later requests."""
        with self._cond:
            self._volume = clamp_volume(volume)

    @property
    def rate(self) -> int:
        return self._rate

    @property
    def volume(self) -> float:
        return self._volume

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the engine has started (or failed to). True if speech is available."""
        self._ready.wait(timeout)
        return self.available is True

    @property
    def available(self) -> bool | None:
        """None while starting, then whether an engine is running."""
        if not self._ready.is_set():
            return None
        return self._unavailable_reason is None

    @property
    def unavailable_reason(self) -> str | None:
        """Why there is no speech, fit to show once to the user. None when speech works."""
        return self._unavailable_reason

    @property
    def audio_problem(self) -> str | None:
        """The first reason speaking aloud produced no sound (no player, no device), if any."""
        return self._audio_problem

    @property
    def voices(self) -> tuple[VoiceInfo, ...]:
        return self._voices

    def voice_for(self, lang: str) -> VoiceChoice | None:
        """The voice `lang` is spoken with. None until the engine has started, or without one."""
        if not self._voices:
            return None
        code = normalise_lang(lang)
        return pick_voice(
            self._voices,
            code,
            preferred_id=self._voice_ids.get(code),
            default_id=self._default_voice_id,
        )

    @property
    def is_running(self) -> bool:
        return self._thread.is_alive()

    def close(self, timeout: float = 10.0) -> bool:
        """Drop waiting requests (STOPPED), stop the current one, close the engine on its thread
        and join the thread. True once the thread has ended. Safe to call twice."""
        with self._cond:
            self._closing = True
            dropped = self._drop_pending_locked()
            self._cond.notify_all()
        for req in dropped:
            _resolve(req.future, req.result(SpeechStatus.STOPPED, "the speaker was closed"))
        if threading.current_thread() is self._thread:
            return False  # called from a done callback: the worker ends after this request
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- queue -----

    def _enqueue(
        self, text: str, lang: str, path: Path | None, interrupt: bool
    ) -> Future[SpeechResult]:
        future: Future[SpeechResult] = Future()
        dropped: list[_Request] = []
        with self._cond:
            closed = self._closing
            if interrupt and not closed:
                dropped = self._drop_pending_locked()
            req = _Request(
                str(text), normalise_lang(lang), path, self._rate, self._volume,
                self._generation, future,
            )  # fmt: skip
            if not closed:
                self._pending.append(req)
                self._cond.notify()
        for old in dropped:
            _resolve(old.future, old.result(SpeechStatus.STOPPED, "replaced by a newer message"))
        if closed:
            _resolve(future, req.result(SpeechStatus.UNAVAILABLE, "the speaker is closed"))
        return future

    def _drop_pending_locked(self) -> list[_Request]:
        self._generation += 1  # the request running now becomes stale and stops
        dropped = list(self._pending)
        self._pending.clear()
        return dropped

    def _is_stale(self, req: _Request) -> bool:
        return req.generation != self._generation

    def _take(self) -> _Request | None:
        with self._cond:
            while not self._pending and not self._closing:
                self._cond.wait()
            return self._pending.popleft() if self._pending else None

    # ----- worker -----

    def _run(self) -> None:
        self._start_engine()
        try:
            while (req := self._take()) is not None:
                if not req.future.set_running_or_notify_cancel():
                    continue  # cancelled by the caller while waiting
                try:
                    result = self._handle(req)
                except Exception as exc:  # the worker must survive anything a request does
                    log.exception("speech request failed")
                    result = req.result(SpeechStatus.FAILED, f"unexpected error: {exc}")
                _resolve(req.future, result)
        finally:
            self._stop_engine()

    def _start_engine(self) -> None:
        factory = self._engine_factory or engine_module.create_engine
        try:
            synth = factory()
            try:
                voices = tuple(synth.voices())
                default_id = synth.default_voice_id()
                if not voices:
                    raise engine_module.EngineUnavailable("the speech engine has no voices")
            except Exception:
                synth.close()
                raise
        except Exception as exc:  # any failure here means "no speech", never a crash
            self._unavailable_reason = f"Speech is not available: {exc}"
            log.warning("%s", self._unavailable_reason)
            self._ready.set()
            if self._on_unavailable:
                try:
                    self._on_unavailable(self._unavailable_reason)
                except Exception:
                    log.exception("on_unavailable callback failed")
            return
        self._synth, self._voices, self._default_voice_id = synth, voices, default_id
        self._tmpdir = Path(tempfile.mkdtemp(prefix="pictovoz-speech-"))
        if not self._player:
            log.warning("speaking aloud will be silent: %s", NO_PLAYER_MESSAGE)
        self._ready.set()

    def _stop_engine(self) -> None:
        if self._synth is not None:
            self._synth.close()
            self._synth = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    def _choice(self, lang: str) -> VoiceChoice | None:
        if lang not in self._choices:
            choice = self.voice_for(lang)
            if choice is None:
                return None
            if choice.fallback:
                log.warning("speech in %r: %s", lang, choice.reason)
            else:
                log.info("speech in %r: voice %r (%s)", lang, choice.voice_id, choice.reason)
            self._choices[lang] = choice
        return self._choices[lang]

    def _handle(self, req: _Request) -> SpeechResult:
        if self._synth is None:
            reason = self._unavailable_reason or "speech is not available"
            return req.result(SpeechStatus.UNAVAILABLE, reason)
        if self._is_stale(req):
            return req.result(SpeechStatus.STOPPED, "stopped")
        if not req.text.strip():
            return req.result(SpeechStatus.FAILED, "nothing to say: the text is empty")
        choice = self._choice(req.lang)
        voice_id = choice.voice_id if choice else None
        if req.path is not None:
            return self._save(req, req.path, voice_id)
        return self._speak(req, voice_id)

    def _synthesize(self, req: _Request, path: Path, voice_id: str | None) -> None:
        assert self._synth is not None
        self._synth.synthesize(req.text, path, voice_id=voice_id, rate=req.rate, volume=req.volume)

    def _save(self, req: _Request, target: Path, voice_id: str | None) -> SpeechResult:
        if not target.parent.is_dir():
            return req.result(SpeechStatus.FAILED, f"folder does not exist: {target.parent}")
        try:
            # Written aside in the same folder, then renamed: readers never see half a file.
            fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".wav", dir=target.parent)
            os.close(fd)
        except OSError as exc:
            return req.result(SpeechStatus.FAILED, f"cannot write in {target.parent}: {exc}")
        part = Path(name)
        try:
            self._synthesize(req, part, voice_id)
            if self._is_stale(req):
                return req.result(SpeechStatus.STOPPED, "stopped", voice_id=voice_id)
            os.replace(part, target)
        except (SynthesisError, OSError) as exc:
            log.warning("could not write %s: %s", target, exc)
            return req.result(SpeechStatus.FAILED, str(exc), voice_id=voice_id)
        finally:
            part.unlink(missing_ok=True)
        return req.result(SpeechStatus.DONE, path=target, voice_id=voice_id)

    def _speak(self, req: _Request, voice_id: str | None) -> SpeechResult:
        assert self._tmpdir is not None
        wav = self._tmpdir / f"say-{next(self._counter)}.wav"
        try:
            try:
                self._synthesize(req, wav, voice_id)
            except SynthesisError as exc:
                log.warning("could not speak %r: %s", req.text[:40], exc)
                return req.result(SpeechStatus.FAILED, str(exc), voice_id=voice_id)
            if self._is_stale(req):
                return req.result(SpeechStatus.STOPPED, "stopped", voice_id=voice_id)
            if not self._player:
                return self._no_audio(req, NO_PLAYER_MESSAGE, voice_id)
            outcome = play_wav(
                self._player,
                wav,
                should_stop=lambda: self._is_stale(req),
                timeout=wav_duration(wav) + PLAYBACK_SLACK_S,
            )
        finally:
            wav.unlink(missing_ok=True)
        if outcome.status is PlayStatus.STOPPED:
            return req.result(SpeechStatus.STOPPED, "stopped", voice_id=voice_id)
        if outcome.status is PlayStatus.FAILED:
            return self._no_audio(req, outcome.message, voice_id)
        return req.result(SpeechStatus.DONE, voice_id=voice_id)

    def _no_audio(self, req: _Request, message: str, voice_id: str | None) -> SpeechResult:
        if self._audio_problem is None:  # said once in the log; every result still carries it
            self._audio_problem = message
            log.warning("speaking aloud produced no sound: %s", message)
        return req.result(SpeechStatus.NO_AUDIO, message, voice_id=voice_id)
