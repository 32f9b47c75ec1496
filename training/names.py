"""Replace Tatoeba's over-frequent names (Tom is in about one pair in six) with a small pool of
common names per language, so the model does not learn that every sentence is about Tom.

The pick is deterministic: a stable hash of the pair's line number and the name's canonical
form, so both sides of a pair get the same slot (Tom/Tomás -> slot 3 -> "Pablo" / "Ben") and a
rerun gives the same corpus. A name keeps its gender, because Spanish agreement depends on it
("María está cansada"). Two different names in one sentence never map to the same new name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from app.core.keywords import Lang

# Name as it appears -> (canonical key shared by both languages, gender or kind).
SOURCE_NAMES: dict[str, tuple[str, str]] = {
    "Tom": ("tom", "m"),
    "Tomás": ("tom", "m"),
    "John": ("john", "m"),
    "Juan": ("john", "m"),
    "Mary": ("mary", "f"),
    "María": ("mary", "f"),
    "Alice": ("alice", "f"),
    "Alicia": ("alice", "f"),
    "Boston": ("boston", "city"),
}

POOLS: dict[Lang, dict[str, tuple[str, ...]]] = {
    Lang.ES: {
        "m": ("Pablo", "Luis", "Javier", "Diego", "Carlos", "Miguel", "Hugo", "Daniel"),
        "f": ("Ana", "Lucía", "Carmen", "Sofía", "Elena", "Laura", "Marta", "Paula"),
        "city": ("Madrid", "Sevilla", "Valencia", "Bilbao"),
    },
    Lang.EN: {
        "m": ("Sam", "Ben", "Jack", "Leo", "Max", "David", "Peter", "Harry"),
        "f": ("Anna", "Emma", "Lucy", "Sarah", "Kate", "Lily", "Grace", "Ellen"),
        "city": ("London", "Chicago", "Dublin", "Sydney"),
    },
}

# Every name the corpus can hold, lower-cased: the converters keep a sentence's first word as a
# name when it is one of these ("Pablo come pan", not the verb "pablar"; "Lucía canta", not
# "lucir").
KNOWN_NAMES: dict[Lang, frozenset[str]] = {
    lang: frozenset(
        [n.lower() for names in pools.values() for n in names]
        + [n.lower() for n in SOURCE_NAMES if n != "Boston" or lang is Lang.EN]
    )
    for lang, pools in POOLS.items()
}

_NAME_RE = re.compile(r"\b(" + "|".join(sorted(SOURCE_NAMES, key=len, reverse=True)) + r")\b")


@dataclass(frozen=True)
class Replacement:
    text: str
    replaced: dict[str, str]  # original name -> new name


def _slot(seed: str, key: str, size: int) -> int:
    digest = hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % size


def replace_names(sentence: str, lang: Lang, seed: str | int) -> Replacement:
    """Replace the known names in `sentence`; `seed` is the pair's identity (its line)."""
    found = list(dict.fromkeys(_NAME_RE.findall(sentence)))
    if not found:
        return Replacement(sentence, {})
    mapping: dict[str, str] = {}
    by_key: dict[str, str] = {}  # "Tom" and "Tomás" in one sentence are one person
    for name in found:
        key, kind = SOURCE_NAMES[name]
        if key not in by_key:
            pool = POOLS[lang][kind]
            slot = _slot(str(seed), key, len(pool))
            while pool[slot] in by_key.values():
                slot = (slot + 1) % len(pool)
            by_key[key] = pool[slot]
        mapping[name] = by_key[key]
    text = _NAME_RE.sub(lambda m: mapping[m.group(1)], sentence)
    return Replacement(text, mapping)
