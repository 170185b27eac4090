"""Records the hub must refuse, as a careless or broken court system might write them. Pure.

The scenario driver writes them straight to the court's outbox topic, past the SDK (which would
refuse them at the call site), so the hub's rejections (`hub.rejected.v1`, the dead-letter topic)
have something to show: a truncated JSON document (`malformed`), an event without a signature
(`bad_signature`), and an event whose debtor ID number has a wrong check digit
(`schema_invalid`; unsigned as well, since the driver holds no key).
"""

from __future__ import annotations

import json
import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from schemas.dates import CHINA_TIME
from schemas.identifiers import resident_id_check_char
from schemas.units import source_uri

if TYPE_CHECKING:
    import datetime as dt
    import random

    from schemas.enforcement import EnforcementQueryRequested


class BadRecord(StrEnum):
    MALFORMED_JSON = "malformed_json"
    UNSIGNED = "unsigned"
    BAD_CHECK_DIGIT = "bad_check_digit"


def bad_record(
    kind: BadRecord,
    request: EnforcementQueryRequested,
    *,
    unit: str,
    to: tuple[str, ...],
    rng: random.Random,
    now: dt.datetime,
) -> bytes:
    """The bytes of a bad record of `kind`, built around the inquiry `request` from `unit`."""
    event = _unsigned_event(request, unit=unit, to=to, rng=rng, now=now)
    if kind is BadRecord.BAD_CHECK_DIGIT:
        people = [s for s in event["data"]["subjects"] if s["id_type"] == "resident_id"]
        for subject in people[:1]:
            subject["id_no"] = _wrong_check_digit(subject["id_no"])
    raw = json.dumps(event, ensure_ascii=False).encode()
    if kind is BadRecord.MALFORMED_JSON:
        return raw[: len(raw) // 2]
    return raw


def _unsigned_event(
    request: EnforcementQueryRequested,
    *,
    unit: str,
    to: tuple[str, ...],
    rng: random.Random,
    now: dt.datetime,
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "source": source_uri(unit),
        "type": request.event_type,
        "subject": request.case_no,
        "time": now.astimezone(CHINA_TIME).isoformat(timespec="milliseconds"),
        "datacontenttype": "application/json",
        "purpose": "enforcement",
        "to": " ".join(to),
        "data": request.model_dump(mode="json", exclude_none=True),
    }


def _wrong_check_digit(id_no: str) -> str:
    """The same resident ID number with a check character GB 11643 refuses."""
    right = resident_id_check_char(id_no[:17])
    return id_no[:17] + ("0" if right != "0" else "1")
