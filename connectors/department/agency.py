"""What a county agency answers as a possible defendant (行政诉讼被告) and as a recipient of the
court's judicial suggestions and of the joint-meeting office's tasks. Pure: payloads in, payloads
out. Shared by every department connector.

Rules followed: the head (负责人) appears when the court requires it, otherwise the deputy in
charge does — counties aim at a 100 % appearance rate (domain reference §4, 2020 rule art. 2:
a deputy in charge counts as head), always with the legal-affairs staff (行政诉讼法 art. 3: never
a lawyer alone); the defence goes in with the evidence and the normative documents the decision
rests on (art. 67); a judicial suggestion gets one measure per suggestion (法释〔2023〕11号).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from schemas.admincase import (
    AdmincaseAppearanceReported,
    AdmincaseDefenceSubmitted,
    AdmincaseFiled,
    AdmincaseHearingScheduled,
    Document,
    DocumentKind,
    Head,
)
from schemas.judicial import JudicialSuggestionIssued, JudicialSuggestionReplied
from schemas.linkage import LinkageTaskAssigned, LinkageTaskReported, TaskStatus

if TYPE_CHECKING:
    import datetime as dt

    from schemas.common import Official


@dataclass(frozen=True, slots=True)
class AgencyOfficials:
    """Who acts for the agency in court: its principal head, the deputy in charge of legal
    affairs, and the legal-affairs staff who appear with them."""

    name: str
    """The agency's name, e.g. 国家税务总局舞阳县税务局."""
    principal: Official
    deputy: Official
    staff: tuple[Official, ...]


def appearance_report(
    hearing: AdmincaseHearingScheduled, officials: AgencyOfficials
) -> AdmincaseAppearanceReported:
    """Who appears at the hearing: the principal head when required, else the deputy."""
    appearing = officials.principal if hearing.head_required else officials.deputy
    return AdmincaseAppearanceReported(
        case_no=hearing.case_no,
        hearing_at=hearing.hearing_at,
        head_appears=True,
        head=Head(name=appearing.name, post=appearing.post, principal=hearing.head_required),
        staff=officials.staff,
    )


def defence(
    filed: AdmincaseFiled, today: dt.date, officials: AgencyOfficials
) -> AdmincaseDefenceSubmitted:
    """The defence statement, the evidence and the normative documents, filed today."""
    return AdmincaseDefenceSubmitted(
        case_no=filed.case_no,
        submitted_on=today,
        documents=(
            Document(kind=DocumentKind.DEFENCE, title=f"{officials.name}行政答辩状", pages=6),
            Document(
                kind=DocumentKind.EVIDENCE,
                title=f"作出被诉{filed.cause}行为的证据材料及证据清单",
                pages=38,
            ),
            Document(
                kind=DocumentKind.NORMATIVE_DOCUMENT,
                title="作出被诉行政行为所依据的法律、法规、规章及规范性文件",
                pages=12,
            ),
            Document(
                kind=DocumentKind.AUTHORISATION,
                title="法定代表人身份证明书及授权委托书",
                pages=2,
            ),
        ),
    )


def suggestion_reply(
    suggestion: JudicialSuggestionIssued, today: dt.date, officials: AgencyOfficials
) -> JudicialSuggestionReplied:
    """A written reply naming one measure for each suggestion."""
    measures = tuple(
        f"针对“{advice}”：已由{officials.deputy.post}牵头制定整改方案，明确责任股室和完成时限，"
        "整改情况纳入年度依法行政考核。"
        for advice in suggestion.suggestions
    )
    return JudicialSuggestionReplied(
        suggestion_no=suggestion.suggestion_no,
        replied_on=today,
        measures=measures,
        summary=(
            f"{officials.name}收到{suggestion.court}《{suggestion.title}》后，经局党组会研究，"
            f"对所指出的{len(suggestion.problems)}个问题逐项整改，现将整改情况书面回复如下。"
        ),
    )


def task_report(task: LinkageTaskAssigned, today: dt.date) -> LinkageTaskReported:
    """The first progress report on a task of the joint-meeting office: accepted and under way."""
    return LinkageTaskReported(
        task_id=task.task_id,
        status=TaskStatus.PROGRESS,
        progress=(
            f"已收到“{task.title}”任务，明确{task.responsible.name}（{task.responsible.post}）"
            f"为责任人，制定工作台账，计划于{task.due.isoformat()}前完成。"
        ),
        reported_on=today,
    )
