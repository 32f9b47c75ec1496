"""`pictovoz --self-test`: prove an installation works, headless, in a few seconds.

Loads the model and generates for one keyword list per language, renders the window to a PNG,
synthesises one sentence to a WAV. Exits 0 only if all of that worked; says what failed.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

CHECK_INPUTS = {"es": "yo querer beber agua", "en": "I want drink water"}


def _check_model(report: Callable[[bool, str], None]) -> bool:
    from app.core.keywords import prepare_keywords
    from app.core.settings import load_settings
    from app.generation import ModelLoadError, SentenceGenerator

    gen = SentenceGenerator.from_settings(load_settings().settings)
    try:
        gen.load()
    except ModelLoadError as exc:
        report(False, f"model: {exc}")
        return False
    ok = True
    for lang, keywords in CHECK_INPUTS.items():
        result = gen.generate(prepare_keywords(keywords, lang))
        good = bool(result.candidates) and not result.fallback
        ok &= good
        report(good, f"generate {lang} '{keywords}' -> {result.texts} ({result.total_s:.2f} s)")
    gen.close()
    return ok


def _check_window(out_dir: Path, report: Callable[[bool, str], None]) -> bool:
    from PySide6.QtWidgets import QApplication

    from app.ui.launcher import build_window, dispose

    app = QApplication.instance() or QApplication([])
    window = build_window(with_model=False, with_speech=False)
    window.show()
    for label in ("yo", "I"):
        cell = next((c for _, _, c in window.comm.board.iter_cells() if c.label == label), None)
        if cell is not None:
            window.press_cell(cell)
    app.processEvents()
    png = out_dir / "self-test-window.png"
    saved = window.grab().save(str(png))
    dispose(window)
    ok = saved and png.stat().st_size > 10_000
    report(ok, f"window rendered to {png} ({png.stat().st_size if png.exists() else 0} bytes)")
    return ok


def _check_speech(out_dir: Path, report: Callable[[bool, str], None]) -> bool:
    from app.speech import Speaker

    wav = out_dir / "self-test-speech.wav"
    speaker = Speaker(player=())  # no playback: the self-test only writes the WAV
    try:
        speaker.wait_ready(30)
        if not speaker.available:
            report(False, f"speech: {speaker.unavailable_reason}")
            return False
        outcome = speaker.save_to_wav("Quiero beber agua.", "es", wav).result(timeout=60)
    finally:
        speaker.close()
    frames = 0
    if wav.exists():
        with wave.open(str(wav)) as w:
            frames = w.getnframes()
    ok = frames > 0
    report(ok, f"speech WAV {wav} ({frames} frames; {outcome})")
    return ok


def run_self_test(out_dir: Path | None = None) -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out_dir = Path(out_dir or tempfile.mkdtemp(prefix="pictovoz-selftest-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []

    def report(ok: bool, line: str) -> None:
        sys.stdout.write(f"[{'ok' if ok else 'FAIL'}] {line}\n")
        sys.stdout.flush()
        if not ok:
            failures.append(line)

    start = time.perf_counter()
    for name, check in (
        ("model", lambda: _check_model(report)),
        ("window", lambda: _check_window(out_dir, report)),
        ("speech", lambda: _check_speech(out_dir, report)),
    ):
        try:
            check()
        except Exception as exc:  # a self-test reports every failure, it does not stop at one
            log.exception("self-test %s crashed", name)
            report(False, f"{name}: {type(exc).__name__}: {exc}")
    verdict = "passed" if not failures else f"FAILED ({len(failures)} checks)"
    sys.stdout.write(f"self-test {verdict} in {time.perf_counter() - start:.1f} s\n")
    return 0 if not failures else 1
