"""The pyttsx3 engine behind the Speaker. Every method here runs on the speech worker thread only.

Measured in this workplace with pyttsx3 2.99 and espeak-ng 1.51 (Debian 12), which shaped this:
- The espeak driver runs espeak in retrieval mode. Synthesis, writing the WAV and the
  `finished-utterance` callback all happen on espeak's own C thread, not the caller's.
- What `runAndWait()` does depends on hidden state. If the proxy is busy (as on the first call)
  it returns about 10 ms after starting synthesis: for 1960 characters (118 s of audio) the WAV
  did not exist yet, `IsPlaying()` was 1, and the callback came 0.1-0.35 s later. If the proxy is
  idle (after any earlier request) it blocks until the synthesis callback ends the driver loop. If
  that callback raises (the WAV cannot be written) it never ends the loop, and `runAndWait()`
  hangs forever.
- `say()` and `save_to_file()` only remember the last text. Two queued before one `runAndWait()`
  drop the first, and a bare `runAndWait()` synthesises the stale text again.
- `startLoop(False)` + `iterate()` raises TypeError (the driver's `iterate` is not a generator).
- `stop()` (espeak_Cancel) does not cut synthesis in retrieval mode. It blocked 0.5-2 s and the
  full WAV was still written, with `finished-utterance(completed=True)`.
- espeak queues SetParameter (rate, volume) in its command fifo, and the driver's endLoop calls
  espeak_Cancel while that fifo is busy, which drops the queued parameters: a request can then
  come out with the previous request's rate or volume.
- Utterance names are not passed to callbacks (always None), so a callback cannot say which
  request it belongs to. Requests must therefore never overlap.
- espeak has one process-wide synth callback, and the driver's `destroy()` fails to clear it
  (TypeError, which pyttsx3 swallows). So only the newest engine gets callbacks: one per process.

So for each request we: wait until espeak is idle; set voice, rate and volume right away and wait
until espeak is idle again (parameters applied); put the proxy in its busy state so save_to_file
and the `endLoop` that `runAndWait()` queues are pumped together (so `runAndWait()` only starts
synthesis and returns); then poll until both the callback's Event is set and `IsPlaying()` is 0.
Every wait has a timeout.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.speech.voices import VoiceInfo

log = logging.getLogger(__name__)

POLL_S = 0.01
# espeak idle without the finished callback for this long means the callback failed (it raised in
# C, which ctypes only prints). On success the callback comes before espeak turns idle.
SILENT_GRACE_S = 2.0
IDLE_WAIT_S = 30.0  # how long a request waits for a previous, timed-out synthesis to end

_live_lock = threading.Lock()
_live = False  # a Pyttsx3Synth exists in this process (see the module docstring)


class EngineUnavailable(RuntimeError):
    """No TTS engine can run here (no espeak-ng library, no voices, pyttsx3 missing)."""


class SynthesisError(RuntimeError):
    """One request could not be synthesised. The engine is still usable."""


def synthesis_timeout(text: str) -> float:
    """Generous on purpose: the driver collects audio into a bytes object that it extends again
    and again, which is quadratic (5880 characters took 2.3 s here, 1960 took 0.3 s)."""
    return 30.0 + len(text) / 50.0


class Pyttsx3Synth:
    """One pyttsx3 engine, created, used and closed on the speech worker thread."""

    def __init__(self, engine: Any, is_playing: Callable[[], bool]) -> None:
        self._engine = engine
        self._is_playing = is_playing
        self._finished = threading.Event()
        self._errors: list[str] = []
        # The callbacks run on espeak's own thread. They only record and never call the engine.
        self._tokens = [
            engine.connect("finished-utterance", self._on_finished),
            engine.connect("error", self._on_error),
        ]

    @property
    def driver_name(self) -> str:
        return str(self._engine.driver_name)

    def _on_finished(self, name: str | None = None, completed: bool = True) -> None:
        self._finished.set()

    def _on_error(self, name: str | None = None, exception: BaseException | None = None) -> None:
        self._errors.append(repr(exception))

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo.from_pyttsx3(v) for v in self._engine.getProperty("voices") or ()]

    def default_voice_id(self) -> str | None:
        voice = self._engine.getProperty("voice")
        return str(voice) if voice else None

    def _wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self._is_playing():
            if time.monotonic() > deadline:
                return False
            time.sleep(POLL_S)
        return True

    def synthesize(
        self, text: str, path: Path, *, voice_id: str | None, rate: int, volume: float
    ) -> None:
        """Write `text` spoken by `voice_id` to the WAV `path`. Returns once espeak is idle again.
        Raises SynthesisError (the engine stays usable)."""
        if not self._wait_idle(IDLE_WAIT_S):
            raise SynthesisError("the speech engine is still busy with an earlier request")
        self._finished.clear()
        self._errors.clear()
        engine = self._engine
        # Properties first, run at once on this thread (proxy idle). espeak queues rate and volume
        # in its own command fifo. Wait until it has applied them, because the endLoop that
        # runAndWait() pumps calls espeak_Cancel whenever espeak is busy, and that silently drops
        # queued parameters. Measured in a rate/volume sweep: without this wait, 15 of 30
        # requests came out with an earlier rate or volume; with it, 0 of 40.
        engine.proxy.setBusy(False)
        if voice_id:
            engine.setProperty("voice", voice_id)
        engine.setProperty("rate", rate)
        engine.setProperty("volume", volume)
        if not self._wait_idle(IDLE_WAIT_S):
            raise SynthesisError("the speech engine did not apply the voice settings")
        if self._errors:
            raise SynthesisError(f"speech engine error: {'; '.join(self._errors)}")
        # Then queue, don't run: with the proxy busy, save_to_file and runAndWait's endLoop are
        # pumped together, so runAndWait() starts synthesis and returns, and cannot hang.
        engine.proxy.setBusy(True)
        engine.save_to_file(text, str(path))
        try:
            engine.runAndWait()
        except Exception as exc:
            # runAndWait leaves its "in loop" flag set when synthesis fails to start. endLoop
            # (public) clears the flag and the driver queue so the next request can run.
            with contextlib.suppress(RuntimeError):
                engine.endLoop()
            raise SynthesisError(f"speech engine error: {exc}") from exc
        self._wait_finished(synthesis_timeout(text))
        if self._errors:
            raise SynthesisError(f"speech engine error: {'; '.join(self._errors)}")
        if not path.is_file() or path.stat().st_size <= 44:  # 44 bytes: a header and no audio
            raise SynthesisError("the speech engine wrote no audio")

    def _wait_finished(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        idle_since: float | None = None
        while True:
            playing = self._is_playing()
            finished = self._finished.is_set()
            if finished and not playing:
                return
            now = time.monotonic()
            if not playing and not finished:
                idle_since = idle_since if idle_since is not None else now
                if now - idle_since > SILENT_GRACE_S:
                    raise SynthesisError("the speech engine stopped without finishing (see log)")
            else:
                idle_since = None
            if now > deadline:
                raise SynthesisError(f"speech synthesis did not finish within {timeout:.0f} s")
            time.sleep(POLL_S)

    def close(self) -> None:
        global _live
        if self._engine is None:
            return
        for token in self._tokens:
            self._engine.disconnect(token)
        self._engine = None
        # pyttsx3's DriverProxy.__del__ sets espeak's process-wide callback to NULL. If the old
        # engine sat in a reference cycle, that ran at some later garbage collection, possibly
        # while the next Speaker was inside espeak_Synth: a segfault in _espeak.Synth (seen once
        # in a full test run). Collect now, before another engine may start.
        gc.collect()
        with _live_lock:
            _live = False


def _playing_probe(engine: Any) -> Callable[[], bool]:
    if engine.driver_name == "espeak":
        from pyttsx3.drivers import _espeak  # loaded already: the driver imported it

        return lambda: bool(_espeak.IsPlaying())
    # Other drivers (sapi5, nsss) finish inside runAndWait(); there is no separate state to poll.
    return lambda: False


def create_engine() -> Pyttsx3Synth:
    """The default engine factory (the Speaker looks it up when it starts, so tests can replace
    it). Raises EngineUnavailable with a message a user can act on."""
    global _live
    with _live_lock:
        if _live:
            raise EngineUnavailable(
                "another Speaker already owns the speech engine in this process "
                "(espeak-ng has one process-wide callback)"
            )
        try:
            import pyttsx3
        except ImportError as exc:
            raise EngineUnavailable("the pyttsx3 package is not installed") from exc
        try:
            # Engine(), not pyttsx3.init(): init() hands out a cached engine another thread may
            # hold, and this one must belong to the worker thread alone.
            engine = pyttsx3.Engine()
        except Exception as exc:
            raise EngineUnavailable(
                f"the speech engine could not start ({exc}). "
                "On Debian/Ubuntu: apt-get install espeak-ng libespeak-ng1"
            ) from exc
        synth = Pyttsx3Synth(engine, _playing_probe(engine))
        _live = True
    log.info("speech engine started: pyttsx3 driver %s", synth.driver_name)
    return synth
