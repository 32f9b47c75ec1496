"""A thin layer over llama.cpp (llama-cpp-python's low-level bindings) for what the engine needs
and the high-level `Llama` class does not give: a prompt prefix kept in the KV cache across
requests, candidates forked from the prompt into their own sequence, and the logits of each step.
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path

import llama_cpp
import numpy as np
from llama_cpp import _internals as internals

log = logging.getLogger(__name__)
_llama_log = logging.getLogger("llama.cpp")
N_SEQ = 2  # 0: the prompt; 1: the candidate being decoded
CANDIDATE_SEQ = 1
_GGML_LOG_ERROR = 4  # ggml_log_level: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5


@llama_cpp.llama_log_callback
def _route_llama_log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    # llama.cpp writes to stderr by default; its notes belong in our log, not the user's console.
    message = text.decode("utf-8", "replace").rstrip()
    if message:
        _llama_log.log(logging.WARNING if level == _GGML_LOG_ERROR else logging.DEBUG, message)


llama_cpp.llama_log_set(_route_llama_log, ctypes.c_void_p(0))

GGUF_MAGIC = b"GGUF"


class RuntimeLoadError(RuntimeError):
    pass


def check_gguf(path: Path) -> None:
    """Fail early with a readable reason: llama.cpp's own message for a bad file is terse."""
    if not path.is_file():
        raise RuntimeLoadError(f"Model file not found: {path}")
    with path.open("rb") as fh:
        head = fh.read(8)
    if len(head) < 8 or head[:4] != GGUF_MAGIC:
        raise RuntimeLoadError(f"Not a GGUF model file (bad header): {path}")


def supports_gpu_offload() -> bool:
    return bool(llama_cpp.llama_supports_gpu_offload())


def system_info() -> str:
    return llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip()


class LlamaRuntime:
    """One model, one context with two sequences: 0 holds the prompt, 1 the candidate being
    decoded, forked from the prompt's cells (unified KV cache). Candidates are decoded one after
    another: measured here (1 thread), a 1-token step took 14 ms and a batch of 3 sequences
    58 ms, so one by one is faster and streams the first sooner. Not thread-safe: one owner."""

    def __init__(
        self,
        path: Path,
        *,
        threads: int,
        gpu_layers: int = 0,
        n_ctx: int = 1024,
        n_batch: int = 512,
        adapter: Path | None = None,
    ) -> None:
        check_gguf(path)
        mparams = llama_cpp.llama_model_default_params()
        mparams.n_gpu_layers = gpu_layers
        try:
            # verbose=False would make llama-cpp-python point fds 1 and 2 at /dev/null while it
            # loads, muting every other thread's log lines and warnings meanwhile; llama.cpp's
            # own messages already go to our logger (_route_llama_log), so never mute.
            self._model = internals.LlamaModel(path_model=str(path), params=mparams, verbose=True)
        except ValueError as exc:
            raise RuntimeLoadError(f"llama.cpp could not load {path.name}: {exc}") from exc
        cparams = llama_cpp.llama_context_default_params()
        cparams.n_ctx = n_ctx
        cparams.n_batch = n_batch
        cparams.n_ubatch = n_batch
        cparams.n_seq_max = N_SEQ
        cparams.n_threads = threads
        cparams.n_threads_batch = threads
        # Candidates share the prompt's cells; a full SWA cache lets any prefix be reused.
        cparams.kv_unified = True
        cparams.swa_full = True
        try:
            self._ctx = internals.LlamaContext(model=self._model, params=cparams, verbose=True)
        except ValueError as exc:
            self._model.close()
            raise RuntimeLoadError(f"llama.cpp could not create a context: {exc}") from exc
        self._adapter = None
        if adapter is not None:
            self._apply_adapter(adapter)
        self._batch = internals.LlamaBatch(n_tokens=n_batch, embd=0, n_seq_max=N_SEQ)
        self.n_vocab = self._model.n_vocab()
        self.n_ctx = n_ctx
        self.n_batch = n_batch
        self._piece_buf = ctypes.create_string_buffer(64)
        self._prompt: list[int] = []  # tokens sequence 0 holds in the KV cache
        self._prompt_logits: np.ndarray | None = None

    def _apply_adapter(self, adapter: Path) -> None:
        # The low-level API keeps mmap on (Llama(lora_path=...) silently turns it off).
        handle = llama_cpp.llama_adapter_lora_init(self._model.model, str(adapter).encode())
        if not handle:
            self.close()
            raise RuntimeLoadError(f"llama.cpp could not load the LoRA adapter {adapter}")
        adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(handle)
        scales = (ctypes.c_float * 1)(1.0)
        if llama_cpp.llama_set_adapters_lora(self._ctx.ctx, adapters, 1, scales) != 0:
            self.close()
            raise RuntimeLoadError(f"llama.cpp could not apply the LoRA adapter {adapter}")
        self._adapter = handle

    # --- tokens -------------------------------------------------------------------------------
    def tokenize(self, text: str, *, bos: bool = True) -> list[int]:
        """With BOS (llama.cpp adds it; raw prompts must not spell `<bos>`), no special tokens.
        bos=False for a piece that continues a prompt (a word to score)."""
        return self._model.tokenize(text.encode("utf-8"), add_bos=bos, special=False)

    def piece(self, token: int) -> bytes:
        # The internals' token_to_piece returns its whole NUL-padded buffer; use the length.
        n = llama_cpp.llama_token_to_piece(self._model.vocab, token, self._piece_buf, 64, 0, False)
        if n < 0:  # buffer too small: -n is the size needed
            buf = ctypes.create_string_buffer(-n)
            n = llama_cpp.llama_token_to_piece(self._model.vocab, token, buf, -n, 0, False)
            return buf.raw[:n]
        return self._piece_buf.raw[:n]

    def is_end(self, token: int) -> bool:
        return bool(llama_cpp.llama_vocab_is_eog(self._model.vocab, token))

    # --- KV cache ------------------------------------------------------------------------------
    def _seq_rm(self, seq: int, p0: int, p1: int = -1) -> None:
        # Called directly: the internals wrapper maps seq -1 ("every sequence") to 0.
        llama_cpp.llama_memory_seq_rm(self._ctx.memory, seq, p0, p1)

    def set_prompt(self, tokens: list[int]) -> tuple[np.ndarray, int]:
        """Make sequence 0 hold `tokens`, evaluating only what differs from the cached prompt.
        Returns the logits after the last prompt token and how many tokens were evaluated."""
        if len(tokens) >= self.n_ctx:
            raise ValueError(f"prompt of {len(tokens)} tokens does not fit n_ctx={self.n_ctx}")
        if tokens == self._prompt and self._prompt_logits is not None:
            self.drop_candidates()
            return self._prompt_logits, 0
        common = 0
        for a, b in zip(tokens, self._prompt, strict=False):
            if a != b:
                break
            common += 1
        common = min(common, len(tokens) - 1)  # the last token is always evaluated: we need logits
        self._seq_rm(-1, common)
        self._prompt = tokens[:common]
        self._prompt_logits = None
        for start in range(common, len(tokens), self.n_batch):
            chunk = tokens[start : start + self.n_batch]
            b = self._batch.batch
            b.n_tokens = len(chunk)
            for i, tok in enumerate(chunk):
                b.token[i] = tok
                b.pos[i] = start + i
                b.n_seq_id[i] = 1
                b.seq_id[i][0] = 0
                b.logits[i] = False
            b.logits[len(chunk) - 1] = True
            self._ctx.decode(self._batch)
            self._prompt.extend(chunk)
        logits = np.ctypeslib.as_array(self._ctx.get_logits_ith(-1), shape=(self.n_vocab,))
        self._prompt_logits = logits.copy()
        return self._prompt_logits, len(tokens) - common

    @property
    def prompt_len(self) -> int:
        return len(self._prompt)

    def fork(self) -> None:
        """Start a candidate from the prompt (shares the prompt's cells, copies nothing)."""
        self._seq_rm(CANDIDATE_SEQ, 0)
        llama_cpp.llama_memory_seq_cp(self._ctx.memory, 0, CANDIDATE_SEQ, 0, len(self._prompt))

    def drop_candidates(self) -> None:
        self._seq_rm(CANDIDATE_SEQ, 0)
        self._seq_rm(0, len(self._prompt))

    def step(self, token: int, pos: int) -> np.ndarray:
        """Decode the candidate's next token at `pos`; returns the next-token logits (a view valid
        until the next decode)."""
        b = self._batch.batch
        b.n_tokens = 1
        b.token[0] = token
        b.pos[0] = pos
        b.n_seq_id[0] = 1
        b.seq_id[0][0] = CANDIDATE_SEQ
        b.logits[0] = True
        self._ctx.decode(self._batch)
        return np.ctypeslib.as_array(self._ctx.get_logits_ith(0), shape=(self.n_vocab,))

    def close(self) -> None:
        for name in ("_batch", "_ctx", "_model"):
            obj = getattr(self, name, None)
            if obj is not None:
                obj.close()
                setattr(self, name, None)
