"""The court's side of non-litigation enforcement: an agency's application is received into the
court database, reviewed (`connectors.court.review`), and each answer the court sends is written
beside it.

    agency ─► hub ─► CourtReview.receive ─► nonlit_applications + nonlit_sent (one transaction)
                                          └─► accepted, ruled, served: replies to the application

Idempotent: the application row is keyed by its event id and the answers' event ids are derived
from it, so a redelivered application is answered with the same events (the SDK's outbox keeps
one of each) and recorded once.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Final

from sqlalchemy import JSON, Column, Date, DateTime, MetaData, String, Table, func, insert, select

from connectors.court.review import reconsider, reconsideration_case_no, review, review_case_no
from connectors.court.store import now
from connectors.sdk.outgoing import china_now
from schemas.dates import CHINA_TIME
from schemas.nonlitigation import (
    NonlitigationEnforcementApplied,
    NonlitigationReconsiderationApplied,
    NonlitigationReconsiderationRuled,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from sqlalchemy.ext.asyncio import AsyncEngine

    from connectors.sdk import Connector, DeliveredEvent
    from schemas.nonlitigation_limits import WorkingDays

review_metadata: Final = MetaData()

nonlit_applications: Final = Table(
    "nonlit_applications",
    review_metadata,
    Column("application_event_id", String(64), primary_key=True),
    Column("applicant", String(64), nullable=False),
    Column("application_no", String(128), nullable=False),
    Column("decision_no", String(128), nullable=False),
    Column("case_no", String(64), nullable=False, unique=True),
    Column("received_on", Date, nullable=False),
    Column("payload", JSON, nullable=False),
)
"""Applications received, each with the review case (行审) it was filed under."""

nonlit_sent: Final = Table(
    "nonlit_sent",
    review_metadata,
    Column("event_id", String(64), primary_key=True),
    Column("application_event_id", String(64), nullable=False),
    Column("type", String(128), nullable=False),
    Column("case_no", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)
"""What the court answered each application with: acceptance, ruling, service."""


async def create_review_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(review_metadata.create_all)


def answer_event_id(application_event_id: str, event_type: str) -> str:
    """The fixed id of the court's `event_type` answer to an application."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fyhub:nonlit:{application_event_id}:{event_type}"))


class CourtReview:
    """Receives applications on `connector` into `engine` and answers them, counting limits on
    `calendar` (the hub's working-day calendar, or one like it)."""

    def __init__(
        self,
        connector: Connector,
        engine: AsyncEngine,
        *,
        calendar: WorkingDays,
        court_code: str = "豫1121",
        higher_court_code: str = "豫11",
        clock: Callable[[], dt.datetime] = china_now,
    ) -> None:
        self.engine = engine
        self.calendar = calendar
        self.court_code = court_code
        self.higher_court_code = higher_court_code
        self.clock = clock
        connector.handles(NonlitigationEnforcementApplied)(self.receive)
        connector.handles(NonlitigationReconsiderationApplied)(self.reconsider)

    async def reconsider(self, event: DeliveredEvent[NonlitigationReconsiderationApplied]) -> None:
        """As the higher court (a court unit the registry enrols as such): decide and answer,
        writing the decision beside the others, once per request."""
        today = self.clock().astimezone(CHINA_TIME).date()
        answer_id = answer_event_id(event.id, NonlitigationReconsiderationRuled.event_type)
        async with self.engine.begin() as connection:
            known = await connection.scalar(
                select(nonlit_sent.c.case_no).where(nonlit_sent.c.event_id == answer_id)
            )
            kind = nonlit_sent.c.type == NonlitigationReconsiderationRuled.event_type
            decided = await connection.scalar(
                select(func.count()).select_from(nonlit_sent).where(kind)
            )
            case_no = known or reconsideration_case_no(
                today.year, self.higher_court_code, int(decided or 0) + 1
            )
            ruling = reconsider(event.payload, case_no=case_no, today=today)
            await event.reply(ruling, event_id=answer_id)
            if known is None:
                await connection.execute(
                    insert(nonlit_sent).values(
                        event_id=answer_id,
                        application_event_id=event.id,
                        type=ruling.event_type,
                        case_no=case_no,
                        payload=ruling.model_dump(mode="json", exclude_none=True),
                        sent_at=now(),
                    )
                )

    async def receive(self, event: DeliveredEvent[NonlitigationEnforcementApplied]) -> None:
        applied = event.payload
        today = self.clock().astimezone(CHINA_TIME).date()
        async with self.engine.begin() as connection:
            known = await connection.scalar(
                select(nonlit_applications.c.case_no).where(
                    nonlit_applications.c.application_event_id == event.id
                )
            )
            fresh = known is None
            if fresh:
                filed = await connection.scalar(
                    select(func.count()).select_from(nonlit_applications)
                )
                known = review_case_no(today.year, self.court_code, int(filed or 0) + 1)
                await connection.execute(
                    insert(nonlit_applications).values(
                        application_event_id=event.id,
                        applicant=event.sender or "",
                        application_no=applied.application_no,
                        decision_no=applied.decision_no,
                        case_no=known,
                        received_on=today,
                        payload=applied.model_dump(mode="json", exclude_none=True),
                    )
                )
            assert known is not None
            outcome = review(applied, case_no=known, today=today, calendar=self.calendar)
            for answer in outcome.answers:
                answer_id = answer_event_id(event.id, answer.event_type)
                event_id = await event.reply(answer, event_id=answer_id)
                if fresh:
                    await connection.execute(
                        insert(nonlit_sent).values(
                            event_id=event_id,
                            application_event_id=event.id,
                            type=answer.event_type,
                            case_no=known,
                            payload=answer.model_dump(mode="json", exclude_none=True),
                            sent_at=now(),
                        )
                    )
