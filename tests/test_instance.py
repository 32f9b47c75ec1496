"""One PictoVoz per data folder, checked with real processes holding a real OS lock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.core.instance import AlreadyRunningError, acquire, lock_path

ROOT = Path(__file__).resolve().parents[1]

HOLDER = """
import sys
from pathlib import Path
from app.core.instance import acquire
lock = acquire(Path(sys.argv[1]))
print("held", flush=True)
sys.stdin.readline()  # hold until the test says so (or kills us)
"""

TRY = """
import sys
from pathlib import Path
from app.core.instance import AlreadyRunningError, acquire
try:
    lock = acquire(Path(sys.argv[1]))
except AlreadyRunningError as exc:
    print("refused", exc.message)
else:
    print("acquired")
"""


def start_holder(data_dir: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def try_in_another_process(data_dir: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", TRY, str(data_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_a_second_process_is_refused_until_the_first_exits(tmp_path):
    first = start_holder(tmp_path)
    try:
        assert try_in_another_process(tmp_path) == "refused PictoVoz is already open."
        with pytest.raises(AlreadyRunningError) as err:
            acquire(tmp_path)
        assert err.value.pid == first.pid and err.value.path == lock_path(tmp_path)
    finally:
        first.communicate("\n", timeout=120)  # let it exit normally
    assert first.returncode == 0
    assert try_in_another_process(tmp_path) == "acquired"
    with acquire(tmp_path) as lock:
        assert lock.held
    assert not lock.held


def test_the_lock_is_free_again_after_the_holder_is_killed(tmp_path):
    first = start_holder(tmp_path)
    assert try_in_another_process(tmp_path).startswith("refused")
    first.kill()  # SIGKILL on POSIX: no clean-up code runs in the holder
    first.wait(timeout=120)
    assert first.returncode != 0
    lock = acquire(tmp_path)
    try:
        assert try_in_another_process(tmp_path).startswith("refused")
    finally:
        lock.release()


def test_each_data_folder_has_its_own_lock(tmp_path, session_home):
    one, two = acquire(tmp_path / "one"), acquire(tmp_path / "two")
    try:
        assert lock_path() == session_home / "data" / "pictovoz.lock"
        with acquire() as default:  # PICTOVOZ_HOME/data
            assert default.held
    finally:
        one.release()
        two.release()
