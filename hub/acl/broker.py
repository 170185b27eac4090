"""Read and change the ACLs a broker holds, as its administrator.

aiokafka has the DescribeAcls, CreateAcls and DeleteAcls requests but no admin call for them, and
the request classes it builds carry one binding each. A county's plan has a few hundred bindings,
so `apply_acls` sends its own batched requests (`_CreateAcls`, `_DeleteAcls`: up to
`_BINDINGS_PER_REQUEST` each) over one connection. The brokers' StandardAuthorizer keeps ACLs in
the KRaft metadata log: a change is acknowledged once the controller has written it, and each
broker applies it a moment later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from aiokafka.protocol.admin import (
    CreateAclsRequest_v1,
    DeleteAclsRequest_v1,
    DescribeAclsRequest,
)
from aiokafka.protocol.api import Request

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
from hub.kafka.admin import admin_client, send_request

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from aiokafka.admin import AIOKafkaAdminClient

    from hub.kafka.access import KafkaAccess

# The wildcard values of an ACL filter (Kafka's ANY / MATCH codes, and null strings).
_ANY: Final = 1
_MATCH_ANY_PATTERN: Final = 1
_NONE_ERROR: Final = 0
_BINDINGS_PER_REQUEST: Final = 500
"""Bindings per CreateAcls/DeleteAcls request: a county's plan in one or two round trips."""

Binding = tuple[int, str, int, str, str, int, int]


class AclError(RuntimeError):
    """The broker refused to describe, create or delete ACLs."""


async def present_acls(admin: KafkaAccess) -> list[Acl]:
    """Every binding for a `User:` principal that the brokers hold, in the plan's terms, DENY
    bindings included so that `apply_acls` removes them. Bindings for other principal types, or
    with codes the plan has no name for, are not the registry's to manage and are left out."""
    async with admin_client(admin) as client:
        return await _present(client)


async def _present(client: AIOKafkaAdminClient) -> list[Acl]:
    request = DescribeAclsRequest(_ANY, None, _MATCH_ANY_PATTERN, None, None, _ANY, _ANY)
    answer = await send_request(client, request)
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
    async with admin_client(admin) as client:
        present = [acl for acl in await _present(client) if managed(acl)]
        diff = acl_diff(planned, present)
        await _create(client, diff.missing)
        await _delete(client, diff.extra)
    return diff


async def create_acls(admin: KafkaAccess, acls: Iterable[Acl]) -> None:
    async with admin_client(admin) as client:
        await _create(client, list(acls))


async def delete_acls(admin: KafkaAccess, acls: Iterable[Acl]) -> None:
    """Delete exactly these bindings (each filter names one binding in full)."""
    async with admin_client(admin) as client:
        await _delete(client, list(acls))


async def _create(client: AIOKafkaAdminClient, acls: Sequence[Acl]) -> None:
    for chunk in _chunks(acls):
        answer = await send_request(client, _CreateAcls([_binding(acl) for acl in chunk]))
        # One response per binding, in the request's order.
        for acl, created in zip(chunk, answer["creation_responses"], strict=True):
            _raise_on_error(created["error_code"], created["error_message"], acl)


async def _delete(client: AIOKafkaAdminClient, acls: Sequence[Acl]) -> None:
    for chunk in _chunks(acls):
        answer = await send_request(client, _DeleteAcls([_binding(acl) for acl in chunk]))
        for acl, deleted in zip(chunk, answer["filter_responses"], strict=True):
            _raise_on_error(deleted["error_code"], deleted["error_message"], acl)


def _chunks(acls: Sequence[Acl]) -> list[Sequence[Acl]]:
    return [
        acls[start : start + _BINDINGS_PER_REQUEST]
        for start in range(0, len(acls), _BINDINGS_PER_REQUEST)
    ]


class _CreateAcls(Request[CreateAclsRequest_v1]):  # type: ignore[misc]  # aiokafka is untyped here
    """CreateAcls (v1: with pattern types; Kafka 4 has no v0) carrying many bindings."""

    API_KEY = 30

    def __init__(self, bindings: list[Binding]) -> None:
        self._bindings = bindings

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class(self._bindings)


class _DeleteAcls(Request[DeleteAclsRequest_v1]):  # type: ignore[misc]  # aiokafka is untyped here
    """DeleteAcls (v1) with one filter per binding, each naming the binding in full."""

    API_KEY = 31

    def __init__(self, bindings: list[Binding]) -> None:
        self._bindings = bindings

    def build(self, request_struct_class: type[DeleteAclsRequest_v1]) -> DeleteAclsRequest_v1:
        return request_struct_class(self._bindings)


def _binding(acl: Acl) -> Binding:
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


def _raise_on_error(code: int, message: str | None, acl: Acl | None = None) -> None:
    if code != _NONE_ERROR:
        what = f" for {acl.describe()}" if acl is not None else ""
        raise AclError(f"the brokers refused the ACL request{what}: error {code} {message or ''}")
