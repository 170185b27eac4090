import pytest
from pydantic import BaseModel, ValidationError

from schemas.units import (
    DEPTS,
    DLQ_TOPIC,
    JOURNAL_TOPIC,
    HubTopic,
    UnitCode,
    inbox_topic,
    is_unit_code,
    outbox_topic,
    source_uri,
    unit_dept,
    unit_from_outbox,
    unit_from_source,
)


class Registered(BaseModel):
    unit: UnitCode


def test_depts_are_the_design_table():
    assert len(DEPTS) == 27
    assert DEPTS["court"] == "人民法院"
    assert DEPTS["town"] == "乡镇"
    assert DEPTS["govoffice"] == "政府办公室"


@pytest.mark.parametrize("code", ["court.411121", "tax.411121", "town.411121100", "justice.110105"])
def test_valid_unit_codes(code):
    assert Registered(unit=code).unit == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("court411121", "must look like <dept>.<region>"),
        ("Court.411121", "must look like <dept>.<region>"),
        ("bank.411121", "unknown dept 'bank'"),
        ("court.41112", "must look like"),
        ("court.411121100", "6-digit GB/T 2260 region code"),
        ("town.411121", "9-digit township code"),
        ("tax.411121 ", "must look like"),
    ],
)
def test_invalid_unit_codes_name_the_reason(code, reason):
    assert not is_unit_code(code)
    with pytest.raises(ValidationError, match=reason):
        Registered(unit=code)


def test_unit_dept():
    assert unit_dept("town.411121100") == "town"
    with pytest.raises(ValueError, match="unknown dept"):
        unit_dept("bank.411121")


def test_source_round_trip():
    assert source_uri("tax.411121") == "fy:unit:tax.411121"
    assert unit_from_source("fy:unit:tax.411121") == "tax.411121"


@pytest.mark.parametrize(
    "uri", ["fy:unit:bank.411121", "tax.411121", "fy:units:tax.411121", "fy:unit:", ""]
)
def test_source_naming_no_valid_unit_gives_none(uri):
    assert unit_from_source(uri) is None


def test_topics_of_a_unit():
    assert outbox_topic("court.411121") == "fy.unit.court.411121.out"
    assert inbox_topic("court.411121") == "fy.unit.court.411121.in"
    assert unit_from_outbox("fy.unit.court.411121.out") == "court.411121"
    assert unit_from_outbox(outbox_topic("town.411121100")) == "town.411121100"


@pytest.mark.parametrize(
    "topic",
    [
        "fy.unit.court.411121.in",
        "fy.unit.bank.411121.out",
        "fy.unit.town.411121.out",
        "fy.hub.journal",
        "x.fy.unit.court.411121.out",
    ],
)
def test_non_outbox_topics_give_none(topic):
    assert unit_from_outbox(topic) is None


def test_topic_helpers_refuse_invalid_units():
    with pytest.raises(ValueError, match="unknown dept"):
        outbox_topic("bank.411121")


def test_hub_topics():
    assert JOURNAL_TOPIC == HubTopic.JOURNAL == "fy.hub.journal"
    assert DLQ_TOPIC == HubTopic.DLQ == "fy.hub.dlq"
