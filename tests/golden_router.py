"""The router's outputs over the whole conformance corpus, recorded once as a golden fixture.

Every corpus sample (valid, invalid and raw) goes through `hub.router.decide.decision` with a fixed
context (fixed `now`, hub key and token secret, the unit tests' registry and routing table): the
valid ones signed by their source unit, answers carrying a token the hub issued for the event they
answer, and every sample also as it is in the corpus (unsigned, or with the corpus's placeholder
token). Each record written is one JSON line of `tests/unit/golden/router_outputs.jsonl`.

`python -m tests.golden_router` rewrites the fixture: only when the router's output is meant to
change, and the diff then says how. `tests/unit/test_router_golden.py` compares today's output with
it: journal records and dead letters byte for byte (but for the seal, which is the hub's signature
and checked by the journal's own tests), inbox copies and notices as JSON values without the hub's
signature (`sig`, `sigkey`, `hubproof`), whose form may change while what is delivered may not.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.journal.seal import PATH_HEADER, SEAL_HEADER
from hub.kafka.records import InboundRecord
from hub.router.decide import decision
from hub.router.proof import seal_batch
from hub.router.token import DeliveryToken, issue_token
from schemas.catalogue import lookup
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, is_unit_code, outbox_topic
from tests.fixtures.corpus.loader import (
    Sample,
    invalid_samples,
    raw_samples,
    valid_samples,
)
from tests.hubkit import TOKEN_SECRET, router_context, signed_by

if TYPE_CHECKING:
    from collections.abc import Iterator

    from hub.kafka.records import Outbound
    from hub.router.context import RouterContext

GOLDEN: Final = Path(__file__).resolve().parent / "unit/golden/router_outputs.jsonl"
NOW: Final = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
"""A Friday in late 2026, 10:30 in China: deadlines counted on working days and the time of day."""
HUB_KEY: Final = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"fyhub golden hub").digest())
UNSIGNED_FIELDS: Final = frozenset({"sig", "sigkey", "hubproof"})
"""What a copy carries of the hub's signature, left out of the comparison."""
SEAL_FORM: Final = frozenset({SEAL_HEADER, PATH_HEADER})
"""What a journal record carries of the hub's seal: its signature, and its place in the batch's
tree; left out of the comparison (the key id stays)."""
_FALLBACK_SENDER: Final = "court.411121"
"""The unit whose records carry a sample that names no unit as its source."""
_RECEIPTED_TYPE: Final = "debtor.listed.v1"
"""What the golden receipts acknowledge."""


def golden_context() -> RouterContext:
    return router_context(hub_key=HUB_KEY)


def cases() -> Iterator[tuple[str, InboundRecord]]:
    """Every record the fixture holds the router's output for, each with its name."""
    for offset, (name, sender, value) in enumerate(_inputs()):
        yield name, InboundRecord(outbox_topic(sender), 0, offset, b"outbox-key", value)


def _inputs() -> Iterator[tuple[str, str, bytes]]:
    samples: list[Sample] = [*valid_samples(), *invalid_samples()]
    for sample in samples:
        event = sample.event
        sender = _sender(event)
        yield f"{sample}:as-is", sender, sample.raw
        yield f"{sample}:signed", sender, _encoded(signed_by(_answering(event, sender), sender))
    for sample in raw_samples():
        yield f"{sample}:as-is", _FALLBACK_SENDER, sample.raw


def _sender(event: dict[str, Any]) -> str:
    source = event.get("source")
    prefix = "fy:unit:"
    if isinstance(source, str) and is_unit_code(source.removeprefix(prefix)):
        return source.removeprefix(prefix)
    return _FALLBACK_SENDER


def _answering(event: dict[str, Any], sender: str) -> dict[str, Any]:
    """An answer given the token the hub issued with the event it answers; others unchanged."""
    event_type = lookup(str(event.get("type")))
    if event_type is None or not event_type.needs_correlation:
        return event
    answered = event_type.answers[0] if event_type.answers else _RECEIPTED_TYPE
    token = DeliveryToken(
        event_id=str(event.get("correlationid")),
        source=_sender(_first_valid(answered).event),
        recipient=sender,
        event_type=answered,
    )
    return {**event, "hubdelivery": issue_token(token, TOKEN_SECRET)}


def _first_valid(event_type: str) -> Sample:
    return next(sample for sample in valid_samples() if sample.event_type == event_type)


def _encoded(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode()


def outputs(ctx: RouterContext) -> Iterator[dict[str, Any]]:
    """One line per record written, in the order written, sealed as the router seals a batch."""
    for name, record in cases():
        for index, out in enumerate(seal_batch(decision(record, ctx, NOW).records, ctx.signer)):
            yield line(name, index, out)


def line(case: str, index: int, out: Outbound) -> dict[str, Any]:
    return {
        "case": case,
        "index": index,
        "topic": out.topic,
        "key": None if out.key is None else base64.b64encode(out.key).decode(),
        "headers": [name for name, _ in out.headers if name != PATH_HEADER],
        "header_values": {
            name: base64.b64encode(value).decode()
            for name, value in out.headers
            if name not in SEAL_FORM
        },
        "value": base64.b64encode(out.value).decode() if byte_exact(out) else None,
        "json": None if byte_exact(out) else unsigned_value(out.value),
        "shrunk": None if out.shrunk is None else line(case, index, out.shrunk),
    }


def byte_exact(out: Outbound) -> bool:
    """Whether the record's value is compared byte for byte (or as a JSON value)."""
    return out.topic in {JOURNAL_TOPIC, DLQ_TOPIC}


def unsigned_value(value: bytes) -> Any:
    parsed = json.loads(value)
    return {name: item for name, item in parsed.items() if name not in UNSIGNED_FIELDS}


def write() -> int:
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps(item, ensure_ascii=False, sort_keys=True) for item in outputs(golden_context())
    ]
    GOLDEN.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


if __name__ == "__main__":
    sys.stdout.write(f"{write()} records written to {GOLDEN}\n")
