"""The hub's one signature per batch over what it writes for the units. Pure.

`decide` makes each copy (and each refusal notice) unsigned, its value the copy's RFC 8785 bytes
flagged `awaits_hub_proof`; `seal_batch` then builds one hash tree over every such record of the
batch, the writer's smaller stand-ins (`Outbound.shrunk`) included, signs its root once with the
hub's key and writes each copy with its `hubproof`, `sig` and `sigkey` (`schemas.hub_proof`).
A broadcast to 19 units is one signature, not 19; each recipient verifies its copy alone. The
batch's journal records are sealed the same way, under a tree of their own
(`hub.journal.seal.seal_tree`): the auditor verifies each alone too.
The tracker seals what each of its jobs writes the same way (`hub.tracker.work`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from hub.journal.seal import seal_tree
from schemas.hub_proof import sign_canonical

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hub.journal.seal import HubSigner
    from hub.kafka.records import Outbound


def seal_batch(records: Sequence[Outbound], signer: HubSigner) -> list[Outbound]:
    """`records` in their order: every copy awaiting the hub's proof signed under one root, every
    journal record awaiting its seal sealed under another (`hub.journal.seal.seal_tree`); dead
    letters as they are. Two signatures per batch at most, whatever its size."""
    waiting = [out for record in records for out in _with_stand_in(record) if out.awaits_hub_proof]
    signed: dict[int, bytes] = {}
    if waiting:
        proved = sign_canonical([out.value for out in waiting], signer.sign, signer.key_id)
        signed = dict(zip((id(out) for out in waiting), proved, strict=True))
    journal = [record for record in records if record.awaits_journal_seal]
    sealed = dict(zip(map(id, journal), seal_tree(journal, signer), strict=True)) if journal else {}
    if not signed and not sealed:
        return list(records)
    return [sealed.get(id(record)) or _sealed(record, signed) for record in records]


def _with_stand_in(record: Outbound) -> list[Outbound]:
    return [record] if record.shrunk is None else [record, *_with_stand_in(record.shrunk)]


def _sealed(record: Outbound, signed: dict[int, bytes]) -> Outbound:
    shrunk = None if record.shrunk is None else _sealed(record.shrunk, signed)
    if not record.awaits_hub_proof:
        return record if shrunk is record.shrunk else replace(record, shrunk=shrunk)
    return replace(record, value=signed[id(record)], shrunk=shrunk, awaits_hub_proof=False)
