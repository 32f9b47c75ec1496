"""The model manager: GGUF files beyond the embedded one, and which one the app runs.

- `download_model` (hub.py): a GGUF from the Hugging Face Hub (repo id + filename) into
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

Qt-free. The GGUF header and checksums are in model_file.py, downloads in hub.py, the command
line in app/cli_models.py.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import shutil
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

from app.core import paths
from app.core.files import atomic_write_text, move_aside
from app.core.settings import Settings, load_settings, save_settings
from app.generation.model_file import (
    ChecksumError,
    ModelManagerError,
    file_hashes,
    gguf_metadata,
    is_gguf,
)
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
