"""Why the store refused a batch: a passing condition to wait out, or an entry it cannot hold.

The auditor retries a batch the store refused for a passing reason (the database down, locked,
restarting, out of connections, a deadlock or serialisation failure): the store has survived
PostgreSQL down for half a minute that way. Any other failure may be one entry the store can never
hold (a NUL in PostgreSQL text, a time out of its range); retried, it would block the journal for
ever, so the auditor applies that batch entry by entry and skips the one that fails on its own
(`hub.auditor.service`). Pure.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

from schemas.errors import storable_text

_TRANSIENT_TYPES: Final = (
    OperationalError,  # SQLite "database is locked", PostgreSQL gone or refusing connections
    InterfaceError,
    DisconnectionError,
    TimeoutError,
    OSError,  # ConnectionRefusedError and friends, raised before SQLAlchemy wraps them
)
_TRANSIENT_SQLSTATE_CLASSES: Final = ("08", "40", "53", "57", "58")
"""Connection exception, transaction rollback (deadlock, serialisation), insufficient resources,
operator intervention (shutdown, cancel), system error."""
_TRANSIENT_SQLSTATES: Final = ("55P03", "55006")
"""Lock not available, object in use."""
_REASON_CHARS: Final = 200


def is_transient(error: BaseException) -> bool:
    """True when the same batch may well succeed later, unchanged."""
    if isinstance(error, _TRANSIENT_TYPES):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    state = sqlstate(error)
    return state is not None and (
        state[:2] in _TRANSIENT_SQLSTATE_CLASSES or state in _TRANSIENT_SQLSTATES
    )


def sqlstate(error: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE of a database error, when its driver gives one."""
    for candidate in (getattr(error, "orig", None), error.__cause__, error):
        for name in ("sqlstate", "pgcode"):
            value = getattr(candidate, name, None)
            if isinstance(value, str) and len(value) == 5:
                return value
    return None


def reason(error: BaseException) -> str:
    """The error's kind and the first line of what the database (or Python) said: never the
    statement's parameters, which hold envelopes with ID numbers."""
    said = str(getattr(error, "orig", None) or error).splitlines()
    first = storable_text(said[0][:_REASON_CHARS]) if said else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__
