"""Where the model comes from, and what a missing or broken model does (a clear error)."""

import pytest

from app.core import paths
from app.core.keywords import prepare_keywords
from app.generation import ModelLoadError, SentenceGenerator
from app.generation.model_choice import ModelRequest, decide_model
from app.generation.model_location import (
    MERGED_MODEL_NAME,
    ModelNotFoundError,
    embedded_model_path,
)
from app.generation.prompts import PromptStyle


def test_embedded_model_is_assembled_once_and_verified(embedded_model):
    assert embedded_model.read_bytes()[:4] == b"GGUF"
    assert embedded_model.with_name(embedded_model.name + ".sha256").is_file()
    before = embedded_model.stat().st_mtime_ns
    assert embedded_model_path() == embedded_model
    assert embedded_model.stat().st_mtime_ns == before  # reused, not rewritten


def test_default_choice_is_the_embedded_base_model_with_few_shot(embedded_model):
    (paths.models_dir() / MERGED_MODEL_NAME).unlink(missing_ok=True)  # no fine-tune, no adapter
    choice = decide_model(ModelRequest())
    assert choice.path == embedded_model and choice.source == "embedded"
    assert choice.style is PromptStyle.FEW_SHOT and choice.adapter is None


def test_merged_model_in_user_data_dir_wins_over_embedded(embedded_model):
    merged = paths.models_dir() / MERGED_MODEL_NAME
    merged.write_bytes(b"GGUF....")
    try:
        choice = decide_model(ModelRequest())
        assert choice.path == merged and choice.style is PromptStyle.FINETUNED
    finally:
        merged.unlink()


def test_user_choice_wins_and_a_missing_one_is_a_clear_error(tmp_path, embedded_model):
    assert decide_model(ModelRequest(embedded_model)).source == "user"
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        decide_model(ModelRequest(tmp_path / "nope.gguf"))


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


def _tiny_adapter(seed: float = 0.01):
    """A rank-2 adapter on one real Gemma tensor: enough to exercise the first-run merge."""
    import numpy as np

    from app.generation.lora import LoraAdapter

    rng = np.random.default_rng(0)
    a = rng.normal(scale=seed, size=(2, 640)).astype(np.float32)
    b = rng.normal(scale=seed, size=(1024, 2)).astype(np.float32)
    return LoraAdapter(4.0, {"blk.0.attn_q.weight": (a, b)}, {"prompt_format": "finetuned"})


def test_shipped_adapter_is_merged_once_on_first_run(tmp_path, monkeypatch, embedded_model):
    from app.generation.lora import write_lora_gguf
    from app.generation.model_location import (
        ADAPTER_NAME,
        MODELS_DIR_ENV,
        wait_for_background_merge,
    )

    monkeypatch.setenv(MODELS_DIR_ENV, str(tmp_path))
    write_lora_gguf(tmp_path / ADAPTER_NAME, _tiny_adapter())
    merged = paths.models_dir() / MERGED_MODEL_NAME
    try:
        # The first start does not wait for the merge: llama.cpp applies the checked adapter at
        # load time while the merge runs in the background for the next start.
        first = decide_model(ModelRequest())
        assert first.source == "embedded" and first.adapter == tmp_path / ADAPTER_NAME
        assert first.style is PromptStyle.FINETUNED
        wait_for_background_merge(120)
        choice = decide_model(ModelRequest())
        assert choice.path == merged and choice.style is PromptStyle.FINETUNED
        assert merged.read_bytes()[:4] == b"GGUF"
        stamp = merged.stat().st_mtime_ns
        assert (
            decide_model(ModelRequest()).path == merged and merged.stat().st_mtime_ns == stamp
        )  # no re-merge
        write_lora_gguf(tmp_path / ADAPTER_NAME, _tiny_adapter(0.02))  # a new adapter ships
        assert decide_model(ModelRequest()).adapter is not None  # not the old merge
        wait_for_background_merge(120)
        assert merged.stat().st_mtime_ns != stamp
        gen = SentenceGenerator()  # the merged file loads in llama.cpp and answers
        gen.load()
        assert gen.choice.source == "merged"
        assert gen.generate(prepare_keywords("yo querer agua", "es"), 1).candidates
        gen.close()
    finally:
        merged.unlink(missing_ok=True)


def test_a_broken_adapter_falls_back_to_the_base_model(tmp_path, monkeypatch, embedded_model):
    from app.generation.model_location import ADAPTER_NAME, MODELS_DIR_ENV

    monkeypatch.setenv(MODELS_DIR_ENV, str(tmp_path))
    (tmp_path / ADAPTER_NAME).write_bytes(b"GGUF" + b"\0" * 100)
    choice = decide_model(ModelRequest())
    assert choice.source == "embedded" and choice.style is PromptStyle.FEW_SHOT
    assert choice.adapter is None


def test_the_app_the_cli_and_doctor_make_one_model_decision(
    tmp_path, embedded_model, capsys, monkeypatch
):
    """The style the settings record for the chosen file is the one every caller runs (the CLI
    used to ignore `model_style`, so doctor and generate disagreed with the app)."""
    import argparse

    from app import cli
    from app.core.paths import HOME_ENV
    from app.core.settings import Settings, save_settings, settings_path

    monkeypatch.setenv(HOME_ENV, str(tmp_path))  # its own settings file, left to no other test
    settings = Settings(model_path=str(embedded_model), model_style="finetuned")
    save_settings(settings, settings_path())
    app_choice = decide_model(SentenceGenerator.from_settings(settings).request)
    args = argparse.Namespace(model=None, style=None, threads=None, gpu_layers=None, n=None)
    cli_choice = decide_model(cli._make_generator(args).request)
    assert app_choice == cli_choice
    assert app_choice.style is PromptStyle.FINETUNED and app_choice.source == "user"
    assert cli.main(["doctor"]) == 0
    assert "finetuned prompt" in capsys.readouterr().out
    # a flag on the command line wins over the settings, for that command only
    flagged = argparse.Namespace(model=None, style="few-shot", threads=None, gpu_layers=None)
    assert decide_model(cli._make_generator(flagged).request).style is PromptStyle.FEW_SHOT


def test_the_app_keeps_one_copy_of_the_model(tmp_path, monkeypatch):
    """Once the merged model runs, the app removes the assembled base (the package's chunks
    stay); the next start decides without assembling it, and the base comes back on demand."""
    from app.core.paths import HOME_ENV
    from app.generation.lora import write_lora_gguf
    from app.generation.model_location import (
        ADAPTER_NAME,
        MODELS_DIR_ENV,
        embedded_model_path,
        wait_for_background_merge,
    )
    from app.session.engine_worker import EngineWorker
    from app.session.inbox import Inbox

    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))  # its own data folder
    monkeypatch.setenv(MODELS_DIR_ENV, str(tmp_path / "shipped"))
    (tmp_path / "shipped").mkdir()
    write_lora_gguf(tmp_path / "shipped" / ADAPTER_NAME, _tiny_adapter())
    base = embedded_model_path()
    assert decide_model(ModelRequest()).source == "embedded"  # first start: base + adapter
    wait_for_background_merge(120)
    assert base.is_file()  # the first start ran on it: nothing removed yet

    def start(keep: bool) -> str:
        inbox = Inbox()
        worker = EngineWorker(SentenceGenerator(), inbox.post, keep_one_model_copy=keep)
        worker.load("es")
        worker.shutdown(60)
        return worker.generator.choice.source

    assert start(keep=False) == "merged" and base.is_file()  # tools sharing the folder
    assert start(keep=True) == "merged" and not base.exists()  # the app: one copy
    assert start(keep=True) == "merged" and not base.exists()  # decided without the base
    assert embedded_model_path() == base and base.is_file()  # back when a fallback needs it
