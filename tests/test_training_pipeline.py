"""The whole training pipeline on a tiny, randomly initialised Gemma-3-shaped model: prepare ->
train a few steps (loss goes down) -> merge -> the GGUF loads in llama.cpp -> evaluate writes the
report. CI never trains the real model (that takes an hour here); this proves the plumbing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tiny_gemma import make_tiny_gemma_gguf

from app.generation.llama_runtime import LlamaRuntime
from app.generation.lora import read_lora_gguf
from training.__main__ import main as train_cli

pytestmark = pytest.mark.slow

PAIRS = [
    ("I want water.", "Quiero agua."),
    ("I am hungry.", "Tengo hambre."),
    ("I am tired.", "Estoy cansado."),
    ("Do you want to play?", "¿Quieres jugar?"),
    ("I don't like milk.", "No me gusta la leche."),
    ("We went to the park.", "Fuimos al parque."),
    ("She is sad.", "Ella está triste."),
    ("I need help.", "Necesito ayuda."),
    ("Where is the bathroom?", "¿Dónde está el baño?"),
    ("I want to sleep.", "Quiero dormir."),
    ("He eats bread.", "Él come pan."),
    ("I like music.", "Me gusta la música."),
    ("Mom is at home.", "Mamá está en casa."),
    ("I am cold.", "Tengo frío."),
    ("They play football.", "Ellos juegan al fútbol."),
    ("I want to go home.", "Quiero ir a casa."),
    ("My head hurts.", "Me duele la cabeza."),
    ("Can you help me?", "¿Me puedes ayudar?"),
    ("I will go to school.", "Iré a la escuela."),
    ("The dog is big.", "El perro es grande."),
] * 3  # repeated with a time word added below, so there are enough distinct sentences


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory, embedded_model) -> Path:
    return make_tiny_gemma_gguf(embedded_model, tmp_path_factory.mktemp("tiny") / "tiny.gguf")


def write_tsv(path: Path) -> Path:
    lines = []
    for i, (en, es) in enumerate(PAIRS):
        en_word, es_word = [("", ""), (" today", " hoy"), (" now", " ahora")][i // 20]
        lines.append(f"{en[:-1]}{en_word}{en[-1]}\t{es[:-1]}{es_word}{es[-1]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_prepare_train_merge_load_evaluate(tmp_path, tiny_base):
    corpus, run = tmp_path / "corpus", tmp_path / "run"
    tsv = write_tsv(tmp_path / "pairs.tsv")
    assert (
        train_cli(
            [
                "prepare",
                "--tsv",
                str(tsv),
                "--out",
                str(corpus),
                "--no-progress",
                "--dev-fraction",
                "0.2",
                "--test-fraction",
                "0.2",
            ]
        )
        == 0
    )
    assert (corpus / "train.jsonl").stat().st_size > 0

    assert (
        train_cli(
            [
                "train",
                "--corpus",
                str(corpus),
                "--out",
                str(run),
                "--base",
                str(tiny_base),
                "--max-examples",
                "64",
                "--eval-examples",
                "16",
                "--epochs",
                "4",
                "--eval-every",
                "4",
                "--patience",
                "50",
                "--lr",
                "0.01",
                "--batch-size",
                "8",
            ]
        )
        == 0
    )
    summary = json.loads((run / "summary.json").read_text())
    devs = [h["dev"] for h in summary["history"]]
    assert summary["history"][0]["step"] == 0
    assert min(devs[1:]) < devs[0] - 0.3, devs  # the loss went down
    assert (run / "best" / "adapter_model.safetensors").is_file()

    adapter, merged = tmp_path / "lora.gguf", tmp_path / "merged.gguf"
    assert (
        train_cli(
            [
                "merge",
                "--run",
                str(run),
                "--base",
                str(tiny_base),
                "--adapter-out",
                str(adapter),
                "--merged-out",
                str(merged),
                "--parity",
                "0",
            ]
        )
        == 0
    )
    lora = read_lora_gguf(adapter)
    assert lora.rank == 16 and len(lora.pairs) == 2 * 7  # 2 layers x 7 linear modules
    assert lora.metadata["prompt_format"] == "finetuned"

    # llama.cpp loads the merged file; its logits equal base + adapter applied at load time
    # (up to Q8_0 rounding) and differ from the base alone.
    prompt = "[es] Keywords: yo querer agua\nSentence:"

    def logits(path: Path, adapter_path: Path | None = None) -> np.ndarray:
        rt = LlamaRuntime(path, threads=1, adapter=adapter_path)
        try:
            return rt.set_prompt(rt.tokenize(prompt))[0].copy()
        finally:
            rt.close()

    m, a, b = logits(merged), logits(tiny_base, adapter), logits(tiny_base)
    assert np.corrcoef(m, a)[0, 1] > 0.999
    assert np.abs(m - a).mean() < 0.2 * np.abs(m - b).mean()

    gold = tmp_path / "gold"
    gold.mkdir()
    for lang, kw, ref in (
        ("es", ["yo", "querer", "agua"], "Quiero agua."),
        ("en", ["I", "want", "water"], "I want water."),
    ):
        (gold / f"{lang}.jsonl").write_text(json.dumps({"keywords": kw, "references": [ref]}))
    report, raw = tmp_path / "EVALUATION.md", tmp_path / "results.json"
    assert (
        train_cli(
            [
                "evaluate",
                "--corpus",
                str(corpus),
                "--base",
                str(tiny_base),
                "--merged",
                str(merged),
                "--gold-dir",
                str(gold),
                "--test-limit",
                "4",
                "--report",
                str(report),
                "--json",
                str(raw),
            ]
        )
        == 0
    )
    text = report.read_text()
    for name in ("raw keywords", "base few-shot", "LoRA merged", "gold set", "BLEU", "chrF++"):
        assert name in text
    results = json.loads(raw.read_text())
    row = results["gold set"]["es"]["raw keywords"]
    assert row["coverage"] == 1.0  # the raw keywords contain every keyword
    assert 0.0 <= results["gold set"]["es"]["LoRA merged"]["coverage"] <= 1.0


def test_pack_holds_the_same_model_and_trains(tmp_path, tiny_base):
    """`pack` (for a machine without the GGUF or tokenizer) gives the model transformers reads
    from the GGUF, restricted to the pack's vocabulary, and `train --pack` learns from it."""
    import torch
    from transformers import AutoModelForCausalLM

    from training.pack import load_examples, load_model, read_meta

    corpus, pack, run = tmp_path / "corpus", tmp_path / "pack", tmp_path / "run"
    tsv = write_tsv(tmp_path / "pairs.tsv")
    assert train_cli(["prepare", "--tsv", str(tsv), "--out", str(corpus), "--no-progress",
                      "--dev-fraction", "0.2", "--test-fraction", "0.2"]) == 0  # fmt: skip
    assert train_cli(["pack", "--corpus", str(corpus), "--out", str(pack), "--base",
                      str(tiny_base), "--eval-examples", "16"]) == 0  # fmt: skip
    meta = read_meta(pack)
    vocab = np.load(pack / "vocab.npy")
    assert meta["vocab"] == len(vocab) < meta["full_vocab"]
    examples = load_examples(pack)
    assert examples["train"] and examples["dev"] and examples["next_dev"]
    assert any(examples["train_is_next"]) and not all(examples["train_is_next"])
    assert meta["counts"]["augment"]["short"] >= 1  # "agua" -> "Quiero agua." and the like

    packed = load_model(pack)
    full = AutoModelForCausalLM.from_pretrained(
        str(tiny_base.parent), gguf_file=tiny_base.name, dtype=torch.float32
    )
    ids, _ = examples["dev"][0]
    with torch.no_grad():
        a = packed(torch.tensor([ids])).logits[0]
        b = full(torch.tensor([vocab[ids].tolist()])).logits[0][:, torch.from_numpy(vocab).long()]
    assert torch.allclose(a, b, atol=1e-4), (a - b).abs().max()

    assert train_cli(["train", "--pack", str(pack), "--out", str(run), "--epochs", "2",
                      "--eval-every", "4", "--patience", "50", "--lr", "0.01",
                      "--eval-examples", "16"]) == 0  # fmt: skip
    summary = json.loads((run / "summary.json").read_text())
    devs = [h["dev"] for h in summary["history"]]
    assert min(devs[1:]) < devs[0] - 0.3, devs
    assert all("dev_next" in h for h in summary["history"])
    assert (run / "best" / "adapter_model.safetensors").is_file()
