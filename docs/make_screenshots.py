"""Render the main window in Spanish and English into docs/screenshots/ (offscreen).

    .venv/bin/python docs/make_screenshots.py

Uses a throw-away user folder, the embedded model and the default boards; pictograms appear only
if they are cached (ARASAAC is not reachable from every machine; the labels show otherwise).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PICTOVOZ_HOME", tempfile.mkdtemp(prefix="pictovoz-shots-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication

from app.core.settings import DecodingSettings, load_settings, save_settings
from app.ui.launcher import build_window, dispose

OUT = Path(__file__).resolve().parent / "screenshots"
TAPS = {"es": ["yo", "querer", "beber"], "en": ["I", "want", "drink"]}


def wait(app: QApplication, condition, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main() -> int:
    app = QApplication.instance() or QApplication([])
    OUT.mkdir(parents=True, exist_ok=True)
    settings = load_settings().settings
    settings.language, settings.decoding = next(iter(TAPS)), DecodingSettings(seed=1)
    save_settings(settings)
    # One window for both languages: two windows in one process crashed PySide6 6.12 at exit.
    window = build_window(with_speech=False)
    window.resize(1100, 820)
    window.show()
    for lang, taps in TAPS.items():
        if window.lang != lang:
            window.switch_language()
        wait(app, lambda w=window: w.model_ready)
        time.sleep(1.0)  # the new language's prompt prefix warms up in the background
        window.session.last_result = None
        for label in taps:
            cell = next(c for _, _, c in window.comm.board.iter_cells() if c.label == label)
            window.press_cell(cell)
        wait(app, lambda w=window: w.last_result is not None and not w._debounce.isActive())
        if window.candidates:
            window.speak_candidate(0)
        app.processEvents()
        path = OUT / f"main-{lang}.png"
        window.grab().save(str(path))
        sys.stdout.write(f"wrote {path}\n")
    dispose(window)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
