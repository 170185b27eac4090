"""Authenticating requests to the document store: the unit's registry key signs the method,
path, time and body digest; anything else, or a time 5 minutes off, is refused."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from hub.documents.requests import RequestRefusedError, authenticate
from hub.registry import load_registry
from hub.router.context import unit_keyrings
from schemas.document_requests import SIGNATURE_HEADER, TIME_HEADER, UNIT_HEADER, signed_headers
from tests.hubkit import TEST_REGISTRY, unit_key

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
KEYRINGS = unit_keyrings(load_registry(TEST_REGISTRY))
TAX = "tax.411121"
PATH = "/documents/" + "a" * 64
BODY = b"%PDF-1.7 ruling"


def _headers(unit: str = TAX, *, at: datetime = NOW, body: bytes = BODY, key_unit: str = TAX):
    return signed_headers(
        unit=unit,
        key_id="k1",
        private_key=unit_key(key_unit),
        method="PUT",
        path=PATH,
        body=body,
        at=at,
    )


def _check(headers: dict[str, str], *, body: bytes = BODY, path: str = PATH) -> str:
    return authenticate(
        headers,
        method="PUT",
        path=path,
        body_sha256=hashlib.sha256(body).hexdigest(),
        keyrings=KEYRINGS,
        now=NOW,
    )


def _refused(headers: dict[str, str], **kwargs: object) -> str:
    with pytest.raises(RequestRefusedError) as refused:
        _check(headers, **kwargs)  # type: ignore[arg-type]
    assert refused.value.status == 401
    return refused.value.code


def test_a_request_signed_with_the_units_key_names_the_unit() -> None:
    assert _check(_headers()) == TAX


@pytest.mark.parametrize("offset", [timedelta(minutes=5), timedelta(minutes=-5)])
def test_a_time_up_to_5_minutes_off_is_accepted(offset: timedelta) -> None:
    assert _check(_headers(at=NOW + offset)) == TAX


@pytest.mark.parametrize("offset", [timedelta(minutes=5, seconds=1), timedelta(minutes=-6)])
def test_a_stale_or_early_request_is_refused(offset: timedelta) -> None:
    assert _refused(_headers(at=NOW + offset)) == "request_stale"


def test_another_units_key_does_not_sign_for_it() -> None:
    assert _refused(_headers(key_unit="pboc.411121")) == "signature_invalid"


def test_a_changed_body_breaks_the_signature() -> None:
    assert _refused(_headers(), body=BODY + b"x") == "signature_invalid"


def test_another_path_breaks_the_signature() -> None:
    assert _refused(_headers(), path="/documents/" + "b" * 64) == "signature_invalid"


def test_an_unregistered_unit_is_refused() -> None:
    headers = _headers() | {UNIT_HEADER: "tax.419999"}
    assert _refused(headers) == "unit_unknown"


def test_an_unknown_key_is_refused() -> None:
    headers = _headers() | {"fy-key-id": "k9"}
    assert _refused(headers) == "key_unknown"


@pytest.mark.parametrize("missing", [UNIT_HEADER, TIME_HEADER, SIGNATURE_HEADER, "fy-key-id"])
def test_an_unsigned_request_is_refused(missing: str) -> None:
    headers = {k: v for k, v in _headers().items() if k != missing}
    assert _refused(headers) == "request_unsigned"


@pytest.mark.parametrize("time", ["yesterday", "2026-12-04T02:00:00"])
def test_a_time_must_be_iso_with_an_offset(time: str) -> None:
    assert _refused(_headers() | {TIME_HEADER: time}) == "request_unsigned"


def test_a_signature_that_is_not_base64_is_refused() -> None:
    assert _refused(_headers() | {SIGNATURE_HEADER: "not base64!"}) == "signature_invalid"
