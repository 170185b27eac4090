"""How long to wait before trying again: exponential, capped. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits `first_s`, then `factor` times longer after each further failure, at most `max_s`."""

    first_s: float = 0.5
    factor: float = 2.0
    max_s: float = 30.0

    def __post_init__(self) -> None:
        if self.first_s <= 0 or self.factor < 1 or self.max_s < self.first_s:
            raise ValueError("backoff needs first_s > 0, factor >= 1 and max_s >= first_s")

    def delay(self, failures: int) -> float:
        """Seconds to wait after `failures` consecutive failures (1 for the first)."""
        if failures < 1:
            return 0.0
        # min() before the power would still overflow for huge counts; cap the exponent instead.
        exponent = min(failures - 1, 64)
        return min(self.first_s * self.factor**exponent, self.max_s)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a failing handler is run for one delivered copy before the SDK gives up on it
    (the hub redelivers unreceipted copies later; see `connectors.sdk.dispatch`)."""

    attempts: int = 5
    backoff: Backoff = field(default_factory=lambda: Backoff(first_s=0.5, max_s=8.0))

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a handler must be tried at least once")
