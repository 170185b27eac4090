"""The hub's one signature per batch over what it writes for the units. Pure.

`decide` makes each copy (and each refusal notice) unsigned, its value the copy's RFC 8785 bytes
flagged `awaits_hub_proof`; `seal_batch` then builds one hash tree over every such record of the
batch, the writer's smaller stand-ins (`Outbound.shrunk`) included, signs its root once with the
hub's key and writes each copy with its `hubproof`, `sig` and `sigkey` (`schemas.hub_proof`).
A broadcast to 19 units is one signature, not 19; each recipient verifies its copy alone.
The tracker seals what each of its jobs writes the same way (`hub.tracker.work`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from schemas.hub_proof import sign_canonical

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hub.journal.seal import HubSigner
    from hub.kafka.records import Outbound


def seal_batch(records: Sequence[Outbound], signer: HubSigner) -> list[Outbound]:
    """`records` in their order, every one awaiting the hub's proof signed under one root; the
    others (journal entries, dead letters) as they are."""
    waiting = [out for record in records for out in _with_stand_in(record) if out.awaits_hub_proof]
    if not waiting:
        return list(records)
    signed = dict(
        zip(
            (id(out) for out in waiting),
            sign_canonical([out.value for out in waiting], signer.sign, signer.key_id),
            strict=True,
        )
    )
    return [_sealed(record, signed) for record in records]


def _with_stand_in(record: Outbound) -> list[Outbound]:
    return [record] if record.shrunk is None else [record, *_with_stand_in(record.shrunk)]


def _sealed(record: Outbound, signed: dict[int, bytes]) -> Outbound:
    shrunk = None if record.shrunk is None else _sealed(record.shrunk, signed)
    if not record.awaits_hub_proof:
        return record if shrunk is record.shrunk else replace(record, shrunk=shrunk)
    return replace(record, value=signed[id(record)], shrunk=shrunk, awaits_hub_proof=False)
