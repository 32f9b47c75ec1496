"""Download every pictogram of the open board set, with a Qt progress dialog: the same work as
`pictovoz prefetch`, on a worker thread, cancellable, resumable (what was fetched stays cached)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtWidgets import QProgressDialog, QWidget

from app.boards.model import BoardSet
from app.pictograms.cache import PictogramCache
from app.session.prefetch import PrefetchReport, prefetch_board_set
from app.ui.workers import MainThreadInbox


class PrefetchDialog(QProgressDialog):
    def __init__(
        self,
        board_set: BoardSet,
        cache: PictogramCache,
        on_done: Callable[[PrefetchReport], None],
        parent: QWidget | None = None,
        title: str = "Pictograms",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.report: PrefetchReport | None = None
        self._on_done = on_done
        self._cancel = threading.Event()
        self._inbox = MainThreadInbox(self)
        self.canceled.connect(self._cancel.set)
        self._thread = threading.Thread(
            target=self._run, args=(board_set, cache), name="prefetch", daemon=True
        )
        self._thread.start()

    def _run(self, board_set: BoardSet, cache: PictogramCache) -> None:
        report = prefetch_board_set(
            board_set,
            cache,
            progress=lambda done, total, label: self._inbox.post(
                self._progress, done, total, label
            ),
            cancel=self._cancel,
        )
        self._inbox.post(self._finished, report)

    def _progress(self, done: int, total: int, label: str) -> None:
        self.setMaximum(max(total, 1))
        self.setValue(done)
        self.setLabelText(f"{done} / {total}: {label}")

    def _finished(self, report: PrefetchReport) -> None:
        self.report = report
        self.setValue(self.maximum())
        self.setLabelText(report.summary())
        self._on_done(report)
        self.close()

    def wait(self, timeout_s: float = 30.0) -> bool:
        self._thread.join(timeout_s)
        return not self._thread.is_alive()
