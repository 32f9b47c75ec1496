"""The caregiver lock, Qt-free: what stands between the user and edit mode or the settings.

It keeps a user out by accident, not an adversary: a stray tap, a switch press or a dwell cannot
open it. Three ways, chosen in settings (`caregiver_lock`):
- "hold": keep a button pressed for `hold_s` seconds (one continuous press);
- "arithmetic": answer a sum with two-digit numbers (new question each time);
- "pin": type the PIN from settings (falls back to arithmetic while no PIN is set).
"""

from __future__ import annotations

import hmac
import random
from dataclasses import dataclass

MODES = ("hold", "arithmetic", "pin")


@dataclass(frozen=True)
class Challenge:
    question: str
    answer: str

    def check(self, typed: str) -> bool:
        return hmac.compare_digest(typed.strip(), self.answer)


def arithmetic_challenge(rng: random.Random | None = None) -> Challenge:
    """ "What is 37 + 48?" with both numbers 11-49: needs reading and adding, not luck."""
    rng = rng or random.Random()
    a, b = rng.randint(11, 49), rng.randint(11, 49)
    return Challenge(f"{a} + {b} = ?", str(a + b))


def pin_challenge(pin: str) -> Challenge:
    return Challenge("PIN", pin.strip())


def effective_mode(mode: str, pin: str) -> str:
    """The mode actually used: an unknown mode, or "pin" with no PIN set, asks a sum instead."""
    if mode == "pin" and not pin.strip():
        return "arithmetic"
    return mode if mode in MODES else "arithmetic"


def challenge_for(mode: str, pin: str, rng: random.Random | None = None) -> Challenge | None:
    """The question to ask, or None for "hold" (a HoldLock decides)."""
    mode = effective_mode(mode, pin)
    if mode == "hold":
        return None
    if mode == "pin":
        return pin_challenge(pin)
    return arithmetic_challenge(rng)


class HoldLock:
    """Press, keep pressed for `hold_s`, and it opens; releasing early starts again."""

    def __init__(self, hold_s: float = 3.0) -> None:
        if hold_s <= 0:
            raise ValueError("the hold time must be positive")
        self.hold_s = hold_s
        self._since: float | None = None

    @property
    def pressed(self) -> bool:
        return self._since is not None

    def press(self, now: float) -> None:
        if self._since is None:
            self._since = now

    def release(self, now: float) -> bool:
        """True when the press lasted long enough."""
        opened = self.update(now)
        self._since = None
        return opened

    def progress(self, now: float) -> float:
        if self._since is None:
            return 0.0
        return min(max((now - self._since) / self.hold_s, 0.0), 1.0)

    def update(self, now: float) -> bool:
        return self._since is not None and now - self._since >= self.hold_s
