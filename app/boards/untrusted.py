"""Reading files we did not write: size-capped reads, limited JSON, and bounded zip archives.

The one place for the rules every board reader applies to input (our board files, OBF/OBZ
packages, AsTeRICS backups): a file's size is checked before it is read, JSON nesting is
bounded, and a zip's members are checked (names, links, sizes, encryption) before any is read.
Nothing here extracts to disk. Callers pass the error class their users see and their limits.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from app.boards.model import BoardError


def read_file_limited(
    path: Path, max_bytes: int, kind: str = "files", error: type[BoardError] = BoardError
) -> bytes:
    """The bytes of `path`, refusing (before reading) a file over `max_bytes`. `kind` names what
    the limit is for in the message ("board files are at most ...")."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise error(f"{path.name} is {size} bytes; {kind} are at most {max_bytes}.")
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)  # the file may grow between stat and read
    if len(data) > max_bytes:
        raise error(f"{path.name} is larger than {max_bytes} bytes; {kind} are at most that.")
    return data


def json_depth(value: Any, stop_at: int) -> int:
    """Nesting depth of a parsed JSON value, counted without recursion (stops past stop_at)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > stop_at:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def parse_json(
    data: bytes,
    what: str,
    *,
    max_depth: int,
    error: type[BoardError] = BoardError,
    unique_keys: bool = False,
) -> Any:
    """Parse untrusted JSON bytes (UTF-8, BOM allowed) nested at most `max_depth` deep.
    `unique_keys`: a key repeated in one object is an error (two ids for one thing)."""
    hook = _no_duplicate_keys if unique_keys else None
    try:
        value = json.loads(data.decode("utf-8-sig"), object_pairs_hook=hook)
    except RecursionError:
        raise error(f"{what} is nested too deeply to be a board.") from None
    except _DuplicateKey as exc:
        raise error(f"{what} has a duplicate key {exc.args[0]!r}; ids must be unique.") from None
    except UnicodeDecodeError as exc:
        raise error(f"{what} is not UTF-8 text ({exc.reason}).") from None
    except ValueError as exc:
        raise error(f"{what} is not valid JSON ({exc}).") from None
    if json_depth(value, max_depth) > max_depth:
        raise error(f"{what} is nested more than {max_depth} levels deep.")
    return value


# --- zip archives ------------------------------------------------------------------------------


def safe_member_name(name: str) -> bool:
    """A relative POSIX path that stays inside the archive (no `..`, drive or backslash)."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    if re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in PurePosixPath(name).parts


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    # Unix zips keep the file mode in the high 16 bits of external_attr.
    return stat.S_ISLNK(info.external_attr >> 16)


class LimitedZip:
    """Bounded, validated access to a zip archive's members (nothing is extracted).

    Opening refuses the whole archive for what is never innocent: an oversized archive, too
    many members, a member whose name leaves the archive, a symbolic link, a repeated name,
    encryption, a member or a total that unpacks past the limits (zip bombs)."""

    def __init__(
        self,
        path: Path,
        *,
        max_archive_bytes: int,
        max_member_bytes: int,
        max_total_bytes: int,
        max_members: int,
        error: type[BoardError] = BoardError,
        kind: str = "packages",
        file_kind: str = "zip",
    ) -> None:
        path = Path(path)
        self.name = path.name
        self.error = error
        self.max_member_bytes = max_member_bytes
        size = path.stat().st_size
        if size > max_archive_bytes:
            raise error(f"{path.name} is {size} bytes; {kind} are at most {max_archive_bytes}.")
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise error(f"{path.name} is not a valid {file_kind} file ({exc}).") from None
        try:
            self.members = self._check(self.zf.infolist(), max_members, max_total_bytes)
        except BaseException:
            self.zf.close()
            raise

    def _check(
        self, infos: list[zipfile.ZipInfo], max_members: int, max_total_bytes: int
    ) -> dict[str, zipfile.ZipInfo]:
        name, error = self.name, self.error
        if len(infos) > max_members:
            raise error(f"{name} has {len(infos)} files; at most {max_members}.")
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            if not safe_member_name(info.filename):
                raise error(
                    f"{name} contains an unsafe path {info.filename!r} (it would be written "
                    "outside the import folder); the package was rejected."
                )
            if _is_symlink(info):
                raise error(
                    f"{name} contains a symbolic link ({info.filename!r}); the package was "
                    "rejected."
                )
            if info.filename in members:
                raise error(f"{name} contains {info.filename!r} twice.")
            if info.flag_bits & 0x1:
                raise error(f"{name} is encrypted; PictoVoz cannot read it.")
            if info.file_size > self.max_member_bytes:
                raise error(
                    f"{info.filename} in {name} is {info.file_size} bytes; "
                    f"files in a package are at most {self.max_member_bytes}."
                )
            total += info.file_size
            members[info.filename] = info
        if total > max_total_bytes:
            raise error(f"{name} unpacks to {total} bytes; at most {max_total_bytes}.")
        return members

    def read(self, member: str) -> bytes:
        info = self.members.get(member)
        if info is None:
            raise self.error(f"{self.name} has no {member!r}.")
        try:
            with self.zf.open(info) as fh:
                # The declared size can lie: read one byte past the limit to catch that.
                data = fh.read(self.max_member_bytes + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise self.error(f"{member} in {self.name} is damaged ({exc}).") from None
        if len(data) > self.max_member_bytes:
            raise self.error(
                f"{member} in {self.name} is larger than {self.max_member_bytes} bytes."
            )
        return data

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> LimitedZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
