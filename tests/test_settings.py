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


def test_access_settings_round_trip(tmp_path):
    path = tmp_path / "s.json"
    s = Settings(
        voices={"es": "roa/es", "en": "gmw/en"},
        high_contrast=True,
        large_text=True,
        zoom=150,
        scan_mode="linear",
        scan_switches=2,
        scan_interval_ms=800,
        scan_select_key="F1",
        scan_next_key="F2",
        dwell=True,
        dwell_ms=1500,
        caregiver_lock="pin",
        caregiver_pin="2468",
        lock_hold_ms=4000,
    )
    save_settings(s, path)
    assert load_settings(path).settings == s


def test_access_settings_defaults_keep_the_app_as_it_was():
    s = Settings()
    assert (s.high_contrast, s.large_text, s.zoom, s.dwell) == (False, False, 100, False)
    assert s.scan_mode == "off" and s.caregiver_lock == "arithmetic" and s.voices == {}
    assert s.gpu_layers == -2 and s.speak_each_tile is False


def test_bad_access_settings_keep_defaults_or_are_clamped(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "voices": {"es": 3},
                "high_contrast": "yes",
                "zoom": 5000,
                "scan_mode": "sideways",
                "scan_switches": 7,
                "scan_interval_ms": 10,
                "dwell": 1,
                "dwell_ms": "long",
                "caregiver_lock": "none",
                "caregiver_pin": 1234,
            }
        )
    )
    s = load_settings(path).settings
    assert s.voices == {} and s.high_contrast is False and s.dwell is False
    assert (s.zoom, s.scan_switches, s.scan_interval_ms, s.dwell_ms) == (300, 2, 200, 1000)
    assert s.scan_mode == "off" and s.caregiver_lock == "arithmetic" and s.caregiver_pin == ""
