"""Shared fixtures. Every test runs with PictoVoz's per-user folders in a temporary place, and
the model tests share one real Gemma 3 270M (loaded once per session)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.paths import HOME_ENV
from app.generation.model_location import MODELS_DIR_ENV

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A per-session PICTOVOZ_HOME: the embedded model is assembled into it once."""
    home = tmp_path_factory.mktemp("pictovoz-home")
    os.environ[HOME_ENV] = str(home)
    return home


@pytest.fixture(autouse=True)
def _isolated_home(
    session_home: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv(HOME_ENV, str(session_home))
    # Tests see no shipped adapter unless they put one there: the repo's `models/` must not
    # change what the engine tests measure (the first-run merge has its own tests).
    monkeypatch.setenv(MODELS_DIR_ENV, str(tmp_path_factory.getbasetemp() / "no-adapter"))
    return session_home


@pytest.fixture
def server():
    """A real ARASAAC-shaped HTTP server on 127.0.0.1 (tests/arasaac_server.py)."""
    from arasaac_server import FakeArasaac

    with FakeArasaac() as s:
        yield s


@pytest.fixture(scope="session")
def embedded_model(session_home: Path) -> Path:
    from app.generation.model_location import embedded_model_path

    return embedded_model_path()


@pytest.fixture(scope="session")
def generator(embedded_model: Path):
    """The real embedded model with the few-shot prompt, loaded once for all slow tests."""
    from app.core.settings import DecodingSettings
    from app.generation import SentenceGenerator

    # A fixed seed keeps the sampled candidates, and so these tests, reproducible.
    gen = SentenceGenerator(embedded_model, decoding=DecodingSettings(seed=20261123))
    gen.load()
    yield gen
    gen.close()
