"""The two gateway processes and the bundle's time window, in epoch milliseconds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from samples.generate.clock import local_midnight_ms, ms_of
from samples.generate.scenario import (
    B_BOOT_AT,
    B_LISTEN_AT,
    DAYS,
    DEBUG_WINDOW,
    PID_A,
    PID_B,
    PROC_A_START,
    RESTART_SPAWN_AT,
)


@dataclass(frozen=True, slots=True)
class Epochs:
    a_start: int
    a_end: int
    b_boot: int
    b_start: int

    def pid_at(self, ts: int) -> int:
        return PID_A if ts <= self.a_end else PID_B

    def alive(self, ts: int) -> bool:
        """False in the few seconds between A's exit and B's first line."""
        return not (self.a_end < ts < self.b_boot)


EPOCHS: Final = Epochs(
    ms_of(PROC_A_START), ms_of(RESTART_SPAWN_AT), ms_of(B_BOOT_AT), ms_of(B_LISTEN_AT)
)
WINDOW_START_MS: Final = local_midnight_ms(DAYS[0])
WINDOW_END_MS: Final = local_midnight_ms("2026-05-29") - 1
DEBUG_FROM_MS: Final = ms_of(DEBUG_WINDOW[0])
DEBUG_TO_MS: Final = ms_of(DEBUG_WINDOW[1])


def in_debug(ts: int) -> bool:
    return DEBUG_FROM_MS <= ts < DEBUG_TO_MS
