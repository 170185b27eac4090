"""The batched ACL requests `hub.acl.broker` sends: many bindings in one request, v1 only."""

from __future__ import annotations

import io

import pytest
from aiokafka.errors import IncompatibleBrokerVersion
from aiokafka.protocol.admin import CreateAclsRequest_v1, DeleteAclsRequest_v1

from hub.acl.broker import _BINDINGS_PER_REQUEST, _binding, _chunks, _CreateAcls, _DeleteAcls
from hub.acl.plan import Acl, Operation, PatternType, Permission, ResourceType


def _acl(n: int) -> Acl:
    return Acl(
        f"unit{n}",
        ResourceType.TOPIC,
        f"fy.unit.unit{n}.in",
        PatternType.LITERAL,
        Operation.READ,
        Permission.ALLOW,
    )


def test_create_request_carries_every_binding_in_order() -> None:
    bindings = [_binding(_acl(n)) for n in range(3)]
    struct = _CreateAcls(bindings).prepare({30: (0, 3)})
    assert isinstance(struct, CreateAclsRequest_v1)
    sent = CreateAclsRequest_v1.SCHEMA.decode(_readable(struct.encode()))
    assert [tuple(creation) for creation in sent[0]] == bindings


def test_delete_request_names_each_binding_as_a_filter() -> None:
    bindings = [_binding(_acl(n)) for n in range(2)]
    struct = _DeleteAcls(bindings).prepare({31: (1, 3)})
    assert isinstance(struct, DeleteAclsRequest_v1)
    sent = DeleteAclsRequest_v1.SCHEMA.decode(_readable(struct.encode()))
    assert [tuple(flt) for flt in sent[0]] == bindings


def test_a_broker_without_v1_is_refused_rather_than_sent_a_request_without_patterns() -> None:
    with pytest.raises((IncompatibleBrokerVersion, NotImplementedError)):
        _CreateAcls([]).prepare({30: (0, 0)})


def test_a_large_plan_is_cut_into_requests_of_bounded_size() -> None:
    acls = [_acl(n) for n in range(2 * _BINDINGS_PER_REQUEST + 1)]
    chunks = _chunks(acls)
    assert [len(chunk) for chunk in chunks] == [_BINDINGS_PER_REQUEST, _BINDINGS_PER_REQUEST, 1]
    assert [acl for chunk in chunks for acl in chunk] == acls
    assert _chunks([]) == []


def _readable(encoded: bytes) -> io.BytesIO:
    return io.BytesIO(encoded)
