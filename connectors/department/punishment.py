"""Joint-punishment measures (联合惩戒) a unit applies on a listing, keeps under corrections and
lifts on delisting, recorded in the unit's own database and reported to the court. Shared by
every department connector; each supplies which measures it takes against a debtor
(`MeasuresFor`).

    debtor.listed.v1     → apply the unit's measures (once per listing), report them applied
    debtor.corrected.v1  → a corrected identity: lift the measures on the wrong subject and
                           apply them to the right one; otherwise carry the correction over
                           (period end) and report the measures still applied
    debtor.delisted.v1   → lift every measure of the listing, report them lifted

When no measure applies the unit still answers, on time, saying why (`no_measure`): a debtor
unknown to its registers (`MeasuresFor` returns a `NoMeasure`), or a correction or deletion of a
listing it applied nothing under.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)

from connectors.department.desk import AwareDateTime
from schemas.debtor import (
    DebtorCorrected,
    DebtorDelisted,
    DebtorListed,
    DebtorSanctionReported,
    DelistingGround,
    ListingChanges,
    Measure,
    NoMeasure,
    NoMeasureReason,
    SanctionAction,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Awaitable, Callable, Sequence

    from sqlalchemy.engine import Row
    from sqlalchemy.ext.asyncio import AsyncConnection

    from schemas.common import Party

    MeasuresFor = Callable[[AsyncConnection, "Debtor"], Awaitable[Sequence["Sanction"] | NoMeasure]]
    """Which measures the unit takes against a debtor, and what it did in its system; or why
    none applies (the debtor is unknown to its registers)."""

DELISTING_GROUNDS: Final = {
    DelistingGround.FULFILLED: "被执行人已履行完毕",
    DelistingGround.SETTLEMENT: "执行和解协议已履行完毕",
    DelistingGround.TERMINATED: "人民法院裁定终结执行",
    DelistingGround.EXPIRED: "失信期限届满",
    DelistingGround.EARLY: "人民法院决定提前删除失信信息",
}


@dataclass(frozen=True, slots=True)
class Sanction:
    """A measure a unit takes against a debtor: the memorandum article, the measure, and what
    was done in the unit's system."""

    memo_article: int
    measure: str
    result: str


@dataclass(frozen=True, slots=True)
class Debtor:
    """The listed debtor as the unit received it (withheld fields are None)."""

    kind: str | None
    name: str
    id_type: str | None
    id_no: str | None

    @classmethod
    def of(cls, party: Party) -> Debtor:
        kind, id_type = party.kind, party.id_type
        return cls(
            kind=None if kind is None else str(kind),
            name=party.name,
            id_type=None if id_type is None else str(id_type),
            id_no=party.id_no,
        )


@dataclass(frozen=True, slots=True)
class Flag:
    """One measure under one listing, as the unit's database holds it."""

    listing_id: str
    case_no: str
    debtor: Debtor
    memo_article: int
    measure: str
    applied_at: dt.datetime
    applied_result: str
    period_end: dt.date | None = None
    lifted_at: dt.datetime | None = None
    lifted_result: str | None = None
    flag_id: int | None = None

    @property
    def active(self) -> bool:
        return self.lifted_at is None


def joint_punishment_table(metadata: MetaData, name: str) -> Table:
    """A unit's joint-punishment measures, one row per listing and memorandum article; at most
    one row of a listing and article is in force at a time."""
    table = Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("listing_id", String(64), nullable=False, index=True),
        Column("case_no", String(64), nullable=False),
        Column("debtor_kind", String(16)),
        Column("debtor_name", String(100), nullable=False),
        Column("debtor_id_type", String(16)),
        Column("debtor_id_no", String(64), index=True),
        Column("memo_article", Integer, nullable=False),
        Column("measure", String(500), nullable=False),
        Column("applied_at", AwareDateTime(), nullable=False),
        Column("applied_result", Text, nullable=False),
        Column("period_end", Date),
        Column("lifted_at", AwareDateTime()),
        Column("lifted_result", Text),
        CheckConstraint("memo_article BETWEEN 1 AND 100", name="memo_article_range"),
        CheckConstraint("(lifted_at IS NULL) = (lifted_result IS NULL)", name="lift_complete"),
    )
    in_force = table.c.lifted_at.is_(None)
    Index(
        f"uq_{name}_in_force",
        table.c.listing_id,
        table.c.memo_article,
        unique=True,
        sqlite_where=in_force,
        postgresql_where=in_force,
    )
    return table


# --- pure ----------------------------------------------------------------------------------------


def applied_flags(
    listing_id: str,
    case_no: str,
    debtor: Debtor,
    sanctions: Sequence[Sanction],
    now: dt.datetime,
    period_end: dt.date | None,
) -> tuple[Flag, ...]:
    return tuple(
        Flag(
            listing_id=listing_id,
            case_no=case_no,
            debtor=debtor,
            memo_article=sanction.memo_article,
            measure=sanction.measure,
            applied_at=now,
            applied_result=sanction.result,
            period_end=period_end,
        )
        for sanction in sanctions
    )


def lifted(flags: Sequence[Flag], now: dt.datetime, result: str) -> tuple[Flag, ...]:
    return tuple(replace(flag, lifted_at=now, lifted_result=result) for flag in flags)


def measures(flags: Sequence[Flag]) -> tuple[Measure, ...]:
    """The report's measures: lifted flags as lifted (when), the others as applied (when)."""
    return tuple(_measure(flag) for flag in flags)


def _measure(flag: Flag) -> Measure:
    if flag.lifted_at is None or flag.lifted_result is None:
        action, at, result = SanctionAction.APPLIED, flag.applied_at, flag.applied_result
    else:
        action, at, result = SanctionAction.LIFTED, flag.lifted_at, flag.lifted_result
    return Measure(
        memo_article=flag.memo_article,
        measure=flag.measure,
        action=action,
        applied_at=at,
        result=result,
    )


NOTHING_TO_CARRY: Final = NoMeasure(
    reason=NoMeasureReason.NO_APPLICABLE_MEASURE,
    detail="本单位未对该失信名单采取惩戒措施（被执行人不在本单位登记范围或无适用措施），本次更正无需调整",
)
NONE_APPLICABLE: Final = NoMeasure(
    reason=NoMeasureReason.NO_APPLICABLE_MEASURE,
    detail="本单位对该被执行人无适用的联合惩戒措施",
)
NOTHING_TO_LIFT: Final = NoMeasure(
    reason=NoMeasureReason.NO_APPLICABLE_MEASURE,
    detail="本单位未对该失信名单采取惩戒措施，无需解除",
)


def report(
    listing_id: str, case_no: str, flags: Sequence[Flag] | NoMeasure
) -> DebtorSanctionReported:
    """The measures of `flags`, or why there are none (no flags is never reported empty)."""
    if not flags:
        flags = NONE_APPLICABLE
    if isinstance(flags, NoMeasure):
        return DebtorSanctionReported(listing_id=listing_id, case_no=case_no, no_measure=flags)
    return DebtorSanctionReported(listing_id=listing_id, case_no=case_no, measures=measures(flags))


def delisting_result(delisting: DebtorDelisted) -> str:
    ground = DELISTING_GROUNDS.get(delisting.ground, "人民法院删除失信信息")
    return f"{ground}，已于{delisting.delisted_on.isoformat()}解除本项惩戒措施并撤销系统标记"


def identity_changed(flags: Sequence[Flag], corrected: Debtor) -> bool:
    return any(
        (flag.debtor.id_no, flag.debtor.name) != (corrected.id_no, corrected.name) for flag in flags
    )


# --- the unit's records ---------------------------------------------------------------------------


class JointPunishment:
    """Applies, carries over and lifts one unit's measures in its `table`."""

    def __init__(self, table: Table, measures_for: MeasuresFor) -> None:
        self.table = table
        self._measures_for = measures_for

    async def listed(
        self, connection: AsyncConnection, listing: DebtorListed, now: dt.datetime
    ) -> DebtorSanctionReported:
        in_force = await self._flags(connection, listing.listing_id, in_force_only=True)
        if not in_force:
            debtor = Debtor.of(listing.debtor)
            sanctions = await self._measures_for(connection, debtor)
            if isinstance(sanctions, NoMeasure):
                return report(listing.listing_id, listing.case_no, sanctions)
            in_force = applied_flags(
                listing.listing_id, listing.case_no, debtor, sanctions, now, listing.period_end
            )
            await self._add(connection, in_force)
        return report(listing.listing_id, listing.case_no, in_force)

    async def corrected(
        self, connection: AsyncConnection, correction: DebtorCorrected, now: dt.datetime
    ) -> DebtorSanctionReported:
        in_force = await self._flags(connection, correction.listing_id, in_force_only=True)
        # A copy without `changes`: what changed is nothing this unit is entitled to see.
        changes = correction.changes or ListingChanges()
        corrected = Debtor.of(changes.debtor) if changes.debtor is not None else None
        if corrected is not None and (not in_force or identity_changed(in_force, corrected)):
            result = (
                f"依{correction.corrected_on.isoformat()}更正决定，被执行人身份信息更正，解除原标记"
            )
            gone = lifted(in_force, now, result)
            await self._lift(connection, gone)
            sanctions = await self._measures_for(connection, corrected)
            if isinstance(sanctions, NoMeasure):
                return report(correction.listing_id, correction.case_no, gone or sanctions)
            period_end = changes.period_end or (in_force[0].period_end if in_force else None)
            applied = applied_flags(
                correction.listing_id, correction.case_no, corrected, sanctions, now, period_end
            )
            await self._add(connection, applied)
            return report(correction.listing_id, correction.case_no, (*gone, *applied))
        if not in_force:
            return report(correction.listing_id, correction.case_no, NOTHING_TO_CARRY)
        if changes.period_end is not None:
            await self._set_period_end(connection, in_force, changes.period_end)
        return report(correction.listing_id, correction.case_no, in_force)

    async def delisted(
        self, connection: AsyncConnection, delisting: DebtorDelisted, now: dt.datetime
    ) -> DebtorSanctionReported:
        flags = await self._flags(connection, delisting.listing_id, in_force_only=False)
        in_force = [flag for flag in flags if flag.active]
        if in_force:
            gone = lifted(in_force, now, delisting_result(delisting))
            await self._lift(connection, gone)
        elif flags:
            # Lifted already, by an earlier deletion of the same listing: report what was done.
            gone = tuple(flag for flag in flags if flag.lifted_at is not None)
        else:
            return report(delisting.listing_id, delisting.case_no, NOTHING_TO_LIFT)
        return report(delisting.listing_id, delisting.case_no, gone)

    async def _flags(
        self, connection: AsyncConnection, listing_id: str, *, in_force_only: bool
    ) -> tuple[Flag, ...]:
        table = self.table
        query = select(table).where(table.c.listing_id == listing_id).order_by(table.c.id)
        if in_force_only:
            query = query.where(table.c.lifted_at.is_(None))
        return tuple(_flag(row) for row in await connection.execute(query))

    async def _add(self, connection: AsyncConnection, flags: Sequence[Flag]) -> None:
        if flags:
            await connection.execute(insert(self.table), [_row(flag) for flag in flags])

    async def _lift(self, connection: AsyncConnection, flags: Sequence[Flag]) -> None:
        for flag in flags:
            await connection.execute(
                update(self.table)
                .where(self.table.c.id == flag.flag_id)
                .values(lifted_at=flag.lifted_at, lifted_result=flag.lifted_result)
            )

    async def _set_period_end(
        self, connection: AsyncConnection, flags: Sequence[Flag], period_end: dt.date
    ) -> None:
        ids = [flag.flag_id for flag in flags]
        await connection.execute(
            update(self.table).where(self.table.c.id.in_(ids)).values(period_end=period_end)
        )


def _row(flag: Flag) -> dict[str, Any]:
    return {
        "listing_id": flag.listing_id,
        "case_no": flag.case_no,
        "debtor_kind": flag.debtor.kind,
        "debtor_name": flag.debtor.name,
        "debtor_id_type": flag.debtor.id_type,
        "debtor_id_no": flag.debtor.id_no,
        "memo_article": flag.memo_article,
        "measure": flag.measure,
        "applied_at": flag.applied_at,
        "applied_result": flag.applied_result,
        "period_end": flag.period_end,
        "lifted_at": flag.lifted_at,
        "lifted_result": flag.lifted_result,
    }


def _flag(row: Row[Any]) -> Flag:
    return Flag(
        listing_id=row.listing_id,
        case_no=row.case_no,
        debtor=Debtor(row.debtor_kind, row.debtor_name, row.debtor_id_type, row.debtor_id_no),
        memo_article=row.memo_article,
        measure=row.measure,
        applied_at=row.applied_at,
        applied_result=row.applied_result,
        period_end=row.period_end,
        lifted_at=row.lifted_at,
        lifted_result=row.lifted_result,
        flag_id=row.id,
    )
