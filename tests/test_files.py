import os

import pytest

from app.core.files import atomic_write_bytes, atomic_write_text, move_aside


def test_atomic_write_replaces_and_keeps_a_backup(tmp_path):
    target = tmp_path / "sub" / "board.json"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two", backup=True)
    assert target.read_text() == "two"
    assert (tmp_path / "sub" / "board.json.bak").read_text() == "one"
    assert [p.name for p in target.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "settings.json"
    atomic_write_text(target, "old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)  # simulates a failing disk
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_move_aside_never_overwrites(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{broken")
    first = move_aside(bad, "test")
    bad.write_text("{broken again")
    second = move_aside(bad, "test")
    assert first != second and first.read_text() == "{broken"
    assert second.read_text() == "{broken again" and not bad.exists()
