"""History and favourites on real files: bad entries, bad files, backups, failed saves."""

from __future__ import annotations

import json

import pytest

from app.core.history import HistorySaveError, Phrase, PhraseStore


def entry(text: str, at: object = 1.0, **extra: object) -> dict:
    return {"text": text, "lang": "es", "keywords": [], "at": at, **extra}


def test_one_bad_entry_is_skipped_not_the_whole_history(tmp_path):
    path = tmp_path / "phrases.json"
    original = json.dumps(
        {
            "version": 1,
            "history": [
                entry("Quiero agua."),
                entry("Roto.", at="ayer"),  # a bad timestamp
                {"text": "Sin hora.", "lang": "es"},  # no "at": still a phrase
                entry("Palabras.", keywords=[["no", "texto"]]),
                "not an entry",
                entry("Tengo hambre."),
            ],
            "favourites": [entry("Hola."), {"lang": "es", "at": 1}],
        }
    )
    path.write_text(original, encoding="utf-8")
    store = PhraseStore.load(path)
    assert [p.text for p in store.history] == ["Quiero agua.", "Sin hora.", "Tengo hambre."]
    assert [p.text for p in store.favourites] == ["Hola."]
    assert "4 entries" in store.message and "skipped" in store.message
    # The file as it was is kept, since the next save drops the bad entries.
    (kept,) = tmp_path.glob("phrases.json.bad-*")
    assert kept.read_text(encoding="utf-8") == original and kept.name in store.message
    store.add_spoken("Otra.", "es")
    again = PhraseStore.load(path)
    assert again.message is None and len(again.history) == 4


def test_a_deeply_nested_file_is_handled_like_corruption(tmp_path):
    path = tmp_path / "phrases.json"
    path.write_text('{"history": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    store = PhraseStore.load(path)  # RecursionError before
    assert store.history == [] and store.favourites == []
    assert "nested too deeply" in store.message
    assert len(list(tmp_path.glob("phrases.json.bad-*"))) == 1


def test_a_corrupt_file_opens_the_backup(tmp_path):
    path = tmp_path / "phrases.json"
    store = PhraseStore.load(path)
    store.add_spoken("Quiero agua.", "es")
    store.pin("Hola.", "es")
    store.add_spoken("Tengo sed.", "es")
    path.write_bytes(path.read_bytes()[:40])  # torn by a crash of another program
    recovered = PhraseStore.load(path)
    assert [p.text for p in recovered.history] == ["Quiero agua."]  # the save before
    assert recovered.is_pinned("Hola.", "es")
    assert "phrases.json.bak" in recovered.message and "could not be read" in recovered.message
    assert PhraseStore.load(path).message is None  # restored: the next start is clean


def test_a_failed_save_is_reported_to_the_caller(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    store = PhraseStore.load(blocker / "phrases.json")
    with pytest.raises(HistorySaveError) as err:
        store.add_spoken("Quiero agua.", "es")
    assert "could not be saved" in err.value.message
    assert isinstance(err.value, OSError)  # callers catching OSError still catch it
    assert store.recent("es") == [store.history[0]] and store.history[0].text == "Quiero agua."
    with pytest.raises(HistorySaveError):
        store.pin("Hola.", "es")


def test_phrase_fields_round_trip(tmp_path):
    path = tmp_path / "phrases.json"
    store = PhraseStore.load(path)
    store.add_spoken("I want water.", "en", ("I", "want", "water"))
    (phrase,) = PhraseStore.load(path).history
    assert isinstance(phrase, Phrase) and phrase.keywords == ("I", "want", "water")
    assert phrase.at > 0
