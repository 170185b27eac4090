"""The court's side of the notices sent to it: which notices it keeps, the answer each owes, the
state each answer leaves it in (an acceptance is interim), and the answer written with its export
row and loaded back with the delivered envelope it replies to."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from connectors.court import answering, received
from connectors.court.received import AnswerRefusedError, ReceivedState
from connectors.court.store import (
    create_court_schema,
    exports,
    received_notice_answers,
    received_notices,
)
from hub.store.engine import build_engine
from schemas.catalogue import CATALOGUE
from schemas.dates import CHINA_TIME
from tests.e2e.harness import sqlite_url
from tests.hubkit import corpus_event

if TYPE_CHECKING:
    from pathlib import Path

AT = dt.datetime(2026, 12, 4, 10, 0, tzinfo=CHINA_TIME)
REPLY_BY = AT + dt.timedelta(days=75)


def sample(event_type: str, name: str = "valid-basic", **changes: Any) -> Any:
    data = corpus_event(event_type, name)["data"] | changes
    return CATALOGUE[event_type].validate_payload(data)


def referral() -> Any:
    return sample("notice.petition.referred.v1", direction="to_court")


def handled(name: str) -> Any:
    return sample("notice.petition.handled.v1", name, referral_no=referral().referral_no)


def row_of(notice: Any, *, reply_by: dt.datetime | None = REPLY_BY, **changes: Any) -> Any:
    event = corpus_event(notice.event_type)
    values = received.received_values(
        "notice-1",
        notice,
        sender="petition.411121",
        delivered=event,
        reply_by=reply_by,
        received_at=AT,
    )
    return values | changes


def test_the_court_keeps_the_risk_notices_and_referrals_and_owes_each_its_answer() -> None:
    for event_type in (
        "notice.major_case.issued.v1",
        "notice.financial_risk.issued.v1",
        "notice.housing_project.issued.v1",
    ):
        assert received.reply_type_for(event_type).event_type == "notice.risk.responded.v1"
    assert received.reply_type_for("notice.petition.referred.v1").event_type == (
        "notice.petition.handled.v1"
    )
    with pytest.raises(TypeError):
        received.reply_type_for("notice.prejudgment.issued.v1")  # the court only sends it
    with pytest.raises(TypeError):
        row_of(sample("notice.prejudgment.issued.v1"))


def test_a_received_notice_is_filed_under_its_number_open_when_an_answer_is_owed() -> None:
    housing = sample("notice.housing_project.issued.v1")
    row = row_of(housing)
    assert (row["type"], row["reference"], row["state"]) == (
        "notice.housing_project.issued.v1",
        housing.notice_no,
        "open",
    )
    assert row["delivered"]["id"] == corpus_event(housing.event_type)["id"]
    assert row_of(housing, reply_by=None)["state"] == "not_owed"  # a copy for information


def test_an_acceptance_is_interim_and_a_conclusion_or_refusal_closes_the_referral() -> None:
    assert received.check_answer(row_of(referral()), handled("valid-accepted")) is (
        ReceivedState.INTERIM
    )
    interim = row_of(referral(), state="interim")
    assert received.check_answer(interim, handled("valid-concluded")) is ReceivedState.ANSWERED
    assert received.check_answer(row_of(referral()), handled("valid-not-accepted")) is (
        ReceivedState.ANSWERED
    )
    with pytest.raises(AnswerRefusedError, match="already accepted"):
        received.check_answer(interim, handled("valid-accepted"))


def test_an_answer_of_the_wrong_type_number_or_after_the_final_one_is_refused() -> None:
    housing = sample("notice.housing_project.issued.v1")
    response = sample("notice.risk.responded.v1", notice_no=housing.notice_no)
    assert received.check_answer(row_of(housing), response) is ReceivedState.ANSWERED
    with pytest.raises(AnswerRefusedError, match="answered by"):
        received.check_answer(row_of(housing), handled("valid-concluded"))
    with pytest.raises(AnswerRefusedError, match="notice's number"):
        received.check_answer(row_of(housing), sample(response.event_type, notice_no="x"))
    with pytest.raises(AnswerRefusedError, match="no further answer"):
        received.check_answer(row_of(housing, state="answered"), response)
    with pytest.raises(AnswerRefusedError, match="no further answer"):
        received.check_answer(row_of(housing, reply_by=None), response)


async def test_an_answer_is_stored_with_its_export_and_loaded_with_the_delivered_copy(
    tmp_path: Path,
) -> None:
    engine = build_engine(sqlite_url(tmp_path / "court.db"))
    try:
        await create_court_schema(engine)
        async with engine.begin() as connection:
            await connection.execute(received_notices.insert().values(row_of(referral())))
        accepted = await answering.answer_received_notice(
            engine, "notice-1", handled("valid-accepted")
        )
        concluded = await answering.answer_received_notice(
            engine, "notice-1", handled("valid-concluded")
        )
        with pytest.raises(AnswerRefusedError):
            await answering.answer_received_notice(engine, "notice-1", handled("valid-concluded"))
        with pytest.raises(answering.UnknownNoticeError):
            await answering.answer_received_notice(engine, "nope", handled("valid-concluded"))
        async with engine.connect() as connection:
            queued = (await connection.execute(select(exports).order_by(exports.c.id))).mappings()
            rows = list(queued)
            notice = (await connection.execute(select(received_notices))).mappings().one()
            answers = (await connection.execute(select(received_notice_answers))).mappings().all()
            delivered, payload = await answering.load_reply(connection, rows[1]["ref_id"])
    finally:
        await engine.dispose()
    assert [(r["event_id"], r["status"], r["to_units"]) for r in rows] == [
        (accepted, "pending", "petition.411121"),
        (concluded, "pending", "petition.411121"),
    ]
    assert all(answering.is_reply(r["event_type"]) for r in rows)
    assert notice["state"] == "answered"
    assert notice["answered_at"] is not None
    assert [a["payload"]["outcome"] for a in answers] == ["accepted", "concluded"]
    assert delivered.id == corpus_event("notice.petition.referred.v1")["id"]
    assert payload == handled("valid-concluded")
    assert not answering.is_reply("notice.petition.referred.v1")
