"""A clock for tests: time moves only when the test says so."""

from __future__ import annotations

import time


class FakeClock:
    """Seconds since the epoch, as `time.time` returns them, advanced by hand.

    It starts at the real time, rounded down to a whole second plus a quarter, so that
    servers that compare it with signing dates (within 15 minutes) accept it and whole-second
    rounding is visible.
    """

    def __init__(self, now: float | None = None) -> None:
        self.now = float(int(time.time())) + 0.25 if now is None else now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
