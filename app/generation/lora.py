"""LoRA adapters as llama.cpp GGUF files, and merging one into a base GGUF without torch.

The adapter file is what `training/` ships in `models/` (small), what llama.cpp can apply at
load time, and what the app's first-run merge reads: numpy + gguf-py only, a few seconds.

Merge: every tensor the adapter does not touch is copied byte for byte (metadata, tokenizer,
norms in llama.cpp's own `1 + w` convention, embeddings); each touched weight is dequantised,
`W + (alpha / r) * B @ A` is added, and it is written as Q8_0 (re-quantising to the original
Q4_K/Q5_0 types is not done: in a probe here that broke the fine-tune, 2/20 prompts).

Checks, because a damaged adapter used to give a merged model full of NaN that loaded and then
failed every request: before merging, the adapter must parse, name tensors the base has with the
same shapes, and hold finite values; after merging, every merged tensor must be finite once
quantised, and sampled rows read back from disk must equal what was checked. The stamp next to
the merged file records those rows' digests, so each start re-checks them in milliseconds (a full
GGUFReader parse of the base takes seconds: the 262k-token vocabulary).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from app.core.files import UnreadableFileError, atomic_write_text, read_json_file

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


# gguf-py parses with numpy views and plain indexing, so a damaged file surfaces as any of these
# (IndexError, KeyError and UnicodeDecodeError seen when fuzzing header bytes); assertions guard
# block shapes in gguf.quants.
GGUF_ERRORS = (
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    struct.error,
    OverflowError,
    MemoryError,
    AssertionError,
)
STAMP_VERSION = 2  # stamps without checked samples (older versions) mean: merge and check again


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
    """The adapter in `path`, checked (see `check_adapter`). Raises LoraError, whatever the
    damage."""
    path = Path(path)
    try:
        adapter = _read_lora_gguf(path)
    except OSError as exc:
        raise LoraError(f"Cannot read the adapter {path.name}: {exc}") from exc
    except GGUF_ERRORS as exc:
        raise LoraError(
            f"The adapter {path.name} is damaged ({type(exc).__name__}: {exc})"
        ) from exc
    check_adapter(adapter, path.name)
    return adapter


def _read_lora_gguf(path: Path) -> LoraAdapter:
    import gguf

    reader = gguf.GGUFReader(str(path))
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


def check_adapter(adapter: LoraAdapter, label: str = "the adapter") -> None:
    """Finite alpha and values, 2-D halves of one rank. The adapter is small (about 8 MB), so
    every value is checked, not a sample."""
    if not adapter.pairs:
        raise LoraError(f"{label} holds no LoRA tensors")
    if not np.isfinite(adapter.alpha):
        raise LoraError(f"{label}: its alpha is {adapter.alpha}")
    for name, (a, b) in adapter.pairs.items():
        if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[1] or a.shape[0] == 0:
            raise LoraError(f"{label}: {name} is mis-shaped ({a.shape}, {b.shape})")
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            raise LoraError(f"{label}: {name} holds values that are not numbers (NaN or Inf)")


def check_adapter_fits(adapter: LoraAdapter, shapes: dict[str, tuple[int, ...]]) -> None:
    """Every tensor the adapter changes exists in the base with the shape of B @ A."""
    missing = sorted(set(adapter.pairs) - set(shapes))
    if missing:
        raise LoraError(f"The adapter changes tensors the base model lacks: {missing[:3]}")
    for name, (a, b) in sorted(adapter.pairs.items()):
        if (b.shape[0], a.shape[1]) != shapes[name]:
            raise LoraError(
                f"{name}: adapter {(b.shape[0], a.shape[1])} does not fit weight {shapes[name]}"
            )


@dataclass(frozen=True)
class Sample:
    """One merged row as written: where it lies in the file, its length and its digest."""

    tensor: str
    offset: int
    nbytes: int
    sha256: str


def merge_into_gguf(
    base: Path,
    adapter: LoraAdapter | Path,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write `base` with `adapter` merged in to `out` (atomically), checked before and after.
    Raises LoraError when the adapter or the merged result is unusable (no file is written)."""
    _merge(Path(base), adapter, Path(out), progress)
    return Path(out)


def _merge(
    base: Path,
    adapter: LoraAdapter | Path,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
) -> list[Sample]:
    if isinstance(adapter, LoraAdapter):
        check_adapter(adapter)
    else:
        adapter = read_lora_gguf(Path(adapter))
    try:
        reader, new_data = _merged_tensors(base, adapter, progress)
    except GGUF_ERRORS as exc:
        raise LoraError(
            f"Cannot merge into the base model {base.name} ({type(exc).__name__}: {exc})"
        ) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    try:
        samples = _write_merged(reader, adapter, new_data, tmp)
        if not samples_intact(tmp, samples):
            raise LoraError(f"The merged model {out.name} did not read back as it was written.")
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return samples


def _merged_tensors(
    base: Path, adapter: LoraAdapter, progress: Callable[[int, int], None] | None
) -> tuple[object, dict[str, np.ndarray]]:
    """Each touched weight plus its delta, as Q8_0, checked finite once quantised (a Q8_0 block
    scale is a float16: a finite but huge value becomes Inf there)."""
    import gguf

    reader = gguf.GGUFReader(str(base))
    by_name = {t.name: t for t in reader.tensors}
    # GGUF lists dimensions innermost first; numpy's (out, in) is the reverse
    check_adapter_fits(
        adapter, {name: tuple(int(d) for d in reversed(t.shape)) for name, t in by_name.items()}
    )
    q8 = gguf.GGMLQuantizationType[MERGED_TYPE_NAME]
    new_data: dict[str, np.ndarray] = {}
    for i, name in enumerate(sorted(adapter.pairs)):
        t = by_name[name]
        w = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        delta = adapter.delta(name)
        if delta.shape != w.shape:
            raise LoraError(f"{name}: adapter {delta.shape} does not fit weight {w.shape}")
        with np.errstate(over="ignore"):  # an overflow is caught just below
            quantised = gguf.quants.quantize(w + delta, q8)
        if not np.isfinite(gguf.quants.dequantize(quantised, q8)).all():
            raise LoraError(f"{name}: the merged weights are not all numbers (NaN or Inf)")
        new_data[name] = quantised
        if progress:
            progress(i + 1, len(adapter.pairs))
    return reader, new_data


def _write_merged(
    reader, adapter: LoraAdapter, new_data: dict[str, np.ndarray], tmp: Path
) -> list[Sample]:
    """Write the merged GGUF to `tmp`; return first, middle and last row of each merged tensor
    as written (offsets taken from the writer's own file position)."""
    import gguf

    q8 = gguf.GGMLQuantizationType[MERGED_TYPE_NAME]
    arch = str(reader.fields["general.architecture"].contents())
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
    fout = writer.fout[0] if isinstance(writer.fout, list) else writer.fout
    samples: list[Sample] = []
    for t in reader.tensors:
        data = new_data.get(t.name, t.data)
        # write_tensor_data pads to the alignment, then writes: this is where the data starts
        start = gguf.GGUFWriter.ggml_pad(fout.tell(), writer.data_alignment)
        writer.write_tensor_data(data, tensor_endianess=reader.endianess)
        if t.name in new_data:
            rows, row_bytes = data.shape[0], data.shape[-1]
            for r in sorted({0, rows // 2, rows - 1}):
                row = data[r].tobytes()
                digest = hashlib.sha256(row).hexdigest()
                samples.append(Sample(t.name, start + r * row_bytes, len(row), digest))
    writer.close()
    return samples


def samples_intact(path: Path, samples: list[Sample]) -> bool:
    """The sampled rows in `path` are still the bytes that were checked finite when merged."""
    try:
        with Path(path).open("rb") as fh:
            for s in samples:
                fh.seek(s.offset)
                if hashlib.sha256(fh.read(s.nbytes)).hexdigest() != s.sha256:
                    return False
    except OSError:
        return False
    return bool(samples)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stamp_path(out: Path) -> Path:
    return out.with_name(out.name + ".source.json")


def _read_stamp(out: Path) -> dict | None:
    """The stamp this version writes next to a merged file, or None (none, older, unreadable)."""
    try:
        data = read_json_file(stamp_path(out), max_bytes=1 << 20)
    except (OSError, UnreadableFileError):
        return None
    if not isinstance(data, dict) or data.get("version") != STAMP_VERSION:
        return None
    return data


def verify_merged(out: Path) -> bool | None:
    """None when `out` carries no stamp of ours (a file put there by hand is trusted as it is);
    else whether it still has its recorded size and checked rows."""
    data = _read_stamp(out)
    if data is None:
        return None
    try:
        samples = [Sample(**s) for s in data["samples"]]
        size = int(data["size"])
    except (KeyError, TypeError, ValueError):
        return False
    try:
        if out.stat().st_size != size:
            return False
    except OSError:
        return False
    return samples_intact(out, samples)


def discard_merged(out: Path) -> None:
    """Remove a merged file that must not be used, with its stamp."""
    for path in (out, stamp_path(out), out.with_name(out.name + ".partial")):
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("Could not remove %s: %s", path, exc)


@dataclass(frozen=True)
class BaseIdentity:
    """What a merge stamp records of its base: enough to tell the embedded base apart from
    another, and known without the base file (it is assembled only when needed)."""

    name: str
    size: int

    @classmethod
    def of(cls, path: Path) -> BaseIdentity:
        return cls(path.name, path.stat().st_size)


def _source(base: Path | BaseIdentity, adapter_path: Path) -> dict:
    ident = base if isinstance(base, BaseIdentity) else BaseIdentity.of(base)
    try:
        adapter_sha = file_sha256(adapter_path)
    except OSError as exc:
        raise LoraError(f"Cannot read the adapter {adapter_path.name}: {exc}") from exc
    return {"base": ident.name, "base_size": ident.size, "adapter_sha256": adapter_sha}


def merged_is_current(base: Path | BaseIdentity, adapter_path: Path, out: Path) -> bool:
    """`out` holds this base + this adapter, merged and checked by an earlier run, and is
    intact (a few ms: the stamp and a few rows)."""
    stamp = _read_stamp(out)
    return (
        out.is_file()
        and stamp is not None
        and stamp.get("source") == _source(base, adapter_path)
        and bool(verify_merged(out))
    )


def check_adapter_for(base: Path, adapter_path: Path) -> LoraAdapter:
    """The checks a merge makes before it starts, without merging (about a second): for
    applying the adapter at load time while the merge runs in the background."""
    from app.generation.model_file import gguf_tensor_shapes

    adapter = read_lora_gguf(adapter_path)
    try:
        shapes = gguf_tensor_shapes(base)
    except (OSError, ValueError) as exc:
        raise LoraError(f"Cannot read the base model {base.name}: {exc}") from exc
    check_adapter_fits(adapter, shapes)
    return adapter


def ensure_merged(base: Path, adapter_path: Path, out: Path) -> Path:
    """The first-run merge: build `out` unless it already holds this base + this adapter, as
    checked then. Raises LoraError (and leaves no merged file) when the adapter or the result
    is unusable; OSError when writing fails."""
    source = _source(base, adapter_path)
    stamp = _read_stamp(out)
    if out.is_file() and stamp is not None and stamp.get("source") == source:
        if verify_merged(out):
            return out
        log.warning("The merged model %s changed since it was checked; merging again", out)
    log.info("Merging the adapter %s into %s (first run)", adapter_path.name, base.name)
    try:
        samples = _merge(base, adapter_path, out)
    except LoraError:
        discard_merged(out)  # a merge of this (or an older) adapter must not be picked up later
        raise
    record = {
        "version": STAMP_VERSION,
        "source": source,
        "size": out.stat().st_size,
        "samples": [asdict(s) for s in samples],
    }
    atomic_write_text(stamp_path(out), json.dumps(record))
    return out
