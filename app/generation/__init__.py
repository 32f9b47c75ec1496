"""Keywords in, ranked candidate sentences out: prompts, decoding, ranking, model location.

The names below load on first use (PEP 562), so `app.generation.prompts` and the other plain
modules import without llama.cpp: training runs on machines that have torch but not llama.cpp.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.generation.candidates import Candidate, GenerationResult
    from app.generation.engine import ModelLoadError, SentenceGenerator, fallback_result

_WHERE = {
    "Candidate": "app.generation.candidates",
    "GenerationResult": "app.generation.candidates",
    "ModelLoadError": "app.generation.engine",
    "SentenceGenerator": "app.generation.engine",
    "fallback_result": "app.generation.engine",
}

__all__ = [
    "Candidate",
    "GenerationResult",
    "ModelLoadError",
    "SentenceGenerator",
    "fallback_result",
]


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
