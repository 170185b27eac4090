"""What every department connector answers alike: the defendant agency's answers, its
joint-punishment reports, and when a reply goes out (at once, delayed, or late on purpose)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from connectors.department.agency import (
    appearance_report,
    defence,
    suggestion_reply,
    task_report,
)
from connectors.department.desk import reply_time
from connectors.department.punishment import (
    Debtor,
    Sanction,
    applied_flags,
    delisting_result,
    identity_changed,
    lifted,
    report,
)
from connectors.tax.app import TAX_OFFICIALS
from schemas.admincase import DocumentKind
from schemas.catalogue import CATALOGUE
from schemas.debtor import DebtorDelisted, SanctionAction
from schemas.linkage import TaskStatus
from tests.hubkit import corpus_event

TODAY = dt.date(2026, 5, 8)
NOW = dt.datetime(2026, 5, 8, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DEBTOR = Debtor("natural", "王建军", "resident_id", "411121198503152315")


def sample(event_type: str, **changes: Any) -> Any:
    data = corpus_event(event_type)["data"] | changes
    return CATALOGUE[event_type].validate_payload(data)


def wire_round_trip(payload: Any) -> Any:
    data = payload.model_dump(mode="json", exclude_none=True)
    return CATALOGUE[payload.event_type].validate_payload(data)


@pytest.mark.parametrize(("required", "principal"), [(True, True), (False, False)])
def test_the_principal_head_appears_when_required_else_the_deputy(
    required: bool, principal: bool
) -> None:
    hearing = sample("admincase.hearing.scheduled.v1", head_required=required)
    reply = appearance_report(hearing, TAX_OFFICIALS)
    expected = TAX_OFFICIALS.principal if required else TAX_OFFICIALS.deputy
    assert reply.head is not None
    assert (reply.head.name, reply.head.principal) == (expected.name, principal)
    assert reply.head_appears
    assert reply.staff == TAX_OFFICIALS.staff  # never a lawyer alone
    assert (reply.case_no, reply.hearing_at) == (hearing.case_no, hearing.hearing_at)
    assert wire_round_trip(reply) == reply


def test_the_defence_comes_with_evidence_and_normative_documents() -> None:
    filed = sample("admincase.filed.v1")
    reply = defence(filed, TODAY, TAX_OFFICIALS)
    kinds = [document.kind for document in reply.documents]
    assert kinds[0] is DocumentKind.DEFENCE
    assert {DocumentKind.EVIDENCE, DocumentKind.NORMATIVE_DOCUMENT} <= set(kinds)
    assert (reply.case_no, reply.submitted_on) == (filed.case_no, TODAY)
    assert wire_round_trip(reply) == reply


def test_a_judicial_suggestion_gets_one_measure_per_suggestion() -> None:
    suggestion = sample("judicial.suggestion.issued.v1")
    reply = suggestion_reply(suggestion, TODAY, TAX_OFFICIALS)
    assert len(reply.measures) == len(suggestion.suggestions)
    for advice, measure in zip(suggestion.suggestions, reply.measures, strict=True):
        assert advice in measure
    assert reply.suggestion_no == suggestion.suggestion_no
    assert wire_round_trip(reply) == reply


def test_a_task_is_acknowledged_as_under_way() -> None:
    task = sample("linkage.task.assigned.v1")
    reply = task_report(task, TODAY)
    assert (reply.task_id, reply.status, reply.evidence) == (task.task_id, TaskStatus.PROGRESS, ())
    assert wire_round_trip(reply) == reply


SANCTIONS = (Sanction(11, "限制享受税收优惠", "已设置标记"), Sanction(12, "重点监管", "已纳入"))


def test_applied_measures_are_reported_applied_with_their_time_and_result() -> None:
    flags = applied_flags("SX1", "（2026）豫1121执356号", DEBTOR, SANCTIONS, NOW, None)
    reported = report("SX1", "（2026）豫1121执356号", flags)
    assert [(m.memo_article, m.action, m.applied_at, m.result) for m in reported.measures] == [
        (11, SanctionAction.APPLIED, NOW, "已设置标记"),
        (12, SanctionAction.APPLIED, NOW, "已纳入"),
    ]
    assert wire_round_trip(reported) == reported


def test_lifted_measures_are_reported_lifted_when_they_were_lifted() -> None:
    later = NOW + dt.timedelta(days=30)
    flags = applied_flags("SX1", "（2026）豫1121执356号", DEBTOR, SANCTIONS, NOW, None)
    gone = lifted(flags, later, "已解除")
    reported = report("SX1", "（2026）豫1121执356号", gone)
    assert {(m.action, m.applied_at, m.result) for m in reported.measures} == {
        (SanctionAction.LIFTED, later, "已解除")
    }


def test_the_lifting_result_names_the_ground_and_the_day() -> None:
    delisting = sample("debtor.delisted.v1")
    assert isinstance(delisting, DebtorDelisted)
    result = delisting_result(delisting)
    assert delisting.delisted_on.isoformat() in result
    assert "解除" in result


def test_a_correction_changes_the_identity_only_when_the_number_or_name_differs() -> None:
    flags = applied_flags("SX1", "（2026）豫1121执356号", DEBTOR, SANCTIONS, NOW, None)
    same = Debtor("natural", "王建军", "resident_id", "411121198503152315")
    other = Debtor("natural", "王建军", "resident_id", "411121199007080425")
    assert not identity_changed(flags, same)
    assert identity_changed(flags, other)


DEADLINE = NOW + dt.timedelta(hours=2)
NO_DELAY = dt.timedelta(0)
LATE_BY = dt.timedelta(seconds=30)


def test_replies_go_at_once_by_default() -> None:
    for n in range(1, 5):
        assert reply_time(n, NOW, DEADLINE, late_every=0, late_by=LATE_BY, delay=NO_DELAY) is None


def test_every_nth_reply_goes_past_its_deadline() -> None:
    times = [
        reply_time(n, NOW, DEADLINE, late_every=3, late_by=LATE_BY, delay=NO_DELAY)
        for n in range(1, 7)
    ]
    assert times == [None, None, DEADLINE + LATE_BY, None, None, DEADLINE + LATE_BY]


def test_a_late_reply_whose_deadline_has_passed_goes_late_by_from_now() -> None:
    passed = NOW - dt.timedelta(minutes=5)
    assert (
        reply_time(1, NOW, passed, late_every=1, late_by=LATE_BY, delay=NO_DELAY) == NOW + LATE_BY
    )


def test_a_reply_without_deadline_is_never_late_only_delayed() -> None:
    delay = dt.timedelta(seconds=4)
    assert reply_time(2, NOW, None, late_every=2, late_by=LATE_BY, delay=delay) == NOW + delay
    assert reply_time(1, NOW, DEADLINE, late_every=2, late_by=LATE_BY, delay=delay) == NOW + delay
