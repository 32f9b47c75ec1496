"""Hand work from worker threads to the thread that owns the session.

Workers `post` a call; the owner `drain`s them on its own thread (the window drains from a Qt
timer, tests drain in their wait loops). Qt-free, so the application layer never emits Qt
signals from Python threads (that crashed PySide6 6.12 at interpreter exit).
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Any


class Inbox:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[Callable[..., Any], tuple[Any, ...]]] = (
            queue.SimpleQueue()
        )

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        self._queue.put((fn, args))

    def drain(self) -> int:
        """Run every posted call, in order, on the calling thread; returns how many ran."""
        ran = 0
        while True:
            try:
                fn, args = self._queue.get_nowait()
            except queue.Empty:
                return ran
            fn(*args)
            ran += 1
