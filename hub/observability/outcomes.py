"""The numbers behind the hub's metrics that the services' facts do not state outright. Pure.

- `overdue_counts`: the open deliveries past a due time, per recipient and stage.

Label values stay bounded: units come from the outbox and inbox topics the hub subscribes to
and writes (the registry's units), types from the catalogue (a record refused before its type was
checked is `unknown`), codes from `ErrorCode`.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Final

from hub.deliveries.state import stages_past_due

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from hub.deliveries.state import Delivery

UNKNOWN: Final = "unknown"
"""The label value for a type or a unit the record did not (readably) name."""


def overdue_counts(deliveries: Iterable[Delivery], now: datetime) -> Counter[tuple[str, str]]:
    """(recipient, stage) → open deliveries whose stage is past due at `now`."""
    return Counter(
        (d.recipient, stage.value) for d in deliveries for stage in stages_past_due(d, now)
    )
