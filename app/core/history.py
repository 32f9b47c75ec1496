"""Spoken sentences and pinned favourites, kept on disk across restarts.

One JSON file in the user data dir, written atomically with a backup. A file that cannot be read
is kept aside and the backup (or an empty store) is used; an entry that cannot be read is
skipped (the file is copied aside first) — each with a message, so a bad file never blocks
speaking. A save that fails raises HistorySaveError after updating the list in memory.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.core import paths
from app.core.files import (
    UnreadableFileError,
    atomic_write_bytes,
    atomic_write_text,
    backup_path,
    copy_aside,
    keep_aside,
    read_json_object,
)

log = logging.getLogger(__name__)

MAX_HISTORY = 500
MAX_FAVOURITES = 1000
MAX_PHRASES_BYTES = 8 * 1024 * 1024  # 1500 phrases are ~300 kB
MAX_COUNT = 1_000_000
MAX_TEXT = 2000  # characters in one phrase; longer is not something a user spoke


class HistorySaveError(OSError):
    """History or favourites could not be written. The change is kept in memory (the lists
    still show it) but will be lost at exit unless a later save works. `message` is for the
    user."""

    def __init__(self, path: Path, cause: OSError) -> None:
        self.path = path
        self.message = (
            f"History and favourites could not be saved ({cause.strerror or cause}); "
            "the last change is only kept until PictoVoz closes."
        )
        super().__init__(cause.errno, self.message)


@dataclass(frozen=True)
class Phrase:
    text: str
    lang: str
    keywords: tuple[str, ...] = ()
    at: float = 0.0  # when it was spoken or pinned (epoch seconds)
    count: int = 1  # times spoken: predictions and personal phrases weigh what is said often


def phrases_path() -> Path:
    return paths.data_dir() / "phrases.json"


@dataclass
class PhraseStore:
    path: Path = field(default_factory=phrases_path)
    history: list[Phrase] = field(default_factory=list)  # newest first
    favourites: list[Phrase] = field(default_factory=list)
    message: str | None = None  # what went wrong when loading (show it once)

    @classmethod
    def load(cls, path: Path | None = None) -> PhraseStore:
        """Read the store; never raises for a bad file (see the module doc)."""
        store = cls(Path(path or phrases_path()))
        bak = backup_path(store.path)
        problems: list[str] = []
        data: dict | None = None
        source = store.path
        try:
            if store.path.exists():
                data = read_json_object(store.path, MAX_PHRASES_BYTES)
        except (OSError, UnreadableFileError) as exc:
            problems.append(
                f"History and favourites could not be read ({exc}); "
                f"the file was {keep_aside(store.path, str(exc))}."
            )
        if data is None and bak.exists():
            try:
                data, source = read_json_object(bak, MAX_PHRASES_BYTES), bak
            except (OSError, UnreadableFileError) as exc:
                problems.append(
                    f"Their backup could not be read either ({exc}); "
                    f"it was {keep_aside(bak, str(exc))}."
                )
            else:
                lead = "" if problems else "The history file was missing. "
                problems.append(f"{lead}The previous saved copy ({bak.name}) is in use.")
                _restore(store.path, bak)
        if data is None:
            if problems:
                problems.append("Starting with an empty history.")
        else:
            skipped = store._take(data)
            if skipped:
                where = _copy_aside(source, f"{skipped} unreadable entries")
                problems.append(
                    f"{skipped} entr{'y' if skipped == 1 else 'ies'} of the history or favourites "
                    f"could not be read and {'was' if skipped == 1 else 'were'} skipped; "
                    f"the rest is in use. The file as it was is {where}."
                )
        if problems:
            store.message = " ".join(problems)
            log.warning(store.message)
        return store

    def _take(self, data: dict) -> int:
        """Fill the lists from a parsed file, skipping entries that are not phrases; returns
        how many were skipped."""
        skipped = 0
        lists: dict[str, list[Phrase]] = {}
        for key in ("history", "favourites"):
            raw = data.get(key, [])
            if not isinstance(raw, list):
                skipped += 1
                raw = []
            phrases = []
            for item in raw:
                phrase = _phrase(item)
                if phrase is None:
                    skipped += 1
                else:
                    phrases.append(phrase)
            lists[key] = phrases
        self.history = lists["history"][:MAX_HISTORY]
        self.favourites = lists["favourites"][:MAX_FAVOURITES]
        return skipped

    def save(self) -> None:
        """Write both lists atomically, keeping the previous file as `phrases.json.bak`.
        Raises HistorySaveError (an OSError) with a message for the user when it fails."""
        data = {
            "version": 1,
            "history": [asdict(p) for p in self.history],
            "favourites": [asdict(p) for p in self.favourites],
        }
        try:
            atomic_write_text(
                self.path, json.dumps(data, ensure_ascii=False, indent=1), backup=True
            )
        except OSError as exc:
            log.warning("Could not save %s: %s", self.path, exc)
            raise HistorySaveError(self.path, exc) from exc

    def add_spoken(self, text: str, lang: str, keywords: tuple[str, ...] = ()) -> None:
        """Record a spoken sentence and save. The list changes even when saving fails
        (HistorySaveError is raised after)."""
        before = next((p for p in self.history if (p.text, p.lang) == (text, lang)), None)
        count = min(before.count + 1, MAX_COUNT) if before else 1
        phrase = Phrase(text, lang, tuple(keywords or (before.keywords if before else ())),
                        time.time(), count)  # fmt: skip
        # The same sentence said again moves to the top instead of filling the list.
        self.history = [phrase] + [p for p in self.history if (p.text, p.lang) != (text, lang)]
        del self.history[MAX_HISTORY:]
        self.save()

    def is_pinned(self, text: str, lang: str) -> bool:
        return any((p.text, p.lang) == (text, lang) for p in self.favourites)

    def pin(self, text: str, lang: str) -> None:
        if not self.is_pinned(text, lang):
            self.favourites.append(Phrase(text, lang, (), time.time()))
            self.save()

    def unpin(self, text: str, lang: str) -> None:
        before = len(self.favourites)
        self.favourites = [p for p in self.favourites if (p.text, p.lang) != (text, lang)]
        if len(self.favourites) != before:
            self.save()

    def move_favourite(self, text: str, lang: str, step: int) -> bool:
        """Move a favourite up (step < 0) or down among those of its language."""
        mine = [i for i, p in enumerate(self.favourites) if p.lang == lang]
        where = next((k for k, i in enumerate(mine) if self.favourites[i].text == text), None)
        if where is None or not 0 <= where + step < len(mine):
            return False
        a, b = mine[where], mine[where + step]
        self.favourites[a], self.favourites[b] = self.favourites[b], self.favourites[a]
        self.save()
        return True

    def clear_history(self, lang: str) -> None:
        """Forget what was said in `lang` (favourites stay)."""
        self.history = [p for p in self.history if p.lang != lang]
        self.save()

    def recent(self, lang: str, limit: int = 50) -> list[Phrase]:
        return [p for p in self.history if p.lang == lang][:limit]

    def pinned(self, lang: str) -> list[Phrase]:
        return [p for p in self.favourites if p.lang == lang]


def _copy_aside(path: Path, reason: str) -> str:
    try:
        return f"kept as {copy_aside(path, reason).name}"
    except OSError as exc:
        log.warning("Could not copy %s aside: %s", path, exc)
        return f"still in {path.name} until the next save (it could not be copied: {exc})"


def _restore(path: Path, bak: Path) -> None:
    """Put the backup back as the main file, so the next start is clean (best effort)."""
    try:
        atomic_write_bytes(path, bak.read_bytes())
    except OSError as exc:
        log.warning("Could not restore %s from %s: %s", path, bak.name, exc)


def _phrase(data: object) -> Phrase | None:
    """One entry, or None when it is not a phrase this version can use."""
    if not isinstance(data, dict):
        return None
    text, lang = data.get("text"), data.get("lang")
    if not isinstance(text, str) or not isinstance(lang, str) or not text.strip():
        return None
    if len(text) > MAX_TEXT or len(lang) > 16:
        return None
    keywords = data.get("keywords", [])
    if not isinstance(keywords, list | tuple) or not all(isinstance(k, str) for k in keywords):
        return None
    at = data.get("at", 0.0)
    if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at):
        return None
    count = data.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        count = 1  # an odd count loses nothing worth a phrase
    return Phrase(text, lang, tuple(keywords), float(at), min(count, MAX_COUNT))
