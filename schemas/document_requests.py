"""Signed requests to the hub's document store (`hub.documents`): what a unit signs, and the
headers it sends, with the same Ed25519 key it signs its events with (the unit registry).

The signed bytes are four lines: the method, the path, the time (`fy-time`, ISO 8601 with an
offset) and the SHA-256 of the body in hex (of no bytes for a GET), joined by a line feed:

    PUT\\n/documents/<sha256>\\n2026-12-04T10:00:00+08:00\\n<sha256 of the body>

The store refuses a time more than 5 minutes from its own clock, so a captured request cannot be
replayed later.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Final

from schemas import ed25519

if TYPE_CHECKING:
    from datetime import datetime

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

UNIT_HEADER: Final = "fy-unit"
KEY_ID_HEADER: Final = "fy-key-id"
TIME_HEADER: Final = "fy-time"
SIGNATURE_HEADER: Final = "fy-signature"
DOCUMENTS_PATH: Final = "/documents/"


def document_path(sha256: str) -> str:
    return f"{DOCUMENTS_PATH}{sha256}"


def request_signing_bytes(method: str, path: str, time: str, body_sha256: str) -> bytes:
    """The bytes a unit signs for one request to the document store."""
    return f"{method.upper()}\n{path}\n{time}\n{body_sha256}".encode()


def signed_headers(
    *,
    unit: str,
    key_id: str,
    private_key: Ed25519PrivateKey,
    method: str,
    path: str,
    body: bytes,
    at: datetime,
) -> dict[str, str]:
    """The headers that authenticate `unit`'s request (`at`: an aware time, the sender's now)."""
    time = at.isoformat()
    signed = request_signing_bytes(method, path, time, hashlib.sha256(body).hexdigest())
    signature = base64.b64encode(ed25519.sign(private_key, signed)).decode("ascii")
    return {
        UNIT_HEADER: unit,
        KEY_ID_HEADER: key_id,
        TIME_HEADER: time,
        SIGNATURE_HEADER: signature,
    }
