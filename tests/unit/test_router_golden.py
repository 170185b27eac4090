"""The router writes over the whole corpus what it wrote when the golden fixture was recorded
(`tests/golden_router.py`): journal records and dead letters byte for byte, inbox copies and
notices as JSON values without the hub's signature."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.golden_router import GOLDEN, golden_context, outputs


def recorded() -> dict[tuple[str, int], dict[str, Any]]:
    lines = (json.loads(text) for text in GOLDEN.read_text(encoding="utf-8").splitlines())
    return {(item["case"], item["index"]): item for item in lines}


@pytest.fixture(scope="module")
def today() -> dict[tuple[str, int], dict[str, Any]]:
    return {(item["case"], item["index"]): item for item in outputs(golden_context())}


def test_the_router_writes_the_same_records_for_the_same_cases(today: Any) -> None:
    assert sorted(today) == sorted(recorded())


def test_every_record_written_is_the_one_recorded(today: Any) -> None:
    golden = recorded()
    different = [case for case, item in today.items() if golden.get(case) != item]
    assert not different, f"{len(different)} records differ, the first {different[0]}"


def test_the_fixture_covers_routing_answers_and_every_kind_of_refusal() -> None:
    topics = {item["topic"].split(".")[-1] for item in recorded().values()}
    assert topics >= {"journal", "dlq", "in"}
    journalled = {
        json.loads(base64.b64decode(item["value"]))["kind"]
        for item in recorded().values()
        if item["topic"] == "fy.hub.journal"
    }
    assert journalled == {"event.routed", "answer.routed", "record.rejected"}
