"""Choosing a voice for a language from the voices the TTS engine reports.

Pure functions over plain data, so the rules are testable without an engine. espeak-ng 1.51 reports
e.g. id "roa/es" languages ["es"], id "gmw/en" languages ["en-gb"], id "gmw/en-us" languages
["en-us"]; other pyttsx3 drivers report codes like "en_US", which are normalised to "en-us".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.keywords import LANG_NAMES, Lang

log = logging.getLogger(__name__)


def normalise_lang(code: object) -> str:
    """Lower-case, "-"-separated: "ES", "es_ES", Lang.ES -> "es", "es-es". Bytes are decoded."""
    if isinstance(code, bytes):
        code = code.decode("utf-8", errors="ignore")
    return str(code).strip().lower().replace("_", "-")


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...] = ()

    @classmethod
    def from_pyttsx3(cls, voice: Any) -> VoiceInfo:
        langs = tuple(normalise_lang(code) for code in (getattr(voice, "languages", None) or ()))
        return cls(id=str(voice.id), name=str(getattr(voice, "name", "") or ""), languages=langs)

    @property
    def short_id(self) -> str:
        """The last path segment: "roa/es" -> "es" (espeak ids are family/language)."""
        return self.id.replace("\\", "/").rsplit("/", 1)[-1].lower()


@dataclass(frozen=True)
class VoiceChoice:
    lang: str
    voice: VoiceInfo | None  # None only when the engine reports no voices at all
    fallback: bool  # True when no installed voice speaks `lang`
    reason: str  # why this voice: shown in logs, useful in a settings dialog

    @property
    def voice_id(self) -> str | None:
        return self.voice.id if self.voice else None


def _language_name(lang: str) -> str | None:
    try:
        return LANG_NAMES[Lang(lang)].lower()
    except ValueError:
        return None


def _score(voice: VoiceInfo, lang: str) -> int:
    """How well `voice` speaks `lang` (0: not at all). Higher wins; ties keep the engine's order."""
    if lang in voice.languages:
        return 100
    if voice.short_id == lang:
        return 90
    if any(code.startswith(lang + "-") for code in voice.languages):
        return 80
    if voice.short_id.startswith(lang + "-"):
        return 70
    name = _language_name(lang)
    if name and voice.name.lower().startswith(name):
        return 60
    return 0


def _best(voices: Sequence[VoiceInfo], lang: str) -> VoiceInfo | None:
    best, best_score = None, 0
    for voice in voices:
        score = _score(voice, lang)
        if score > best_score:
            best, best_score = voice, score
    return best


def pick_voice(
    voices: Iterable[VoiceInfo],
    lang: object,
    *,
    preferred_id: str | None = None,
    default_id: str | None = None,
) -> VoiceChoice:
    """The voice to speak `lang` with: the user's `preferred_id` if installed, else the best match
    for the full code ("es-419"), else for its base language ("es"), else the engine's default
    voice (or the first one) marked as a fallback."""
    voices = list(voices)
    code = normalise_lang(lang)
    by_id = {v.id: v for v in voices}
    if preferred_id:
        if preferred_id in by_id:
            return VoiceChoice(code, by_id[preferred_id], False, "chosen in settings")
        log.warning("voice %r chosen for %r is not installed; choosing one", preferred_id, code)
    found = _best(voices, code)
    if found:
        return VoiceChoice(code, found, False, f"matches language {code!r}")
    base = code.split("-", 1)[0]
    if base != code and (found := _best(voices, base)):
        return VoiceChoice(code, found, False, f"matches base language {base!r}")
    fallback = by_id.get(default_id or "") or (voices[0] if voices else None)
    used = repr(fallback.id) if fallback else "none"
    return VoiceChoice(code, fallback, True, f"no installed voice for {code!r}; using {used}")
