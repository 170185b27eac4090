"""The bench's arithmetic, without I/O: summaries of repeated runs, ratios between workers of the
same run, latency quantiles, the auditor's lag in seconds, and the targets met or not."""

from __future__ import annotations

import bisect
import math
import statistics
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

WORKERS = ("raw", "copy", "router")
"""(a) raw aiokafka pass-through, (b) FastStream copy-as-is, (c) the router."""


def summary(values: Sequence[float]) -> dict[str, float | int]:
    """min/median/max of repeated measurements (n 0: all None)."""
    if not values:
        return {"n": 0, "min": float("nan"), "median": float("nan"), "max": float("nan")}
    return {
        "n": len(values),
        "min": round(min(values), 3),
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
    }


def ratio(numerators: Sequence[float], denominators: Sequence[float]) -> dict[str, Any]:
    """numerator ÷ denominator, per repeat (the i-th run of each, which ran side by side in time)
    and of the medians; repeats without a pair are left out."""
    pairs = [n / d for n, d in zip(numerators, denominators, strict=False) if d]
    of_medians = (
        statistics.median(numerators) / statistics.median(denominators)
        if numerators and denominators and statistics.median(denominators)
        else float("nan")
    )
    return {"per_repeat": summary(pairs), "of_medians": round(of_medians, 3)}


def quantiles_ms(delays_ms: Sequence[float]) -> dict[str, float]:
    """p50/p99/max of publish→inbox delays, in ms (nearest-rank: no interpolation)."""
    ordered = sorted(delays_ms)
    if not ordered:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan")}

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))]

    return {
        "p50_ms": round(rank(0.50), 1),
        "p99_ms": round(rank(0.99), 1),
        "max_ms": round(ordered[-1], 1),
    }


def time_lag_s(
    journal_ends: Sequence[tuple[float, int]], consumed: Sequence[tuple[float, int]]
) -> float:
    """The auditor's largest lag in seconds. At each sample (t, records it had consumed), the
    oldest record it had not consumed yet was written when the journal's end first passed that
    count (the first end sample above it): the lag is t less that time, 0 when nothing newer had
    been written by t. Both in time order; counts summed over the journal's partitions."""
    times = [t for t, _ in journal_ends]
    ends = [end for _, end in journal_ends]  # non-decreasing: bisect finds the first above
    worst = 0.0
    for at, position in consumed:
        oldest_unread = bisect.bisect_right(ends, position)
        if oldest_unread < len(ends) and times[oldest_unread] <= at:
            worst = max(worst, at - times[oldest_unread])
    return round(worst, 3)


def throughput_summary(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per worker, min/median/max of deliveries/s and events/s; the three ratios."""
    rate = {name: [run["deliveries_s"] for run in runs.get(name, [])] for name in WORKERS}
    out: dict[str, Any] = {
        name: {
            "deliveries_s": summary(rate[name]),
            "events_s": summary([run["events_s"] for run in runs.get(name, [])]),
        }
        for name in WORKERS
        if runs.get(name)
    }
    if rate["raw"] and rate["copy"]:
        out["copy_over_raw"] = ratio(rate["copy"], rate["raw"])
    if rate["copy"] and rate["router"]:
        out["router_over_copy"] = ratio(rate["router"], rate["copy"])
    if rate["raw"] and rate["router"]:
        out["router_over_raw"] = ratio(rate["router"], rate["raw"])
    return out


def scaling_summary(one: list[dict[str, Any]], two: list[dict[str, Any]]) -> dict[str, Any]:
    one_rate = [run["deliveries_s"] for run in one]
    two_rate = [run["deliveries_s"] for run in two]
    return {
        "one": summary(one_rate),
        "two": summary(two_rate),
        "two_over_one": ratio(two_rate, one_rate),
    }


def _median(block: dict[str, Any] | None, *path: str) -> float | None:
    for name in path:
        if not isinstance(block, dict) or name not in block:
            return None
        block = block[name]
    return block if isinstance(block, int | float) else None


def targets(derived: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the figure it is judged on (the median across repeats) and whether it
    was met; a figure this run did not measure is `None`, neither met nor missed."""
    tgt = derived.get("targeted", {})
    lat = {row["rate"]: row for row in derived.get("latency", [])}
    checks: list[tuple[str, float | None, str, float]] = [
        (
            "targeted router ≥ 0.45× raw pass-through",
            _median(tgt, "router_over_raw", "of_medians"),
            ">=",
            0.45,
        ),
        (
            "targeted router ≥ 0.7× FastStream copy-as-is",
            _median(tgt, "router_over_copy", "of_medians"),
            ">=",
            0.7,
        ),
        (
            "broadcast ≥ 15,000 deliveries/s (one router)",
            _median(derived.get("broadcast"), "router", "deliveries_s", "median"),
            ">=",
            15_000,
        ),
        ("300/s p50 ≤ 20 ms", _median(lat.get(300), "p50_ms", "median"), "<=", 20),
        ("300/s p99 ≤ 100 ms", _median(lat.get(300), "p99_ms", "median"), "<=", 100),
        ("1,000/s p99 ≤ 250 ms", _median(lat.get(1000), "p99_ms", "median"), "<=", 250),
        (
            "two routers ≥ 1.3× one (6 partitions)",
            _median(derived.get("scaling"), "two_over_one", "of_medians"),
            ">=",
            1.3,
        ),
        ("router peak RSS ≤ 200 MB", derived.get("router_peak_rss_mb"), "<=", 200),
    ]
    checks += [
        (f"auditor journal lag < 1 s ({row['store']})", row.get("lag_s_max"), "<", 1.0)
        for row in derived.get("auditor", [])
    ]
    judged = []
    for name, value, op, goal in checks:
        met = None
        if value is not None and not math.isnan(value):  # NaN: not measured
            met = value >= goal if op == ">=" else value <= goal if op == "<=" else value < goal
        judged.append({"target": name, "measured": value, "goal": f"{op} {goal}", "met": met})
    return judged
