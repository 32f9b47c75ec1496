"""Render the caregiver screens into docs/screenshots/ (no model), at a laptop's screen size:

    Xvfb :99 -screen 0 1366x768x24 &
    DISPLAY=:99 .venv/bin/python docs/make_caregiver_screenshots.py

- edit-mode.png: the board editor on the Spanish home board, a cell selected;
- high-contrast.png: the window in the high-contrast theme with large text, scanning on.

Each picture is made in its own process, in a throw-away user folder; pictograms appear only
if they are cached.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"
SHOTS = ("edit-mode", "high-contrast")


def wait(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def render(shot: str) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from PySide6.QtWidgets import QApplication

    from app.ui.launcher import build_window, dispose

    app = QApplication.instance() or QApplication([])
    window = build_window(with_speech=False, with_model=False)
    window.fit_to_screen()  # the screen's size: run under Xvfb at 1366x768 (see the docstring)
    window.showMaximized()
    wait(app, 0.5)
    path = OUT / f"{shot}.png"
    if shot == "edit-mode":
        editor = window.caregiver.show_editor()  # the lock is tested elsewhere
        wait(app, 0.3)
        cell = window.comm.board.cell_at(0, 7)
        editor.select_cell(cell.id)
        editor.message.setText("Casilla cambiada y guardada.")
        wait(app, 0.3)
        editor.grab().save(str(path))
        editor.close()
    else:
        for label in ("yo", "querer"):
            window.press_cell(
                next(c for _, _, c in window.comm.board.iter_cells() if c.label == label)
            )
        wait(app, 0.5)
        scan = window.access.scanning
        scan.stop_timer()  # a still picture: the second row lit
        scan.scanner.tick()
        scan.refresh()
        wait(app, 0.2)
        window.grab().save(str(path))
    dispose(window)
    wait(app, 0.2)
    return path


def main() -> int:
    if len(sys.argv) == 2 and sys.argv[1] in SHOTS:
        sys.stdout.write(f"wrote {render(sys.argv[1])}\n")
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for shot in SHOTS:
        home = Path(tempfile.mkdtemp(prefix="pictovoz-shots-"))
        (home / "config").mkdir()
        settings: dict[str, object] = {"pictogram_downloads": False}
        if shot == "high-contrast":
            settings |= {"high_contrast": True, "large_text": True, "scan_mode": "row-column"}
        (home / "config" / "settings.json").write_text(json.dumps(settings))
        platform = "xcb" if os.environ.get("DISPLAY") else "offscreen"
        env = {**os.environ, "PICTOVOZ_HOME": str(home), "QT_QPA_PLATFORM": platform}
        subprocess.run([sys.executable, __file__, shot], env=env, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
