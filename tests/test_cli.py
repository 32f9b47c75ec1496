"""`pictovoz generate` and `pictovoz doctor` as a user runs them (a real process, real model)."""

import json
import os
import subprocess
import sys

import pytest

from app.generation.model_location import MODELS_DIR_ENV


def run(*args, home, check=True):
    env = {
        "PICTOVOZ_HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        MODELS_DIR_ENV: os.environ[MODELS_DIR_ENV],
    }  # the same (no) shipped adapter as here
    proc = subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, env=env, timeout=300
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.slow
def test_generate_json(session_home, embedded_model):
    proc = run(
        "generate",
        "--lang",
        "es",
        "--json",
        "--seed",
        "3",
        "yo",
        "querer",
        "agua",
        home=session_home,
    )
    data = json.loads(proc.stdout)
    assert data["keywords"] == ["yo", "querer", "agua"] and data["lang"] == "es"
    assert len(data["candidates"]) == 3 and not data["fallback"]
    assert all(c["text"].lstrip("¿¡")[0].isupper() for c in data["candidates"])
    assert data["load_s"] > 0 and data["first_candidate_s"] <= data["total_s"]


@pytest.mark.slow
def test_generate_human_output_shows_scores_and_timings(session_home, embedded_model):
    out = run("generate", "--lang", "en", "--n", "2", "I", "want", "water", home=session_home)
    lines = out.stdout.splitlines()
    assert lines[0].startswith("1. ") and "score" in lines[0] and lines[1].startswith("2. ")
    assert "tok/s" in lines[-1]


@pytest.mark.slow
def test_batch_loads_once_and_reports_bad_lines(session_home, embedded_model, tmp_path):
    batch = tmp_path / "in.txt"
    batch.write_text(
        "yo tener sed\n"
        '{"keywords": ["I", "be", "happy"], "lang": "en"}\n'
        "\n"
        "{broken json\n"
        '{"keywords": [], "lang": "es"}\n'
        '{"keywords": "hola", "lang": "fr"}\n'
    )
    out = tmp_path / "out.jsonl"
    run("generate", "--batch", str(batch), "--output", str(out), "--lang", "es", home=session_home)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["line"] for r in records] == [1, 2, 4, 5, 6]
    assert len(records[0]["candidates"]) == 3 and records[1]["lang"] == "en"
    assert "bad JSON" in records[2]["error"]
    assert "No pictograms" in records[3]["error"]
    assert "Unsupported language" in records[4]["error"]


def test_no_keywords_is_a_usage_error(session_home):
    proc = run("generate", home=session_home, check=False)
    assert proc.returncode == 2 and "Give keywords" in proc.stderr


def test_broken_model_falls_back_to_raw_keywords(session_home, tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    proc = run(
        "generate",
        "--model",
        str(bad),
        "--json",
        "yo",
        "querer",
        "agua",
        home=session_home,
        check=False,
    )
    assert proc.returncode == 1
    assert "could not load broken.gguf" in proc.stderr
    data = json.loads(proc.stdout)
    assert data["fallback"] and data["candidates"][0]["text"] == "Yo querer agua."


@pytest.mark.slow
def test_doctor_reports_gpu_support_and_model(session_home, embedded_model):
    out = run("doctor", "--load", home=session_home).stdout
    assert "gpu offload supported by this llama.cpp build: False" in out  # CPU build here
    assert str(embedded_model) in out and "model loads in" in out
