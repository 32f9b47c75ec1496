"""Downloading a GGUF from the Hugging Face Hub into the models folder, verified before use.

huggingface-hub is imported only when downloading, so the CLI and the app start fast.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from app.core import paths
from app.generation.model_file import (
    _SHA256,
    ChecksumError,
    DownloadError,
    _verify,
)
from app.generation.models import (
    HUB_SUBDIR,
    ModelEntry,
    _default_name,
    _register,
    guess_prompt_style,
)
from app.generation.prompts import PromptStyle

log = logging.getLogger(__name__)


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
