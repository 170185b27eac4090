"""Read and change the ACLs a broker holds, as its administrator.

aiokafka has the DescribeAcls, CreateAcls and DeleteAcls requests but no admin call for them, so
they are sent through its admin client's connection, one binding a request (the requests it
builds carry one). The brokers' StandardAuthorizer keeps ACLs in the KRaft metadata log: a change
is acknowledged once the controller has written it, and each broker applies it a moment later.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Final

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest, DeleteAclsRequest, DescribeAclsRequest

from hub.acl.plan import (
    ANY_HOST,
    USER_PREFIX,
    Acl,
    AclDiff,
    Operation,
    PatternType,
    Permission,
    ResourceType,
    acl_diff,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterable

    from hub.kafka.access import KafkaAccess

# The wildcard values of an ACL filter (Kafka's ANY / MATCH codes, and null strings).
_ANY: Final = 1
_MATCH_ANY_PATTERN: Final = 1
_NONE_ERROR: Final = 0


class AclError(RuntimeError):
    """The broker refused to describe, create or delete ACLs."""


async def present_acls(admin: KafkaAccess) -> list[Acl]:
    """Every binding for a `User:` principal that the brokers hold, in the plan's terms, DENY
    bindings included so that `apply_acls` removes them. Bindings for other principal types, or
    with codes the plan has no name for, are not the registry's to manage and are left out."""
    async with _admin_client(admin) as client:
        request = DescribeAclsRequest(_ANY, None, _MATCH_ANY_PATTERN, None, None, _ANY, _ANY)
        answer = _answer(await client._send_request(request))  # noqa: SLF001 - no public call
    _raise_on_error(answer.get("error_code", _NONE_ERROR), answer.get("error_message"))
    return sorted(
        acl
        for resource in answer["resources"]
        for binding in resource["acls"]
        if (acl := _acl(resource, binding)) is not None
    )


async def apply_acls(
    admin: KafkaAccess,
    planned: Iterable[Acl],
    *,
    managed: Callable[[Acl], bool] = lambda _acl: True,
) -> AclDiff:
    """Make the brokers hold exactly `planned`: create what is missing, delete what the plan no
    longer implies (a unit removed from the registry, a right withdrawn). Returns the
    difference it found, empty when nothing had to change.

    `managed` narrows which of the brokers' bindings are the plan's to delete: by default every
    `User:` binding, since the registry is the only source of the cluster's rights."""
    present = [acl for acl in await present_acls(admin) if managed(acl)]
    diff = acl_diff(planned, present)
    await create_acls(admin, diff.missing)
    await delete_acls(admin, diff.extra)
    return diff


async def create_acls(admin: KafkaAccess, acls: Iterable[Acl]) -> None:
    async with _admin_client(admin) as client:
        for acl in acls:
            answer = _answer(await client._send_request(CreateAclsRequest(*_binding(acl))))  # noqa: SLF001 - no public call
            for created in answer["creation_responses"]:
                _raise_on_error(created["error_code"], created["error_message"], acl)


async def delete_acls(admin: KafkaAccess, acls: Iterable[Acl]) -> None:
    """Delete exactly these bindings (each filter names one binding in full)."""
    async with _admin_client(admin) as client:
        for acl in acls:
            answer = _answer(await client._send_request(DeleteAclsRequest(*_binding(acl))))  # noqa: SLF001 - no public call
            for deleted in answer["filter_responses"]:
                _raise_on_error(deleted["error_code"], deleted["error_message"], acl)


def _binding(acl: Acl) -> tuple[int, str, int, str, str, int, int]:
    return (
        acl.resource_type.value,
        acl.resource_name,
        acl.pattern.value,
        acl.kafka_principal,
        acl.host,
        acl.operation.value,
        acl.permission.value,
    )


def _acl(resource: dict[str, Any], binding: dict[str, Any]) -> Acl | None:
    principal: str = binding["principal"]
    if not principal.startswith(USER_PREFIX):
        return None
    try:
        return Acl(
            principal.removeprefix(USER_PREFIX),
            ResourceType(resource["resource_type"]),
            resource["resource_name"],
            PatternType(resource["resource_pattern_type"]),
            Operation(binding["operation"]),
            Permission(binding["permission_type"]),
            binding["host"] or ANY_HOST,
        )
    except ValueError:
        return None


def _answer(response: Any) -> dict[str, Any]:
    answer: dict[str, Any] = response.to_object()
    return answer


def _raise_on_error(code: int, message: str | None, acl: Acl | None = None) -> None:
    if code != _NONE_ERROR:
        what = f" for {acl.describe()}" if acl is not None else ""
        raise AclError(f"the brokers refused the ACL request{what}: error {code} {message or ''}")


@contextlib.asynccontextmanager
async def _admin_client(admin: KafkaAccess) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(**admin.client_options())
    try:
        await client.start()
        yield client
    finally:
        await client.close()
