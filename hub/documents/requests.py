"""Authenticating a request to the document store. Pure.

A request carries `fy-unit`, `fy-key-id`, `fy-time` and `fy-signature`
(`schemas.document_requests`): the unit's Ed25519 signature, with a key the registry lists for
that unit and valid at that time, over the method, path, time and the body's SHA-256. A time
more than `skew` from `now` is refused, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from hub.security.keyring import KeyOutOfTimeError
from schemas import ed25519
from schemas.document_requests import (
    KEY_ID_HEADER,
    SIGNATURE_HEADER,
    TIME_HEADER,
    UNIT_HEADER,
    request_signing_bytes,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hub.security.keyring import Keyring

DEFAULT_SKEW: Final = timedelta(minutes=5)


class RequestRefusedError(Exception):
    """Why the store refuses a request: an HTTP status and a stable code."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail


def unauthenticated(code: str, detail: str) -> RequestRefusedError:
    return RequestRefusedError(401, code, detail)


def authenticate(
    headers: Mapping[str, str],
    *,
    method: str,
    path: str,
    body_sha256: str,
    keyrings: Mapping[str, Keyring],
    now: datetime,
    skew: timedelta = DEFAULT_SKEW,
) -> str:
    """The unit that signed the request; raises `RequestRefusedError` (401) naming why not."""
    unit, key_id, time, signature = (
        headers.get(name) for name in (UNIT_HEADER, KEY_ID_HEADER, TIME_HEADER, SIGNATURE_HEADER)
    )
    if not unit or not key_id or not time or not signature:
        raise unauthenticated("request_unsigned", "fy-unit, fy-key-id, fy-time, fy-signature")
    at = _time(time)
    if abs(at - now) > skew:
        raise unauthenticated("request_stale", f"fy-time is more than {skew} from the store's")
    keyring = keyrings.get(unit)
    if keyring is None:
        raise unauthenticated("unit_unknown", "the registry lists no such unit")
    try:
        public_key = keyring.verifier(key_id, at)
    except KeyOutOfTimeError as error:
        raise unauthenticated("key_not_valid", str(error)) from None
    if public_key is None:
        raise unauthenticated("key_unknown", f"key {key_id!r} is not registered for {unit}")
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise unauthenticated("signature_invalid", "fy-signature is not base64") from None
    signed = request_signing_bytes(method, path, time, body_sha256)
    if not ed25519.verify(public_key, raw, signed):
        raise unauthenticated("signature_invalid", f"the signature does not verify with {key_id}")
    return unit


def _time(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise unauthenticated("request_unsigned", "fy-time is not an ISO 8601 time") from None
    if at.utcoffset() is None:
        raise unauthenticated("request_unsigned", "fy-time has no UTC offset")
    return at
