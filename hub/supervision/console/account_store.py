"""The console's accounts and its record of trace views in the store (`console_accounts`,
`console_trace_views`, migration 0008). Each function runs in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from hub.store.tables import ConsoleAccountRow, ConsoleTraceViewRow
from hub.supervision.console.accounts import Account, Role

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.supervision.console.accounts import Viewer

VIEWS_SHOWN = 500


class AccountError(ValueError):
    """An account that exists already, or does not exist."""


@dataclass(frozen=True, slots=True)
class TraceView:
    login: str
    role: str
    unit: str | None
    query: str
    case_no: str | None
    outcome: str
    viewed_at: datetime


async def account(session: AsyncSession, login: str, *, for_update: bool = False) -> Account | None:
    query = select(ConsoleAccountRow).where(ConsoleAccountRow.login == login)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    return None if row is None else _account(row)


async def accounts(session: AsyncSession) -> list[Account]:
    query = select(ConsoleAccountRow).order_by(ConsoleAccountRow.login)
    return [_account(row) for row in (await session.execute(query)).scalars()]


async def add_account(
    session: AsyncSession,
    *,
    login: str,
    role: Role,
    unit: str | None,
    password_hash: str,
    now: datetime,
) -> None:
    if await session.get(ConsoleAccountRow, login) is not None:
        raise AccountError(f"there is already an account {login}")
    session.add(
        ConsoleAccountRow(
            login=login,
            role=role.value,
            unit=unit,
            password_hash=password_hash,
            disabled=False,
            failed_attempts=0,
            locked_until=None,
            created_at=now,
            credentials_changed_at=now,
        )
    )


async def set_password(
    session: AsyncSession, login: str, password_hash: str, now: datetime
) -> None:
    """A new password; the account's failures and lock are cleared, its sessions end."""
    row = await _row(session, login)
    row.password_hash = password_hash
    row.failed_attempts = 0
    row.locked_until = None
    row.credentials_changed_at = now


async def set_disabled(session: AsyncSession, login: str, now: datetime, *, disabled: bool) -> None:
    row = await _row(session, login)
    row.disabled = disabled
    row.credentials_changed_at = now


async def save_sign_in_state(session: AsyncSession, changed: Account) -> None:
    """The failure count and lock of `changed` (from `accounts.Lockout`)."""
    row = await _row(session, changed.login)
    row.failed_attempts = changed.failed_attempts
    row.locked_until = changed.locked_until


async def record_trace_view(
    session: AsyncSession,
    viewer: Viewer,
    *,
    query: str,
    case_no: str | None,
    outcome: str,
    now: datetime,
) -> None:
    session.add(
        ConsoleTraceViewRow(
            login=viewer.login,
            role=viewer.role.value,
            unit=viewer.unit,
            query=query[:255],
            case_no=case_no,
            outcome=outcome,
            viewed_at=now,
        )
    )


async def trace_views(
    session: AsyncSession, *, login: str | None = None, limit: int = VIEWS_SHOWN
) -> list[TraceView]:
    """The latest trace views, newest first; of one account if given."""
    query = select(ConsoleTraceViewRow).order_by(
        ConsoleTraceViewRow.viewed_at.desc(), ConsoleTraceViewRow.id.desc()
    )
    if login is not None:
        query = query.where(ConsoleTraceViewRow.login == login)
    rows = (await session.execute(query.limit(limit))).scalars()
    return [
        TraceView(row.login, row.role, row.unit, row.query, row.case_no, row.outcome, row.viewed_at)
        for row in rows
    ]


async def _row(session: AsyncSession, login: str) -> ConsoleAccountRow:
    query = select(ConsoleAccountRow).where(ConsoleAccountRow.login == login).with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise AccountError(f"there is no account {login}")
    return row


def _account(row: ConsoleAccountRow) -> Account:
    return Account(
        login=row.login,
        role=Role(row.role),
        unit=row.unit,
        password_hash=row.password_hash,
        disabled=row.disabled,
        failed_attempts=row.failed_attempts,
        locked_until=row.locked_until,
        created_at=row.created_at,
        credentials_changed_at=row.credentials_changed_at,
    )
