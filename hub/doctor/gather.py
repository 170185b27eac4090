"""The I/O of `fyhub doctor`: ask the brokers, the store and the settings' files for the facts
`hub.doctor.checks` judges. Nothing is created or changed: a missing key is not made, a store is
not migrated, a topic is not applied. A failure to ask becomes a fact (`error`), not an
exception, so that every other check still runs.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from hub import bootstrap
from hub.doctor.facts import (
    BrokerFacts,
    CalendarFacts,
    DeploymentFacts,
    KeyFacts,
    SigningKeyFacts,
    StoreFacts,
)
from hub.settings import SettingsError

T = TypeVar("T")
Answer = tuple[T, str | None]
"""What the brokers answered, or an empty value and why they did not."""

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from sqlalchemy.engine import URL

    from hub.acl.plan import Acl
    from hub.kafka.topics import TopicSpec, TopicState
    from hub.settings import Settings


async def gather(
    settings: Settings, *, years: tuple[int, ...], timeout_s: float
) -> DeploymentFacts:
    """Every fact about the deployment `settings` describe; `years` are those the calendar is
    asked about, and `timeout_s` bounds each question to the brokers and the store."""
    from hub.kafka.topics import planned_topics  # noqa: PLC0415

    specs = planned_topics(bootstrap.load_contracts(settings).registry.units, settings.kafka)
    brokers, (acls, acl_error), (topics, topic_error) = await _ask_brokers(
        settings, specs, timeout_s=timeout_s
    )
    return DeploymentFacts(
        replication=settings.kafka.replication,
        brokers=brokers,
        planned_acls=bootstrap.planned_acls(settings),
        present_acls=acls,
        planned_topics=specs,
        topics=topics,
        acl_error=acl_error,
        topic_error=topic_error,
        store=await _ask_store(settings, timeout_s=timeout_s),
        keys=_read_keys(settings),
        calendar=_read_calendar(settings, years),
    )


async def _ask_brokers(
    settings: Settings, specs: list[TopicSpec], *, timeout_s: float
) -> tuple[BrokerFacts, Answer[list[Acl]], Answer[dict[str, TopicState]]]:
    from hub.acl.broker import present_acls  # noqa: PLC0415
    from hub.kafka.access import KafkaAccessError  # noqa: PLC0415
    from hub.kafka.admin import admin_client  # noqa: PLC0415
    from hub.kafka.topics import topic_states  # noqa: PLC0415

    kafka = settings.kafka
    unasked: tuple[Answer[list[Acl]], Answer[dict[str, TopicState]]] = (([], None), ({}, None))
    unanswered = BrokerFacts(bootstrap.kafka_bootstrap(settings), kafka.security_protocol, None)
    try:
        access = bootstrap.kafka_access(settings)
    except KafkaAccessError as error:
        return _with_error(unanswered, str(error)), *unasked
    said = BrokerFacts(access.bootstrap, access.protocol, access.username)

    async def planned_states() -> dict[str, TopicState]:
        async with admin_client(access, client_id="fyhub-doctor") as admin:
            listed = set(await admin.list_topics())
            return await topic_states(admin, [s.name for s in specs if s.name in listed])

    try:
        async with asyncio.timeout(timeout_s):
            async with admin_client(access, client_id="fyhub-doctor") as admin:
                cluster = await admin.describe_cluster()
    except TimeoutError:
        return _with_error(said, f"no answer within {timeout_s:g} s"), *unasked
    except Exception as error:  # any refusal is a finding: credentials, TLS, no broker
        return _with_error(said, _first_line(error)), *unasked
    ids = tuple(sorted(broker["node_id"] for broker in cluster["brokers"]))
    facts = BrokerFacts(access.bootstrap, access.protocol, access.username, broker_ids=ids)
    # Answered, the brokers may still refuse a principal that is not their administrator.
    acls = await _answer(present_acls(access), [], timeout_s=timeout_s)
    topics = await _answer(planned_states(), {}, timeout_s=timeout_s)
    return facts, acls, topics


async def _answer(asked: Awaitable[T], empty: T, *, timeout_s: float) -> Answer[T]:
    """What `asked` returned, or `empty` and why it failed."""
    try:
        async with asyncio.timeout(timeout_s):
            return await asked, None
    except TimeoutError:
        return empty, f"no answer within {timeout_s:g} s"
    except Exception as error:  # an authorization error, a broker gone meanwhile
        return empty, _first_line(error)


def _with_error(facts: BrokerFacts, error: str) -> BrokerFacts:
    return BrokerFacts(facts.bootstrap, facts.protocol, facts.principal, error=error)


async def _ask_store(settings: Settings, *, timeout_s: float) -> StoreFacts:
    from alembic.script import ScriptDirectory  # noqa: PLC0415
    from alembic.util import CommandError  # noqa: PLC0415
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    from hub.store.migrate import alembic_config, current_revision, head_revision  # noqa: PLC0415

    parsed = make_url(settings.db.url)
    url = parsed.render_as_string(hide_password=True)
    head = head_revision()
    if (missing := _missing_sqlite_file(parsed)) is not None:
        return StoreFacts(url, head, error=f"there is no store file {missing}")
    try:
        engine = bootstrap.build_engine(settings, read_only=True)
        try:
            async with asyncio.timeout(timeout_s):
                current = await current_revision(engine)
        finally:
            await engine.dispose()
    except TimeoutError:
        return StoreFacts(url, head, error=f"no answer within {timeout_s:g} s")
    except Exception as error:  # the driver's: refused, no such database, no such file
        return StoreFacts(url, head, error=_first_line(error))
    known = True
    if current is not None:
        try:
            ScriptDirectory.from_config(alembic_config()).get_revision(current)
        except CommandError:
            known = False
    return StoreFacts(url, head, current=current, current_known=known)


def _missing_sqlite_file(url: URL) -> str | None:
    """The SQLite file `url` names when it does not exist: opening it would create it, and
    doctor changes nothing."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    return None if database.startswith("file:") or Path(database).exists() else database


def _read_keys(settings: Settings) -> KeyFacts:
    from hub.security.secret_files import (  # noqa: PLC0415
        SHIPPED_TOKEN_SECRET,
        SecretFileError,
        read_secret_file,
    )

    security = settings.security
    secret: str | None = security.token_secret.get_secret_value()
    refusal = None
    if security.token_secret_file is not None:
        if secret != SHIPPED_TOKEN_SECRET:
            refusal = (
                "both FYHUB_SECURITY__TOKEN_SECRET and FYHUB_SECURITY__TOKEN_SECRET_FILE are "
                "set: the hub refuses to start"
            )
        try:
            secret = read_secret_file(security.token_secret_file)
        except SecretFileError as error:
            secret, refusal = None, f"the delivery-token secret: {error}"
    console_error = None
    if settings.console.enabled:
        try:
            bootstrap.load_console_session_secret(settings)
        except SettingsError as error:
            console_error = "; ".join(error.problems)
    return KeyFacts(
        signing_key=_read_signing_key(settings),
        token_secret=secret,
        token_secret_error=refusal,
        console_secret_error=console_error,
    )


def _read_signing_key(settings: Settings) -> SigningKeyFacts:
    from hub.security.secret_files import (  # noqa: PLC0415
        SecretFileError,
        check_folder,
        read_secret_file,
    )
    from schemas.signing import dump_public_key, load_private_key_raw  # noqa: PLC0415

    security = settings.security
    key_id = security.signing_key_id
    path = bootstrap.hub_signing_key_path(settings)
    listed = next((str(k.public) for k in security.hub_keys if k.key_id == key_id), None)
    if not path.exists():
        return SigningKeyFacts(key_id, path, exists=False, listed_public=listed)
    try:
        if security.signing_keys_dir is not None:
            check_folder(security.signing_keys_dir)
        public = dump_public_key(load_private_key_raw(read_secret_file(path)).public_key())
    except SecretFileError as error:
        return SigningKeyFacts(key_id, path, exists=True, error=str(error), listed_public=listed)
    except ValueError as error:
        problem = f"{path} holds no Ed25519 key: {error}"
        return SigningKeyFacts(key_id, path, exists=True, error=problem, listed_public=listed)
    return SigningKeyFacts(key_id, path, exists=True, public=public, listed_public=listed)


def _read_calendar(settings: Settings, years: tuple[int, ...]) -> CalendarFacts:
    from hub.calendar import CalendarFileError  # noqa: PLC0415

    try:
        calendar = bootstrap.build_calendar(settings)
    except CalendarFileError as error:
        return CalendarFacts(settings.calendar, error=str(error))
    return CalendarFacts(settings.calendar, {year: calendar.source_of(year) for year in years})


def _first_line(error: BaseException) -> str:
    name = type(error).__name__
    lines = str(error).strip().splitlines()
    if not lines:
        return name
    return lines[0] if lines[0].startswith(name) else f"{name}: {lines[0]}"
