"""What a model file is: its GGUF header read without gguf-py (the magic and the scalar/string
metadata, enough to recognise a model and its prompt style fast, at start-up) and its checksums."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from app.generation.llama_runtime import GGUF_MAGIC

log = logging.getLogger(__name__)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_HASH_BLOCK = 4 * 1024 * 1024


class ModelManagerError(RuntimeError):
    """A model operation failed; the message says why in words a caregiver can act on."""


class DownloadError(ModelManagerError):
    pass


class ChecksumError(DownloadError):
    pass


# GGUF value types (ggml's gguf.h): fixed sizes; 8 is a string, 9 an array.
_FIXED = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_SCALAR = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q"}
_SCALAR |= {11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_MAX_STRING = 1 << 20  # longer keys or values mean a corrupt file


def is_gguf(path: Path) -> bool:
    try:
        with Path(path).open("rb") as fh:
            return fh.read(4) == GGUF_MAGIC
    except OSError:
        return False


def gguf_metadata(path: Path, keys: Iterable[str] | None = None) -> dict[str, Any]:
    """Scalar and string metadata of a GGUF file (arrays are skipped), read from its header
    without gguf-py (its reader maps the whole file; this reads only the header). `keys` limits
    the result and lets the scan stop early. Raises ValueError for a file that is not GGUF v2/v3."""
    wanted = set(keys) if keys is not None else None
    found: dict[str, Any] = {}
    with Path(path).open("rb") as fh:
        magic, version = fh.read(4), _unpack(fh, "<I")
        if magic != GGUF_MAGIC or version not in (2, 3):
            raise ValueError(f"not a GGUF v2/v3 file: {path}")
        _unpack(fh, "<Q")  # tensor count
        for _ in range(_unpack(fh, "<Q")):
            key = _read_string(fh)
            vtype = _unpack(fh, "<I")
            if vtype == _ARRAY:
                _skip_array(fh)
                continue
            value = _read_string(fh) if vtype == _STRING else _read_scalar(fh, vtype)
            if wanted is None or key in wanted:
                found[key] = value
                if wanted is not None and wanted <= found.keys():
                    break
    return found


def gguf_tensor_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """Each tensor's shape, numpy order (outermost first), from the header alone: gguf-py's
    reader parses every metadata array (Gemma's 262k-word vocabulary) and takes ~9 s here."""
    shapes: dict[str, tuple[int, ...]] = {}
    with Path(path).open("rb") as fh:
        magic, version = fh.read(4), _unpack(fh, "<I")
        if magic != GGUF_MAGIC or version not in (2, 3):
            raise ValueError(f"not a GGUF v2/v3 file: {path}")
        n_tensors, n_kv = _unpack(fh, "<Q"), _unpack(fh, "<Q")
        for _ in range(n_kv):
            _read_string(fh)
            vtype = _unpack(fh, "<I")
            if vtype == _ARRAY:
                _skip_array(fh)
            elif vtype == _STRING:
                _read_string(fh)
            else:
                _read_scalar(fh, vtype)
        for _ in range(n_tensors):
            name = _read_string(fh)
            n_dims = _unpack(fh, "<I")
            if n_dims > 8:
                raise ValueError("corrupt GGUF header (too many dimensions)")
            dims = [_unpack(fh, "<Q") for _ in range(n_dims)]
            _unpack(fh, "<I")  # type
            _unpack(fh, "<Q")  # offset
            shapes[name] = tuple(reversed(dims))  # GGUF lists dimensions innermost first
    return shapes


def _unpack(fh: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize(fmt)
    data = fh.read(size)
    if len(data) != size:
        raise ValueError("truncated GGUF header")
    return struct.unpack(fmt, data)[0]


def _read_string(fh: BinaryIO) -> str:
    n = _unpack(fh, "<Q")
    if n > _MAX_STRING:
        raise ValueError("corrupt GGUF header (string too long)")
    data = fh.read(n)
    if len(data) != n:
        raise ValueError("truncated GGUF header")
    return data.decode("utf-8", "replace")


def _read_scalar(fh: BinaryIO, vtype: int) -> Any:
    if vtype not in _SCALAR:
        raise ValueError(f"unknown GGUF value type {vtype}")
    return _unpack(fh, _SCALAR[vtype])


def _skip_array(fh: BinaryIO) -> None:
    itype, count = _unpack(fh, "<I"), _unpack(fh, "<Q")
    if itype in _FIXED:
        fh.seek(_FIXED[itype] * count, os.SEEK_CUR)
    elif itype == _STRING:  # e.g. the tokenizer's vocabulary: lengths vary, skip one by one
        for _ in range(count):
            n = _unpack(fh, "<Q")
            if n > _MAX_STRING:
                raise ValueError("corrupt GGUF header (string too long)")
            fh.seek(n, os.SEEK_CUR)
    elif itype == _ARRAY:
        for _ in range(count):
            _skip_array(fh)
    else:
        raise ValueError(f"unknown GGUF array type {itype}")


# --- checks --------------------------------------------------------------------------------------
def file_hashes(path: Path) -> tuple[str, str]:
    """(sha256, git blob sha1) in one pass: the Hub's ETag is one or the other."""
    size = path.stat().st_size
    sha256, sha1 = hashlib.sha256(), hashlib.sha1(f"blob {size}\0".encode())
    with path.open("rb") as fh:
        while block := fh.read(_HASH_BLOCK):
            sha256.update(block)
            sha1.update(block)
    return sha256.hexdigest(), sha1.hexdigest()


def _verify(path: Path, hub_etag: str | None, expected_sha256: str | None) -> str:
    """Return the file's sha256 after checking it against the Hub and the user; raise
    ChecksumError (and delete nothing: the caller decides) on any mismatch."""
    sha256, sha1 = file_hashes(path)
    etag = (hub_etag or "").lower()
    if _SHA256.match(etag) and etag != sha256:
        raise ChecksumError(
            f"{path.name}: sha256 {sha256} does not match the Hub's {etag} (corrupt download)"
        )
    if _SHA1.match(etag) and etag != sha1:
        raise ChecksumError(f"{path.name}: git sha1 {sha1} does not match the Hub's {etag}")
    if not (_SHA256.match(etag) or _SHA1.match(etag)):
        log.warning("The Hub sent no checksum for %s (ETag %r)", path.name, hub_etag)
    if expected_sha256 and expected_sha256.lower() != sha256:
        raise ChecksumError(
            f"{path.name}: sha256 {sha256} does not match the expected {expected_sha256.lower()}"
        )
    if not is_gguf(path):
        raise ChecksumError(f"{path.name} is not a GGUF model file (bad header)")
    return sha256
