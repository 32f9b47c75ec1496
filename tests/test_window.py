"""The communicator window, offscreen, with the real model (pytest-qt)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt, QTimer
from window_support import open_window

from app.boards.storage import user_boards_path
from app.core.paths import HOME_ENV

pytestmark = pytest.mark.slow


@pytest.fixture
def home(tmp_path, monkeypatch, embedded_model):
    """A fresh user: own boards, history and settings; the session's model file; no network."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    (tmp_path / "config").mkdir()
    settings = {
        "model_path": str(embedded_model),
        "pictogram_downloads": False,
        "decoding": {"seed": 5},
    }
    (tmp_path / "config" / "settings.json").write_text(json.dumps(settings))
    return tmp_path


def cell(window, label):
    return next(c for _, _, c in window.comm.board.iter_cells() if c.label == label)


def tap(qtbot, window, label):
    tile = window.board_view.tiles[f"{window.comm.board.id}/{cell(window, label).id}"]
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)


def test_taps_fill_the_strip_and_candidates_stream_in(qtbot, home):
    w = open_window(qtbot, with_model=True)
    for label in ("yo", "querer", "beber"):
        tap(qtbot, w, label)
    assert w.comm.strip.keywords == ["yo", "querer", "beber"]
    assert len(w.strip_view.tiles) == 3
    qtbot.waitUntil(lambda: w.last_result is not None, timeout=30_000)
    # Up to 3; a candidate that would contradict the message is never shown.
    assert 1 <= w.candidate_list.count() <= 3 and w.candidate_list.count() == len(w.candidates)
    assert w.first_candidate_latency is not None
    texts = [w.candidate_list.item(i).text() for i in range(w.candidate_list.count())]
    # Sampled words differ between CPUs: assert what holds on any machine.
    assert len(set(texts)) == len(texts)
    for t in texts:
        body = t.lstrip("¿¡")  # Spanish questions and exclamations open with ¿ / ¡
        assert body[0].isupper() and t[-1] in ".?!", texts

    w.speak_candidate(0)  # one tap on a candidate speaks it
    assert w.spoken_label.text() == texts[0]
    assert w.history_list.item(0).text() == texts[0]


def test_the_ui_thread_keeps_running_while_the_model_generates(qtbot, home):
    w = open_window(qtbot, with_model=True)
    tap(qtbot, w, "yo")
    tap(qtbot, w, "tener")
    qtbot.waitUntil(lambda: w.last_result is not None, timeout=30_000)
    ticks = []
    timer = QTimer(interval=5)
    timer.timeout.connect(lambda: ticks.append(w.last_result is None))
    timer.start()
    # No debounce here: the request starts now. Had it generated on this thread, the call would
    # return with the work done and the loop could not turn while it ran.
    w.session.request_candidates()
    qtbot.waitUntil(lambda: w.last_result is not None, timeout=30_000)
    timer.stop()
    assert sum(ticks) >= 3  # the event loop turned while the engine worked on its own thread


def test_a_new_tap_replaces_the_pending_request(qtbot, home):
    w = open_window(qtbot, with_model=True)
    tap(qtbot, w, "yo")
    tap(qtbot, w, "querer")
    qtbot.waitUntil(lambda: w.last_result is not None, timeout=30_000)
    assert w.last_result.keywords == ("yo", "querer")  # only the newest strip was decoded


def test_markers_backspace_remove_and_clear(qtbot, home):
    w = open_window(qtbot, with_model=False)
    tap(qtbot, w, "yo")
    w.add_marker("past")
    w.add_marker("question")
    assert w.comm.strip.keywords == ["yo", "pasado", "?"]
    w._backspace()
    w.strip_view.remove_requested.emit(0)
    assert w.comm.strip.keywords == ["pasado"]
    w._clear()
    assert w.comm.strip.empty and w.candidates == []


def test_without_a_model_the_raw_keywords_are_offered(qtbot, home):
    w = open_window(qtbot, with_model=False)
    tap(qtbot, w, "yo")
    tap(qtbot, w, "querer")
    qtbot.waitUntil(lambda: len(w.candidates) == 1, timeout=5_000)
    assert w.candidates[0].text == "Yo querer."
    w.speak_best()
    assert w.spoken_label.text() == "Yo querer."


def test_folders_and_breadcrumb(qtbot, home):
    w = open_window(qtbot, with_model=False)
    folder = next(c for _, _, c in w.comm.board.iter_cells() if c.link)
    w.press_cell(folder)
    assert w.comm.board.id == folder.link and w.back_button.isEnabled()
    assert " › " in w.breadcrumb.text()
    w._go_home()
    assert w.comm.board.id == w.comm.boards.root


def test_history_and_favourites_survive_a_restart(qtbot, home):
    w = open_window(qtbot, with_model=False)
    tap(qtbot, w, "yo")
    qtbot.waitUntil(lambda: bool(w.candidates), timeout=5_000)
    w.speak_candidate(0)
    w.pin_selected()
    spoken = w.spoken_label.text()
    w.close()
    again = open_window(qtbot, with_model=False)
    assert again.history_list.item(0).text() == spoken
    assert again.favourites_list.item(0).text() == spoken


def test_a_corrupt_board_file_does_not_crash_the_window(qtbot, home):
    path = user_boards_path("es")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"format": "pictovoz-boards", "boards": [tru')
    w = open_window(qtbot, with_model=False)
    assert w.comm.board.filled()  # the default boards opened
    assert "kept as" in w.notice_label.text() and w.notice_bar.isVisibleTo(w)
    assert any(p.name.startswith("es.json.bad-") for p in path.parent.iterdir())


def test_language_switch_changes_boards_and_words(qtbot, home):
    w = open_window(qtbot, with_model=False)
    w.switch_language()
    assert w.lang == "en" and w.settings.language == "en"
    assert any(c.label == "I" for _, _, c in w.comm.board.iter_cells())
    assert w.marker_buttons["past"].text() == "past"


def test_every_button_has_an_accessible_name(qtbot, home):
    from PySide6.QtWidgets import QAbstractButton

    w = open_window(qtbot, with_model=False)
    unnamed = [
        b for b in w.findChildren(QAbstractButton) if b.isVisible() and not b.accessibleName()
    ]
    assert unnamed == []


def test_a_tapped_candidate_is_spoken_by_espeak_into_a_real_wav(qtbot, home, tmp_path):
    import wave

    from app.speech import Speaker

    heard = tmp_path / "heard.wav"
    # No sound card here: the "player" keeps the WAV the speech module made and plays.
    speaker = Speaker(player=["sh", "-c", 'cp "$1" "$0"', str(heard)])
    w = open_window(qtbot, with_model=True)
    w.speaker = speaker
    for label in ("yo", "tener"):
        tap(qtbot, w, label)
    qtbot.waitUntil(
        lambda: w.last_result is not None and w.candidate_list.count() > 0, timeout=30_000
    )
    item = w.candidate_list.item(0)
    rect = w.candidate_list.visualItemRect(item)
    qtbot.mouseClick(w.candidate_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(heard.exists, timeout=30_000)
    with wave.open(str(heard)) as wav:
        assert wav.getnframes() > wav.getframerate() * 0.3  # a real utterance, not silence
    assert w.history_list.item(0).text() == item.text()
    speaker.close()
