"""Legal rules of the payloads: each refusal names its rule; each limit is tested at its edge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.catalogue import CATALOGUE, field_paths, lookup, replies_to
from schemas.control import EnforcementControlRequested
from schemas.dates import add_months, add_years
from schemas.errors import ErrorCode, FieldError, Rejection, field_errors
from schemas.hubevents import HubRejected
from tests.fixtures.corpus.loader import sample_data

CONTROL = "enforcement.control.requested.v1"
LISTED = "debtor.listed.v1"
ACCEPTED = "bankruptcy.accepted.v1"


def _problems(event_type: str, data: dict[str, Any]) -> dict[str, str]:
    try:
        CATALOGUE[event_type].validate_payload(data)
    except ValidationError as error:
        return {f.path: f.message for f in field_errors(error)}
    return {}


def _with(event_type: str, sample: str = "basic", **changes: Any) -> dict[str, Any]:
    data = sample_data(event_type, sample)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not ...}


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 3, 15), 12, dt.date(2027, 3, 15)),
    ],
)
def test_months_end_on_the_corresponding_day_or_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_a_year_from_29_february_ends_on_28_february():
    assert add_years(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 28)


# --- enforcement control -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "kind", "years"),
    [
        ("deposit-freeze-1-year", "deposit", 1),
        ("seal-3-years", "movable", 2),
        ("seal-3-years", "vehicle", 2),
        ("seal-3-years", "real_estate", 3),
        ("equity-freeze", "equity", 3),
        ("equity-freeze", "securities", 3),
        ("equity-freeze", "other_right", 3),
    ],
)
def test_measure_terms_are_capped_by_asset_kind(sample: str, kind: str, years: int):
    data = _with(CONTROL, sample, start="2028-02-29")
    data["asset"] = {**data["asset"], "kind": kind}
    last_day = add_years(dt.date(2028, 2, 29), years)
    assert _problems(CONTROL, {**data, "end": last_day.isoformat()}) == {}
    problems = _problems(CONTROL, {**data, "end": (last_day + dt.timedelta(days=1)).isoformat()})
    assert problems["end"].startswith("民诉法解释 art. 485: ")
    assert f"at most {years} year" in problems["end"]


def test_end_before_start_is_refused():
    problems = _problems(CONTROL, _with(CONTROL, "seal-3-years", end="2026-03-02"))
    assert problems == {"end": "the term: must not be before start (2026-03-03)"}


@pytest.mark.parametrize(
    ("action", "kind", "fits"),
    [
        ("seal", "real_estate", True),
        ("seal", "deposit", False),
        ("freeze", "equity", True),
        ("freeze", "vehicle", False),
        ("deduct", "deposit", True),
        ("deduct", "equity", False),
        ("transfer_notice", "real_estate", True),
        ("transfer_notice", "deposit", False),
    ],
)
def test_actions_fit_asset_kinds(action: str, kind: str, fits: bool):
    data = _with(CONTROL, "deposit-freeze-1-year", action=action, start=..., end=...)
    data["asset"] = {**data["asset"], "kind": kind}
    if action in {"seal", "freeze"}:
        data.update(start="2026-03-03", end="2027-03-03")
    problems = _problems(CONTROL, data)
    assert ("asset" not in problems) is fits, problems


def test_a_measure_without_term_dates_is_refused_and_a_release_with_one_too():
    problems = _problems(CONTROL, _with(CONTROL, "seal-3-years", start=..., end=...))
    assert set(problems) == {"start", "end"}
    assert "a seal runs for a term" in problems["start"]
    release = _problems(CONTROL, _with(CONTROL, "release", end="2027-01-01"))
    assert release == {"end": "a release has no term; leave end out"}


def test_control_answer_reason_goes_with_not_controlled():
    answer = "enforcement.control.answered.v1"
    assert "reason" in _problems(answer, _with(answer, "not-controlled", reason=...))
    assert "reason" in _problems(answer, _with(answer, "controlled", reason="x"))


# --- dishonest debtors ---------------------------------------------------------------------------


def test_a_listing_lasts_two_years_to_the_day():
    assert _problems(LISTED, _with(LISTED, period_end="2028-03-15")) == {}
    problems = _problems(LISTED, _with(LISTED, period_end="2028-03-16"))
    assert problems["period_end"].startswith("法释〔2017〕7号 art. 2: a listing runs 2 years")


@pytest.mark.parametrize(
    ("conduct", "extendable"),
    [
        (["violates_property_reporting"], False),
        (["obstructs_enforcement"], True),
        (["evades_enforcement", "breaks_settlement"], True),
    ],
)
def test_extension_only_for_violent_obstruction_or_several_grounds(conduct, extendable):
    data = _with(LISTED, conduct=conduct, period_end="2031-03-15")
    assert (_problems(LISTED, data) == {}) is extendable
    too_long = _problems(LISTED, {**data, "period_end": "2031-03-16"})
    assert "period_end" in too_long


def test_ground_one_alone_may_run_until_performance_but_others_need_a_term():
    assert _problems(LISTED, _with(LISTED, "until-performance")) == {}
    problems = _problems(LISTED, _with(LISTED, period_end=...))
    assert "fixed period; give period_end (normally 2028-03-15)" in problems["period_end"]


def test_performance_and_amount_agree():
    partial = _with(LISTED, performance="partially_performed")
    assert "performed" in _problems(LISTED, partial)
    assert _problems(LISTED, {**partial, "performed": 100}) == {}
    assert "performed" in _problems(LISTED, _with(LISTED, performed=100))


@pytest.mark.parametrize(
    ("debtor_change", "path"),
    [
        ({"legal_rep": "王建国"}, "debtor.legal_rep"),
        ({"id_type": "uscc"}, "debtor.id_type"),
        ({"id_no": "411121198503152316"}, "debtor.id_no"),
        ({"kind": "legal"}, "debtor.id_type"),
    ],
)
def test_the_debtor_is_a_coherent_party(debtor_change: dict[str, Any], path: str):
    data = _with(LISTED)
    data["debtor"] = {**data["debtor"], **debtor_change}
    assert path in _problems(LISTED, data)


def test_a_correction_changes_something():
    corrected = "debtor.corrected.v1"
    assert "changes" in _problems(corrected, _with(corrected, changes={"duty": None}))


# --- bankruptcy ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("announced_on", "claims_deadline", "ok"),
    [
        ("2026-02-20", "2026-03-22", True),
        ("2026-02-20", "2026-03-21", False),
        ("2026-02-20", "2026-05-20", True),
        ("2026-02-20", "2026-05-21", False),
        (..., "2026-03-12", True),
        (..., "2026-03-11", False),
    ],
)
def test_claims_period_is_30_days_to_3_months_from_the_announcement(
    announced_on, claims_deadline, ok
):
    deadline = dt.date.fromisoformat(claims_deadline)
    meeting = dt.datetime.combine(deadline, dt.time(9), dt.timezone(dt.timedelta(hours=8)))
    data = _with(
        ACCEPTED,
        announced_on=announced_on,
        claims_deadline=claims_deadline,
        first_meeting_at=meeting.isoformat(),
    )
    problems = _problems(ACCEPTED, data)
    assert (problems == {}) is ok, problems
    if not ok:
        assert problems["claims_deadline"].startswith("企业破产法 art. 45")


@pytest.mark.parametrize(
    ("first_meeting_at", "ok"),
    [
        ("2026-05-05T16:00:00+08:00", True),
        ("2026-05-05T16:00:00Z", False),
        ("2026-05-06T09:00:00+08:00", False),
        ("2026-04-19T09:00:00+08:00", False),
    ],
)
def test_first_meeting_within_15_days_after_the_claims_deadline(first_meeting_at, ok):
    problems = _problems(ACCEPTED, _with(ACCEPTED, first_meeting_at=first_meeting_at))
    assert ("first_meeting_at" not in problems) is ok, problems


def test_announcement_within_25_days_of_acceptance():
    assert "announced_on" not in _problems(ACCEPTED, _with(ACCEPTED, announced_on="2026-03-07"))
    problems = _problems(ACCEPTED, _with(ACCEPTED, announced_on="2026-03-08"))
    assert problems["announced_on"].startswith("企业破产法 art. 14")


def test_bankruptcy_events_need_a_bankruptcy_case():
    problems = _problems(ACCEPTED, _with(ACCEPTED, case_no="（2026）豫1121执3号"))
    assert "the case type code must be 破, not 执" in problems["case_no"]


def test_claims_total_is_the_sum_of_items():
    claim = "bankruptcy.claim.declared.v1"
    assert _problems(claim, _with(claim, total=1)) == {
        "total": "total must equal the sum of items (2156400 fen)"
    }


# --- administrative cases, non-litigation enforcement, tasks -------------------------------------


@pytest.mark.parametrize(
    ("hearing_at", "ok"),
    [
        ("2026-05-09T08:00:00+08:00", True),
        ("2026-05-08T17:00:00Z", True),
        ("2026-05-08T23:59:59+08:00", False),
    ],
)
def test_hearing_at_least_3_days_after_the_notice(hearing_at: str, ok: bool):
    hearing = "admincase.hearing.scheduled.v1"
    problems = _problems(hearing, _with(hearing, hearing_at=hearing_at))
    assert (problems == {}) is ok
    if not ok:
        assert "art. 5: the notice is served at least 3 days before" in problems["hearing_at"]


def test_a_new_administrative_case_is_a_first_instance_case():
    filed = "admincase.filed.v1"
    problems = _problems(filed, _with(filed, case_no="（2026）豫1121执12号"))
    assert "行初" in problems["case_no"]


def test_an_absent_head_sends_staff_with_a_reason():
    appearance = "admincase.appearance.reported.v1"
    problems = _problems(appearance, _with(appearance, "head-absent", staff=[], reason=...))
    assert set(problems) == {"reason", "staff"}
    assert "not only a lawyer" in problems["staff"]
    appears = _with(appearance, "head-appears", reason="accident")
    assert "reason" in _problems(appearance, appears)


def test_nonlitigation_application_waits_10_days_after_the_reminder():
    applied = "nonlitigation.enforcement.applied.v1"
    assert _problems(applied, _with(applied, applied_on="2026-06-11")) == {}
    problems = _problems(applied, _with(applied, applied_on="2026-06-10"))
    assert problems["applied_on"].startswith("行政强制法 art. 54")


def test_a_refusal_names_its_ground():
    ruled = "nonlitigation.enforcement.ruled.v1"
    assert "refusal_ground" in _problems(ruled, _with(ruled, "refused", refusal_ground=...))


def test_a_task_reported_done_carries_evidence():
    reported = "linkage.task.reported.v1"
    assert "evidence" in _problems(reported, _with(reported, "done", evidence=[]))
    assert _problems(reported, _with(reported, "done", status="progress", evidence=[])) == {}


def test_overdue_by_is_positive():
    overdue = "hub.overdue.v1"
    assert _problems(overdue, _with(overdue, overdue_by="PT1S")) == {}
    assert _problems(overdue, _with(overdue, overdue_by="PT0S")) == {
        "overdue_by": "overdue_by must be positive"
    }


@pytest.mark.parametrize("amount", [-1, 1.5, "100", True])
def test_amounts_are_non_negative_integers_of_fen(amount: Any):
    applied = "nonlitigation.enforcement.applied.v1"
    assert "amount" in _problems(applied, _with(applied, amount=amount))


# --- the catalogue -------------------------------------------------------------------------------

DESIGN_TYPES = [
    "enforcement.query.requested",
    "enforcement.query.answered",
    "enforcement.control.requested",
    "enforcement.control.answered",
    "debtor.listed",
    "debtor.corrected",
    "debtor.delisted",
    "debtor.sanction.reported",
    "bankruptcy.accepted",
    "bankruptcy.declared",
    "bankruptcy.reorganization.approved",
    "bankruptcy.terminated",
    "bankruptcy.claim.declared",
    "bankruptcy.deregistration.reported",
    "admincase.filed",
    "admincase.defence.submitted",
    "admincase.hearing.scheduled",
    "admincase.appearance.reported",
    "admincase.judged",
    "judicial.suggestion.issued",
    "judicial.suggestion.replied",
    "nonlitigation.enforcement.applied",
    "nonlitigation.enforcement.ruled",
    "linkage.task.assigned",
    "linkage.task.reported",
    "unit.liaison.changed",
    "hub.receipt",
    "hub.rejected",
    "hub.overdue",
    # --- notices (通报) ---
    "notice.major_case.issued",
    "notice.financial_risk.issued",
    "notice.housing_project.issued",
    "notice.risk.responded",
    "notice.petition.referred",
    "notice.petition.handled",
    "notice.prejudgment.issued",
    "notice.prejudgment.acknowledged",
    "notice.public_debtor.notified",
    "notice.public_debtor.measure.reported",
    # --- key enterprises (涉企审慎执行) ---
    "linkage.key_enterprise.listed",
    "linkage.key_enterprise.delisted",
    "enforcement.key_enterprise.notified",
    "enforcement.key_enterprise.advised",
    # --- measure-expiry watch ---
    "enforcement.control.expiring",
    # --- bankruptcy follow-up ---
    "bankruptcy.measures.release_requested",
    "bankruptcy.measures.released",
    "bankruptcy.credit_repair.requested",
    "bankruptcy.credit_repair.reported",
    "bankruptcy.zombie_list.shared",
    # --- police linkage (公安协作) ---
    "police.locate.requested",
    "police.locate.answered",
    "police.exit_control.requested",
    "police.exit_control.answered",
    "police.refusal.referred",
    "police.refusal.handled",
]


def test_the_catalogue_holds_every_type_of_the_design_and_nothing_else():
    assert set(CATALOGUE) == {f"{name}.v1" for name in DESIGN_TYPES}
    for name, entry in CATALOGUE.items():
        assert entry.payload.event_type == name
        assert entry.family == name.split(".")[0]
        assert lookup(name) is entry
    assert lookup("debtor.listed.v2") is None


@pytest.mark.parametrize(
    ("request_type", "replies"),
    [
        ("enforcement.query.requested.v1", ("enforcement.query.answered.v1",)),
        ("debtor.delisted.v1", ("debtor.sanction.reported.v1",)),
        ("bankruptcy.terminated.v1", ("bankruptcy.deregistration.reported.v1",)),
        ("admincase.hearing.scheduled.v1", ("admincase.appearance.reported.v1",)),
        ("admincase.judged.v1", ()),
    ],
)
def test_replies_to(request_type: str, replies: tuple[str, ...]):
    assert replies_to(request_type) == replies


def test_answers_name_catalogue_types_and_deadline_fields_exist():
    for entry in CATALOGUE.values():
        assert set(entry.answers) <= set(CATALOGUE)
        if entry.deadline_field:
            assert entry.deadline_field in entry.payload.model_fields
        assert entry.default_purpose is None or entry.default_purpose in entry.purposes
        assert not entry.personal_data or entry.default_purpose is not None
    assert CATALOGUE["hub.receipt.v1"].needs_correlation
    assert not CATALOGUE["hub.receipt.v1"].is_reply


def test_field_paths_list_nested_objects_and_their_leaves():
    paths = field_paths(EnforcementControlRequested)
    assert {"asset", "asset.kind", "asset.owner", "asset.owner.id_no", "officer.work_id"} <= paths
    listed = field_paths(CATALOGUE["enforcement.query.requested.v1"].payload)
    assert {"subjects", "subjects.id_no", "categories"} <= listed
    assert not any("[" in path for path in listed)


def test_hub_rejected_payload_from_a_rejection():
    rejection = Rejection(
        ErrorCode.SCHEMA_INVALID,
        "1 invalid field(s)",
        (FieldError("data.end", "too long"),),
        event_id="0b3b7c1e-6f0a-4a53-9d2f-1b6f3c2d9e10",
        type="enforcement.control.requested.v1",
    )
    payload = HubRejected.from_rejection(rejection)
    assert payload.model_dump(mode="json") == {
        "code": "schema_invalid",
        "detail": "1 invalid field(s)",
        "fields": [{"path": "data.end", "message": "too long"}],
        "rejected_id": "0b3b7c1e-6f0a-4a53-9d2f-1b6f3c2d9e10",
        "rejected_type": "enforcement.control.requested.v1",
    }


# --- measure-expiry watch ---


def test_the_expiry_reminder_is_the_hubs_and_carries_no_personal_data() -> None:
    entry = CATALOGUE["enforcement.control.expiring.v1"]
    assert entry.hub_published
    assert not entry.personal_data
    assert not entry.is_reply
    assert entry.family == "enforcement"
