"""The Prometheus configuration and alert rules as Prometheus itself reads them (`promtool`, from
Debian's `prometheus` package), and each alert fired by the series that should fire it, and not
by their harmless neighbours (`promtool test rules`).

Without promtool the tests skip on a developer's machine and fail in CI (`CI=true`)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

PROMETHEUS = Path(__file__).resolve().parents[2] / "deploy/prometheus"
RULES = PROMETHEUS / "rules/fyhub.rules.yml"


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        why = "promtool is not installed (apt-get install prometheus)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    return found


def run(promtool: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_scrape_configuration_is_valid(promtool: str) -> None:
    result = run(promtool, "check", "config", PROMETHEUS / "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_alert_rules_are_valid(promtool: str) -> None:
    result = run(promtool, "check", "rules", RULES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def alert(name: str, at: str, *fired: dict[str, str]) -> dict[str, Any]:
    return {"eval_time": at, "alertname": name, "exp_labels": list(fired)}


# Each case: input series (one sample a minute), then which alerts fire when, with which labels.
CASES: list[dict[str, Any]] = [
    {
        "input_series": [
            {"series": 'up{job="fyhub",service="router",instance="r:9461"}', "values": "1 1 0x10"},
            {"series": 'up{job="fyhub",service="auditor",instance="a:9462"}', "values": "1x12"},
        ],
        "alerts": [
            alert("FyhubServiceDown", "3m"),
            alert(
                "FyhubServiceDown",
                "6m",
                {"severity": "critical", "job": "fyhub", "service": "router", "instance": "r:9461"},
            ),
        ],
    },
    {
        "input_series": [
            {
                "series": 'fyhub_events_received_total{type="t",source="court.1"}',
                "values": "0+60x40",
            },
            {
                "series": 'fyhub_events_rejected_total{code="c",source="court.1"}',
                "values": "0+20x40",
            },
            {"series": 'fyhub_events_received_total{type="t",source="tax.1"}', "values": "0+60x40"},
            {"series": 'fyhub_events_rejected_total{code="c",source="tax.1"}', "values": "0+5x40"},
        ],
        "alerts": [
            alert("FyhubRejectionsSpike", "5m"),
            alert("FyhubRejectionsSpike", "30m", {"severity": "warning", "source": "court.1"}),
        ],
    },
    {
        "input_series": [
            {"series": 'fyhub_dlq_records_total{code="malformed"}', "values": "0+2x40"},
            {"series": 'fyhub_dlq_records_total{code="bad_signature"}', "values": "0+0.5x40"},
        ],
        "alerts": [
            alert("FyhubDeadLetters", "5m"),
            alert("FyhubDeadLetters", "30m", {"severity": "warning", "code": "malformed"}),
        ],
    },
    {
        "input_series": [{"series": "fyhub_journal_lag", "values": "500x5 2000x40"}],
        "alerts": [
            alert("FyhubJournalLag", "12m"),
            alert("FyhubJournalLag", "20m", {"severity": "warning"}),
            alert("FyhubJournalLagCritical", "40m"),
        ],
    },
    {
        "input_series": [
            # one forged record at minute 10; an exported refusal that never happens
            {"series": 'fyhub_journal_refused_total{refusal="unsealed"}', "values": "0x10 1x40"},
            {"series": 'fyhub_journal_refused_total{refusal="bad_seal"}', "values": "0x50"},
        ],
        "alerts": [
            alert("FyhubJournalRefused", "9m"),
            alert("FyhubJournalRefused", "12m", {"severity": "critical", "refusal": "unsealed"}),
            alert("FyhubJournalRefused", "40m"),
        ],
    },
    {
        "input_series": [
            {
                "series": 'fyhub_deliveries_overdue{recipient="tax.1",stage="receipt"}',
                "values": "0+1x120",
            },
            {
                "series": 'fyhub_deliveries_overdue{recipient="nr.1",stage="reply"}',
                "values": "9x120",
            },
        ],
        "alerts": [
            alert("FyhubOverdueRising", "30m"),
            alert(
                "FyhubOverdueRising",
                "60m",
                {"severity": "warning", "recipient": "tax.1", "stage": "receipt"},
            ),
        ],
    },
    {
        "input_series": [
            {
                "series": "faststream_received_processed_messages_total{app_name="
                '"fyhub-auditor",broker="kafka",handler="fy.hub.journal",status="nacked"}',
                "values": "0+1x40",
            },
            {
                "series": "faststream_received_processed_messages_total{app_name="
                '"fyhub-router",broker="kafka",handler="fy.unit.x.out",status="acked"}',
                "values": "0+50x40",
            },
        ],
        "alerts": [
            alert("FyhubBatchesFailing", "5m"),
            alert(
                "FyhubBatchesFailing",
                "30m",
                {"severity": "warning", "app_name": "fyhub-auditor", "handler": "fy.hub.journal"},
            ),
        ],
    },
]


def without_annotations(rules: dict[str, Any]) -> dict[str, Any]:
    """The rules with their annotations dropped: `promtool test rules` compares annotations as
    rendered text, and their templates are checked by `promtool check rules` already."""
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    return rules


def unit_tests(rules_file: Path) -> dict[str, Any]:
    return {
        "rule_files": [str(rules_file)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": case["input_series"],
                "alert_rule_test": [
                    {
                        "eval_time": check["eval_time"],
                        "alertname": check["alertname"],
                        "exp_alerts": [{"exp_labels": labels} for labels in check["exp_labels"]],
                    }
                    for check in case["alerts"]
                ],
            }
            for case in CASES
        ],
    }


def test_each_alert_fires_on_its_cause_and_not_on_its_neighbours(
    promtool: str, tmp_path: Path
) -> None:
    rules = tmp_path / "fyhub.rules.yml"
    rules.write_text(yaml.safe_dump(without_annotations(yaml.safe_load(RULES.read_text()))))
    tests = tmp_path / "fyhub.rules.test.yml"
    tests.write_text(yaml.safe_dump(unit_tests(rules)))
    result = run(promtool, "test", "rules", tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_rule_has_a_case() -> None:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    alerts = {rule["alert"] for group in groups for rule in group["rules"] if "alert" in rule}
    tested = {check["alertname"] for case in CASES for check in case["alerts"]}
    assert alerts == tested
