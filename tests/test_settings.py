import json

from app.core.settings import (
    DecodingSettings,
    Settings,
    default_threads,
    load_settings,
    save_settings,
    settings_path,
)


def test_missing_file_gives_defaults_without_a_message():
    loaded = load_settings()
    assert loaded.settings == Settings() and loaded.message is None
    assert loaded.settings.effective_threads == default_threads() >= 1


def test_round_trip(tmp_path):
    path = tmp_path / "s.json"
    s = Settings(language="en", gpu_layers=-1, threads=2, decoding=DecodingSettings(0.0, 1, 0.5))
    save_settings(s, path)
    assert load_settings(path).settings == s
    assert json.loads(path.read_text())["version"] == 1


def test_corrupt_file_falls_back_to_defaults_and_is_kept_aside(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("{not json")
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert "could not be read" in loaded.message
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("s.json.bad-")]
    assert len(kept) == 1 and kept[0].read_text() == "{not json"
    assert not path.exists()


def test_mistyped_fields_keep_their_defaults(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "language": 5,
                "threads": "many",
                "gpu_layers": True,
                "model_path": None,
                "n_candidates": 4,
                "decoding": {"temperature": 9, "top_k": -3, "seed": 3},
            }
        )
    )
    s = load_settings(path).settings
    assert (s.language, s.threads, s.gpu_layers, s.n_candidates) == ("es", 0, -2, 4)
    assert s.decoding.temperature == 2.0 and s.decoding.top_k == 0 and s.decoding.seed == 3


def test_default_location_is_in_the_user_config_dir(session_home):
    assert settings_path() == session_home / "config" / "settings.json"
