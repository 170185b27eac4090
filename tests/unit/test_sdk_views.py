"""Delivered payloads are typed even when the hub withheld fields from the recipient."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from connectors.sdk.views import read_payload, view_of
from hub.routing.project import project
from schemas.catalogue import CATALOGUE
from schemas.common import Party
from schemas.debtor import DebtorListed
from tests.hubkit import corpus_event

LISTING = CATALOGUE["debtor.listed.v1"]
BY_NAME = ["listing_id", "case_no", "court", "debtor.kind", "debtor.name", "conduct", "listed_on"]


def listing_data() -> dict[str, Any]:
    data: dict[str, Any] = corpus_event("debtor.listed.v1")["data"]
    return data


def test_a_full_copy_is_the_catalogue_model_itself() -> None:
    listing = read_payload(LISTING, listing_data())
    assert type(listing) is DebtorListed


def test_a_projected_copy_is_a_typed_view_of_the_catalogue_model() -> None:
    listing = read_payload(LISTING, project(listing_data(), BY_NAME))
    assert isinstance(listing, DebtorListed)
    assert isinstance(listing.debtor, Party)
    assert listing.debtor.name == "王建军"
    assert listing.debtor.id_no is None
    assert listing.duty is None
    assert listing.model_fields_set == {field.split(".")[0] for field in BY_NAME}


def test_present_values_are_still_checked_by_the_catalogue_rules() -> None:
    data = project(listing_data(), [*BY_NAME, "debtor.id_type", "debtor.id_no"])
    data["debtor"]["id_no"] = "411121198503152316"
    with pytest.raises(ValidationError) as error:
        read_payload(LISTING, data)
    assert [e["loc"] for e in error.value.errors()] == [("debtor", "id_no")]


def test_present_values_are_validated_strictly() -> None:
    data = project(listing_data(), BY_NAME) | {"listed_on": 20260315}
    with pytest.raises(ValidationError):
        read_payload(LISTING, data)


def test_unknown_fields_are_still_refused() -> None:
    with pytest.raises(ValidationError):
        read_payload(LISTING, project(listing_data(), BY_NAME) | {"surprise": 1})


@pytest.mark.parametrize("event_type", sorted(CATALOGUE))
def test_every_catalogue_type_has_a_view_that_accepts_an_empty_payload(event_type: str) -> None:
    view = view_of(CATALOGUE[event_type].payload)
    assert issubclass(view, CATALOGUE[event_type].payload)
    assert view.model_validate({}).model_fields_set == set()
