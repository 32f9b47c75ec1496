"""A training pack: the fine-tune's inputs as plain arrays, for a machine that has torch,
transformers and peft but neither our model file, nor the tokenizer, nor a network (the lent
GPU machine takes at most 64 MiB per call, and the base GGUF is 253 MB).

`pictovoz-train pack` writes, outside the repository:
- `pack.json`: the Gemma 3 text config with the vocabulary cut to the tokens the examples use,
  each tensor's quantisation type and shape, special ids, counts, what built it;
- `vocab.npy`: the full-vocabulary id of each pack id (pack id i is `vocab[i]`);
- `weights-K.npz`: every GGUF tensor as its quantised bytes (lossless: dequantised where it
  trains, as transformers does when it reads the GGUF), keyed by its transformers name, in parts
  small enough for one call each; the embedding keeps only the pack's rows;
- `examples.npz`: token ids (pack ids) of the training, dev and next-keyword dev examples, and
  where each answer starts.

`pictovoz-train train --pack DIR` trains on it. The softmax then runs over the corpus's tokens
only (about a fifth of Gemma's 262k): the full-vocabulary dev loss of the adapter is measured
again where the GGUF is (`training.finetune.dev_loss` on the real model).
"""

from __future__ import annotations

import json
import logging
import random
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

from training.augment import AugmentSettings, augment, next_examples

log = logging.getLogger(__name__)

PACK_VERSION = 1
PART_BYTES = 44 * 2**20  # one part and the working tree fit one 64 MiB call
ARCH = "gemma3"


def gguf_to_hf_names(config, gguf_names: set[str]) -> dict[str, str]:
    """transformers name -> GGUF name for every tensor in the file (gguf-py's own table)."""
    import torch
    from gguf import MODEL_ARCH, get_tensor_name_map
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    table = get_tensor_name_map(MODEL_ARCH.GEMMA3, config.num_hidden_layers)
    out = {}
    for hf_name in model.state_dict():
        name = table.get_name(hf_name.removesuffix(".weight"))
        if name and name + ".weight" in gguf_names:
            out[hf_name] = name + ".weight"
    missing = gguf_names - set(out.values())
    if missing:
        raise ValueError(f"GGUF tensors with no transformers name: {sorted(missing)[:5]}")
    return out


def build_pack(
    corpus_dir: Path,
    base_gguf: Path,
    out: Path,
    *,
    max_len: int = 64,
    eval_examples: int = 1000,
    max_train_examples: int | None = None,
    augment_settings: AugmentSettings | None = None,
    seed: int = 1234,
) -> dict:
    from gguf import GGMLQuantizationType, GGUFReader
    from transformers import AutoConfig, AutoTokenizer

    from training.corpus import check_output_dir
    from training.finetune import balanced_sample, encode_batch, read_split

    out = check_output_dir(Path(out))
    out.mkdir(parents=True, exist_ok=True)
    base_gguf = Path(base_gguf)
    settings = augment_settings or AugmentSettings(seed=seed)
    rng = random.Random(seed)

    train = read_split(corpus_dir, "train")
    dev = read_split(corpus_dir, "dev")
    test = read_split(corpus_dir, "test")
    variants, counts = augment(train, dev + test, settings)
    if max_train_examples:
        train = balanced_sample(train, max_train_examples, rng)
    train_records = [{**r, "task": "sentence"} for r in train] + variants
    rng.shuffle(train_records)
    dev_records = balanced_sample(dev, eval_examples, rng)
    next_dev = next_examples(dev_records, 1.0, seed + 2)

    log.info(
        "Tokenising %d + %d + %d examples", len(train_records), len(dev_records), len(next_dev)
    )
    tok = AutoTokenizer.from_pretrained(str(base_gguf.parent), gguf_file=base_gguf.name)
    encoded, tasks = {}, {}
    for split, records in (("train", train_records), ("dev", dev_records), ("next_dev", next_dev)):
        pairs = [
            (r, e) for r, e in zip(records, encode_batch(tok, records, max_len), strict=True) if e
        ]
        encoded[split] = [e for _, e in pairs]
        tasks[split] = [r.get("task", "sentence") for r, _ in pairs]
    specials = {"eos": tok.eos_token_id, "pad": tok.pad_token_id or 0, "bos": tok.bos_token_id}
    used = {i for part in encoded.values() for ids, _ in part for i in ids}
    vocab = np.array(sorted(used | {i for i in specials.values() if i is not None}), np.int32)
    remap = np.full(int(vocab.max()) + 1, -1, np.int64)
    remap[vocab] = np.arange(len(vocab))
    dtype = np.uint16 if len(vocab) < 2**16 else np.int32
    arrays = {}
    for split, items in encoded.items():
        flat = np.concatenate([np.asarray(ids, np.int64) for ids, _ in items])
        arrays[f"{split}_ids"] = remap[flat].astype(dtype)
        arrays[f"{split}_lengths"] = np.array([len(ids) for ids, _ in items], np.int32)
        arrays[f"{split}_starts"] = np.array([start for _, start in items], np.int32)
    arrays["train_is_next"] = np.array([t == "next" for t in tasks["train"]], np.bool_)
    np.savez_compressed(out / "examples.npz", **arrays)
    np.save(out / "vocab.npy", vocab)

    config = AutoConfig.from_pretrained(str(base_gguf.parent), gguf_file=base_gguf.name)
    reader = GGUFReader(base_gguf)
    tensors = {t.name: t for t in reader.tensors}
    names = gguf_to_hf_names(config, set(tensors))
    info, part, part_bytes, parts = {}, {}, 0, []
    for hf_name, gguf_name in names.items():
        tensor = tensors[gguf_name]
        data = np.ascontiguousarray(tensor.data)
        if hf_name == "model.embed_tokens.weight":
            data = np.ascontiguousarray(data[vocab])
        shape = [int(n) for n in reversed(tensor.shape)]  # GGUF lists the fastest axis first
        if hf_name == "model.embed_tokens.weight":
            shape[0] = len(vocab)
        info[hf_name] = {
            "type": int(tensor.tensor_type),
            "type_name": GGMLQuantizationType(tensor.tensor_type).name,
            "shape": shape,
            # llama.cpp stores Gemma's RMSNorm weight as 1 + w; transformers wants w.
            "minus_one": "norm.weight" in hf_name,
        }
        raw = data.view(np.uint8).reshape(-1)
        if part and part_bytes + raw.nbytes > PART_BYTES:
            parts.append(part)
            part, part_bytes = {}, 0
        part[hf_name] = raw
        part_bytes += raw.nbytes
    parts.append(part)
    for stale in out.glob("weights-*.npz"):
        stale.unlink()
    for k, p in enumerate(parts):
        np.savez(out / f"weights-{k}.npz", **p)
        for hf_name in p:
            info[hf_name]["part"] = k

    config_dict = config.to_dict()
    config_dict["vocab_size"] = len(vocab)
    meta = {
        "version": PACK_VERSION,
        "arch": ARCH,
        "base_gguf": base_gguf.name,
        "config": config_dict,
        "tensors": info,
        "specials": {k: (int(remap[v]) if v is not None else None) for k, v in specials.items()},
        "vocab": len(vocab),
        "full_vocab": int(config.vocab_size),
        "max_len": max_len,
        "counts": {
            "train": len(encoded["train"]),
            "train_next": int(arrays["train_is_next"].sum()),
            "dev": len(encoded["dev"]),
            "next_dev": len(encoded["next_dev"]),
            "skipped_too_long": len(train_records) - len(encoded["train"]),
            "train_sentence_records": len(train),
            "augment": dict(counts),
        },
        "augment_settings": asdict(settings),
        "parts": len(parts),
    }
    (out / "pack.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False))
    log.info(
        "Pack: %d train, %d dev, vocabulary %d of %d, %d weight parts in %s",
        meta["counts"]["train"],
        meta["counts"]["dev"],
        len(vocab),
        config.vocab_size,
        len(parts),
        out,
    )
    return meta


# --- where it trains ----------------------------------------------------------------------------
def read_meta(pack: Path) -> dict:
    meta = json.loads((Path(pack) / "pack.json").read_text())
    if meta.get("version") != PACK_VERSION or meta.get("arch") != ARCH:
        raise ValueError(f"{pack} is not a version {PACK_VERSION} {ARCH} training pack")
    return meta


def load_model(pack: Path, dtype=None):
    """The base model with the pack's vocabulary, dequantised as transformers reads a GGUF."""
    import torch
    from gguf import GGMLQuantizationType
    from gguf.quants import dequantize
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    pack = Path(pack)
    meta = read_meta(pack)
    config = Gemma3TextConfig.from_dict(meta["config"])
    model = Gemma3ForCausalLM(config)
    state = {}
    for k in range(meta["parts"]):
        with np.load(pack / f"weights-{k}.npz") as part:
            for name in part.files:
                t = meta["tensors"][name]
                raw, qtype = part[name], GGMLQuantizationType(t["type"])
                if qtype == GGMLQuantizationType.F32:
                    w = raw.view(np.float32)
                elif qtype == GGMLQuantizationType.F16:
                    w = raw.view(np.float16).astype(np.float32)
                else:
                    w = dequantize(raw.reshape(t["shape"][0], -1), qtype)
                w = w.reshape(t["shape"]).astype(np.float32)
                state[name] = torch.from_numpy(w - 1 if t["minus_one"] else w)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or set(missing) - {"lm_head.weight"}:
        raise ValueError(f"pack weights do not fit the model: {missing} {unexpected}")
    model.tie_weights()
    model.eval()
    return model.to(dtype) if dtype is not None else model


def load_examples(pack: Path) -> dict[str, list[tuple[list[int], int]]]:
    """(ids, answer start) per example for train, dev and next_dev, and the train task flags."""
    out: dict = {}
    with np.load(Path(pack) / "examples.npz") as z:
        for split in ("train", "dev", "next_dev"):
            ids = z[f"{split}_ids"].astype(np.int64)
            lengths, starts = z[f"{split}_lengths"], z[f"{split}_starts"]
            ends = np.cumsum(lengths)
            out[split] = [
                (ids[e - n : e].tolist(), int(s))
                for e, n, s in zip(ends, lengths, starts, strict=True)
            ]
        out["train_is_next"] = z["train_is_next"].tolist()
    return out


# --- command line -------------------------------------------------------------------------------
def register(subparsers) -> None:
    from app.core import paths

    p = subparsers.add_parser("pack", help="write a training pack for a machine without the GGUF")
    p.add_argument("--corpus", type=Path, default=paths.data_dir() / "training" / "corpus")
    p.add_argument("--out", type=Path, default=paths.data_dir() / "training" / "pack")
    p.add_argument("--base", type=Path, help="base GGUF (default: the embedded Gemma 3 270M)")
    p.add_argument("--eval-examples", type=int, default=1000)
    p.add_argument("--max-examples", type=int, help="sentence records to keep (default: all)")
    p.add_argument("--max-len", type=int, default=64)
    p.add_argument("--seed", type=int, default=1234)
    p.set_defaults(func=run_pack)


def run_pack(args) -> int:
    from app.generation.model_location import embedded_model_path

    meta = build_pack(
        args.corpus,
        args.base or embedded_model_path(),
        args.out,
        max_len=args.max_len,
        eval_examples=args.eval_examples,
        max_train_examples=args.max_examples,
        seed=args.seed,
    )
    sys.stdout.write(json.dumps(meta["counts"], indent=1) + "\n")
    return 0
