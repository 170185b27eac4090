"""What the connector SDK raises to the application.

    ConnectorError
     ├── EventRefused       the event would be refused by the hub (schema, purpose, subject …);
     │                      raised by `publish`, `compose` and `reply` before anything is stored
     ├── ReplyNotAllowed    the reply type does not answer the delivered type, or the copy
     │                      carries no delivery token to echo
     └── NotStarted         the connector's local state is not open (call `start` first)

Raised inside a handler, a `ConnectorError` is a defect of the handler's own reply, so the SDK
does not retry it (see `connectors.sdk.dispatch`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemas.errors import Rejection


class ConnectorError(Exception):
    """Base of every error the SDK raises on purpose."""


class EventRefused(ConnectorError):  # noqa: N818 - names what happened to the event
    """The event breaks a rule the hub checks (`rejection` says which, with field paths).

    The message names codes and field paths only, never field values: it may be logged.
    """

    def __init__(self, rejection: Rejection) -> None:
        fields = ", ".join(problem.path for problem in rejection.fields)
        where = f" ({fields})" if fields else ""
        super().__init__(f"the hub would refuse this event: {rejection.code}{where}")
        self.rejection = rejection


class ReplyNotAllowed(ConnectorError):  # noqa: N818 - names the rule broken
    """A reply that the hub would refuse as `unknown_correlation`."""


class NotStarted(ConnectorError):  # noqa: N818 - names the state the connector is in
    """The connector was used before `start()` or after `stop()`."""
