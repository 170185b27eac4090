"""The routing table (`deploy/routing.yaml`, docs/design.md §5): per event type, who may publish
it, who receives it, which fields each recipient dept gets and why, and the deadlines that
follow."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    StringConstraints,
    model_validator,
)

from hub.registry.models import Dept, GroupName
from schemas.units import DEPTS

HUB_PUBLISHER = "hub"
"""Publisher of the hub's own notices (`hub.rejected.v1`, `hub.overdue.v1`); no unit sends them."""
ANY_DEPT = "*"
"""Projection key for every recipient dept not listed by name (replies back to their sender)."""
NAMED = "named"
"""Projection and `owed_by` key for the unit named in the envelope's `to` (the defendant agency,
the task owner), whatever its dept: it may also be a fixed recipient in another role."""

FieldPath = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
TypeName = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+\.v[0-9]+$")
]


def _role(*extra: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in DEPTS and value not in extra:
            raise ValueError(f"{value!r} is neither a dept nor one of {', '.join(extra)}")
        return value

    return AfterValidator(check)


Publisher = Annotated[str, _role(HUB_PUBLISHER)]
ProjectionKey = Annotated[str, _role(ANY_DEPT, NAMED)]
Ower = Annotated[str, _role(NAMED)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Targeted(_Strict):
    """Recipients named in the envelope's `to`: units of these depts or members of these groups."""

    depts: list[Dept] = Field(default_factory=list)
    groups: list[GroupName] = Field(default_factory=list)
    max: PositiveInt | None = None

    @model_validator(mode="after")
    def _allows_someone(self) -> Self:
        if not self.depts and not self.groups:
            raise ValueError("`to` must allow at least one dept or group")
        return self


class Recipients(_Strict):
    to: Targeted | None = None
    groups: list[GroupName] = Field(default_factory=list)
    depts: list[Dept] = Field(default_factory=list)
    """Every unit of these depts receives the event whatever `to` says (e.g. justice)."""
    reply_to_sender: bool = False
    """An answer: it goes to the unit that sent the event it answers, found from `hubdelivery`."""
    hub_addressed: bool = False
    """A hub notice: the hub names its recipients (the sender, the overdue unit, the office)."""

    @model_validator(mode="after")
    def _one_way_of_addressing(self) -> Self:
        listed = self.to is not None or bool(self.groups) or bool(self.depts)
        if self.reply_to_sender + self.hub_addressed + listed != 1:
            raise ValueError(
                "recipients must be exactly one of: reply_to_sender, hub_addressed, "
                "or any of to / groups / depts"
            )
        return self


class Projection(_Strict):
    fields: list[FieldPath] | Literal["all"]
    """Dotted payload paths this dept receives; everything else is stripped. `all` only for answers
    going back to the unit that asked."""
    why: str = Field(min_length=4)
    basis: str = Field(min_length=4)


class Deadline(_Strict):
    working_days: PositiveInt | None = None
    calendar_days: PositiveInt | None = None
    months: PositiveInt | None = None
    payload_field: FieldPath | None = None
    """A date or date-time in the payload that, when present, wins over the default."""

    @model_validator(mode="after")
    def _one_default(self) -> Self:
        defaults = [self.working_days, self.calendar_days, self.months]
        if sum(value is not None for value in defaults) > 1:
            raise ValueError("give at most one of working_days, calendar_days, months")
        if self.payload_field is None and all(value is None for value in defaults):
            raise ValueError("give working_days, calendar_days, months or payload_field")
        return self


class ReplyRule(_Strict):
    types: list[TypeName] = Field(min_length=1)
    owed_by: list[Ower] | None = None
    """Recipient depts (or `named`) that owe the reply; unset means every recipient does."""
    deadline: Deadline


class TypeRoute(_Strict):
    publishers: list[Publisher] = Field(default_factory=list)
    recipients: Recipients
    projection: dict[ProjectionKey, Projection]
    receipt_days: PositiveInt | None = 1
    """Working days to acknowledge (签收); None when nothing acknowledges this type."""
    reply: ReplyRule | None = None

    def projection_for(self, dept: str, *, named: bool = False) -> Projection | None:
        """What a recipient of `dept` gets; `named` when the envelope's `to` names it."""
        keys = (NAMED, dept, ANY_DEPT) if named else (dept, ANY_DEPT)
        return next((self.projection[key] for key in keys if key in self.projection), None)

    def owes_reply(self, dept: str, *, named: bool = False) -> bool:
        if self.reply is None:
            return False
        owed_by = self.reply.owed_by
        return owed_by is None or dept in owed_by or (named and NAMED in owed_by)


class RoutingTable(_Strict):
    version: Literal[1]
    types: dict[TypeName, TypeRoute]

    def route(self, event_type: str) -> TypeRoute | None:
        return self.types.get(event_type)
