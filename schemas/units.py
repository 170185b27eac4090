"""Unit codes (`<dept>.<region>`) and the topic and source names derived from them.

Every topic name and CloudEvents `source` the hub uses is spelled here and nowhere else.
"""

from __future__ import annotations

import re
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Final

from pydantic import AfterValidator

DEPTS: Final = MappingProxyType(
    {
        "court": "人民法院",
        "justice": "司法局",
        "police": "公安局",
        "hrss": "人力资源和社会保障局",
        "pboc": "中国人民银行",
        "ndrc": "发展改革委",
        "finance": "财政局",
        "transport": "交通运输局",
        "agri": "农业农村局",
        "culture": "文化广电和旅游局",
        "emergency": "应急管理局",
        "medins": "医疗保障局",
        "bigdata": "政务服务和大数据管理局",
        "town": "乡镇",
        "samr": "市场监督管理局",
        "tax": "税务局",
        "nr": "自然资源局",
        "housing": "住房和城乡建设局",
        "finreg": "金融工作局",
        "miit": "工业和信息化局",
        "eco": "生态环境局",
        "water": "水利局",
        "commerce": "商务局",
        "health": "卫生健康委",
        "audit": "审计局",
        "petition": "信访局",
        "govoffice": "政府办公室",
    }
)
"""Dept code → Chinese name of the unit (docs/design.md §3)."""

TOWN_DEPT: Final = "town"

_UNIT_RE = re.compile(r"(?P<dept>[a-z]+)\.(?P<region>[0-9]{6}|[0-9]{9})")
_SOURCE_PREFIX: Final = "fy:unit:"
_OUTBOX_RE = re.compile(r"fy\.unit\.(?P<unit>[a-z]+\.[0-9]{6,9})\.out")


class HubTopic(StrEnum):
    """Topics owned by the hub itself (unit topics are derived from unit codes)."""

    JOURNAL = "fy.hub.journal"
    """Every routing decision, consumed by the auditor."""
    DLQ = "fy.hub.dlq"
    """Raw bytes of records the router could not accept."""


JOURNAL_TOPIC: Final = HubTopic.JOURNAL.value
DLQ_TOPIC: Final = HubTopic.DLQ.value


def unit_code_problem(code: str) -> str | None:
    """Why `code` is not a unit code, or None when it is one."""
    match = _UNIT_RE.fullmatch(code)
    if match is None:
        return f"unit code {code!r} must look like <dept>.<region>, e.g. court.411121"
    dept, region = match["dept"], match["region"]
    if dept not in DEPTS:
        return f"unit code {code!r}: unknown dept {dept!r}"
    expected = 9 if dept == TOWN_DEPT else 6
    if len(region) != expected:
        what = "9-digit township code" if dept == TOWN_DEPT else "6-digit GB/T 2260 region code"
        return f"unit code {code!r}: region must be a {what}"
    return None


def is_unit_code(code: str) -> bool:
    return unit_code_problem(code) is None


def _validate_unit_code(code: str) -> str:
    problem = unit_code_problem(code)
    if problem is not None:
        raise ValueError(problem)
    return code


UnitCode = Annotated[str, AfterValidator(_validate_unit_code)]
"""A unit code `<dept>.<region>`, validated against DEPTS and the region-code length."""


def unit_dept(code: str) -> str:
    """The dept part of a valid unit code (`tax.411121` → `tax`)."""
    return _validate_unit_code(code).partition(".")[0]


def source_uri(unit: str) -> str:
    """The CloudEvents `source` of events a unit publishes."""
    return f"{_SOURCE_PREFIX}{_validate_unit_code(unit)}"


def unit_from_source(uri: str) -> str | None:
    """The unit named by a `fy:unit:<unit>` source, or None when it names no valid unit."""
    if not uri.startswith(_SOURCE_PREFIX):
        return None
    unit = uri.removeprefix(_SOURCE_PREFIX)
    return unit if is_unit_code(unit) else None


def outbox_topic(unit: str) -> str:
    """The only topic a unit writes to."""
    return f"fy.unit.{_validate_unit_code(unit)}.out"


def inbox_topic(unit: str) -> str:
    """The only topic a unit reads from."""
    return f"fy.unit.{_validate_unit_code(unit)}.in"


def unit_from_outbox(topic: str) -> str | None:
    """The unit owning an outbox topic, or None when the topic is not a valid unit outbox."""
    match = _OUTBOX_RE.fullmatch(topic)
    if match is None:
        return None
    unit = match["unit"]
    return unit if is_unit_code(unit) else None


OUTBOX_PATTERN: Final = r"fy\.unit\..+\.out"
"""Regex a router subscription uses to consume every unit outbox."""
