"""From a trained run to files llama.cpp runs: the adapter alone as a small GGUF (for `models/`)
and the base GGUF with the adapter merged in (the same code path as the app's first-run merge)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np

from app.generation.lora import HF_TO_GGUF, LoraAdapter, merge_into_gguf, write_lora_gguf

log = logging.getLogger(__name__)

_KEY = re.compile(r"layers\.(\d+)\.(self_attn\.\w+_proj|mlp\.\w+_proj)\.lora_([AB])\.weight$")


def adapter_from_peft_dir(adapter_dir: Path, metadata: dict[str, str] | None = None) -> LoraAdapter:
    """Read peft's `adapter_model.safetensors` + `adapter_config.json` into GGUF tensor names."""
    from safetensors.numpy import load_file

    adapter_dir = Path(adapter_dir)
    config = json.loads((adapter_dir / "adapter_config.json").read_text())
    if config.get("use_rslora") or config.get("use_dora"):
        raise ValueError("Only plain LoRA (alpha / r scaling) can be exported to llama.cpp.")
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    halves: dict[str, dict[str, np.ndarray]] = {}
    for key, value in tensors.items():
        m = _KEY.search(key)
        if not m:
            continue
        layer, module, half = int(m.group(1)), m.group(2), m.group(3)
        name = f"blk.{layer}.{HF_TO_GGUF[module]}.weight"
        halves.setdefault(name, {})[half] = value.astype(np.float32)
    pairs = {name: (h["A"], h["B"]) for name, h in halves.items()}
    if not pairs:
        raise ValueError(f"No LoRA weights found in {adapter_dir}.")
    return LoraAdapter(float(config["lora_alpha"]), pairs, dict(metadata or {}))


def export_run(
    run_dir: Path, base_gguf: Path, adapter_out: Path, merged_out: Path | None = None
) -> dict[str, str]:
    """Write the best adapter of `run_dir` as a GGUF, and optionally the merged model."""
    run_dir = Path(run_dir)
    summary = {}
    if (run_dir / "summary.json").exists():
        summary = json.loads((run_dir / "summary.json").read_text())
    metadata = {
        "base": Path(base_gguf).name,
        "best_step": str(summary.get("best_step", "")),
        "best_dev_loss": str(summary.get("best_dev_loss", "")),
        "prompt_format": "finetuned",
    }
    adapter = adapter_from_peft_dir(run_dir / "best", metadata)
    write_lora_gguf(Path(adapter_out), adapter)
    out = {"adapter": str(adapter_out), "rank": str(adapter.rank), "alpha": str(adapter.alpha)}
    if merged_out is not None:
        merge_into_gguf(Path(base_gguf), adapter, Path(merged_out))
        out["merged"] = str(merged_out)
    log.info("Exported %s", out)
    return out


# --- command line -------------------------------------------------------------------------------
REPO_MODELS = Path(__file__).resolve().parents[1] / "models"


def register(subparsers) -> None:
    from app.core import paths
    from app.generation.lora import MERGED_TYPE_NAME
    from app.generation.model_location import ADAPTER_NAME, MERGED_MODEL_NAME

    p = subparsers.add_parser(
        "merge",
        help=f"export the best adapter (GGUF) and merge it into the base ({MERGED_TYPE_NAME})",
    )
    p.add_argument("--run", type=Path, default=paths.data_dir() / "training" / "run")
    p.add_argument("--base", type=Path, help="base GGUF (default: the embedded model)")
    p.add_argument("--adapter-out", type=Path, default=REPO_MODELS / ADAPTER_NAME)
    p.add_argument("--merged-out", type=Path, default=paths.models_dir() / MERGED_MODEL_NAME)
    p.add_argument(
        "--parity",
        type=int,
        default=20,
        help="check llama.cpp against torch on this many gold prompts (0: skip)",
    )
    p.set_defaults(func=run_merge)


def run_merge(args) -> int:
    import sys

    from app.generation.model_location import embedded_model_path

    base = args.base or embedded_model_path()
    out = export_run(args.run, base, args.adapter_out, args.merged_out)
    if args.parity:
        rate = merged_parity(args.run, base, Path(out["merged"]), args.parity)
        out["greedy_match_rate"] = f"{rate:.2f}"
    sys.stdout.write(json.dumps(out, indent=2) + "\n")
    return 0


def merged_parity(run_dir: Path, base: Path, merged: Path, n: int) -> float:
    """Greedy outputs of the merged GGUF in llama.cpp vs the merged torch model, on gold inputs."""
    from peft import PeftModel

    from app.core.keywords import prepare_keywords
    from app.generation.prompts import finetuned_prompt
    from training.evaluate import load_gold
    from training.model_io import greedy_match_rate, load_base

    tok, model = load_base(base)
    model = PeftModel.from_pretrained(model, str(Path(run_dir) / "best")).merge_and_unload()
    items = [it for lang in ("es", "en") for it in load_gold(lang)[: max(1, n // 2)]]
    prompts = [finetuned_prompt(prepare_keywords(it.keywords, it.lang)) for it in items]
    rate = greedy_match_rate(model, tok, merged, prompts)
    log.info(
        "merged GGUF matches torch greedy on %.0f%% of %d gold prompts", 100 * rate, len(items)
    )
    return rate
