import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.files import (
    atomic_write_bytes,
    atomic_write_text,
    move_aside,
    remove_stale_temp_files,
)


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


WRITER = """
import sys
from pathlib import Path
from app.core.files import atomic_write_text
target, tag = Path(sys.argv[1]), sys.argv[2]
for i in range(int(sys.argv[3])):
    atomic_write_text(target, f"{tag} {i}\\n" * 2000, backup=True)
"""


def test_concurrent_saves_from_two_processes_never_fail(tmp_path):
    """Two processes saving the same file with a backup: each uses its own temp files (they
    shared `.name.bak.tmp` before, and one failed with FileNotFoundError)."""
    target = tmp_path / "es.json"
    atomic_write_text(target, "start")
    root = Path(__file__).resolve().parents[1]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target), tag, "400"],
            cwd=root,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("first", "second")
    ]
    errors = [w.communicate(timeout=300)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    for name in ("es.json", "es.json.bak"):
        text = (tmp_path / name).read_text()
        assert (
            text.split(" ")[0] in ("first", "second", "start") and len(set(text.splitlines())) == 1
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["es.json", "es.json.bak"]


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_stale_temp_files_of_ours_are_removed_and_nothing_else(tmp_path):
    data, cache = tmp_path / "data", tmp_path / "cache"
    (data / "boards").mkdir(parents=True)
    cache.mkdir()
    stale = [
        data / "boards" / ".es.json.k2j4h1.tmp",  # a save killed mid-way
        data / "boards" / ".es.json.bak.tmp",  # the old fixed backup temp name
        data / ".phrases.json.x8ab.tmp",
        cache / ".index.json.q1.tmp",
    ]
    kept = [
        data / "boards" / ".en.json.fresh1.tmp",  # another writer is using it right now
        data / "boards" / "notes.tmp",  # not ours: not hidden
        data / "boards" / "es.json",
        data / "boards" / "es.json.bak",
        data / ".hidden-but-not-temp",
    ]
    for path in stale + kept:
        path.write_bytes(b"x" * 100)
        _age(path, 7200)
    _age(kept[0], 5)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / ".mine.tmp").write_text("not under a root")
    _age(outside / ".mine.tmp", 7200)
    (data / "link").symlink_to(outside, target_is_directory=True)
    removed = remove_stale_temp_files([data, cache, tmp_path / "missing"], max_age_s=3600)
    assert sorted(removed) == sorted(stale)
    assert all(not p.exists() for p in stale) and all(p.exists() for p in kept)
    assert (outside / ".mine.tmp").exists()  # symlinks are not followed
    assert remove_stale_temp_files([data, cache]) == []


def test_stale_temp_files_default_to_the_user_folders(session_home):
    leftover = session_home / "config" / ".settings.json.abc.tmp"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_text("{")
    _age(leftover, 2 * 3600)
    assert leftover in remove_stale_temp_files()
    assert not leftover.exists()


def test_a_report_section_is_replaced_and_the_rest_kept(tmp_path):
    """Each benchmark and the evaluation own only their section of a shared report."""
    from app.core.files import write_report_section

    report = tmp_path / "EVALUATION.md"
    write_report_section(report, "evaluate", "BLEU 45", "Fine-tune", "# Evaluation")
    write_report_section(report, "markers", "past 100 %", "Markers", "# Evaluation")
    write_report_section(report, "evaluate", "BLEU 50", "Fine-tune", "# Evaluation")
    text = report.read_text()
    assert text.startswith("# Evaluation\n") and text.count("## ") == 2
    assert "BLEU 50" in text and "BLEU 45" not in text and "past 100 %" in text
