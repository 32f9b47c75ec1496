"""app.speech with the real pyttsx3 + espeak-ng: real WAVs, real voices, a real worker thread.

Needs the Debian packages espeak-ng and libespeak-ng1 (packaging/system-deps.sh). Timeouts are
generous and only keep a broken build from hanging. No test asserts on wall time.

There is no sound device here or in CI. So playback is tested with a stand-in player: a real
subprocess that opens the WAV the module made, logs it and exits, or blocks until it is killed.
"""

from __future__ import annotations

import array
import os
import sys
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.core.keywords import Lang
from app.speech import EngineUnavailable, Speaker, SpeechStatus, VoiceInfo, pick_voice
from app.speech import engine as engine_module

TIMEOUT = 120.0  # seconds; a hang guard, not a performance claim

STAND_IN_PLAYER = """
import os, sys, time, wave
from pathlib import Path
log, block, wav = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
with wave.open(wav) as w:
    frames, rate = w.getnframes(), w.getframerate()
with log.open("a") as f:
    f.write(f"{os.getpid()} {frames} {rate}\\n")
if block.exists():
    time.sleep(600)
"""


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met before the hang guard"
        time.sleep(0.02)


def wav_info(path: Path) -> tuple[int, int, int, int, array.array]:
    with wave.open(str(path), "rb") as wav:
        samples = array.array("h", wav.readframes(wav.getnframes()))
        return wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes(), samples


def duration(path: Path) -> float:
    _, _, rate, frames, _ = wav_info(path)
    return frames / rate


def peak(path: Path) -> int:
    return max(abs(s) for s in wav_info(path)[4])


def played(log: Path) -> list[tuple[int, int, int]]:
    """(pid, frames, sample rate) per WAV the stand-in player received."""
    if not log.exists():
        return []
    return [tuple(map(int, line.split())) for line in log.read_text().splitlines()]  # type: ignore[misc]


@pytest.fixture
def make_speaker() -> Iterator[Callable[..., Speaker]]:
    made: list[Speaker] = []

    def make(**kwargs: object) -> Speaker:
        speaker = Speaker(**kwargs)  # type: ignore[arg-type]
        made.append(speaker)
        assert speaker.wait_ready(TIMEOUT), speaker.unavailable_reason
        return speaker

    yield make
    for speaker in made:
        assert speaker.close(TIMEOUT)


@pytest.fixture
def stand_in(tmp_path: Path) -> tuple[list[str], Path, Path]:
    """(player command, log of played WAVs, block switch: while it exists the player blocks)."""
    script = tmp_path / "player.py"
    script.write_text(STAND_IN_PLAYER)
    log, block = tmp_path / "played.log", tmp_path / "block"
    return [sys.executable, str(script), str(log), str(block)], log, block


# ----- WAV output -----


def test_save_to_wav_writes_a_real_wav_that_grows_with_the_text(make_speaker, tmp_path):
    speaker = make_speaker()
    short, long = tmp_path / "short.wav", tmp_path / "long.wav"
    r_short = speaker.save_to_wav("Agua.", "es", short).result(TIMEOUT)
    r_long = speaker.save_to_wav(
        "Quiero beber un vaso de agua fresca porque tengo mucha sed esta tarde.", "es", long
    ).result(TIMEOUT)

    assert r_short.status is SpeechStatus.DONE, r_short.message
    assert r_long.status is SpeechStatus.DONE, r_long.message
    assert r_short.path == short and r_short.ok
    for path in (short, long):
        head = path.read_bytes()[:12]
        assert head[:4] == b"RIFF" and head[8:12] == b"WAVE"
        channels, width, rate, frames, _ = wav_info(path)
        assert (channels, width) == (1, 2)
        assert 8000 <= rate <= 48000
        assert frames > 0
        assert peak(path) > 1000  # speech, not silence
    assert duration(long) > 2 * duration(short)
    # Written aside then renamed: no partial or temporary files are left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.wav", "short.wav"]


def test_spanish_and_english_get_different_installed_voices(make_speaker, tmp_path):
    speaker = make_speaker()
    es, en = speaker.voice_for(Lang.ES), speaker.voice_for("en")
    assert es is not None and en is not None
    assert not es.fallback and not en.fallback
    assert es.voice_id != en.voice_id
    assert any(code.split("-")[0] == "es" for code in es.voice.languages)
    assert any(code.split("-")[0] == "en" for code in en.voice.languages)

    r_es = speaker.save_to_wav("agua", "es", tmp_path / "es.wav").result(TIMEOUT)
    r_en = speaker.save_to_wav("agua", "en", tmp_path / "en.wav").result(TIMEOUT)
    assert (r_es.voice_id, r_en.voice_id) == (es.voice_id, en.voice_id)
    # The voice really changed: the same word comes out as different audio.
    assert (tmp_path / "es.wav").read_bytes() != (tmp_path / "en.wav").read_bytes()

    # A language with no voice falls back to a working voice, marked as such.
    other = speaker.voice_for("xx")
    assert other is not None and other.fallback and other.voice is not None
    r_xx = speaker.save_to_wav("agua", "xx", tmp_path / "xx.wav").result(TIMEOUT)
    assert r_xx.status is SpeechStatus.DONE and r_xx.voice_id == other.voice_id


def test_pick_voice_rules_on_espeak_like_voices():
    voices = [
        VoiceInfo("gmw/en-029", "English (Caribbean)", ("en-029",)),
        VoiceInfo("gmw/en", "English (Great Britain)", ("en-gb",)),
        VoiceInfo("gmw/en-us", "English (America)", ("en-us",)),
        VoiceInfo("roa/es", "Spanish (Spain)", ("es",)),
        VoiceInfo("roa/es-419", "Spanish (Latin America)", ("es-419",)),
    ]
    assert pick_voice(voices, "es").voice_id == "roa/es"
    assert pick_voice(voices, "en").voice_id == "gmw/en"  # the id names the base language
    assert pick_voice(voices, "en_US").voice_id == "gmw/en-us"
    assert pick_voice(voices, "es-419").voice_id == "roa/es-419"
    region = pick_voice(voices, "es-mx")  # no Mexican voice: the base language's
    assert region.voice_id == "roa/es" and not region.fallback
    assert pick_voice(voices, "es", preferred_id="roa/es-419").voice_id == "roa/es-419"
    assert pick_voice(voices, "es", preferred_id="not/installed").voice_id == "roa/es"
    fallback = pick_voice(voices, "de", default_id="gmw/en")
    assert fallback.fallback and fallback.voice_id == "gmw/en" and "de" in fallback.reason
    by_name = [VoiceInfo("voice-7", "Spanish female", ())]  # drivers that report no languages
    assert pick_voice(by_name, "es").voice_id == "voice-7"
    assert pick_voice([], "es").voice is None


# ----- queue -----


def test_queued_requests_all_complete_in_order_without_mixing(make_speaker, tmp_path):
    speaker = make_speaker()
    words = {"es": ["uno", "dos", "tres", "cuatro"], "en": ["one", "two", "three", "four"]}
    counts = [1, 4, 9, 16]  # words per sentence: each longer than the one before
    jobs, futures, done_order = [], [], []
    for i, count in enumerate(counts):
        for lang in ("es", "en"):
            text = " ".join(words[lang][j % 4] for j in range(count)) + "."
            path = tmp_path / f"{lang}-{i}.wav"
            future = speaker.save_to_wav(text, lang, path)
            n = len(futures)
            future.add_done_callback(lambda _f, n=n: done_order.append(n))
            jobs.append((lang, i, path))
            futures.append(future)

    results = [f.result(TIMEOUT) for f in futures]
    wait_until(lambda: len(done_order) == len(futures))
    assert done_order == list(range(len(futures)))
    for (lang, _, path), result in zip(jobs, results, strict=True):
        assert result.status is SpeechStatus.DONE, result.message
        assert result.path == path and result.lang == lang
        assert result.voice_id == speaker.voice_for(lang).voice_id
    for lang in ("es", "en"):
        lengths = [duration(path) for (j_lang, _, path) in jobs if j_lang == lang]
        assert lengths == sorted(lengths) and len(set(lengths)) == len(lengths), lengths


def test_rate_and_volume_change_the_audio(make_speaker, tmp_path):
    speaker = make_speaker()
    text = "Quiero beber agua fresca ahora mismo, por favor."

    def render(name: str) -> Path:
        result = speaker.save_to_wav(text, "es", tmp_path / name).result(TIMEOUT)
        assert result.status is SpeechStatus.DONE, result.message
        return tmp_path / name

    speaker.set_rate(100)
    slow = render("slow.wav")
    speaker.set_rate(300)
    fast = render("fast.wav")
    assert duration(slow) > 1.8 * duration(fast)

    speaker.set_rate(175)
    loud = render("loud.wav")
    speaker.set_volume(0.2)
    quiet = render("quiet.wav")
    assert peak(quiet) < 0.5 * peak(loud)

    speaker.set_rate(10_000)
    speaker.set_volume(3.0)
    assert (speaker.rate, speaker.volume) == (450, 1.0)
    speaker.set_rate(1)
    speaker.set_volume(-1)
    assert (speaker.rate, speaker.volume) == (80, 0.0)


def test_a_failed_request_is_reported_and_the_queue_goes_on(make_speaker, tmp_path):
    speaker = make_speaker()
    missing = speaker.save_to_wav("hola", "es", tmp_path / "missing" / "x.wav")
    empty = speaker.save_to_wav("   ", "es", tmp_path / "empty.wav")
    good = speaker.save_to_wav("hola", "es", tmp_path / "good.wav")

    r_missing, r_empty, r_good = (f.result(TIMEOUT) for f in (missing, empty, good))
    assert r_missing.status is SpeechStatus.FAILED and "does not exist" in r_missing.message
    assert r_empty.status is SpeechStatus.FAILED and "empty" in r_empty.message
    assert r_good.status is SpeechStatus.DONE
    assert not (tmp_path / "empty.wav").exists()


# ----- speaking aloud -----


def test_say_plays_the_synthesised_wav(make_speaker, stand_in):
    player, log, _ = stand_in
    speaker = make_speaker(player=player)
    result = speaker.say("Hola, ¿qué tal?", "es").result(TIMEOUT)
    assert result.status is SpeechStatus.DONE, result.message
    assert result.voice_id == speaker.voice_for("es").voice_id
    [(_, frames, rate)] = played(log)
    assert frames > 0 and 8000 <= rate <= 48000
    assert speaker.audio_problem is None


def test_say_without_sound_output_reports_no_audio_and_keeps_working(make_speaker, tmp_path):
    # Like `aplay` on a machine with no sound card: it starts, fails and says why.
    no_device = [sys.executable, "-c", "import sys; sys.exit('audio open error: no sound card')"]
    speaker = make_speaker(player=no_device)
    first = speaker.say("hola", "es").result(TIMEOUT)
    second = speaker.say("adiós", "es").result(TIMEOUT)
    assert first.status is SpeechStatus.NO_AUDIO and "no sound card" in first.message
    assert second.status is SpeechStatus.NO_AUDIO
    assert speaker.audio_problem == first.message
    saved = speaker.save_to_wav("hola", "es", tmp_path / "still.wav").result(TIMEOUT)
    assert saved.status is SpeechStatus.DONE


def test_say_with_no_player_installed(make_speaker):
    speaker = make_speaker(player=())
    result = speaker.say("hello", "en").result(TIMEOUT)
    assert result.status is SpeechStatus.NO_AUDIO and "alsa-utils" in result.message


def test_say_with_the_player_found_on_this_machine(make_speaker):
    # Volume 0: silent even where a sound card exists. Without one it must report, not hang.
    speaker = make_speaker(volume=0.0)
    result = speaker.say("hola", "es").result(TIMEOUT)
    assert result.status in (SpeechStatus.DONE, SpeechStatus.NO_AUDIO), result.message
    if result.status is SpeechStatus.NO_AUDIO:
        assert result.message and speaker.audio_problem == result.message


def test_stop_stops_playback_and_clears_the_queue(make_speaker, stand_in, tmp_path):
    player, log, block = stand_in
    block.touch()
    speaker = make_speaker(player=player)
    current = speaker.say("Esta frase se corta.", "es")
    wait_until(lambda: len(played(log)) == 1)  # the player is running
    waiting = [speaker.save_to_wav(f"frase {i}", "es", tmp_path / f"q{i}.wav") for i in range(3)]
    waiting.append(speaker.say("Tampoco esta.", "es"))

    speaker.stop()
    assert current.result(TIMEOUT).status is SpeechStatus.STOPPED
    assert [f.result(TIMEOUT).status for f in waiting] == [SpeechStatus.STOPPED] * 4
    assert not any((tmp_path / f"q{i}.wav").exists() for i in range(3))
    [(pid, _, _)] = played(log)
    with pytest.raises(ProcessLookupError):  # the player was killed and reaped
        os.kill(pid, 0)

    block.unlink()
    after = speaker.say("Después sí.", "es").result(TIMEOUT)
    assert after.status is SpeechStatus.DONE  # stop() does not affect later requests
    assert len(played(log)) == 2


def test_say_interrupt_replaces_what_is_playing_and_waiting(make_speaker, stand_in, tmp_path):
    player, log, block = stand_in
    block.touch()
    speaker = make_speaker(player=player)
    old = speaker.say("Uno.", "es")
    wait_until(lambda: len(played(log)) == 1)
    waiting = speaker.save_to_wav("Dos.", "es", tmp_path / "dos.wav")
    block.unlink()
    new = speaker.say("Tres.", "es", interrupt=True)

    assert old.result(TIMEOUT).status is SpeechStatus.STOPPED
    r_waiting = waiting.result(TIMEOUT)
    assert r_waiting.status is SpeechStatus.STOPPED and "newer" in r_waiting.message
    assert new.result(TIMEOUT).status is SpeechStatus.DONE
    assert len(played(log)) == 2 and not (tmp_path / "dos.wav").exists()


# ----- no engine, lifecycle -----


def test_no_engine_makes_every_request_complete_as_unavailable(monkeypatch, tmp_path):
    # A stand-in is needed here. The real failure (no libespeak-ng) cannot happen inside a test
    # run on a machine that has the library, and pyttsx3 loads it once per process. So the engine
    # factory fails the way pyttsx3 does when the library is missing.
    def broken_factory() -> engine_module.Pyttsx3Synth:
        raise EngineUnavailable(
            "This means you probably do not have eSpeak or eSpeak-ng installed!"
        )

    monkeypatch.setattr(engine_module, "create_engine", broken_factory)
    notices: list[str] = []
    speaker = Speaker(on_unavailable=notices.append)
    assert speaker.wait_ready(TIMEOUT) is False
    assert speaker.available is False
    assert "eSpeak" in (speaker.unavailable_reason or "")

    futures = [
        speaker.say("hola", "es"),
        speaker.save_to_wav("hola", "es", tmp_path / "x.wav"),
        speaker.say("hello", "en", interrupt=True),
    ]
    speaker.set_rate(200)
    speaker.stop()
    for future in futures:
        result = future.result(TIMEOUT)
        assert result.status in (SpeechStatus.UNAVAILABLE, SpeechStatus.STOPPED)
    late = speaker.say("otra", "es").result(TIMEOUT)
    assert late.status is SpeechStatus.UNAVAILABLE
    assert late.message == speaker.unavailable_reason
    assert notices == [speaker.unavailable_reason]  # said once
    assert speaker.voice_for("es") is None
    assert not (tmp_path / "x.wav").exists()
    assert speaker.close(TIMEOUT) and not speaker.is_running


def test_close_joins_the_worker_and_later_calls_complete_as_unavailable(tmp_path):
    speaker = Speaker()
    assert speaker.wait_ready(TIMEOUT), speaker.unavailable_reason
    pending = [speaker.save_to_wav(f"frase {i}", "es", tmp_path / f"{i}.wav") for i in range(3)]
    assert speaker.close(TIMEOUT) is True
    assert not speaker.is_running
    for future in pending:  # each one finished or was dropped; none is left hanging
        assert future.result(TIMEOUT).status in (SpeechStatus.DONE, SpeechStatus.STOPPED)
    late = speaker.say("hola", "es").result(TIMEOUT)
    assert late.status is SpeechStatus.UNAVAILABLE and "closed" in late.message
    assert speaker.close(TIMEOUT) is True  # closing twice is fine

    # The engine was released on the worker thread, so a new Speaker can own it.
    with Speaker() as again:
        assert again.wait_ready(TIMEOUT), again.unavailable_reason
        result = again.save_to_wav("otra vez", "es", tmp_path / "again.wav").result(TIMEOUT)
        assert result.status is SpeechStatus.DONE
    assert not again.is_running


def test_a_second_live_speaker_is_refused_with_a_reason(make_speaker, tmp_path):
    # espeak-ng has one process-wide callback: a second engine would take the first one's events.
    first = make_speaker()
    second = Speaker()
    try:
        assert second.wait_ready(TIMEOUT) is False
        assert "another Speaker" in (second.unavailable_reason or "")
    finally:
        assert second.close(TIMEOUT)
    result = first.save_to_wav("sigo aquí", "es", tmp_path / "first.wav").result(TIMEOUT)
    assert result.status is SpeechStatus.DONE
