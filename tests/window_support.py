"""Opening the real communicator window in tests (offscreen, pytest-qt)."""

from __future__ import annotations


def open_window(qtbot, *, with_model: bool = False):
    """A window on the current user folder, shown; with the model, once the model is loaded."""
    from app.ui.launcher import build_window

    window = build_window(with_speech=False, with_model=with_model)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    if window.session.engine is not None:
        qtbot.waitUntil(lambda: window.model_ready, timeout=60_000)
    return window
