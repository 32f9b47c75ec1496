"""Run under a real X server (`python tests/fit_probe.py`): open the communicator as `make run`
does and print, as JSON, where its parts lie on the screen. tests/test_desktop.py reads it."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication


def settle(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main() -> None:
    app = QApplication([])
    from app.session.session import Status
    from app.ui.launcher import build_window, dispose

    w = build_window(with_model=False, with_speech=False)
    w.fit_to_screen()
    w.showMaximized()
    for label in ("yo", "querer", "beber"):
        w.press_cell(next(c for _, _, c in w.comm.board.iter_cells() if c.label == label))
    w.add_marker("past")
    settle(app, 1.0)  # the debounced request (no model here: the raw keywords) has come back
    # A full side panel: three long sentences and a full prediction row, as a model gives them.
    from app.generation.candidates import Candidate, GenerationResult

    sentences = ["Ayer yo quería beber un vaso de agua fría en la cocina."] * 3
    w.session._finish(
        GenerationResult([Candidate(t, -0.1 * i, 9) for i, t in enumerate(sentences)], "es", ())
    )
    vocabulary = list(w.session.predictor.vocabulary)
    w.session._update_predictions({v: -i for i, v in enumerate(vocabulary)})  # as the model
    settle(app, 1.0)
    screen = QRect(QPoint(0, 0), w.screen().size())
    # The first start's "preparing" panel must fit too (a window that grew past the screen
    # for it would stay too tall after it hides).
    w.session.status = Status("loading")
    w.render_status()
    settle(app, 0.3)
    minimum_loading = list(w.minimumSizeHint().toTuple())
    w.session.status = Status()
    w.render_status()
    w.render_predictions()
    w.fit_to_screen()
    settle(app, 0.5)

    def on_screen(widget) -> bool:
        rect = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        return widget.isVisible() and screen.contains(rect)

    def visible(widget) -> bool:  # inside the screen and not scrolled away
        return on_screen(widget) and not widget.visibleRegion().isEmpty()

    tiles = list(w.board_view.tiles.values())
    cands = w.candidate_list
    report = {
        "screen": list(w.screen().size().toTuple()),
        "window": list(w.frameGeometry().getRect()),
        "minimum": list(w.minimumSizeHint().toTuple()),
        "minimum_loading": minimum_loading,
        "tiles": len(tiles),
        "tiles_visible": sum(visible(t) for t in tiles),
        "tile_size": list(tiles[0].size().toTuple()),
        "strip": visible(w.strip_view),
        "strip_tiles": len(w.strip_view.tiles),
        "markers": all(visible(b) for b in w.marker_buttons.values()),
        "candidates": visible(cands),
        "candidate_rows": [
            cands.visualItemRect(cands.item(i)).height() for i in range(cands.count())
        ],
        "buttons": all(
            visible(b)
            for b in (
                w.home_button,
                w.backspace_button,
                w.clear_button,
                w.speak_keywords_button,
                w.pin_button,
                w.unpin_button,
            )
        ),
        "predictions": len(w.prediction_row.tiles),
        "predictions_visible": sum(visible(t) for t in w.prediction_row.tiles),
        "prediction_size": [list(t.size().toTuple()) for t in w.prediction_row.tiles[:1]],
        "attribution": visible(w.attribution),
    }
    if len(sys.argv) > 1:
        w.screen().grabWindow(0).save(sys.argv[1])
    dispose(w)
    sys.stdout.write("FIT " + json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
