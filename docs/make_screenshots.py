"""Screenshots of the communicator as a user's screen shows it, into docs/screenshots/.

    for size in 1366x768 1024x600; do
        Xvfb :99 -screen 0 ${size}x24 & sleep 1
        DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python docs/make_screenshots.py
        kill %1
    done

Runs under a real X server at the screen's size (the window fits itself to it), with the
embedded model, the default boards and the test suite's local ARASAAC server, whose pictures are
placeholders that show the pictogram id (ARASAAC's images are not committed and its servers are
not reachable from every machine). For each language: the window after three taps, and the
same with switch scanning lighting the first candidate; then, for a user who said "Quiero ir
al baño." three times, the window after "yo querer": the row completes the message.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PICTOVOZ_HOME", str(Path(tempfile.gettempdir()) / "pictovoz-shots"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from arasaac_server import FakeArasaac  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.history import PhraseStore  # noqa: E402
from app.core.paths import config_dir  # noqa: E402
from app.session.scanning import Switch  # noqa: E402
from app.ui.launcher import build_window, dispose  # noqa: E402

OUT = Path(__file__).resolve().parent / "screenshots"
TAPS = {"es": ["yo", "querer", "beber"], "en": ["I", "want", "drink"]}
SAID = {  # a message the user said before (the completion shot), and what they tap again
    "es": ("Quiero ir al baño.", ("yo", "querer", "ir", "baño"), 2),
    "en": ("I want to go to the toilet.", ("I", "want", "go", "toilet"), 2),
}


def wait(app: QApplication, condition, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def settle(app: QApplication, seconds: float) -> None:
    wait(app, lambda: False, seconds)


def shoot(app: QApplication, name: str) -> None:
    screen = QApplication.primaryScreen()
    size = screen.size()
    path = OUT / f"{name}-{size.width()}x{size.height()}.png"
    screen.grabWindow(0).save(str(path))
    sys.stdout.write(f"wrote {path}\n")


def main() -> int:
    app = QApplication.instance() or QApplication([])
    OUT.mkdir(parents=True, exist_ok=True)
    with FakeArasaac() as server:
        for lang, taps in TAPS.items():
            settings = {
                "language": lang,
                "decoding": {"seed": 1},
                "pictogram_api_url": server.base_url,
                "scan_switches": 2,  # the highlight moves only when the script says so
            }
            config_dir().mkdir(parents=True, exist_ok=True)
            (config_dir() / "settings.json").write_text(json.dumps(settings))
            window = build_window(with_speech=False)
            window.fit_to_screen()
            window.showMaximized()
            wait(app, lambda w=window: w.model_ready)
            settle(app, 1.0)  # the pictures arrive from the local server
            tap(app, window, taps)
            shoot(app, f"main-{lang}")
            window.session.set_access(scanning=True)
            settle(app, 0.2)
            scanning = window.access.scanning
            for _ in range(20):  # row by row down to the sentences, then into that row
                if window.candidate_list in scanning.lit_widgets():
                    break
                scanning.press(Switch.NEXT)
            scanning.press(Switch.SELECT)
            settle(app, 0.3)
            shoot(app, f"scanning-{lang}")
            dispose(window)

            text, keywords, typed = SAID[lang]
            store = PhraseStore.load()
            store.clear_history(lang)
            for _ in range(3):
                store.add_spoken(text, lang, keywords)
            window = build_window(with_speech=False)
            window.fit_to_screen()
            window.showMaximized()
            wait(app, lambda w=window: w.model_ready)
            settle(app, 1.0)
            tap(app, window, keywords[:typed])
            shoot(app, f"completion-{lang}")
            dispose(window)
            store.clear_history(lang)
    return 0


def tap(app: QApplication, window, labels) -> None:
    """Tap these cells of the open board, then wait for the candidates and their pictures."""
    for label in labels:
        cell = next(c for _, _, c in window.comm.board.iter_cells() if c.label == label)
        window.press_cell(cell)
    wait(app, lambda: window.last_result is not None)
    settle(app, 0.5)


if __name__ == "__main__":
    raise SystemExit(main())
