"""Where PictoVoz keeps its files (platformdirs), overridable for tests and portable installs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "pictovoz"
# One variable moves every per-user folder (tests, portable USB installs).
HOME_ENV = "PICTOVOZ_HOME"


def _base(kind: str) -> Path:
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override) / kind
    getter = {
        "data": platformdirs.user_data_path,
        "config": platformdirs.user_config_path,
        "cache": platformdirs.user_cache_path,
    }[kind]
    return getter(APP_NAME, appauthor=False)


def data_dir() -> Path:
    return _base("data")


def config_dir() -> Path:
    return _base("config")


def cache_dir() -> Path:
    return _base("cache")


def models_dir() -> Path:
    """User-level models: the first-run merged GGUF and downloaded GGUFs."""
    return data_dir() / "models"
