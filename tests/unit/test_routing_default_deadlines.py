"""Every default deadline of the shipped routing table (deploy/routing.yaml), each with the rule it
comes from, and what it gives on the shipped calendar.

Periods in days count calendar days, starting the day after routing; one that ends on a rest day
or holiday ends on the next working day (民法典 arts 201–203). Periods in working days skip rest
days and holidays. A period ends at 23:59:59 China time. Where no statute sets the limit (banks and
registries answer 查控 "及时", 法释〔2013〕20号 art 4), the default is the mechanism's own service
level from docs/design.md §5.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from hub.routing.deadlines import CHINA_TZ, due_times
from hub.routing.loader import load_contracts_from
from hub.routing.table import Deadline
from tests.calendars import shipped_calendar
from tests.hubkit import ROUTING_TABLE, TEST_REGISTRY

TABLE = load_contracts_from(TEST_REGISTRY, ROUTING_TABLE).routing
CALENDAR = shipped_calendar()


def deadline_of(event_type: str) -> Deadline:
    reply = TABLE.types[event_type].reply
    assert reply is not None, event_type
    return reply.deadline


def reply_by(event_type: str, routed: date, dept: str, *, named: bool = False) -> datetime | None:
    at = datetime(routed.year, routed.month, routed.day, 10, tzinfo=CHINA_TZ)
    route = TABLE.types[event_type]
    return due_times(route, at, {}, dept, calendar=CALENDAR, named=named).reply_by


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=CHINA_TZ)


def test_the_shipped_table_is_the_real_one() -> None:
    assert ROUTING_TABLE.parts[-2:] == ("deploy", "routing.yaml")


# --- 执行查控 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event_type", ["enforcement.query.requested.v1", "enforcement.control.requested.v1"]
)
def test_enforcement_query_and_control_3_working_days_unless_the_request_says(
    event_type: str,
) -> None:
    # 法释〔2013〕20号 art 4 (网络查询、冻结被执行人存款的规定): the assisting unit answers "及时";
    # the mechanism's default is 3 working days (DESIGN §5); a `reply_by` in the request wins.
    deadline = deadline_of(event_type)
    assert (deadline.working_days, deadline.payload_field) == (3, "reply_by")
    # Thu 2026-09-24 → Fri 9-25 is 中秋, weekend, Mon 9-28 (1), Tue (2), Wed 9-30 (3).
    assert reply_by(event_type, date(2026, 9, 24), "nr", named=True) == end_of(date(2026, 9, 30))


# --- 失信被执行人名单 -------------------------------------------------------------------------


def test_listing_joint_punishment_feedback_15_working_days() -> None:
    # 发改财金〔2016〕141号 joint-punishment memorandum (触发反馈机制): no statutory limit was found
    # (domain reference §2.1, not verified); the mechanism's default is 15 working days.
    assert deadline_of("debtor.listed.v1").working_days == 15
    assert deadline_of("debtor.listed.v1").payload_field is None


@pytest.mark.parametrize("event_type", ["debtor.corrected.v1", "debtor.delisted.v1"])
def test_correction_and_delisting_lift_measures_within_5_working_days(event_type: str) -> None:
    # 法释〔2017〕7号 art 10 (delisting) and art 3 of the 2013 rule (correction): the units act on
    # the court's decision; the mechanism's default is 5 working days.
    assert deadline_of(event_type).working_days == 5


# --- 破产 ------------------------------------------------------------------------------------


def test_tax_claims_by_the_claims_deadline_the_court_set() -> None:
    # 企业破产法 arts 14, 45: the court fixes the claims period (30 days to 3 months); the
    # payload's `claims_deadline` is the deadline, nothing is counted.
    deadline = deadline_of("bankruptcy.accepted.v1")
    assert (deadline.payload_field, deadline.working_days, deadline.calendar_days) == (
        "claims_deadline",
        None,
        None,
    )


def test_deregistration_within_ten_calendar_days_of_termination() -> None:
    # 企业破产法 art 121: 十日内 — ten days, not ten working days.
    deadline = deadline_of("bankruptcy.terminated.v1")
    assert (deadline.calendar_days, deadline.working_days) == (10, None)
    # Terminated Mon 2026-09-21: the tenth day is Thu 10-01, inside 国庆 (10-01…10-07), so the
    # period ends on the next working day, Thu 10-08.
    assert reply_by("bankruptcy.terminated.v1", date(2026, 9, 21), "samr") == end_of(
        date(2026, 10, 8)
    )
    # Terminated Mon 2026-11-02: the tenth day is Thu 11-12, a working day.
    assert reply_by("bankruptcy.terminated.v1", date(2026, 11, 2), "samr") == end_of(
        date(2026, 11, 12)
    )


# --- 行政案件 --------------------------------------------------------------------------------


def test_defence_within_15_days_of_receiving_the_complaint() -> None:
    # 行政诉讼法 art 67: the defendant submits its evidence and defence within 15 days.
    assert deadline_of("admincase.filed.v1").calendar_days == 15
    # Filed Sat 2026-09-19: the 15th day is Sun 10-04, in 国庆, so Thu 10-08.
    assert reply_by("admincase.filed.v1", date(2026, 9, 19), "nr", named=True) == end_of(
        date(2026, 10, 8)
    )


def test_appearance_before_the_hearing() -> None:
    # 最高人民法院关于行政机关负责人出庭应诉若干问题的规定 (2020) arts 6, 8–9: reported before
    # hearing_at.
    assert deadline_of("admincase.hearing.scheduled.v1").payload_field == "hearing_at"


def test_judicial_suggestion_two_months_unless_the_suggestion_says() -> None:
    # 法释〔2023〕11号 arts 3–11: the recipient answers in writing, generally within 2 months; the
    # suggestion's own `reply_by` (反馈时限) wins.
    deadline = deadline_of("judicial.suggestion.issued.v1")
    assert (deadline.months, deadline.payload_field) == (2, "reply_by")
    # Issued Mon 2026-08-03 → 10-03, in 国庆 → Thu 10-08.
    assert reply_by("judicial.suggestion.issued.v1", date(2026, 8, 3), "nr", named=True) == end_of(
        date(2026, 10, 8)
    )


def test_non_litigation_enforcement_ruling_within_7_days() -> None:
    # 行政强制法 art 57; 行诉解释 art 160: the court rules within 7 days of accepting.
    assert deadline_of("nonlitigation.enforcement.applied.v1").calendar_days == 7
    # Applied Thu 2026-09-24: the 7th day is Thu 10-01 → Thu 10-08.
    assert reply_by("nonlitigation.enforcement.applied.v1", date(2026, 9, 24), "court") == end_of(
        date(2026, 10, 8)
    )


def test_a_linkage_task_is_due_when_the_office_says() -> None:
    # 舞政文〔2022〕56号 二(二): each task of the 双清单 has its 完成时限; the payload's `due`.
    assert deadline_of("linkage.task.assigned.v1").payload_field == "due"


# --- receipts --------------------------------------------------------------------------------


def test_every_delivered_event_is_receipted_within_1_working_day_except_hub_notices() -> None:
    # DESIGN §5: every delivered event needs a receipt (签收), default 1 working day; the hub's
    # own receipts, refusals and overdue notices are not receipted.
    unreceipted = {name for name, route in TABLE.types.items() if route.receipt_days is None}
    assert unreceipted == {
        "hub.receipt.v1",
        "hub.rejected.v1",
        "hub.overdue.v1",
        # --- measure-expiry watch ---
        "enforcement.control.expiring.v1",
    }
    assert {route.receipt_days for route in TABLE.types.values()} == {1, None}


def test_every_reply_deadline_of_the_table_is_pinned_above() -> None:
    pinned = {
        "enforcement.query.requested.v1",
        "enforcement.control.requested.v1",
        "debtor.listed.v1",
        "debtor.corrected.v1",
        "debtor.delisted.v1",
        "bankruptcy.accepted.v1",
        "bankruptcy.terminated.v1",
        "admincase.filed.v1",
        "admincase.hearing.scheduled.v1",
        "judicial.suggestion.issued.v1",
        "nonlitigation.enforcement.applied.v1",
        "linkage.task.assigned.v1",
        # --- notices (通报) ---
        "notice.major_case.issued.v1",
        "notice.financial_risk.issued.v1",
        "notice.housing_project.issued.v1",
        "notice.petition.referred.v1",
        "notice.prejudgment.issued.v1",
        "notice.public_debtor.notified.v1",
        # --- key enterprises (涉企审慎执行) ---
        "enforcement.key_enterprise.notified.v1",
        # --- bankruptcy follow-up ---
        "bankruptcy.measures.release_requested.v1",
        "bankruptcy.credit_repair.requested.v1",
        # --- police linkage (公安协作) ---
        "police.locate.requested.v1",
        "police.exit_control.requested.v1",
        "police.refusal.referred.v1",
    }
    assert {name for name, route in TABLE.types.items() if route.reply is not None} == pinned


# --- notices (通报) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event_type",
    [
        "notice.major_case.issued.v1",
        "notice.financial_risk.issued.v1",
        "notice.housing_project.issued.v1",
    ],
)
def test_risk_notices_answered_in_5_working_days_unless_the_issuer_says(event_type: str) -> None:
    # 舞政文〔2022〕56号 二(一)5 and 长春 二(三)4 fix no period: the mechanism's service level is 5
    # working days; the issuer's `respond_by` wins.
    deadline = deadline_of(event_type)
    assert (deadline.working_days, deadline.payload_field) == (5, "respond_by")
    assert TABLE.types[event_type].reply.owed_by == ["named"]  # type: ignore[union-attr]
    # Thu 2026-12-24 → Fri 12-25 (1), Mon 12-28 … Thu 12-31 (5), before 元旦.
    assert reply_by(event_type, date(2026, 12, 24), "housing", named=True) == end_of(
        date(2026, 12, 31)
    )


def test_petition_referral_concluded_within_15_plus_60_days() -> None:
    # 信访工作条例 art 24: accept or refuse within 15 days; art 32: conclude within 60 days of
    # acceptance. Counted from the referral, the final answer is due on day 75.
    deadline = deadline_of("notice.petition.referred.v1")
    assert (deadline.calendar_days, deadline.working_days, deadline.payload_field) == (
        75,
        None,
        None,
    )
    # Referred Mon 2026-11-02: day 75 is Sat 2027-01-16, so Mon 01-18 (民法典 art 203).
    assert reply_by("notice.petition.referred.v1", date(2026, 11, 2), "petition", named=True) == (
        end_of(date(2027, 1, 18))
    )


def test_prejudgment_notice_acknowledged_in_5_working_days_or_before_the_judgment() -> None:
    # 长春 二(一)4 "要在判决前通报行政机关": no period; 5 working days, and the day the court
    # intends to pronounce wins (a position after the judgment is of no use).
    deadline = deadline_of("notice.prejudgment.issued.v1")
    assert (deadline.working_days, deadline.payload_field) == (5, "judgment_expected_on")
    # Tue 2026-09-29 → Wed 9-30 (1), 国庆, Thu 10-08 (2), Fri (3), Sat 10-10 调休 (4),
    # Mon 10-12 (5).
    assert reply_by("notice.prejudgment.issued.v1", date(2026, 9, 29), "nr", named=True) == end_of(
        date(2026, 10, 12)
    )


def test_public_debtor_employer_reports_its_measure_in_15_working_days() -> None:
    # 法释〔2017〕7号 art 8 requires the notice, not a period; like the joint-punishment feedback
    # (发改财金〔2016〕141号) the mechanism's default is 15 working days.
    deadline = deadline_of("notice.public_debtor.notified.v1")
    assert (deadline.working_days, deadline.payload_field) == (15, None)
    # Mon 2026-12-14: 12-15 … 12-31 (13), 元旦 2027-01-01, Mon 01-04 (14), Tue 01-05 (15).
    assert reply_by("notice.public_debtor.notified.v1", date(2026, 12, 14), "samr", named=True) == (
        end_of(date(2027, 1, 5))
    )


# --- key enterprises (涉企审慎执行) -----------------------------------------------------------


def test_key_enterprise_notice_advised_in_2_working_days_or_by_the_planned_day() -> None:
    # 舞政文〔2022〕56号 二(一)2 asks for care, not a period: a prior notice, not a veto, so 2
    # working days, and the day the court plans to send the control request wins.
    deadline = deadline_of("enforcement.key_enterprise.notified.v1")
    assert (deadline.working_days, deadline.payload_field) == (2, "planned_on")
    assert TABLE.types["enforcement.key_enterprise.notified.v1"].reply.owed_by is None  # type: ignore[union-attr]
    # Wed 2026-12-30 → Thu 12-31 (1), 元旦 Fri 2027-01-01, Mon 01-04 (2).
    assert reply_by("enforcement.key_enterprise.notified.v1", date(2026, 12, 30), "justice") == (
        end_of(date(2027, 1, 4))
    )


# --- measure-expiry watch (措施到期提醒) ---


def test_a_measure_expiry_reminder_owes_neither_receipt_nor_reply() -> None:
    # 民诉法解释 art 485 sets the measure's term, not an answer to the reminder: the court acts
    # by continuing the measure (a new control request), which has its own deadline.
    route = TABLE.types["enforcement.control.expiring.v1"]
    assert (route.receipt_days, route.reply) == (None, None)


# --- bankruptcy follow-up (破产后续联动) ------------------------------------------------------


def test_measures_released_in_3_working_days_unless_the_court_says() -> None:
    # 企业破产法 art 19 and 破产法规定（二） art 7: the holding unit releases 及时, no period; the
    # mechanism's service level of 3 working days (as for a control request); `reply_by` wins.
    deadline = deadline_of("bankruptcy.measures.release_requested.v1")
    assert (deadline.working_days, deadline.payload_field) == (3, "reply_by")
    # Wed 2026-12-30 → Thu 12-31 (1), 元旦 Fri 2027-01-01, Mon 01-04 (2), Tue 01-05 (3).
    when = reply_by(
        "bankruptcy.measures.release_requested.v1", date(2026, 12, 30), "nr", named=True
    )
    assert when == end_of(date(2027, 1, 5))


def test_wage_and_social_insurance_claims_by_the_claims_deadline_like_tax() -> None:
    # 企业破产法 arts 14, 45, 48, 113: hrss and medins declare within the claims period the court
    # set; the units that only follow the case (police, petition, samr …) owe no claim.
    route = TABLE.types["bankruptcy.accepted.v1"]
    assert route.reply is not None
    assert route.reply.owed_by == ["tax", "hrss", "medins"]
    routed = datetime(2026, 12, 4, 10, tzinfo=CHINA_TZ)
    payload = {"claims_deadline": "2027-01-20"}
    for dept in ("tax", "hrss", "medins"):
        due = due_times(route, routed, payload, dept, calendar=CALENDAR).reply_by
        assert due == end_of(date(2027, 1, 20)), dept
    for dept in ("police", "petition", "samr", "nr"):
        assert due_times(route, routed, payload, dept, calendar=CALENDAR).reply_by is None, dept


def test_credit_repair_reported_in_15_working_days_unless_the_court_says() -> None:
    # 企业破产法 art 86, 发改财金规〔2021〕274号: no period for the repair itself; the mechanism's
    # default of 15 working days; the court's `reply_by` wins. Every recipient owes its report.
    deadline = deadline_of("bankruptcy.credit_repair.requested.v1")
    assert (deadline.working_days, deadline.payload_field) == (15, "reply_by")
    assert TABLE.types["bankruptcy.credit_repair.requested.v1"].reply.owed_by is None  # type: ignore[union-attr]
    # Mon 2026-12-21: 12-22 … 12-31 (8), 元旦, Mon 2027-01-04 … Fri 01-08 (13), Mon 01-11 (14),
    # Tue 01-12 (15).
    for dept in ("pboc", "tax", "samr"):
        due = reply_by("bankruptcy.credit_repair.requested.v1", date(2026, 12, 21), dept)
        assert due == end_of(date(2027, 1, 12)), dept


def test_zombie_list_is_receipted_and_owes_no_answer() -> None:
    # 长春新区 2020 二(二)2: the list is exchanged for information; a receipt in 1 working day,
    # no reply.
    route = TABLE.types["bankruptcy.zombie_list.shared.v1"]
    assert (route.reply, route.receipt_days) == (None, 1)


# --- police linkage (公安协作) -------------------------------------------------------------------


def test_locate_answer_due_on_the_last_day_of_the_watch() -> None:
    # No rule sets a watch's length: the court fixes `end`, and the final answer (located, seized,
    # not found) is due that day; sightings are interim and leave the request open.
    deadline = deadline_of("police.locate.requested.v1")
    assert (deadline.working_days, deadline.calendar_days, deadline.payload_field) == (
        None,
        None,
        "end",
    )
    at = datetime(2026, 12, 1, 10, tzinfo=CHINA_TZ)
    route = TABLE.types["police.locate.requested.v1"]
    due = due_times(route, at, {"end": "2027-02-28"}, "police", calendar=CALENDAR, named=True)
    assert due.reply_by == end_of(date(2027, 2, 28))


def test_exit_control_entered_in_3_working_days() -> None:
    # 民诉法 art 266, 出境入境管理法 art 12 (3) fix no period for entering the restriction; the
    # mechanism's 查控 service level is 3 working days.
    deadline = deadline_of("police.exit_control.requested.v1")
    assert (deadline.working_days, deadline.payload_field) == (3, None)
    # Wed 2026-12-30 → Thu 12-31 (1), 元旦 Fri 2027-01-01, weekend, Mon 01-04 (2), Tue 01-05 (3).
    assert reply_by(
        "police.exit_control.requested.v1", date(2026, 12, 30), "police", named=True
    ) == (end_of(date(2027, 1, 5)))


def test_refusal_referral_decided_within_7_days() -> None:
    # 公安部《关于改革完善受案立案制度的意见》 (2015): filing review 3 days, 7 where the lead is
    # verified (a court's referral with its evidence), 30 for complex cases with approval.
    deadline = deadline_of("police.refusal.referred.v1")
    assert (deadline.calendar_days, deadline.working_days, deadline.payload_field) == (
        7,
        None,
        None,
    )
    # Referred Fri 2026-12-04: day 7 is Fri 12-11.
    assert reply_by("police.refusal.referred.v1", date(2026, 12, 4), "police", named=True) == (
        end_of(date(2026, 12, 11))
    )
    # Referred Fri 2026-12-25: day 7 is Fri 2027-01-01 (元旦), so Mon 01-04 (刑诉法 art 105).
    assert reply_by("police.refusal.referred.v1", date(2026, 12, 25), "police", named=True) == (
        end_of(date(2027, 1, 4))
    )
