"""The application layer without widgets: tap -> strip -> request -> candidates -> speak ->
history, language switch, settings changes on the engine's thread, caregiver edits. The model
tests run the real embedded Gemma on its own engine thread; they assert properties that hold on
any CPU (llama.cpp is built for the local CPU, so sampled words differ between machines)."""

from __future__ import annotations

import json
import threading
import time
import wave

import pytest

from app.boards.storage import load_default_boards, read_board_set, user_boards_path
from app.core.history import PhraseStore
from app.core.keywords import prepare_keywords
from app.core.settings import DecodingSettings, Settings, load_settings
from app.generation import SentenceGenerator
from app.session.engine_worker import THREAD_NAME, EngineWorker
from app.session.inbox import Inbox
from app.session.session import Change, Session

SENTENCE_START = "¿¡"


def well_formed(text: str) -> bool:
    """A sentence: it opens with a capital (after Spanish ¿/¡) and ends with . ? or !"""
    body = text.lstrip(SENTENCE_START)
    return bool(body) and body[0].isupper() and text[-1] in ".?!…"


def cell(session: Session, label: str):
    return next(c for _, _, c in session.comm.board.iter_cells() if c.label == label)


def wait_for(inbox: Inbox, condition, timeout_s: float = 60.0) -> None:
    """Drain the inbox on this (the session's) thread until `condition()` holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        inbox.drain()
        time.sleep(0.005)


class RecordingGenerator(SentenceGenerator):
    """The real generator, noting which thread generates and which sets the decoding."""

    def __init__(self, *args, **kwargs) -> None:
        self.threads_seen: dict[str, set[str]] = {"generate": set(), "decoding": set()}
        super().__init__(*args, **kwargs)

    @property
    def decoding(self) -> DecodingSettings:
        return self._decoding

    @decoding.setter
    def decoding(self, value: DecodingSettings) -> None:
        self.threads_seen["decoding"].add(threading.current_thread().name)
        self._decoding = value

    def generate(self, *args, **kwargs):
        self.threads_seen["generate"].add(threading.current_thread().name)
        return super().generate(*args, **kwargs)


@pytest.fixture
def phrases(tmp_path):
    return PhraseStore.load(tmp_path / "phrases.json")


@pytest.fixture
def engine_session(embedded_model, phrases, tmp_path):
    inbox = Inbox()
    gen = RecordingGenerator(embedded_model, decoding=DecodingSettings(seed=7))
    engine = EngineWorker(gen, inbox.post)
    session = Session(
        Settings(),
        load_default_boards("es"),
        phrases,
        settings_path=tmp_path / "settings.json",
        engine=engine,
    )
    wait_for(inbox, lambda: session.model_ready)
    yield session, inbox, gen
    session.close()


@pytest.mark.slow
def test_tap_strip_request_candidates_speak_history(engine_session, tmp_path):
    from app.speech import Speaker

    session, inbox, gen = engine_session
    heard = tmp_path / "heard.wav"
    session.speaker = Speaker(player=["sh", "-c", 'cp "$1" "$0"', str(heard)])
    changes: list[Change] = []
    session.subscribe(changes.append)
    for label in ("yo", "querer", "beber"):
        session.tap(cell(session, label))
    assert session.comm.strip.keywords == ["yo", "querer", "beber"]
    wait_for(inbox, lambda: session.last_result is not None)
    texts = [c.text for c in session.candidates]
    assert 1 <= len(texts) <= 3 and len(set(texts)) == len(texts)  # contradictions never shown
    assert all(well_formed(t) for t in texts), texts
    assert any(c.greedy for c in session.candidates)
    assert session.last_result.keywords == ("yo", "querer", "beber")
    assert any(Change.CANDIDATES in c for c in changes) and any(Change.STRIP in c for c in changes)
    assert gen.threads_seen["generate"] == {THREAD_NAME}  # never the session's thread

    session.speak_candidate(0)
    assert session.spoken == texts[0]
    assert session.phrases.recent("es")[0].text == texts[0]
    assert session.phrases.recent("es")[0].keywords == ("yo", "querer", "beber")
    deadline = time.monotonic() + 30
    while not heard.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with wave.open(str(heard)) as wav:
        assert wav.getnframes() > wav.getframerate() * 0.3  # espeak-ng said something
    session.speaker.close()


@pytest.mark.slow
def test_a_new_request_cancels_the_one_in_flight(embedded_model):
    """Two requests: the second arrives while the first is generating (after its first
    candidate), so the first stops early and only the second's result is complete."""
    results: dict[int, object] = {}
    first_candidates: list[int] = []
    done = threading.Event()
    worker: EngineWorker

    class Listener:
        def engine_loaded(self, description):
            pass

        def engine_load_failed(self, message):
            raise AssertionError(message)

        def engine_candidate(self, request_id, candidate):
            if request_id == 1 and not first_candidates:
                first_candidates.append(request_id)
                worker.request(prepare_keywords("yo querer agua", "es"), 3)  # a new tap

        def engine_finished(self, request_id, result):
            results[request_id] = result
            if request_id == 2:
                done.set()

        def engine_failed(self, request_id, message):
            raise AssertionError(message)

    # Calls are delivered on the engine thread here, so the second request lands mid-request.
    worker = EngineWorker(
        SentenceGenerator(embedded_model, decoding=DecodingSettings(seed=3)),
        lambda fn, *args: fn(*args),
        Listener(),
    )
    try:
        worker.load("es")
        first = worker.request(prepare_keywords("yo ir parque mañana con amigo", "es"), 5)
        assert first == 1
        assert done.wait(60)
    finally:
        worker.shutdown()
    assert results[1].cancelled and len(results[1].candidates) < 5
    assert not results[2].cancelled and 1 <= len(results[2].candidates) <= 3
    assert results[2].keywords == ("yo", "querer", "agua")


@pytest.mark.slow
def test_settings_change_while_a_request_runs_reaches_the_engine_on_its_thread(engine_session):
    session, inbox, gen = engine_session
    session.tap(cell(session, "yo"))
    session.tap(cell(session, "tener"))
    assert session.last_result is None  # the request is running on the engine thread
    gen.threads_seen["decoding"].clear()
    new = Settings(**{**vars(session.settings)})
    new.decoding = DecodingSettings(temperature=0.3, top_k=5, seed=9)
    session.apply_settings(new)
    assert session.status.key == "settings_saved"
    wait_for(inbox, lambda: session.last_result is not None)
    session.request_candidates()
    wait_for(inbox, lambda: session.last_result is not None)
    assert gen.threads_seen["decoding"] == {THREAD_NAME}  # never written from this thread
    assert gen.decoding.temperature == 0.3 and gen.decoding.top_k == 5
    assert json.loads((session.settings_path).read_text())["decoding"]["temperature"] == 0.3


def test_without_a_model_the_raw_keywords_are_offered_and_spoken(phrases):
    session = Session(Settings(), load_default_boards("es"), phrases)
    session.tap(cell(session, "yo"))
    session.tap(cell(session, "querer"))
    assert [c.text for c in session.candidates] == ["Yo querer."]
    assert session.status.key == "no_model"
    session.speak_best()
    assert session.spoken == "Yo querer." and session.phrases.recent("es")[0].text == "Yo querer."


def test_markers_backspace_remove_clear(phrases):
    session = Session(Settings(), load_default_boards("es"), phrases)
    session.tap(cell(session, "yo"))
    session.add_marker("past")
    session.add_marker("question")
    assert session.comm.strip.keywords == ["yo", "pasado", "?"]
    session.backspace()
    session.remove_strip_item(0)
    assert session.comm.strip.keywords == ["pasado"]
    session.clear()
    assert session.comm.strip.empty and session.candidates == []


def test_language_switch_changes_boards_saves_the_setting_and_clears_the_strip(phrases, tmp_path):
    path = tmp_path / "settings.json"
    session = Session(Settings(), load_default_boards("es"), phrases, settings_path=path)
    session.tap(cell(session, "yo"))
    session.switch_language()
    assert session.lang == "en" and session.settings.language == "en"
    assert session.comm.strip.empty and session.candidates == []
    assert any(c.label == "I" for _, _, c in session.comm.board.iter_cells())
    assert load_settings(path).settings.language == "en"
    assert session.marker_word("past") == "past"


def test_a_caregiver_edit_is_saved_and_undone(phrases):
    session = Session(Settings(), load_default_boards("es"), phrases)
    seen: list[Change] = []
    session.subscribe(seen.append)
    editor = session.open_editor()
    target = (
        cell(session, "agua")
        if any(c.label == "agua" for _, _, c in session.comm.board.iter_cells())
        else cell(session, "yo")
    )
    original = target.label
    editor.relabel(session.comm.board.id, target.id, "zumo")
    session.boards_edited()
    saved = read_board_set(user_boards_path("es"))
    assert saved.board(session.comm.board.id).find_cell(target.id).label == "zumo"
    assert Change.BOARD in seen[-1]
    editor.undo()
    session.boards_edited()
    assert session.comm.board.find_cell(target.id).label == original
    saved = read_board_set(user_boards_path("es"))
    assert saved.board(session.comm.board.id).find_cell(target.id).label == original


def test_resolved_pictogram_ids_are_remembered_in_the_cells_and_saved(phrases):
    session = Session(Settings(), load_default_boards("es"), phrases)
    board = session.comm.board
    blank = next((c for _, _, c in board.iter_cells() if c.pictogram_id is None), None)
    if blank is None:
        pytest.skip("every default cell has a pinned pictogram id")
    assert session.picture_resolved(board.id, blank.id, 2349, "/tmp/x.png")
    assert blank.pictogram_id == 2349 and session.pictures[2349] == "/tmp/x.png"
    session.close()
    assert read_board_set(user_boards_path("es")).board(board.id).find_cell(
        blank.id
    ).pictogram_id == (2349)


def test_failed_saves_become_notices_that_stay_until_dismissed(tmp_path):
    """A read-only or broken data folder: the user is told where they acted, nothing claims
    "saved", and the sentence is still spoken and listed for this session."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    phrases = PhraseStore.load(blocker / "phrases.json")
    session = Session(
        Settings(), load_default_boards("es"), phrases, settings_path=blocker / "settings.json"
    )
    session.tap(cell(session, "yo"))
    session.speak_best()
    assert session.spoken == "Yo."
    assert session.phrases.recent("es")[0].text == "Yo."  # kept in memory
    assert len(session.notices) == 1 and "could not be saved" in session.notices[0]
    new = Settings(**{**vars(session.settings)})
    new.n_candidates = 2
    session.apply_settings(new)
    assert session.status.key != "settings_saved"
    assert any("No se pudo guardar" in n for n in session.notices)
    session.request_candidates()  # the next request does not wipe the notices
    assert len(session.notices) == 2
    session.dismiss_notices()
    assert session.notices == []


@pytest.mark.slow
def test_when_audio_cannot_play_the_user_sees_it_until_it_works(phrases, tmp_path):
    """No sound device: espeak-ng writes the audio, the player fails. The screen says so (the
    sentence is still shown large), and the notice goes once sound plays again."""
    from app.speech import Speaker

    inbox = Inbox()
    broken = Speaker(player=["sh", "-c", "echo 'audio open error' >&2; exit 1"])
    session = Session(Settings(), load_default_boards("es"), phrases, post=inbox.post)
    session.speaker = broken
    session.tap(cell(session, "yo"))
    session.speak_best()
    assert session.spoken == "Yo."
    wait_for(inbox, lambda: session.speech_problem is not None, 30)
    assert "No se pudo reproducir el sonido" in session.speech_problem
    assert "audio open error" in session.speech_problem
    broken.close()
    heard = tmp_path / "heard.wav"
    session.speaker = Speaker(player=["sh", "-c", 'cp "$1" "$0"', str(heard)])
    session.speak_best()
    wait_for(inbox, lambda: session.speech_problem is None, 30)
    assert heard.exists()
    session.speaker.close()


def test_favourites_are_removed_and_reordered_and_history_cleared(phrases):
    session = Session(Settings(), load_default_boards("es"), phrases)
    for words in ("Hola.", "Gracias.", "Quiero agua."):
        session.speak_phrase(words)
        session.pin(words)
    assert [p.text for p in phrases.pinned("es")] == ["Hola.", "Gracias.", "Quiero agua."]
    session.move_favourite("Quiero agua.", -1)
    session.move_favourite("Quiero agua.", -1)
    session.move_favourite("Quiero agua.", -1)  # already first: nothing happens
    assert [p.text for p in phrases.pinned("es")] == ["Quiero agua.", "Hola.", "Gracias."]
    session.unpin("Hola.")
    assert [p.text for p in phrases.pinned("es")] == ["Quiero agua.", "Gracias."]
    session.clear_history()
    assert phrases.recent("es") == [] and len(phrases.pinned("es")) == 2
    again = PhraseStore.load(phrases.path)  # saved
    assert again.recent("es") == [] and again.pinned("es")[0].text == "Quiero agua."
