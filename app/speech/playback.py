"""Playing a synthesised WAV through an audio player we start and can stop.

Why not pyttsx3's own say(): its espeak driver plays with `os.system("aplay ...")` on espeak's
thread, so the audio cannot be stopped (espeak_Cancel just waits for it), and a missing `aplay`
or sound device only prints to the console. A player subprocess that we own can be killed by
stop(), and its exit status tells us whether any sound came out.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

log = logging.getLogger(__name__)

# Tried in order. aplay (Debian package alsa-utils) is what pyttsx3 itself uses on Linux. It also
# reaches PulseAudio/PipeWire through their ALSA plugins. afplay ships with macOS.
PLAYERS: tuple[tuple[str, ...], ...] = (("aplay", "-q"), ("paplay",), ("pw-play",), ("afplay",))
NO_PLAYER_MESSAGE = (
    "no audio player found (looked for aplay, paplay, pw-play, afplay); "
    "on Debian/Ubuntu: apt-get install alsa-utils"
)
POLL_S = 0.02


def find_player() -> list[str] | None:
    for name, *args in PLAYERS:
        exe = shutil.which(name)
        if exe:
            return [exe, *args]
    return None


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / float(wav.getframerate() or 1)


class PlayStatus(StrEnum):
    PLAYED = "played"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass(frozen=True)
class PlayOutcome:
    status: PlayStatus
    message: str = ""


def _end(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def play_wav(
    command: Sequence[str], path: Path, *, should_stop: Callable[[], bool], timeout: float
) -> PlayOutcome:
    """Run `command + [path]` until it exits, `should_stop()` turns true, or `timeout` passes."""
    # stderr goes to a file, not a pipe: a chatty player cannot fill a pipe and block.
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(
                [*command, str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        except OSError as exc:
            return PlayOutcome(PlayStatus.FAILED, f"could not start {command[0]}: {exc}")
        deadline = time.monotonic() + timeout
        while proc.poll() is None:
            if should_stop():
                _end(proc)
                return PlayOutcome(PlayStatus.STOPPED)
            if time.monotonic() > deadline:
                _end(proc)
                return PlayOutcome(PlayStatus.FAILED, f"{command[0]} did not finish in time")
            time.sleep(POLL_S)
        if proc.returncode != 0:
            err.seek(0)
            # The last line is the player's own summary (ALSA prints its config noise first).
            lines = err.read()[-4000:].decode("utf-8", errors="replace").strip().splitlines()
            detail = lines[-1][:200] if lines else "no error output"
            name = Path(command[0]).name
            return PlayOutcome(
                PlayStatus.FAILED, f"{name} exited with status {proc.returncode}: {detail}"
            )
    return PlayOutcome(PlayStatus.PLAYED)
