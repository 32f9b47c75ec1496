"""Spoken sentences and pinned favourites, kept on disk across restarts.

One JSON file in the user data dir, written atomically. A file that cannot be read is kept
aside and the store starts empty with a message, so a bad file never blocks speaking.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.core import paths
from app.core.files import atomic_write_text, move_aside

log = logging.getLogger(__name__)

MAX_HISTORY = 500


@dataclass(frozen=True)
class Phrase:
    text: str
    lang: str
    keywords: tuple[str, ...] = ()
    at: float = 0.0  # when it was spoken or pinned (epoch seconds)


def phrases_path() -> Path:
    return paths.data_dir() / "phrases.json"


@dataclass
class PhraseStore:
    path: Path = field(default_factory=phrases_path)
    history: list[Phrase] = field(default_factory=list)  # newest first
    favourites: list[Phrase] = field(default_factory=list)
    message: str | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> PhraseStore:
        store = cls(path or phrases_path())
        if not store.path.exists():
            return store
        try:
            data = json.loads(store.path.read_text(encoding="utf-8"))
            store.history = [_phrase(d) for d in data.get("history", [])][:MAX_HISTORY]
            store.favourites = [_phrase(d) for d in data.get("favourites", [])]
        except (OSError, ValueError, TypeError, AttributeError, KeyError) as exc:
            kept = move_aside(store.path, str(exc))
            store.history, store.favourites = [], []
            store.message = (
                f"History and favourites could not be read ({exc}); starting empty. "
                f"The old file was kept as {kept.name}."
            )
        return store

    def save(self) -> None:
        data = {
            "version": 1,
            "history": [asdict(p) for p in self.history],
            "favourites": [asdict(p) for p in self.favourites],
        }
        atomic_write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1))

    def add_spoken(self, text: str, lang: str, keywords: tuple[str, ...] = ()) -> None:
        phrase = Phrase(text, lang, tuple(keywords), time.time())
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

    def recent(self, lang: str, limit: int = 50) -> list[Phrase]:
        return [p for p in self.history if p.lang == lang][:limit]

    def pinned(self, lang: str) -> list[Phrase]:
        return [p for p in self.favourites if p.lang == lang]


def _phrase(data: dict) -> Phrase:
    if not isinstance(data.get("text"), str) or not isinstance(data.get("lang"), str):
        raise ValueError("a phrase needs text and lang")
    return Phrase(data["text"], data["lang"], tuple(data.get("keywords", ())), float(data["at"]))
