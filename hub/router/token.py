"""The `hubdelivery` token: the hub's proof, carried by a delivered copy, of what it delivered.

A recipient echoes the token on its receipt and replies; the router then learns from the record
alone which event is answered, who sent it, who received it and by when the answer was due, with no
database lookup. The token is ``base64url(JSON payload) "." base64url(HMAC-SHA256(payload text))``;
the MAC covers the payload text exactly as transmitted, so no canonicalisation is involved.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import orjson

_MIN_SECRET_BYTES: Final = 16
_MAX_TOKEN_CHARS: Final = 4096


class InvalidDeliveryToken(Exception):  # noqa: N818 - the public name says what the value is
    """A delivery token that the hub did not issue, or that was altered or garbled."""


@dataclass(frozen=True, slots=True)
class DeliveryToken:
    """What the hub delivered: one event, from one unit, to one recipient, with its deadlines."""

    event_id: str
    source: str
    recipient: str
    event_type: str
    receipt_by: datetime | None = None
    reply_by: datetime | None = None

    def __post_init__(self) -> None:
        for deadline in (self.receipt_by, self.reply_by):
            if deadline is not None and deadline.utcoffset() is None:
                raise ValueError("delivery token deadlines must carry a UTC offset")


def issue_token(token: DeliveryToken, secret: bytes) -> str:
    payload = _b64encode(_payload_json(_to_json(token)))
    return f"{payload}.{_b64encode(_mac(payload, secret))}"


def _payload_json(content: dict[str, Any]) -> bytes:
    """Compact JSON, non-ASCII escaped: `json.dumps`'s bytes. orjson writes the same for printable
    ASCII text (the identifiers and times a token holds are), and leaves the rest (anything beyond
    ASCII, and DEL, which `json.dumps` escapes) to `json.dumps`."""
    try:
        written = orjson.dumps(content)
    except orjson.JSONEncodeError:  # a lone surrogate, which json.dumps escapes
        pass
    else:
        if written.isascii() and b"\x7f" not in written:
            return written
    return json.dumps(content, separators=(",", ":")).encode()


def read_token(text: str, secret: bytes) -> DeliveryToken:
    """The token's content, once its MAC is checked; raises InvalidDeliveryToken otherwise."""
    if (
        not isinstance(text, str)
        or len(text) > _MAX_TOKEN_CHARS
        or not text.isascii()  # base64url and a dot; anything else cannot be the hub's
        or text.count(".") != 1
    ):
        raise InvalidDeliveryToken("not a delivery token")
    payload, _, mac_text = text.partition(".")
    # Comparing the text, not decoded bytes, refuses variants in base64's unused trailing bits.
    if not hmac.compare_digest(mac_text, _b64encode(_mac(payload, secret))):
        raise InvalidDeliveryToken("delivery token was not issued by this hub or was altered")
    try:
        return _from_json(json.loads(_b64decode(payload)))
    except (ValueError, TypeError, KeyError) as error:
        # Only reachable with the hub's own secret, i.e. a token from an incompatible version.
        raise InvalidDeliveryToken(f"delivery token payload is unreadable: {error}") from error


def _mac(payload: str, secret: bytes) -> bytes:
    if len(secret) < _MIN_SECRET_BYTES:
        raise ValueError(f"the delivery-token secret must have at least {_MIN_SECRET_BYTES} bytes")
    return hmac.digest(secret, payload.encode("ascii"), hashlib.sha256)


def _to_json(token: DeliveryToken) -> dict[str, Any]:
    return {
        "eid": token.event_id,
        "src": token.source,
        "rcpt": token.recipient,
        "type": token.event_type,
        "rcptby": token.receipt_by.isoformat() if token.receipt_by else None,
        "replyby": token.reply_by.isoformat() if token.reply_by else None,
    }


def _from_json(data: dict[str, Any]) -> DeliveryToken:
    event_id, source, recipient, event_type = (data[key] for key in ("eid", "src", "rcpt", "type"))
    if not all(isinstance(text, str) for text in (event_id, source, recipient, event_type)):
        raise TypeError("identifiers must be strings")
    return DeliveryToken(
        event_id,
        source,
        recipient,
        event_type,
        receipt_by=_deadline(data["rcptby"]),
        reply_by=_deadline(data["replyby"]),
    )


def _deadline(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidDeliveryToken("delivery token is not base64url") from error
