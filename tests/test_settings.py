import json
import os

import pytest

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


# --- start-up never fails because of one bad file or value (issue 12) -------------------------


def test_unknown_language_falls_back_to_the_default_with_a_notice(tmp_path):
    from app.boards.storage import open_user_boards

    path = tmp_path / "s.json"
    path.write_text(json.dumps({"language": "fr", "zoom": 150}))
    loaded = load_settings(path)
    assert loaded.settings.language == "es" and loaded.settings.zoom == 150
    assert "language" in loaded.message and "'fr'" in loaded.message
    open_user_boards(loaded.settings.language)  # what the launcher does next: boards exist
    path.write_text(json.dumps({"language": " EN "}))
    assert load_settings(path).settings.language == "en" and load_settings(path).message is None


def test_every_number_out_of_range_is_clamped_with_a_notice(tmp_path):
    cores = os.cpu_count() or 1
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "threads": 100_000,
                "gpu_layers": -7,
                "n_candidates": 500,
                "speech_rate": 99_999,
                "speech_volume": 7.5,
                "zoom": 1,
                "scan_interval_ms": 10**12,
                "dwell_ms": -5,
                "lock_hold_ms": 0,
                "decoding": {"temperature": -1, "top_k": 10**9, "max_tokens": 10**6, "seed": -1},
            }
        )
    )
    loaded = load_settings(path)
    s = loaded.settings
    assert s.threads == cores and s.effective_threads <= cores
    assert (s.gpu_layers, s.n_candidates, s.speech_rate, s.speech_volume) == (-2, 8, 450, 1.0)
    assert (s.zoom, s.scan_interval_ms, s.dwell_ms, s.lock_hold_ms) == (50, 10_000, 200, 1000)
    d = s.decoding
    assert (d.temperature, d.top_k, d.max_tokens, d.seed) == (0.0, 1000, 128, 0)
    assert len(loaded.notices) == 13
    for name in ("threads", "zoom", "decoding.seed", "speech_volume"):
        assert any(repr(name) in notice for notice in loaded.notices)
    path.write_text(json.dumps({"threads": 5000}))
    assert load_settings(path).settings.threads == cores


def test_non_finite_numbers_keep_the_default_with_a_notice(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"speech_volume": NaN, "decoding": {"top_p": Infinity}}')
    loaded = load_settings(path)
    assert loaded.settings.speech_volume == 1.0 and loaded.settings.decoding.top_p == 0.95
    assert len(loaded.notices) == 2


def test_mistyped_values_are_reported(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"threads": "many", "voices": [[[[[[[[["deep"]]]]]]]]]}))
    loaded = load_settings(path)
    assert loaded.settings.threads == 0 and loaded.settings.voices == {}
    assert len(loaded.notices) == 2 and "wrong kind" in loaded.message


def deep(n: int) -> str:
    return '{"zoom": ' + "[" * n + "]" * n + "}"


def test_a_deeply_nested_file_is_handled_like_corruption(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(deep(100_000))
    loaded = load_settings(path)  # RecursionError before
    assert loaded.settings == Settings() and loaded.source == "defaults"
    assert "nested too deeply" in loaded.message and "default settings" in loaded.message
    (kept,) = tmp_path.glob("s.json.bad-*")
    assert kept.read_text() == deep(100_000)


def test_saving_keeps_a_backup_and_a_bad_file_opens_the_backup(tmp_path):
    path = tmp_path / "s.json"
    mine = Settings(zoom=180, scan_mode="linear", caregiver_lock="pin", caregiver_pin="2468")
    save_settings(Settings(), path)
    save_settings(mine, path)
    assert load_settings(tmp_path / "s.json.bak").settings == Settings()
    save_settings(mine, path)  # the backup now holds the user's settings too
    path.write_text("{truncated")
    loaded = load_settings(path)
    assert loaded.settings == mine and loaded.source == "backup"
    assert "s.json.bak" in loaded.message and "could not be read" in loaded.message
    (kept,) = tmp_path.glob("s.json.bad-*")
    assert kept.name in loaded.message and kept.read_text() == "{truncated"
    # The file was restored from the backup: the next start is clean and quiet.
    again = load_settings(path)
    assert again.settings == mine and again.message is None and again.source == "file"


def test_a_settings_file_moved_aside_earlier_is_recovered_from_the_backup(tmp_path):
    path = tmp_path / "s.json"
    mine = Settings(zoom=180, scan_mode="row-column", caregiver_pin="1357")
    save_settings(mine, path)
    save_settings(mine, path)
    path.unlink()  # e.g. a CLI run moved a bad file aside
    loaded = load_settings(path)
    assert loaded.settings == mine and loaded.source == "backup"
    assert "missing" in loaded.message and "s.json.bak" in loaded.message


def test_a_bad_file_and_a_bad_backup_give_defaults_and_keep_both(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("[1, 2]")
    (tmp_path / "s.json.bak").write_bytes(b"\xff\xfe\x00")
    loaded = load_settings(path)
    assert loaded.settings == Settings() and loaded.source == "defaults"
    assert "not a JSON object" in loaded.message and "backup" in loaded.message
    assert len(list(tmp_path.glob("*.bad-*"))) == 2


def test_a_failed_save_raises_and_keeps_the_old_settings(tmp_path):
    path = tmp_path / "s.json"
    save_settings(Settings(zoom=120), path)
    (tmp_path / "s.json.bak").mkdir()  # a write that fails, even for root
    with pytest.raises(OSError):
        save_settings(Settings(zoom=200), path)
    assert load_settings(path).settings.zoom == 120
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
