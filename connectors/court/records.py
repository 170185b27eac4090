"""What the court files, as the column values of its business rows. Pure.

Each function takes the court's filing, written as the catalogue payload it will be published as
(so it is validated, check digits and legal limits included, before anything is stored), and
returns the values of the row that records it. Keys of rows it refers to (case, party) are added
by the caller, `connectors.court.filing`, inside the transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from schemas.common import Party, PartyKind, Subject
from schemas.identifiers import CaseNumber, IdType

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from schemas.admincase import AdmincaseFiled, AdmincaseHearingScheduled, AdmincaseJudged
    from schemas.bankruptcy import (
        BankruptcyAccepted,
        BankruptcyDeclared,
        BankruptcyReorganizationApproved,
        BankruptcyTerminated,
    )
    from schemas.control import EnforcementControlRequested
    from schemas.debtor import DebtorCorrected, DebtorDelisted, DebtorListed
    from schemas.documents import DocumentRef
    from schemas.enforcement import EnforcementQueryRequested
    from schemas.judicial import JudicialSuggestionIssued

    BankruptcyRuling = BankruptcyDeclared | BankruptcyReorganizationApproved | BankruptcyTerminated

Values = dict[str, Any]

_KIND_OF_ID: Final = {
    IdType.RESIDENT_ID: PartyKind.NATURAL,
    IdType.PASSPORT: PartyKind.NATURAL,
    IdType.USCC: PartyKind.LEGAL,
    IdType.ORG_CODE: PartyKind.LEGAL,
}
RULING_KINDS: Final = {
    "bankruptcy.declared.v1": "declared",
    "bankruptcy.reorganization.approved.v1": "reorganization_approved",
    "bankruptcy.terminated.v1": "terminated",
}
"""Catalogue type of a bankruptcy ruling → `bankruptcy_rulings.kind`."""


def case_values(
    case_no: str,
    court: str,
    *,
    cause: str | None = None,
    filed_on: dt.date | None = None,
    judge: str | None = None,
    judge_work_id: str | None = None,
) -> Values:
    """A `cases` row: the 案号 and its parsed parts, plus what this filing knows of the case."""
    parsed = CaseNumber.parse(case_no)
    return {
        "case_no": parsed.normalised,
        "year": parsed.year,
        "court_code": parsed.court_code,
        "type_code": parsed.special_trial + parsed.type_code,
        "number": parsed.number,
        "court": court,
        "cause": cause,
        "filed_on": filed_on,
        "judge": judge,
        "judge_work_id": judge_work_id,
    }


def party_values(role: str, party: Party | Subject) -> Values:
    """A `parties` row; a bare subject's kind follows from its kind of identifier."""
    if isinstance(party, Party):
        kind: PartyKind | None = party.kind
        legal_rep = party.legal_rep
    else:
        kind, legal_rep = _KIND_OF_ID.get(party.id_type), None
    return {
        "role": role,
        "kind": kind,
        "name": party.name,
        "id_type": party.id_type,
        "id_no": party.id_no,
        "legal_rep": legal_rep,
    }


def query_request_values(request: EnforcementQueryRequested, to: tuple[str, ...]) -> Values:
    return {
        "request_no": request.request_no,
        "kind": "query",
        "to_units": " ".join(to),
        "officer_name": request.officer.name,
        "officer_work_id": request.officer.work_id,
        "categories": [str(category) for category in request.categories],
        "reply_by": request.reply_by,
    }


def control_request_values(request: EnforcementControlRequested, to: str) -> Values:
    return {
        "request_no": request.request_no,
        "kind": "control",
        "to_units": to,
        "officer_name": request.officer.name,
        "officer_work_id": request.officer.work_id,
        "action": request.action,
        "asset_kind": request.asset.kind,
        "asset_description": request.asset.description,
        "asset_identifier": request.asset.identifier,
        "ruling_no": request.ruling_no,
        "previous_request_no": request.previous_request_no,
        "amount": request.amount,
        "start_on": request.start,
        "end_on": request.end,
        "reply_by": request.reply_by,
        "attachments": attachment_values(request.attachments),
    }


def listing_values(listing: DebtorListed) -> Values:
    return {
        "listing_id": listing.listing_id,
        "decision_no": listing.decision_no,
        "basis_issuer": listing.basis.issuer,
        "basis_doc_no": listing.basis.doc_no,
        "duty": listing.duty,
        "performance": listing.performance,
        "performed": listing.performed,
        "conduct": [str(ground) for ground in listing.conduct],
        "listed_on": listing.listed_on,
        "period_end": listing.period_end,
        "status": "listed",
    }


def correction_values(correction: DebtorCorrected) -> Values:
    return {
        "corrected_on": correction.corrected_on,
        "changes": correction.changes.model_dump(mode="json", exclude_none=True),
        "reason": correction.reason,
    }


def corrected_listing_values(correction: DebtorCorrected) -> Values:
    """The listing's columns the correction changes (its debtor is handled by the caller)."""
    changes = correction.changes
    updates: Values = {
        "duty": changes.duty,
        "performance": changes.performance,
        "performed": changes.performed,
        "conduct": None if changes.conduct is None else [str(c) for c in changes.conduct],
        "period_end": changes.period_end,
    }
    if changes.basis is not None:
        updates |= {"basis_issuer": changes.basis.issuer, "basis_doc_no": changes.basis.doc_no}
    return {column: value for column, value in updates.items() if value is not None}


def delisting_values(delisting: DebtorDelisted) -> Values:
    return {
        "status": "delisted",
        "delisted_on": delisting.delisted_on,
        "delisting_ground": delisting.ground,
        "delisting_reason": delisting.reason,
    }


def bankruptcy_values(acceptance: BankruptcyAccepted) -> Values:
    administrator = acceptance.administrator
    return {
        "debtor_name": acceptance.debtor.name,
        "debtor_uscc": acceptance.debtor.uscc,
        "procedure": acceptance.procedure,
        "accepted_on": acceptance.accepted_on,
        "announced_on": acceptance.announced_on,
        "administrator_name": administrator.name,
        "administrator_address": administrator.address,
        "administrator_phone": administrator.phone,
        "claims_deadline": acceptance.claims_deadline,
        "first_meeting_at": acceptance.first_meeting_at,
    }


def ruling_values(ruling: BankruptcyRuling) -> Values:
    return {
        "kind": RULING_KINDS[ruling.event_type],
        "ruled_on": ruling.date,
        "ruling_no": ruling.ruling_no,
        "ground": getattr(ruling, "ground", None),
    }


def admin_case_values(case: AdmincaseFiled) -> Values:
    return {
        "defendant_unit": case.defendant.unit,
        "defendant_name": case.defendant.name,
        "claims": case.claims,
        "attachments": attachment_values(case.attachments),
    }


def hearing_values(hearing: AdmincaseHearingScheduled) -> Values:
    return {
        "noticed_on": hearing.noticed_on,
        "hearing_at": hearing.hearing_at,
        "place": hearing.place,
        "head_required": hearing.head_required,
    }


def judgment_values(judgment: AdmincaseJudged) -> Values:
    return {
        "outcome": judgment.outcome,
        "judged_on": judgment.judged_on,
        "head_appeared": judgment.head_appeared,
        "document_no": judgment.document_no,
    }


def suggestion_values(suggestion: JudicialSuggestionIssued) -> Values:
    return {
        "suggestion_no": suggestion.suggestion_no,
        "court": suggestion.court,
        "recipient_unit": suggestion.recipient.unit,
        "recipient_name": suggestion.recipient.name,
        "title": suggestion.title,
        "problems": list(suggestion.problems),
        "suggestions": list(suggestion.suggestions),
        "issued_on": suggestion.issued_on,
        "reply_by": suggestion.reply_by,
        "attachments": attachment_values(suggestion.attachments),
    }


def attachment_values(attachments: Iterable[DocumentRef] | None) -> list[dict[str, Any]] | None:
    """The `attachments` column: the references as JSON, None when there are none."""
    if attachments is None:
        return None
    return [document.model_dump(mode="json") for document in attachments]
