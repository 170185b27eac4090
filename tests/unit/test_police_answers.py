"""What the police answers: a trace in the watch finds (in the county) or is reported (elsewhere),
the registers' silence is said at once, exit restrictions are entered or refused with the reason,
a referral is filed or its gaps named, and an inquiry lists the subjects' vehicles. Every answer is
a valid catalogue payload."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from connectors.police.answers import (
    Control,
    Person,
    Trace,
    VehicleRecord,
    exit_answer,
    locate_answer,
    police_case_no,
    refusal_answer,
    vehicle_query_result,
    watch_answer,
)
from connectors.police.watch import watch_reply_id
from schemas.catalogue import CATALOGUE
from schemas.dates import CHINA_TIME
from schemas.enforcement import QueryCategory
from schemas.police import ExitOutcome, LocateOutcome, RefusalOutcome
from tests.fixtures.corpus.loader import sample_data

TODAY = dt.date(2026, 12, 4)


def _sample(event_type: str, sample: str = "basic", **changes: Any) -> Any:
    data = sample_data(event_type, sample) | changes
    return CATALOGUE[event_type].validate_payload(data)


def _round_trip(reply: Any) -> Any:
    data = reply.model_dump(mode="json", exclude_none=True)
    return CATALOGUE[reply.event_type].validate_payload(data)


def _at(day: dt.date, hour: int = 21) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), CHINA_TIME)


def _person(request: Any, trace: Trace | None) -> Person:
    return Person(request.person.id_no, request.person.name, "河南省舞阳县舞泉镇", trace)


def _vehicle(request: Any, trace: Trace | None, owner: str | None = None) -> VehicleRecord:
    wanted = request.vehicle
    return VehicleRecord(
        wanted.plate_no,
        wanted.vin,
        owner or wanted.owner.id_no,
        wanted.owner.name,
        "大众朗逸",
        "sealed",
        trace,
    )


@pytest.mark.parametrize(
    ("place", "outcome"),
    [("舞阳县汽车站", LocateOutcome.LOCATED), ("郑州东站", LocateOutcome.SIGHTED)],
)
def test_a_trace_in_the_watch_finds_in_the_county_and_is_a_sighting_elsewhere(
    place: str, outcome: LocateOutcome
) -> None:
    request = _sample("police.locate.requested.v1")  # watch 2026-12-01 … 2027-02-28
    seen = _at(dt.date(2026, 12, 2))
    reply = locate_answer(request, _person(request, Trace(place, seen)), None, TODAY)
    assert reply is not None
    assert (reply.request_no, reply.outcome, reply.place, reply.seen_at) == (
        request.request_no,
        outcome,
        place,
        seen,
    )
    assert _round_trip(reply) == reply
    assert CATALOGUE[reply.event_type].is_interim(reply.model_dump(mode="json")) is (
        outcome is LocateOutcome.SIGHTED
    )


@pytest.mark.parametrize("seen", [dt.date(2026, 11, 30), None])
def test_no_trace_in_the_watch_gives_no_answer_yet(seen: dt.date | None) -> None:
    request = _sample("police.locate.requested.v1")
    trace = Trace("舞阳县汽车站", _at(seen)) if seen else None
    assert locate_answer(request, _person(request, trace), None, TODAY) is None


def test_a_person_unknown_to_the_register_is_not_found_at_once() -> None:
    request = _sample("police.locate.requested.v1")
    reply = locate_answer(request, None, None, TODAY)
    assert reply is not None
    assert reply.outcome is LocateOutcome.NOT_FOUND
    assert "户籍系统" in (reply.remarks or "")
    assert _round_trip(reply) == reply


def test_a_vehicle_seen_in_the_county_is_seized_when_the_court_asked() -> None:
    request = _sample("police.locate.requested.v1", "vehicle")  # seize: true
    trace = Trace("舞阳县人民路与解放路交叉口卡口", _at(dt.date(2026, 12, 3), 8))
    reply = locate_answer(request, None, _vehicle(request, trace), TODAY)
    assert reply is not None
    assert reply.outcome is LocateOutcome.SEIZED
    kept = _sample("police.locate.requested.v1", "vehicle", seize=False)
    assert locate_answer(kept, None, _vehicle(kept, trace), TODAY).outcome is (  # type: ignore[union-attr]
        LocateOutcome.LOCATED
    )


def test_a_vehicle_of_another_owner_is_not_watched() -> None:
    request = _sample("police.locate.requested.v1", "vehicle")
    reply = locate_answer(request, None, _vehicle(request, None, owner="411121199001010000"), TODAY)
    assert reply is not None
    assert reply.outcome is LocateOutcome.NOT_FOUND
    assert "车主" in (reply.remarks or "")


def test_an_exit_restriction_is_entered_from_the_day_answered() -> None:
    request = _sample("police.exit_control.requested.v1")
    person = Person(request.person.id_no, request.person.name, "河南省舞阳县舞泉镇")
    reply = exit_answer(request, person, None, TODAY)
    assert (reply.outcome, reply.effective_on, reply.reason) == (ExitOutcome.ENTERED, TODAY, None)
    assert _round_trip(reply) == reply


def test_an_exit_restriction_on_an_unknown_id_or_past_its_end_is_refused() -> None:
    request = _sample("police.exit_control.requested.v1")
    unknown = exit_answer(request, None, None, TODAY)
    assert unknown.outcome is ExitOutcome.REFUSED
    assert "户籍系统" in (unknown.reason or "")
    person = Person(request.person.id_no, request.person.name, "河南省舞阳县舞泉镇")
    late = exit_answer(request, person, None, dt.date(2027, 12, 2))
    assert late.outcome is ExitOutcome.REFUSED
    assert "2027-12-01" in (late.reason or "")
    assert _round_trip(late) == late


def test_a_lift_ends_the_active_restriction_it_names_and_only_that() -> None:
    lift = _sample(
        "police.exit_control.requested.v1",
        action="lift",
        previous_request_no="XC4111212026120200001",
    )
    active = Control("XC4111212026120200001", lift.person.id_no, "active")
    assert exit_answer(lift, None, active, TODAY).outcome is ExitOutcome.LIFTED
    for control in (None, Control(active.request_no, active.id_no, "lifted")):
        refused = exit_answer(lift, None, control, TODAY)
        assert refused.outcome is ExitOutcome.REFUSED
        assert "XC4111212026120200001" in (refused.reason or "")


def test_a_referral_with_its_evidence_is_filed_under_the_years_next_number() -> None:
    referral = _sample("police.refusal.referred.v1")  # three items of evidence
    reply = refusal_answer(referral, 12, TODAY)
    assert (reply.outcome, reply.police_case_no) == (
        RefusalOutcome.FILED,
        "舞公（刑）立字〔2026〕12号",
    )
    assert police_case_no(2027, 1) == "舞公（刑）立字〔2027〕1号"
    assert _round_trip(reply) == reply


def test_a_referral_with_the_judgment_alone_is_not_filed_and_says_what_is_missing() -> None:
    referral = _sample(
        "police.refusal.referred.v1", evidence=[{"title": "民事判决书及生效证明", "pages": 6}]
    )
    reply = refusal_answer(referral, 12, TODAY)
    assert (reply.outcome, reply.police_case_no) == (RefusalOutcome.NOT_FILED, None)
    assert "自诉" in (reply.reason or "")
    assert _round_trip(reply) == reply


def test_an_inquiry_lists_the_subjects_vehicles_with_their_seals() -> None:
    request = _sample("police.locate.requested.v1", "vehicle")
    owner = request.vehicle.owner
    sealed = _vehicle(request, None)
    result = vehicle_query_result(owner, [sealed])
    assert (result.found, [r.identifier for r in result.records]) == (True, [sealed.plate_no])
    (record,) = result.records
    assert (record.category, record.encumbrances) == (QueryCategory.VEHICLE, "已登记查封")
    assert sealed.vin in record.description
    none = vehicle_query_result(owner, [])
    assert (none.found, none.records) == (False, ())


def test_a_running_watch_reports_only_newer_traces_and_not_found_on_its_last_day() -> None:
    request = _sample("police.locate.requested.v1")  # watch 2026-12-01 … 2027-02-28
    first = Trace("郑州东站", _at(dt.date(2026, 12, 2)))
    person = _person(request, first)
    assert watch_answer(request, person, None, TODAY, reported_until=first.at) is None
    again = watch_answer(request, person, None, TODAY, reported_until=first.at - dt.timedelta(1))
    assert again is not None
    assert again.outcome is LocateOutcome.SIGHTED
    last_day = dt.date(2027, 2, 28)
    ended = watch_answer(request, _person(request, None), None, last_day)
    assert ended is not None
    assert (ended.outcome, ended.answered_on) == (LocateOutcome.NOT_FOUND, last_day)
    assert "2026-12-01至2027-02-28" in (ended.remarks or "")
    assert watch_answer(request, _person(request, None), None, last_day - dt.timedelta(1)) is None
    assert _round_trip(ended) == ended


def test_a_sweeps_reply_id_follows_the_request_the_outcome_and_the_trace() -> None:
    request = _sample("police.locate.requested.v1")
    seen = Trace("郑州东站", _at(dt.date(2026, 12, 2)))
    sighting = locate_answer(request, _person(request, seen), None, TODAY)
    later = Trace("郑州东站", _at(dt.date(2026, 12, 3)))
    next_sighting = locate_answer(request, _person(request, later), None, TODAY)
    assert sighting is not None
    assert next_sighting is not None
    ids = {
        watch_reply_id("police.411121", "e-1", sighting),
        watch_reply_id("police.411121", "e-1", next_sighting),
        watch_reply_id("police.411121", "e-2", sighting),
    }
    assert len(ids) == 3
    assert watch_reply_id("police.411121", "e-1", sighting) in ids
