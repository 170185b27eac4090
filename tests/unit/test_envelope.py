"""The CloudEvents envelope: attributes, formats, extensions, helper properties."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.envelope import HUB_SOURCE, Envelope
from schemas.errors import field_errors


def _envelope(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "specversion": "1.0",
        "id": "0b3b7c1e-6f0a-4a53-9d2f-1b6f3c2d9e10",
        "source": "fy:unit:court.411121",
        "type": "debtor.listed.v1",
        "subject": "（2026）豫1121执356号",
        "time": "2026-03-02T09:30:00+08:00",
        "data": {},
    }
    event.update(changes)
    return {key: value for key, value in event.items() if value is not ...}


def _parse(event: dict[str, Any]) -> Envelope:
    return Envelope.model_validate_json(json.dumps(event, ensure_ascii=False), strict=True)


def _problems(event: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        _parse(event)
    return {error.path: error.message for error in field_errors(caught.value)}


def test_minimal_event_is_accepted():
    envelope = _parse(_envelope())
    assert envelope.source_unit == "court.411121"
    assert envelope.recipients == ()
    assert envelope.extensions == {}
    assert not envelope.is_delivered_copy


@pytest.mark.parametrize(
    "event_id",
    [
        "0B3B7C1E-6F0A-4A53-9D2F-1B6F3C2D9E10",
        "01HV5Z8K3QX4W2N7R9T6Y1C0DE",
        "01hv5z8k3qx4w2n7r9t6y1c0de",
    ],
)
def test_id_may_be_a_uuid_or_a_ulid(event_id: str):
    assert _parse(_envelope(id=event_id)).id == event_id


@pytest.mark.parametrize(
    "event_id", ["17", "0b3b7c1e6f0a4a539d2f1b6f3c2d9e10", "81HV5Z8K3QX4W2N7R9T6Y1C0DE"]
)
def test_other_ids_are_refused(event_id: str):
    assert _problems(_envelope(id=event_id))["id"].endswith("must be a UUID or a ULID")


@pytest.mark.parametrize(
    "time", ["2026-03-02T01:30:00Z", "2026-03-02T09:30:00+08:00", "2026-03-01T20:30:00-05:00"]
)
def test_time_with_an_offset_is_accepted(time: str):
    assert _parse(_envelope(time=time)).time == dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)


def test_time_keeps_microseconds_of_longer_fractions():
    assert _parse(_envelope(time="2026-03-02T09:30:00.123456789+08:00")).time.microsecond == 123456


@pytest.mark.parametrize(
    "time", ["2026-03-02T09:30:00", "2026-03-02 09:30:00+08:00", "2026-03-02", "1772415000"]
)
def test_time_without_offset_or_in_another_layout_is_refused(time: str):
    assert "RFC 3339 timestamp with a UTC offset" in _problems(_envelope(time=time))["time"]


def test_time_as_a_number_is_refused():
    assert "time" in _problems(_envelope(time=1772415000))


def test_hub_source_is_accepted_and_names_no_unit():
    envelope = _parse(_envelope(source=HUB_SOURCE))
    assert envelope.is_from_hub
    assert envelope.source_unit is None


@pytest.mark.parametrize(
    "source", ["fy:unit:bank.411121", "fy:unit:court", "court.411121", "fy:hub:x"]
)
def test_source_must_name_a_unit(source: str):
    assert "fy:unit:<unit code>" in _problems(_envelope(source=source))["source"]


def test_recipients_come_from_to_in_order():
    envelope = _parse(_envelope(to="tax.411121 town.411121100 nr.411121"))
    assert envelope.recipients == ("tax.411121", "town.411121100", "nr.411121")


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("tax.411121  nr.411121", "single spaces"),
        (" tax.411121", "single spaces"),
        ("tax.411121 tax.411121", "must not name a unit twice"),
        ("tax.411121 town.411121", "9-digit township code"),
        ("tax.411121 bank.411121", "unknown dept 'bank'"),
    ],
)
def test_bad_recipient_lists_are_refused(to: str, message: str):
    assert message in _problems(_envelope(to=to))["to"]


def test_extensions_are_kept():
    envelope = _parse(_envelope(traceparent="00-abc-01", retries=2, urgent=True))
    assert envelope.extensions == {"traceparent": "00-abc-01", "retries": 2, "urgent": True}


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("traceId", "x", "lowercase letters or digits"),
        ("trace_id", "x", "lowercase letters or digits"),
        ("averyveryverylongname21", "x", "1-20"),
        ("trace", {"id": 1}, "strings, integers or booleans"),
        ("trace", [1], "strings, integers or booleans"),
        ("trace", 1.5, "strings, integers or booleans"),
        ("data_base64", "e30=", "use data"),
    ],
)
def test_bad_extensions_are_refused_by_name(name: str, value: Any, message: str):
    assert message in _problems(_envelope(**{name: value}))[name]


def test_hub_attributes_are_read():
    envelope = _parse(
        _envelope(
            hubrouted="2026-03-02T09:30:01+08:00",
            hubreceiptby="2026-03-03T23:59:59+08:00",
            hubreplyby="2026-03-05T23:59:59+08:00",
            hubdelivery="token",
        )
    )
    assert envelope.is_delivered_copy
    assert envelope.hubreplyby is not None
    assert envelope.hubreceiptby is not None
    assert envelope.hubreceiptby < envelope.hubreplyby
    assert envelope.extensions == {}


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("specversion", "0.3"),
        ("datacontenttype", "text/xml"),
        ("purpose", "marketing"),
        ("data", "text"),
        ("subject", ""),
        ("type", "DebtorListed"),
        ("hubreplyby", "tomorrow"),
        ("correlationid", "not-an-id"),
    ],
)
def test_attribute_rules(attribute: str, value: Any):
    assert attribute in _problems(_envelope(**{attribute: value}))


def test_missing_data_is_refused():
    assert _problems(_envelope(data=...))["data"] == "required field is missing"
