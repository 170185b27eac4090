"""Recipient resolution with the shipped routing table and the small test registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.routing.loader import Contracts, load_contracts_from
from hub.routing.resolve import Resolution, resolve_recipients, split_to
from schemas.errors import ErrorCode, Rejection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def contracts() -> Contracts:
    return load_contracts_from(
        ROOT / "tests/fixtures/units-small.yaml", ROOT / "deploy/routing.yaml"
    )


def resolve(contracts: Contracts, source: str, event_type: str, **kwargs: object) -> Resolution:
    return resolve_recipients(
        contracts.routing, contracts.registry, source=source, event_type=event_type, **kwargs
    )


def refused(result: object, code: ErrorCode) -> str:
    assert isinstance(result, Rejection), result
    assert result.code is code, result
    return result.detail


def test_a_targeted_query_goes_to_exactly_the_units_named(contracts: Contracts) -> None:
    result = resolve(
        contracts, "court.411121", "enforcement.query.requested.v1", to="tax.411121 nr.411121"
    )
    assert result == ("nr.411121", "tax.411121")


def test_to_may_be_a_list_and_repeats_count_once(contracts: Contracts) -> None:
    result = resolve(
        contracts,
        "court.411121",
        "enforcement.query.requested.v1",
        to=["pboc.411121", "pboc.411121"],
    )
    assert result == ("pboc.411121",)


def test_a_listing_goes_to_every_member_of_the_group(contracts: Contracts) -> None:
    result = resolve(contracts, "court.411121", "debtor.listed.v1")
    assert result == tuple(sorted(contracts.registry.members("joint_punishment")))
    assert "town.411121100" not in result


def test_the_source_never_receives_its_own_event(contracts: Contracts) -> None:
    result = resolve(contracts, "tax.411121", "unit.liaison.changed.v1")
    assert isinstance(result, tuple)
    assert "tax.411121" not in result
    assert set(result) == contracts.registry.members("all_members") - {"tax.411121"}


def test_a_defendant_named_in_to_and_the_fixed_office_both_receive(contracts: Contracts) -> None:
    result = resolve(contracts, "court.411121", "admincase.filed.v1", to="samr.411121")
    assert result == ("justice.411121", "samr.411121")


def test_the_office_as_defendant_receives_one_copy(contracts: Contracts) -> None:
    result = resolve(contracts, "court.411121", "admincase.filed.v1", to="justice.411121")
    assert result == ("justice.411121",)


def test_a_reply_goes_back_to_the_original_sender(contracts: Contracts) -> None:
    result = resolve(
        contracts,
        "tax.411121",
        "enforcement.query.answered.v1",
        original_sender="court.411121",
    )
    assert result == ("court.411121",)


def test_a_hub_notice_goes_where_the_hub_says(contracts: Contracts) -> None:
    result = resolve(contracts, "hub", "hub.overdue.v1", to=["samr.411121", "justice.411121"])
    assert result == ("justice.411121", "samr.411121")


# --- refusals -------------------------------------------------------------------------------------


def test_a_unit_may_not_publish_a_type_reserved_to_the_court(contracts: Contracts) -> None:
    detail = refused(resolve(contracts, "tax.411121", "debtor.listed.v1"), ErrorCode.NOT_PERMITTED)
    assert "tax.411121 may not publish debtor.listed.v1" in detail
    assert "court" in detail


def test_a_unit_may_not_send_hub_notices(contracts: Contracts) -> None:
    refused(
        resolve(contracts, "court.411121", "hub.rejected.v1", to="tax.411121"),
        ErrorCode.NOT_PERMITTED,
    )


def test_an_unregistered_source_is_not_permitted(contracts: Contracts) -> None:
    refused(
        resolve(contracts, "court.411122", "enforcement.query.requested.v1", to="tax.411121"),
        ErrorCode.NOT_PERMITTED,
    )


def test_a_unit_missing_from_the_registry_is_an_unknown_recipient(contracts: Contracts) -> None:
    # housing is a dept the table allows, but the small registry has no housing bureau.
    detail = refused(
        resolve(
            contracts,
            "court.411121",
            "enforcement.query.requested.v1",
            to="tax.411121 housing.411121",
        ),
        ErrorCode.UNKNOWN_RECIPIENT,
    )
    assert "housing.411121" in detail
    assert "tax.411121" not in detail


def test_a_malformed_code_is_an_unknown_recipient(contracts: Contracts) -> None:
    refused(
        resolve(contracts, "court.411121", "enforcement.query.requested.v1", to="tax"),
        ErrorCode.UNKNOWN_RECIPIENT,
    )


def test_a_registered_unit_outside_the_allowed_depts_is_not_entitled(
    contracts: Contracts,
) -> None:
    detail = refused(
        resolve(
            contracts,
            "court.411121",
            "enforcement.query.requested.v1",
            to="tax.411121 justice.411121",
        ),
        ErrorCode.RECIPIENT_NOT_ENTITLED,
    )
    assert detail == "justice.411121 may not receive enforcement.query.requested.v1"


def test_a_control_request_goes_to_one_unit_only(contracts: Contracts) -> None:
    detail = refused(
        resolve(
            contracts,
            "court.411121",
            "enforcement.control.requested.v1",
            to="nr.411121 samr.411121",
        ),
        ErrorCode.RECIPIENT_NOT_ENTITLED,
    )
    assert "at most 1" in detail


def test_to_on_a_group_type_is_not_entitled(contracts: Contracts) -> None:
    refused(
        resolve(contracts, "court.411121", "debtor.listed.v1", to="tax.411121"),
        ErrorCode.RECIPIENT_NOT_ENTITLED,
    )


def test_a_targeted_type_needs_to(contracts: Contracts) -> None:
    refused(
        resolve(contracts, "court.411121", "enforcement.query.requested.v1"),
        ErrorCode.SCHEMA_INVALID,
    )


def test_a_reply_to_someone_else_is_not_entitled(contracts: Contracts) -> None:
    refused(
        resolve(
            contracts,
            "tax.411121",
            "enforcement.query.answered.v1",
            to="samr.411121",
            original_sender="court.411121",
        ),
        ErrorCode.RECIPIENT_NOT_ENTITLED,
    )


def test_a_reply_answering_nothing_delivered_is_an_unknown_correlation(
    contracts: Contracts,
) -> None:
    refused(
        resolve(contracts, "tax.411121", "enforcement.query.answered.v1"),
        ErrorCode.UNKNOWN_CORRELATION,
    )


def test_a_type_without_a_rule_is_unknown(contracts: Contracts) -> None:
    refused(resolve(contracts, "court.411121", "debtor.listed.v9"), ErrorCode.UNKNOWN_TYPE)


def test_split_to() -> None:
    assert split_to(" tax.411121  nr.411121 tax.411121 ") == ["tax.411121", "nr.411121"]
    assert split_to(None) == []
