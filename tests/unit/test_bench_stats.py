"""The bench's arithmetic and report: summaries, paired ratios, the auditor's lag in seconds,
the targets, and REPORT.md rendered from a results dict. No broker, no timing."""

from __future__ import annotations

import math
from typing import Any

from bench import report, stats


def test_summary_gives_min_median_max_and_nan_for_nothing() -> None:
    assert stats.summary([3.0, 1.0, 2.0, 10.0]) == {"n": 4, "min": 1.0, "median": 2.5, "max": 10.0}
    empty = stats.summary([])
    assert empty["n"] == 0
    assert math.isnan(empty["median"])


def test_ratio_pairs_each_repeat_and_divides_the_medians() -> None:
    # repeat i of each worker ran side by side: the per-repeat ratios are 0.5, 0.25, 1.0
    made = stats.ratio([50.0, 50.0, 300.0], [100.0, 200.0, 300.0])
    assert made["per_repeat"] == {"n": 3, "min": 0.25, "median": 0.5, "max": 1.0}
    assert made["of_medians"] == 0.25  # median 50 over median 200


def test_quantiles_are_nearest_rank() -> None:
    delays = [float(n) for n in range(1, 101)]  # 1..100 ms
    assert stats.quantiles_ms(delays) == {"p50_ms": 50.0, "p99_ms": 99.0, "max_ms": 100.0}


def test_time_lag_is_how_long_ago_the_oldest_unread_entry_was_written() -> None:
    ends = [(0.0, 0), (1.0, 100), (2.0, 200), (3.0, 200)]
    # at 2.0 the auditor had 50: entry 50 was written by the 1.0 sample, so it lags 1 s;
    # at 3.0 it had all 200: no lag
    consumed = [(0.0, 0), (1.0, 0), (2.0, 50), (3.0, 200)]
    assert stats.time_lag_s(ends, consumed) == 1.0
    assert stats.time_lag_s(ends, [(t, end) for t, end in ends]) == 0.0


def _run(deliveries_s: float, *, rss: float = 100.0) -> dict[str, Any]:
    return {
        "events": 1000,
        "deliveries": 1000,
        "seconds": 1000 / deliveries_s,
        "events_s": deliveries_s,
        "deliveries_s": deliveries_s,
        "peak_rss_mib": rss,
        "load": {
            "before": {"loadavg_1m": 1.0, "loadavg_5m": 1.0, "cpus": 2},
            "after": {"loadavg_1m": 1.5, "loadavg_5m": 1.0, "cpus": 2},
            "machine_cpu_pct": 150.0,
            "bench_cpu_pct": 140.0,
            "others_cpu_pct": 10.0,
        },
    }


def _results() -> dict[str, Any]:
    def workers(raw: float, copy: float, router: float) -> dict[str, list[dict[str, Any]]]:
        return {
            "raw": [_run(raw), _run(raw * 1.1)],
            "copy": [_run(copy), _run(copy)],
            "router": [_run(router, rss=250.0), _run(router)],
        }

    return {
        "machine": {"platform": "x86_64, Python 3.11", "cpus": 2, "shared": True},
        "kafka": "127.0.0.1:1",
        "quick": True,
        "repeats": 2,
        "sizes": {"targeted_events": 1000},
        "load_at_start": {"loadavg_1m": 0.5},
        "load_at_end": {"loadavg_1m": 0.7},
        "duration_s": 60.0,
        "targeted": {"events": 1000, "fanout": 1, "partitions": 3, "runs": workers(10, 8, 6)},
        "broadcast": {
            "events": 50,
            "fanout": 19,
            "partitions": 3,
            "runs": workers(20e3, 18e3, 16e3),
        },
        "scaling": {
            "events": 1000,
            "partitions": 6,
            "runs": {"one": [_run(100.0), _run(100.0)], "two": [_run(120.0), _run(140.0)]},
        },
        "latency": [
            {
                "rate": 300,
                "seconds": 3,
                "runs": [
                    {"p50_ms": 10.0, "p99_ms": 90.0, "max_ms": 120.0, "router_peak_rss_mib": 90.0}
                    | {"load": _run(1)["load"]}
                ],
            }
        ],
        "auditor": [
            {
                "store": "sqlite",
                "events": 1000,
                "journal_entries": 1000,
                "router_events_s": 500.0,
                "lag_s_max": 0.4,
                "lag_records_max": 200,
                "caught_up_after_router_s": 0.3,
            },
            {"store": "postgresql", "skipped": "--no-postgres"},
        ],
        "tracker": [
            {
                "open_deliveries": 1000,
                "store": "sqlite",
                "sweep_s": 0.5,
                "rss_before_mib": 100.0,
                "peak_rss_mib": 110.0,
            }
        ],
    }


def test_targets_are_judged_on_this_runs_medians() -> None:
    judged = {row["target"]: row for row in report.derive(_results())["targets"]}
    # router median 6 over raw median 10.5, and over copy 8
    assert judged["targeted router ≥ 0.45× raw pass-through"]["measured"] == round(6 / 10.5, 3)
    assert judged["targeted router ≥ 0.45× raw pass-through"]["met"] is True
    assert judged["targeted router ≥ 0.7× FastStream copy-as-is"]["met"] is True
    assert judged["broadcast ≥ 15,000 deliveries/s (one router)"]["met"] is True
    assert judged["two routers ≥ 1.3× one (6 partitions)"]["measured"] == 1.3
    assert judged["two routers ≥ 1.3× one (6 partitions)"]["met"] is True
    assert judged["router peak RSS ≤ 200 MB"]["met"] is False  # one run peaked at 250
    assert judged["300/s p99 ≤ 100 ms"]["met"] is True
    assert judged["1,000/s p99 ≤ 250 ms"]["met"] is None  # not measured in this run
    assert "auditor journal lag < 1 s (postgresql)" not in judged  # skipped


def test_the_report_states_every_ratio_and_target() -> None:
    text = report.render(_results())
    assert "| targeted | " in text
    assert "(of medians 0.762)" in text  # copy 8 over raw 10.5: the framework's cost
    assert "(of medians 0.75)" in text  # router 6 over copy 8: the hub's work
    assert "| router peak RSS ≤ 200 MB | 250 | **not met** |" in text
    assert "| 1,000/s p99 ≤ 250 ms | — | not measured |" in text
    assert "| postgresql | skipped: --no-postgres |" in text
    assert "**Quick run**" in text
    assert "| sqlite | 1,000 | 0.5 | 110 | 100 |" in text  # the tracker's sweep
