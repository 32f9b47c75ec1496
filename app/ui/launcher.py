"""Start the communicator: settings, boards, history, the engine, pictograms, speech, window."""

from __future__ import annotations

import logging
import signal
import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.boards.storage import open_user_boards
from app.core import instance
from app.core.files import remove_stale_temp_files
from app.core.history import PhraseStore
from app.core.settings import Settings, load_settings, settings_path
from app.generation import SentenceGenerator
from app.pictograms.cache import PictogramCache, bundled_dirs
from app.pictograms.client import ArasaacClient
from app.session.engine_worker import EngineWorker
from app.session.session import Session
from app.ui import single_window
from app.ui.main_window import MainWindow
from app.ui.texts import text
from app.ui.workers import MainThreadInbox, PictogramLoader

log = logging.getLogger(__name__)


def make_speaker(settings: Settings):
    """The TTS worker, or None when the speech module cannot start (the window shows text)."""
    try:
        from app.speech import Speaker
    except ImportError as exc:
        log.warning("Speech is unavailable: %s", exc)
        return None
    options = {"rate": settings.speech_rate} if settings.speech_rate > 0 else {}
    # the voice chosen per language in the settings dialog
    return Speaker(volume=settings.speech_volume, voice_ids=settings.voices, **options)


def build_window(*, with_model: bool = True, with_speech: bool = True) -> MainWindow:
    loaded = load_settings()
    settings = loaded.settings
    boards = open_user_boards(settings.language)
    phrases = PhraseStore.load()
    client = ArasaacClient(base_url=settings.pictogram_api_url)
    cache = PictogramCache(
        client if settings.pictogram_downloads else None, fallback_dirs=bundled_dirs()
    )
    inbox = MainThreadInbox()
    engine = None
    if with_model:
        engine = EngineWorker(
            SentenceGenerator.from_settings(settings), inbox.post, keep_one_model_copy=True
        )
    speaker = make_speaker(settings) if with_speech else None
    session = Session(
        settings,
        boards.board_set,
        phrases,
        settings_path=settings_path(),
        engine=engine,
        speaker=speaker,
        post=inbox.post,
    )
    if with_speech and speaker is None:
        session.report_speech(False, "the text-to-speech module is missing")
    window = MainWindow(session, pictograms=PictogramLoader(cache), inbox=inbox)
    for message in (*loaded.notices, boards.message, phrases.message):
        if message:
            session.add_notice(message)
    return window


def launch(argv: list[str] | None = None) -> int:
    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("PictoVoz")
    try:
        lock = instance.acquire()  # held until exit: one PictoVoz per data folder
    except instance.AlreadyRunningError:
        if not single_window.ask_running_to_show():  # it comes to the front: nothing to say
            lang = load_settings().settings.language
            QMessageBox.information(None, "PictoVoz", text(lang, "already_open"))
        return 0
    except OSError as exc:  # a read-only data folder: run, but saving will say it failed
        log.warning("No single-instance lock (%s)", exc)
        lock = None
    removed = remove_stale_temp_files()  # left by a crash or a power cut
    if removed:
        log.info("Removed %d stale temporary files", len(removed))
    try:
        window = build_window()
    except Exception as exc:  # show it instead of vanishing: the user may not see a console
        log.exception("PictoVoz could not start")
        QMessageBox.critical(None, "PictoVoz", f"PictoVoz could not start:\n{exc}")
        return 1
    window.fit_to_screen()
    window.showMaximized()
    log.info("Window shown")
    listener = single_window.listen(lambda: bring_forward(window))
    stop = _quit_on_signals(app)
    code = app.exec()
    stop.stop()
    if listener is not None:
        listener.close()
    dispose(window)
    if lock is not None:
        lock.release()
    return code


def bring_forward(window: MainWindow) -> None:
    """Another start of PictoVoz on the same folder: show this window instead."""
    log.info("Another start asked for this window: bringing it forward")
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


def _quit_on_signals(app: QApplication) -> QTimer:
    """SIGTERM/SIGINT (a logout, Ctrl+C in a terminal) close the window the normal way, so the
    boards and history are saved. Python runs signal handlers only when it gets control, so a
    timer hands it control a few times a second while Qt's loop runs."""

    def request_quit(signum, _frame) -> None:
        log.info("Signal %s: closing", signum)
        app.closeAllWindows()
        app.quit()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, request_quit)
    timer = QTimer()
    timer.timeout.connect(lambda: None)
    timer.start(200)
    return timer


def dispose(window: MainWindow) -> None:
    """Close and delete the window while Qt is still running. Left to the interpreter's exit,
    PySide6 6.12 sometimes crashed deleting it ("Fatal Python error: none_dealloc")."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
