"""The v1 event catalogue (docs/design.md §5): every type, its payload model, what it answers, and
whether it carries personal data (and so needs a `purpose`)."""

from __future__ import annotations

import json
import types
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Final, Union, get_args, get_origin

from pydantic import BaseModel

from schemas import (
    admincase,
    bankruptcy,
    control,
    debtor,
    enforcement,
    hubevents,
    judicial,
    linkage,
    notice,  # --- notices (通报) ---
    police,  # --- police linkage (公安协作) ---
)
from schemas import bankruptcy_followup as bkf  # --- bankruptcy follow-up ---
from schemas import key_enterprise as keyent  # --- key enterprises (涉企审慎执行) ---
from schemas import nonlitigation as nonlit
from schemas.common import Payload, Purpose

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

_ALL_PURPOSES: Final = frozenset(Purpose)


@dataclass(frozen=True, slots=True)
class EventType:
    """One catalogue type.

    `answers`: the request types this type replies to (empty for non-replies).
    `personal_data`: the payload may carry names or ID numbers, so the envelope must state a
    `purpose`, one of `purposes`. `deadline_field`: the payload field that, when present, sets
    the reply deadline instead of the routing table's default.
    """

    name: str
    family: str
    payload: type[Payload]
    answers: tuple[str, ...] = ()
    personal_data: bool = False
    default_purpose: Purpose | None = None
    purposes: frozenset[Purpose] = _ALL_PURPOSES
    deadline_field: str | None = None
    is_receipt: bool = False
    hub_published: bool = False
    """Originated by the hub (source `fy:hub`), never by a unit."""
    interim: tuple[str, str] | None = None
    """(payload field, value): a reply whose field has that value reports progress only; the
    request stays open until a reply without it (a task reported `done`)."""

    @property
    def is_reply(self) -> bool:
        return bool(self.answers)

    @property
    def needs_correlation(self) -> bool:
        """Replies and receipts must name the event they answer in `correlationid`."""
        return self.is_reply or self.is_receipt

    def is_interim(self, data: object) -> bool:
        """Whether a reply with this `data` leaves the request it answers open."""
        if self.interim is None or not isinstance(data, dict):
            return False
        field, value = self.interim
        return data.get(field) == value

    def validate_payload(
        self, data: Mapping[str, Any], *, context: Mapping[str, Any] | None = None
    ) -> Payload:
        """The typed payload, validated as JSON in strict mode (no "1" for 1, no 1 for true);
        `context` is pydantic's (`schemas.identifiers.validation_context`); raises
        pydantic.ValidationError."""
        return self.validate_payload_json(json.dumps(data, ensure_ascii=False), context=context)

    def validate_payload_json(
        self, text: str | bytes, *, context: Mapping[str, Any] | None = None
    ) -> Payload:
        """`validate_payload` of `data` already written as JSON `text`."""
        return self.payload.model_validate_json(text, strict=True, context=context)


def _entry(
    payload: type[Payload],
    *,
    purpose: Purpose | None,
    answers: tuple[type[Payload], ...] = (),
    personal: bool = False,
    deadline_field: str | None = None,
    also: frozenset[Purpose] = frozenset(),
    interim: tuple[str, str] | None = None,
) -> EventType:
    name = payload.event_type
    # Personal data may travel only for the stated legal bases (PIPL arts 6, 34); other
    # payloads may cite any purpose.
    purposes = frozenset({purpose} | also) if personal and purpose else _ALL_PURPOSES
    return EventType(
        name=name,
        family=name.split(".", 1)[0],
        payload=payload,
        answers=tuple(request.event_type for request in answers),
        personal_data=personal,
        default_purpose=purpose,
        purposes=purposes,
        deadline_field=deadline_field,
        is_receipt=payload is hubevents.HubReceipt,
        hub_published=name in HUB_PUBLISHED,
        interim=interim,
    )


HUB_PUBLISHED: Final = frozenset(
    {
        hubevents.HubRejected.event_type,
        hubevents.HubOverdue.event_type,
        # --- measure-expiry watch ---
        hubevents.EnforcementControlExpiring.event_type,
    }
)
"""Types only the hub publishes (into inboxes); units never write them to their outbox."""

_ENF, _CREDIT, _BANKRUPTCY = Purpose.ENFORCEMENT, Purpose.CREDIT_SANCTION, Purpose.BANKRUPTCY
_ADMIN, _LINKAGE = Purpose.ADMIN_LITIGATION, Purpose.LINKAGE_SUPERVISION
_LISTING_EVENTS: Final = (debtor.DebtorListed, debtor.DebtorCorrected, debtor.DebtorDelisted)

_ENTRIES: Final = (
    _entry(
        enforcement.EnforcementQueryRequested,
        purpose=_ENF,
        personal=True,
        deadline_field="reply_by",
    ),
    _entry(
        enforcement.EnforcementQueryAnswered,
        purpose=_ENF,
        personal=True,
        answers=(enforcement.EnforcementQueryRequested,),
    ),
    _entry(
        control.EnforcementControlRequested,
        purpose=_ENF,
        personal=True,
        deadline_field="reply_by",
    ),
    _entry(
        control.EnforcementControlAnswered,
        purpose=_ENF,
        personal=True,
        answers=(control.EnforcementControlRequested,),
    ),
    _entry(debtor.DebtorListed, purpose=_CREDIT, personal=True, also=frozenset({_ENF})),
    _entry(debtor.DebtorCorrected, purpose=_CREDIT, personal=True, also=frozenset({_ENF})),
    _entry(debtor.DebtorDelisted, purpose=_CREDIT),
    _entry(debtor.DebtorSanctionReported, purpose=_CREDIT, answers=_LISTING_EVENTS),
    _entry(bankruptcy.BankruptcyAccepted, purpose=_BANKRUPTCY, deadline_field="claims_deadline"),
    _entry(bankruptcy.BankruptcyDeclared, purpose=_BANKRUPTCY),
    _entry(bankruptcy.BankruptcyReorganizationApproved, purpose=_BANKRUPTCY),
    _entry(bankruptcy.BankruptcyTerminated, purpose=_BANKRUPTCY),
    _entry(
        bankruptcy.BankruptcyClaimDeclared,
        purpose=_BANKRUPTCY,
        answers=(bankruptcy.BankruptcyAccepted,),
    ),
    _entry(
        bankruptcy.BankruptcyDeregistrationReported,
        purpose=_BANKRUPTCY,
        answers=(bankruptcy.BankruptcyTerminated,),
    ),
    _entry(admincase.AdmincaseFiled, purpose=_ADMIN, personal=True),
    _entry(
        admincase.AdmincaseDefenceSubmitted, purpose=_ADMIN, answers=(admincase.AdmincaseFiled,)
    ),
    _entry(admincase.AdmincaseHearingScheduled, purpose=_ADMIN, deadline_field="hearing_at"),
    _entry(
        admincase.AdmincaseAppearanceReported,
        purpose=_ADMIN,
        personal=True,
        answers=(admincase.AdmincaseHearingScheduled,),
    ),
    _entry(admincase.AdmincaseJudged, purpose=_ADMIN),
    _entry(judicial.JudicialSuggestionIssued, purpose=_ADMIN, deadline_field="reply_by"),
    _entry(
        judicial.JudicialSuggestionReplied,
        purpose=_ADMIN,
        answers=(judicial.JudicialSuggestionIssued,),
    ),
    _entry(nonlit.NonlitigationEnforcementApplied, purpose=_ADMIN, personal=True),
    _entry(
        nonlit.NonlitigationEnforcementRuled,
        purpose=_ADMIN,
        answers=(nonlit.NonlitigationEnforcementApplied,),
    ),
    _entry(linkage.LinkageTaskAssigned, purpose=_LINKAGE, personal=True, deadline_field="due"),
    _entry(
        linkage.LinkageTaskReported,
        purpose=_LINKAGE,
        answers=(linkage.LinkageTaskAssigned,),
        interim=("status", linkage.TaskStatus.PROGRESS.value),
    ),
    _entry(linkage.UnitLiaisonChanged, purpose=_LINKAGE, personal=True),
    _entry(hubevents.HubReceipt, purpose=None),
    _entry(hubevents.HubRejected, purpose=None),
    _entry(hubevents.HubOverdue, purpose=None),
    # --- notices (通报) ---
    _entry(notice.NoticeMajorCaseIssued, purpose=_LINKAGE, deadline_field="respond_by"),
    _entry(notice.NoticeFinancialRiskIssued, purpose=_LINKAGE, deadline_field="respond_by"),
    _entry(notice.NoticeHousingProjectIssued, purpose=_LINKAGE, deadline_field="respond_by"),
    _entry(
        notice.NoticeRiskResponded,
        purpose=_LINKAGE,
        answers=(
            notice.NoticeMajorCaseIssued,
            notice.NoticeFinancialRiskIssued,
            notice.NoticeHousingProjectIssued,
        ),
    ),
    # A petitioner's name and ID travel for the mechanism's own 诉访分离 handling; no purpose of
    # the existing five is closer (a `petition` purpose would be the coordinator's call).
    _entry(notice.NoticePetitionReferred, purpose=_LINKAGE, personal=True),
    _entry(
        notice.NoticePetitionHandled,
        purpose=_LINKAGE,
        answers=(notice.NoticePetitionReferred,),
        interim=("outcome", notice.PetitionOutcome.ACCEPTED.value),
    ),
    _entry(notice.NoticePrejudgmentIssued, purpose=_ADMIN, deadline_field="judgment_expected_on"),
    _entry(
        notice.NoticePrejudgmentAcknowledged,
        purpose=_ADMIN,
        answers=(notice.NoticePrejudgmentIssued,),
    ),
    _entry(notice.NoticePublicDebtorNotified, purpose=_CREDIT, personal=True),
    _entry(
        notice.NoticePublicDebtorMeasureReported,
        purpose=_CREDIT,
        answers=(notice.NoticePublicDebtorNotified,),
    ),
    # --- key enterprises (涉企审慎执行) ---
    _entry(keyent.LinkageKeyEnterpriseListed, purpose=_LINKAGE),
    _entry(keyent.LinkageKeyEnterpriseDelisted, purpose=_LINKAGE),
    _entry(keyent.EnforcementKeyEnterpriseNotified, purpose=_ENF, deadline_field="planned_on"),
    _entry(
        keyent.EnforcementKeyEnterpriseAdvised,
        purpose=_ENF,
        answers=(keyent.EnforcementKeyEnterpriseNotified,),
    ),
    # --- measure-expiry watch (措施到期提醒) ---
    _entry(hubevents.EnforcementControlExpiring, purpose=_ENF),
    # --- bankruptcy follow-up (art 19 release, credit repair, zombie list) ---
    _entry(bkf.BankruptcyMeasuresReleaseRequested, purpose=_BANKRUPTCY, deadline_field="reply_by"),
    _entry(
        bkf.BankruptcyMeasuresReleased,
        purpose=_BANKRUPTCY,
        answers=(bkf.BankruptcyMeasuresReleaseRequested,),
    ),
    _entry(bkf.BankruptcyCreditRepairRequested, purpose=_BANKRUPTCY, deadline_field="reply_by"),
    _entry(
        bkf.BankruptcyCreditRepairReported,
        purpose=_BANKRUPTCY,
        answers=(bkf.BankruptcyCreditRepairRequested,),
    ),
    _entry(bkf.BankruptcyZombieListShared, purpose=_BANKRUPTCY),
    # --- police linkage (公安协作) ---
    _entry(police.PoliceLocateRequested, purpose=_ENF, personal=True, deadline_field="end"),
    _entry(
        police.PoliceLocateAnswered,
        purpose=_ENF,
        answers=(police.PoliceLocateRequested,),
        interim=("outcome", police.LocateOutcome.SIGHTED.value),
    ),
    _entry(police.PoliceExitControlRequested, purpose=_ENF, personal=True),
    _entry(
        police.PoliceExitControlAnswered,
        purpose=_ENF,
        answers=(police.PoliceExitControlRequested,),
    ),
    _entry(police.PoliceRefusalReferred, purpose=_ENF, personal=True),
    _entry(police.PoliceRefusalHandled, purpose=_ENF, answers=(police.PoliceRefusalReferred,)),
)

CATALOGUE: Final[Mapping[str, EventType]] = MappingProxyType(
    {entry.name: entry for entry in _ENTRIES}
)
"""Every v1 event type by name."""


def lookup(name: str) -> EventType | None:
    return CATALOGUE.get(name)


def replies_to(request_type: str) -> tuple[str, ...]:
    """The catalogue types that answer `request_type` (not counting the receipt)."""
    return tuple(entry.name for entry in _ENTRIES if request_type in entry.answers)


def field_paths(model: type[BaseModel]) -> frozenset[str]:
    """Dotted paths of every field of `model`, nested objects and their leaves alike; lists of
    objects contribute their item fields (`subjects`, `subjects.id_no`)."""
    return frozenset(_paths(model, ""))


def _paths(model: type[BaseModel], prefix: str) -> Iterator[str]:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        yield path
        for nested in _models_in(info.annotation):
            yield from _paths(nested, f"{path}.")


def _models_in(annotation: object) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    if get_origin(annotation) in {Annotated, Union, types.UnionType, tuple, list}:
        for argument in get_args(annotation):
            yield from _models_in(argument)
