"""The gpu_layers setting and its "auto" value (app/generation/gpu.py), and the CPU retry.

This machine has no GPU and its llama.cpp is a CPU build, where n_gpu_layers is silently ignored:
a GPU-capable build and a failing GPU load can only be simulated. The tests that need that patch
`supports_gpu_offload` and the runtime constructor; the last test loads the real model on the
CPU through the auto path without any stand-in.
"""

from __future__ import annotations

import json
import logging

import pytest

from app.core.keywords import prepare_keywords
from app.core.settings import GPU_LAYERS_AUTO, Settings, load_settings, save_settings
from app.generation import SentenceGenerator, gpu
from app.generation import engine as engine_module
from app.generation.gpu import ALL_LAYERS, decide_gpu_layers, load_with_fallback
from app.generation.llama_runtime import LlamaRuntime, RuntimeLoadError, supports_gpu_offload


@pytest.mark.parametrize(
    ("requested", "supports", "expected"),
    [
        (0, True, 0),  # CPU asked: CPU, even on a GPU build
        (0, False, 0),
        (GPU_LAYERS_AUTO, False, 0),  # auto on a CPU build: CPU
        (GPU_LAYERS_AUTO, True, ALL_LAYERS),  # auto on a GPU build: every layer
        (-1, True, ALL_LAYERS),
        (-7, True, ALL_LAYERS),  # any other negative value also means all layers
        (12, True, 12),
        (12, False, 0),  # layers asked of a build that cannot offload: CPU, said so
    ],
)
def test_decision_table(requested, supports, expected):
    decision = decide_gpu_layers(requested, supports)
    assert decision.n_gpu_layers == expected
    assert decision.requested == requested and not decision.fell_back
    assert decision.reason and decision.describe().startswith("CPU" if expected == 0 else "GPU")


def test_auto_asks_llama_cpp_whether_the_build_can_offload(monkeypatch):
    assert decide_gpu_layers(GPU_LAYERS_AUTO).n_gpu_layers == 0  # the real CPU build here
    assert "no GPU support" in decide_gpu_layers(GPU_LAYERS_AUTO).reason
    # Stand in a CUDA/Metal build: there is no GPU build on this machine.
    monkeypatch.setattr(gpu.llama_runtime, "supports_gpu_offload", lambda: True)
    decision = decide_gpu_layers(GPU_LAYERS_AUTO)
    assert decision.n_gpu_layers == ALL_LAYERS and "auto" in decision.reason
    assert "setting auto" in decision.describe()


def test_a_failing_gpu_load_is_retried_on_the_cpu_and_the_reason_logged(caplog):
    calls: list[int] = []

    def load(n_gpu_layers: int) -> str:
        calls.append(n_gpu_layers)
        if n_gpu_layers != 0:
            raise RuntimeLoadError("llama.cpp could not load m.gguf: CUDA out of memory")
        return "cpu runtime"

    with caplog.at_level(logging.WARNING, logger="app.generation.gpu"):
        runtime, decision = load_with_fallback(load, GPU_LAYERS_AUTO, supports_offload=True)
    assert runtime == "cpu runtime" and calls == [ALL_LAYERS, 0]
    assert decision.fell_back and decision.n_gpu_layers == 0 and not decision.on_gpu
    assert "CUDA out of memory" in decision.reason and "CPU" in decision.describe()
    assert "retrying on the CPU" in caplog.text and "CUDA out of memory" in caplog.text


def test_explicit_layers_also_fall_back_but_a_cpu_failure_propagates():
    calls: list[int] = []

    def always_fails(n_gpu_layers: int) -> None:
        calls.append(n_gpu_layers)
        raise RuntimeLoadError(f"bad file (n_gpu_layers={n_gpu_layers})")

    with pytest.raises(RuntimeLoadError, match="n_gpu_layers=0"):
        load_with_fallback(always_fails, 20, supports_offload=True)
    assert calls == [20, 0]  # tried on the GPU, then once on the CPU, then gave up
    calls.clear()
    with pytest.raises(RuntimeLoadError):
        load_with_fallback(always_fails, 0, supports_offload=True)
    assert calls == [0]  # nothing to fall back to


def test_gpu_setting_auto_round_trips_and_old_files_still_load(tmp_path):
    path = tmp_path / "settings.json"
    save_settings(Settings(gpu_layers=GPU_LAYERS_AUTO, model_style="finetuned"), path)
    data = json.loads(path.read_text())
    assert data["gpu_layers"] == -2 and data["model_style"] == "finetuned"
    loaded = load_settings(path).settings
    assert loaded.gpu_layers == GPU_LAYERS_AUTO and loaded.model_style == "finetuned"
    # An older file (no model_style, gpu_layers -1) keeps its meaning.
    path.write_text(json.dumps({"version": 1, "gpu_layers": -1}))
    old = load_settings(path).settings
    assert old.gpu_layers == -1 and old.model_style is None
    path.write_text(json.dumps({"gpu_layers": "auto", "model_style": 3}))
    bad = load_settings(path).settings  # mistyped values keep the defaults
    assert bad.gpu_layers == GPU_LAYERS_AUTO and bad.model_style is None


@pytest.mark.slow
def test_engine_falls_back_to_the_cpu_when_the_gpu_load_fails(embedded_model, monkeypatch):
    """A simulated GPU build whose GPU load fails (e.g. no driver, too little VRAM): the engine
    must still load, on the CPU, and generate. Mocked because there is no GPU here."""
    calls: list[int] = []

    def runtime(path, *, gpu_layers, **kw):
        calls.append(gpu_layers)
        if gpu_layers != 0:
            raise RuntimeLoadError("llama.cpp could not load the model: ggml_cuda_init failed")
        return LlamaRuntime(path, gpu_layers=gpu_layers, **kw)

    monkeypatch.setattr(gpu.llama_runtime, "supports_gpu_offload", lambda: True)
    monkeypatch.setattr(engine_module, "LlamaRuntime", runtime)
    gen = SentenceGenerator(embedded_model, gpu_layers=GPU_LAYERS_AUTO)
    try:
        gen.load()
        assert calls == [ALL_LAYERS, 0]
        assert gen.gpu is not None and gen.gpu.fell_back and "ggml_cuda_init" in gen.gpu.reason
        assert gen.generate(prepare_keywords("yo querer beber agua", "es"), 1).candidates
    finally:
        gen.close()


@pytest.mark.slow
def test_auto_loads_the_real_model_on_the_cpu_here(embedded_model):
    assert not supports_gpu_offload()  # this machine's llama.cpp is a CPU build
    gen = SentenceGenerator.from_settings(
        Settings(model_path=str(embedded_model), gpu_layers=GPU_LAYERS_AUTO)
    )
    try:
        gen.load()
        assert gen.gpu is not None and gen.gpu.n_gpu_layers == 0 and not gen.gpu.fell_back
        assert "no GPU support" in gen.gpu.describe()
        result = gen.generate(prepare_keywords("I want drink water", "en"), 1)
        assert result.candidates and not result.fallback
    finally:
        gen.close()
