"""The real app under a real X server (Xvfb, Qt's xcb platform), started the way `make run` starts
it: the window appears, the model loads, and a close (SIGTERM, as at logout) exits cleanly.
Offscreen tests cannot see a missing xcb library or a crash at exit; this one does."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.paths import HOME_ENV

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed"),
]

APP = Path(sys.executable).with_name("pictovoz")


class Xvfb:
    """One X server on a free display number, with a given screen size."""

    def __init__(self, width: int, height: int) -> None:
        self.size = (width, height)
        self.proc: subprocess.Popen | None = None
        self.display = ""

    def __enter__(self) -> Xvfb:
        for n in range(90, 140):
            if Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
                continue
            w, h = self.size
            self.proc = subprocess.Popen(
                ["Xvfb", f":{n}", "-screen", "0", f"{w}x{h}x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if Path(f"/tmp/.X11-unix/X{n}").exists():
                    self.display = f":{n}"
                    return self
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
            self.proc.kill()
        raise RuntimeError("could not start Xvfb")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)

    def wait_for_window(self, proc: subprocess.Popen, title: str = "PictoVoz") -> bool:
        """Until `proc` shows a top-level window named `title` (False if it exits first)."""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            if any(w[0] == title for w in self.windows()):
                return True
            time.sleep(0.2)
        return False

    def windows(self) -> list[tuple[str, int, int, int, int]]:
        """(title, x, y, width, height) of the named top-level windows."""
        out = subprocess.run(
            ["xwininfo", "-root", "-tree", "-display", self.display],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        found = []
        for m in re.finditer(r'0x[0-9a-f]+ "([^"]+)".*?(\d+)x(\d+)\+(-?\d+)\+(-?\d+)', out):
            title, w, h, x, y = m.group(1), *map(int, m.groups()[1:])
            found.append((title, x, y, w, h))
        return found


def start_app(display: str, home: Path, embedded_model: Path) -> subprocess.Popen:
    (home / "config").mkdir(parents=True, exist_ok=True)
    settings = {"model_path": str(embedded_model), "pictogram_downloads": False}
    (home / "config" / "settings.json").write_text(json.dumps(settings))
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env |= {"DISPLAY": display, HOME_ENV: str(home), "QT_QPA_PLATFORM": "xcb"}
    return subprocess.Popen(
        [str(APP), "-v"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_the_app_starts_on_a_real_x_server_and_closes_cleanly(tmp_path, embedded_model):
    with Xvfb(1366, 768) as x:
        proc = start_app(x.display, tmp_path / "home", embedded_model)
        try:
            if not x.wait_for_window(proc):
                proc.kill()
                pytest.fail(f"no PictoVoz window appeared:\n{proc.communicate()[0][-3000:]}")
            time.sleep(3)  # the model loads on its own thread meanwhile
            assert proc.poll() is None, "the app exited on its own"
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert "Fatal Python error" not in out, out[-3000:]
    assert "could not load the Qt platform plugin" not in out, out[-3000:]
    assert proc.returncode == 0, out[-3000:]
    assert "Window shown" in out


SCREENS = [(1366, 768), (1280, 800), (1024, 600), (600, 1024)]


@pytest.mark.parametrize("size", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_the_window_fits_the_screen_and_every_part_is_on_it(tmp_path, size):
    """A laptop, a small tablet and a portrait tablet: the window never asks for more than the
    screen, and every home-board tile, the strip, the markers and the candidates are on it."""
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text(json.dumps({"pictogram_downloads": False}))
    with Xvfb(*size) as x:
        env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
        env |= {"DISPLAY": x.display, HOME_ENV: str(home), "QT_QPA_PLATFORM": "xcb"}
        probe = Path(__file__).with_name("fit_probe.py")
        run = subprocess.run(
            [sys.executable, str(probe)], env=env, capture_output=True, text=True, timeout=120
        )
    line = next((ln for ln in run.stdout.splitlines() if ln.startswith("FIT ")), None)
    assert line is not None, run.stdout[-2000:] + run.stderr[-2000:]
    fit = json.loads(line[4:])
    width, height = size
    x0, y0, w, h = fit["window"]
    assert x0 >= 0 and y0 >= 0 and x0 + w <= width and y0 + h <= height, fit
    assert fit["minimum"][0] <= width and fit["minimum"][1] <= height, fit
    assert fit["tiles_visible"] == fit["tiles"], fit
    assert fit["strip"] and fit["strip_tiles"] == 4 and fit["markers"], fit
    assert fit["candidates"] and fit["buttons"] and fit["attribution"], fit
    assert fit["minimum_loading"][1] <= height, fit
    assert fit["predictions"] >= 4 and fit["predictions_visible"] == fit["predictions"], fit
    assert min(fit["prediction_size"][0]) >= 48, fit
    assert min(fit["tile_size"]) >= 48, fit  # the touch minimum
    assert fit["candidate_rows"] and min(fit["candidate_rows"]) >= 48, fit


def test_a_second_start_brings_the_running_window_forward(tmp_path, embedded_model):
    """Two starts on one data folder: the second exits at once (no second window on the same
    files) and the first is asked to show its window."""
    with Xvfb(1366, 768) as x:
        home = tmp_path / "home"
        first = start_app(x.display, home, embedded_model)
        try:
            assert x.wait_for_window(first)
            before = sum(w[0] == "PictoVoz" for w in x.windows())
            second = start_app(x.display, home, embedded_model)
            out2, _ = second.communicate(timeout=60)
            assert second.returncode == 0, out2[-2000:]
            assert "Window shown" not in out2  # it opened no window of its own
            assert sum(w[0] == "PictoVoz" for w in x.windows()) == before
            first.send_signal(signal.SIGTERM)
            out1, _ = first.communicate(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
                first.communicate()
    assert first.returncode == 0, out1[-2000:]
    assert "bringing it forward" in out1
