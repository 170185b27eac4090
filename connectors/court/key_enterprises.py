"""Care with key enterprises (涉企审慎执行, 舞政文〔2022〕56号 二(一)2) in the court database.

The joint-meeting office's list arrives as `linkage.key_enterprise.listed/delisted` events and is
kept in `key_enterprise_entries`. When the court files a seal, freeze or deduction on an asset a
listed enterprise runs its business on, `hold_for_office` queues the prior notice to the office
and holds the control request in `held_requests`; `release_holds` gives it its export row once the
office has advised or the planned day is over, so the office always hears of the measure first
and the registry never waits longer than the notice allowed. The decisions are pure functions;
the rest reads and writes rows on the caller's connection.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import insert, select, update

from connectors.court.notices import queue_notice
from connectors.court.store import (
    held_requests,
    key_enterprise_entries,
    notice_answers,
    now,
    queue_export,
)
from schemas.control import AssetKind, ControlAction, EnforcementControlRequested
from schemas.dates import CHINA_TIME
from schemas.key_enterprise import (
    EnforcementKeyEnterpriseAdvised,
    EnforcementKeyEnterpriseNotified,
    KeyEnterprise,
    LinkageKeyEnterpriseDelisted,
    LinkageKeyEnterpriseListed,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.ext.asyncio import AsyncConnection

CAREFUL_ACTIONS: Final = frozenset({ControlAction.SEAL, ControlAction.FREEZE, ControlAction.DEDUCT})
"""Measures that take an asset out of the enterprise's hands; releases and continuations of a
measure already taken do not."""
OPERATING_ASSETS: Final = frozenset(
    {AssetKind.REAL_ESTATE, AssetKind.MOVABLE, AssetKind.VEHICLE, AssetKind.DEPOSIT}
)
"""What production runs on: plant and land, equipment and stock, vehicles, the accounts; a freeze
of the enterprise's shares in others (equity, securities) leaves its operations alone."""
NOTICE_DAYS: Final = 2
"""Days the court gives the office by default (the routing table's 2 working days, counted here
in calendar days: the court's system has no calendar, and the hub's deadline is the earlier)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One listing or delisting as the court received it."""

    listed: bool
    uscc: str
    office: str
    effective_on: dt.date
    until: dt.date | None
    enterprise: KeyEnterprise | None
    received_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Listing:
    """An enterprise on the list on a given day, and the office that listed it."""

    enterprise: KeyEnterprise
    office: str


def listing_on(entries: Iterable[Entry], uscc: str, today: dt.date) -> Listing | None:
    """The enterprise's listing in force on `today`: its latest entry that has taken effect, if
    that is a listing whose period has not ended."""
    effective = [e for e in entries if e.uscc == uscc and e.effective_on <= today]
    if not effective:
        return None
    latest = max(effective, key=lambda e: (e.effective_on, e.received_at))
    if not latest.listed or latest.enterprise is None:
        return None
    if latest.until is not None and today > latest.until:
        return None
    return Listing(latest.enterprise, latest.office)


def needs_prior_notice(request: EnforcementControlRequested, listing: Listing | None) -> bool:
    """Whether the office must hear of `request` before the registry does."""
    return (
        listing is not None
        and request.office_notice_no is None
        and request.action in CAREFUL_ACTIONS
        and request.asset.kind in OPERATING_ASSETS
    )


def notice_no_for(request: EnforcementControlRequested) -> str:
    """The prior notice's number: one per control request, so filing it again cannot make two."""
    return f"{request.request_no}-涉企通报"


def prior_notice(
    request: EnforcementControlRequested,
    listing: Listing,
    *,
    today: dt.date,
    planned_on: dt.date,
) -> EnforcementKeyEnterpriseNotified:
    """The notice to the office about `request`, which the court plans to send on `planned_on`."""
    return EnforcementKeyEnterpriseNotified(
        notice_no=notice_no_for(request),
        case_no=request.case_no,
        court=request.court,
        enterprise=listing.enterprise,
        action=request.action,
        asset_kind=request.asset.kind,
        asset=f"{request.asset.description}（{request.asset.identifier}）",
        ruling_no=request.ruling_no,
        amount=request.amount,
        notified_on=today,
        planned_on=planned_on,
    )


def release_time(planned_on: dt.date) -> dt.datetime:
    """When a held request goes out without advice: the end of the planned day, China time."""
    return dt.datetime.combine(planned_on, dt.time(23, 59, 59), tzinfo=CHINA_TIME)


def entry_values(event_id: str, office: str, payload: Any) -> dict[str, Any]:
    """The `key_enterprise_entries` row of a listing or delisting event."""
    if isinstance(payload, LinkageKeyEnterpriseListed):
        uscc, effective_on, until = payload.enterprise.uscc, payload.listed_on, payload.until
    elif isinstance(payload, LinkageKeyEnterpriseDelisted):
        uscc, effective_on, until = payload.uscc, payload.delisted_on, None
    else:
        raise TypeError(f"not a key-enterprise list event: {payload.event_type}")
    return {
        "event_id": event_id,
        "type": payload.event_type,
        "office": office,
        "uscc": uscc,
        "list_no": payload.list_no,
        "effective_on": effective_on,
        "until": until,
        "payload": payload.model_dump(mode="json", exclude_none=True),
        "received_at": now(),
    }


def _entry(row: Any) -> Entry:
    listed = row["type"] == LinkageKeyEnterpriseListed.event_type
    enterprise = KeyEnterprise.model_validate(row["payload"]["enterprise"]) if listed else None
    return Entry(
        listed=listed,
        uscc=row["uscc"],
        office=row["office"],
        effective_on=row["effective_on"],
        until=row["until"],
        enterprise=enterprise,
        received_at=row["received_at"],
    )


# --- rows ----------------------------------------------------------------------------------------


async def listing_of(connection: AsyncConnection, uscc: str, today: dt.date) -> Listing | None:
    """The listing in force on `today` for the enterprise `uscc`, from the entries received."""
    result = await connection.execute(
        select(key_enterprise_entries).where(key_enterprise_entries.c.uscc == uscc)
    )
    return listing_on((_entry(row) for row in result.mappings()), uscc, today)


async def hold_for_office(
    connection: AsyncConnection,
    request: EnforcementControlRequested,
    *,
    request_id: int,
    to: str,
    today: dt.date,
    planned_on: dt.date | None,
) -> str | None:
    """When `request` needs the office told first: queue the notice, hold the request, and
    return the event id the request will go out under; None when it may go out now."""
    owner = request.asset.owner
    listing = await listing_of(connection, owner.id_no, today)
    if listing is None or not needs_prior_notice(request, listing):
        return None
    planned = planned_on or today + dt.timedelta(days=NOTICE_DAYS)
    notice = prior_notice(request, listing, today=today, planned_on=planned)
    await queue_notice(connection, notice, listing.office)
    event_id = str(uuid.uuid4())
    await connection.execute(
        insert(held_requests).values(
            request_id=request_id,
            event_id=event_id,
            to_units=to,
            notice_no=notice.notice_no,
            release_at=release_time(planned),
        )
    )
    return event_id


async def release_holds(connection: AsyncConnection, at: dt.datetime) -> int:
    """Give each held request whose notice has been advised on, or whose planned day is over,
    its export row; how many were released."""
    advised = select(notice_answers.c.reference).where(
        notice_answers.c.type == EnforcementKeyEnterpriseAdvised.event_type
    )
    waiting = await connection.execute(
        select(held_requests, held_requests.c.notice_no.in_(advised).label("advised")).where(
            held_requests.c.released_at.is_(None)
        )
    )
    released = 0
    for row in waiting.mappings():
        if not row["advised"] and row["release_at"] > at:
            continue
        await queue_export(
            connection,
            EnforcementControlRequested.event_type,
            row["request_id"],
            row["to_units"],
            event_id=row["event_id"],
        )
        await connection.execute(
            update(held_requests)
            .where(held_requests.c.request_id == row["request_id"])
            .values(released_at=at, released_by="advice" if row["advised"] else "deadline")
        )
        released += 1
    return released


async def office_notice_no(connection: AsyncConnection, request_id: int) -> str | None:
    """The prior notice a control request followed, if it was held for one."""
    value = await connection.scalar(
        select(held_requests.c.notice_no).where(held_requests.c.request_id == request_id)
    )
    return value if isinstance(value, str) else None
