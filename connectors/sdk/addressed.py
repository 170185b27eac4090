"""Is a delivered copy meant for this connector? Pure: the copy, the unit, what it published.

The hub's signature says a copy is the hub's, not for whom: a genuine copy for tax written into
police's inbox (by a broker ACL mistake, a mirrored topic, a misconfigured tool) verifies all the
same. Two checks close that gap:

- **misaddressed**: a copy of a unit's event carries the hub's `hubdelivery` token, whose payload
  names the recipient (`rcpt`). It must name this unit. The SDK cannot check the token's HMAC (the
  key is the hub's), but it need not: the hub's signature over the copy covers the token.
  The hub's own notices (`hub.rejected.v1`, `hub.overdue.v1`) carry no token and are not checked.
- **uncorrelated**: a receipt or reply delivered to this unit answers an event it published, so
  its `correlationid` must be an event id in this connector's outbox (rows are kept after sending).

Reasons name unit codes and ids only, never payload values, so they can be logged.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemas.envelope import Envelope


def token_recipient(token: str | None) -> str | None:
    """The recipient a `hubdelivery` token names (`base64url(JSON).base64url(MAC)`, see
    `hub.router.token`); None when it names none or is not a token."""
    if not token or not token.isascii() or token.count(".") != 1:
        return None
    payload = token.partition(".")[0]
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return None
    recipient = data.get("rcpt") if isinstance(data, dict) else None
    return recipient if isinstance(recipient, str) else None


def misaddressal(envelope: Envelope, unit: str) -> str | None:
    """Why a copy of a unit's event is not meant for `unit`; None when it is, or when it is one
    of the hub's own notices."""
    if envelope.source_unit is None:
        return None
    recipient = token_recipient(envelope.hubdelivery)
    if recipient is None:
        return "it carries no delivery token naming its recipient"
    if recipient != unit:
        return f"it was delivered to {recipient}, not to {unit}"
    return None


def uncorrelation(envelope: Envelope, *, published: bool) -> str | None:
    """Why a receipt or reply does not answer an event of this connector's (`published`: its
    `correlationid` is in the outbox); None when it does."""
    if published:
        return None
    answered = envelope.correlationid or "nothing"
    return f"it answers {answered}, which this connector did not publish"
