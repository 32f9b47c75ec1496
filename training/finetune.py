"""LoRA fine-tune of Gemma 3 270M on keyword -> sentence pairs, read top to bottom.

Every setting is in `TrainConfig`. The loss covers the answer tokens only, and the vocabulary
head (262k rows: the main cost) is applied only at those positions. The adapter that is best on
the dev split is kept (not the last one); training stops early when dev loss stops improving;
`resume=True` continues from the last checkpoint. CPU by default, CUDA with bf16 when present.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.core import paths
from app.generation.prompts import finetuned_target

log = logging.getLogger(__name__)

ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class TrainConfig:
    corpus_dir: Path = field(default_factory=lambda: paths.data_dir() / "training" / "corpus")
    out_dir: Path = field(default_factory=lambda: paths.data_dir() / "training" / "run")
    base_gguf: Path | None = None  # None: the embedded Gemma 3 270M
    max_train_examples: int = 6000  # both languages together, sampled evenly
    eval_examples: int = 240
    max_len: int = 64  # tokens of prompt + answer; longer examples are skipped
    # LoRA: all linear layers at r=16 learned far faster than q/v at r=8 in a probe here.
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    targets: list[str] = field(default_factory=lambda: list(ALL_LINEAR))
    # Optimisation
    lr: float = 3e-4
    warmup_steps: int = 30
    batch_size: int = 8
    epochs: float = 1.0  # dev loss bottomed after about one epoch in the probe
    eval_every: int = 50
    patience: int = 4  # evaluations without a better dev loss before stopping
    seed: int = 1234
    threads: int = 1  # torch with 2 threads beside any other load collapsed 6-20x here
    device: str = "auto"
    pack_dir: Path | None = None  # a `pictovoz-train pack` folder instead of corpus + GGUF
    resume: bool = False
    time_budget_s: float | None = None  # stop (keeping the best) when this much time has passed


# --- data ---------------------------------------------------------------------------------------
def read_split(corpus_dir: Path, split: str) -> list[dict]:
    records = []
    for path in sorted(Path(corpus_dir).glob(f"*{split}*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            records += [json.loads(line) for line in fh if line.strip()]
    if not records:
        raise FileNotFoundError(f"No {split} examples under {corpus_dir}: run `prepare` first.")
    return records


def balanced_sample(records: list[dict], n: int, rng: random.Random) -> list[dict]:
    """Up to n records, the same number from each language."""
    by_lang: dict[str, list[dict]] = {}
    for r in records:
        by_lang.setdefault(r["lang"], []).append(r)
    per = max(1, n // max(len(by_lang), 1))
    out = []
    for items in by_lang.values():
        items = items[:]
        rng.shuffle(items)
        out += items[:per]
    rng.shuffle(out)
    return out


def encode_batch(tok, records: list[dict], max_len: int) -> list[tuple[list[int], int] | None]:
    """Token ids of prompt + answer (+ end of text), and where the answer starts; None for a
    record longer than `max_len`. Each pair is tokenised as one text (as llama.cpp sees it at
    run time) and split where the prompt's own tokens end; one tokenizer call per side."""
    prompts = [r["prompt"] for r in records]
    fulls = [r["prompt"] + finetuned_target(r["target"]) for r in records]
    out: list[tuple[list[int], int] | None] = []
    for p_ids, f_ids in zip(tok(prompts).input_ids, tok(fulls).input_ids, strict=True):
        if f_ids[: len(p_ids)] != p_ids or len(f_ids) > max_len:
            out.append(None)
        else:
            out.append(([*f_ids, tok.eos_token_id], len(p_ids)))
    return out


def batches(examples: list[tuple[list[int], int]], size: int, pad_id: int):
    import torch  # here, not at the top: `prepare` and `--help` must work without torch

    for i in range(0, len(examples), size):
        chunk = examples[i : i + size]
        width = max(len(ids) for ids, _ in chunk)
        ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        labels = torch.full((len(chunk), width), -100, dtype=torch.long)
        for row, (seq, start) in enumerate(chunk):
            ids[row, : len(seq)] = torch.tensor(seq)
            mask[row, : len(seq)] = 1
            labels[row, start : len(seq)] = torch.tensor(seq[start:])
        yield ids, mask, labels


# --- model --------------------------------------------------------------------------------------
def answer_loss(model, ids, mask, labels):
    """Cross-entropy on the answer tokens only, with the vocabulary head applied only there."""
    import torch

    base = model.get_base_model()
    hidden = base.model(input_ids=ids, attention_mask=mask).last_hidden_state
    targets = labels[:, 1:]
    keep = targets != -100
    picked = hidden[:, :-1][keep]
    logits = base.lm_head(picked).float()
    cap = getattr(base.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return torch.nn.functional.cross_entropy(logits, targets[keep])


def dev_loss(model, dev, cfg: TrainConfig, pad_id: int, device) -> float:
    import torch

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for ids, mask, labels in batches(dev, cfg.batch_size, pad_id):
            n = int((labels[:, 1:] != -100).sum())
            loss = answer_loss(model, ids.to(device), mask.to(device), labels.to(device))
            total += float(loss) * n
            count += n
    model.train()
    return total / max(count, 1)


def wrap_lora(model, cfg: TrainConfig):
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=cfg.rank,
        lora_alpha=cfg.alpha,
        lora_dropout=cfg.dropout,
        target_modules=cfg.targets,
        bias="none",
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)


# --- the loop -----------------------------------------------------------------------------------
def train(cfg: TrainConfig) -> dict:
    import torch
    from tqdm import tqdm

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    rng = random.Random(cfg.seed)
    device = torch.device(
        "cuda"
        if cfg.device == "auto" and torch.cuda.is_available()
        else ("cpu" if cfg.device == "auto" else cfg.device)
    )
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    base_gguf = Path(cfg.base_gguf) if cfg.base_gguf else None

    next_dev_ex: list = []
    if cfg.pack_dir:
        from training.pack import load_examples, load_model, read_meta

        meta = read_meta(cfg.pack_dir)
        model = wrap_lora(load_model(cfg.pack_dir, dtype), cfg).to(device)
        pad_id = meta["specials"]["pad"]
        packed = load_examples(cfg.pack_dir)
        train_ex, dev_ex = packed["train"], packed["dev"][: cfg.eval_examples]
        next_dev_ex = packed["next_dev"][: cfg.eval_examples]
        base_gguf = Path(meta["base_gguf"])
    else:
        from app.generation.model_location import embedded_model_path
        from training.model_io import load_base

        base_gguf = base_gguf or embedded_model_path()
        tok, model = load_base(base_gguf, dtype)
        model = wrap_lora(model, cfg).to(device)
        pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
        train_recs = balanced_sample(
            read_split(cfg.corpus_dir, "train"), cfg.max_train_examples, rng
        )
        dev_recs = balanced_sample(read_split(cfg.corpus_dir, "dev"), cfg.eval_examples, rng)
        train_ex = [e for e in encode_batch(tok, train_recs, cfg.max_len) if e]
        dev_ex = [e for e in encode_batch(tok, dev_recs, cfg.max_len) if e]
    steps_per_epoch = math.ceil(len(train_ex) / cfg.batch_size)
    total_steps = max(1, math.ceil(steps_per_epoch * cfg.epochs))

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    start = time.monotonic()

    def progress(step: int) -> float:
        """How far through training: by steps, or by time when a time budget ends it sooner
        (so the learning rate has decayed when the budget stops the run)."""
        done = min(step, total_steps) / total_steps
        if cfg.time_budget_s:
            done = max(done, (time.monotonic() - start) / cfg.time_budget_s)
        return min(done, 1.0)

    sched = torch.optim.lr_scheduler.LambdaLR(
        opt,
        lambda s: (
            min(1.0, (s + 1) / cfg.warmup_steps)
            * max(0.05, 0.5 * (1 + math.cos(math.pi * progress(s))))
        ),
    )
    state = {"step": 0, "best_dev": float("inf"), "best_step": 0, "bad_evals": 0, "history": []}
    last = out / "last.pt"
    if cfg.resume and last.exists():
        ckpt = torch.load(last, map_location=device, weights_only=False)
        model.load_state_dict(ckpt["adapter"], strict=False)
        opt.load_state_dict(ckpt["optimizer"])
        sched.load_state_dict(ckpt["scheduler"])
        state = ckpt["state"]
        log.info("Resumed at step %d (best dev %.4f)", state["step"], state["best_dev"])

    (out / "config.json").write_text(json.dumps(asdict(cfg), default=str, indent=2))

    def evaluate(entry: dict) -> float:
        entry["dev"] = dev_loss(model, dev_ex, cfg, pad_id, device)
        if next_dev_ex:  # the next-keyword task (issue 15), reported beside the sentence loss
            entry["dev_next"] = dev_loss(model, next_dev_ex, cfg, pad_id, device)
        entry["seconds"] = round(time.monotonic() - start, 1)
        entry["examples_seen"] = entry["step"] * cfg.batch_size
        state["history"].append(entry)
        return entry["dev"]

    if not state["history"]:  # where training starts from: "loss goes down" is then visible
        evaluate({"step": 0})
    model.train()
    bar = tqdm(total=total_steps, initial=state["step"], desc="train", unit="step")
    epoch_order = list(range(len(train_ex)))
    while state["step"] < total_steps:
        epoch = state["step"] // steps_per_epoch
        order = epoch_order[:]
        random.Random(cfg.seed + epoch).shuffle(order)  # same order when resuming
        offset = (state["step"] % steps_per_epoch) * cfg.batch_size
        chunk = [train_ex[i] for i in order[offset:]]
        for ids, mask, labels in batches(chunk, cfg.batch_size, pad_id):
            loss = answer_loss(model, ids.to(device), mask.to(device), labels.to(device))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            state["step"] += 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}", best=f"{state['best_dev']:.3f}")
            done = state["step"] >= total_steps
            out_of_time = cfg.time_budget_s and time.monotonic() - start > cfg.time_budget_s
            if state["step"] % cfg.eval_every == 0 or done or out_of_time:
                d = evaluate({"step": state["step"], "train": loss.item()})
                log.info("step %d: train %.4f dev %.4f", state["step"], loss.item(), d)
                if d < state["best_dev"]:
                    state.update(best_dev=d, best_step=state["step"], bad_evals=0)
                    model.save_pretrained(out / "best")  # the adapter only (small)
                else:
                    state["bad_evals"] += 1
                adapter = {k: v for k, v in model.state_dict().items() if "lora_" in k}
                torch.save(
                    {
                        "adapter": adapter,
                        "optimizer": opt.state_dict(),
                        "scheduler": sched.state_dict(),
                        "state": state,
                    },
                    last,
                )
                if state["bad_evals"] >= cfg.patience or out_of_time:
                    log.info(
                        "Stopping at step %d (best dev %.4f at step %d)",
                        state["step"],
                        state["best_dev"],
                        state["best_step"],
                    )
                    total_steps = state["step"]
                    break
            if done:
                break
    bar.close()
    summary = {
        "steps": state["step"],
        "best_step": state["best_step"],
        "best_dev_loss": state["best_dev"],
        "train_examples": len(train_ex),
        "dev_examples": len(dev_ex),
        "seconds": round(time.monotonic() - start, 1),
        "history": state["history"],
        "base_gguf": str(base_gguf),
        "pack": str(cfg.pack_dir) if cfg.pack_dir else None,
        "config": {k: str(v) for k, v in asdict(cfg).items()},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


# --- command line -------------------------------------------------------------------------------
def register(subparsers) -> None:
    p = subparsers.add_parser("train", help="LoRA fine-tune on the prepared corpus")
    d = TrainConfig()
    p.add_argument("--corpus", type=Path, default=d.corpus_dir, help="output of `prepare`")
    p.add_argument("--out", type=Path, default=d.out_dir, help="checkpoints and best adapter")
    p.add_argument("--base", type=Path, help="base GGUF (default: the embedded Gemma 3 270M)")
    p.add_argument("--max-examples", type=int, default=d.max_train_examples)
    p.add_argument("--eval-examples", type=int, default=d.eval_examples)
    p.add_argument("--rank", type=int, default=d.rank)
    p.add_argument("--alpha", type=int, default=d.alpha)
    p.add_argument("--dropout", type=float, default=d.dropout)
    p.add_argument("--targets", choices=["all-linear", "qv"], default="all-linear")
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--epochs", type=float, default=d.epochs)
    p.add_argument("--eval-every", type=int, default=d.eval_every)
    p.add_argument("--patience", type=int, default=d.patience)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--threads", type=int, default=d.threads)
    p.add_argument("--device", default=d.device, help="auto, cpu or cuda")
    p.add_argument("--pack", type=Path, help="train on a `pictovoz-train pack` folder")
    p.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    p.add_argument("--time-budget-min", type=float, help="stop after this many minutes")
    p.set_defaults(func=run_train)


def run_train(args) -> int:
    cfg = TrainConfig(
        corpus_dir=args.corpus,
        out_dir=args.out,
        base_gguf=args.base,
        max_train_examples=args.max_examples,
        eval_examples=args.eval_examples,
        rank=args.rank,
        alpha=args.alpha,
        dropout=args.dropout,
        targets=list(ALL_LINEAR) if args.targets == "all-linear" else ["q_proj", "v_proj"],
        lr=args.lr,
        batch_size=args.batch_size,
        epochs=args.epochs,
        eval_every=args.eval_every,
        patience=args.patience,
        seed=args.seed,
        threads=args.threads,
        device=args.device,
        resume=args.resume,
        pack_dir=args.pack,
        time_budget_s=args.time_budget_min * 60 if args.time_budget_min else None,
    )
    summary = train(cfg)
    log.info(
        "best dev loss %.4f at step %d of %d (%s s)",
        summary["best_dev_loss"],
        summary["best_step"],
        summary["steps"],
        summary["seconds"],
    )
    return 0


if __name__ == "__main__":  # `python -m training.finetune train ...` where llama.cpp is missing
    import argparse

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m training.finetune")
    register(parser.add_subparsers(dest="command", required=True))
    parsed = parser.parse_args()
    raise SystemExit(parsed.func(parsed))
