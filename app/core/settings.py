"""User settings: one JSON file in the user config dir. A bad file falls back to defaults, is kept
aside, and the caller gets a message to show."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.files import atomic_write_text, move_aside

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1
# gpu_layers: 0 = CPU, N = N layers, -1 = all layers, -2 = auto (all when the llama.cpp build can
# offload, else CPU; a failed GPU load retries on the CPU). See app/generation/gpu.py.
GPU_LAYERS_AUTO = -2


def default_threads() -> int:
    """cores - 1, at least 1: measured here, 2 threads on 2 busy cores decoded 5-60x slower
    (OpenMP barriers), so one core is left for the UI and speech."""
    return max(1, (os.cpu_count() or 1) - 1)


@dataclass
class DecodingSettings:
    """Decoding as settings, not code paths: temperature 0 is greedy; top_k 0 and top_p 1.0 are
    off; together they make tempered top-k / nucleus sampling."""

    temperature: float = 0.8
    top_k: int = 40
    top_p: float = 0.95
    max_tokens: int = 32
    seed: int | None = None

    def validated(self) -> DecodingSettings:
        return DecodingSettings(
            temperature=min(max(float(self.temperature), 0.0), 2.0),
            top_k=max(int(self.top_k), 0),
            top_p=min(max(float(self.top_p), 0.01), 1.0),
            max_tokens=min(max(int(self.max_tokens), 4), 128),
            seed=None if self.seed is None else int(self.seed),
        )


@dataclass
class Settings:
    language: str = "es"
    model_path: str | None = None  # a user-chosen GGUF wins over the embedded model
    model_style: str | None = None  # prompt style of model_path ("few-shot" or "finetuned")
    gpu_layers: int = GPU_LAYERS_AUTO  # 0 CPU, N layers, -1 all, -2 auto: app/generation/gpu.py
    threads: int = 0  # 0 means default_threads()
    n_candidates: int = 3
    decoding: DecodingSettings = field(default_factory=DecodingSettings)
    speak_each_tile: bool = False  # off: quiet build mode
    speech_rate: int = 0  # words per minute; 0 keeps the voice's default
    speech_volume: float = 1.0
    pictogram_api_url: str = "https://api.arasaac.org/api"  # tests point it at a local server
    pictogram_downloads: bool = True  # off: only cached / bundled pictograms are shown
    # --- speech, look and access ---
    voices: dict[str, str] = field(default_factory=dict)  # language -> voice id; none: best match
    high_contrast: bool = False  # black background, white text, thick yellow focus frames
    large_text: bool = False
    zoom: int = 100  # percent, scales tiles and text (50-300)
    scan_mode: str = "off"  # "off", "row-column" or "linear"
    scan_switches: int = 1  # 1: the highlight moves by itself; 2: one key moves, one selects
    scan_interval_ms: int = 1200  # one-switch auto-advance step
    scan_select_key: str = "Space"  # QKeySequence text
    scan_next_key: str = "Return"  # the second switch (two-switch scanning only)
    dwell: bool = False  # select what the pointer rests on (head / eye pointers)
    dwell_ms: int = 1000
    caregiver_lock: str = "arithmetic"  # "hold", "arithmetic" or "pin": see app/core/lock.py
    caregiver_pin: str = ""  # digits; only keeps users out by accident, it is not a password
    lock_hold_ms: int = 3000

    @property
    def effective_threads(self) -> int:
        return self.threads if self.threads > 0 else default_threads()


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


_OPTIONAL_FIELDS = {"model_path": str, "model_style": str, "seed": int}
SCAN_MODES = ("off", "row-column", "linear")
LOCK_MODES = ("hold", "arithmetic", "pin")
# Text settings with a fixed set of values, and numbers with a sensible range: a value outside
# keeps the default (text) or is clamped (numbers), so a hand-edited file cannot break the app.
_CHOICES: dict[str, tuple[str, ...]] = {"scan_mode": SCAN_MODES, "caregiver_lock": LOCK_MODES}
_RANGES: dict[str, tuple[int, int]] = {
    "zoom": (50, 300),
    "scan_switches": (1, 2),
    "scan_interval_ms": (200, 10_000),
    "dwell_ms": (200, 10_000),
    "lock_hold_ms": (1000, 10_000),
}


def _accepts(name: str, value: Any, default: Any) -> bool:
    if name in _OPTIONAL_FIELDS:
        return value is None or isinstance(value, _OPTIONAL_FIELDS[name])
    if name in _CHOICES:
        return value in _CHOICES[name]
    if isinstance(default, dict):
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        )
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


def _from_dict(cls: type, data: dict[str, Any]) -> Any:
    """Build a dataclass from `data`, keeping the default for any missing or mistyped field."""
    obj = cls()
    for f in fields(cls):
        if f.name not in data:
            continue
        value, default = data[f.name], getattr(obj, f.name)
        if isinstance(default, DecodingSettings):
            if isinstance(value, dict):
                setattr(obj, f.name, _from_dict(DecodingSettings, value).validated())
        elif _accepts(f.name, value, default):
            if f.name in _RANGES:
                low, high = _RANGES[f.name]
                value = min(max(value, low), high)
            setattr(obj, f.name, value)
        else:
            log.warning("Setting %s=%r has the wrong type; using %r", f.name, value, default)
    return obj


@dataclass
class LoadedSettings:
    settings: Settings
    message: str | None = None  # shown to the user once when the file could not be used


def load_settings(path: Path | None = None) -> LoadedSettings:
    path = path or settings_path()
    if not path.exists():
        return LoadedSettings(Settings())
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        kept = move_aside(path, str(exc))
        return LoadedSettings(
            Settings(),
            f"The settings file could not be read ({exc}); defaults are in use. "
            f"The old file was kept as {kept.name}.",
        )
    return LoadedSettings(_from_dict(Settings, data))


def save_settings(settings: Settings, path: Path | None = None) -> None:
    data = {"version": SETTINGS_VERSION, **asdict(settings)}
    atomic_write_text(path or settings_path(), json.dumps(data, indent=2, ensure_ascii=False))
