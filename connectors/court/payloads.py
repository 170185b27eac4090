"""The events the court publishes, built from the rows of its database. Pure.

Each builder takes the rows an export refers to (as mappings of column to value) and returns the
catalogue payload. The models validate what they are given: a row the court's system wrote
inconsistently (a listing period beyond the legal limit, a bad check digit) raises
`pydantic.ValidationError` here, and the export is marked refused instead of published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from schemas.admincase import AdmincaseFiled, AdmincaseHearingScheduled, AdmincaseJudged
from schemas.bankruptcy import (
    BankruptcyAccepted,
    BankruptcyDeclared,
    BankruptcyReorganizationApproved,
    BankruptcyTerminated,
)
from schemas.control import EnforcementControlRequested
from schemas.debtor import DebtorCorrected, DebtorDelisted, DebtorListed
from schemas.enforcement import EnforcementQueryRequested
from schemas.judicial import JudicialSuggestionIssued

if TYPE_CHECKING:
    from schemas.common import Payload

Row = Mapping[str, Any]

_RULING_MODELS: Final[Mapping[str, type[Payload]]] = {
    "declared": BankruptcyDeclared,
    "reorganization_approved": BankruptcyReorganizationApproved,
    "terminated": BankruptcyTerminated,
}


def subject_of(party: Row) -> dict[str, Any]:
    return {"name": party["name"], "id_type": party["id_type"], "id_no": party["id_no"]}


def party_of(party: Row) -> dict[str, Any]:
    return subject_of(party) | {"kind": party["kind"], "legal_rep": party["legal_rep"]}


def _officer(request: Row) -> dict[str, Any]:
    return {"name": request["officer_name"], "work_id": request["officer_work_id"]}


def query_requested(case: Row, request: Row, subjects: Sequence[Row]) -> EnforcementQueryRequested:
    return EnforcementQueryRequested.model_validate(
        {
            "request_no": request["request_no"],
            "case_no": case["case_no"],
            "court": case["court"],
            "officer": _officer(request),
            "subjects": [subject_of(party) for party in subjects],
            "categories": request["categories"],
            "reply_by": request["reply_by"],
        }
    )


def control_requested(
    case: Row, request: Row, owner: Row, *, office_notice_no: str | None = None
) -> EnforcementControlRequested:
    return EnforcementControlRequested.model_validate(
        {
            "request_no": request["request_no"],
            "case_no": case["case_no"],
            "court": case["court"],
            "officer": _officer(request),
            "action": request["action"],
            "asset": {
                "kind": request["asset_kind"],
                "description": request["asset_description"],
                "identifier": request["asset_identifier"],
                "owner": subject_of(owner),
            },
            "ruling_no": request["ruling_no"],
            "previous_request_no": request["previous_request_no"],
            "amount": request["amount"],
            "start": request["start_on"],
            "end": request["end_on"],
            "reply_by": request["reply_by"],
            "attachments": request.get("attachments"),
            "office_notice_no": office_notice_no,
        }
    )


def debtor_listed(case: Row, listing: Row, debtor: Row) -> DebtorListed:
    return DebtorListed.model_validate(
        {
            "listing_id": listing["listing_id"],
            "case_no": case["case_no"],
            "court": case["court"],
            "case_filed_on": case["filed_on"],
            "decision_no": listing["decision_no"],
            "debtor": party_of(debtor),
            "basis": {"issuer": listing["basis_issuer"], "doc_no": listing["basis_doc_no"]},
            "duty": listing["duty"],
            "performance": listing["performance"],
            "performed": listing["performed"],
            "conduct": listing["conduct"],
            "listed_on": listing["listed_on"],
            "period_end": listing["period_end"],
        }
    )


def debtor_corrected(case: Row, listing: Row, correction: Row) -> DebtorCorrected:
    return DebtorCorrected.model_validate(
        {
            "listing_id": listing["listing_id"],
            "case_no": case["case_no"],
            "corrected_on": correction["corrected_on"],
            "changes": correction["changes"],
            "reason": correction["reason"],
        }
    )


def debtor_delisted(case: Row, listing: Row) -> DebtorDelisted:
    return DebtorDelisted.model_validate(
        {
            "listing_id": listing["listing_id"],
            "case_no": case["case_no"],
            "ground": listing["delisting_ground"],
            "delisted_on": listing["delisted_on"],
            "reason": listing["delisting_reason"],
        }
    )


def _enterprise(bankruptcy: Row) -> dict[str, Any]:
    return {"name": bankruptcy["debtor_name"], "uscc": bankruptcy["debtor_uscc"]}


def bankruptcy_accepted(case: Row, bankruptcy: Row) -> BankruptcyAccepted:
    return BankruptcyAccepted.model_validate(
        {
            "case_no": case["case_no"],
            "court": case["court"],
            "debtor": _enterprise(bankruptcy),
            "procedure": bankruptcy["procedure"],
            "accepted_on": bankruptcy["accepted_on"],
            "announced_on": bankruptcy["announced_on"],
            "administrator": {
                "name": bankruptcy["administrator_name"],
                "address": bankruptcy["administrator_address"],
                "phone": bankruptcy["administrator_phone"],
            },
            "claims_deadline": bankruptcy["claims_deadline"],
            "first_meeting_at": bankruptcy["first_meeting_at"],
        }
    )


def bankruptcy_ruled(case: Row, bankruptcy: Row, ruling: Row) -> Payload:
    """A declaration, an approved reorganisation plan or a termination, by `ruling.kind`."""
    data = {
        "case_no": case["case_no"],
        "court": case["court"],
        "debtor": _enterprise(bankruptcy),
        "date": ruling["ruled_on"],
        "ruling_no": ruling["ruling_no"],
    }
    if ruling["kind"] == "terminated":
        data["ground"] = ruling["ground"]
    return _RULING_MODELS[ruling["kind"]].model_validate(data)


def admincase_filed(case: Row, admin_case: Row, plaintiff: Row) -> AdmincaseFiled:
    return AdmincaseFiled.model_validate(
        {
            "case_no": case["case_no"],
            "court": case["court"],
            "plaintiff": party_of(plaintiff),
            "defendant": {
                "unit": admin_case["defendant_unit"],
                "name": admin_case["defendant_name"],
            },
            "cause": case["cause"],
            "claims": admin_case["claims"],
            "filed_on": case["filed_on"],
            "attachments": admin_case.get("attachments"),
        }
    )


def hearing_scheduled(case: Row, hearing: Row) -> AdmincaseHearingScheduled:
    return AdmincaseHearingScheduled.model_validate(
        {
            "case_no": case["case_no"],
            "court": case["court"],
            "noticed_on": hearing["noticed_on"],
            "hearing_at": hearing["hearing_at"],
            "place": hearing["place"],
            "head_required": hearing["head_required"],
        }
    )


def admincase_judged(case: Row, admin_case: Row) -> AdmincaseJudged:
    return AdmincaseJudged.model_validate(
        {
            "case_no": case["case_no"],
            "outcome": admin_case["outcome"],
            "judged_on": admin_case["judged_on"],
            "head_appeared": admin_case["head_appeared"],
            "document_no": admin_case["document_no"],
        }
    )


def suggestion_issued(suggestion: Row, case: Row | None) -> JudicialSuggestionIssued:
    return JudicialSuggestionIssued.model_validate(
        {
            "suggestion_no": suggestion["suggestion_no"],
            "court": suggestion["court"],
            "recipient": {
                "unit": suggestion["recipient_unit"],
                "name": suggestion["recipient_name"],
            },
            "case_no": None if case is None else case["case_no"],
            "title": suggestion["title"],
            "problems": suggestion["problems"],
            "suggestions": suggestion["suggestions"],
            "issued_on": suggestion["issued_on"],
            "reply_by": suggestion["reply_by"],
            "attachments": suggestion.get("attachments"),
        }
    )
