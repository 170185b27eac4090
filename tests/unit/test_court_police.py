"""The court's side of the police requests (公安协作): the key each request travels under, the
row each answer becomes in `police_answers`, and that requests go to a police unit only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from connectors.court import police, writeback
from connectors.court.export import load_payload, subject_of
from connectors.court.store import create_court_schema, exports, police_requests
from hub.store.engine import build_engine
from schemas.catalogue import CATALOGUE
from tests.e2e.harness import sqlite_url
from tests.hubkit import corpus_event

if TYPE_CHECKING:
    from pathlib import Path

KEY = "answer-9"


def sample(event_type: str, name: str = "valid-basic") -> Any:
    return CATALOGUE[event_type].validate_payload(corpus_event(event_type, name)["data"])


@pytest.mark.parametrize("event_type", [t.event_type for t in police.SENT_TYPES])
def test_a_police_request_is_keyed_by_its_case(event_type: str) -> None:
    request = sample(event_type)
    assert subject_of(request) is None  # the SDK keys it by `case_no`
    assert request.case_no


@pytest.mark.parametrize(
    ("event_type", "name", "field", "outcome"),
    [
        ("police.locate.answered.v1", "valid-seized", "request_no", "seized"),
        ("police.exit_control.answered.v1", "valid-refused", "request_no", "refused"),
        ("police.refusal.handled.v1", "valid-not-filed", "referral_no", "not_filed"),
    ],
)
def test_every_answer_is_written_back_under_the_number_it_answers_with_its_outcome(
    event_type: str, name: str, field: str, outcome: str
) -> None:
    payload = sample(event_type, name)
    ((table, row),) = writeback.answer_rows(KEY, payload)
    assert table.name == "police_answers"
    assert (row["answer_event_id"], row["type"], row["outcome"]) == (KEY, event_type, outcome)
    assert row["reference"] == getattr(payload, field)
    assert CATALOGUE[event_type].validate_payload(row["payload"]) == payload


def test_the_court_neither_sends_an_answer_nor_writes_back_a_request() -> None:
    with pytest.raises(TypeError):
        police.answer_values(KEY, sample("police.locate.requested.v1"))
    with pytest.raises(TypeError):
        writeback.answer_rows(KEY, sample("police.refusal.referred.v1"))


async def test_a_request_is_stored_with_its_export_and_loaded_as_written(tmp_path: Path) -> None:
    engine = build_engine(sqlite_url(tmp_path / "court.db"))
    try:
        await create_court_schema(engine)
        request = sample("police.exit_control.requested.v1")
        with pytest.raises(TypeError):
            await police.send_police_request(
                engine, sample("police.exit_control.answered.v1"), to="police.411121"
            )
        with pytest.raises(ValueError, match="police unit"):
            await police.send_police_request(engine, request, to="tax.411121")
        event_id = await police.send_police_request(engine, request, to="police.411121")
        async with engine.connect() as connection:
            export = (await connection.execute(select(exports))).mappings().one()
            row = (await connection.execute(select(police_requests))).mappings().one()
            loaded = await load_payload(connection, export["event_type"], export["ref_id"])
        assert (export["event_id"], export["to_units"], export["status"]) == (
            event_id,
            "police.411121",
            "pending",
        )
        assert (row["reference"], row["case_no"]) == (request.request_no, request.case_no)
        assert loaded == request
    finally:
        await engine.dispose()
