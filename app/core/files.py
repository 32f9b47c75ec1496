"""Safe file writes: atomic replace, a kept backup, and bad files moved aside instead of lost.

Every temp file is named `.<target name>.<random>.tmp` in the target's folder (unique, so two
writers never share one); `remove_stale_temp_files` clears the ones a killed process left behind.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from app.core import paths

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".tmp"
# Ours: `.name.<random>.tmp` (and `.name.bak.tmp` from older versions). Hidden, so a user's
# own `notes.tmp` is never touched.
_TEMP_NAME = re.compile(r"^\..+\.tmp$")
STALE_TEMP_AGE_S = 3600.0  # a writer that is alive touches its temp file within seconds


def _temp_file(path: Path) -> tuple[int, Path]:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    return fd, Path(name)


def backup_path(path: Path) -> Path:
    """Where `atomic_write_*(..., backup=True)` keeps the previous content."""
    return path.with_name(path.name + ".bak")


def atomic_write_bytes(path: Path, data: bytes, *, backup: bool = False) -> None:
    """Write `data` so that `path` holds either the old or the new content, never half of one.

    With `backup`, the previous content is kept as `<name>.bak` (replaced atomically too).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temp_file(path)
    bak_tmp: Path | None = None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if backup:
            bak_tmp = _copy_to_temp(path)
            if bak_tmp is not None:
                os.replace(bak_tmp, backup_path(path))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        if bak_tmp is not None:
            bak_tmp.unlink(missing_ok=True)
        raise


def _copy_to_temp(path: Path) -> Path | None:
    """A uniquely named copy of `path` next to it, or None when `path` does not exist."""
    try:
        src = path.open("rb")
    except FileNotFoundError:  # first save, or another writer just replaced it: nothing to keep
        return None
    with src:
        fd, tmp = _temp_file(path)
        try:
            with os.fdopen(fd, "wb") as dst:
                shutil.copyfileobj(src, dst)
                dst.flush()
                os.fsync(dst.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return tmp


def atomic_write_text(path: Path, text: str, *, backup: bool = False) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), backup=backup)


def _unique_sibling(path: Path, tag: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{tag}-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.{tag}-{stamp}-{n}")
        n += 1
    return target


def move_aside(path: Path, reason: str) -> Path:
    """Keep a file we cannot read under a new name next to it, so nothing is overwritten."""
    path = Path(path)
    target = _unique_sibling(path, "bad")
    os.replace(path, target)
    log.warning("Kept unreadable %s aside as %s (%s)", path, target.name, reason)
    return target


def copy_aside(path: Path, reason: str, tag: str = "bad") -> Path:
    """Keep a copy of `path` under a new name next to it (`<name>.<tag>-<stamp>`), leaving the
    file in place: for a file we can partly read and will rewrite without its bad parts."""
    path = Path(path)
    target = _unique_sibling(path, tag)
    shutil.copyfile(path, target)
    log.warning("Kept a copy of %s as %s (%s)", path, target.name, reason)
    return target


def write_aside(path: Path, data: bytes, reason: str, tag: str) -> Path:
    """Write `data` to a new file `<name>.<tag>-<stamp>` next to `path` (atomically)."""
    path = Path(path)
    target = _unique_sibling(path, tag)
    atomic_write_bytes(target, data)
    log.warning("Wrote %s next to %s (%s)", target.name, path.name, reason)
    return target


def remove_stale_temp_files(
    roots: Iterable[Path] | None = None,
    *,
    max_age_s: float = STALE_TEMP_AGE_S,
    max_depth: int = 3,
    now: float | None = None,
) -> list[Path]:
    """Delete our temp files (`.<name>.<random>.tmp`) older than `max_age_s` under `roots`
    (default: PictoVoz's data, config and cache folders). Returns what was removed; a file that
    cannot be removed is logged and skipped. Safe while another writer runs: its temp file is
    younger than `max_age_s`."""
    if roots is None:
        roots = (paths.data_dir(), paths.config_dir(), paths.cache_dir())
    cutoff = (time.time() if now is None else now) - max_age_s
    removed: list[Path] = []
    for root in roots:
        for entry in _walk(Path(root), max_depth):
            try:
                if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                    continue
                os.unlink(entry.path)
            except FileNotFoundError:
                continue  # its writer finished (renamed it) meanwhile
            except OSError as exc:
                log.warning("Could not remove the leftover temp file %s: %s", entry.path, exc)
                continue
            removed.append(Path(entry.path))
    if removed:
        log.info("Removed %d leftover temp file(s)", len(removed))
    return removed


def _walk(root: Path, depth: int) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                if entry.is_symlink():
                    continue
                if entry.is_dir():
                    if depth > 1:
                        yield from _walk(Path(entry.path), depth - 1)
                elif _TEMP_NAME.match(entry.name) and entry.is_file():
                    yield entry
    except OSError:
        return  # a missing or unreadable folder has nothing of ours to clean


# --- OS file locks (advisory; released by the OS when the process dies, even by SIGKILL) ------


def try_lock(fh: IO[bytes]) -> bool:
    """Take an exclusive lock on an open file without waiting. False if another process has it."""
    if sys.platform == "win32":
        import msvcrt

        fh.seek(0)
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    return True


def unlock(fh: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextmanager
def file_lock(path: Path, timeout_s: float = 10.0) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing) for the duration of the block, so a
    check-then-write on a shared file is not interleaved with another process doing the same.
    Raises TimeoutError if it cannot be had within `timeout_s`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        deadline = time.monotonic() + timeout_s
        while not try_lock(fh):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path.name} stayed locked by another process")
            time.sleep(0.01)
        try:
            yield
        finally:
            unlock(fh)


# --- reading small JSON files we wrote ourselves (settings, history) ------------------------


class UnreadableFileError(ValueError):
    """A file that cannot be parsed or is not the shape we expect: handle like corruption."""


def read_json_file(path: Path, max_bytes: int) -> object:
    """Parse a JSON file, turning every way it can be broken (too big, not UTF-8, not JSON,
    nested past the parser's recursion limit) into UnreadableFileError. OSError passes through."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableFileError(f"it is {size} bytes, more than the {max_bytes} expected")
    raw = path.read_bytes()
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except RecursionError:
        raise UnreadableFileError("it is nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(f"it is not UTF-8 text ({exc.reason})") from None
    except ValueError as exc:
        raise UnreadableFileError(f"it is not valid JSON ({exc})") from None


def read_json_object(path: Path, max_bytes: int) -> dict:
    """A JSON object from a file of at most `max_bytes` (UnreadableFileError otherwise)."""
    data = read_json_file(path, max_bytes)
    if not isinstance(data, dict):
        raise UnreadableFileError("it is not a JSON object")
    return data


def keep_aside(path: Path, reason: str) -> str:
    """Move a bad file aside and say where it is, for the user (or that it stayed in place)."""
    try:
        return f"kept as {move_aside(path, reason).name}"
    except OSError as exc:
        log.warning("Could not move %s aside: %s", path, exc)
        return f"left in place as {path.name} (it could not be renamed: {exc.strerror or exc})"


def write_report_section(path: Path, name: str, body: str, title: str, first_line: str) -> None:
    """Replace one generated section of a Markdown report (between `<!-- name:start -->` and
    `<!-- name:end -->`), or add it under `## title`; the rest of the file is left as it is, so
    each benchmark and the evaluation own only their part (atomic write)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else f"{first_line}\n"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + f"\n\n## {title}\n\n" + block
    atomic_write_text(path, text.rstrip() + "\n")
