"""The tracker's marks journalled but not yet seen in the store. Pure.

The tracker only reads the store; the auditor writes its marks there when it applies the
journal, a moment (or, while the auditor is behind, much more) later. A sweep in between would
find the stage still unmarked and journal the same mark again. The auditor would change nothing
with it (`hub.journal.marks` is idempotent), but the units would get their notices and copies
again. So each sweep sees the store through its own pending marks, applied with the auditor's
rules, and a pending mark is forgotten as soon as it changes nothing any more: the store shows
it, the delivery's facts have moved past it (it will never apply), or the delivery is settled.

The overlay is memory only. A tracker that restarts before the auditor has caught up sends the
marks again, which is the crash window `hub.tracker.service` describes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.journal.marks import mark_changes, mark_key

if TYPE_CHECKING:
    from collections.abc import Container, Iterable, Sequence

    from hub.deliveries.state import Delivery, DeliveryKey
    from hub.journal.entries import DeliveryMark


class PendingMarks:
    """Per delivery, in the order journalled, the marks the store did not show at the last look."""

    def __init__(self) -> None:
        self._marks: dict[DeliveryKey, list[DeliveryMark]] = {}

    def __len__(self) -> int:
        return sum(len(marks) for marks in self._marks.values())

    def add(self, marks: Iterable[DeliveryMark]) -> None:
        for mark in marks:
            self._marks.setdefault(mark_key(mark), []).append(mark)

    def __contains__(self, key: object) -> bool:
        return key in self._marks

    def over(self, stored: Sequence[Delivery]) -> list[Delivery]:
        """The open deliveries as the store has them, each with its pending marks on top.

        Forgets the marks that change nothing on the stored delivery and those of deliveries
        no longer open (absent from `stored`)."""
        self.forget_all_but({d.key for d in stored})
        return self.over_page(stored)

    def forget_all_but(self, open_keys: Container[DeliveryKey]) -> None:
        """Forget the marks of every delivery not in `open_keys` (no longer open)."""
        for key in [key for key in self._marks if key not in open_keys]:
            del self._marks[key]

    def over_page(self, stored: Sequence[Delivery]) -> list[Delivery]:
        """`over` for one page of the open deliveries: forgets the marks that change nothing on
        them, and none of the deliveries elsewhere (`forget_all_but` does, after the last page)."""
        seen = []
        for d in stored:
            marks = self._marks.get(d.key)
            if marks is None:
                seen.append(d)
                continue
            overlaid, still = _overlaid(d, marks)
            if still:
                self._marks[d.key] = still
            else:
                del self._marks[d.key]
            seen.append(overlaid)
        return seen

    def on(self, d: Delivery) -> Delivery:
        """`d` with its pending marks on top; forgets nothing."""
        return _overlaid(d, self._marks.get(d.key, []))[0]


def _overlaid(d: Delivery, marks: Iterable[DeliveryMark]) -> tuple[Delivery, list[DeliveryMark]]:
    still = []
    for mark in marks:
        after = mark_changes(d, mark)
        if after is not None:
            d = after
            still.append(mark)
    return d, still
