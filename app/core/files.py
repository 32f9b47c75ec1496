"""Safe file writes: atomic replace, a kept backup, and bad files moved aside instead of lost."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)


def atomic_write_bytes(path: Path, data: bytes, *, backup: bool = False) -> None:
    """Write `data` so that `path` holds either the old or the new content, never half of one.

    With `backup`, the previous content is kept as `<name>.bak` (replaced atomically too).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if backup and path.exists():
            bak = path.with_name(path.name + ".bak")
            bak_tmp = path.with_name(f".{path.name}.bak.tmp")
            bak_tmp.write_bytes(path.read_bytes())
            os.replace(bak_tmp, bak)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, *, backup: bool = False) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), backup=backup)


def move_aside(path: Path, reason: str) -> Path:
    """Keep a file we cannot read under a new name next to it, so nothing is overwritten."""
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bad-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.bad-{stamp}-{n}")
        n += 1
    os.replace(path, target)
    log.warning("Kept unreadable %s aside as %s (%s)", path, target.name, reason)
    return target
