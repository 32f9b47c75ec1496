"""One PictoVoz per data folder: two windows on the same boards and history would overwrite each
other's saves. An OS lock on `<data dir>/pictovoz.lock` (flock on POSIX, msvcrt on Windows) is
held for the life of the process; the OS drops it when the process ends, even when it is killed,
so a crash never leaves the app locked out.

    try:
        instance = acquire()
    except AlreadyRunningError as exc:
        show(exc.message)  # "PictoVoz is already open"
        return
    ...  # keep `instance` referenced until exit (closing it releases the lock)
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import IO

from app.core import paths
from app.core.files import try_lock, unlock

log = logging.getLogger(__name__)

LOCK_NAME = "pictovoz.lock"


class AlreadyRunningError(RuntimeError):
    """Another PictoVoz holds the lock. `pid` is its process id when it could be read."""

    def __init__(self, path: Path, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        self.message = "PictoVoz is already open."
        super().__init__(f"{self.message} (lock {path}, process {pid or 'unknown'})")


class InstanceLock:
    """The held lock. Release it with `release()` or by leaving a `with` block; it also goes
    when the process exits."""

    def __init__(self, path: Path, fh: IO[bytes]) -> None:
        self.path = path
        self._fh: IO[bytes] | None = fh

    @property
    def held(self) -> bool:
        return self._fh is not None

    def release(self) -> None:
        if self._fh is None:
            return
        try:
            unlock(self._fh)
        finally:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_path(data_dir: Path | None = None) -> Path:
    return Path(data_dir if data_dir is not None else paths.data_dir()) / LOCK_NAME


def acquire(data_dir: Path | None = None) -> InstanceLock:
    """Take the single-instance lock of `data_dir` (default: the user data dir) without waiting.

    Returns the held InstanceLock; raises AlreadyRunningError when another process holds it, and
    OSError when the lock file cannot be created (the caller may then run without the lock)."""
    path = lock_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    # "a+b": opening must not truncate, or a refused second copy would wipe the owner's pid.
    fh = open(path, "a+b")  # noqa: SIM115 - kept open for the life of the lock
    try:
        if not try_lock(fh):
            pid = _read_pid(path)
            fh.close()
            raise AlreadyRunningError(path, pid)
        _write_pid(fh)
    except BaseException:
        if not fh.closed:
            fh.close()
        raise
    log.info("Holding the instance lock %s", path)
    return InstanceLock(path, fh)


def _write_pid(fh: IO[bytes]) -> None:
    # Only a hint for the message; the lock itself is what counts.
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n".encode())
        fh.flush()
    except OSError as exc:
        log.debug("Could not write the pid into the lock file: %s", exc)


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:  # Windows refuses reads of a locked byte range
        return None
    return int(text) if text.isdigit() else None
