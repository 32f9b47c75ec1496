"""The base model for training: Gemma 3 270M from the GGUF the app runs, dequantised into
transformers, and checked against llama.cpp before anything is trained on it."""

from __future__ import annotations

import logging
from pathlib import Path

import torch

from app.generation.llama_runtime import LlamaRuntime

log = logging.getLogger(__name__)


def load_base(gguf_path: Path, dtype: torch.dtype = torch.float32):
    """(tokenizer, model) from a GGUF file. transformers dequantises it (float32 by default) and
    converts llama.cpp's `1 + w` RMSNorm weights back to Gemma's `w`."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf_path = Path(gguf_path)
    # Building the 262k-token tokenizer from GGUF takes ~30 s here; a saved copy was no faster.
    tok = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(
        str(gguf_path.parent), gguf_file=gguf_path.name, dtype=dtype
    )
    model.eval()
    return tok, model


@torch.no_grad()
def torch_greedy(model, tok, prompt: str, max_new_tokens: int = 24) -> str:
    ids = tok(prompt, return_tensors="pt").input_ids.to(model.device)
    out = model.generate(
        ids,
        attention_mask=torch.ones_like(ids),
        max_new_tokens=max_new_tokens,
        do_sample=False,
        pad_token_id=tok.pad_token_id,
    )
    return first_line(tok.decode(out[0, ids.shape[1] :], skip_special_tokens=True))


def llama_greedy(runtime: LlamaRuntime, prompt: str, max_new_tokens: int = 24) -> str:
    """Greedy text from llama.cpp with the same stop rule (first line) as torch_greedy."""
    logits, _ = runtime.set_prompt(runtime.tokenize(prompt))
    pos, text = runtime.prompt_len, b""
    runtime.fork()
    for _ in range(max_new_tokens):
        token = int(logits.argmax())
        if runtime.is_end(token):
            break
        text += runtime.piece(token)
        if b"\n" in text:
            break
        logits = runtime.step(token, pos)
        pos += 1
    runtime.drop_candidates()
    return first_line(text.decode("utf-8", "ignore"))


def first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0].strip()


def greedy_match_rate(model, tok, gguf_path: Path, prompts: list[str], threads: int = 1) -> float:
    """Share of prompts where transformers and llama.cpp produce the same greedy line."""
    runtime = LlamaRuntime(Path(gguf_path), threads=threads)
    try:
        same = 0
        for p in prompts:
            a, b = torch_greedy(model, tok, p), llama_greedy(runtime, p)
            same += a == b
            if a != b:
                log.info("greedy differs for %r: torch %r, llama.cpp %r", p, a, b)
        return same / max(len(prompts), 1)
    finally:
        runtime.close()
