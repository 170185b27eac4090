"""SCRAM credentials for the principals the registry implies: created when missing, rotated on
request, each password kept in its own 0600 file for whoever runs that principal.

A unit's liaison receives its unit's file by a channel of the office's choosing; the hub's
services read theirs through `FYHUB_KAFKA__PASSWORD_FILE`. A password is set on the brokers first
and written to its file after, so a file never holds a password the brokers do not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hub.kafka import scram_admin
from hub.kafka.credentials import new_password, password_path, read_password, write_password

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from hub.kafka.access import KafkaAccess


@dataclass(slots=True)
class CredentialsReport:
    created: list[str] = field(default_factory=list)
    rotated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


async def ensure_credentials(
    admin: KafkaAccess, principals: Iterable[str], folder: Path, *, rotate: Iterable[str] = ()
) -> CredentialsReport:
    """Give every principal a credential on the brokers and a password file in `folder`.

    A principal the brokers know keeps its password unless it is in `rotate` or `folder` has no
    file for it (the password cannot be recovered, so it is rotated); one they do not know gets
    the password of its file when there is one (a local broker's home), else a new one.
    The principal `admin` connects as is left alone. Waits until every broker accepts each new
    password."""
    # the administrator's own credential is the operator's, never drawn here
    principals = [p for p in dict.fromkeys(principals) if p != admin.username]
    to_rotate = set(rotate)
    unknown = to_rotate - set(principals)
    if unknown:
        raise ValueError(f"not principals of this registry: {', '.join(sorted(unknown))}")
    known = await scram_admin.describe_credentials(admin, principals)
    report = CredentialsReport()
    for principal in principals:
        path = password_path(folder, principal)
        if principal in to_rotate or (principal in known and not path.exists()):
            # a known principal whose file is not here: its password cannot be recovered
            await _set(admin, principal, new_password(), path)
            report.rotated.append(principal)
        elif principal not in known:
            password = read_password(path) if path.exists() else new_password()
            await _set(admin, principal, password, path)
            report.created.append(principal)
        else:
            report.kept.append(principal)
    return report


async def _set(admin: KafkaAccess, principal: str, password: str, path: Path) -> None:
    await scram_admin.set_password(admin, principal, password)
    write_password(path, password)
