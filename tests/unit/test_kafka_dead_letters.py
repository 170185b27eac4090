"""Dead letters as operations see them: described without payload, chosen, and sent back."""

import json
from datetime import UTC, datetime

from aiokafka.structs import ConsumerRecord

from hub.kafka.dead_letters import (
    RESENT_FROM_HEADER,
    at_positions,
    dead_letter,
    describe,
    masked,
    matching,
    resend_record,
)

PAYLOAD = json.dumps(
    {"data": {"subjects": [{"name": "王建军", "id_no": "411121198503152315"}]}},
    ensure_ascii=False,
).encode()
WRITTEN_MS = int(datetime(2026, 3, 2, 1, 30, tzinfo=UTC).timestamp() * 1000)


def record(
    *,
    partition: int = 1,
    offset: int = 42,
    topic: str = "fy.unit.tax.411121.out",
    code: str = "schema_invalid",
    detail: str = "1 invalid field(s) in enforcement.query.requested.v1",
) -> ConsumerRecord:
    headers = [
        ("fy-original-topic", topic.encode()),
        ("fy-original-partition", b"0"),
        ("fy-original-offset", b"17"),
        ("fy-error-code", code.encode()),
        ("fy-error-detail", detail.encode()),
    ]
    return ConsumerRecord(
        "fy.hub.dlq", partition, offset, WRITTEN_MS, 0, b"case-1", PAYLOAD, None, 6, 0, headers
    )


def test_a_dead_letter_is_read_from_its_headers():
    letter = dead_letter(record())
    assert letter.position == "1:42"
    assert letter.written_at == datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    assert (letter.original_topic, letter.original_position) == ("fy.unit.tax.411121.out", "0@17")
    assert (letter.code, letter.key, letter.value) == ("schema_invalid", b"case-1", PAYLOAD)


def test_a_dead_letter_without_headers_still_lists():
    bare = ConsumerRecord("fy.hub.dlq", 0, 3, WRITTEN_MS, 0, None, b"x", None, 0, 1, [])
    letter = dead_letter(bare)
    assert (letter.original_topic, letter.code, letter.detail) == ("?", "?", "")


def test_the_line_names_origin_code_and_size_but_never_the_payload():
    line = describe(dead_letter(record()))
    assert line == (
        "1:42  2026-03-02T09:30:00+08:00  fy.unit.tax.411121.out/0@17  schema_invalid  "
        f"{len(PAYLOAD)} B  1 invalid field(s) in enforcement.query.requested.v1"
    )
    assert "王建军" not in line
    assert "411121198503152315" not in line


def test_identifiers_quoted_in_the_detail_are_masked():
    detail = (
        "data.subjects[0].id_no: expected 17 digits, got '41112119850315231'; "
        "uscc 91411121MA45R8Q2XR"
    )
    assert masked(detail) == (
        "data.subjects[0].id_no: expected 17 digits, got '411121*******5231'; "
        "uscc 914111********Q2XR"
    )


def test_event_ids_and_case_numbers_stay_readable():
    detail = (
        "`correlationid` 5e148399-670c-5b4d-9089-1c29cdf72c17 is not 01HQ0000000000000000000001 "
        "in （2024）豫1121执123号"
    )
    assert masked(detail) == detail


def test_dead_letters_are_chosen_by_code_and_unit():
    letters = [
        dead_letter(record(offset=1)),
        dead_letter(record(offset=2, code="malformed")),
        dead_letter(record(offset=3, topic="fy.unit.samr.411121.out")),
    ]
    assert [x.offset for x in matching(letters, code="schema_invalid")] == [1, 3]
    assert [x.offset for x in matching(letters, unit="tax.411121")] == [1, 2]
    assert [x.offset for x in matching(letters, code="malformed", unit="samr.411121")] == []
    assert matching(letters) == letters


def test_dead_letters_are_named_by_position_or_by_an_unambiguous_offset():
    letters = [
        dead_letter(record(partition=0, offset=7)),
        dead_letter(record(partition=1, offset=7)),
    ]
    letters.append(dead_letter(record(partition=1, offset=8)))
    found, unmatched = at_positions(letters, ["1:7", "8", "7", "0:9"])
    assert [x.position for x in found] == ["1:7", "1:8"]
    assert unmatched == ["7", "0:9"]


def test_a_resend_is_the_raw_record_back_on_its_outbox():
    out = resend_record(dead_letter(record()))
    assert out is not None
    assert (out.topic, out.key, out.value) == ("fy.unit.tax.411121.out", b"case-1", PAYLOAD)
    assert out.headers == ((RESENT_FROM_HEADER, b"fy.hub.dlq/1/42"),)


def test_only_unit_outboxes_get_dead_letters_back():
    assert resend_record(dead_letter(record(topic="fy.hub.journal"))) is None
    assert resend_record(dead_letter(record(topic="?"))) is None
