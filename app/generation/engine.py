"""`SentenceGenerator`: keywords in, ranked candidate sentences out.

The prompt is evaluated once per request (the few-shot prefix stays in the KV cache across
requests). Candidates are then decoded one after another, each forked from the prompt in the
KV cache: the first is always greedy and streams out first; the others are sampled with the
decoding settings (temperature 0: they start from the next most likely first token and continue
greedily). A candidate that repeats another after normalisation, is not a sentence, or
contradicts the keywords (`check_candidate`: negation, question, tense, content) is never shown:
decoding retries from the best first token not tried yet, within a budget, and when the budget
runs out fewer candidates are shown. The result is ranked by mean token log-probability.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.core.keywords import KeywordInput, Lang, parse_lang
from app.core.settings import DecodingSettings, Settings, default_threads
from app.generation.candidates import Candidate, GenerationResult, rank
from app.generation.gpu import GpuDecision, load_with_fallback
from app.generation.llama_runtime import LlamaRuntime, RuntimeLoadError
from app.generation.model_choice import ModelRequest, decide_model
from app.generation.model_location import ModelChoice, ModelNotFoundError
from app.generation.next_words import NextWordRequest, WordTokens, score_words
from app.generation.prompts import PromptStyle, build_prompt, few_shot_prefix
from app.generation.sampling import logsumexp, ranked_token, sample_token
from app.generation.text import (
    check_candidate,
    clean_sentence,
    dedupe_key,
    mentions_keywords,
    raw_keywords_sentence,
    sentence_complete,
)

log = logging.getLogger(__name__)

MAX_CANDIDATES = 8
RESTARTS_PER_CANDIDATE = 2


class ModelLoadError(RuntimeError):
    """No model could be loaded; the message says why in words a caregiver can act on."""


@dataclass
class _Slot:
    """One candidate being decoded."""

    greedy: bool = False
    tokens: list[int] = field(default_factory=list)
    text: bytearray = field(default_factory=bytearray)
    logprob_sum: float = 0.0
    pos: int = 0

    def add(self, token: int, logprob: float, piece: bytes) -> None:
        self.tokens.append(token)
        self.logprob_sum += logprob
        self.text += piece
        self.pos += 1

    @property
    def decoded(self) -> str:
        return self.text.decode("utf-8", "ignore")


@dataclass
class _Stats:
    prompt_tokens: int = 0
    prompt_s: float = 0.0
    generated_tokens: int = 0
    generation_s: float = 0.0
    cancelled: bool = False


def fallback_result(
    keywords: KeywordInput, reason: str | None = None, *, elapsed_s: float = 0.0
) -> GenerationResult:
    """When no model runs, the raw keywords are still offered (and can be spoken)."""
    text = raw_keywords_sentence(keywords)
    return GenerationResult(
        candidates=[Candidate(text, 0.0, 0, greedy=True, elapsed_s=elapsed_s)],
        lang=keywords.lang.value,
        keywords=keywords.keywords,
        notices=[*keywords.notices, *([reason] if reason else [])],
        fallback=True,
        total_s=elapsed_s,
    )


class SentenceGenerator:
    """Load a GGUF once, then `generate(keywords, lang) -> GenerationResult`.

    One thread owns an instance (calls are serialised by a lock); `cancel` (a threading.Event)
    may be set from any thread to stop a request between tokens.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        style: PromptStyle | None = None,
        threads: int | None = None,
        gpu_layers: int = 0,
        n_candidates: int = 3,
        decoding: DecodingSettings | None = None,
        n_ctx: int = 2048,
    ) -> None:
        self.request = ModelRequest(Path(model_path).expanduser() if model_path else None, style)
        self.threads = threads if threads and threads > 0 else default_threads()
        self.gpu_layers = gpu_layers
        self.n_candidates = min(max(n_candidates, 1), MAX_CANDIDATES)
        self.decoding = (decoding or DecodingSettings()).validated()
        self.n_ctx = n_ctx
        self.choice: ModelChoice | None = None
        self.load_s: float | None = None
        self.gpu: GpuDecision | None = None  # where the loaded model runs, and why
        self._runtime: LlamaRuntime | None = None
        self._word_tokens: WordTokens | None = None
        self._lock = threading.Lock()
        # Off only to measure the model without the checks (bench/markers.py --no-checks).
        self.check_candidates = True

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        model: str | Path | None = None,
        style: str | PromptStyle | None = None,
        threads: int | None = None,
        gpu_layers: int | None = None,
        n_candidates: int | None = None,
        decoding: DecodingSettings | None = None,
    ) -> SentenceGenerator:
        """The app's engine, and the CLI's with its flags as overrides: the same decision."""
        gen = cls(
            threads=threads or settings.effective_threads,
            gpu_layers=settings.gpu_layers if gpu_layers is None else gpu_layers,
            n_candidates=n_candidates or settings.n_candidates,
            decoding=decoding or settings.decoding,
        )
        gen.request = ModelRequest.from_settings(settings, model, style)
        return gen

    # --- loading -------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._runtime is not None

    @property
    def style(self) -> PromptStyle:
        if self.choice is None:
            raise ModelLoadError("The model is not loaded yet.")
        return self.choice.style

    def load(self) -> None:
        """Find and load the model (idempotent). Raises ModelLoadError with a clear message."""
        if self._runtime is not None:
            return
        start = time.perf_counter()
        try:
            choice = decide_model(self.request)
            # gpu_layers auto, and a CPU retry when a GPU load fails (gpu.py)
            runtime, self.gpu = load_with_fallback(
                lambda n_gpu_layers: LlamaRuntime(
                    choice.path,
                    threads=self.threads,
                    gpu_layers=n_gpu_layers,
                    n_ctx=self.n_ctx,
                    adapter=choice.adapter,
                ),
                self.gpu_layers,
            )
        except (ModelNotFoundError, RuntimeLoadError) as exc:
            raise ModelLoadError(str(exc)) from exc
        self.choice, self._runtime = choice, runtime
        self._word_tokens = WordTokens(runtime)
        self.load_s = time.perf_counter() - start
        log.info(
            "Loaded %s (%s, %s) in %.2f s on %s",
            choice.path.name,
            choice.source,
            choice.style,
            self.load_s,
            self.gpu.describe(),
        )

    def warm_up(self, lang: str | Lang = Lang.ES) -> float:
        """Evaluate the few-shot prefix now so the first tap does not pay for it."""
        self.load()
        assert self._runtime is not None
        if self.style is not PromptStyle.FEW_SHOT:
            return 0.0
        start = time.perf_counter()
        with self._lock:
            self._runtime.set_prompt(self._runtime.tokenize(few_shot_prefix(parse_lang(lang))))
        return time.perf_counter() - start

    def close(self) -> None:
        with self._lock:
            if self._runtime is not None:
                self._runtime.close()
                self._runtime = None

    # --- generation ----------------------------------------------------------------------------
    def generate(
        self,
        kinput: KeywordInput,
        n: int | None = None,
        *,
        decoding: DecodingSettings | None = None,
        on_candidate: Callable[[Candidate], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> GenerationResult:
        """Ranked candidates, best first, for keywords already under the keyword convention
        (`prepare_keywords`, applied once where the user's input enters). Raises ModelLoadError
        when no model loads (callers then offer `fallback_result`)."""
        self.load()
        n = min(max(n or self.n_candidates, 1), MAX_CANDIDATES)
        stats = _Stats()
        start = time.perf_counter()
        found: list[Candidate] = []
        with self._lock:
            for cand in self._decode(
                kinput, n, (decoding or self.decoding).validated(), cancel, stats, start
            ):
                found.append(cand)
                if on_candidate is not None:
                    on_candidate(cand)
        return GenerationResult(
            candidates=rank(found, n),
            lang=kinput.lang.value,
            keywords=kinput.keywords,
            notices=list(kinput.notices),
            cancelled=stats.cancelled,
            prompt_tokens=stats.prompt_tokens,
            prompt_s=stats.prompt_s,
            generated_tokens=stats.generated_tokens,
            generation_s=stats.generation_s,
            total_s=time.perf_counter() - start,
        )

    def predict_next(
        self, request: NextWordRequest, cancel: threading.Event | None = None
    ) -> dict[str, float]:
        """Log-probability of each of `request.words` being the next keyword; {} when the model
        was not fine-tuned for it (the few-shot base model) or nothing was tapped yet."""
        self.load()
        with self._lock:
            assert self._runtime is not None and self.choice is not None
            assert self._word_tokens is not None
            if self.choice.style != PromptStyle.FINETUNED or not request.prefix:
                return {}
            return score_words(self._runtime, request, self._word_tokens, cancel=cancel)

    def _decode(
        self,
        kinput: KeywordInput,
        n: int,
        decoding: DecodingSettings,
        cancel: threading.Event | None,
        stats: _Stats,
        start: float,
    ) -> Iterator[Candidate]:
        rt = self._runtime
        assert rt is not None and self.choice is not None
        rng = np.random.default_rng(decoding.seed)
        tokens = rt.tokenize(build_prompt(kinput, self.choice.style))
        prompt_logits, stats.prompt_tokens = rt.set_prompt(tokens)
        stats.prompt_s = time.perf_counter() - start
        prompt_len, prompt_lse = rt.prompt_len, logsumexp(prompt_logits)
        # Every candidate's tokens must fit in the context after the shared prompt.
        max_tokens = min(decoding.max_tokens, rt.n_ctx - prompt_len - 1)
        seen: set[str] = set()
        used_first: set[int] = set()

        def first_token(greedy: bool, restart: bool) -> int:
            # A restart (after a duplicate) takes the best first token not tried yet, which
            # guarantees a different path; a fresh sampled candidate draws its first token.
            if greedy:
                return int(prompt_logits.argmax())
            if restart or decoding.temperature <= 0.0:
                rank = 0
                while (token := ranked_token(prompt_logits, rank)) in used_first:
                    rank += 1
                return token
            return sample_token(prompt_logits, decoding, rng)

        gen_start = time.perf_counter()
        try:
            found, attempts = 0, 0
            while found < n and attempts < n * (1 + RESTARTS_PER_CANDIDATE):
                greedy, restart = attempts == 0, attempts >= n
                attempts += 1
                rt.fork()
                slot = _Slot(greedy=greedy, pos=prompt_len)
                token = first_token(greedy, restart)
                used_first.add(token)
                slot.add(token, float(prompt_logits[token]) - prompt_lse, rt.piece(token))
                while not (
                    rt.is_end(slot.tokens[-1])
                    or sentence_complete(slot.decoded)
                    or len(slot.tokens) >= max_tokens
                ):
                    if cancel is not None and cancel.is_set():
                        stats.cancelled = True
                        return
                    logits = rt.step(slot.tokens[-1], slot.pos - 1)
                    stats.generated_tokens += 1
                    if greedy or decoding.temperature <= 0.0:
                        token = int(logits.argmax())
                    else:
                        token = sample_token(logits, decoding, rng)
                    slot.add(token, float(logits[token]) - logsumexp(logits), rt.piece(token))
                text = clean_sentence(slot.decoded, kinput)
                key = dedupe_key(text) if text else ""
                if not text or key in seen:
                    log.debug("Discarded candidate %r", slot.decoded)
                    continue
                seen.add(key)
                if self.check_candidates and (problems := check_candidate(text, kinput)):
                    log.debug("Rejected candidate %r: %s", text, ", ".join(problems))
                    continue
                found += 1
                yield Candidate(
                    text,
                    slot.logprob_sum / len(slot.tokens),
                    len(slot.tokens),
                    greedy=greedy,
                    elapsed_s=time.perf_counter() - start,
                    on_topic=mentions_keywords(text, kinput),
                )
        finally:
            stats.generation_s = time.perf_counter() - gen_start
            rt.drop_candidates()
