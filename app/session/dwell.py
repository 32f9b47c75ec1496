"""Dwell selection, Qt-free: a pointer that rests on a target for `dwell_s` selects it.

For head and eye pointers, which cannot click. Times are passed in (seconds, any monotonic
clock) so tests drive them exactly. Rules:
- the timer starts when the pointer enters a target and is cleared when it leaves;
- with a `tolerance_px`, moving further than that from where the rest started restarts the
  timer (a pointer sweeping across a big tile is not resting on it); None ignores movement;
- a target selects once per visit: the pointer must leave and come back to select it again
  (so resting on "more" does not type "more more more").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
Point = tuple[float, float]


@dataclass
class DwellConfig:
    dwell_s: float = 1.0
    tolerance_px: float | None = None

    def __post_init__(self) -> None:
        if self.dwell_s <= 0:
            raise ValueError("the dwell time must be positive")


class DwellSelector(Generic[T]):
    def __init__(self, config: DwellConfig | None = None) -> None:
        self.config = config or DwellConfig()
        self.target: T | None = None
        self._since: float | None = None  # None: this visit already selected (or no target)
        self._anchor: Point | None = None

    def enter(self, target: T, now: float, pos: Point | None = None) -> None:
        if target == self.target:
            return  # the same visit (and one that already selected must leave first)
        self.target, self._since, self._anchor = target, now, pos

    def leave(self, now: float | None = None) -> None:
        self.target, self._since, self._anchor = None, None, None

    def move(self, pos: Point, now: float) -> None:
        """The pointer moved within the current target."""
        tol = self.config.tolerance_px
        if self.target is None or self._since is None or tol is None:
            return
        if self._anchor is None:
            self._anchor = pos
        elif math.dist(pos, self._anchor) > tol:
            self._since, self._anchor = now, pos  # moving, not resting: start again

    def progress(self, now: float) -> float:
        """0..1 of the dwell time spent on the current target (for a filling indicator)."""
        if self.target is None or self._since is None:
            return 0.0
        return min(max((now - self._since) / self.config.dwell_s, 0.0), 1.0)

    def update(self, now: float) -> T | None:
        """Call on a timer: returns the target once its dwell time is reached, else None."""
        if self.target is None or self._since is None:
            return None
        if now - self._since >= self.config.dwell_s:
            self._since = None  # selected: not again until the pointer leaves and returns
            return self.target
        return None
