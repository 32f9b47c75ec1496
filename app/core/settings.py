"""User settings: one JSON file in the user config dir, saved with a backup. A bad file is kept
aside and the backup (or the defaults) used; a bad value is replaced or clamped; the caller gets
notices to show. Loading never raises, so a bad file or value never stops the app."""

from __future__ import annotations

import json
import logging
import math
import os
import reprlib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.files import (
    UnreadableFileError,
    atomic_write_bytes,
    atomic_write_text,
    backup_path,
    keep_aside,
    read_json_object,
)
from app.core.keywords import Lang

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
    predictions: bool = True  # the row of likely next pictograms (app/session/prediction.py)
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


LANGUAGES = tuple(lang.value for lang in Lang)
DEFAULT_LANGUAGE = Settings.language
MAX_SETTINGS_BYTES = 1024 * 1024  # a real file is ~1 kB; far bigger is not ours
_OPTIONAL_FIELDS = {"model_path": str, "model_style": str, "seed": int}
SCAN_MODES = ("off", "row-column", "linear")
LOCK_MODES = ("hold", "arithmetic", "pin")
# Text settings with a fixed set of values, and numbers with a sensible range: a value outside
# keeps the default (text) or is clamped (numbers), with a notice, so a hand-edited file cannot
# stop the app (threads 5000 hung llama.cpp; 100000 aborted it with bad_alloc).
_CHOICES: dict[str, tuple[str, ...]] = {
    "language": LANGUAGES,
    "scan_mode": SCAN_MODES,
    "caregiver_lock": LOCK_MODES,
}
_RANGES: dict[str, tuple[float, float]] = {
    "gpu_layers": (GPU_LAYERS_AUTO, 999),  # -2 auto, -1 all; llama.cpp caps N at the model's
    "n_candidates": (1, 8),  # app.generation.engine.MAX_CANDIDATES
    "speech_rate": (0, 450),  # 0: the voice's default
    "speech_volume": (0.0, 1.0),
    "zoom": (50, 300),
    "scan_switches": (1, 2),
    "scan_interval_ms": (200, 10_000),
    "dwell_ms": (200, 10_000),
    "lock_hold_ms": (1000, 10_000),
    "decoding.temperature": (0.0, 2.0),
    "decoding.top_k": (0, 1000),
    "decoding.top_p": (0.01, 1.0),
    "decoding.max_tokens": (4, 128),
    "decoding.seed": (0, 2**32 - 1),  # numpy refuses negative seeds
}


def _range(name: str) -> tuple[float, float] | None:
    if name == "threads":  # 0 = default_threads(); more threads than cores only slows it down
        return (0, os.cpu_count() or 1)
    return _RANGES.get(name)


def _accepts(name: str, value: Any, default: Any) -> bool:
    key = name.rpartition(".")[2]
    if key in _OPTIONAL_FIELDS:
        return value is None or (
            isinstance(value, _OPTIONAL_FIELDS[key]) and not isinstance(value, bool)
        )
    if name in _CHOICES:
        return value in _CHOICES[name]
    if isinstance(default, dict):
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        )
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float) and math.isfinite(value)
    return isinstance(value, type(default))


def _show(value: Any) -> str:
    return reprlib.repr(value)  # bounded: a hand-edited value may be huge or deeply nested


def _from_dict(cls: type, data: dict[str, Any], notices: list[str], prefix: str = "") -> Any:
    """Build a dataclass from `data`, keeping the default for any missing or mistyped field and
    clamping numbers into range; each change is described in `notices`."""
    obj = cls()
    for f in fields(cls):
        if f.name not in data:
            continue
        name = prefix + f.name
        value, default = data[f.name], getattr(obj, f.name)
        if name == "language" and isinstance(value, str):
            value = value.strip().lower()  # "ES " is still Spanish
        if isinstance(default, DecodingSettings):
            if isinstance(value, dict):
                setattr(obj, f.name, _from_dict(DecodingSettings, value, notices, f"{name}."))
            else:
                notices.append(f"Setting {name!r} is not a group of settings; defaults are used.")
            continue
        if not _accepts(name, value, default):
            if name in _CHOICES:
                choices = ", ".join(_CHOICES[name])
                notices.append(
                    f"Setting {name!r} was {_show(value)}, which is not one of {choices}; "
                    f"{default!r} is used."
                )
            else:
                notices.append(
                    f"Setting {name!r} had a value of the wrong kind ({_show(value)}); "
                    f"the default {default!r} is used."
                )
            log.warning(notices[-1])
            continue
        limits = _range(name)
        if limits is not None and value is not None:
            low, high = limits
            clamped = min(max(value, low), high)
            if isinstance(default, float) or isinstance(value, float):
                clamped = float(clamped)
            if clamped != value:
                notices.append(
                    f"Setting {name!r} was {_show(value)}, outside {low}..{high}; "
                    f"{clamped!r} is used."
                )
                log.warning(notices[-1])
                value = clamped
        setattr(obj, f.name, value)
    return obj


@dataclass
class LoadedSettings:
    settings: Settings
    notices: list[str] = field(default_factory=list)  # show each to the user (start-up notices)
    source: str = "file"  # "file", "backup" (settings.json.bak) or "defaults"

    @property
    def message(self) -> str | None:
        """All notices as one text, or None when there is nothing to tell."""
        return "\n".join(self.notices) if self.notices else None


def load_settings(path: Path | None = None) -> LoadedSettings:
    """Read the settings. Never raises for a bad file or value: an unreadable file is kept
    aside and its backup (`settings.json.bak`, written by every save) is used, or the defaults
    when there is none; out-of-range values are clamped. Every such step is a notice."""
    path = Path(path or settings_path())
    bak = backup_path(path)
    notices: list[str] = []
    data: dict[str, Any] | None = None
    source = "file"
    problem: str | None = None
    try:
        if path.exists():
            data = read_json_object(path, MAX_SETTINGS_BYTES)
    except (OSError, UnreadableFileError) as exc:
        problem = (
            f"The settings file could not be read ({exc}); it was {keep_aside(path, str(exc))}."
        )
    if data is None and bak.exists():
        try:
            data = read_json_object(bak, MAX_SETTINGS_BYTES)
        except (OSError, UnreadableFileError) as exc:
            where = keep_aside(bak, str(exc))
            problem = (problem + " " if problem else "") + (
                f"Its backup could not be read either ({exc}); it was {where}."
            )
        else:
            source = "backup"
            lead = problem or "The settings file was missing."
            problem = f"{lead} The previous saved settings ({bak.name}) are in use."
            _restore(path, bak)
    if data is None:
        if problem is None:
            return LoadedSettings(Settings())
        source = "defaults"
        problem += " The default settings are in use."
    if problem:
        log.warning(problem)
        notices.append(problem)
    settings = _from_dict(Settings, data, notices) if data is not None else Settings()
    return LoadedSettings(settings, notices, source)


def _restore(path: Path, bak: Path) -> None:
    """Put the backup back as the settings file, so the next start is clean (best effort)."""
    try:
        atomic_write_bytes(path, bak.read_bytes())
    except OSError as exc:
        log.warning("Could not restore %s from %s: %s", path, bak.name, exc)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write the settings atomically, keeping the previous file as `settings.json.bak`.
    Raises OSError when the file cannot be written: tell the user it was not saved."""
    data = {"version": SETTINGS_VERSION, **asdict(settings)}
    atomic_write_text(
        path or settings_path(), json.dumps(data, indent=2, ensure_ascii=False), backup=True
    )
