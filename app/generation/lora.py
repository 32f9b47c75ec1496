"""LoRA adapters as llama.cpp GGUF files, and merging one into a base GGUF without torch.

The adapter file is what `training/` ships in `models/` (small), what llama.cpp can apply at
load time, and what the app's first-run merge reads: numpy + gguf-py only, a few seconds.

Merge: every tensor the adapter does not touch is copied byte for byte (metadata, tokenizer,
norms in llama.cpp's own `1 + w` convention, embeddings); each touched weight is dequantised,
`W + (alpha / r) * B @ A` is added, and it is written as Q8_0 (re-quantising to the original
Q4_K/Q5_0 types is not done: in a probe here that broke the fine-tune, 2/20 prompts).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

# Hugging Face module names (as peft targets them) -> llama.cpp GGUF tensor names.
HF_TO_GGUF = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
MERGED_TYPE_NAME = "Q8_0"


class LoraError(RuntimeError):
    pass


def gguf_tensor_name(layer: int, hf_module: str) -> str:
    return f"blk.{layer}.{HF_TO_GGUF[hf_module]}.weight"


@dataclass
class LoraAdapter:
    """`pairs[tensor]` = (A, B) with A of shape (r, in) and B of shape (out, r), float32."""

    alpha: float
    pairs: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def rank(self) -> int:
        return next(iter(self.pairs.values()))[0].shape[0] if self.pairs else 0

    def delta(self, tensor: str) -> np.ndarray:
        a, b = self.pairs[tensor]
        return (b.astype(np.float32) @ a.astype(np.float32)) * (self.alpha / a.shape[0])


def write_lora_gguf(path: Path, adapter: LoraAdapter, architecture: str = "gemma3") -> None:
    """The llama.cpp adapter layout: `<tensor>.lora_a` (r x in) and `<tensor>.lora_b` (out x r),
    `general.type = adapter`, `adapter.type = lora`, `adapter.lora.alpha`."""
    import gguf

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    writer = gguf.GGUFWriter(str(tmp), architecture)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(adapter.alpha))
    for key, value in adapter.metadata.items():
        writer.add_string(f"pictovoz.{key}", str(value))
    for name in sorted(adapter.pairs):
        a, b = adapter.pairs[name]
        # F16 halves the file (about 8 MB for r=16 on all linear layers); llama.cpp reads it.
        writer.add_tensor(f"{name}.lora_a", np.ascontiguousarray(a, dtype=np.float16))
        writer.add_tensor(f"{name}.lora_b", np.ascontiguousarray(b, dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(tmp, path)


def read_lora_gguf(path: Path) -> LoraAdapter:
    import gguf

    try:
        reader = gguf.GGUFReader(str(path))
    except (OSError, ValueError) as exc:
        raise LoraError(f"Cannot read the adapter {path}: {exc}") from exc
    fields = reader.fields
    if "adapter.lora.alpha" not in fields:
        raise LoraError(f"{path} is not a LoRA adapter (no adapter.lora.alpha).")
    alpha = float(fields["adapter.lora.alpha"].contents())
    metadata = {
        k.removeprefix("pictovoz."): str(f.contents())
        for k, f in fields.items()
        if k.startswith("pictovoz.")
    }
    halves: dict[str, dict[str, np.ndarray]] = {}
    for t in reader.tensors:
        base, _, half = t.name.rpartition(".")
        if half not in ("lora_a", "lora_b"):
            continue
        data = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        halves.setdefault(base, {})[half] = data
    pairs = {}
    for base, h in halves.items():
        if set(h) != {"lora_a", "lora_b"} or h["lora_a"].shape[0] != h["lora_b"].shape[1]:
            raise LoraError(f"Adapter tensor {base} is incomplete or mis-shaped.")
        pairs[base] = (h["lora_a"], h["lora_b"])
    if not pairs:
        raise LoraError(f"{path} holds no LoRA tensors.")
    return LoraAdapter(alpha, pairs, metadata)


def merge_into_gguf(
    base: Path,
    adapter: LoraAdapter | Path,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write `base` with `adapter` merged in to `out` (atomically). Returns `out`."""
    import gguf

    if not isinstance(adapter, LoraAdapter):
        adapter = read_lora_gguf(Path(adapter))
    try:
        reader = gguf.GGUFReader(str(base))
    except ValueError as exc:
        raise LoraError(f"Cannot read the base model {base}: {exc}") from exc
    arch = str(reader.fields["general.architecture"].contents())
    by_name = {t.name: t for t in reader.tensors}
    missing = sorted(set(adapter.pairs) - set(by_name))
    if missing:
        raise LoraError(f"The adapter changes tensors the base model lacks: {missing[:3]}")
    q8 = gguf.GGMLQuantizationType[MERGED_TYPE_NAME]
    new_data: dict[str, np.ndarray] = {}
    for i, name in enumerate(sorted(adapter.pairs)):
        t = by_name[name]
        w = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        delta = adapter.delta(name)
        if delta.shape != w.shape:
            raise LoraError(f"{name}: adapter {delta.shape} does not fit weight {w.shape}")
        new_data[name] = gguf.quants.quantize(w + delta, q8)
        if progress:
            progress(i + 1, len(adapter.pairs))

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    writer = gguf.GGUFWriter(str(tmp), arch, endianess=reader.endianess)
    for f in reader.fields.values():
        if f.name == "general.architecture" or f.name.startswith("GGUF."):
            continue  # written by GGUFWriter itself
        vtype = f.types[0]
        sub = f.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(f.name, f.contents(), vtype, sub_type=sub)
    for key, value in adapter.metadata.items():
        writer.add_string(f"pictovoz.{key}", str(value))
    for t in reader.tensors:
        if t.name in new_data:
            d = new_data[t.name]
            writer.add_tensor_info(t.name, d.shape, d.dtype, d.nbytes, q8)
        else:
            writer.add_tensor_info(t.name, t.data.shape, t.data.dtype, t.data.nbytes, t.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for t in reader.tensors:
        writer.write_tensor_data(new_data.get(t.name, t.data), tensor_endianess=reader.endianess)
    writer.close()
    os.replace(tmp, out)
    return out


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_merged(base: Path, adapter_path: Path, out: Path) -> Path:
    """The first-run merge: build `out` unless it already holds this base + this adapter."""
    stamp = out.with_name(out.name + ".source.json")
    source = {
        "base": base.name,
        "base_size": base.stat().st_size,
        "adapter_sha256": file_sha256(adapter_path),
    }
    if out.is_file() and stamp.is_file():
        try:
            if json.loads(stamp.read_text()) == source:
                return out
        except ValueError:
            pass
    log.info("Merging the adapter %s into %s (first run)", adapter_path.name, base.name)
    merge_into_gguf(base, adapter_path, out)
    stamp.write_text(json.dumps(source))
    return out
