"""The one model decision: which GGUF file runs, in which prompt style, with which adapter.

The app's engine, every CLI command and `pictovoz doctor` call `decide_model` with a
`ModelRequest` built from the settings (and the command line), so they always agree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from app.core.settings import Settings
from app.generation.model_location import (
    ModelChoice,
    ModelNotFoundError,
    base_model_notice,
    embedded_choice,
    locate_default_model,
)
from app.generation.models import prompt_style_for
from app.generation.prompts import PromptStyle

log = logging.getLogger(__name__)


def parse_style(value: str | PromptStyle | None) -> PromptStyle | None:
    """A prompt style from settings or a flag; an unknown value is guessed again from the model."""
    if value is None or value == "":
        return None
    try:
        return PromptStyle(value)
    except ValueError:
        log.warning("Unknown prompt style %r; guessing it from the model", value)
        return None


@dataclass(frozen=True)
class ModelRequest:
    """What the user asked for: a GGUF file (None: the built-in model) and maybe its style."""

    path: Path | None = None
    style: PromptStyle | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        model: str | Path | None = None,
        style: str | PromptStyle | None = None,
    ) -> ModelRequest:
        """The command line's `--model/--style` win over the settings' model_path/model_style;
        the settings' style belongs to the settings' file only."""
        if model:
            return cls(Path(model).expanduser(), parse_style(style))
        if settings.model_path:
            chosen = parse_style(style) or parse_style(settings.model_style)
            return cls(Path(settings.model_path).expanduser(), chosen)
        return cls(None, parse_style(style))


def decide_model(request: ModelRequest) -> ModelChoice:
    """Raises ModelNotFoundError with a message a caregiver can act on."""
    if request.path is not None:
        if not request.path.is_file():
            raise ModelNotFoundError(f"The chosen model file does not exist: {request.path}")
        # the style `pictovoz models add/use` recorded, else the file's own metadata
        style = request.style or prompt_style_for(request.path)
        return ModelChoice(request.path, style, "user")
    try:
        return locate_default_model(request.style)
    except ModelNotFoundError:
        raise
    except Exception as exc:  # anything the merge path missed must not cost the base model
        log.exception("The built-in fine-tuned model failed its checks")
        return embedded_choice(request.style, base_model_notice(f"{type(exc).__name__}: {exc}"))
