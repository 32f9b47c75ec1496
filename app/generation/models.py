"""The model manager: GGUF files beyond the embedded one, and which one the app runs.

- `download_model`: a GGUF from the Hugging Face Hub (repo id + filename) into
  `<data>/models/hub/<owner>--<repo>/`, with huggingface-hub's progress bar; a dropped connection
  is resumed within the run from the last chunk received (an HTTP Range request; huggingface-hub
  2.x keeps no partial file between runs); the file is then checked against the
  Hub's checksum (the sha256 an LFS file's ETag carries, or the git blob sha1 of a small file),
  against an optional `sha256` given by the user, and for the GGUF magic. A file that fails a
  check is deleted, never registered, never used.
- `add_local_model`: a GGUF already on disk, referenced where it is or copied in.
- `use_model`: writes `model_path` and `model_style` into the settings.
- Each model gets a prompt style: our fine-tune (by file name or GGUF metadata) is "finetuned",
  anything else "few-shot". The choices live in `<data>/models/registry.json` (atomic writes).

Qt-free; huggingface-hub is imported only when downloading, so the CLI and the app start fast.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import logging
import os
import re
import shutil
import struct
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from app.core import paths
from app.core.files import atomic_write_text, move_aside
from app.core.settings import Settings, load_settings, save_settings
from app.generation.llama_runtime import GGUF_MAGIC
from app.generation.model_location import (
    ADAPTER_NAME,
    EMBEDDED_PACKAGE,
    MERGED_MODEL_NAME,
    bundled_models_dir,
)
from app.generation.prompts import PromptStyle

log = logging.getLogger(__name__)

REGISTRY_NAME = "registry.json"
REGISTRY_VERSION = 1
HUB_SUBDIR = "hub"
LOCAL_SUBDIR = "local"
DEFAULT_NAME = "default"  # `use default`: the merged fine-tune if present, else the embedded model
# Our GGUFs carry `pictovoz.*` keys (app/generation/lora.py writes the adapter's metadata there
# when it merges); `pictovoz.prompt_style`, when present, names the style outright.
OUR_KEY_PREFIX = "pictovoz."
OUR_STYLE_KEY = "pictovoz.prompt_style"
_OUR_NAME_KEYS = ("general.name", "general.basename", "general.finetune")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_HASH_BLOCK = 4 * 1024 * 1024


class ModelManagerError(RuntimeError):
    """A model operation failed; the message says why in words a caregiver can act on."""


class DownloadError(ModelManagerError):
    pass


class ChecksumError(DownloadError):
    pass


@dataclass
class ModelEntry:
    """One registered model (a row of registry.json)."""

    name: str
    path: str
    style: str  # a PromptStyle value
    source: str  # "hub" or "local"
    size: int = 0
    sha256: str | None = None
    repo_id: str | None = None
    filename: str | None = None
    revision: str | None = None  # the commit the file was downloaded from
    copied: bool = False  # a local file copied into the models folder (removing deletes it)
    added: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def file(self) -> Path:
        return Path(self.path)

    @property
    def owned(self) -> bool:
        """Whether the file lives in our models folder (so `remove` deletes it)."""
        return self.source == "hub" or self.copied


@dataclass(frozen=True)
class ModelInfo:
    """A row of `pictovoz models list`."""

    name: str
    source: str
    style: str
    path: Path | None
    size: int | None
    in_use: bool
    note: str = ""


# --- GGUF header ---------------------------------------------------------------------------------
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
    without gguf-py (a training-only dependency). `keys` limits the result and lets the scan stop
    early. Raises ValueError for a file that is not GGUF v2/v3."""
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


def guess_prompt_style(path: Path) -> PromptStyle:
    """Our fine-tune speaks the short fine-tuned format; any other model gets the few-shot prompt
    (it works with base and instruction-tuned models alike)."""
    path = Path(path)
    if path.name == MERGED_MODEL_NAME:
        return PromptStyle.FINETUNED
    try:
        meta = gguf_metadata(path)  # every key: ours may come last (about 0.1 s for Gemma)
    except (OSError, ValueError) as exc:
        log.warning("Could not read the metadata of %s (%s); using the few-shot prompt", path, exc)
        return PromptStyle.FEW_SHOT
    declared = meta.get(OUR_STYLE_KEY)
    if isinstance(declared, str):
        try:
            return PromptStyle(declared)
        except ValueError:
            log.warning("%s declares an unknown prompt style %r", path.name, declared)
    elif any(key.startswith(OUR_KEY_PREFIX) for key in meta):
        return PromptStyle.FINETUNED
    names = " ".join(str(meta.get(k, "")) for k in _OUR_NAME_KEYS).lower()
    return PromptStyle.FINETUNED if "pictovoz" in names else PromptStyle.FEW_SHOT


def prompt_style_for(path: Path) -> PromptStyle:
    """The style recorded when the model was added, else a guess from the file."""
    entry = find_entry_by_path(path)
    if entry is not None:
        try:
            return PromptStyle(entry.style)
        except ValueError:
            pass
    return guess_prompt_style(path)


# --- registry ------------------------------------------------------------------------------------
def registry_path() -> Path:
    return paths.models_dir() / REGISTRY_NAME


def load_registry() -> list[ModelEntry]:
    path = registry_path()
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = data["models"]
        names = {f.name for f in fields(ModelEntry)}
        return [ModelEntry(**{k: v for k, v in row.items() if k in names}) for row in rows]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        # The files themselves are fine; only the list is lost, and `add` rebuilds it.
        move_aside(path, str(exc))
        return []


def save_registry(entries: list[ModelEntry]) -> None:
    data = {"version": REGISTRY_VERSION, "models": [asdict(e) for e in entries]}
    atomic_write_text(registry_path(), json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def find_entry(name: str) -> ModelEntry | None:
    return next((e for e in load_registry() if e.name == name), None)


def find_entry_by_path(path: Path) -> ModelEntry | None:
    target = _resolved(path)
    return next((e for e in load_registry() if _resolved(e.file) == target), None)


def _resolved(path: Path) -> Path:
    try:
        return Path(path).expanduser().resolve()
    except OSError:
        return Path(path)


def _register(entry: ModelEntry) -> ModelEntry:
    """Add or replace (same file) an entry; a new entry gets a name not used yet."""
    entries = load_registry()
    same = [e for e in entries if _resolved(e.file) == _resolved(entry.file)]
    for old in same:
        entries.remove(old)
    taken = {e.name for e in entries} | {DEFAULT_NAME}
    if entry.name in taken:
        base, n = entry.name, 2
        while f"{base}-{n}" in taken:
            n += 1
        entry.name = f"{base}-{n}"
    entries.append(entry)
    save_registry(entries)
    return entry


def _default_name(filename: str) -> str:
    stem = Path(filename).name
    stem = stem[: -len(".gguf")] if stem.lower().endswith(".gguf") else stem
    return re.sub(r"[^\w.+-]+", "-", stem).strip("-") or "model"


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


# --- download ------------------------------------------------------------------------------------
def hub_endpoint(endpoint: str | None = None) -> str | None:
    """The Hub to talk to: an explicit endpoint, else HF_ENDPOINT read now (huggingface-hub reads
    it once at import, which may be before a test or a caller sets it), else the library's."""
    return (endpoint or os.environ.get("HF_ENDPOINT") or "").rstrip("/") or None


def _network_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError]  # hub HTTP errors are OSErrors too
    try:  # huggingface-hub's transport; its connection errors are not OSErrors
        import httpx2

        errors.append(httpx2.TransportError)
    except ImportError:
        pass
    return tuple(errors)


def download_model(
    repo_id: str,
    filename: str,
    *,
    revision: str = "main",
    sha256: str | None = None,
    name: str | None = None,
    style: PromptStyle | None = None,
    endpoint: str | None = None,
    tqdm_class: Any = None,
) -> ModelEntry:
    """Download `filename` of the Hub model repo `repo_id`, verify it and register it.
    Raises DownloadError (ChecksumError for a corrupt file, which is deleted)."""
    if sha256 and not _SHA256.match(sha256.lower()):
        raise DownloadError(f"--sha256 must be 64 hex digits, not {sha256!r}")
    try:
        # From the defining modules: the package exports names lazily, which hides the modules
        # (and what they import) from PyInstaller's analysis.
        from huggingface_hub.errors import (
            GatedRepoError,
            RemoteEntryNotFoundError,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )
        from huggingface_hub.file_download import (
            get_hf_file_metadata,
            hf_hub_download,
            hf_hub_url,
        )
    except ImportError as exc:
        raise DownloadError(f"huggingface-hub is not installed: {exc}") from exc
    endpoint = hub_endpoint(endpoint)
    where = endpoint or "the Hugging Face Hub"
    network_errors = _network_errors()
    # Ask first (one HEAD, no retries) so that an unreachable Hub fails fast and clearly, and so
    # the download is pinned to the commit whose checksum we got.
    try:
        url = hf_hub_url(repo_id, filename, revision=revision, endpoint=endpoint)
        meta = get_hf_file_metadata(url, endpoint=endpoint)
    except GatedRepoError as exc:
        raise DownloadError(f"{repo_id} is gated: accept its terms and log in first") from exc
    except RepositoryNotFoundError as exc:
        raise DownloadError(f"No model repository {repo_id!r} on {where}") from exc
    except RevisionNotFoundError as exc:
        raise DownloadError(f"{repo_id} has no revision {revision!r}") from exc
    except RemoteEntryNotFoundError as exc:
        raise DownloadError(f"{repo_id} has no file {filename!r} at {revision}") from exc
    except ValueError as exc:  # e.g. an invalid repo id
        raise DownloadError(f"Bad repository or file name: {exc}") from exc
    except network_errors as exc:
        raise DownloadError(f"Cannot reach {where}: {exc}") from exc
    if not meta.commit_hash or not meta.etag:
        raise DownloadError(f"{where} did not answer like the Hugging Face Hub (no commit/ETag)")

    local_dir = paths.models_dir() / HUB_SUBDIR / repo_id.replace("/", "--")
    log.info("Downloading %s/%s@%s into %s", repo_id, filename, meta.commit_hash[:8], local_dir)
    try:
        downloaded = Path(
            hf_hub_download(
                repo_id,
                filename,
                revision=meta.commit_hash,
                local_dir=local_dir,
                endpoint=endpoint,
                tqdm_class=tqdm_class,
            )
        )
    except network_errors as exc:
        raise DownloadError(
            f"The download from {where} failed ({exc}); run the same command again"
        ) from exc
    try:
        digest = _verify(downloaded, meta.etag, sha256)
    except ChecksumError:
        _discard(downloaded, local_dir, filename)
        raise
    entry = ModelEntry(
        name=name or _default_name(filename),
        path=str(downloaded),
        style=(style or guess_prompt_style(downloaded)).value,
        source="hub",
        size=downloaded.stat().st_size,
        sha256=digest,
        repo_id=repo_id,
        filename=filename,
        revision=meta.commit_hash,
    )
    return _register(entry)


def _discard(file: Path, local_dir: Path, filename: str) -> None:
    """Delete a file that failed its checks, and huggingface-hub's note that it has it (else the
    next attempt would be answered from the bad local copy)."""
    file.unlink(missing_ok=True)
    note = local_dir / ".cache" / "huggingface" / "download" / f"{filename}.metadata"
    note.unlink(missing_ok=True)
    log.warning("Deleted %s: it failed its checks", file)


# --- local files ---------------------------------------------------------------------------------
def add_local_model(
    path: Path,
    *,
    name: str | None = None,
    copy: bool = False,
    style: PromptStyle | None = None,
    sha256: str | None = None,
) -> ModelEntry:
    """Register a GGUF on disk; with `copy`, copy it into the models folder first."""
    source = Path(path).expanduser().resolve()
    if not source.is_file():
        raise ModelManagerError(f"No such file: {source}")
    if not is_gguf(source):
        raise ModelManagerError(f"{source.name} is not a GGUF model file (bad header)")
    digest = None
    if sha256:
        digest, _ = file_hashes(source)
        if digest != sha256.lower():
            raise ChecksumError(f"{source.name}: sha256 {digest} does not match {sha256.lower()}")
    target = source
    if copy:
        target = paths.models_dir() / LOCAL_SUBDIR / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        try:
            shutil.copyfile(source, partial)
            os.replace(partial, target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ModelManagerError(f"Could not copy {source} ({exc})") from exc
    entry = ModelEntry(
        name=name or _default_name(source.name),
        path=str(target),
        style=(style or guess_prompt_style(target)).value,
        source="local",
        size=target.stat().st_size,
        sha256=digest,
        copied=copy,
    )
    return _register(entry)


# --- choose, list, remove ------------------------------------------------------------------------
def use_model(name: str, settings_file: Path | None = None) -> Settings:
    """Make the app run model `name` (or `default`); returns the saved settings."""
    loaded = load_settings(settings_file)
    settings = loaded.settings
    if name == DEFAULT_NAME:
        settings.model_path, settings.model_style = None, None
    else:
        entry = find_entry(name)
        if entry is None:
            known = ", ".join([DEFAULT_NAME, *(e.name for e in load_registry())])
            raise ModelManagerError(f"No model named {name!r}; known: {known}")
        if not is_gguf(entry.file):
            raise ModelManagerError(f"{entry.path} is missing or not a GGUF file any more")
        settings.model_path, settings.model_style = entry.path, entry.style
    save_settings(settings, settings_file)
    return settings


def remove_model(name: str, settings_file: Path | None = None) -> ModelEntry:
    """Forget `name`; delete its file when it is ours (downloaded or copied). If the app was
    using it, the settings go back to the default model."""
    entries = load_registry()
    entry = next((e for e in entries if e.name == name), None)
    if entry is None:
        raise ModelManagerError(f"No model named {name!r}")
    settings = load_settings(settings_file).settings
    if settings.model_path and _resolved(Path(settings.model_path)) == _resolved(entry.file):
        settings.model_path, settings.model_style = None, None
        save_settings(settings, settings_file)
    entries.remove(entry)
    save_registry(entries)
    if entry.owned:
        entry.file.unlink(missing_ok=True)
    return entry


def list_models(settings: Settings | None = None) -> list[ModelInfo]:
    settings = settings or load_settings().settings
    current = _resolved(Path(settings.model_path)) if settings.model_path else None
    rows = [_default_row(current is None)]
    for e in load_registry():
        present = e.file.is_file()
        note = f"{e.repo_id}@{(e.revision or '')[:8]}" if e.source == "hub" else ""
        note = note if present else "MISSING: " + e.path
        rows.append(
            ModelInfo(
                e.name,
                e.source,
                e.style,
                e.file,
                e.file.stat().st_size if present else None,
                current == _resolved(e.file),
                note,
            )
        )
    if current is not None and not any(r.in_use for r in rows):
        path = Path(settings.model_path or "")
        size = path.stat().st_size if path.is_file() else None
        style = settings.model_style or PromptStyle.FEW_SHOT.value
        rows.append(ModelInfo("(settings)", "user", style, path, size, True, "not registered"))
    return rows


def _default_row(in_use: bool) -> ModelInfo:
    """What `default` runs now: the merged fine-tune if present, else the embedded model."""
    merged = paths.models_dir() / MERGED_MODEL_NAME
    if merged.is_file():
        return ModelInfo(
            DEFAULT_NAME, "merged", "finetuned", merged, merged.stat().st_size, in_use, "fine-tune"
        )
    try:
        pkg = importlib.import_module(EMBEDDED_PACKAGE)
        size: int | None = sum(c.stat().st_size for c in pkg.chunk_paths())
        path = paths.models_dir() / pkg.MODEL_NAME
    except (ImportError, OSError) as exc:
        return ModelInfo(DEFAULT_NAME, "embedded", "-", None, None, in_use, f"MISSING: {exc}")
    # Listing must not assemble 250 MB (model_location does that on first use): only say where.
    notes = [] if path.is_file() else ["assembled on first use"]
    style = PromptStyle.FEW_SHOT
    if (bundled_models_dir() / ADAPTER_NAME).is_file():
        style = PromptStyle.FINETUNED
        notes.append("with the project's adapter")
    return ModelInfo(DEFAULT_NAME, "embedded", style.value, path, size, in_use, "; ".join(notes))


def human_size(n: int | None) -> str:
    if n is None:
        return "-"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


# --- command line --------------------------------------------------------------------------------
def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `models` to the app's CLI (`app/cli.py::_register_optional` calls this)."""
    parser = subparsers.add_parser(
        "models",
        help="list, download, add and choose GGUF models",
        description="Models beyond the embedded one: download a GGUF from the Hugging Face Hub "
        "or add one from disk, then `use` it. `use default` goes back to the built-in model.",
    )
    sub = parser.add_subparsers(dest="models_command", required=True)
    sub.add_parser("list", help="the models the app can run, with sizes and prompt styles")

    styles = [s.value for s in PromptStyle]
    dl = sub.add_parser("download", help="download a GGUF from the Hugging Face Hub")
    dl.add_argument("repo_id", help="e.g. bartowski/Qwen2.5-1.5B-Instruct-GGUF")
    dl.add_argument("filename", help="the .gguf file in that repository")
    dl.add_argument("--revision", default="main", help="branch, tag or commit (default main)")
    dl.add_argument("--sha256", help="also check the file against this sha256")
    dl.add_argument("--name", help="name to use it by (default: the file name)")
    dl.add_argument("--style", choices=styles, help="prompt style (default: guessed)")
    dl.add_argument("--endpoint", help="a Hub mirror (default: $HF_ENDPOINT or huggingface.co)")
    dl.add_argument("--use", action="store_true", help="also make the app use it")

    add = sub.add_parser("add", help="add a GGUF file from disk")
    add.add_argument("path", type=Path)
    add.add_argument("--copy", action="store_true", help="copy it into the models folder")
    add.add_argument("--name", help="name to use it by (default: the file name)")
    add.add_argument("--style", choices=styles, help="prompt style (default: guessed)")
    add.add_argument("--sha256", help="check the file against this sha256 first")
    add.add_argument("--use", action="store_true", help="also make the app use it")

    use = sub.add_parser("use", help="make the app run a model (`default`: the built-in one)")
    use.add_argument("name")

    rm = sub.add_parser("remove", help="forget a model (and delete it if it was downloaded)")
    rm.add_argument("name")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """0: done; 1: the operation failed (the message says why)."""
    out = sys.stdout
    try:
        if args.models_command == "list":
            _write_table(list_models(), out)
            return 0
        if args.models_command == "use":
            settings = use_model(args.name)
            out.write(f"Using {args.name}: {settings.model_path or 'the built-in model'}\n")
            return 0
        if args.models_command == "remove":
            entry = remove_model(args.name)
            out.write(f"Removed {entry.name}" + (f" ({entry.path})\n" if entry.owned else "\n"))
            return 0
        style = PromptStyle(args.style) if args.style else None
        if args.models_command == "download":
            entry = download_model(
                args.repo_id,
                args.filename,
                revision=args.revision,
                sha256=args.sha256,
                name=args.name,
                style=style,
                endpoint=args.endpoint,
            )
        else:
            entry = add_local_model(
                args.path, name=args.name, copy=args.copy, style=style, sha256=args.sha256
            )
        out.write(
            f"Added {entry.name}: {entry.path} ({human_size(entry.size)}, {entry.style} prompt)\n"
        )
        if args.use:
            use_model(entry.name)
            out.write(f"Using {entry.name}\n")
        return 0
    except ModelManagerError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1


def _write_table(rows: list[ModelInfo], out: Any) -> None:
    width = max(len(r.name) for r in rows)
    for r in rows:
        mark = "*" if r.in_use else " "
        where = str(r.path) if r.path else "-"
        note = f"  ({r.note})" if r.note else ""
        out.write(
            f"{mark} {r.name:<{width}}  {human_size(r.size):>9}  {r.style:<9}  {r.source:<8}  "
            f"{where}{note}\n"
        )
    out.write("* = in use. `pictovoz models use NAME` chooses another.\n")
