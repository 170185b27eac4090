"""An agency's side of non-litigation enforcement (行政非诉执行): it applies to the court from its
own database and records what the court answers back in it.

    enforcement_applications (pending) ─► AgencyEnforcement.apply_pending ─► hub ─► court
    court ─► hub ─► accepted / ruled / served ─► nonlit_answers + the application row

`apply_pending` publishes each pending row under a fixed event id (its application number), so a
crash between publishing and marking it applied sends one event. Answers are recorded once per
event id; `application_update` (pure) is what each answer changes on the application row.
Any department that takes administrative decisions (samr, nr, ...) runs it on its connector.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from connectors.sdk.outgoing import china_now
from schemas.catalogue import CATALOGUE
from schemas.nonlitigation import (
    Acceptance,
    NonlitigationEnforcementAccepted,
    NonlitigationEnforcementApplied,
    NonlitigationEnforcementRuled,
    NonlitigationEnforcementServed,
    NonlitigationReconsiderationApplied,
    NonlitigationReconsiderationRuled,
)
from schemas.nonlitigation_limits import Reconsidered, reconsideration_decision_due

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from sqlalchemy.ext.asyncio import AsyncEngine

    from connectors.sdk import Connector, DeliveredEvent
    from schemas.common import Payload
    from schemas.nonlitigation_limits import WorkingDays

agency_metadata: Final = MetaData()

enforcement_applications: Final = Table(
    "enforcement_applications",
    agency_metadata,
    Column("application_no", String(128), primary_key=True),
    Column("court_unit", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False, default="pending"),
    Column("event_id", String(64)),
    Column("applied_at", DateTime(timezone=True)),
    Column("case_no", String(64)),
    Column("accepted", Boolean),
    Column("accepted_on", Date),
    Column("rule_by", Date),
    Column("ruling", String(16)),
    Column("ruled_on", Date),
    Column("served_on", Date),
)
"""The agency's applications: pending, applied, accepted / not_accepted, ruled, served."""

nonlit_answers: Final = Table(
    "nonlit_answers",
    agency_metadata,
    Column("answer_event_id", String(64), primary_key=True),
    Column("type", String(128), nullable=False),
    Column("application_no", String(128), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

ANSWER_TYPES: Final = (
    NonlitigationEnforcementAccepted,
    NonlitigationEnforcementRuled,
    NonlitigationEnforcementServed,
    NonlitigationReconsiderationRuled,
)


async def create_agency_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(agency_metadata.create_all)


async def record_decision(
    engine: AsyncEngine, application: NonlitigationEnforcementApplied, *, court_unit: str
) -> None:
    """The agency's legal-affairs desk files an application to send to `court_unit`."""
    async with engine.begin() as connection:
        await connection.execute(
            insert(enforcement_applications).values(
                application_no=application.application_no,
                court_unit=court_unit,
                payload=application.model_dump(mode="json", exclude_none=True),
                status="pending",
            )
        )


def application_event_id(application_no: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fyhub:nonlit:application:{application_no}"))


def application_update(payload: Payload) -> dict[str, Any]:
    """The columns an answer from the court sets on the application row."""
    match payload:
        case NonlitigationEnforcementAccepted():
            accepted = payload.outcome is Acceptance.ACCEPTED
            return {
                "status": "accepted" if accepted else "not_accepted",
                "case_no": payload.case_no,
                "accepted": accepted,
                "accepted_on": payload.accepted_on,
                "rule_by": payload.rule_by,
            }
        case NonlitigationEnforcementRuled():
            return {"status": "ruled", "ruling": payload.ruling.value, "ruled_on": payload.ruled_on}
        case NonlitigationEnforcementServed():
            return {"status": "served", "served_on": payload.served_on}
        case NonlitigationReconsiderationRuled():
            return {"status": f"reconsidered_{payload.outcome.value}"}
    raise TypeError(f"the agency does not record {payload.event_type}")


def reconsideration_request(
    row: Mapping[str, Any],
    *,
    today: dt.date,
    higher_court: str,
    grounds: str,
    calendar: WorkingDays,
) -> NonlitigationReconsiderationApplied:
    """The request to the higher court to reconsider the non-acceptance or the refusal recorded
    on the application `row`, filed `today` (行政强制法 arts 56, 58)."""
    if row["accepted"] is False:
        against, received_on, decide_by = Reconsidered.NON_ACCEPTANCE, row["accepted_on"], None
    elif row["ruling"] == "refused" and row["served_on"] is not None:
        against, received_on = Reconsidered.REFUSAL, row["served_on"]
        decide_by = reconsideration_decision_due(today, calendar, against=against)
    else:
        raise ValueError(f"{row['application_no']}: nothing to reconsider (not refused or served)")
    return NonlitigationReconsiderationApplied(
        case_no=row["case_no"],
        application_no=row["application_no"],
        higher_court=higher_court,
        against=against,
        ruling_no=row["case_no"],
        received_on=received_on,
        applied_on=today,
        grounds=grounds,
        decide_by=decide_by,
    )


class AgencyEnforcement:
    """Applies from `engine` through `connector` and records the court's answers in it."""

    def __init__(self, connector: Connector, engine: AsyncEngine) -> None:
        self.connector = connector
        self.engine = engine
        for answer_type in ANSWER_TYPES:
            connector.handles(answer_type)(self.record)

    async def apply_pending(self) -> list[str]:
        """Publish every pending application; the event ids."""
        async with self.engine.connect() as connection:
            pending = (
                await connection.execute(
                    select(enforcement_applications)
                    .where(enforcement_applications.c.status == "pending")
                    .order_by(enforcement_applications.c.application_no)
                )
            ).mappings()
            rows = list(pending)
        sent = []
        for row in rows:
            entry = CATALOGUE[NonlitigationEnforcementApplied.event_type]
            application = entry.validate_payload(row["payload"])
            assert isinstance(application, NonlitigationEnforcementApplied)
            event_id = await self.connector.publish(
                application,
                subject=application.decision_no,
                to=row["court_unit"],
                event_id=application_event_id(application.application_no),
            )
            async with self.engine.begin() as connection:
                await connection.execute(
                    update(enforcement_applications)
                    .where(enforcement_applications.c.application_no == row["application_no"])
                    .values(status="applied", event_id=event_id, applied_at=china_now())
                )
            sent.append(event_id)
        return sent

    async def reconsider(
        self,
        application_no: str,
        *,
        court_unit: str,
        higher_court: str,
        grounds: str,
        calendar: WorkingDays,
    ) -> str:
        """Ask the higher court (`court_unit`) to reconsider; the event id."""
        async with self.engine.connect() as connection:
            row = (
                (
                    await connection.execute(
                        select(enforcement_applications).where(
                            enforcement_applications.c.application_no == application_no
                        )
                    )
                )
                .mappings()
                .one()
            )
        request = reconsideration_request(
            dict(row),
            today=china_now().date(),
            higher_court=higher_court,
            grounds=grounds,
            calendar=calendar,
        )
        event_id = await self.connector.publish(request, to=court_unit)
        async with self.engine.begin() as connection:
            await connection.execute(
                update(enforcement_applications)
                .where(enforcement_applications.c.application_no == application_no)
                .values(status="reconsideration_applied")
            )
        return event_id

    async def record(self, event: DeliveredEvent[Any]) -> None:
        """Record the court's answer and what it changes on the application, once per id."""
        payload: Payload = event.payload
        application_no = str(getattr(payload, "application_no", ""))
        try:
            async with self.engine.begin() as connection:
                await connection.execute(
                    insert(nonlit_answers).values(
                        answer_event_id=event.id,
                        type=event.type,
                        application_no=application_no,
                        payload=payload.model_dump(mode="json", exclude_none=True),
                        received_at=china_now(),
                    )
                )
                await connection.execute(
                    update(enforcement_applications)
                    .where(enforcement_applications.c.application_no == application_no)
                    .values(application_update(payload))
                )
        except IntegrityError:
            return  # recorded already: a redelivered answer
