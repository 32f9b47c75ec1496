"""A damaged LoRA adapter or merged file never becomes a model full of NaN: the adapter is checked
before merging, the merged tensors after, and a merged file damaged since is merged again.

The merge tests use a small GGUF made here (no 262k-token vocabulary, so gguf-py parses it at
once); the fall-back tests use the real embedded base model."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import gguf
import numpy as np
import pytest

from app.core import paths
from app.generation.lora import (
    LoraAdapter,
    LoraError,
    ensure_merged,
    merge_into_gguf,
    read_lora_gguf,
    stamp_path,
    write_lora_gguf,
)
from app.generation.model_choice import ModelRequest, decide_model
from app.generation.model_location import ADAPTER_NAME, MERGED_MODEL_NAME, MODELS_DIR_ENV
from app.generation.prompts import PromptStyle

# (out, in) as numpy sees them; ffn_up is stored Q8_0 like a real quantised base
SHAPES = {"blk.0.attn_q.weight": (64, 32), "blk.0.ffn_up.weight": (32, 64)}


def small_base(path: Path) -> Path:
    rng = np.random.default_rng(1)
    writer = gguf.GGUFWriter(str(path), "gemma3")
    writer.add_name("small-test-base")
    writer.add_tensor("output_norm.weight", np.ones(32, dtype=np.float32))
    q = rng.normal(scale=0.02, size=SHAPES["blk.0.attn_q.weight"]).astype(np.float32)
    writer.add_tensor("blk.0.attn_q.weight", q)
    up = rng.normal(scale=0.02, size=SHAPES["blk.0.ffn_up.weight"]).astype(np.float32)
    q8 = gguf.GGMLQuantizationType.Q8_0
    writer.add_tensor("blk.0.ffn_up.weight", gguf.quants.quantize(up, q8), raw_dtype=q8)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def small_adapter(scale: float = 0.01, shapes: dict | None = None) -> LoraAdapter:
    rng = np.random.default_rng(0)
    pairs = {}
    for name, (rows, cols) in (shapes or SHAPES).items():
        a = rng.normal(scale=scale, size=(2, cols)).astype(np.float32)
        b = rng.normal(scale=scale, size=(rows, 2)).astype(np.float32)
        pairs[name] = (a, b)
    return LoraAdapter(4.0, pairs, {"prompt_format": "finetuned"})


def poison_tensor(path: Path, tensor: str) -> None:
    """Overwrite a tensor's bytes with 0xFF: NaN in F16, a NaN block scale in Q8_0."""
    t = next(t for t in gguf.GGUFReader(str(path)).tensors if t.name == tensor)
    with path.open("r+b") as fh:
        fh.seek(t.data_offset)
        fh.write(b"\xff" * t.n_bytes)


def all_finite(path: Path) -> bool:
    reader = gguf.GGUFReader(str(path))
    return all(
        np.isfinite(gguf.quants.dequantize(t.data, t.tensor_type)).all() for t in reader.tensors
    )


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return small_base(tmp_path / "base.gguf")


@pytest.fixture
def nan_adapter(tmp_path: Path) -> Path:
    path = tmp_path / "nan-lora.gguf"
    write_lora_gguf(path, small_adapter())
    poison_tensor(path, "blk.0.attn_q.weight.lora_a")
    return path


# --- before merging: the adapter ----------------------------------------------------------------
def test_a_good_adapter_merges_and_the_result_is_finite(tmp_path, base):
    adapter = tmp_path / "lora.gguf"
    write_lora_gguf(adapter, small_adapter())
    out = merge_into_gguf(base, adapter, tmp_path / "merged.gguf")
    assert all_finite(out)
    merged = {t.name: t for t in gguf.GGUFReader(str(out)).tensors}
    assert merged["blk.0.attn_q.weight"].tensor_type == gguf.GGMLQuantizationType.Q8_0


def test_nan_in_the_adapter_is_refused_and_nothing_is_written(tmp_path, base, nan_adapter):
    out = tmp_path / "merged.gguf"
    with pytest.raises(LoraError, match="NaN"):
        merge_into_gguf(base, nan_adapter, out)
    assert not out.exists() and not out.with_name(out.name + ".partial").exists()


def _corrupt(data: bytes, how: str) -> bytes:
    d = bytearray(data)
    if how == "tensor count":  # gguf-py: IndexError
        d[8] = 0xFF
    elif how == "string length":  # the length of general.type's value; gguf-py: KeyError
        at = data.index(b"general.type") + len(b"general.type") + 4
        d[at] = 0xFF
    elif how == "string bytes":  # not UTF-8; gguf-py: UnicodeDecodeError
        at = data.index(b"finetuned")
        d[at : at + 9] = b"\xff" * 9
    elif how == "alpha":  # a NaN float32
        at = data.index(b"adapter.lora.alpha") + len(b"adapter.lora.alpha") + 4
        d[at : at + 4] = b"\xff\xff\xff\xff"
    return bytes(d)


@pytest.mark.parametrize("how", ["tensor count", "string length", "string bytes", "alpha"])
def test_corrupt_adapter_metadata_is_one_clear_error(tmp_path, how):
    good = tmp_path / "lora.gguf"
    write_lora_gguf(good, small_adapter())
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(_corrupt(good.read_bytes(), how))
    with pytest.raises(LoraError, match=r"bad\.gguf"):
        read_lora_gguf(bad)


def test_an_adapter_for_other_shapes_or_tensors_is_refused(tmp_path, base):
    wrong_shape = small_adapter(shapes={"blk.0.attn_q.weight": (64, 48)})
    with pytest.raises(LoraError, match="does not fit"):
        merge_into_gguf(base, wrong_shape, tmp_path / "merged.gguf")
    wrong_name = small_adapter(shapes={"blk.7.attn_q.weight": (64, 32)})
    with pytest.raises(LoraError, match="lacks"):
        merge_into_gguf(base, wrong_name, tmp_path / "merged.gguf")
    assert not (tmp_path / "merged.gguf").exists()


# --- after merging: the merged tensors ----------------------------------------------------------
def test_finite_weights_too_large_once_quantised_are_refused(tmp_path, base):
    """3e4 is a finite float16, but B @ A * alpha / r overflows a Q8_0 block scale (float16)."""
    huge = small_adapter()
    for name, (a, b) in huge.pairs.items():
        huge.pairs[name] = (np.full_like(a, 3e4), np.full_like(b, 3e4))
    adapter = tmp_path / "huge.gguf"
    write_lora_gguf(adapter, huge)
    out = tmp_path / "merged.gguf"
    with pytest.raises(LoraError, match="not all numbers"):
        merge_into_gguf(base, adapter, out)
    assert not out.exists()


def test_a_merged_file_damaged_since_the_last_run_is_merged_again(tmp_path, base):
    adapter = tmp_path / "lora.gguf"
    write_lora_gguf(adapter, small_adapter())
    out = tmp_path / "merged.gguf"
    ensure_merged(base, adapter, out)
    poison_tensor(out, "blk.0.attn_q.weight")  # e.g. a disk error: NaN where weights were
    assert not all_finite(out)
    assert ensure_merged(base, adapter, out) == out
    assert all_finite(out)


def test_a_nan_merge_from_an_older_version_is_removed(tmp_path, base, nan_adapter):
    """Older versions merged a NaN adapter and stamped the result as good: it must not be used."""
    out = tmp_path / "merged.gguf"
    out.write_bytes(base.read_bytes())  # stands for the old NaN-filled merge
    poison_tensor(out, "blk.0.attn_q.weight")
    old_stamp = {
        "base": base.name,
        "base_size": base.stat().st_size,
        "adapter_sha256": hashlib.sha256(nan_adapter.read_bytes()).hexdigest(),
    }
    stamp_path(out).write_text(json.dumps(old_stamp))
    with pytest.raises(LoraError, match="NaN"):
        ensure_merged(base, nan_adapter, out)
    assert not out.exists() and not stamp_path(out).exists()


def test_a_damaged_merged_file_with_no_adapter_to_rebuild_it_is_not_used(
    tmp_path, base, embedded_model
):
    adapter = tmp_path / "lora.gguf"
    write_lora_gguf(adapter, small_adapter())
    merged = paths.models_dir() / MERGED_MODEL_NAME
    ensure_merged(base, adapter, merged)  # an earlier run merged it; no adapter ships now
    try:
        assert decide_model(ModelRequest()).source == "merged"  # intact: used
        poison_tensor(merged, "blk.0.ffn_up.weight")
        choice = decide_model(ModelRequest())
        assert choice.path == embedded_model and choice.style is PromptStyle.FEW_SHOT
        assert choice.notice and "damaged" in choice.notice
        assert not merged.exists() and not stamp_path(merged).exists()
    finally:
        merged.unlink(missing_ok=True)
        stamp_path(merged).unlink(missing_ok=True)


# --- the model decision: the base model and a notice --------------------------------------------
def _real_adapter(seed: float = 0.01) -> LoraAdapter:
    """Rank 2 on one real Gemma 3 270M tensor (blk.0.attn_q.weight is 1024 x 640)."""
    return small_adapter(seed, {"blk.0.attn_q.weight": (1024, 640)})


def test_a_nan_adapter_gives_the_base_model_and_a_notice(tmp_path, monkeypatch, embedded_model):
    monkeypatch.setenv(MODELS_DIR_ENV, str(tmp_path))
    write_lora_gguf(tmp_path / ADAPTER_NAME, _real_adapter())
    poison_tensor(tmp_path / ADAPTER_NAME, "blk.0.attn_q.weight.lora_b")
    choice = decide_model(ModelRequest())
    assert choice.path == embedded_model and choice.source == "embedded"
    assert choice.style is PromptStyle.FEW_SHOT and choice.adapter is None
    assert choice.notice and "NaN" in choice.notice and "base model" in choice.notice
    assert not (paths.models_dir() / MERGED_MODEL_NAME).exists()


@pytest.mark.parametrize("how", ["tensor count", "string length", "string bytes"])
def test_corrupt_adapter_metadata_gives_the_base_model_and_a_notice(
    tmp_path, monkeypatch, embedded_model, how
):
    monkeypatch.setenv(MODELS_DIR_ENV, str(tmp_path))
    good = tmp_path / "good.gguf"
    write_lora_gguf(good, _real_adapter())
    (tmp_path / ADAPTER_NAME).write_bytes(_corrupt(good.read_bytes(), how))
    choice = decide_model(ModelRequest())  # used to raise gguf-py's IndexError / KeyError
    assert choice.path == embedded_model and choice.style is PromptStyle.FEW_SHOT
    assert choice.notice and "damaged" in choice.notice


def test_any_other_failure_in_the_merge_path_gives_the_base_model(
    tmp_path, monkeypatch, embedded_model
):
    """The last line of defence in decide_model: whatever the merge path raises, the user keeps
    the base model (here an error no check anticipates, raised from inside gguf-py)."""
    monkeypatch.setenv(MODELS_DIR_ENV, str(tmp_path))
    write_lora_gguf(tmp_path / ADAPTER_NAME, _real_adapter())

    def broken_reader(*args, **kwargs):
        raise RuntimeError("something no check anticipated")

    monkeypatch.setattr(gguf, "GGUFReader", broken_reader)
    choice = decide_model(ModelRequest())
    assert choice.path == embedded_model and choice.source == "embedded"
    assert choice.notice and "no check anticipated" in choice.notice


def test_the_window_session_shows_why_the_base_model_runs(tmp_path, monkeypatch, embedded_model):
    """A poisoned adapter: the app's session loads the base model and tells the user so, in a
    notice that stays, instead of failing every request."""
    from app.boards.storage import load_default_boards
    from app.core.history import PhraseStore
    from app.core.settings import Settings
    from app.generation import SentenceGenerator
    from app.session.engine_worker import EngineWorker
    from app.session.inbox import Inbox
    from app.session.session import Session

    monkeypatch.setenv(MODELS_DIR_ENV, str(tmp_path))
    write_lora_gguf(tmp_path / ADAPTER_NAME, _real_adapter())
    poison_tensor(tmp_path / ADAPTER_NAME, "blk.0.attn_q.weight.lora_b")
    inbox = Inbox()
    engine = EngineWorker(SentenceGenerator(), inbox.post)
    session = Session(
        Settings(), load_default_boards("es"), PhraseStore.load(tmp_path / "p.json"), engine=engine
    )
    try:
        deadline = time.monotonic() + 60
        while not session.model_ready and time.monotonic() < deadline:
            inbox.drain()
            time.sleep(0.01)
        assert session.model_ready
        assert any("base model" in n for n in session.notices), session.notices
    finally:
        session.close()
