"""Where the model comes from, and what a missing or broken model does (a clear error)."""

import pytest

from app.core import paths
from app.generation import ModelLoadError, SentenceGenerator
from app.generation.model_location import (
    MERGED_MODEL_NAME,
    ModelNotFoundError,
    embedded_model_path,
    locate_model,
)
from app.generation.prompts import PromptStyle


def test_embedded_model_is_assembled_once_and_verified(embedded_model):
    assert embedded_model.read_bytes()[:4] == b"GGUF"
    assert embedded_model.with_name(embedded_model.name + ".sha256").is_file()
    before = embedded_model.stat().st_mtime_ns
    assert embedded_model_path() == embedded_model
    assert embedded_model.stat().st_mtime_ns == before  # reused, not rewritten


def test_default_choice_is_the_embedded_base_model_with_few_shot(embedded_model):
    choice = locate_model()
    assert choice.path == embedded_model and choice.source == "embedded"
    assert choice.style is PromptStyle.FEW_SHOT and choice.adapter is None


def test_merged_model_in_user_data_dir_wins_over_embedded(embedded_model):
    merged = paths.models_dir() / MERGED_MODEL_NAME
    merged.write_bytes(b"GGUF....")
    try:
        choice = locate_model()
        assert choice.path == merged and choice.style is PromptStyle.FINETUNED
    finally:
        merged.unlink()


def test_user_choice_wins_and_a_missing_one_is_a_clear_error(tmp_path, embedded_model):
    assert locate_model(embedded_model).source == "user"
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        locate_model(tmp_path / "nope.gguf")


def test_missing_model_gives_one_clear_error(tmp_path):
    gen = SentenceGenerator(tmp_path / "missing.gguf")
    with pytest.raises(ModelLoadError, match="does not exist"):
        gen.load()
    assert not gen.loaded


def test_not_a_gguf_gives_a_clear_error(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"<html>not a model</html>")
    with pytest.raises(ModelLoadError, match="Not a GGUF"):
        SentenceGenerator(bad).load()


def test_truncated_gguf_is_refused_by_llama_cpp_with_a_clear_error(tmp_path, embedded_model):
    truncated = tmp_path / "truncated.gguf"
    with embedded_model.open("rb") as fh:
        truncated.write_bytes(fh.read(2_000_000))  # real header, tensors cut off
    with pytest.raises(ModelLoadError, match=r"could not load truncated\.gguf"):
        SentenceGenerator(truncated).load()
