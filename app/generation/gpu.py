"""Where the model runs: the `gpu_layers` setting turned into llama.cpp's `n_gpu_layers`, and a
CPU retry when a GPU load fails.

Values of the setting: 0 = CPU only, N > 0 = offload N layers, -1 = offload every layer,
-2 (`GPU_LAYERS_AUTO`) = every layer when this llama.cpp build can offload (a CUDA / Metal /
Vulkan build), else CPU. Whatever was asked, a load that fails with GPU layers is retried on the
CPU with the reason logged: a missing driver or too little VRAM must not leave a user without
sentences. Qt-free, so the CLI (`pictovoz doctor`) and the window share it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from app.core.settings import GPU_LAYERS_AUTO
from app.generation import llama_runtime
from app.generation.llama_runtime import RuntimeLoadError

log = logging.getLogger(__name__)

ALL_LAYERS = -1  # llama.cpp: a negative n_gpu_layers offloads every layer

T = TypeVar("T")


@dataclass(frozen=True)
class GpuDecision:
    """What was asked, what llama.cpp gets (`n_gpu_layers`), and why, in words for `doctor`."""

    requested: int
    n_gpu_layers: int
    reason: str
    fell_back: bool = False  # a GPU load failed and the model runs on the CPU instead

    @property
    def on_gpu(self) -> bool:
        return self.n_gpu_layers != 0

    def describe(self) -> str:
        where = "CPU" if not self.on_gpu else _layers_text(self.n_gpu_layers)
        return f"{where} (setting {setting_text(self.requested)}): {self.reason}"


def setting_text(value: int) -> str:
    if value == GPU_LAYERS_AUTO:
        return "auto"
    if value == 0:
        return "0 = CPU"
    return f"{value} = all layers" if value < 0 else f"{value} layers"


def _layers_text(n: int) -> str:
    return "GPU, all layers" if n < 0 else f"GPU, {n} layers"


def decide_gpu_layers(requested: int, supports_offload: bool | None = None) -> GpuDecision:
    """Turn the setting into `n_gpu_layers` for this build. `supports_offload` defaults to
    asking llama.cpp (`llama_supports_gpu_offload()`)."""
    if supports_offload is None:
        # Looked up through the module so tests can stand in a GPU-capable build.
        supports_offload = llama_runtime.supports_gpu_offload()
    if requested == 0:
        return GpuDecision(0, 0, "the gpu_layers setting asks for the CPU")
    if not supports_offload:
        return GpuDecision(
            requested, 0, "this llama.cpp build has no GPU support (a CPU-only build)"
        )
    if requested == GPU_LAYERS_AUTO:
        return GpuDecision(
            requested, ALL_LAYERS, "auto: this llama.cpp build can offload, so every layer is"
        )
    if requested < 0:
        return GpuDecision(requested, ALL_LAYERS, "the setting asks for every layer on the GPU")
    return GpuDecision(requested, requested, f"the setting asks for {requested} GPU layers")


def load_with_fallback(
    load: Callable[[int], T], requested: int, *, supports_offload: bool | None = None
) -> tuple[T, GpuDecision]:
    """Call `load(n_gpu_layers)` as decided; if a GPU load raises RuntimeLoadError, log why and
    call `load(0)`. A CPU load's error propagates unchanged (there is nothing left to try)."""
    decision = decide_gpu_layers(requested, supports_offload)
    if not decision.on_gpu:
        return load(0), decision
    try:
        return load(decision.n_gpu_layers), decision
    except RuntimeLoadError as exc:
        log.warning("Loading on the GPU failed (%s); retrying on the CPU", exc)
        fallback = replace(
            decision,
            n_gpu_layers=0,
            fell_back=True,
            reason=f"loading on the GPU failed ({exc}); running on the CPU instead",
        )
        return load(0), fallback
