"""Every metric and label the Grafana dashboards and the Prometheus alert rules name is one the hub
exports: the names are taken from every panel query, template variable and rule expression and
checked against registries built with every service's metrics and FastStream's middleware."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry

from hub.observability.metrics import (
    AuditorMetrics,
    RouterMetrics,
    TrackerMetrics,
    kafka_middleware,
)

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
DASHBOARDS = sorted((DEPLOY / "grafana/dashboards").glob("*.json"))
RULES = DEPLOY / "prometheus/rules/fyhub.rules.yml"
SCRAPE = DEPLOY / "prometheus/prometheus.yml"
DATASOURCES = DEPLOY / "grafana/provisioning/datasources/fyhub.yml"

_SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
}
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool"}
_KEYWORDS |= {"and", "or", "unless", "offset", "inf", "nan"}
_STRING = re.compile(r'"(?:\\.|[^"\\])*"' + r"|'(?:\\.|[^'\\])*'")
_VARIABLE = re.compile(r"\$\{?\w+\}?")
_LABEL_VALUES = re.compile(r"label_values\(\s*([^,()]+?)\s*,\s*(\w+)\s*\)")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")
_SELECTOR = re.compile(r"([A-Za-z_:][\w:]*)?\s*\{([^}]*)\}")
_MATCHER_LABEL = re.compile(r"(\w+)\s*(?:=~|!~|!=|=)")
_RANGE = re.compile(r"\[[^\]]*\]")
_NAME = re.compile(r"(?<![\w.$])[A-Za-z_:][\w:]*(?![\w:])(?!\s*\()")


@dataclass
class Query:
    """What one PromQL expression names: metrics, and labels by the metric they were matched on."""

    metrics: set[str] = field(default_factory=set)
    labels: dict[str, set[str]] = field(default_factory=dict)
    grouping: set[str] = field(default_factory=set)


def read_query(expr: str) -> Query:
    query = Query()
    text = _VARIABLE.sub("", _STRING.sub('""', expr))
    for metric, label in _LABEL_VALUES.findall(text):
        query.labels.setdefault(metric.strip(), set()).add(label)
    text = _LABEL_VALUES.sub(r"\1", text)
    for labels in _GROUPING.findall(text):
        query.grouping |= {label.strip() for label in labels.split(",") if label.strip()}
    text = _GROUPING.sub(" ", text)
    for metric, matchers in _SELECTOR.findall(text):
        query.labels.setdefault(metric, set()).update(_MATCHER_LABEL.findall(matchers))
    text = _RANGE.sub("", _SELECTOR.sub(lambda m: f" {m.group(1)} ", text))
    query.metrics = {name for name in _NAME.findall(text) if name.lower() not in _KEYWORDS}
    query.metrics |= {metric for metric in query.labels if metric}
    return query


@dataclass(frozen=True)
class Exported:
    """The series names the hub's registries expose, and the labels each carries when scraped."""

    labels: dict[str, frozenset[str]]

    def __contains__(self, name: object) -> bool:
        return name in self.labels


def scrape_target_labels() -> set[str]:
    config = yaml.safe_load(SCRAPE.read_text())
    labels = {"job", "instance"}
    for job in config["scrape_configs"]:
        for target in job.get("static_configs", []):
            labels |= set(target.get("labels", {}))
    return labels


def exported() -> Exported:
    registry = CollectorRegistry()
    RouterMetrics(registry)
    AuditorMetrics(registry)
    TrackerMetrics(registry)
    kafka_middleware(registry, app_name="fyhub-router")
    target = frozenset(scrape_target_labels())
    labels: dict[str, frozenset[str]] = {"up": target}
    for collector in registry._collector_to_names:  # the metric objects, for their label names
        own = frozenset(getattr(collector, "_labelnames", ()))
        for family in collector.collect():
            bucket = {"le"} if family.type == "histogram" else set()
            for suffix in _SUFFIXES[family.type]:
                labels[family.name + suffix] = (
                    own | target | (bucket if suffix == "_bucket" else set())
                )
    return Exported(labels)


def panels(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for item in items for p in [item, *panels(item.get("panels", []))]]


def dashboard_queries() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        found += [
            (f"{path.name}: {panel['title']}", target["expr"])
            for panel in panels(board["panels"])
            for target in panel.get("targets", [])
        ]
        found += [
            (f"{path.name}: ${variable['name']}", variable["query"]["query"])
            for variable in board.get("templating", {}).get("list", [])
            if variable["type"] == "query"
        ]
    return found


def rule_queries() -> list[tuple[str, str]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [
        (f"{RULES.name}: {rule.get('alert') or rule['record']}", rule["expr"])
        for group in groups
        for rule in group["rules"]
    ]


QUERIES = dashboard_queries() + rule_queries()


def unknown_names(query: Query, names: Exported) -> list[str]:
    problems = [f"metric {metric}" for metric in sorted(query.metrics) if metric not in names]
    known = [metric for metric in query.metrics if metric in names]
    for metric, labels in query.labels.items():
        if metric in names:
            problems += [f"label {metric}.{label}" for label in labels - names.labels[metric]]
    carried = set().union(*(names.labels[metric] for metric in known)) if known else set()
    problems += [f"grouping label {label}" for label in sorted(query.grouping - carried)]
    return problems


@pytest.fixture(scope="module")
def names() -> Exported:
    return exported()


@pytest.mark.parametrize(("where", "expr"), QUERIES, ids=[where for where, _ in QUERIES])
def test_every_query_names_only_what_the_hub_exports(
    names: Exported, where: str, expr: str
) -> None:
    query = read_query(expr)
    assert query.metrics, f"{where}: no metric found in {expr!r}"
    assert unknown_names(query, names) == [], f"{where}: {expr}"


def test_the_dashboards_and_rules_cover_the_metrics_of_design_section_8() -> None:
    used = set().union(*(read_query(expr).metrics for _, expr in QUERIES))
    for metric in (
        "fyhub_events_received_total",
        "fyhub_events_routed_total",
        "fyhub_events_rejected_total",
        "fyhub_dlq_records_total",
        "fyhub_receipt_seconds_bucket",
        "fyhub_reply_seconds_bucket",
        "fyhub_deliveries_overdue",
        "fyhub_journal_lag",
        "up",
    ):
        assert metric in used, metric
    assert any(metric.startswith("faststream_") for metric in used)


def test_every_panel_uses_the_provisioned_data_source() -> None:
    (source,) = yaml.safe_load(DATASOURCES.read_text())["datasources"]
    assert len(DASHBOARDS) >= 2
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        drawn = [p for p in panels(board["panels"]) if p["type"] != "row"]
        assert len({p["id"] for p in panels(board["panels"])}) == len(panels(board["panels"]))
        for panel in drawn:
            assert panel["datasource"]["uid"] == source["uid"], panel["title"]
            assert panel["targets"], panel["title"]


# The reader itself: what it must find, and the typo it must catch.
@pytest.mark.parametrize(
    ("expr", "metrics", "labels", "grouping"),
    [
        (
            (
                "histogram_quantile(0.9, sum by (le, recipient) (increase("
                'fyhub_receipt_seconds_bucket{recipient=~"$unit"}[$window])))'
            ),
            {"fyhub_receipt_seconds_bucket"},
            {"fyhub_receipt_seconds_bucket": {"recipient"}},
            {"le", "recipient"},
        ),
        (
            (
                'sum(rate(a_total{code="x",b!~"y"}[5m])) by (code) / ignoring(code) '
                "sum(rate(b_total[5m] offset 1h)) > 1e3 and on() vector(1)"
            ),
            {"a_total", "b_total"},
            {"a_total": {"code", "b"}},
            {"code"},
        ),
        (
            "label_values(fyhub_events_routed_total, recipient)",
            {"fyhub_events_routed_total"},
            {"fyhub_events_routed_total": {"recipient"}},
            set(),
        ),
        ('up{job="fyhub"} == 0', {"up"}, {"up": {"job"}}, set()),
    ],
)
def test_the_reader_finds_metrics_and_labels(
    expr: str, metrics: set[str], labels: dict[str, set[str]], grouping: set[str]
) -> None:
    query = read_query(expr)
    assert (query.metrics, query.labels, query.grouping) == (metrics, labels, grouping)


def test_a_misspelt_metric_or_label_is_caught(names: Exported) -> None:
    assert unknown_names(read_query("sum(rate(fyhub_event_routed_total[5m]))"), names) == [
        "metric fyhub_event_routed_total"
    ]
    typo = 'sum by (recipent) (fyhub_deliveries_overdue{stage="reply", unit="x"})'
    assert unknown_names(read_query(typo), names) == [
        "label fyhub_deliveries_overdue.unit",
        "grouping label recipent",
    ]
