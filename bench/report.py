"""`bench/REPORT.md` from a results dict (`bench/results.json`). Pure: no I/O, no clock."""

from __future__ import annotations

import math
from typing import Any

from bench import stats

_WORKER_NAMES = {
    "raw": "(a) raw aiokafka pass-through",
    "copy": "(b) FastStream copy-as-is",
    "router": "(c) router",
}


def derive(results: dict[str, Any]) -> dict[str, Any]:
    """The summaries the report and the targets are made of, from the runs' raw figures."""
    derived: dict[str, Any] = {}
    for name in ("targeted", "broadcast"):
        if name in results:
            derived[name] = stats.throughput_summary(results[name]["runs"])
    if "scaling" in results:
        runs = results["scaling"]["runs"]
        derived["scaling"] = stats.scaling_summary(runs["one"], runs["two"])
    derived["latency"] = [
        {
            "rate": row["rate"],
            **{
                key: stats.summary([run[key] for run in row["runs"]])
                for key in ("p50_ms", "p99_ms", "max_ms")
            },
        }
        for row in results.get("latency", [])
    ]
    derived["auditor"] = [row for row in results.get("auditor", []) if "lag_s_max" in row]
    rss = [
        run["peak_rss_mib"]
        for name in ("targeted", "broadcast")
        for run in results.get(name, {}).get("runs", {}).get("router", [])
    ]
    rss += [run["router_peak_rss_mib"] for row in results.get("latency", []) for run in row["runs"]]
    # MiB as measured (VmRSS); the target's "MB" is read as MiB, the stricter of the two
    derived["router_peak_rss_mb"] = max(rss) if rss else None
    derived["targets"] = stats.targets(derived)
    return derived


def _s(block: dict[str, Any]) -> str:
    """min / median / max"""
    return f"{_n(block['min'])} / **{_n(block['median'])}** / {_n(block['max'])}"


def _n(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def _ratio(block: dict[str, Any] | None) -> str:
    if not block:
        return "—"
    return f"{_s(block['per_repeat'])} (of medians {_n(block['of_medians'])})"


def _loads(results: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for name in ("targeted", "broadcast"):
        for runs in results.get(name, {}).get("runs", {}).values():
            found += [run["load"] for run in runs]
    for runs in results.get("scaling", {}).get("runs", {}).values():
        found += [run["load"] for run in runs]
    for row in results.get("latency", []):
        found += [run["load"] for run in row["runs"]]
    found += [row["load"] for row in results.get("auditor", []) if "load" in row]
    return found


def render(results: dict[str, Any]) -> str:
    derived = derive(results)
    sections = (
        _header(results),
        _throughput(results, derived),
        _scaling(results, derived),
        _latency(results, derived),
        _auditor(results),
        _tracker(results, derived),
        _machine(results),
        _targets(results, derived),
    )
    return "\n".join(line for section in sections for line in section)


def _header(results: dict[str, Any]) -> list[str]:
    machine = results["machine"]
    shared = ", shared with other work while the bench ran" if machine.get("shared") else ""
    quick = " **Quick run** (development figures)." if results.get("quick") else ""
    return [
        "# fyhub router benchmark",
        "",
        (
            f"Machine: {machine['platform']}, {machine['cpus']} CPUs{shared}. Broker: one local "
            f"KRaft broker of the bench's own ({results['kafka']}), SASL_SSL as the test fixtures "
            f"run it.{quick}"
        ),
        (
            f"The run took {_n(results.get('duration_s'))} s: {results['repeats']} timed "
            "repeats per worker, after an untimed warm-up of every worker on each scenario's "
            "topics."
        ),
        "",
        (
            "Workers, each a process of its own reading the same number of new outbox records "
            "(a new consumer group at the outbox's end, the events written just before it "
            "starts), run alternately a, b, c in every repeat:"
        ),
        "",
        "- (a) `bench/passthrough.py`: raw aiokafka consume-and-produce, each record as is;",
        (
            "- (b) `bench/copy_as_is.py`: a FastStream batch subscriber with the router's "
            "settings, writing each record unchanged through the hub's `RecordWriter`;"
        ),
        "- (c) the router, `fyhub run router` (built by `hub.bootstrap`).",
        "",
        (
            "Figures are min / **median** / max over the repeats. A ratio is taken per repeat "
            "(the two workers' runs of that repeat) and of the medians: b÷a is what the "
            "framework costs, c÷b what the hub's work costs."
        ),
    ]


def _throughput(results: dict[str, Any], derived: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Throughput, pre-loaded outbox (first to last delivery)",
        "",
        "| scenario | events | fan-out | worker | deliveries/s | events/s |",
        "| --- | ---: | ---: | --- | --- | --- |",
    ]
    names = [name for name in ("targeted", "broadcast") if name in derived]
    for name in names:
        lines += [
            f"| {name} | {results[name]['events']:,} | {results[name]['fanout']} | "
            f"{_WORKER_NAMES[worker]} | {_s(derived[name][worker]['deliveries_s'])} | "
            f"{_s(derived[name][worker]['events_s'])} |"
            for worker in stats.WORKERS
            if worker in derived[name]
        ]
    lines += [
        "",
        "| scenario | b÷a (framework) | c÷b (hub's work) | c÷a |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {name} | {_ratio(derived[name].get('copy_over_raw'))} | "
        f"{_ratio(derived[name].get('router_over_copy'))} | "
        f"{_ratio(derived[name].get('router_over_raw'))} |"
        for name in names
    ]
    return lines


def _scaling(results: dict[str, Any], derived: dict[str, Any]) -> list[str]:
    if "scaling" not in derived:
        return []
    sc = derived["scaling"]
    return [
        "",
        (
            f"## Scaling out: routers in one group on {results['scaling']['partitions']} "
            f"partitions, targeted, {results['scaling']['events']:,} events"
        ),
        "",
        (
            "Each run waits until every router holds partitions, then writes the events as "
            "fast as it can (no rebalance inside the timed run)."
        ),
        "",
        "| routers | deliveries/s |",
        "| ---: | --- |",
        f"| 1 | {_s(sc['one'])} |",
        f"| 2 | {_s(sc['two'])} |",
        "",
        f"Two ÷ one: {_ratio(sc['two_over_one'])}.",
    ]


def _latency(results: dict[str, Any], derived: dict[str, Any]) -> list[str]:
    if not derived["latency"]:
        return []
    runs = ", ".join(
        f"{row['rate']:,}/s {len(row['runs'])} × {row['seconds']} s" for row in results["latency"]
    )
    return [
        "",
        "## Publish → inbox latency (one router, court → tax inbox, steady rate)",
        "",
        f"Runs: {runs}; then the last copies drained (a router slower than the rate falls behind).",
        "",
        "| rate events/s | p50 ms | p99 ms | max ms |",
        "| ---: | --- | --- | --- |",
        *(
            f"| {row['rate']:,} | {_s(row['p50_ms'])} | {_s(row['p99_ms'])} | {_s(row['max_ms'])} |"
            for row in derived["latency"]
        ),
    ]


def _auditor(results: dict[str, Any]) -> list[str]:
    if not results.get("auditor"):
        return []
    lines = [
        "",
        "## The auditor's journal lag, router at full rate",
        "",
        (
            "Lag in seconds: at each 0.1 s sample, how long ago the oldest journal entry the "
            "auditor had not yet committed was written."
        ),
        "",
        (
            "| store | events | journal entries | router events/s | lag max s | lag max entries "
            "| caught up after the router, s |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["auditor"]:
        if "skipped" in row:
            lines.append(f"| {row['store']} | skipped: {row['skipped']} | | | | | |")
            continue
        lines.append(
            f"| {row['store']} | {row['events']:,} | {row['journal_entries']:,} | "
            f"{_n(row['router_events_s'])} | {_n(row['lag_s_max'])} | "
            f"{row['lag_records_max']:,} | {_n(row['caught_up_after_router_s'])} |"
        )
    return lines


def _tracker(results: dict[str, Any], derived: dict[str, Any]) -> list[str]:
    lines = []
    if results.get("tracker"):
        lines += [
            "",
            "## The tracker's sweep",
            "",
            (
                "One sweep of the tracker as `hub.bootstrap` builds it, over a store seeded "
                "directly with open deliveries, none due (so it reads and judges every one and "
                "publishes nothing), timed in a process of its own."
            ),
            "",
            "| store | open deliveries | sweep s | peak RSS MiB | RSS before the sweep MiB |",
            "| --- | ---: | ---: | ---: | ---: |",
            *(
                f"| {tr['store']} | {tr['open_deliveries']:,} | {_n(tr['sweep_s'])} | "
                f"{_n(tr['peak_rss_mib'])} | {_n(tr['rss_before_mib'])} |"
                for tr in results["tracker"]
            ),
        ]
    if derived["router_peak_rss_mb"] is not None:
        lines += ["", f"Router peak RSS over every run: {_n(derived['router_peak_rss_mb'])} MiB."]
    return lines


def _machine(results: dict[str, Any]) -> list[str]:
    loads = _loads(results)
    if not loads:
        return []
    others = stats.summary([load["others_cpu_pct"] for load in loads])
    before = stats.summary([load["before"]["loadavg_1m"] for load in loads])
    after = stats.summary([load["after"]["loadavg_1m"] for load in loads])
    return [
        "",
        "## The machine during the timed runs",
        "",
        (
            f"{len(loads)} timed runs. 1-minute load average before each run: {_s(before)}; after: "
            f"{_s(after)}. CPU of processes other than the bench's own (its broker, workers and "
            f"itself), in % of one core: {_s(others)}."
        ),
        f"At the start: {results['load_at_start']}; at the end: {results.get('load_at_end')}.",
    ]


def _targets(results: dict[str, Any], derived: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Against the targets (medians of this run)",
        "",
        "| target | measured | met |",
        "| --- | ---: | --- |",
    ]
    for row in derived["targets"]:
        met = "not measured" if row["met"] is None else "met" if row["met"] else "**not met**"
        lines.append(f"| {row['target']} | {_n(row['measured'])} | {met} |")
    counts = ", ".join(
        f"{name.replace('_', ' ')} {value:,}" for name, value in results["sizes"].items()
    )
    return [*lines, "", f"Sizes: {counts}.", ""]
