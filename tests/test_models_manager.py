"""The model manager (app/generation/models.py) and `pictovoz models ...`.

Downloads run against tests/hf_hub_server.py, a real HTTP server on 127.0.0.1 that speaks the
Hub's file API, reached through HF_ENDPOINT; a guard fails any test that opens a connection to
another address.
"""

from __future__ import annotations

import hashlib
import json
import socket
import struct
import time
from pathlib import Path

import pytest
from hf_hub_server import FakeHub, unused_url

from app.cli import main
from app.core.paths import HOME_ENV, models_dir
from app.core.settings import load_settings, save_settings
from app.generation import engine as engine_module
from app.generation import models
from app.generation.engine import SentenceGenerator
from app.generation.hub import download_model
from app.generation.model_file import ChecksumError, DownloadError, gguf_metadata
from app.generation.models import (
    ModelManagerError,
    add_local_model,
    guess_prompt_style,
    list_models,
    load_registry,
    prompt_style_for,
    remove_model,
    use_model,
)
from app.generation.prompts import PromptStyle

REPO = "someone/Tiny-GGUF"


def make_gguf(metadata: dict[str, str | int], *, vocab: int = 50, payload: int = 300_000) -> bytes:
    """A GGUF v3 header (metadata, a string array like a tokenizer's vocabulary, no tensors)
    followed by `payload` bytes: enough for the manager, which reads headers, never weights."""

    def string(s: str) -> bytes:
        b = s.encode()
        return struct.pack("<Q", len(b)) + b

    kvs = [string("general.architecture") + struct.pack("<I", 8) + string("llama")]
    tokens = b"".join(string(f"tok{i}") for i in range(vocab))
    kvs.append(string("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, vocab) + tokens)
    kvs.append(string("general.alignment") + struct.pack("<II", 4, 32))
    for key, value in metadata.items():
        if isinstance(value, int):
            kvs.append(string(key) + struct.pack("<II", 4, value))
        else:
            kvs.append(string(key) + struct.pack("<I", 8) + string(value))
    head = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + b"".join(kvs)
    return head + bytes(i % 251 for i in range(payload))


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    """A fresh PictoVoz home per test: each starts with an empty models folder and registry."""
    home = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(home))
    return home


@pytest.fixture
def only_loopback(monkeypatch):
    """Fail loudly if anything tries to connect anywhere but 127.0.0.1."""
    real_connect = socket.socket.connect

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
            raise AssertionError(f"test tried to connect to {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def hub(monkeypatch, tmp_path, only_loopback):
    """The fake Hub, with huggingface-hub pointed at it. huggingface-hub reads HF_ENDPOINT once,
    at import, into `constants.ENDPOINT`; the manager reads the variable at call time, and the
    constants are patched too so no code path can fall back to huggingface.co."""
    from huggingface_hub import constants

    with FakeHub() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.delenv("HF_TOKEN", raising=False)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setattr(constants, "ENDPOINT", server.url)
        monkeypatch.setattr(
            constants,
            "HUGGINGFACE_CO_URL_TEMPLATE",
            server.url + "/{repo_id}/resolve/{revision}/{filename}",
        )
        monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
        monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
        # huggingface-hub writes what it received in chunks of 10 MB, so a dropped connection
        # resumes from the last whole chunk; small chunks let a test-sized file show that.
        monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 64 * 1024)
        yield server


def test_download_verifies_registers_and_is_used(hub):
    data = make_gguf({"general.name": "Tiny Llama"})
    hub.add(REPO, "tiny-q4.gguf", data)
    entry = download_model(REPO, "tiny-q4.gguf")
    path = Path(entry.path)
    assert path == models_dir() / "hub" / "someone--Tiny-GGUF" / "tiny-q4.gguf"
    assert path.read_bytes() == data
    assert entry.sha256 == hashlib.sha256(data).hexdigest() and entry.size == len(data)
    assert entry.style == "few-shot" and entry.revision == hub.commit and entry.name == "tiny-q4"
    assert [r.method for r in hub.requests] == ["HEAD", "HEAD", "GET"]
    assert [e.name for e in load_registry()] == ["tiny-q4"]
    assert prompt_style_for(path) is PromptStyle.FEW_SHOT

    settings = use_model("tiny-q4")
    assert settings.model_path == str(path) and settings.model_style == "few-shot"
    assert load_settings().settings.model_path == str(path)
    rows = {r.name: r for r in list_models()}
    assert rows["tiny-q4"].in_use and not rows["default"].in_use
    assert rows["tiny-q4"].size == len(data) and hub.commit[:8] in rows["tiny-q4"].note


def test_an_interrupted_download_resumes_where_it_stopped(hub):
    data = make_gguf({}, payload=400_000)
    hub.add(REPO, "big.gguf", data, cut_after=150_000)
    entry = download_model(REPO, "big.gguf")
    assert Path(entry.path).read_bytes() == data
    gets = hub.gets()
    assert len(gets) == 2 and gets[0].range is None
    # The second request asks only for what is missing (a Range request), not the whole file.
    assert gets[1].range is not None and gets[1].range.startswith("bytes=")
    resumed_at = int(gets[1].range.removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= 150_000


def test_a_corrupt_download_is_deleted_never_used_and_a_retry_downloads_again(hub):
    data = make_gguf({})
    corrupt = bytearray(data)
    corrupt[-1000] ^= 0xFF  # same size, one byte wrong: only the checksum can tell
    hub_file = hub.add(REPO, "m.gguf", data, served=bytes(corrupt))
    settings_before = load_settings().settings
    with pytest.raises(ChecksumError, match="does not match the Hub"):
        download_model(REPO, "m.gguf")
    folder = models_dir() / "hub" / "someone--Tiny-GGUF"
    assert not (folder / "m.gguf").exists()
    assert load_registry() == [] and load_settings().settings == settings_before
    with pytest.raises(ModelManagerError):
        use_model("m")
    hub_file.served = None  # the network is fine again: the next attempt fetches it anew
    entry = download_model(REPO, "m.gguf")
    assert Path(entry.path).read_bytes() == data and len(hub.gets()) == 2


def test_user_sha256_and_gguf_magic_are_checked(hub):
    data = make_gguf({})
    hub.add(REPO, "m.gguf", data)
    with pytest.raises(ChecksumError, match="expected"):
        download_model(REPO, "m.gguf", sha256="0" * 64)
    assert not any((models_dir() / "hub").rglob("m.gguf"))
    assert download_model(REPO, "m.gguf", sha256=hashlib.sha256(data).hexdigest())
    with pytest.raises(DownloadError, match="64 hex"):
        download_model(REPO, "m.gguf", sha256="abc")
    hub.add(REPO, "notes.gguf", b"not a model at all" * 100)  # a good checksum, but no GGUF
    with pytest.raises(ChecksumError, match="not a GGUF"):
        download_model(REPO, "notes.gguf")
    assert [e.name for e in load_registry()] == ["m"]


def test_small_git_files_are_checked_against_their_git_sha1(hub):
    data = make_gguf({}, vocab=2, payload=100)
    hub.add(REPO, "small.gguf", data, lfs=False)
    assert Path(download_model(REPO, "small.gguf").path).read_bytes() == data
    hub.add(REPO, "bad.gguf", data, lfs=False, served=data[:-1] + b"\x00")
    with pytest.raises(ChecksumError, match="git sha1"):
        download_model(REPO, "bad.gguf")


def test_missing_repo_file_and_revision_are_clear_errors(hub):
    hub.add(REPO, "m.gguf", make_gguf({}))
    with pytest.raises(DownloadError, match="No model repository"):
        download_model("nobody/none", "m.gguf")
    with pytest.raises(DownloadError, match=r"has no file 'x\.gguf'"):
        download_model(REPO, "x.gguf")
    with pytest.raises(DownloadError, match="no revision 'v9'"):
        download_model(REPO, "m.gguf", revision="v9")


def test_hub_down_is_a_clear_error(monkeypatch, only_loopback):
    url = unused_url()
    monkeypatch.setenv("HF_ENDPOINT", url)
    start = time.perf_counter()
    with pytest.raises(DownloadError, match=f"Cannot reach {url}"):
        download_model(REPO, "m.gguf")
    assert time.perf_counter() - start < 10  # no long retry loop before saying so
    assert load_registry() == [] and not (models_dir() / "hub").exists()


def test_prompt_style_comes_from_our_metadata_or_name(tmp_path):
    cases = {
        "declared.gguf": ({"pictovoz.prompt_style": "finetuned"}, PromptStyle.FINETUNED),
        "named.gguf": ({"general.name": "PictoVoz Gemma 3 270M"}, PromptStyle.FINETUNED),
        "merged.gguf": ({"pictovoz.lora_rank": "16"}, PromptStyle.FINETUNED),  # lora.py's keys
        "other.gguf": ({"general.name": "Qwen2.5 1.5B Instruct"}, PromptStyle.FEW_SHOT),
        "odd.gguf": ({"pictovoz.prompt_style": "chat"}, PromptStyle.FEW_SHOT),
    }
    for name, (meta, style) in cases.items():
        path = tmp_path / name
        path.write_bytes(make_gguf(meta, payload=10))
        assert guess_prompt_style(path) is style, name
    merged = tmp_path / "pictovoz-merged.gguf"
    merged.write_bytes(make_gguf({}, payload=10))
    assert guess_prompt_style(merged) is PromptStyle.FINETUNED
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 20)  # a header that lies
    assert guess_prompt_style(junk) is PromptStyle.FEW_SHOT
    meta = gguf_metadata(tmp_path / "declared.gguf")
    assert meta["general.architecture"] == "llama" and meta["general.alignment"] == 32
    assert "tokenizer.ggml.tokens" not in meta  # arrays are skipped


def test_add_local_by_reference_or_copy(tmp_path):
    src = tmp_path / "Mine Q8.gguf"
    src.write_bytes(make_gguf({"general.name": "pictovoz-finetune"}, payload=1000))
    ref = add_local_model(src)
    assert ref.path == str(src) and ref.style == "finetuned" and ref.name == "Mine-Q8"
    copy = add_local_model(src, copy=True, name="mine", style=PromptStyle.FEW_SHOT)
    assert Path(copy.path) == models_dir() / "local" / "Mine Q8.gguf" and copy.style == "few-shot"
    assert Path(copy.path).read_bytes() == src.read_bytes()
    assert [e.name for e in load_registry()] == ["Mine-Q8", "mine"]
    # The referenced file again under a taken name: its entry is replaced, the name made unique.
    again = add_local_model(src, name="mine")
    assert again.name == "mine-2" and [e.name for e in load_registry()] == ["mine", "mine-2"]
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ModelManagerError, match="not a GGUF"):
        add_local_model(text)
    with pytest.raises(ChecksumError):
        add_local_model(src, sha256="1" * 64)
    with pytest.raises(ModelManagerError, match="No such file"):
        add_local_model(tmp_path / "missing.gguf")


def test_remove_deletes_our_copies_and_resets_the_settings(tmp_path):
    src = tmp_path / "a.gguf"
    src.write_bytes(make_gguf({}, payload=10))
    ref = add_local_model(src)
    copy = add_local_model(src, copy=True, name="copied")
    use_model("copied")
    remove_model("copied")
    assert not Path(copy.path).exists() and load_settings().settings.model_path is None
    remove_model(ref.name)
    assert src.exists() and load_registry() == []  # a referenced file is the user's: kept
    with pytest.raises(ModelManagerError):
        remove_model("a")


def test_a_corrupt_registry_is_kept_aside(tmp_path):
    models.registry_path().parent.mkdir(parents=True)
    models.registry_path().write_text("{broken")
    assert load_registry() == []
    assert any(p.name.startswith("registry.json.bad-") for p in models_dir().iterdir())


def test_engine_uses_the_registered_prompt_style(tmp_path, monkeypatch):
    src = tmp_path / "ours.gguf"
    src.write_bytes(make_gguf({}, payload=10))
    add_local_model(src, style=PromptStyle.FINETUNED)
    # Only the prompt-style choice is under test: a stand-in avoids loading weights.
    monkeypatch.setattr(engine_module, "LlamaRuntime", lambda path, **kw: object())
    gen = SentenceGenerator(src)
    gen.load()
    assert gen.choice is not None and gen.choice.style is PromptStyle.FINETUNED
    explicit = SentenceGenerator(src, style=PromptStyle.FEW_SHOT)
    explicit.load()
    assert explicit.style is PromptStyle.FEW_SHOT
    settings = load_settings().settings
    settings.model_path, settings.model_style = str(src), "few-shot"
    save_settings(settings)
    from_settings = SentenceGenerator.from_settings(settings)
    from_settings.load()
    assert from_settings.style is PromptStyle.FEW_SHOT


def test_cli_download_use_list_and_back_to_default(hub, capsys, tmp_path):
    data = make_gguf({"pictovoz.prompt_style": "finetuned"})
    hub.add(REPO, "ours.gguf", data)
    assert main(["models", "download", REPO, "ours.gguf", "--use"]) == 0
    out = capsys.readouterr().out
    assert "Added ours:" in out and "finetuned prompt" in out and "Using ours" in out
    assert load_settings().settings.model_style == "finetuned"
    assert main(["models", "list"]) == 0
    listing = capsys.readouterr().out
    line = next(x for x in listing.splitlines() if " ours " in x)
    assert line.startswith("* ") and "finetuned" in line and REPO in line
    assert "assembled on first use" in listing or "default" in listing
    assert main(["models", "use", "default"]) == 0
    assert load_settings().settings.model_path is None
    assert main(["models", "use", "nope"]) == 1
    assert "No model named 'nope'" in capsys.readouterr().err
    local = tmp_path / "x.gguf"
    local.write_bytes(make_gguf({}, payload=10))
    assert main(["models", "add", str(local), "--copy", "--name", "x"]) == 0
    assert "few-shot prompt" in capsys.readouterr().out
    registry = json.loads(models.registry_path().read_text())
    assert [m["name"] for m in registry["models"]] == ["ours", "x"]


def test_cli_download_reports_a_dead_hub(monkeypatch, capsys, only_loopback):
    monkeypatch.setenv("HF_ENDPOINT", unused_url())
    assert main(["models", "download", REPO, "m.gguf"]) == 1
    assert "error: Cannot reach" in capsys.readouterr().err


@pytest.mark.slow
def test_metadata_reader_reads_the_real_gemma_header(embedded_model):
    meta = gguf_metadata(embedded_model, ["general.architecture", "general.name"])
    assert meta["general.architecture"] == "gemma3"
    assert guess_prompt_style(embedded_model) is PromptStyle.FEW_SHOT
    full = gguf_metadata(embedded_model)  # walks past the 262k-token vocabulary arrays
    assert full["gemma3.block_count"] > 0
