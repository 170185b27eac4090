"""The hub's one settings object.

Read only by `hub.bootstrap`. Every value has a safe local default, so `fyhub up` and the tests work
on a fresh machine; production overrides them through `FYHUB_*` environment variables, nested with
`__` (`FYHUB_KAFKA__BOOTSTRAP=broker-1:9092`, `FYHUB_DB__URL=postgresql+asyncpg://…`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    SecretStr,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.registry.models import KeyId, KeyList
from hub.security.secret_files import SHIPPED_TOKEN_SECRET

if TYPE_CHECKING:
    from pydantic import ValidationError

STATE_DIR = Path(".fyhub")
ENV_PREFIX: Final = "FYHUB_"
ENV_NESTED_DELIMITER: Final = "__"
PRODUCTION_DURABILITY: Final = {"replication": 3, "min_insync_replicas": 2}
"""What `kafka.profile=production` sets unless given: three replicas, two of them in sync."""


class SettingsError(ValueError):
    """Settings the hub refuses to start with: each problem names its `FYHUB_*` variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems

    @classmethod
    def of(cls, error: ValidationError) -> SettingsError:
        return cls([_problem(e["loc"], e["type"], e["msg"]) for e in error.errors()])


def env_name(location: tuple[int | str, ...]) -> str:
    """The environment variable of a setting: `("kafka", "username")` → `FYHUB_KAFKA__USERNAME`."""
    return ENV_PREFIX + ENV_NESTED_DELIMITER.join(str(part) for part in location).upper()


def _problem(location: tuple[int | str, ...], kind: str, message: str) -> str:
    # Only the setting's name: the refused value may be a password.
    dotted = ".".join(str(part) for part in location)
    if kind == "extra_forbidden":
        return f"{env_name(location)} ({dotted}) is not a setting of fyhub"
    return f"{env_name(location)} ({dotted}): {message}"


class _Section(BaseModel):
    """A nested group of settings (`FYHUB_<GROUP>__<NAME>`); a name it does not know is refused,
    so that a misspelt variable fails the start instead of leaving its default in force."""

    model_config = ConfigDict(extra="forbid")


class KafkaSettings(_Section):
    """How the hub reaches Kafka and how it shapes its topics."""

    bootstrap: str | None = Field(
        default=None,
        description="host:port list; unset means the local broker that `fyhub kafka up` manages",
    )
    partitions: int = Field(default=3, ge=1)
    outbox_partitions_by_dept: dict[str, PositiveInt] = Field(default_factory=lambda: {"court": 6})
    """Outbox partitions of the busiest departments' units (more than `partitions`), so that
    several routers can share one (each partition is read by one router). `topics apply` raises
    an existing outbox to this, never lowers it. JSON: `FYHUB_KAFKA__OUTBOX_PARTITIONS_BY_DEPT=
    '{"court": 6, "police": 6}'`."""
    profile: Literal["local", "production"] = "local"
    """How the hub's topics are made durable (`hub.kafka.topics`, docs/operations.md): `local`
    (one broker: replication 1, min ISR 1) or `production` (three brokers or more: replication 3,
    min ISR 2, so that one broker may be lost without losing a write or refusing one). Retention
    and unclean leader election are the same in both: the law does not depend on the size."""
    replication: int = Field(default=1, ge=1)
    """Replicas of each topic; unset, the profile's (1 local, 3 production)."""
    min_insync_replicas: int = Field(default=1, ge=1)
    """Replicas that must hold a write before the brokers acknowledge it (`acks=all`); unset,
    the profile's (1 local, 2 production)."""
    max_record_bytes: int = Field(default=1_048_576, ge=1024)
    security_protocol: Literal["SASL_SSL", "PLAINTEXT"] = "SASL_SSL"
    """How every hub client connects (`hub.kafka.access`); also how `fyhub kafka up` runs the
    local broker. PLAINTEXT is an explicit opt-out for unit tests and debugging only."""
    username: str | None = None
    """The SCRAM-SHA-512 principal of this process; for the local broker (`bootstrap` unset)
    `admin` when unset."""
    password: SecretStr | None = None
    password_file: Path | None = None
    """Where the principal's password is kept (mode 0600), instead of `password`; for the local
    broker, its home's `credentials/<username>.password` when unset."""
    ca_file: Path | None = None
    """The CA that signed the brokers' certificates; unset trusts the system's store, or, for
    the local broker, its home's `tls/ca.crt`."""

    @model_validator(mode="before")
    @classmethod
    def _profile_durability(cls, data: Any) -> Any:
        # The profile gives replication and min ISR unless they are set themselves: a set value
        # wins (a two-broker test deployment), and `fyhub doctor` then checks that one.
        if isinstance(data, dict) and data.get("profile") == "production":
            return PRODUCTION_DURABILITY | data
        return data

    @model_validator(mode="after")
    def _writable(self) -> KafkaSettings:
        if self.min_insync_replicas > self.replication:
            # Every acks=all write would be refused (NOT_ENOUGH_REPLICAS).
            raise ValueError(
                f"min_insync_replicas ({self.min_insync_replicas}) exceeds replication "
                f"({self.replication}): the brokers would refuse every write"
            )
        return self


class LocalKafkaSettings(_Section):
    """The broker (or three-node cluster) run from Maven Central jars on this machine."""

    jars: Path = Path("build/kafka/jars")
    home: Path = STATE_DIR / "kafka"
    port: int = 19092
    controller_port: int = 19093
    cluster_ports: tuple[int, int, int] = (29091, 29092, 29093)
    cluster_controller_ports: tuple[int, int, int] = (29191, 29192, 29193)
    heap: str = "512m"
    start_timeout_s: float = 120.0


class DatabaseSettings(_Section):
    """The audit and tracking store: SQLite by default, PostgreSQL in production."""

    url: str = f"sqlite+aiosqlite:///{STATE_DIR}/fyhub.db"
    echo: bool = False


class HubSecuritySettings(_Section):
    """The hub's own secrets: the delivery-token key and its Ed25519 signing keys
    (`hub.security.secret_files` says what is refused, docs/security.md how to rotate them)."""

    token_secret: SecretStr = SecretStr(SHIPPED_TOKEN_SECRET)
    """HMAC key of the `hubdelivery` tokens; the shipped default is for local runs only and
    refused outside one (brokers configured other than the local one of `fyhub kafka up`)."""
    token_secret_file: Path | None = None
    """Where the delivery-token secret is kept (mode 0600), instead of `token_secret`."""
    signing_key_file: Path = STATE_DIR / "hub-signing.key"
    """Raw Ed25519 private key (base64, mode 0600); in a local run created on first start when
    missing, elsewhere refused when missing. Ignored when `signing_keys_dir` is set."""
    signing_keys_dir: Path | None = None
    """A folder (mode 0700) of the hub's private keys, `<key id>.key` each (mode 0600); the hub
    signs with `<signing_key_id>.key`. Rotating is adding the next key, then changing the id."""
    signing_key_id: KeyId = "hub-1"
    """The key the hub signs with now: its notices, its copies and its journal seals."""
    unsealed_journal_before: AwareDatetime | None = None
    """For a journal written before the hub sealed it: records the broker appended before this
    time pass without a seal (their events' signatures are still checked). Set it once, to the
    time of the upgrade, after giving the journal `message.timestamp.type=LogAppendTime`."""
    hub_keys: KeyList = Field(default_factory=list)
    """The hub's public keys with their validity (`key_id`, `public`, `since`, `until`), which
    the auditor and `fyhub replay` check journal seals with; the public half of the key the hub
    signs with is trusted too when this process holds it, from the start unless listed here."""
    require_signatures: bool = True
    """Refuse unsigned events (`bad_signature`); off only for connectors without keys yet."""


class RouterSettings(_Section):
    group_id: str = "fyhub.router"
    max_records: int = Field(default=500, ge=1)
    """Records routed per batch; offsets are committed once a whole batch is written."""
    pipeline_depth: int = Field(default=2, ge=1)
    """Batches written at once: the next is decided while the previous one's writes are being
    acknowledged; offsets are still committed in order, each batch once it is written."""
    writer_linger_ms: int = Field(default=0, ge=0)
    writer_max_batch_size: int = Field(default=262_144, ge=1024)
    """The router's producer: how long it waits to fill a batch (aiokafka `linger_ms`) and how
    many bytes a partition's batch holds (`max_batch_size`). Chosen by `python -m
    bench.producer_tuning` (docs/design.md §9): the router hands a whole batch over at once, so
    lingering only delays its last records (an event's acknowledgement took 0.7 ms at linger 0,
    2.2 at 1, 3.8 at 2, 6.8 at 5, medians), and batches of 16 KiB (aiokafka's default) wrote a
    third to a half of what 256 KiB did."""
    stuck_after_s: float = Field(default=60.0, gt=0)
    """`/healthz` reports the router unhealthy when an outbox partition's batch has failed to be
    written for longer than this."""
    max_age_s: float = Field(default=7 * 86_400.0, gt=0)
    """An event whose `time` is older than this is refused `stale`; the router remembers the
    events it routed for as long, to refuse a replay as `duplicate` (`hub.router.freshness`)."""
    max_ahead_s: float = Field(default=900.0, ge=0)
    """An event whose `time` is further ahead of the router's clock than this is refused
    `stale` (the clock skew tolerated)."""


class DeadlineSettings(_Section):
    """Shorten every deadline (tests and demos); production keeps scale 1 and no overrides."""

    scale: float = Field(default=1.0, gt=0, le=1.0)
    receipt_override_s: float | None = Field(default=None, gt=0)
    reply_override_s: float | None = Field(default=None, gt=0)


class TrackerSettings(_Section):
    """Deadline watch (督办): how often to look, and how to redeliver unreceipted copies."""

    interval_s: float = Field(default=60.0, gt=0)
    """Seconds between two sweeps over the open deliveries."""
    redelivery_interval_s: float = Field(default=3600.0, gt=0)
    """An unreceipted copy is delivered again this long after its last attempt."""
    max_attempts: int = Field(default=3, ge=1)
    """Deliveries of one copy, the first included, before it is escalated to the office."""
    # --- measure-expiry watch ---
    measure_reminder_working_days: int = Field(default=15, ge=0)
    """Working days before a seal or freeze lapses that the court is reminded
    (`enforcement.control.expiring.v1`); 0: on its last day only."""


class ObservabilitySettings(_Section):
    """`/metrics` and `/healthz` of each hub process."""

    host: str = "127.0.0.1"
    """0.0.0.0 in containers, where Prometheus scrapes from another host."""
    port: int = Field(default=9460, ge=1, le=65535)
    """`fyhub up` serves here; `fyhub run X` on this port plus X's offset (router 1, auditor 2,
    tracker 3), so that the three can run side by side on one machine."""
    journal_lag_limit: int = Field(default=10_000, ge=1)
    """Journal records the auditor may be behind before `/healthz` reports it unhealthy."""
    probe_timeout_s: float = Field(default=5.0, gt=0)


class ConsoleSettings(_Section):
    """The joint-meeting office's console: read-only pages behind a login (`fyhub console
    accounts`), served over plain HTTP: in production behind a TLS-terminating proxy."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8470, ge=0, le=65535)
    session_secret_file: Path = STATE_DIR / "console-session.key"
    """The key that signs the session cookies (mode 0600). `fyhub up` creates it; anywhere else
    the console refuses to start without it."""
    secure_cookie: bool = True
    """Send the session cookie over HTTPS only; `fyhub up` turns it off (plain HTTP on
    loopback)."""
    session_max_age_s: int = Field(default=8 * 3600, ge=60)
    """A sign-in lasts this long at most, however active."""
    max_failed_logins: int = Field(default=5, ge=1)
    """Failed sign-ins in a row after which an account is locked for `lockout_s`."""
    lockout_s: int = Field(default=15 * 60, ge=1)


# --- documents (文书附件) -------------------------------------------------------------------------


class DocumentsSettings(_Section):
    """The document store (`fyhub run documents`): the bytes of the documents events attach by
    reference, handed only to the units their events are routed to. Plain HTTP: in production
    behind a TLS-terminating proxy; every request is signed with the unit's registry key."""

    host: str = "127.0.0.1"
    port: int = Field(default=8471, ge=0, le=65535)
    blob_dir: Path = STATE_DIR / "documents"
    """Where the documents are kept, named by their SHA-256."""
    max_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    clock_skew_s: int = Field(default=300, ge=1)
    """A signed request's time may differ from the store's by this much at most."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        extra="forbid",
    )

    kafka: KafkaSettings = KafkaSettings()
    local_kafka: LocalKafkaSettings = LocalKafkaSettings()
    db: DatabaseSettings = DatabaseSettings()
    security: HubSecuritySettings = HubSecuritySettings()
    router: RouterSettings = RouterSettings()
    deadlines: DeadlineSettings = DeadlineSettings()
    tracker: TrackerSettings = TrackerSettings()
    observability: ObservabilitySettings = ObservabilitySettings()
    console: ConsoleSettings = ConsoleSettings()
    documents: DocumentsSettings = DocumentsSettings()
    registry: Path = Path("deploy/units/wuyang-411121.yaml")
    routing: Path = Path("deploy/routing.yaml")
    calendar: Path = Path("deploy/calendar")
    """The State Council's holiday arrangements, one `<year>.yaml` each (docs/calendar.md)."""
