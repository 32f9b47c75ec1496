"""On-disk pictogram cache: images, search results and metadata, answered offline first.

Layout under `root` (default `cache_dir()/pictograms`), the same for the user cache and for the
read-only bundle that `pictovoz prefetch --dest assets/pictograms` fills for installers:

    index.json                      sizes and last use, for the size bound (LRU eviction)
    images/<id>/<variant>.png       e.g. images/2349/500.png, images/2349/500_action-past.png
    search/<lang>/<mode>-<hash>.json  one search (mode: search / best)
    meta/<lang>/<id>.json           one pictogram's keywords and flags

Every file is written atomically. The index is a convenience: if it is lost or corrupt it is
rebuilt from the files, so a crash costs nothing but the last-use order.

Offline: a connection failure marks the server unreachable for `offline_retry_after` seconds;
meanwhile every call answers from disk at once, so a dead network costs one timeout, not one per
cell. A slow answer is not a dead network: only `TIMEOUTS_BEFORE_OFFLINE` timeouts in a row (no
answer in between) take the cache offline, and "no such pictogram" never does.

Only what passed every check is written: ids are validated, images are complete PNGs of a sane
size (`check_png`); a failed download leaves no file behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.arasaac import UnsupportedLanguage, check_locale, check_pictogram_id
from app.core.files import atomic_write_bytes, atomic_write_text, move_aside
from app.pictograms.client import (
    ArasaacCancelled,
    ArasaacClient,
    ArasaacError,
    ArasaacOffline,
    ArasaacTimeout,
    ArasaacUnavailable,
    ArasaacUnsupportedLanguage,
    ImageOptions,
    Pictogram,
    check_png,
    exact_matches,
    rank_results,
)

log = logging.getLogger(__name__)

INDEX_NAME = "index.json"
INDEX_VERSION = 1
DEFAULT_MAX_BYTES = 300 * 1024 * 1024  # ~10k pictograms at 500 px
DEFAULT_SEARCH_TTL = 30 * 24 * 3600.0  # ARASAAC adds pictograms; refresh searches now and then
DEFAULT_OFFLINE_RETRY_AFTER = 60.0
# A server that answers nothing in time this many times in a row is treated as unreachable.
TIMEOUTS_BEFORE_OFFLINE = 3
# Index writes are batched: reads only touch memory, and a lost index is rebuilt from the files.
FLUSH_EVERY_S = 5.0
FLUSH_EVERY_ADDS = 50
_KINDS = ("images", "search", "meta")


def default_cache_root() -> Path:
    return paths.cache_dir() / "pictograms"


def bundled_dirs() -> list[Path]:
    """Read-only caches shipped with the app (`assets/pictograms` in a source tree or an
    installer's bundle), used when the user cache misses."""
    candidates = [Path(__file__).resolve().parents[2] / "assets" / "pictograms"]
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller one-folder / one-file bundles
    if frozen:
        candidates.insert(0, Path(frozen) / "assets" / "pictograms")
    return [c for c in candidates if (c / "images").is_dir() or (c / "search").is_dir()]


@dataclass
class _Entry:
    size: int
    used: float


class PictogramCache:
    """Pictograms by id and keyword, from disk when possible and from ARASAAC when needed.

    `client=None` makes a cache that never touches the network (tests, offline mode).
    `max_bytes=None` disables eviction (the prefetch bundle must keep everything).
    """

    def __init__(
        self,
        client: ArasaacClient | None = None,
        root: Path | None = None,
        *,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        search_ttl: float = DEFAULT_SEARCH_TTL,
        offline_retry_after: float = DEFAULT_OFFLINE_RETRY_AFTER,
        fallback_dirs: Sequence[Path] = (),
    ) -> None:
        self.client = client
        self.root = Path(root) if root is not None else default_cache_root()
        self.max_bytes = max_bytes
        self.search_ttl = search_ttl
        self.offline_retry_after = offline_retry_after
        self.fallback_dirs = [Path(d) for d in fallback_dirs]
        self._lock = threading.RLock()
        self._entries: dict[str, _Entry] = {}
        self._dirty = False
        self._adds_since_flush = 0
        self._last_flush = time.monotonic()
        self._offline_until = 0.0
        self._offline_reason = ""
        self._timeouts_in_a_row = 0
        self.root.mkdir(parents=True, exist_ok=True)
        self._load_index()

    # -- offline state -----------------------------------------------------------------------

    @property
    def is_offline(self) -> bool:
        """True while we are not trying the network (no client, or a recent failure)."""
        return self.client is None or time.monotonic() < self._offline_until

    @property
    def offline_reason(self) -> str:
        return self._offline_reason if self.is_offline else ""

    def go_online(self) -> None:
        """Forget a remembered failure (the user pressed "retry", or the network came back)."""
        with self._lock:
            self._offline_until = 0.0
            self._offline_reason = ""
            self._timeouts_in_a_row = 0

    def cancel(self) -> None:
        """Stop the downloads in flight at once (the window is closing); they return None or
        raise ArasaacCancelled, and nothing half-downloaded is written."""
        if self.client is not None:
            self.client.close()

    def _failed(self, exc: ArasaacError) -> None:
        """Decide what a failure says about the server: a connection failure means offline; a
        timeout only when it keeps happening; a missing pictogram or a bad file, nothing."""
        if isinstance(exc, ArasaacOffline | ArasaacCancelled):
            return
        if isinstance(exc, ArasaacUnavailable):
            self._mark_offline(exc)
        elif isinstance(exc, ArasaacTimeout):
            with self._lock:
                self._timeouts_in_a_row += 1
                many = self._timeouts_in_a_row >= TIMEOUTS_BEFORE_OFFLINE
            if many:
                self._mark_offline(exc)

    def _answered(self) -> None:
        with self._lock:
            self._timeouts_in_a_row = 0

    def _mark_offline(self, exc: BaseException) -> None:
        with self._lock:
            first = time.monotonic() >= self._offline_until
            self._offline_until = time.monotonic() + self.offline_retry_after
            self._offline_reason = str(exc)
        if first:
            log.warning(
                "Pictogram server unreachable; using cached pictograms for %.0f s (%s)",
                self.offline_retry_after,
                exc,
            )

    def _network(self) -> ArasaacClient:
        if self.client is None:
            raise ArasaacOffline("Pictogram downloads are turned off; only cached ones are shown.")
        if self.is_offline:
            raise ArasaacOffline(
                f"The pictogram server is unreachable ({self._offline_reason}); "
                "showing cached pictograms only."
            )
        return self.client

    # -- images ------------------------------------------------------------------------------

    def cached_image_path(
        self, pictogram_id: int, options: ImageOptions | None = None
    ) -> Path | None:
        """The image file if it is on disk (user cache or bundle); never touches the network."""
        return self._find(_image_rel(pictogram_id, options or ImageOptions()))

    def image_path(self, pictogram_id: int, options: ImageOptions | None = None) -> Path | None:
        """The image file, downloading it if needed and possible; None when it cannot be had
        (the cell then shows its label on its category colour). Never raises for network or
        server trouble, and returns at once while offline."""
        found = self.cached_image_path(pictogram_id, options)
        if found is not None or self.is_offline:
            return found
        try:
            return self.fetch_image(pictogram_id, options)
        except ArasaacError as exc:
            log.info("Pictogram %s unavailable: %s", pictogram_id, exc)
            return None

    def fetch_image(self, pictogram_id: int, options: ImageOptions | None = None) -> Path:
        """Like `image_path` but raises `ArasaacError` (or ArasaacOffline) saying why not."""
        options = options or ImageOptions()
        rel = _image_rel(pictogram_id, options)
        found = self._find(rel)
        if found is not None:
            return found
        client = self._network()
        try:
            data = client.image(pictogram_id, options)
        except ArasaacError as exc:
            self._failed(exc)
            raise
        self._answered()
        check_png(data)  # the client checks too; the cache never trusts what it writes
        return self._add(rel, data)

    def store_image(
        self, pictogram_id: int, data: bytes, options: ImageOptions | None = None
    ) -> Path:
        """Put an image we got elsewhere (an imported .obz) into the cache."""
        check_png(data)
        return self._add(_image_rel(pictogram_id, options or ImageOptions()), data)

    # -- search and metadata -----------------------------------------------------------------

    def search(self, text: str, lang: str, *, best: bool = False) -> list[Pictogram]:
        """Search results, cached per (text, lang, mode). A stale entry is refreshed when online
        and still served when the refresh fails. Raises ArasaacError when nothing is cached and
        the server cannot answer (ArasaacOffline while offline)."""
        text = " ".join(str(text).split())
        rel = _search_rel(text, lang, best)
        cached = self._read_json(rel)
        results = _results_from(cached) if cached is not None else None
        fresh = (
            cached is not None and time.time() - float(cached.get("fetched", 0)) < self.search_ttl
        )
        if results is not None and (fresh or self.is_offline):
            return results
        try:
            client = self._network()
            found = client.search(text, lang, best=best)
        except ArasaacError as exc:
            self._failed(exc)
            if results is not None:
                log.info("Serving stale search %r (%s): %s", text, lang, exc)
                return results
            raise
        self._answered()
        doc = {
            "text": text,
            "lang": lang,
            "mode": "best" if best else "search",
            "fetched": time.time(),
            "results": [p.to_json() for p in found],
        }
        self._add(rel, json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        return found

    def resolve(self, text: str, lang: str, kind: int | None = None) -> int | None:
        """The pictogram id whose keyword (or plural) is exactly `text`, ignoring case and
        accents like ARASAAC does; None when there is none ("no exact pictogram": the caregiver
        chooses) or it cannot be found now.

        Tries `bestsearch` first, then the wider `search`, keeping only exact matches (`search`
        also answers related pictures: "grape" finds "grape juice"); prefers `aac: true`
        pictograms and the ARASAAC keyword type `kind` (see KeywordType)."""
        for best in (True, False):
            try:
                results = self.search(text, lang, best=best)
            except ArasaacError as exc:
                log.info("Cannot resolve %r (%s): %s", text, lang, exc)
                return None
            ranked = rank_results(exact_matches(results, text), text, kind)
            if ranked:
                return ranked[0].id
        return None

    def pictogram(self, pictogram_id: int, lang: str) -> Pictogram | None:
        """One pictogram's metadata, cached; None when unknown or unreachable."""
        rel = f"meta/{_lang(lang)}/{check_pictogram_id(pictogram_id)}.json"
        cached = self._read_json(rel)
        if cached is not None:
            try:
                return Pictogram.from_json(cached.get("pictogram"))
            except ArasaacError:
                self._drop(rel)
        try:
            client = self._network()
            picto = client.pictogram(pictogram_id, lang)
        except ArasaacError as exc:
            self._failed(exc)
            log.info("No metadata for pictogram %s: %s", pictogram_id, exc)
            return None
        self._answered()
        doc = {"fetched": time.time(), "pictogram": picto.to_json()}
        self._add(rel, json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        return picto

    # -- size and housekeeping ---------------------------------------------------------------

    @property
    def size_bytes(self) -> int:
        with self._lock:
            return sum(e.size for e in self._entries.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, rel: object) -> bool:
        with self._lock:
            return rel in self._entries

    def flush(self) -> None:
        """Write the index now if it changed (also done every few seconds while adding)."""
        with self._lock:
            if not self._dirty:
                return
            doc = {
                "version": INDEX_VERSION,
                "entries": {k: [e.size, round(e.used, 3)] for k, e in self._entries.items()},
            }
            atomic_write_text(self.root / INDEX_NAME, json.dumps(doc, separators=(",", ":")))
            self._dirty = False
            self._adds_since_flush = 0
            self._last_flush = time.monotonic()

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> PictogramCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def clear(self) -> None:
        with self._lock:
            for rel in list(self._entries):
                self._drop(rel)
            self._dirty = True
            self.flush()

    # -- internals ---------------------------------------------------------------------------

    def _find(self, rel: str) -> Path | None:
        path = self.root / rel
        with self._lock:
            entry = self._entries.get(rel)
            if entry is not None:
                if path.is_file():
                    entry.used = time.time()
                    self._dirty = True
                    return path
                # Deleted behind our back (user cleaned the cache): forget it.
                del self._entries[rel]
                self._dirty = True
        for base in self.fallback_dirs:
            candidate = base / rel
            if candidate.is_file():
                return candidate
        return None

    def _read_json(self, rel: str) -> dict[str, Any] | None:
        path = self._find(rel)
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return data
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            log.warning("Dropping unreadable cache file %s (%s)", rel, exc)
            if path.is_relative_to(self.root):
                self._drop(rel)
            return None

    def _add(self, rel: str, data: bytes) -> Path:
        path = self.root / rel
        atomic_write_bytes(path, data)
        with self._lock:
            self._entries[rel] = _Entry(len(data), time.time())
            self._dirty = True
            self._adds_since_flush += 1
            self._evict(keep=rel)
            if (
                self._adds_since_flush >= FLUSH_EVERY_ADDS
                or time.monotonic() - self._last_flush > FLUSH_EVERY_S
            ):
                self.flush()
        return path

    def _drop(self, rel: str) -> None:
        with self._lock:
            self._entries.pop(rel, None)
            self._dirty = True
        try:
            (self.root / rel).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("Could not delete cache file %s (%s)", rel, exc)

    def _evict(self, keep: str | None = None) -> None:
        """Drop least recently used files until the cache is under 90% of its bound (the slack
        stops every new file from evicting one old one)."""
        if self.max_bytes is None:
            return
        total = sum(e.size for e in self._entries.values())
        if total <= self.max_bytes:
            return
        target = int(self.max_bytes * 0.9)
        for rel, entry in sorted(self._entries.items(), key=lambda kv: kv[1].used):
            if total <= target:
                break
            if rel == keep:
                continue
            total -= entry.size
            self._drop(rel)
        log.info("Pictogram cache trimmed to %d bytes", total)

    def _load_index(self) -> None:
        index_path = self.root / INDEX_NAME
        entries: dict[str, _Entry] = {}
        if index_path.exists():
            try:
                doc = json.loads(index_path.read_text(encoding="utf-8"))
                if not isinstance(doc, dict) or doc.get("version") != INDEX_VERSION:
                    raise ValueError(f"unknown index version {doc.get('version')!r}")
                for rel, (size, used) in doc["entries"].items():
                    entries[str(rel)] = _Entry(int(size), float(used))
            except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
                move_aside(index_path, f"pictogram cache index unreadable: {exc}")
                entries = {}
        self._entries = entries
        self._reconcile()

    def _reconcile(self) -> None:
        """Make the index match the files: adopt files written before a crash, forget files
        that are gone, remove half-written temp files."""
        on_disk: dict[str, os.stat_result] = {}
        for kind in _KINDS:
            base = self.root / kind
            if not base.is_dir():
                continue
            for dirpath, _dirs, files in os.walk(base):
                for name in files:
                    path = Path(dirpath) / name
                    if name.startswith("."):
                        path.unlink(missing_ok=True)  # an atomic write that never finished
                        continue
                    rel = path.relative_to(self.root).as_posix()
                    on_disk[rel] = path.stat()
        changed = False
        for rel in list(self._entries):
            if rel not in on_disk:
                del self._entries[rel]
                changed = True
        for rel, st in on_disk.items():
            entry = self._entries.get(rel)
            if entry is None:
                self._entries[rel] = _Entry(st.st_size, st.st_mtime)
                changed = True
            elif entry.size != st.st_size:
                entry.size = st.st_size
                changed = True
        if changed:
            self._dirty = True
            self._evict()
            self.flush()


def _lang(lang: str) -> str:
    """The locale (it also names folders: only ARASAAC's own codes get here)."""
    try:
        return check_locale(lang)
    except UnsupportedLanguage as exc:
        raise ArasaacUnsupportedLanguage(str(exc)) from None


def _image_rel(pictogram_id: int, options: ImageOptions) -> str:
    return f"images/{check_pictogram_id(pictogram_id)}/{options.variant}.png"


def _search_rel(text: str, lang: str, best: bool) -> str:
    # Hashed, not the raw text: keywords may hold characters no file system accepts.
    digest = hashlib.sha1(text.casefold().encode("utf-8")).hexdigest()[:20]
    return f"search/{_lang(lang)}/{'best' if best else 'search'}-{digest}.json"


def _results_from(doc: dict[str, Any]) -> list[Pictogram] | None:
    raw = doc.get("results")
    if not isinstance(raw, list):
        return None
    out = []
    for entry in raw:
        try:
            out.append(Pictogram.from_json(entry))
        except ArasaacError:
            continue
    return out
