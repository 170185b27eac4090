"""What the units' answers and the hub's notices become in the court database. Pure.

`answer_rows` turns an answer payload into the rows of its family table(s); `ledger_row` is the
row of the `answers` ledger that makes the write-back idempotent; `notice_row` records a receipt,
rejection or overdue notice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connectors.court import bankruptcy_followup as followup  # --- bankruptcy follow-up ---
from connectors.court import notices as court_notices  # --- notices (通报) ---
from connectors.court import police as court_police  # --- police linkage (公安协作) ---
from connectors.court.store import (
    admin_defences,
    appearance_reports,
    asset_findings,
    bankruptcy_claims,
    deregistrations,
    enforcement_answers,
    no_measure_reports,
    sanction_measures,
    suggestion_replies,
)
from schemas.admincase import AdmincaseAppearanceReported, AdmincaseDefenceSubmitted
from schemas.bankruptcy import BankruptcyClaimDeclared, BankruptcyDeregistrationReported
from schemas.control import EnforcementControlAnswered
from schemas.debtor import DebtorSanctionReported, Measure
from schemas.enforcement import EnforcementQueryAnswered, QueryResult
from schemas.hubevents import EnforcementControlExpiring, HubOverdue, HubReceipt, HubRejected
from schemas.judicial import JudicialSuggestionReplied

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy import Table

    from schemas.common import Payload

Values = dict[str, Any]
Rows = list[tuple["Table", Values]]

ANSWER_TYPES = (
    EnforcementQueryAnswered,
    EnforcementControlAnswered,
    DebtorSanctionReported,
    BankruptcyClaimDeclared,
    BankruptcyDeregistrationReported,
    AdmincaseDefenceSubmitted,
    AdmincaseAppearanceReported,
    JudicialSuggestionReplied,
    # --- notices (通报) ---
    *court_notices.ANSWER_TYPES,
    # --- bankruptcy follow-up ---
    *followup.ANSWER_TYPES,
    # --- police linkage (公安协作) ---
    *court_police.ANSWER_TYPES,
)
"""The answers the court connector writes back."""


def ledger_row(
    answer_event_id: str,
    event_type: str,
    *,
    sender: str | None,
    correlationid: str | None,
    subject: str,
    received_at: dt.datetime,
) -> Values:
    return {
        "answer_event_id": answer_event_id,
        "type": event_type,
        "sender": sender,
        "correlationid": correlationid,
        "subject": subject,
        "received_at": received_at,
    }


def answer_rows(answer_event_id: str, payload: Payload) -> Rows:  # noqa: C901, PLR0911 - one per type
    """The family rows recording `payload`, each keyed by the answer's event id."""
    key = {"answer_event_id": answer_event_id}
    match payload:
        case EnforcementQueryAnswered():
            head = _enforcement_answer(payload.request_no, "query", payload)
            findings = [row for result in payload.results for row in _findings(result)]
            return [(enforcement_answers, key | head)] + [
                (asset_findings, key | row) for row in findings
            ]
        case EnforcementControlAnswered():
            return [(enforcement_answers, key | _control_answer(payload))]
        case DebtorSanctionReported():
            listing = key | {"listing_id": payload.listing_id}
            if payload.no_measure is not None:
                why = payload.no_measure
                return [
                    (no_measure_reports, listing | {"reason": why.reason, "detail": why.detail})
                ]
            return [(sanction_measures, listing | _measure(m)) for m in payload.measures or ()]
        case BankruptcyClaimDeclared():
            return [(bankruptcy_claims, key | _claim(payload))]
        case BankruptcyDeregistrationReported():
            return [(deregistrations, key | _deregistration(payload))]
        case AdmincaseDefenceSubmitted():
            return [(admin_defences, key | _defence(payload))]
        case AdmincaseAppearanceReported():
            return [(appearance_reports, key | _appearance(payload))]
        case JudicialSuggestionReplied():
            return [(suggestion_replies, key | _suggestion_reply(payload))]
        # --- notices (通报) ---
        case _ if isinstance(payload, court_notices.ANSWER_TYPES):
            return [court_notices.answer_values(answer_event_id, payload)]
        # --- bankruptcy follow-up ---
        case _ if isinstance(payload, followup.ANSWER_TYPES):
            return followup.answer_rows(answer_event_id, payload)
        # --- police linkage (公安协作) ---
        case _ if isinstance(payload, court_police.ANSWER_TYPES):
            return [court_police.answer_values(answer_event_id, payload)]
    raise TypeError(f"the court connector does not write back {payload.event_type}")


def _enforcement_answer(
    request_no: str,
    kind: str,
    payload: EnforcementQueryAnswered | EnforcementControlAnswered,
) -> Values:
    return {"request_no": request_no, "kind": kind, "answered_on": payload.answered_on}


def _control_answer(payload: EnforcementControlAnswered) -> Values:
    return _enforcement_answer(payload.request_no, "control", payload) | {
        "result": payload.result,
        "reason": payload.reason,
        "registration_no": payload.registration_no,
        "amount": payload.amount,
        "start_on": payload.start,
        "end_on": payload.end,
        "note": payload.note,
    }


def _findings(result: QueryResult) -> list[Values]:
    """One row per asset found; one row saying nothing was found otherwise."""
    subject = {
        "subject_name": result.subject.name,
        "subject_id_type": result.subject.id_type,
        "subject_id_no": result.subject.id_no,
        "found": result.found,
    }
    if not result.records:
        return [subject]
    return [
        subject
        | {
            "category": record.category,
            "description": record.description,
            "identifier": record.identifier,
            "value": record.value,
            "encumbrances": record.encumbrances,
        }
        for record in result.records
    ]


def _measure(measure: Measure) -> Values:
    return {
        "memo_article": measure.memo_article,
        "measure": measure.measure,
        "action": measure.action,
        "applied_at": measure.applied_at,
        "result": measure.result,
    }


def _claim(payload: BankruptcyClaimDeclared) -> Values:
    return {
        "case_no": payload.case_no,
        "creditor": payload.creditor,
        "computed_to": payload.computed_to,
        "declared_on": payload.declared_on,
        "items": [item.model_dump(mode="json") for item in payload.items],
        "total": payload.total,
    }


def _deregistration(payload: BankruptcyDeregistrationReported) -> Values:
    return {
        "case_no": payload.case_no,
        "debtor_uscc": payload.debtor.uscc,
        "authority": payload.authority,
        "terminated_on": payload.terminated_on,
        "deregistered_on": payload.deregistered_on,
    }


def _defence(payload: AdmincaseDefenceSubmitted) -> Values:
    return {
        "case_no": payload.case_no,
        "submitted_on": payload.submitted_on,
        "documents": [document.model_dump(mode="json") for document in payload.documents],
    }


def _appearance(payload: AdmincaseAppearanceReported) -> Values:
    head = payload.head
    return {
        "case_no": payload.case_no,
        "hearing_at": payload.hearing_at,
        "head_appears": payload.head_appears,
        "head_name": None if head is None else head.name,
        "head_post": None if head is None else head.post,
        "head_principal": None if head is None else head.principal,
        "reason": payload.reason,
        "reason_detail": payload.reason_detail,
        "staff": [official.model_dump(mode="json") for official in payload.staff],
    }


def _suggestion_reply(payload: JudicialSuggestionReplied) -> Values:
    return {
        "suggestion_no": payload.suggestion_no,
        "replied_on": payload.replied_on,
        "measures": list(payload.measures),
        "summary": payload.summary,
    }


def notice_row(
    notice_event_id: str,
    payload: HubReceipt | HubRejected | HubOverdue,
    *,
    correlationid: str | None,
    sender: str | None,
    received_at: dt.datetime,
) -> Values:
    """A `hub_notices` row: a unit's receipt of a court event, or the hub's rejection or
    overdue notice."""
    row: Values = {"notice_event_id": notice_event_id, "received_at": received_at}
    match payload:
        case HubReceipt():
            return row | {"kind": "receipt", "about_event_id": correlationid, "unit": sender}
        case HubRejected():
            return row | {
                "kind": "rejected",
                "about_event_id": payload.rejected_id,
                "code": payload.code,
                "detail": payload.detail,
            }
        case HubOverdue():
            return row | {
                "kind": "overdue",
                "about_event_id": payload.event_id,
                "unit": payload.recipient,
                "stage": payload.stage,
                "due": payload.due,
            }


# --- measure-expiry watch ---


def reminder_row(
    notice_event_id: str, payload: EnforcementControlExpiring, *, received_at: dt.datetime
) -> Values:
    """A `measure_reminders` row: the hub's reminder that a seal or freeze lapses soon."""
    return {
        "notice_event_id": notice_event_id,
        "request_event_id": payload.event_id,
        "request_no": payload.request_no,
        "case_no": payload.case_no,
        "unit": payload.unit,
        "action": payload.action.value,
        "asset_kind": payload.asset_kind.value,
        "ends_on": payload.end,
        "days_left": payload.days_left,
        "received_at": received_at,
    }
