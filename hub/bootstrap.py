"""The composition root: the only place that reads settings and builds the hub's parts.

Everything here is a function called at start-up (by the CLI, a service entry point or a test);
nothing is built at import time. Tests pass overrides instead of patching globals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from hub.routing.loader import Contracts, load_contracts_from
from hub.settings import Settings, SettingsError
from hub.store import engine as store_engine

if TYPE_CHECKING:
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from faststream.kafka import KafkaBroker
    from prometheus_client import CollectorRegistry
    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.acl.plan import Acl
    from hub.auditor.replay import JournalReplay
    from hub.auditor.service import AuditorService
    from hub.calendar import WorkingCalendar
    from hub.documents import DocumentsServer
    from hub.journal.seal import HubSigner
    from hub.journal.trust import JournalTrust
    from hub.kafka.access import KafkaAccess
    from hub.kafka.writer import RecordWriter
    from hub.observability.health import Probe
    from hub.observability.http import MetricsServer
    from hub.router.context import RouterContext
    from hub.router.freshness import FreshnessWindow
    from hub.router.service import RouterService
    from hub.routing.deadlines import DeadlinePolicy
    from hub.supervision.console import ConsoleServer
    from hub.tracker.service import Tracker


def _new_registry() -> CollectorRegistry:
    from prometheus_client import CollectorRegistry  # noqa: PLC0415

    return CollectorRegistry(auto_describe=True)


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with keyword overrides taking precedence; raises
    `hub.settings.SettingsError` naming each unknown or invalid setting."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError.of(error) from None


def load_contracts(settings: Settings) -> Contracts:
    """The unit registry and the routing table, checked against each other and the catalogue;
    raises `hub.registry.ContractError` naming every problem with its file and line."""
    return load_contracts_from(settings.registry, settings.routing)


def planned_acls(settings: Settings) -> list[Acl]:
    """The ACL set the unit registry implies for this hub's consumer groups (`hub.acl.plan`)."""
    from hub.acl.plan import planned_acls as plan  # noqa: PLC0415
    from hub.auditor.service import AUDITOR_GROUP  # noqa: PLC0415
    from hub.registry import load_registry  # noqa: PLC0415

    units = load_registry(settings.registry).units
    return plan(units, router_group=settings.router.group_id, auditor_group=AUDITOR_GROUP)


def planned_principals(settings: Settings) -> tuple[str, ...]:
    """Every SCRAM principal the unit registry implies: the hub's services and each unit."""
    from hub.acl.plan import planned_principals as principals  # noqa: PLC0415
    from hub.registry import load_registry  # noqa: PLC0415

    return principals(load_registry(settings.registry).units)


def local_credentials_folder(settings: Settings) -> Path | None:
    """Where the local broker keeps its principals' password files, or None when the settings
    name brokers of their own."""
    from hub.kafka import local_home  # noqa: PLC0415

    if settings.kafka.bootstrap is not None:
        return None
    return local_home.credentials_folder(settings.local_kafka.home / local_home.BROKER_FOLDER)


def build_calendar(settings: Settings) -> WorkingCalendar:
    """The working-day calendar: the arrangement files in `settings.calendar`, then the pinned
    package, then the statute (provisional); raises `hub.calendar.CalendarFileError` naming each
    bad file and its problem."""
    from hub.calendar import LibraryCalendar, WorkingCalendar, load_arrangements  # noqa: PLC0415

    return WorkingCalendar(load_arrangements(settings.calendar), LibraryCalendar())


def build_engine(settings: Settings, *, read_only: bool = False) -> AsyncEngine:
    """The audit and tracking store's engine, from `settings.db` (`read_only` for readers)."""
    return store_engine.build_engine(settings.db.url, echo=settings.db.echo, read_only=read_only)


def kafka_bootstrap(settings: Settings) -> str:
    """The configured brokers, or the local broker that `fyhub kafka up` runs."""
    return settings.kafka.bootstrap or f"127.0.0.1:{settings.local_kafka.port}"


def kafka_access(settings: Settings) -> KafkaAccess:
    """Where the brokers are and who this process is to them, from `settings.kafka`; the password
    comes from `password_file` when that is set.

    With no brokers configured the process talks to the local broker of `fyhub kafka up`: unless
    the settings say otherwise, as its administrator, with the password file and the CA that the
    broker's home keeps (`hub.kafka.local_home`)."""
    from hub.kafka import local_home  # noqa: PLC0415
    from hub.kafka.access import KafkaAccess, KafkaAccessError  # noqa: PLC0415
    from hub.kafka.credentials import CredentialError, password_path, read_password  # noqa: PLC0415

    kafka = settings.kafka
    username, password_file, ca_file = kafka.username, kafka.password_file, kafka.ca_file
    password = kafka.password.get_secret_value() if kafka.password is not None else None
    if kafka.bootstrap is None and kafka.security_protocol == "SASL_SSL":
        home = settings.local_kafka.home / local_home.BROKER_FOLDER
        username = username or local_home.ADMIN_PRINCIPAL
        if password is None and password_file is None:
            password_file = password_path(local_home.credentials_folder(home), username)
        ca_file = ca_file or local_home.ca_file(home)
    if password_file is not None:
        try:
            password = read_password(password_file)
        except CredentialError as error:
            raise KafkaAccessError(
                f"{error}: the password of Kafka principal {username} (for the local broker, "
                "`fyhub kafka up` writes it)"
            ) from None
    return KafkaAccess(
        kafka_bootstrap(settings),
        protocol=kafka.security_protocol,
        username=username,
        password=password,
        ca_file=ca_file,
    )


def build_broker(
    settings: Settings,
    *,
    client_id: str,
    observed: Observation | None = None,
    writes: bool = True,
) -> KafkaBroker:
    """A FastStream broker whose producer writes durably: `acks=all`, idempotent, and room for a
    1 MiB event plus the hub's additions (dead letters carry the whole refused record); with
    FastStream's Prometheus middleware when the process is `observed`.

    FastStream starts a producer for every broker. A service that `writes` nothing (the auditor)
    gets a plain one: an idempotent producer asks the brokers for a producer id at start, which
    they refuse to a principal allowed to write no topic (`hub.acl.plan`)."""
    from faststream.kafka import KafkaBroker  # noqa: PLC0415 - built only when a service starts

    from hub.observability.metrics import kafka_middleware  # noqa: PLC0415

    middlewares = (
        () if observed is None else (kafka_middleware(observed.registry, app_name=client_id),)
    )
    access = kafka_access(settings)
    return KafkaBroker(
        access.servers,
        security=access.faststream_security(),
        client_id=client_id,
        acks="all",
        enable_idempotence=writes,
        max_request_size=producer_max_request_size(settings),
        linger_ms=5,
        middlewares=middlewares,
        # FastStream logs every batch received and processed; at DEBUG, so that an operator's
        # console shows the hub's own messages (the metrics count the batches).
        log_level=logging.DEBUG,
    )


def is_local_run(settings: Settings) -> bool:
    """Whether the hub runs on one machine against the local broker (or cluster) of `fyhub kafka
    up`: no `kafka.bootstrap` configured, or only that broker's loopback addresses (`fyhub up`
    fills them in once it has started it). Only then are the shipped delivery-token secret and
    a signing key made on first start acceptable."""
    if settings.kafka.bootstrap is None:
        return True
    local = settings.local_kafka
    ports = (local.port, *local.cluster_ports)
    addresses = {address.strip() for address in settings.kafka.bootstrap.split(",")}
    return addresses <= {f"127.0.0.1:{port}" for port in ports}


def delivery_token_secret(settings: Settings) -> bytes:
    """The HMAC key of the `hubdelivery` tokens, from `token_secret_file` when that is set;
    raises `SettingsError` for the shipped secret outside a local run, or a loose file."""
    from hub.security.secret_files import (  # noqa: PLC0415
        SHIPPED_TOKEN_SECRET,
        SecretFileError,
        read_secret_file,
        token_secret_problem,
    )

    security = settings.security
    secret = security.token_secret.get_secret_value()
    if security.token_secret_file is not None:
        if secret != SHIPPED_TOKEN_SECRET:
            raise SettingsError(
                ["set one of FYHUB_SECURITY__TOKEN_SECRET and FYHUB_SECURITY__TOKEN_SECRET_FILE"]
            )
        try:
            secret = read_secret_file(security.token_secret_file)
        except SecretFileError as error:
            raise SettingsError([f"the delivery-token secret: {error}"]) from None
    if problem := token_secret_problem(secret, local_run=is_local_run(settings)):
        raise SettingsError([problem])
    return secret.encode()


def hub_signing_key_path(settings: Settings) -> Path:
    """The file of the key the hub signs with: `<signing_keys_dir>/<signing_key_id>.key`, or
    `signing_key_file`."""
    security = settings.security
    if security.signing_keys_dir is not None:
        return security.signing_keys_dir / f"{security.signing_key_id}.key"
    return security.signing_key_file


def load_hub_signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The hub's Ed25519 key: read from its file (mode 0600, its folder 0700 when it is
    `signing_keys_dir`); in a local run created there on first start. Raises `SettingsError`
    for a missing key outside a local run, a loose file or folder, or a file that is no key."""
    from hub.security.secret_files import (  # noqa: PLC0415
        SecretFileError,
        check_folder,
        missing_key_problem,
        read_secret_file,
        write_private_file,
    )
    from schemas.signing import (  # noqa: PLC0415
        dump_private_key_raw,
        generate_keypair,
        load_private_key_raw,
    )

    path = hub_signing_key_path(settings)
    local = is_local_run(settings)
    if problem := missing_key_problem(path, exists=path.exists(), local_run=local):
        raise SettingsError([problem])
    keys_dir = settings.security.signing_keys_dir
    try:
        if keys_dir is not None and keys_dir.exists():
            check_folder(keys_dir)
        if not path.exists():
            private_key, _ = generate_keypair()
            write_private_file(path, dump_private_key_raw(private_key) + "\n")
            return private_key
        return load_private_key_raw(read_secret_file(path))
    except SecretFileError as error:
        raise SettingsError([f"the hub's signing key: {error}"]) from None
    except ValueError as error:
        raise SettingsError([f"the hub's signing key {path}: {error}"]) from None


def load_hub_signer(settings: Settings) -> HubSigner:
    """The key the hub signs with now, and its id (`load_hub_signing_key`)."""
    from hub.journal.seal import HubSigner  # noqa: PLC0415

    return HubSigner(settings.security.signing_key_id, load_hub_signing_key(settings))


def build_journal_trust(settings: Settings) -> JournalTrust:
    """What the auditor and `fyhub replay` check journal records with: the hub's public keys
    (`security.hub_keys`, and the public half of the signing key when this process holds it,
    as it always does in a local run) and the units' keys from the registry. Raises
    `SettingsError` when no hub key is known, or the signing key contradicts a listed one."""
    from hub.journal.trust import JournalTrust  # noqa: PLC0415
    from hub.registry import load_registry  # noqa: PLC0415
    from hub.router.context import unit_keyrings  # noqa: PLC0415
    from hub.security.keyring import Keyring, ValidKey  # noqa: PLC0415
    from schemas.signing import dump_public_key  # noqa: PLC0415

    security = settings.security
    hub_keys = dict(Keyring.of(security.hub_keys).keys)
    if is_local_run(settings) or hub_signing_key_path(settings).exists() or not hub_keys:
        public = load_hub_signing_key(settings).public_key()
        listed = next((k for k in security.hub_keys if k.key_id == security.signing_key_id), None)
        if listed is None:
            hub_keys[security.signing_key_id] = ValidKey(security.signing_key_id, public)
        elif listed.public != dump_public_key(public):
            problem = (
                f"FYHUB_SECURITY__HUB_KEYS lists {security.signing_key_id} with another "
                "public key than the hub's signing key"
            )
            raise SettingsError([problem])
    return JournalTrust(
        hub_keys=Keyring(hub_keys),
        unit_keys=unit_keyrings(load_registry(settings.registry)),
        require_signatures=security.require_signatures,
        unsealed_before=security.unsealed_journal_before,
    )


WRITE_HEADROOM_BYTES = 65_536
"""Room a record leaves in a producer request for the batch and record framing."""


def producer_max_request_size(settings: Settings) -> int:
    """Room for a 1 MiB event plus the hub's additions (its extensions, dead-letter headers)."""
    return 4 * settings.kafka.max_record_bytes


def router_write_limit(settings: Settings) -> int:
    """The largest record the router writes: what its producer may send, less the headroom."""
    return producer_max_request_size(settings) - WRITE_HEADROOM_BYTES


def build_router_context(
    settings: Settings, contracts: Contracts, calendar: WorkingCalendar | None = None
) -> RouterContext:
    """What the router's (and the tracker's) decisions depend on; the calendar is read from
    `settings.calendar` unless given."""
    from hub.router.context import RouterContext  # noqa: PLC0415

    security = settings.security
    return RouterContext(
        registry=contracts.registry,
        table=contracts.routing,
        hub_key=load_hub_signing_key(settings),
        hub_key_id=security.signing_key_id,
        token_secret=delivery_token_secret(settings),
        deadlines=build_deadline_policy(settings),
        calendar=calendar or build_calendar(settings),
        max_record_bytes=settings.kafka.max_record_bytes,
        max_write_bytes=router_write_limit(settings),
        require_signatures=security.require_signatures,
        freshness=build_freshness_window(settings),
    )


def build_freshness_window(settings: Settings) -> FreshnessWindow:
    """How old or how far ahead an event's `time` may be, from `settings.router`."""
    from datetime import timedelta  # noqa: PLC0415

    from hub.router.freshness import FreshnessWindow  # noqa: PLC0415

    router = settings.router
    return FreshnessWindow(
        max_age=timedelta(seconds=router.max_age_s),
        max_ahead=timedelta(seconds=router.max_ahead_s),
    )


def build_deadline_policy(settings: Settings) -> DeadlinePolicy:
    from hub.routing.deadlines import DeadlinePolicy  # noqa: PLC0415

    return DeadlinePolicy(**settings.deadlines.model_dump())


@dataclass
class Observation:
    """What a process's services report into: one metrics registry, served at `/metrics`, and
    the health probes `/healthz` runs, by name."""

    registry: CollectorRegistry = field(default_factory=_new_registry)
    health: dict[str, Probe] = field(default_factory=dict)
    details: dict[str, Probe] = field(default_factory=dict)
    """What `/healthz` adds as details without turning unhealthy, by name."""


def build_metrics_server(
    settings: Settings, observed: Observation, *, port_offset: int = 0
) -> MetricsServer:
    """`/metrics` and `/healthz` over what `observed` collected."""
    from hub.observability.http import MetricsServer  # noqa: PLC0415

    obs = settings.observability
    return MetricsServer(
        observed.registry,
        probes=observed.health,
        details=observed.details,
        host=obs.host,
        port=obs.port + port_offset,
        probe_timeout_s=obs.probe_timeout_s,
    )


def build_record_writer(settings: Settings, *, client_id: str) -> RecordWriter:
    """An idempotent `acks=all` producer for the hub's own records (`fyhub calendar apply`)."""
    from hub.kafka.writer import RecordWriter  # noqa: PLC0415

    return RecordWriter(
        kafka_access(settings),
        client_id=client_id,
        max_request_size=4 * settings.kafka.max_record_bytes,
    )


def build_router(settings: Settings, *, observed: Observation | None = None) -> RouterService:
    """The router service: a broker subscribed to every registered unit's outbox, and the
    writer of its copies, journal entries and dead letters. Before it consumes, it recalls from
    the journal the events it routed within the freshness window (`hub.router.recall`)."""
    from datetime import timedelta  # noqa: PLC0415

    from hub.kafka.writer import RecordWriter  # noqa: PLC0415
    from hub.observability.health import broker_probe, stuck_partitions_probe  # noqa: PLC0415
    from hub.observability.hooks import NO_ROUTER_METRICS  # noqa: PLC0415
    from hub.observability.metrics import RouterMetrics  # noqa: PLC0415
    from hub.router.progress import PartitionProgress  # noqa: PLC0415
    from hub.router.recall import JournalRecall  # noqa: PLC0415
    from hub.router.seen import SeenEvents  # noqa: PLC0415
    from hub.router.service import RouterService, register_router, utc_now  # noqa: PLC0415
    from schemas.units import outbox_topic  # noqa: PLC0415

    contracts = load_contracts(settings)
    broker = build_broker(settings, client_id="fyhub-router", observed=observed)
    progress = PartitionProgress()
    access = kafka_access(settings)
    writer = RecordWriter(
        access,
        client_id="fyhub-router",
        max_request_size=producer_max_request_size(settings),
        linger_ms=settings.router.writer_linger_ms,
        max_batch_size=settings.router.writer_max_batch_size,
    )
    ctx = build_router_context(settings, contracts)
    seen = SeenEvents()
    pipeline = register_router(
        broker,
        writer,
        ctx,
        [outbox_topic(code) for code in sorted(contracts.registry.units)],
        group_id=settings.router.group_id,
        max_records=settings.router.max_records,
        metrics=NO_ROUTER_METRICS if observed is None else RouterMetrics(observed.registry),
        progress=progress,
        seen=seen,
        pipeline_depth=settings.router.pipeline_depth,
    )
    recall = JournalRecall(access, ctx.freshness, seen, clock=utc_now)
    if observed is not None:
        timeout_s = settings.observability.probe_timeout_s
        observed.health["router.kafka"] = broker_probe(broker, timeout_s=timeout_s)
        observed.health["router.progress"] = stuck_partitions_probe(
            progress, utc_now, limit=timedelta(seconds=settings.router.stuck_after_s)
        )
    return RouterService(broker, writer, recall=recall.run, pipeline=pipeline)


def build_tracker(settings: Settings, *, observed: Observation | None = None) -> Tracker:
    """The tracker service: sweeps the store for late receipts and replies every interval, and
    journals what it did about them."""
    from datetime import timedelta  # noqa: PLC0415

    from hub.deliveries.redelivery import RedeliveryPolicy  # noqa: PLC0415
    from hub.kafka.writer import RecordWriter  # noqa: PLC0415
    from hub.observability.health import (  # noqa: PLC0415
        provisional_deadlines_detail,
        store_probe,
        writer_probe,
    )
    from hub.observability.hooks import NO_TRACKER_METRICS  # noqa: PLC0415
    from hub.observability.metrics import TrackerMetrics  # noqa: PLC0415
    from hub.tracker.service import Tracker  # noqa: PLC0415

    tracker = settings.tracker
    writer = RecordWriter(
        kafka_access(settings),
        client_id="fyhub-tracker",
        max_request_size=producer_max_request_size(settings),
    )
    # Read-only: the tracker journals its decisions, and the auditor writes them to the store.
    engine = build_engine(settings, read_only=True)
    metrics = None if observed is None else TrackerMetrics(observed.registry)
    if observed is not None and metrics is not None:
        timeout_s = settings.observability.probe_timeout_s
        observed.health["tracker.kafka"] = writer_probe(writer.ping, timeout_s=timeout_s)
        observed.health["tracker.store"] = store_probe(partial(store_engine.ping, engine))
        observed.details["tracker.calendar"] = provisional_deadlines_detail(
            lambda: metrics.provisional_open
        )
    return Tracker(
        writer=writer,
        store=engine,
        ctx=build_router_context(settings, load_contracts(settings)),
        policy=RedeliveryPolicy(
            interval=timedelta(seconds=tracker.redelivery_interval_s),
            max_attempts=tracker.max_attempts,
        ),
        interval=timedelta(seconds=tracker.interval_s),
        metrics=metrics or NO_TRACKER_METRICS,
        measure_reminder_working_days=tracker.measure_reminder_working_days,
    )


def build_auditor(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    topic: str | None = None,
    group_id: str | None = None,
    observed: Observation | None = None,
) -> AuditorService:
    """The auditor service: a broker subscribed to the journal, writing the store.

    Its store is a new engine from `settings.db`, disposed of when the service stops, or the
    caller's `engine`, left to the caller. `topic` replaces `fy.hub.journal` and `group_id` the
    auditor's consumer group (tests, and a second store fed from the same journal)."""
    from sqlalchemy.ext.asyncio import async_sessionmaker  # noqa: PLC0415

    from hub.auditor.service import AUDITOR_GROUP, AuditorService, register_auditor  # noqa: PLC0415
    from hub.journal.trust import Refusal  # noqa: PLC0415
    from hub.observability.health import (  # noqa: PLC0415
        broker_probe,
        journal_lag_probe,
        store_probe,
    )
    from hub.observability.hooks import NO_AUDITOR_METRICS  # noqa: PLC0415
    from hub.observability.metrics import AuditorMetrics  # noqa: PLC0415
    from schemas.units import JOURNAL_TOPIC  # noqa: PLC0415

    broker = build_broker(settings, client_id="fyhub-auditor", observed=observed, writes=False)
    store = engine or build_engine(settings)
    sessions = async_sessionmaker(store, expire_on_commit=False)
    refusals = [refusal.value for refusal in Refusal]
    metrics = None if observed is None else AuditorMetrics(observed.registry, refusals=refusals)
    stats = register_auditor(
        broker,
        sessions,
        trust=build_journal_trust(settings),
        topic=topic or JOURNAL_TOPIC,
        group_id=group_id or AUDITOR_GROUP,
        metrics=metrics or NO_AUDITOR_METRICS,
    )
    if observed is not None and metrics is not None:
        obs = settings.observability
        observed.health["auditor.kafka"] = broker_probe(broker, timeout_s=obs.probe_timeout_s)
        observed.health["auditor.store"] = store_probe(partial(store_engine.ping, store))
        observed.health["auditor.journal_lag"] = journal_lag_probe(
            lambda: metrics.journal_lag, limit=obs.journal_lag_limit
        )
    return AuditorService(broker, store, stats, owns_engine=engine is None)


def build_console(settings: Settings, *, engine: AsyncEngine | None = None) -> ConsoleServer:
    """The office console over the store at `engine` (left to the caller), or over a read-only
    engine and a writing one (sign-ins, trace views) from `settings.db` that the server disposes
    of when it stops; raises `SettingsError` when the session secret cannot be read."""
    from datetime import timedelta  # noqa: PLC0415

    from hub.registry import load_registry  # noqa: PLC0415
    from hub.supervision.console import ConsoleServer, create_console_app  # noqa: PLC0415
    from hub.supervision.console.accounts import Lockout  # noqa: PLC0415
    from hub.supervision.console.app import ConsoleSecurity  # noqa: PLC0415

    console = settings.console
    security = ConsoleSecurity(
        session_secret=load_console_session_secret(settings),
        secure_cookie=console.secure_cookie,
        session_max_age=timedelta(seconds=console.session_max_age_s),
        lockout=Lockout(console.max_failed_logins, timedelta(seconds=console.lockout_s)),
    )
    registry = load_registry(settings.registry)
    if engine is not None:
        app = create_console_app(engine, registry, security)
        return ConsoleServer(app, host=console.host, port=console.port)
    reader, writer = build_engine(settings, read_only=True), build_engine(settings)
    app = create_console_app(reader, registry, security, write_engine=writer)
    return ConsoleServer(app, host=console.host, port=console.port, engines=(reader, writer))


CONSOLE_SECRET_MIN_CHARS = 32


def load_console_session_secret(settings: Settings) -> str:
    """The key that signs the console's session cookies, from `console.session_secret_file`:
    at least 32 characters, in a file only its owner can read. `fyhub up` creates it; the
    console never starts on a made-up one."""
    path = settings.console.session_secret_file
    variable = "FYHUB_CONSOLE__SESSION_SECRET_FILE (console.session_secret_file)"
    try:
        mode = path.stat().st_mode
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        problem = (
            f"{variable}: the console's session secret cannot be read from {path} "
            f"({error.strerror}); create it with `umask 077; head -c 48 /dev/urandom | "
            f"base64 -w0 > {path}`"
        )
        raise SettingsError([problem]) from None
    if mode & 0o077:
        raise SettingsError([f"{variable}: {path} is readable by others; chmod 600 {path}"])
    if len(secret) < CONSOLE_SECRET_MIN_CHARS:
        raise SettingsError(
            [f"{variable}: {path} holds fewer than {CONSOLE_SECRET_MIN_CHARS} characters"]
        )
    return secret


def build_journal_replay(
    settings: Settings, engine: AsyncEngine, *, topic: str | None = None
) -> JournalReplay:
    """`fyhub replay`: reads the journal once, up to its current end, into the store at `engine`."""
    from sqlalchemy.ext.asyncio import async_sessionmaker  # noqa: PLC0415

    from hub.auditor.replay import JournalReplay  # noqa: PLC0415
    from schemas.units import JOURNAL_TOPIC  # noqa: PLC0415

    sessions = async_sessionmaker(engine, expire_on_commit=False)
    return JournalReplay(
        kafka_access(settings),
        sessions,
        topic=topic or JOURNAL_TOPIC,
        trust=build_journal_trust(settings),
    )


# --- documents (文书附件) -------------------------------------------------------------------------


def build_documents(settings: Settings, *, engine: AsyncEngine | None = None) -> DocumentsServer:
    """The document store over the hub store at `engine` (left to the caller), or over a
    read-only engine from `settings.db` that the server disposes of when it stops; the units'
    keys from the registry authenticate its requests."""
    from datetime import UTC, datetime, timedelta  # noqa: PLC0415

    from hub.documents import DocumentsServer  # noqa: PLC0415
    from hub.documents.app import DocumentsContext, create_documents_app  # noqa: PLC0415
    from hub.documents.blobs import BlobStore  # noqa: PLC0415
    from hub.registry import load_registry  # noqa: PLC0415
    from hub.router.context import unit_keyrings  # noqa: PLC0415

    documents = settings.documents
    owned = engine is None
    reader = build_engine(settings, read_only=True) if engine is None else engine
    context = DocumentsContext(
        engine=reader,
        keyrings=unit_keyrings(load_registry(settings.registry)),
        blobs=BlobStore(documents.blob_dir),
        clock=lambda: datetime.now(UTC),
        max_bytes=documents.max_bytes,
        skew=timedelta(seconds=documents.clock_skew_s),
    )
    return DocumentsServer(
        create_documents_app(context),
        host=documents.host,
        port=documents.port,
        engines=(reader,) if owned else (),
    )
