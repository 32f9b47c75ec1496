"""Keywords in, ranked candidate sentences out: prompts, decoding, ranking, model location."""

from app.generation.candidates import Candidate, GenerationResult
from app.generation.engine import ModelLoadError, SentenceGenerator, fallback_result

__all__ = [
    "Candidate",
    "GenerationResult",
    "ModelLoadError",
    "SentenceGenerator",
    "fallback_result",
]
