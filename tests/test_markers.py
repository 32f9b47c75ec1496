"""The engine never shows a candidate that contradicts the keywords (no model: a scripted
runtime whose tokens are whole sentences, so which candidate comes out is known)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from app.core.keywords import prepare_keywords
from app.core.settings import DecodingSettings
from app.generation.engine import SentenceGenerator
from app.generation.prompts import PromptStyle

END = 0


class ScriptedRuntime:
    """Token i (i >= 1) is one whole sentence; the prompt's logits rank them in script order,
    so greedy decoding gives the first one, and restarts the next ones."""

    n_ctx = 512

    def __init__(self, sentences: list[str]) -> None:
        # Past the script, empty answers (the engine discards them) fill the vocabulary.
        blanks = [b" \n"] * 20
        self.pieces = [b"", *(f" {s}\n".encode() for s in sentences), *blanks]
        scores = [-float(i) for i in range(len(sentences) + len(blanks))]
        self.logits = np.array([-50.0, *scores], np.float32)

    def tokenize(self, text: str) -> list[int]:
        return [1] * 5

    def set_prompt(self, tokens: list[int]) -> tuple[np.ndarray, int]:
        return self.logits.copy(), len(tokens)

    prompt_len = 5

    def piece(self, token: int) -> bytes:
        return self.pieces[token]

    def is_end(self, token: int) -> bool:
        return token == END

    def fork(self) -> None:
        pass

    def step(self, token: int, pos: int) -> np.ndarray:
        out = np.full(len(self.pieces), -50.0, np.float32)
        out[END] = 0.0
        return out

    def drop_candidates(self) -> None:
        pass


def generator(sentences: list[str], *, checks: bool = True) -> SentenceGenerator:
    gen = SentenceGenerator(decoding=DecodingSettings(temperature=0.0))
    gen._runtime = ScriptedRuntime(sentences)  # type: ignore[assignment]
    gen.choice = SimpleNamespace(style=PromptStyle.FINETUNED)  # type: ignore[assignment]
    gen.check_candidates = checks
    return gen


MODEL_SAYS = [
    "Quiero dormir, no.",  # greedy: the negation left dangling flips the message
    "Necesito dormir.",
    "No quiero dormir.",
    "¿Quieres dormir?",
    "No quiero dormir ahora.",
    "Nunca quiero dormir.",
]


def test_contradicting_candidates_are_not_shown_and_not_streamed():
    streamed = []
    for tapped in ("yo querer dormir no", "no yo querer dormir", "yo no querer dormir"):
        gen = generator(MODEL_SAYS)
        result = gen.generate(prepare_keywords(tapped, "es"), 3, on_candidate=streamed.append)
        assert result.texts and all(t.startswith(("No ", "Nunca ")) for t in result.texts)
        assert sorted(result.texts) == sorted(
            ["No quiero dormir.", "No quiero dormir ahora.", "Nunca quiero dormir."]
        )
    assert streamed and all(t.text.startswith(("No ", "Nunca ")) for t in streamed)


def test_without_the_checks_the_same_model_shows_the_contradiction():
    """What the checks change: today's engine would show the greedy "Quiero dormir, no."."""
    gen = generator(MODEL_SAYS, checks=False)
    result = gen.generate(prepare_keywords("yo querer dormir no", "es"), 3)
    assert "Quiero dormir, no." in result.texts


def test_when_nothing_passes_fewer_candidates_are_shown_never_a_contradicting_one():
    gen = generator(["Quiero dormir.", "Quiero dormir, no.", "Necesito dormir.", "Duermo."])
    result = gen.generate(prepare_keywords("yo querer dormir no", "es"), 3)
    assert result.texts == []
    gen = generator(["Quiero dormir.", "No quiero dormir.", "Necesito dormir.", "Duermo."])
    result = gen.generate(prepare_keywords("yo querer dormir no", "es"), 3)
    assert result.texts == ["No quiero dormir."]


def test_question_and_tense_checks_in_the_engine():
    gen = generator(["Quieres jugar.", "Quiero jugar contigo.", "¿Quieres jugar?"])
    # clean_sentence makes every answer to "?" a question; none is shown as a statement
    result = gen.generate(prepare_keywords("tú querer jugar ?", "es"), 3)
    assert result.texts and all(t.startswith("¿") and t.endswith("?") for t in result.texts)
    gen = generator(["Voy al parque el pasado.", "Fui al parque.", "Iré al parque."])
    result = gen.generate(prepare_keywords("yo ir parque pasado", "es"), 3)
    assert result.texts == ["Fui al parque."]
