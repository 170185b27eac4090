"""Which principal may do what on the brokers: the ACL set the unit registry implies.

Pure: `planned_acls` turns the registry's unit codes and the hub's group names into Kafka ACL
bindings, and `acl_diff` compares them with what a broker holds. Every binding is an ALLOW; the
brokers run with `allow.everyone.if.no.acl.found=false`, so anything not listed here is refused.

- a unit (principal = its code) writes its own outbox, reads its own inbox and uses consumer
  groups named `fy.unit.<unit>.*`; nothing else, not even another unit's topic names;
- the router reads every outbox under its group, writes every inbox, the journal and the dead
  letters, and reads the journal (it recalls the events it routed recently, to refuse replays);
- the tracker writes every inbox (redeliveries, reminders) and the journal (its decisions);
- the auditor reads the journal under its group;
- the console holds a principal but no ACL: it reads the store only;
- the administrator is a super user of the brokers (creating topics, applying these ACLs) and
  needs no ACL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Final

from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic, outbox_topic

if TYPE_CHECKING:
    from collections.abc import Iterable


class ResourceType(IntEnum):
    """Kafka's resource type codes (the wire values of the ACL requests)."""

    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5


class PatternType(IntEnum):
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    ALL = 2
    READ = 3
    WRITE = 4
    CREATE = 5
    DELETE = 6
    ALTER = 7
    DESCRIBE = 8
    CLUSTER_ACTION = 9
    DESCRIBE_CONFIGS = 10
    ALTER_CONFIGS = 11
    IDEMPOTENT_WRITE = 12


class Permission(IntEnum):
    DENY = 2
    ALLOW = 3


class Service(StrEnum):
    """The hub's own principals, one per service."""

    ROUTER = "fyhub.router"
    AUDITOR = "fyhub.auditor"
    TRACKER = "fyhub.tracker"
    CONSOLE = "fyhub.console"
    ADMIN = "admin"
    """The brokers' super user (`super.users`); the same name the local broker formats in."""


ANY_HOST: Final = "*"
USER_PREFIX: Final = "User:"


@dataclass(frozen=True, slots=True, order=True)
class Acl:
    """One ALLOW binding: `principal` (a SCRAM username) may `operation` the resource."""

    principal: str
    resource_type: ResourceType
    resource_name: str
    pattern: PatternType
    operation: Operation
    permission: Permission = Permission.ALLOW
    host: str = ANY_HOST

    @property
    def kafka_principal(self) -> str:
        return f"{USER_PREFIX}{self.principal}"

    def describe(self) -> str:
        pattern = "" if self.pattern is PatternType.LITERAL else " (prefix)"
        return (
            f"{self.permission.name} {self.principal} {self.operation.name} "
            f"{self.resource_type.name} {self.resource_name}{pattern}"
        )


@dataclass(frozen=True, slots=True)
class AclDiff:
    """What applying the plan changes on a broker: bindings to create and bindings to delete."""

    missing: tuple[Acl, ...]
    extra: tuple[Acl, ...]

    @property
    def empty(self) -> bool:
        return not self.missing and not self.extra


def unit_principal(unit: str) -> str:
    """A unit's SCRAM username: its code (`tax.411121`), the name the registry already gives it."""
    return unit


def unit_group_prefix(unit: str) -> str:
    """The prefix of every consumer group a unit may use (the SDK's `fy.unit.<unit>.<name>`)."""
    return f"fy.unit.{unit}."


def hub_principals() -> tuple[str, ...]:
    return tuple(service.value for service in Service)


def planned_principals(units: Iterable[str]) -> tuple[str, ...]:
    """Every SCRAM principal the registry implies: the hub's services, then each unit."""
    return (*hub_principals(), *sorted(unit_principal(unit) for unit in units))


def planned_acls(units: Iterable[str], *, router_group: str, auditor_group: str) -> list[Acl]:
    """The whole ACL set for `units` (unit codes) and the hub's consumer groups, sorted."""
    units = sorted(set(units))
    acls: list[Acl] = []
    for unit in units:
        acls.extend(_unit_acls(unit))
    acls.extend(_router_acls(units, router_group))
    acls.extend(_tracker_acls(units))
    acls.extend(_auditor_acls(auditor_group))
    return sorted(set(acls))


def acl_diff(planned: Iterable[Acl], present: Iterable[Acl]) -> AclDiff:
    want, have = set(planned), set(present)
    return AclDiff(missing=tuple(sorted(want - have)), extra=tuple(sorted(have - want)))


def _topic(principal: str, name: str, operation: Operation) -> Acl:
    return Acl(principal, ResourceType.TOPIC, name, PatternType.LITERAL, operation)


def _group(principal: str, name: str, pattern: PatternType = PatternType.LITERAL) -> Acl:
    # READ on a group covers joining, fetching and committing its offsets (and DESCRIBE).
    return Acl(principal, ResourceType.GROUP, name, pattern, Operation.READ)


def _unit_acls(unit: str) -> list[Acl]:
    principal = unit_principal(unit)
    return [
        _topic(principal, outbox_topic(unit), Operation.WRITE),
        _topic(principal, inbox_topic(unit), Operation.READ),
        _group(principal, unit_group_prefix(unit), PatternType.PREFIXED),
    ]


def _router_acls(units: list[str], group: str) -> list[Acl]:
    router = Service.ROUTER.value
    acls = [_group(router, group), _topic(router, JOURNAL_TOPIC, Operation.READ)]
    acls.extend(_topic(router, outbox_topic(unit), Operation.READ) for unit in units)
    acls.extend(_topic(router, inbox_topic(unit), Operation.WRITE) for unit in units)
    acls.extend(_topic(router, name, Operation.WRITE) for name in (JOURNAL_TOPIC, DLQ_TOPIC))
    return acls


def _tracker_acls(units: list[str]) -> list[Acl]:
    tracker = Service.TRACKER.value
    acls = [_topic(tracker, inbox_topic(unit), Operation.WRITE) for unit in units]
    acls.append(_topic(tracker, JOURNAL_TOPIC, Operation.WRITE))
    return acls


def _auditor_acls(group: str) -> list[Acl]:
    auditor = Service.AUDITOR.value
    return [_topic(auditor, JOURNAL_TOPIC, Operation.READ), _group(auditor, group)]
